"""The Users screens: an administrator invites people (with a one-time password that expires),
changes roles, deactivates and resets sign-ins, for their own organisation only."""

from __future__ import annotations

from datetime import timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pyotp
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from open_lrs.audit.models import AuditEvent
from open_lrs.core.clock import utcnow
from open_lrs.core.db import Database
from open_lrs.organisations import users
from open_lrs.organisations.models import User
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
from tests.portal.users_and_keys_helpers import another_browser, shown, stored, table_row, user_id

EXPIRED = (
    "This one-time password has expired: ask an administrator of your organisation for a new one"
)
WRONG_DETAILS = "Enter a correct email address and password"
NEW_PASSWORD = "a much longer pass phrase"


def sessions_of(db: Database, email: str) -> int:
    with db.unit_of_work() as uow:
        return len(
            uow.session.scalars(
                select(PortalSession.id).where(PortalSession.user_id == user_id(db, email))
            ).all()
        )


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


def check_the_users_list_and_invite_form(client: TestClient, admin: PortalUser) -> None:
    """The home page links to Users and API keys; the list shows the administrator and links to
    the invite form, which describes each role."""
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


def test_an_admin_invites_a_user_who_signs_in_and_sets_up_an_authenticator(
    client: TestClient, make_user: UserFactory, db: Database
) -> None:
    admin = make_user("admin")
    sign_in(client, admin)
    check_the_users_list_and_invite_form(client, admin)

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
