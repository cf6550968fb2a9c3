"""Signing in to the portal: password, lock-out, authenticator codes, recovery codes, sessions.

A sign-in is a server-side session that moves through stages (organisations.sessions): the
password opens one at its first stage; a one-time password must be replaced; the authenticator
is set up at the first sign-in (its secret kept only once a code from it is confirmed, with ten
recovery codes shown once); then each sign-in needs a code. Only a session at SIGNED_IN reaches
the learner screens. The browser holds a random token; the table holds its SHA-256 digest. The
token is replaced whenever the session gains a stage, so a token seen before sign-in is
worthless after it.

Failed passwords and codes count together; after ``portal_lockout_attempts`` in a row the user
is locked out for ``portal_lockout_minutes`` (the count restarts after a complete sign-in).
The codes themselves are ``authenticator``'s.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NoReturn

import pyotp
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from open_lrs.audit import service as audit
from open_lrs.core import sealing
from open_lrs.core.clock import utcnow
from open_lrs.core.db import UnitOfWork
from open_lrs.core.errors import Forbidden
from open_lrs.core.logging import get_logger
from open_lrs.core.security import Actor, hash_password, verify_password
from open_lrs.core.settings import Settings
from open_lrs.organisations.models import Organisation, User
from open_lrs.organisations.sessions import (
    CHANGE_PASSWORD,
    SECOND_FACTOR,
    SET_UP_TOTP,
    SIGNED_IN,
    PortalSession,
)
from open_lrs.organisations.users import normalise_email
from open_lrs.portal.authenticator import (
    matching_step,
    new_recovery_codes,
    recovery_digest,
    seal_totp_secret,
    unseal_totp_secret,
)

log = get_logger("open_lrs.portal")
# Audit log actions (not permissions): every sign-in, refusal, lock-out and sign-out is recorded
# with the user and their organisation; never the email address typed or any secret.
SIGN_IN, SIGN_OUT = "portal.sign_in", "portal.sign_out"
# Writing last_seen_at on every request would make every page a write; once a minute is
# precise enough for an idle limit counted in minutes.
LAST_SEEN_GRANULARITY = timedelta(minutes=1)
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


class SignInRefused(Exception):
    """The details were wrong (which one is not said), or the user is locked out."""

    def __init__(self, *, locked_until: datetime | None = None) -> None:
        super().__init__("sign-in refused")
        self.locked_until = locked_until


class OneTimePasswordExpired(Forbidden):
    """The password was right, but it was a one-time one that has expired: only an
    administrator can help, so the user is told so (and it does not count as a failure)."""

    def __init__(self) -> None:
        super().__init__(
            "This one-time password has expired: ask an administrator of your organisation "
            "for a new one"
        )


@dataclass(frozen=True)
class SessionView:
    """What a request knows about its signed-in (or signing-in) user."""

    id: int
    stage: str
    user_id: int
    email: str
    display_name: str
    role: str
    organisation_name: str
    actor: Actor
    data: dict[str, Any]


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def _stage_after_password(user: User) -> str:
    if user.password_change_required:
        return CHANGE_PASSWORD
    if user.totp_secret is None:
        return SET_UP_TOTP
    return SECOND_FACTOR


def actor_of(user: User, org: Organisation) -> Actor:
    """The person acting for their organisation, with their role, as every service sees them."""
    return Actor(
        organisation_id=org.id,
        organisation_kind=org.kind,
        ukprn=org.ukprn,
        user_id=user.id,
        user_label=user.display_name,
        role=user.role,
    )


def _audit(s: Session, user: User, action: str, outcome: str) -> None:
    org = s.get(Organisation, user.organisation_id)
    assert org is not None
    audit.record(s, actor_of(user, org), action, outcome=outcome)


def _fail(s: Session, user: User, settings: Settings, now: datetime, what: str) -> SignInRefused:
    """Count a wrong password or code (``what``), locking the user out at the limit."""
    user.failed_sign_in_attempts += 1
    if user.failed_sign_in_attempts >= settings.portal_lockout_attempts:
        user.failed_sign_in_attempts = 0
        user.locked_until = now + timedelta(minutes=settings.portal_lockout_minutes)
        _audit(s, user, SIGN_IN, "locked_out")
        return SignInRefused(locked_until=user.locked_until)
    _audit(s, user, SIGN_IN, f"wrong_{what}")
    return SignInRefused()


def _locked(user: User, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def _one_time_password_expired(user: User, now: datetime) -> bool:
    expires = user.password_expires_at
    return user.password_change_required and expires is not None and expires <= now


def start(uow: UnitOfWork, settings: Settings, email: str, password: str) -> tuple[str, str]:
    """Check the email address and password; open a session at its first stage. Returns the
    new session's token and stage, or raises SignInRefused (the same for an unknown address, a
    wrong password, an inactive user or organisation), or OneTimePasswordExpired once the
    password is known to be right."""
    now = utcnow()
    with uow:
        found = uow.session.execute(
            select(User, Organisation)
            .join(Organisation, Organisation.id == User.organisation_id)
            .where(User.email == normalise_email(email))
        ).first()
        if found is None or found[0].password_hash is None:
            verify_password(password, _DUMMY_HASH)  # answer as slowly as for a real user
            audit.record(uow.session, None, SIGN_IN, outcome="unknown_user")
            uow.commit()
            raise SignInRefused()
        user, org = found
        if _locked(user, now):
            _audit(uow.session, user, SIGN_IN, "refused_while_locked")
            uow.commit()
            raise SignInRefused(locked_until=user.locked_until)
        assert user.password_hash is not None
        if not verify_password(password, user.password_hash) or not (user.active and org.active):
            refused = _fail(uow.session, user, settings, now, "password")
            uow.commit()
            raise refused
        if _one_time_password_expired(user, now):
            _audit(uow.session, user, SIGN_IN, "one_time_password_expired")
            uow.commit()
            raise OneTimePasswordExpired()
        token = new_token()
        stage = _stage_after_password(user)
        _sweep(uow.session, settings, now)
        uow.session.add(
            PortalSession(
                token_digest=token_digest(token),
                user_id=user.id,
                stage=stage,
                created_at=now,
                last_seen_at=now,
                data={},
            )
        )
        uow.commit()
        return token, stage


def _sweep(s: Session, settings: Settings, now: datetime) -> None:
    """Delete every session idle past the limit: those whose browsers never came back (a
    session found expired when its cookie returns is deleted then). Done as each new session
    starts, so the table holds only sessions that are still usable."""
    idle = timedelta(minutes=settings.portal_session_idle_minutes)
    s.execute(delete(PortalSession).where(PortalSession.last_seen_at < now - idle))


def load(uow: UnitOfWork, settings: Settings, token: str) -> SessionView | None:
    """The session behind a cookie's token, or None when there is none or it has expired
    (an expired session is deleted). Touches last_seen_at at most once a minute."""
    now = utcnow()
    with uow:
        found = uow.session.execute(
            select(PortalSession, User, Organisation)
            .join(User, User.id == PortalSession.user_id)
            .join(Organisation, Organisation.id == User.organisation_id)
            .where(PortalSession.token_digest == token_digest(token))
        ).first()
        if found is None:
            return None
        row, user, org = found
        idle = timedelta(minutes=settings.portal_session_idle_minutes)
        if now - row.last_seen_at > idle or not (user.active and org.active):
            uow.session.delete(row)
            uow.commit()
            return None
        if now - row.last_seen_at > LAST_SEEN_GRANULARITY:
            row.last_seen_at = now
            uow.commit()
        actor = actor_of(user, org)
        return SessionView(
            id=row.id,
            stage=row.stage,
            user_id=user.id,
            email=user.email,
            display_name=user.display_name,
            role=user.role,
            organisation_name=org.name,
            actor=actor,
            data=dict(row.data or {}),
        )


def _session_and_user(uow: UnitOfWork, session_id: int) -> tuple[PortalSession, User]:
    row = uow.session.get(PortalSession, session_id)
    if row is None:
        raise SignInRefused()
    user = uow.session.get(User, row.user_id)
    assert user is not None
    return row, user


def _advance(row: PortalSession, stage: str) -> str:
    """Move the session on and give it a new token (the old one stops working)."""
    token = new_token()
    row.stage = stage
    row.token_digest = token_digest(token)
    row.last_seen_at = utcnow()
    return token


def change_password(uow: UnitOfWork, session_id: int, password: str) -> tuple[str, str]:
    """Replace a one-time password (already checked by organisations.users.password_problem)."""
    with uow:
        row, user = _session_and_user(uow, session_id)
        if row.stage != CHANGE_PASSWORD:
            raise SignInRefused()
        user.password_hash = hash_password(password)
        user.password_change_required = False
        user.password_expires_at = None
        stage = _stage_after_password(user)
        token = _advance(row, stage)
        uow.commit()
        return token, stage


def pending_totp_secret(uow: UnitOfWork, settings: Settings, session_id: int) -> str:
    """The secret being set up in this session (made on first asking, kept sealed in the
    session)."""
    with uow:
        row, _ = _session_and_user(uow, session_id)
        if row.stage != SET_UP_TOTP:
            raise SignInRefused()
        sealed = (row.data or {}).get("pending_totp")
        if isinstance(sealed, str):
            return unseal_totp_secret(settings, sealed)
        secret = pyotp.random_base32()
        row.data = {**(row.data or {}), "pending_totp": seal_totp_secret(settings, secret)}
        uow.commit()
        return secret


def _signed_in(s: Session, row: PortalSession, user: User, how: str) -> str:
    _audit(s, user, SIGN_IN, how)
    user.failed_sign_in_attempts = 0
    user.locked_until = None
    user.last_sign_in_at = utcnow()
    row.data = {}
    return _advance(row, SIGNED_IN)


def _refuse_code(uow: UnitOfWork, row: PortalSession, user: User, settings: Settings) -> NoReturn:
    refused = _fail(uow.session, user, settings, utcnow(), "code")
    if refused.locked_until is not None:
        uow.session.delete(row)  # locked out: start again with the password, later
    uow.commit()
    raise refused


def confirm_totp(
    uow: UnitOfWork, settings: Settings, session_id: int, code: str
) -> tuple[str, list[str]]:
    """Keep the authenticator once a code from it is right; returns the session's new token
    and the recovery codes, which are shown this once and kept only as digests."""
    with uow:
        row, user = _session_and_user(uow, session_id)
        sealed = (row.data or {}).get("pending_totp")
        if row.stage != SET_UP_TOTP or not isinstance(sealed, str):
            raise SignInRefused()
        secret = unseal_totp_secret(settings, sealed)
        step = matching_step(secret, code, None)
        if step is None:
            _refuse_code(uow, row, user, settings)
        codes = new_recovery_codes()
        user.totp_secret = seal_totp_secret(settings, secret)
        user.totp_last_step = step
        user.recovery_code_digests = [recovery_digest(c) for c in codes]
        token = _signed_in(uow.session, row, user, "signed_in_authenticator_set_up")
        uow.commit()
        return token, codes


def second_factor(uow: UnitOfWork, settings: Settings, session_id: int, code: str) -> str:
    """Finish signing in with a code from the authenticator app."""
    with uow:
        row, user = _session_and_user(uow, session_id)
        if row.stage != SECOND_FACTOR or user.totp_secret is None or _locked(user, utcnow()):
            raise SignInRefused(locked_until=user.locked_until)
        try:
            secret = unseal_totp_secret(settings, user.totp_secret)
        except sealing.SealBroken:
            # Sealed under another LRS_SECRET_KEY: no code can be checked until an
            # administrator resets the user's sign-in. Said in the log, not to the visitor.
            log.error("totp_secret_unreadable", user_id=user.id)
            raise SignInRefused() from None
        step = matching_step(secret, code, user.totp_last_step)
        if step is None:
            _refuse_code(uow, row, user, settings)
        if not sealing.is_sealed(user.totp_secret):  # stored before secrets were sealed
            user.totp_secret = seal_totp_secret(settings, secret)
        user.totp_last_step = step
        token = _signed_in(uow.session, row, user, "signed_in")
        uow.commit()
        return token


def use_recovery_code(
    uow: UnitOfWork, settings: Settings, session_id: int, code: str
) -> tuple[str, int]:
    """Finish signing in with a recovery code, which then stops working. Returns the new
    token and how many codes are left."""
    with uow:
        row, user = _session_and_user(uow, session_id)
        if row.stage != SECOND_FACTOR or _locked(user, utcnow()):
            raise SignInRefused(locked_until=user.locked_until)
        digests = list(user.recovery_code_digests or [])
        wanted = recovery_digest(code)
        match = next((d for d in digests if hmac.compare_digest(d, wanted)), None)
        if match is None:
            _refuse_code(uow, row, user, settings)
        digests.remove(match)
        user.recovery_code_digests = digests
        token = _signed_in(uow.session, row, user, "signed_in_recovery_code")
        uow.commit()
        return token, len(digests)


def set_data(uow: UnitOfWork, session_id: int, data: dict[str, Any]) -> None:
    """Keep a journey's answers in the session (replacing what was there)."""
    with uow:
        row = uow.session.get(PortalSession, session_id)
        if row is not None:
            row.data = data
            uow.commit()


def sign_out(uow: UnitOfWork, token: str) -> None:
    with uow:
        row = uow.session.scalar(
            select(PortalSession).where(PortalSession.token_digest == token_digest(token))
        )
        if row is not None:
            user = uow.session.get(User, row.user_id)
            if user is not None:
                _audit(uow.session, user, SIGN_OUT, "signed_out")
            uow.session.execute(delete(PortalSession).where(PortalSession.id == row.id))
        uow.commit()
