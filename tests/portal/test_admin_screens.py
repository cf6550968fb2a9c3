"""The operators' screens: organisations (list, add with a first administrator, deactivate) and
the audit log (filters, London days, paging), refused to everyone else."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from open_lrs.audit.models import AuditEvent
from open_lrs.core.db import Database
from open_lrs.learners import service as learners
from open_lrs.learners.schemas import LearnerRegistration
from open_lrs.organisations import directory
from open_lrs.organisations.models import Organisation, User
from tests.conftest import OrgFactory, new_ukprn
from tests.factories import MODEL_VERSION, learner_payload
from tests.portal.conftest import (
    PASSWORD,
    PortalUser,
    UserFactory,
    csrf,
    error_summary,
    sign_in,
    submit,
)

MERGES = "/api/v1/reports/merges?since=2020-01-01T00:00:00Z"


@pytest.fixture
def operator(client: TestClient, make_user: UserFactory) -> PortalUser:
    """An administrator of the service's operators, signed in."""
    user = make_user("admin", "admin")
    sign_in(client, user)
    return user


@pytest.fixture
def other_browser(client: TestClient) -> Iterator[TestClient]:
    """A second browser on the same server, with cookies of its own."""
    with TestClient(client.app, raise_server_exceptions=False, follow_redirects=True) as c:
        yield c


def _text(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>([^<]*)<', html)
    assert found, f"no element {element_id}"
    return unescape(found.group(1)).strip()


def _organisations(db: Database, ukprn: str) -> int:
    with db.unit_of_work() as uow:
        return (
            uow.session.scalar(
                select(func.count()).select_from(Organisation).where(Organisation.ukprn == ukprn)
            )
            or 0
        )


def _api(client: TestClient, key: str) -> int:
    return client.get(MERGES, headers={"Authorization": f"Bearer {key}"}).status_code


def _new(**fields: str) -> dict[str, str]:
    return {
        "name": "Riverside College",
        "ukprn": new_ukprn(),
        "kind": "provider",
        "admin_email": "ada@riverside.example",
        "admin_name": "Ada Lovelace",
    } | fields


# Organisations


def test_operators_list_and_search_organisations(
    client: TestClient, operator: PortalUser, make_org: OrgFactory
) -> None:
    zed, _ = make_org("provider", name="Zebra Sixth Form College")
    yew, _ = make_org("school", name="Yew Tree Primary School")
    page = client.get("/")
    assert 'href="/admin/organisations"' in page.text
    assert 'href="/admin/audit"' in page.text
    r = client.get("/admin/organisations")
    assert r.status_code == 200
    assert "Zebra Sixth Form College" in r.text
    assert "Yew Tree Primary School" in r.text
    assert r.text.index("Yew Tree") < r.text.index("Zebra")  # by name
    assert 'href="/admin/organisations/new"' in r.text
    assert f'href="/admin/organisations/{zed.ukprn}"' in r.text
    r = client.get("/admin/organisations", params={"search": "sixth form"})
    assert "Zebra Sixth Form College" in r.text
    assert "Yew Tree" not in r.text
    r = client.get("/admin/organisations", params={"search": yew.ukprn})
    assert "Yew Tree Primary School" in r.text
    assert "Zebra" not in r.text
    r = client.get("/admin/organisations", params={"kind": "school", "search": "e"})
    assert "Yew Tree Primary School" in r.text
    assert "Zebra" not in r.text
    r = client.get("/admin/organisations", params={"search": "no such organisation anywhere"})
    assert 'id="none"' in r.text
    r = client.get("/admin/organisations", params={"kind": "charity"})
    assert r.status_code == 400
    assert error_summary(r.text) == ["Select a kind of organisation from the list"]


def test_adding_an_organisation_shows_its_key_and_one_time_password_once(
    client: TestClient, operator: PortalUser, other_browser: TestClient, db: Database
) -> None:
    form = client.get("/admin/organisations/new")
    assert form.status_code == 200
    for words in ("A college or training provider", "An awarding organisation", "A university"):
        assert words in form.text
    fields = _new(admin_email="Ada@Riverside.example")
    r = client.post("/admin/organisations/new", data={"csrf_token": csrf(form.text), **fields})
    assert r.status_code == 201
    assert "Organisation added" in r.text
    assert "shown only once" in r.text
    key = _text(r.text, "api-key")
    password = _text(r.text, "one-time-password")
    assert len(key) > 20
    assert len(password) >= 20

    # Neither is shown again.
    detail = client.get(f"/admin/organisations/{fields['ukprn']}")
    assert detail.status_code == 200
    assert "Riverside College" in detail.text
    assert "ada@riverside.example" in detail.text
    assert "Ada Lovelace" in detail.text
    assert "Never" in detail.text  # not signed in yet
    for page in (detail.text, client.get("/admin/organisations").text):
        assert key not in page
        assert password not in page

    # The key works against the JSON API.
    assert _api(client, key) == 200

    # The new administrator signs in with the one-time password and must choose their own.
    r = submit(
        other_browser,
        "/sign-in",
        {"email": "ada@riverside.example", "password": password},
    )
    assert r.url.path == "/sign-in/new-password"

    # The audit log says who added it, without the key, password or email address.
    audit = client.get("/admin/audit", params={"action": directory.ORGANISATION_CREATE})
    assert f"ukprn: {fields['ukprn']}" in audit.text
    assert key not in audit.text
    assert password not in audit.text
    assert "ada@riverside" not in audit.text.lower()


def test_refused_fields_show_the_service_messages_and_create_nothing(
    client: TestClient, operator: PortalUser, make_org: OrgFactory, db: Database
) -> None:
    existing, _ = make_org("provider", name="Existing College")
    bad = _new(name="", ukprn="1234", kind="", admin_email="not an address", admin_name="")
    r = submit(client, "/admin/organisations/new", bad)
    assert r.status_code == 400
    assert error_summary(r.text) == [
        "Enter the organisation's name",
        "UKPRN must be exactly 8 digits",
        "Select the kind of organisation",
        "Administrator's email address must be an email address such as name@example.org",
        "Enter the administrator's name",
    ]
    assert 'href="#ukprn"' in r.text
    assert 'value="1234"' in r.text  # what was typed is kept
    assert _organisations(db, "1234") == 0

    r = submit(client, "/admin/organisations/new", _new(ukprn=existing.ukprn))
    assert r.status_code == 400
    assert error_summary(r.text) == ["UKPRN is already used by another organisation"]
    with db.unit_of_work() as uow:
        assert not uow.session.scalar(select(User.id).where(User.email == "ada@riverside.example"))

    fields = _new(admin_email=operator.email.upper())
    r = submit(client, "/admin/organisations/new", fields)
    assert r.status_code == 400
    [message] = error_summary(r.text)
    assert message.startswith("Administrator's email address is already used")
    assert _organisations(db, fields["ukprn"]) == 0


def test_deactivating_an_organisation_locks_out_its_people_and_keys_until_reactivated(
    client: TestClient,
    operator: PortalUser,
    other_browser: TestClient,
    make_org: OrgFactory,
    make_user: UserFactory,
) -> None:
    org, key = make_org("provider", name="Paused College")
    person = make_user("registrar", ukprn=org.ukprn)
    sign_in(other_browser, person)
    assert _api(client, key) == 200  # and now remembered for a few seconds

    page = client.get(f"/admin/organisations/{org.ukprn}")
    assert "Deactivate Paused College" in page.text
    r = client.post(
        f"/admin/organisations/{org.ukprn}/active",
        data={"csrf_token": csrf(page.text), "active": "false"},
    )
    assert r.status_code == 200
    assert r.url.path == f"/admin/organisations/{org.ukprn}"
    assert "has been deactivated" in r.text
    assert _text(r.text, "status") == "Deactivated"
    assert _api(client, key) == 401
    assert other_browser.get("/find").url.path == "/sign-in"  # their session has ended
    refused = submit(other_browser, "/sign-in", {"email": person.email, "password": PASSWORD})
    assert error_summary(refused.text) == ["Enter a correct email address and password"]
    listed = client.get("/admin/organisations", params={"search": org.ukprn})
    assert "Deactivated" in listed.text

    r = client.post(
        f"/admin/organisations/{org.ukprn}/active",
        data={"csrf_token": csrf(r.text), "active": "true"},
    )
    assert "has been reactivated" in r.text
    assert _text(r.text, "status") == "Active"
    assert _api(client, key) == 200
    sign_in(other_browser, person)
    assert other_browser.get("/find").status_code == 200


def test_operators_cannot_deactivate_their_own_organisation(
    client: TestClient, operator: PortalUser
) -> None:
    page = client.get(f"/admin/organisations/{operator.ukprn}")
    assert "This is your own organisation: you cannot deactivate it." in page.text
    assert 'name="active"' not in page.text
    r = client.post(
        f"/admin/organisations/{operator.ukprn}/active",
        data={"csrf_token": csrf(page.text), "active": "false"},
    )
    assert r.status_code == 409
    assert error_summary(r.text) == ["You cannot deactivate your own organisation"]
    assert _text(r.text, "status") == "Active"
    assert client.get("/admin/organisations").status_code == 200  # still signed in


def test_an_unknown_ukprn_is_page_not_found(client: TestClient, operator: PortalUser) -> None:
    for ukprn in (new_ukprn(), "nonsense"):
        r = client.get(f"/admin/organisations/{ukprn}")
        assert r.status_code == 404
        assert "Page not found" in r.text
    page = client.get("/admin/organisations")
    r = client.post(
        f"/admin/organisations/{new_ukprn()}/active",
        data={"csrf_token": csrf(page.text), "active": "false"},
    )
    assert r.status_code == 404


def test_forms_without_the_csrf_token_do_nothing(
    client: TestClient, operator: PortalUser, make_org: OrgFactory, db: Database
) -> None:
    org, key = make_org("provider")
    fields = _new()
    r = client.post("/admin/organisations/new", data=fields)
    assert r.status_code == 400
    assert "Your form has expired" in r.text
    assert _organisations(db, fields["ukprn"]) == 0
    r = client.post(
        f"/admin/organisations/{org.ukprn}/active",
        data={"csrf_token": "forged", "active": "false"},
    )
    assert r.status_code == 400
    assert "Your form has expired" in r.text
    assert _api(client, key) == 200


@pytest.mark.parametrize(
    ("role", "kind"),
    [("admin", "provider"), ("registrar", "admin"), ("viewer", "admin"), ("viewer", "school")],
)
def test_everyone_but_operators_gets_the_403_page(
    client: TestClient,
    make_user: UserFactory,
    make_org: OrgFactory,
    db: Database,
    role: str,
    kind: str,
) -> None:
    target, key = make_org("provider")
    sign_in(client, make_user(role, kind))
    home = client.get("/")
    assert 'href="/admin/organisations"' not in home.text
    assert 'href="/admin/audit"' not in home.text
    token = csrf(home.text)
    for path in (
        "/admin/organisations",
        "/admin/organisations?search=x",
        "/admin/organisations/new",
        f"/admin/organisations/{target.ukprn}",
        f"/admin/organisations/{new_ukprn()}",
        "/admin/audit",
        "/admin/audit?uln=bad",
    ):
        r = client.get(path)
        assert r.status_code == 403, path
        assert "You cannot do this" in r.text
    fields = _new(ukprn="", kind="")  # refused before its fields are even looked at
    r = client.post("/admin/organisations/new", data={"csrf_token": token, **fields})
    assert r.status_code == 403
    r = client.post(
        f"/admin/organisations/{target.ukprn}/active",
        data={"csrf_token": token, "active": "false"},
    )
    assert r.status_code == 403
    assert _api(client, key) == 200


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient) -> None:
    for path in ("/admin/organisations", "/admin/organisations/new", "/admin/audit"):
        assert client.get(path).url.path == "/sign-in"


# The audit log


def _add_events(db: Database, organisation_id: int, times: list[datetime], **kw: object) -> None:
    with db.unit_of_work() as uow:
        for i, when in enumerate(times):
            uow.session.add(
                AuditEvent(
                    occurred_at=when,
                    organisation_id=organisation_id,
                    action=kw.get("action", "learner.read"),
                    outcome=kw.get("outcome", f"event{i}"),
                    learner_id=kw.get("learner_id"),
                    user_label=kw.get("user_label"),
                    details=kw.get("details", {}),
                )
            )
        uow.commit()


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-event-id="([0-9]+)"', html)]


def _rows(html: str) -> list[dict[str, str]]:
    """The audit table's rows, each cell's text by its column's heading."""
    columns = ["when", "organisation", "who", "action", "learner", "outcome", "details"]
    rows = []
    for row in re.findall(
        r"<tr class=\"govuk-table__row\" data-event-id=[^>]*>(.*?)</tr>", html, re.S
    ):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        texts = [" ".join(unescape(re.sub(r"<[^>]+>", " ", c)).split()) for c in cells]
        rows.append(dict(zip(columns, texts, strict=True)))
    return rows


def _dates(name: str, day: int, month: int, year: int) -> dict[str, str]:
    return {f"{name}-day": str(day), f"{name}-month": str(month), f"{name}-year": str(year)}


def test_the_audit_log_filters_by_learner_organisation_and_action(
    client: TestClient, operator: PortalUser, make_org: OrgFactory, db: Database
) -> None:
    provider, _ = make_org("provider")
    registered = learners.register(
        db.unit_of_work(),
        provider,
        LearnerRegistration.model_validate(learner_payload()),
        MODEL_VERSION,
    )
    uln = registered.learner.uln
    other, _ = make_org("school")
    now = datetime.now(UTC)
    _add_events(
        db,
        other.organisation_id,
        [now],
        action="learner.update",
        outcome="WSRC0006",
        user_label="Sam Teacher",
        details={"fields": ["postcode", "email"], "restricted": False},
    )

    r = client.get("/admin/audit", params={"uln": uln})
    assert r.status_code == 200
    rows = _rows(r.text)
    assert rows
    assert {row["learner"] for row in rows} == {uln}
    assert {row["organisation"] for row in rows} == {provider.ukprn}
    assert "learner.register" in {row["action"] for row in rows}
    assert f'href="/learners/{uln}"' in r.text
    assert f'href="/admin/organisations/{provider.ukprn}"' in r.text

    r = client.get("/admin/audit", params={"ukprn": other.ukprn})
    [row] = _rows(r.text)
    assert row["who"] == "Sam Teacher"
    assert row["action"] == "learner.update"
    assert row["outcome"] == "WSRC0006"
    assert row["learner"] == "None"
    assert row["details"] == "fields: postcode, email restricted: no"

    r = client.get("/admin/audit", params={"action": "learner.update", "ukprn": provider.ukprn})
    assert _rows(r.text) == []
    assert 'id="no-events"' in r.text
    r = client.get("/admin/audit", params={"action": "learner.register", "ukprn": provider.ukprn})
    assert [row["action"] for row in _rows(r.text)] == ["learner.register"]
    assert '<option value="learner.register" selected>' in r.text

    # The operator's own sign-in is there, and the reading of the log itself, newest first.
    r = client.get("/admin/audit", params={"ukprn": operator.ukprn})
    actions = [row["action"] for row in _rows(r.text)]
    assert actions[0] == "audit.read"
    assert actions[-1] == "portal.sign_in"
    assert _rows(r.text)[-1]["outcome"] == "signed_in_authenticator_set_up"


def test_the_audit_log_filters_by_uk_days(
    client: TestClient, operator: PortalUser, make_org: OrgFactory, db: Database
) -> None:
    org, _ = make_org("provider")
    summer = [  # British Summer Time: the UK day starts at 23:00 UTC the day before
        datetime(2025, 7, 1, 22, 59, 59, tzinfo=UTC),  # 1 July, 11:59pm in the UK
        datetime(2025, 7, 1, 23, 0, 0, tzinfo=UTC),  # 2 July, midnight
        datetime(2025, 7, 2, 22, 59, 59, tzinfo=UTC),  # 2 July, 11:59pm
        datetime(2025, 7, 2, 23, 0, 0, tzinfo=UTC),  # 3 July, midnight
    ]
    winter = [  # Greenwich Mean Time: the UK day is the UTC day
        datetime(2025, 12, 1, 23, 59, 59, tzinfo=UTC),  # 1 December
        datetime(2025, 12, 2, 0, 0, 0, tzinfo=UTC),  # 2 December
    ]
    _add_events(db, org.organisation_id, summer + winter)

    def outcomes(**dates: str) -> set[str]:
        r = client.get("/admin/audit", params={"ukprn": org.ukprn, **dates})
        assert r.status_code == 200, error_summary(r.text)
        return {row["outcome"] for row in _rows(r.text)}

    assert outcomes(**_dates("date_from", 2, 7, 2025), **_dates("date_to", 2, 7, 2025)) == {
        "event1",
        "event2",
    }
    assert outcomes(**_dates("date_from", 3, 7, 2025), **_dates("date_to", 1, 12, 2025)) == {
        "event3",
        "event4",
    }
    assert outcomes(**_dates("date_to", 1, 7, 2025)) == {"event0"}
    assert outcomes(**_dates("date_from", 2, 12, 2025)) == {"event5"}
    page = client.get(
        "/admin/audit",
        params={
            "ukprn": org.ukprn,
            **_dates("date_from", 2, 7, 2025),
            **_dates("date_to", 2, 7, 2025),
        },
    )
    assert [row["when"] for row in _rows(page.text)] == [
        "2 July 2025 at 11:59pm",  # shown in UK time
        "2 July 2025 at 12:00am",
    ]


def test_wrong_audit_filters_are_errors_naming_the_field(
    client: TestClient, operator: PortalUser
) -> None:
    r = client.get(
        "/admin/audit",
        params={
            "uln": "12345",
            "ukprn": "1000000X",
            "action": "learner.eat",
            **_dates("date_from", 31, 2, 2025),
            "date_to-day": "1",
            "date_to-year": "2025",
        },
    )
    assert r.status_code == 400
    assert error_summary(r.text) == [
        "Learner's ULN must be 10 digits, like 1234567899",
        "Organisation's UKPRN must be 8 digits, like 10000001",
        "Select an action from the list",
        "From date must be a real date",
        "To date must include a month",
    ]
    assert 'href="#date_from-day"' in r.text
    assert 'href="#uln"' in r.text
    assert 'id="audit-events"' not in r.text
    r = client.get(
        "/admin/audit", params={**_dates("date_from", 2, 1, 2025), **_dates("date_to", 1, 1, 2025)}
    )
    assert error_summary(r.text) == ["To date must be the same as or after the from date"]
    r = client.get("/admin/audit", params=_dates("date_from", 1, 1, 25))
    assert error_summary(r.text) == ["From date must be a real date, with a 4-digit year"]


def test_the_audit_log_pages_50_at_a_time_newest_first(
    client: TestClient, operator: PortalUser, make_org: OrgFactory, db: Database
) -> None:
    org, _ = make_org("provider")
    start = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    _add_events(db, org.organisation_id, [start + timedelta(minutes=i) for i in range(120)])

    first = client.get("/admin/audit", params={"ukprn": org.ukprn})
    page1 = _ids(first.text)
    assert len(page1) == 50
    assert page1 == sorted(page1, reverse=True)
    assert ">event119<" in first.text
    assert 'rel="prev"' not in first.text
    next_link = re.search(r'href="([^"]+)" rel="next"', first.text)
    assert next_link
    second = client.get(unescape(next_link.group(1)))
    page2 = _ids(second.text)
    assert len(page2) == 50
    assert max(page2) < min(page1)
    assert f'value="{org.ukprn}"' in second.text  # the filter is kept
    next_link = re.search(r'href="([^"]+)" rel="next"', second.text)
    assert next_link
    third = client.get(unescape(next_link.group(1)))
    page3 = _ids(third.text)
    assert len(page3) == 20
    assert ">event0<" in third.text
    assert 'rel="next"' not in third.text
    assert set(page1) | set(page2) | set(page3) == set(range(min(page3), max(page1) + 1))

    previous = re.search(r'href="([^"]+)" rel="prev"', third.text)
    assert previous
    back = client.get(unescape(previous.group(1)))
    assert _ids(back.text) == page2
    previous = re.search(r'href="([^"]+)" rel="prev"', back.text)
    assert previous
    assert _ids(client.get(unescape(previous.group(1))).text) == page1
