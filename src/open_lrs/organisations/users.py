"""The people of an organisation who sign in to the portal: adding them, their roles, and what
their organisation's administrators may change about them.

An administrator looks after their own organisation's people only: a user of another
organisation is as unknown as no user. They cannot demote, deactivate or reset themselves, and
an organisation always keeps at least one active administrator, so that no one can lock their
organisation out of its own portal. One-time passwords expire, so that one lying in an email
or on a note stops being a way in.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, func, select

from open_lrs.audit import service as audit
from open_lrs.core.clock import utcnow
from open_lrs.core.db import UnitOfWork
from open_lrs.core.errors import AlreadyExists, Conflict, FieldError, NotFound, ValidationFailed
from open_lrs.core.security import Actor, hash_password
from open_lrs.organisations.models import Organisation, User
from open_lrs.organisations.permissions import Action, Role, require
from open_lrs.organisations.service import org_by_ukprn
from open_lrs.organisations.sessions import PortalSession

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
ONE_TIME_PASSWORD_LIFETIME = timedelta(days=7)

SELF_ROLE = "You cannot change your own role: ask another administrator of your organisation"
SELF_DEACTIVATE = "You cannot deactivate yourself: ask another administrator of your organisation"
SELF_RESET = "You cannot reset your own sign-in: ask another administrator of your organisation"
LAST_ADMIN = (
    "Your organisation must keep at least one active administrator: make someone else an "
    "administrator first"
)


@dataclass(frozen=True)
class UserInfo:
    id: int
    ukprn: str
    email: str
    display_name: str
    role: str
    password_change_required: bool
    password_expires_at: datetime | None = None


@dataclass(frozen=True)
class UserSummary:
    """What an administrator sees of a user: never a password, secret or code."""

    id: int
    email: str
    display_name: str
    role: str
    active: bool
    authenticator_set_up: bool
    last_sign_in_at: datetime | None
    created_at: datetime
    password_change_required: bool
    password_expires_at: datetime | None

    @property
    def one_time_password_expired(self) -> bool:
        return (
            self.password_change_required
            and self.password_expires_at is not None
            and self.password_expires_at <= utcnow()
        )


@dataclass(frozen=True)
class IssuedPassword:
    """A one-time password for an administrator to pass on: returned this once, kept only as
    a hash."""

    user: UserSummary
    password: str
    expires_at: datetime


def normalise_email(email: str) -> str:
    """The form we store and look up: trimmed and lower case (addresses are matched so)."""
    return email.strip().lower()


def password_problem(password: str) -> str | None:
    """Why a password cannot be used, in words that follow "Password", or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"must be at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"must be at most {MAX_PASSWORD_LENGTH} characters"
    if not password.strip():
        return "must not be only spaces"
    return None


def one_time_password() -> str:
    """A password for an operator to pass on; the user must choose their own at first sign-in."""
    return "-".join(secrets.token_urlsafe(6) for _ in range(3))


def _role_problem(role: str) -> FieldError | None:
    if role not in {r.value for r in Role}:
        return FieldError("role", "must be one of " + ", ".join(r.value for r in Role))
    return None


def _validate(email: str, display_name: str, role: str, password: str) -> list[FieldError]:
    errors = []
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        errors.append(FieldError("email", "must be an email address such as name@example.org"))
    if not display_name.strip() or len(display_name) > 200:
        errors.append(FieldError("display_name", "must be 1 to 200 characters"))
    if role_error := _role_problem(role):
        errors.append(role_error)
    if problem := password_problem(password):
        errors.append(FieldError("password", problem))
    return errors


def _insert_user(
    uow: UnitOfWork,
    org: Organisation,
    *,
    email: str,
    display_name: str,
    role: str,
    password: str,
    change_required: bool,
) -> User:
    taken = uow.session.scalar(select(User.id).where(func.lower(User.email) == email))
    if taken is not None:
        raise AlreadyExists(
            f"A user with the email address {email} already exists",
            errors=[FieldError("email", "is already used by someone who signs in to Open LRS")],
        )
    user = User(
        organisation_id=org.id,
        email=email,
        display_name=display_name.strip(),
        role=role,
        password_hash=hash_password(password),
        password_change_required=change_required,
        password_expires_at=utcnow() + ONE_TIME_PASSWORD_LIFETIME if change_required else None,
        failed_sign_in_attempts=0,
    )
    uow.session.add(user)
    uow.flush()
    return user


def add_user(
    uow: UnitOfWork,
    *,
    ukprn: str,
    email: str,
    display_name: str,
    role: str,
    password: str,
    change_required: bool,
) -> UserInfo:
    """Add a user to an organisation. With ``change_required`` the password is a one-time one
    that the user replaces at first sign-in, within ONE_TIME_PASSWORD_LIFETIME. The password is
    stored only as an Argon2 hash."""
    email = normalise_email(email)
    if errors := _validate(email, display_name, role, password):
        raise ValidationFailed("The user has invalid fields", errors=errors)
    with uow:
        org = org_by_ukprn(uow, ukprn)
        user = _insert_user(
            uow,
            org,
            email=email,
            display_name=display_name,
            role=role,
            password=password,
            change_required=change_required,
        )
        info = UserInfo(
            user.id,
            org.ukprn,
            email,
            user.display_name,
            role,
            change_required,
            user.password_expires_at,
        )
        uow.commit()
        return info


# An administrator's changes to their organisation's users. Each checks the permission, works
# within the actor's organisation only, and is audited (user ids and roles, never an address
# or a password).


def _summary(user: User) -> UserSummary:
    return UserSummary(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        role=user.role,
        active=user.active,
        authenticator_set_up=user.totp_secret is not None,
        last_sign_in_at=user.last_sign_in_at,
        created_at=user.created_at,
        password_change_required=user.password_change_required,
        password_expires_at=user.password_expires_at,
    )


def _audit(uow: UnitOfWork, actor: Actor, outcome: str, **details: int | str) -> None:
    audit.record(uow.session, actor, Action.USERS_MANAGE, outcome=outcome, details=details)


def _org_of(uow: UnitOfWork, actor: Actor, *, lock: bool = False) -> Organisation:
    """The actor's organisation; ``lock`` serialises changes to its administrators, so two
    administrators demoting each other at once cannot leave it with none."""
    query = select(Organisation).where(Organisation.id == actor.organisation_id)
    org = uow.session.scalar(query.with_for_update() if lock else query)
    if org is None:
        raise NotFound("Your organisation no longer exists")
    return org


def _user_of(uow: UnitOfWork, org: Organisation, user_id: int) -> User:
    user = uow.session.scalar(
        select(User).where(User.id == user_id, User.organisation_id == org.id)
    )
    if user is None:
        raise NotFound(f"Your organisation has no user {user_id}")
    return user


def _keep_an_administrator(uow: UnitOfWork, org: Organisation, user: User, field: str) -> None:
    """Refuse to take away ``user``'s administration when no other active one would be left."""
    if not (user.active and user.role == Role.ADMIN):
        return
    others = uow.session.scalar(
        select(func.count(User.id)).where(
            User.organisation_id == org.id,
            User.role == Role.ADMIN.value,
            User.active.is_(True),
            User.id != user.id,
        )
    )
    if not others:
        raise Conflict(LAST_ADMIN, errors=[FieldError(field, LAST_ADMIN)])


def _end_sessions(uow: UnitOfWork, user: User) -> None:
    uow.session.execute(delete(PortalSession).where(PortalSession.user_id == user.id))


def list_users(uow: UnitOfWork, actor: Actor) -> list[UserSummary]:
    """The actor's organisation's users, by name."""
    require(actor, Action.USERS_MANAGE)
    with uow:
        org = _org_of(uow, actor)
        rows = uow.session.scalars(
            select(User)
            .where(User.organisation_id == org.id)
            .order_by(func.lower(User.display_name), User.id)
        )
        found = [_summary(u) for u in rows]
        _audit(uow, actor, "listed")
        uow.commit()
        return found


def read_user(uow: UnitOfWork, actor: Actor, user_id: int) -> UserSummary:
    require(actor, Action.USERS_MANAGE)
    with uow:
        summary = _summary(_user_of(uow, _org_of(uow, actor), user_id))
        _audit(uow, actor, "viewed", user_id=user_id)
        uow.commit()
        return summary


def invite_user(
    uow: UnitOfWork, actor: Actor, *, email: str, display_name: str, role: str
) -> IssuedPassword:
    """Add a user to the actor's organisation with a one-time password, returned once for the
    administrator to pass on. The user chooses their own password and sets up an authenticator
    app when they first sign in."""
    require(actor, Action.USERS_MANAGE)
    email = normalise_email(email)
    password = one_time_password()
    if errors := _validate(email, display_name, role, password):
        raise ValidationFailed("The user has invalid fields", errors=errors)
    with uow:
        user = _insert_user(
            uow,
            _org_of(uow, actor),
            email=email,
            display_name=display_name,
            role=role,
            password=password,
            change_required=True,
        )
        _audit(uow, actor, "invited", user_id=user.id, role=role)
        issued = _issued(user, password)
        uow.commit()
        return issued


def _issued(user: User, password: str) -> IssuedPassword:
    assert user.password_expires_at is not None
    return IssuedPassword(_summary(user), password, user.password_expires_at)


def change_role(uow: UnitOfWork, actor: Actor, user_id: int, role: str) -> UserSummary:
    require(actor, Action.USERS_MANAGE)
    if problem := _role_problem(role):
        raise ValidationFailed("The role is not one of the roles", errors=[problem])
    with uow:
        org = _org_of(uow, actor, lock=True)
        user = _user_of(uow, org, user_id)
        before = user.role
        if role != before:
            if user.id == actor.user_id:
                raise Conflict(SELF_ROLE, errors=[FieldError("role", SELF_ROLE)])
            if role != Role.ADMIN:
                _keep_an_administrator(uow, org, user, "role")
            user.role = role
        outcome = "role_changed" if role != before else "role_unchanged"
        _audit(uow, actor, outcome, user_id=user.id, before=before, after=role)
        summary = _summary(user)
        uow.commit()
        return summary


def set_active(uow: UnitOfWork, actor: Actor, user_id: int, active: bool) -> UserSummary:
    """Deactivate a user (their sessions end at once, and they cannot sign in), or reactivate
    them as they were."""
    require(actor, Action.USERS_MANAGE)
    with uow:
        org = _org_of(uow, actor, lock=True)
        user = _user_of(uow, org, user_id)
        if not active and user.active:
            if user.id == actor.user_id:
                raise Conflict(SELF_DEACTIVATE, errors=[FieldError("active", SELF_DEACTIVATE)])
            _keep_an_administrator(uow, org, user, "active")
            _end_sessions(uow, user)
        user.active = active
        _audit(uow, actor, "reactivated" if active else "deactivated", user_id=user.id)
        summary = _summary(user)
        uow.commit()
        return summary


def reset_sign_in(uow: UnitOfWork, actor: Actor, user_id: int) -> IssuedPassword:
    """For a user who lost their password or authenticator: a new one-time password (returned
    once), their authenticator and recovery codes forgotten, their sessions ended. They set up
    both again at their next sign-in."""
    require(actor, Action.USERS_MANAGE)
    with uow:
        user = _user_of(uow, _org_of(uow, actor), user_id)
        if user.id == actor.user_id:
            raise Conflict(SELF_RESET, errors=[FieldError("reset", SELF_RESET)])
        password = one_time_password()
        user.password_hash = hash_password(password)
        user.password_change_required = True
        user.password_expires_at = utcnow() + ONE_TIME_PASSWORD_LIFETIME
        user.totp_secret = None
        user.totp_last_step = None
        user.recovery_code_digests = None
        user.failed_sign_in_attempts = 0
        user.locked_until = None
        _end_sessions(uow, user)
        _audit(uow, actor, "sign_in_reset", user_id=user.id)
        issued = _issued(user, password)
        uow.commit()
        return issued
