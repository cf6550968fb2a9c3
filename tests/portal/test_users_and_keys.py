"""The Users and API keys screens: an administrator invites people (with a one-time password
that expires), changes roles, deactivates and resets sign-ins, and creates and revokes keys,
for their own organisation only."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from open_lrs.audit.models import AuditEvent
from open_lrs.core.clock import utcnow
from open_lrs.core.db import Database
from open_lrs.organisations import service, users
from open_lrs.organisations.models import ApiKey, User
from open_lrs.organisations.sessions import PortalSession
from tests.portal.conftest import (
    PASSWORD,
    PortalUser,
    UserFactory,
    csrf,
    error_summary,
    next_code,
    sign_in,
    submit,
)

EXPIRED = (
    "This one-time password has expired: ask an administrator of your organisation for a new one"
)
WRONG_DETAILS = "Enter a correct email address and password"
NEW_PASSWORD = "a much longer pass phrase"


def another_browser(client: TestClient) -> TestClient:
    """A second browser on the same service: its own cookies."""
    return TestClient(client.app, raise_server_exceptions=False, follow_redirects=True)


def user_id(db: Database, email: str) -> int:
    with db.unit_of_work() as uow:
        found = uow.session.scalar(select(User.id).where(User.email == email))
    assert found is not None
    return found


def stored(db: Database, email: str) -> User:
    """The user as stored now (detached, to read after the unit of work)."""
    with db.unit_of_work() as uow:
        found = uow.session.scalar(select(User).where(User.email == email))
        assert found is not None
        uow.session.expunge(found)
    return found


def sessions_of(db: Database, email: str) -> int:
    with db.unit_of_work() as uow:
        return len(
            uow.session.scalars(
                select(PortalSession.id).where(PortalSession.user_id == user_id(db, email))
            ).all()
        )


def table_row(html: str, containing: str) -> str:
    """The table row (<tr>) that holds ``containing``."""
    rows = [r for r in re.findall(r"<tr[^>]*>.*?</tr>", html, re.S) if containing in r]
    assert len(rows) == 1, f"{len(rows)} rows hold {containing!r}"
    return rows[0]


def shown(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>([^<]+)<', html)
    assert found, f"the page has no #{element_id}"
    return unescape(found.group(1)).strip()


def first_sign_in(browser: TestClient, email: str, one_time: str) -> str:
    """Sign in with a one-time password: choose a password, set up the authenticator, and see
    the recovery codes. Returns the authenticator's secret."""
    r = submit(browser, "/sign-in", {"email": email, "password": one_time})
    assert r.url.path == "/sign-in/new-password", r.text
    r = browser.post(
        "/sign-in/new-password",
        data={
            "csrf_token": csrf(r.text),
            "password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert r.url.path == "/sign-in/set-up-authenticator"
    secret = shown(r.text, "totp-secret").replace(" ", "")
    r = browser.post(
        "/sign-in/set-up-authenticator",
        data={"csrf_token": csrf(r.text), "code": pyotp.TOTP(secret).now()},
    )
    assert "Save your recovery codes" in r.text
    assert browser.get("/find").url.path == "/find"
    return secret


def invite(client: TestClient, email: str, name: str, role: str) -> tuple[str, str]:
    """Invite someone through the portal: their one-time password, and the page."""
    r = submit(
        client,
        "/users/invite",
        {"email": email, "display_name": name, "role": role},
    )
    assert r.status_code == 200, r.text
    return shown(r.text, "one-time-password"), r.text


def test_an_admin_invites_a_user_who_signs_in_and_sets_up_an_authenticator(
    client: TestClient, make_user: UserFactory, db: Database
) -> None:
    admin = make_user("admin")
    sign_in(client, admin)
    page = client.get("/")
    assert 'href="/users"' in page.text
    assert 'href="/api-keys"' in page.text
    listed = client.get("/users")
    assert listed.status_code == 200
    assert admin.email in listed.text
    assert 'href="/users/invite"' in listed.text
    form = client.get("/users/invite")
    for role, description in (
        ("admin", "Everything the organisation may do, including its users and API keys"),
        ("registrar", "Registers learners and keeps their details up to date; loads files"),
        ("viewer", "Finds, reads and verifies learners; changes nothing"),
    ):
        assert f'value="{role}"' in form.text
        assert description in form.text

    r = submit(client, "/users/invite", {"email": "not an address", "display_name": "", "role": ""})
    assert r.status_code == 400
    assert error_summary(r.text) == [
        "Email address must be an email address such as name@example.org",
        "Full name must be 1 to 200 characters",
        "Role must be one of admin, registrar, viewer",
    ]
    r = submit(
        client, "/users/invite", {"email": admin.email, "display_name": "Again", "role": "viewer"}
    )
    assert error_summary(r.text) == [
        "Email address is already used by someone who signs in to Open LRS"
    ]

    email = f"grace.{admin.ukprn}@example.org"
    one_time, page_text = invite(client, email.upper(), "Grace Hopper", "registrar")
    assert "User invited" in page_text
    assert "This password is shown only once" in page_text
    expires = stored(db, email).password_expires_at
    assert expires is not None
    assert timedelta(days=6, hours=23) < expires - utcnow() <= timedelta(days=7)
    local = expires.astimezone(ZoneInfo("Europe/London"))
    assert shown(page_text, "expires-at").startswith(f"{local.day} {local:%B %Y} at ")
    assert "http://testserver/sign-in" in page_text
    assert "Choose your own password" in page_text
    assert "authenticator app" in page_text
    waiting = table_row(client.get("/users").text, email)
    assert "Grace Hopper" in waiting
    assert "Registrar" in waiting
    assert "Waiting to sign in" in waiting
    assert one_time not in client.get("/users").text
    assert one_time not in client.get(f"/users/{user_id(db, email)}").text

    grace = another_browser(client)
    first_sign_in(grace, email, one_time)
    assert stored(db, email).password_expires_at is None  # her own password does not expire
    assert stored(db, email).role == "registrar"
    submit(grace, "/sign-out", {}, page="/")
    r = submit(grace, "/sign-in", {"email": email, "password": one_time})
    assert error_summary(r.text) == [WRONG_DETAILS]  # the one-time password is spent

    row = table_row(client.get("/users").text, email)
    assert "Yes" in row  # authenticator set up
    assert "Never" not in row  # last signed in


def test_an_expired_one_time_password_is_refused_with_a_clear_message(
    client: TestClient, make_user: UserFactory, db: Database
) -> None:
    admin = make_user("admin")
    sign_in(client, admin)
    email = f"late.{admin.ukprn}@example.org"
    one_time, _ = invite(client, email, "Late Comer", "viewer")
    with db.unit_of_work() as uow:
        uow.session.execute(
            update(User)
            .where(User.email == email)
            .values(password_expires_at=utcnow() - timedelta(seconds=1))
        )
        uow.commit()
    late = another_browser(client)
    r = submit(late, "/sign-in", {"email": email, "password": one_time})
    assert r.status_code == 400
    assert error_summary(r.text) == [EXPIRED]  # on the sign-in page, at the password
    assert late.get("/find").url.path == "/sign-in"
    assert stored(db, email).failed_sign_in_attempts == 0  # the password itself was right
    r = submit(late, "/sign-in", {"email": email, "password": "a wrong password"})
    assert error_summary(r.text) == [WRONG_DETAILS]  # nothing said without the password
    assert "One-time password expired" in table_row(client.get("/users").text, email)
    # The administrator resets the sign-in; the new password works.
    r = submit(client, f"/users/{user_id(db, email)}/reset-sign-in", {})
    first_sign_in(another_browser(client), email, shown(r.text, "one-time-password"))
    with db.unit_of_work() as uow:
        outcomes = uow.session.scalars(
            select(AuditEvent.outcome).where(
                AuditEvent.action == "portal.sign_in", AuditEvent.user_label == "Late Comer"
            )
        ).all()
    assert "one_time_password_expired" in outcomes


def test_an_admin_changes_a_role(client: TestClient, make_user: UserFactory, db: Database) -> None:
    admin = make_user("admin")
    other = make_user("registrar", ukprn=admin.ukprn)
    sign_in(client, admin)
    page = client.get(f"/users/{user_id(db, other.email)}")
    assert page.status_code == 200
    assert "Change role" in page.text
    r = submit(client, f"/users/{user_id(db, other.email)}/role", {"role": "viewer"})
    assert r.url.path == f"/users/{user_id(db, other.email)}"
    assert "The role has been changed" in r.text
    assert stored(db, other.email).role == "viewer"
    r = submit(client, f"/users/{user_id(db, other.email)}/role", {"role": "owner"})
    assert r.status_code == 400
    assert error_summary(r.text) == ["Role must be one of admin, registrar, viewer"]
    # The role counts from their next page on.
    theirs = another_browser(client)
    sign_in(theirs, other)
    assert theirs.get("/users").status_code == 403
    r = submit(client, f"/users/{user_id(db, other.email)}/role", {"role": "admin"})
    assert stored(db, other.email).role == "admin"
    assert theirs.get("/users").status_code == 200


def test_deactivating_a_user_ends_their_session_and_stops_them_signing_in(
    client: TestClient, make_user: UserFactory, db: Database
) -> None:
    admin = make_user("admin")
    other = make_user("viewer", ukprn=admin.ukprn)
    theirs = another_browser(client)
    sign_in(theirs, other)
    assert theirs.get("/find").url.path == "/find"
    sign_in(client, admin)
    other_id = user_id(db, other.email)
    confirm = client.get(f"/users/{other_id}/deactivate")
    assert "Are you sure you want to deactivate Person 2?" in unescape(confirm.text)
    r = client.post(f"/users/{other_id}/deactivate", data={"csrf_token": csrf(confirm.text)})
    assert "The user has been deactivated and signed out" in r.text
    assert "Deactivated" in r.text
    assert not stored(db, other.email).active
    assert sessions_of(db, other.email) == 0
    assert theirs.get("/find").url.path == "/sign-in"
    r = submit(theirs, "/sign-in", {"email": other.email, "password": PASSWORD})
    assert error_summary(r.text) == [WRONG_DETAILS]
    r = submit(client, f"/users/{other_id}/reactivate", {}, page=f"/users/{other_id}")
    assert "The user has been reactivated" in r.text
    assert stored(db, other.email).active
    secret = other.secret()
    assert secret
    r = submit(theirs, "/sign-in", {"email": other.email, "password": PASSWORD})
    r = theirs.post("/sign-in/code", data={"csrf_token": csrf(r.text), "code": next_code(secret)})
    assert r.url.path == "/"


def test_reset_sign_in_gives_a_new_one_time_password_and_a_new_authenticator(
    client: TestClient, make_user: UserFactory, db: Database
) -> None:
    admin = make_user("admin")
    other = make_user("registrar", ukprn=admin.ukprn)
    theirs = another_browser(client)
    sign_in(theirs, other)
    old_secret = other.secret()
    sign_in(client, admin)
    other_id = user_id(db, other.email)
    confirm = client.get(f"/users/{other_id}/reset-sign-in")
    assert "Are you sure you want to reset Person 2&#39;s sign-in?" in confirm.text
    r = client.post(f"/users/{other_id}/reset-sign-in", data={"csrf_token": csrf(confirm.text)})
    assert r.headers["cache-control"] == "no-store"
    assert "Sign-in reset" in r.text
    one_time = shown(r.text, "one-time-password")
    assert other.secret() is None
    assert sessions_of(db, other.email) == 0
    assert theirs.get("/find").url.path == "/sign-in"
    r = submit(theirs, "/sign-in", {"email": other.email, "password": PASSWORD})
    assert error_summary(r.text) == [WRONG_DETAILS]
    new_secret = first_sign_in(theirs, other.email, one_time)
    assert new_secret != old_secret


def test_an_admin_cannot_demote_deactivate_or_reset_themselves(
    client: TestClient, make_user: UserFactory, db: Database
) -> None:
    admin = make_user("admin")
    sign_in(client, admin)
    own = user_id(db, admin.email)
    page = client.get(f"/users/{own}")
    assert "You cannot change your own role" in page.text
    assert f'action="/users/{own}/role"' not in page.text
    assert f'href="/users/{own}/deactivate"' not in page.text
    assert f'href="/users/{own}/reset-sign-in"' not in page.text
    r = submit(client, f"/users/{own}/role", {"role": "viewer"}, page=f"/users/{own}")
    assert r.status_code == 400
    assert error_summary(r.text) == [users.SELF_ROLE]
    r = submit(client, f"/users/{own}/deactivate", {}, page=f"/users/{own}")
    assert error_summary(r.text) == [users.SELF_DEACTIVATE]
    r = submit(client, f"/users/{own}/reset-sign-in", {}, page=f"/users/{own}")
    assert error_summary(r.text) == [users.SELF_RESET]
    me = stored(db, admin.email)
    assert me.role == "admin"
    assert me.active
    assert me.totp_secret is not None
    assert client.get("/users").status_code == 200  # still signed in


def test_api_keys_are_created_shown_once_used_and_revoked(
    client: TestClient, make_user: UserFactory, db: Database
) -> None:
    admin = make_user("admin")
    sign_in(client, admin)
    listed = client.get("/api-keys")
    assert listed.status_code == 200
    assert "default" in listed.text  # the organisation's first key
    assert 'href="/api-keys/new"' in listed.text
    r = submit(client, "/api-keys/new", {"name": " "})
    assert r.status_code == 400
    assert error_summary(r.text) == ["Name must be 1 to 100 characters"]
    r = submit(client, "/api-keys/new", {"name": "MIS integration"})
    assert r.status_code == 200
    assert r.headers["cache-control"] == "no-store"
    key = shown(r.text, "api-key")
    assert key.startswith("lrs_")
    assert "It will not be shown again" in r.text
    assert f"Authorization: Bearer {key}" in r.text
    with db.unit_of_work() as uow:
        row = uow.session.scalar(select(ApiKey).where(ApiKey.name == "MIS integration"))
        assert row is not None
        uow.session.expunge(row)
    assert row.created_by_user_id == user_id(db, admin.email)
    listed = client.get("/api-keys").text
    assert key not in listed
    assert f"lrs_{row.prefix}_" in listed
    mis_row = table_row(listed, "MIS integration")
    assert "Never" in mis_row

    api = client.get("/api/v1/batches", headers={"Authorization": f"Bearer {key}"})
    assert api.status_code == 200
    mis_row = table_row(client.get("/api-keys").text, "MIS integration")
    assert "Never" not in mis_row  # last used, now
    assert "Active" in mis_row

    confirm = client.get(f"/api-keys/{row.id}/revoke")
    assert "Are you sure you want to revoke this API key?" in confirm.text
    r = client.post(f"/api-keys/{row.id}/revoke", data={"csrf_token": csrf(confirm.text)})
    assert r.url.path == "/api-keys"
    assert "has been revoked" in r.text
    assert "The API key ‘MIS integration’ has been revoked" in r.text
    mis_row = table_row(r.text, "MIS integration")
    assert "Revoked" in mis_row
    refused = client.get("/api/v1/batches", headers={"Authorization": f"Bearer {key}"})
    assert refused.status_code == 401  # at once, though the key had just been used
    again = client.get(f"/api-keys/{row.id}/revoke")
    assert "This API key has been revoked" in again.text
    assert 'action="/api-keys/' not in again.text


# Every page and form of these screens: those of the lists, of one user, of one key.
LIST_PAGES = ["/users", "/users/invite", "/api-keys", "/api-keys/new"]
LIST_FORMS = ["/users/invite", "/api-keys/new"]


def user_pages(ref: int) -> list[str]:
    return [f"/users/{ref}", f"/users/{ref}/deactivate", f"/users/{ref}/reset-sign-in"]


def user_forms(ref: int) -> list[str]:
    return [
        f"/users/{ref}/{what}" for what in ("role", "deactivate", "reactivate", "reset-sign-in")
    ]


def key_page(ref: int) -> str:
    return f"/api-keys/{ref}/revoke"


def _pages(user_ref: int, key_ref: int) -> tuple[list[str], list[str]]:
    gets = [*LIST_PAGES, *user_pages(user_ref), key_page(key_ref)]
    posts = [*LIST_FORMS, *user_forms(user_ref), key_page(key_ref)]
    return gets, posts


FORM = {"email": "new.person@example.org", "display_name": "New", "role": "viewer", "name": "K"}


def _nothing_changed(db: Database, target: PortalUser, key_id: int, keys_before: int) -> None:
    person = stored(db, target.email)
    assert person.active
    assert person.role == target.role
    assert person.totp_secret is not None
    with db.unit_of_work() as uow:
        key = uow.session.get(ApiKey, key_id)
        assert key is not None
        assert key.revoked_at is None
        assert len(uow.session.scalars(select(ApiKey.id)).all()) == keys_before
        assert uow.session.scalar(select(User.id).where(User.email == FORM["email"])) is None


def _key_of(db: Database, ukprn: str) -> int:
    return service.list_keys(db.unit_of_work(), ukprn=ukprn)[0].id


def _count_keys(db: Database) -> int:
    with db.unit_of_work() as uow:
        return len(uow.session.scalars(select(ApiKey.id)).all())


@pytest.mark.parametrize("role", ["registrar", "viewer"])
def test_registrars_and_viewers_cannot_manage_users_or_keys(
    client: TestClient, make_user: UserFactory, db: Database, role: str
) -> None:
    admin = make_user("admin")
    sign_in(another_browser(client), admin)  # so that their authenticator is set up
    someone = make_user(role, ukprn=admin.ukprn)
    sign_in(client, someone)
    home = client.get("/").text
    assert 'href="/users"' not in home
    assert 'href="/api-keys"' not in home
    key_id = _key_of(db, admin.ukprn)
    keys_before = _count_keys(db)
    token = csrf(home)
    gets, posts = _pages(user_id(db, admin.email), key_id)
    for path in gets:
        r = client.get(path)
        assert r.status_code == 403, path
        assert "You cannot do this" in r.text
    for path in posts:
        r = client.post(path, data={"csrf_token": token, **FORM})
        assert r.status_code == 403, path
        assert "You cannot do this" in r.text
    _nothing_changed(db, admin, key_id, keys_before)


def test_another_organisations_admin_gets_not_found_and_sees_nothing_of_it(
    client: TestClient, make_user: UserFactory, db: Database
) -> None:
    theirs = make_user("admin")
    sign_in(another_browser(client), theirs)
    their_colleague = make_user("viewer", ukprn=theirs.ukprn)
    their_key = service.list_keys(db.unit_of_work(), ukprn=theirs.ukprn)[0]
    admin = make_user("admin")
    sign_in(client, admin)
    keys_before = _count_keys(db)
    user_list = client.get("/users").text
    assert theirs.email not in user_list
    assert their_colleague.email not in user_list
    key_list = client.get("/api-keys").text
    assert their_key.prefix not in key_list
    token = csrf(client.get("/").text)
    for target in (theirs, their_colleague):
        for path in user_pages(user_id(db, target.email)):
            r = client.get(path)
            assert r.status_code == 404, path
            assert "Page not found" in r.text
            assert target.email not in r.text
        for path in user_forms(user_id(db, target.email)):
            r = client.post(path, data={"csrf_token": token, "role": "viewer"})
            assert r.status_code == 404, path
    r = client.get(key_page(their_key.id))
    assert r.status_code == 404
    assert "Page not found" in r.text
    r = client.post(key_page(their_key.id), data={"csrf_token": token})
    assert r.status_code == 404
    _nothing_changed(db, theirs, their_key.id, keys_before)
    colleague = stored(db, their_colleague.email)
    assert colleague.active
    assert colleague.role == "viewer"
    assert not colleague.password_change_required  # their sign-in was not reset


def test_ids_that_cannot_be_ids_are_not_found(client: TestClient, make_user: UserFactory) -> None:
    sign_in(client, make_user("admin"))
    for path in ("/users/abc", "/users/-1", "/users/99999999999999999999", "/api-keys/x/revoke"):
        r = client.get(path)
        assert r.status_code == 404, path
        assert "Page not found" in r.text


def test_the_forms_need_their_csrf_token(
    client: TestClient, make_user: UserFactory, db: Database
) -> None:
    admin = make_user("admin")
    other = make_user("registrar", ukprn=admin.ukprn)
    sign_in(another_browser(client), other)
    sign_in(client, admin)
    key_id = _key_of(db, admin.ukprn)
    keys_before = _count_keys(db)
    _, posts = _pages(user_id(db, other.email), key_id)
    for path in posts:
        for data in ({**FORM}, {"csrf_token": "forged", **FORM}):
            r = client.post(path, data=data)
            assert r.status_code == 400, path
            assert "Your form has expired" in r.text
    _nothing_changed(db, other, key_id, keys_before)
