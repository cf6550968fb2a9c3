"""The operators' audit log screen: filters, London days, paging."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape

from fastapi.testclient import TestClient

from open_lrs.audit.models import AuditEvent
from open_lrs.core.db import Database
from open_lrs.learners import service as learners
from open_lrs.learners.schemas import LearnerRegistration
from tests.conftest import OrgFactory
from tests.factories import MODEL_VERSION, learner_payload
from tests.portal.conftest import PortalUser, error_summary

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
