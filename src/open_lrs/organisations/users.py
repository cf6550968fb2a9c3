"""The people of an organisation who sign in to the portal: adding them and their roles."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from open_lrs.core.db import UnitOfWork
from open_lrs.core.errors import AlreadyExists, FieldError, ValidationFailed
from open_lrs.core.security import hash_password
from open_lrs.organisations.models import User
from open_lrs.organisations.permissions import Role
from open_lrs.organisations.service import org_by_ukprn

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256


@dataclass(frozen=True)
class UserInfo:
    id: int
    ukprn: str
    email: str
    display_name: str
    role: str
    password_change_required: bool


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


def _validate(email: str, display_name: str, role: str, password: str) -> list[FieldError]:
    errors = []
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        errors.append(FieldError("email", "must be an email address such as name@example.org"))
    if not display_name.strip() or len(display_name) > 200:
        errors.append(FieldError("display_name", "must be 1 to 200 characters"))
    if role not in {r.value for r in Role}:
        errors.append(FieldError("role", "must be one of " + ", ".join(r.value for r in Role)))
    if problem := password_problem(password):
        errors.append(FieldError("password", problem))
    return errors


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
    that the user replaces at first sign-in. The password is stored only as an Argon2 hash."""
    email = normalise_email(email)
    if errors := _validate(email, display_name, role, password):
        raise ValidationFailed("The user has invalid fields", errors=errors)
    with uow:
        org = org_by_ukprn(uow, ukprn)
        taken = uow.session.scalar(select(User.id).where(func.lower(User.email) == email))
        if taken is not None:
            raise AlreadyExists(f"A user with the email address {email} already exists")
        user = User(
            organisation_id=org.id,
            email=email,
            display_name=display_name.strip(),
            role=role,
            password_hash=hash_password(password),
            password_change_required=change_required,
            failed_sign_in_attempts=0,
        )
        uow.session.add(user)
        uow.flush()
        info = UserInfo(user.id, org.ukprn, email, user.display_name, role, change_required)
        uow.commit()
        return info
