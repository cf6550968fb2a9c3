"""Signing in: password (Argon2), lock-out, authenticator set-up and codes, recovery codes,
sessions that expire, CSRF on every form, signing out."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from open_lrs.audit.models import AuditEvent
from open_lrs.core import sealing
from open_lrs.core.clock import utcnow
from open_lrs.core.db import Database
from open_lrs.organisations.models import User
from open_lrs.organisations.sessions import PortalSession
from open_lrs.portal.auth import token_digest
from open_lrs.portal.authenticator import TOTP_PURPOSE
from tests.portal.conftest import (
    PASSWORD,
    UserFactory,
    csrf,
    error_summary,
    next_code,
    sign_in,
    submit,
)


def test_the_first_sign_in_sets_up_the_authenticator_and_shows_recovery_codes_once(
    client: TestClient, make_user: UserFactory, db: Database
) -> None:
    user = make_user()
    r = submit(client, "/sign-in", {"email": user.email.upper(), "password": PASSWORD})
    assert r.url.path == "/sign-in/set-up-authenticator"
    secret = re.search(r'id="totp-secret">([^<]+)<', r.text).group(1).replace(" ", "")  # type: ignore[union-attr]
    assert f"otpauth://totp/Open%20LRS:{user.email.replace('@', '%40')}" in r.text
    assert user.secret() is None  # kept only once a code from the app is confirmed
    r = client.post(
        "/sign-in/set-up-authenticator",
        data={"csrf_token": csrf(r.text), "code": "000000"},
    )
    assert error_summary(r.text) == ["The code is not right: enter the code your app shows now"]
    r = client.post(
        "/sign-in/set-up-authenticator",
        data={"csrf_token": csrf(r.text), "code": pyotp.TOTP(secret).now()},
    )
    codes = re.findall(r"<li><code>([a-z0-9-]{19})</code></li>", r.text)
    assert len(codes) == 10
    assert user.secret() == secret
    sealed = user.stored_secret()
    assert sealed is not None
    assert secret not in sealed  # sealed at rest, under a key derived from LRS_SECRET_KEY
    with pytest.raises(sealing.SealBroken):
        sealing.unseal(sealed, "another-secret-key-that-is-long-enough", TOTP_PURPOSE)
    with db.unit_of_work() as uow:
        stored = uow.session.scalar(
            select(User.recovery_code_digests).where(User.email == user.email)
        )
    assert stored is not None
    assert len(stored) == 10
    assert not set(codes) & set(stored)
    assert client.get("/find").url.path == "/find"


def test_later_sign_ins_need_a_code_which_works_once(
    client: TestClient, make_user: UserFactory
) -> None:
    user = make_user()
    sign_in(client, user)
    submit(client, "/sign-out", {}, page="/")
    secret = user.secret()
    assert secret
    code = next_code(secret)
    r = submit(client, "/sign-in", {"email": user.email, "password": PASSWORD})
    assert r.url.path == "/sign-in/code"
    assert client.get("/find").url.path == "/sign-in/code"  # not signed in yet
    r = client.post("/sign-in/code", data={"csrf_token": csrf(r.text), "code": code})
    assert r.url.path == "/"
    submit(client, "/sign-out", {}, page="/")
    r = submit(client, "/sign-in", {"email": user.email, "password": PASSWORD})
    r = client.post("/sign-in/code", data={"csrf_token": csrf(r.text), "code": code})
    assert r.status_code == 400
    assert error_summary(r.text) == ["The code is not right: enter the code your app shows now"]


def test_a_secret_stored_before_sealing_still_works_and_is_sealed_when_used(
    client: TestClient, make_user: UserFactory, db: Database
) -> None:
    user = make_user()
    sign_in(client, user)  # sets up the authenticator
    plain = user.secret()
    assert plain
    with db.unit_of_work() as uow:  # as a release before sealing stored it
        uow.session.execute(update(User).where(User.email == user.email).values(totp_secret=plain))
        uow.commit()
    client.cookies.clear()
    sign_in(client, user)
    assert client.get("/find").url.path == "/find"
    resealed = user.stored_secret()
    assert resealed is not None
    assert sealing.is_sealed(resealed)
    assert user.secret() == plain


def test_a_secret_sealed_under_another_key_refuses_codes_and_says_so_in_the_log(
    client: TestClient, make_user: UserFactory, db: Database, capfd: pytest.CaptureFixture[str]
) -> None:
    user = make_user()
    sign_in(client, user)
    plain = user.secret()
    assert plain
    other = sealing.seal(plain, "another-secret-key-that-is-long-enough", TOTP_PURPOSE)
    with db.unit_of_work() as uow:
        uow.session.execute(update(User).where(User.email == user.email).values(totp_secret=other))
        uow.commit()
    client.cookies.clear()
    r = submit(client, "/sign-in", {"email": user.email, "password": PASSWORD})
    r = client.post("/sign-in/code", data={"csrf_token": csrf(r.text), "code": next_code(plain)})
    assert error_summary(r.text) == ["The code is not right: enter the code your app shows now"]
    assert "totp_secret_unreadable" in capfd.readouterr().err


def test_wrong_details_get_one_message_whether_or_not_the_user_exists(
    client: TestClient, make_user: UserFactory
) -> None:
    user = make_user()
    wrong = submit(client, "/sign-in", {"email": user.email, "password": "not it at all"})
    unknown = submit(client, "/sign-in", {"email": "nobody@example.org", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 400
    assert error_summary(wrong.text) == error_summary(unknown.text)
    assert error_summary(wrong.text) == ["Enter a correct email address and password"]
    empty = submit(client, "/sign-in", {"email": "", "password": ""})
    assert error_summary(empty.text) == ["Enter your email address", "Enter your password"]


def test_five_failures_lock_the_user_out_for_fifteen_minutes(
    client: TestClient, make_user: UserFactory, db: Database
) -> None:
    user = make_user()
    for _ in range(4):
        r = submit(client, "/sign-in", {"email": user.email, "password": "wrong password!"})
        assert r.status_code == 400
    r = submit(client, "/sign-in", {"email": user.email, "password": "wrong password!"})
    assert r.status_code == 429
    assert "You entered the wrong details too many times" in r.text
    assert "you cannot sign in for 15 minutes" in r.text
    # Locked: even the right password does not open a session now.
    r = submit(client, "/sign-in", {"email": user.email, "password": PASSWORD})
    assert r.status_code == 429
    with db.unit_of_work() as uow:
        uow.session.execute(
            update(User)
            .where(User.email == user.email)
            .values(locked_until=utcnow() - timedelta(seconds=1))
        )
        uow.commit()
    sign_in(client, user)


def test_wrong_codes_count_towards_the_lock_out(client: TestClient, make_user: UserFactory) -> None:
    user = make_user()
    sign_in(client, user)
    submit(client, "/sign-out", {}, page="/")
    r = submit(client, "/sign-in", {"email": user.email, "password": PASSWORD})
    for attempt in range(5):
        r = client.post("/sign-in/code", data={"csrf_token": csrf(r.text), "code": "123456"})
        if attempt < 4:
            assert r.status_code == 400
    assert r.status_code == 429
    assert client.get("/sign-in/code").url.path == "/sign-in"  # the half-open session is gone


def test_a_recovery_code_signs_in_once(client: TestClient, make_user: UserFactory) -> None:
    user = make_user()
    r = submit(client, "/sign-in", {"email": user.email, "password": PASSWORD})
    secret = re.search(r'id="totp-secret">([^<]+)<', r.text).group(1).replace(" ", "")  # type: ignore[union-attr]
    r = client.post(
        "/sign-in/set-up-authenticator",
        data={"csrf_token": csrf(r.text), "code": pyotp.TOTP(secret).now()},
    )
    code = re.findall(r"<li><code>([a-z0-9-]{19})</code></li>", r.text)[3]
    submit(client, "/sign-out", {}, page="/")
    submit(client, "/sign-in", {"email": user.email, "password": PASSWORD})
    r = submit(client, "/sign-in/recovery-code", {"code": code.upper()})
    assert "You have 9 recovery codes left" in r.text
    assert client.get("/find").url.path == "/find"
    submit(client, "/sign-out", {}, page="/")
    submit(client, "/sign-in", {"email": user.email, "password": PASSWORD})
    r = submit(client, "/sign-in/recovery-code", {"code": code})
    assert error_summary(r.text) == ["The recovery code is not right"]


def test_a_one_time_password_must_be_replaced(client: TestClient, make_user: UserFactory) -> None:
    user = make_user(change_required=True)
    r = submit(client, "/sign-in", {"email": user.email, "password": PASSWORD})
    assert r.url.path == "/sign-in/new-password"
    assert client.get("/find").url.path == "/sign-in/new-password"
    r = client.post(
        "/sign-in/new-password",
        data={"csrf_token": csrf(r.text), "password": "short", "confirm_password": "short"},
    )
    assert error_summary(r.text) == ["Password must be at least 12 characters"]
    new = "a much longer pass phrase"
    r = client.post(
        "/sign-in/new-password",
        data={"csrf_token": csrf(r.text), "password": new, "confirm_password": new},
    )
    assert r.url.path == "/sign-in/set-up-authenticator"


def test_sessions_end_after_the_idle_limit(
    client: TestClient, make_user: UserFactory, db: Database
) -> None:
    user = make_user()
    sign_in(client, user)
    assert client.get("/find").url.path == "/find"
    token = client.cookies.get("lrs_session")
    assert token
    with db.unit_of_work() as uow:
        uow.session.execute(
            update(PortalSession)
            .where(PortalSession.token_digest == token_digest(token))
            .values(last_seen_at=utcnow() - timedelta(minutes=31))
        )
        uow.commit()
    assert client.get("/find").url.path == "/sign-in"
    with db.unit_of_work() as uow:
        gone = uow.session.scalar(
            select(PortalSession.id).where(PortalSession.token_digest == token_digest(token))
        )
    assert gone is None


def test_sessions_left_idle_are_swept_when_someone_signs_in(
    client: TestClient, make_user: UserFactory, db: Database
) -> None:
    """A browser that never comes back leaves no session behind for long."""
    left, fresh = make_user(), make_user()
    sign_in(client, left)
    abandoned = client.cookies.get("lrs_session")
    assert abandoned
    with db.unit_of_work() as uow:
        uow.session.execute(
            update(PortalSession)
            .where(PortalSession.token_digest == token_digest(abandoned))
            .values(last_seen_at=utcnow() - timedelta(minutes=31))
        )
        uow.commit()
    client.cookies.clear()
    submit(client, "/sign-in", {"email": fresh.email, "password": PASSWORD})
    with db.unit_of_work() as uow:
        digests = set(uow.session.scalars(select(PortalSession.token_digest)))
    assert token_digest(abandoned) not in digests
    assert token_digest(client.cookies["lrs_session"]) in digests  # the new one is kept


def test_the_session_cookie_is_a_random_token_stored_only_as_a_digest(
    client: TestClient, make_user: UserFactory, db: Database
) -> None:
    user = make_user()
    r = submit(client, "/sign-in", {"email": user.email, "password": PASSWORD})
    first = client.cookies.get("lrs_session")
    assert first
    set_cookie = r.history[0].headers["set-cookie"]
    assert "HttpOnly" in set_cookie
    assert "SameSite=lax" in set_cookie
    secret = re.search(r'id="totp-secret">([^<]+)<', r.text).group(1).replace(" ", "")  # type: ignore[union-attr]
    client.post(
        "/sign-in/set-up-authenticator",
        data={"csrf_token": csrf(r.text), "code": pyotp.TOTP(secret).now()},
    )
    second = client.cookies.get("lrs_session")
    assert second
    assert second != first
    with db.unit_of_work() as uow:
        digests = set(uow.session.scalars(select(PortalSession.token_digest)))
    assert token_digest(second) in digests
    assert first not in digests
    assert second not in digests
    assert token_digest(first) not in digests


def test_every_form_needs_its_csrf_token(client: TestClient, make_user: UserFactory) -> None:
    user = make_user()
    r = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert r.status_code == 400
    assert "Your form has expired" in r.text
    sign_in(client, user)
    for path in ("/find/uln", "/find/details", "/verify", "/register", "/sign-out"):
        r = client.post(path, data={"csrf_token": "forged", "uln": "1234567899"})
        assert r.status_code == 400, path
        assert "Your form has expired" in r.text
    # A token from another browser's session is no good either.
    assert client.get("/find").url.path == "/find"


def test_signing_out_ends_the_session(client: TestClient, make_user: UserFactory) -> None:
    user = make_user()
    sign_in(client, user)
    token = client.cookies.get("lrs_session")
    r = submit(client, "/sign-out", {}, page="/")
    assert "You have signed out" in r.text
    client.cookies.set("lrs_session", token or "")
    assert client.get("/find").url.path == "/sign-in"


def test_sign_ins_refusals_and_sign_outs_are_in_the_audit_log(
    client: TestClient, make_user: UserFactory, db: Database
) -> None:
    user = make_user()
    submit(client, "/sign-in", {"email": user.email, "password": "wrong password!"})
    submit(client, "/sign-in", {"email": "nobody@example.org", "password": "wrong password!"})
    sign_in(client, user)
    submit(client, "/sign-out", {}, page="/")
    with db.unit_of_work() as uow:
        org_id = uow.session.scalar(select(User.organisation_id).where(User.email == user.email))
        mine = uow.session.execute(
            select(AuditEvent.action, AuditEvent.outcome, AuditEvent.user_label)
            .where(AuditEvent.organisation_id == org_id)
            .order_by(AuditEvent.id)
        ).all()
        unknown = uow.session.execute(
            select(AuditEvent.organisation_id, AuditEvent.details).where(
                AuditEvent.outcome == "unknown_user"
            )
        ).all()
    assert [(a, o) for a, o, _ in mine] == [
        ("portal.sign_in", "wrong_password"),
        ("portal.sign_in", "signed_in_authenticator_set_up"),
        ("portal.sign_out", "signed_out"),
    ]
    assert {label for _, _, label in mine} == {"Person 1"}
    # Nothing of what was typed is kept: no organisation, no email address.
    assert unknown == [(None, {})]
