"""The operators' organisations screens: list, add with a first administrator, deactivate;
refused to everyone else."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from open_lrs.core.db import Database
from open_lrs.organisations import directory
from open_lrs.organisations.models import Organisation, User
from tests.conftest import OrgFactory, new_ukprn
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
