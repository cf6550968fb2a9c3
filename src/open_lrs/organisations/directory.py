"""The service's operators' view of every organisation: list and read them, add one with its
first administrator, deactivate or reactivate one.

Only organisations of kind ``admin`` may (``organisation.manage``). Adding an organisation
reuses ``service.create_organisation`` and ``users.add_user`` in one transaction, so a refused
administrator leaves no organisation without one behind.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, or_, select

from open_lrs.audit import service as audit
from open_lrs.core.db import UnitOfWork
from open_lrs.core.errors import AlreadyExists, Conflict, FieldError, NotFound, ValidationFailed
from open_lrs.core.security import Actor
from open_lrs.organisations import service, users
from open_lrs.organisations.models import ApiKey, Organisation, User
from open_lrs.organisations.permissions import Action, Kind, Role, require

# Audit log actions (not permissions) of the operators' own changes.
ORGANISATION_CREATE = "organisation.create"
ORGANISATION_DEACTIVATE = "organisation.deactivate"
ORGANISATION_REACTIVATE = "organisation.reactivate"

# Actions recorded under names that are not permissions (grep for audit.record to add more).
_OTHER_AUDIT_ACTIONS = (
    "batch_exceptions.read",
    "feed_exceptions.read",
    "learner.history",
    "learner.unmerge",
    "portal.sign_in",
    "portal.sign_out",
    ORGANISATION_CREATE,
    ORGANISATION_DEACTIVATE,
    ORGANISATION_REACTIVATE,
)

# What each kind of organisation is, in words for the operator choosing one.
KIND_DESCRIPTIONS: dict[Kind, str] = {
    Kind.PROVIDER: "A college or training provider: registers learners, keeps their details up "
    "to date and sends its ILR returns.",
    Kind.SCHOOL: "A school: registers its pupils, keeps their details up to date and sends "
    "their results.",
    Kind.AWARDING_ORGANISATION: "An awarding organisation: finds candidates' ULNs and reads "
    "their details to confirm who they are, and sends their awards. It cannot register or "
    "change learners.",
    Kind.UNIVERSITY: "A university: checks the ULNs applicants give it and reads the records "
    "of those who agreed to share them. It never sees the register's copy of their details.",
    Kind.CAREERS_SERVICE: "A careers service: checks ULNs and reads the records of learners "
    "who agreed to share them, like a university.",
    Kind.ADMIN: "The service's operators: everything, including every organisation and the "
    "audit log. Choose this only for the people who run the service.",
}


@dataclass(frozen=True)
class OrganisationSummary:
    name: str
    ukprn: str
    kind: str
    active: bool
    created_at: datetime
    users: int
    active_keys: int


@dataclass(frozen=True)
class UserSummary:
    display_name: str
    email: str
    role: str
    active: bool
    last_sign_in_at: datetime | None


@dataclass(frozen=True)
class OrganisationDetail:
    organisation: OrganisationSummary
    users: list[UserSummary]


@dataclass(frozen=True)
class NewOrganisation:
    """What the operator is shown once: the first API key and the administrator's one-time
    password. Neither is stored (only their digest and hash are)."""

    name: str
    ukprn: str
    kind: str
    key_name: str
    api_key: str
    admin_email: str
    admin_name: str
    one_time_password: str
    password_expires_at: datetime | None


def organisation_kinds(actor: Actor) -> dict[Kind, str]:
    """The kinds an operator may give a new organisation, each with what it is for."""
    require(actor, Action.ORGANISATION_MANAGE)
    return dict(KIND_DESCRIPTIONS)


def audit_actions(actor: Actor) -> list[str]:
    """Every action the audit log records, for choosing one to filter by."""
    require(actor, Action.AUDIT_READ)
    return sorted({*(a.value for a in Action), *_OTHER_AUDIT_ACTIONS})


def _summaries() -> Select[Organisation, int, int]:
    user_count = (
        select(func.count(User.id))
        .where(User.organisation_id == Organisation.id)
        .correlate(Organisation)
        .scalar_subquery()
    )
    key_count = (
        select(func.count(ApiKey.id))
        .where(ApiKey.organisation_id == Organisation.id, ApiKey.revoked_at.is_(None))
        .correlate(Organisation)
        .scalar_subquery()
    )
    return select(Organisation, user_count, key_count)


def _summary(org: Organisation, user_count: int, key_count: int) -> OrganisationSummary:
    return OrganisationSummary(
        org.name, org.ukprn, org.kind, org.active, org.created_at, user_count, key_count
    )


def list_organisations(
    uow: UnitOfWork,
    actor: Actor,
    *,
    search: str | None = None,
    kind: str | None = None,
    limit: int | None = None,
) -> list[OrganisationSummary]:
    """Organisations by name, each with its number of users and of API keys not revoked.
    ``search`` matches part of the name (any case) or the start of the UKPRN."""
    require(actor, Action.ORGANISATION_MANAGE)
    if kind and kind not in {k.value for k in Kind}:
        raise ValidationFailed(
            "Unknown kind of organisation",
            errors=[FieldError("kind", "must be one of " + ", ".join(k.value for k in Kind))],
        )
    stmt = _summaries().order_by(Organisation.name, Organisation.ukprn)
    if search and search.strip():
        text = search.strip()
        stmt = stmt.where(
            or_(
                Organisation.name.icontains(text, autoescape=True),
                Organisation.ukprn.startswith(text, autoescape=True),
            )
        )
    if kind:
        stmt = stmt.where(Organisation.kind == kind)
    if limit is not None:
        stmt = stmt.limit(limit)
    with uow:
        uow.begin_read_only()
        return [
            _summary(org, n_users, n_keys) for org, n_users, n_keys in uow.session.execute(stmt)
        ]


def organisation_detail(uow: UnitOfWork, actor: Actor, ukprn: str) -> OrganisationDetail:
    """An organisation and its people (NotFound for a UKPRN that is no organisation's)."""
    require(actor, Action.ORGANISATION_MANAGE)
    with uow:
        uow.begin_read_only()
        found = uow.session.execute(_summaries().where(Organisation.ukprn == ukprn)).first()
        if found is None:
            raise NotFound(f"No organisation has UKPRN {ukprn}")
        org, n_users, n_keys = found
        people = uow.session.scalars(
            select(User).where(User.organisation_id == org.id).order_by(User.display_name, User.id)
        )
        return OrganisationDetail(
            _summary(org, n_users, n_keys),
            [
                UserSummary(u.display_name, u.email, u.role, u.active, u.last_sign_in_at)
                for u in people
            ],
        )


# The first administrator's fields, as add_user names them, and as this function does.
_ADMIN_FIELDS = {"email": "admin_email", "display_name": "admin_name"}


def _admin_errors(errors: Iterable[FieldError]) -> list[FieldError]:
    return [FieldError(_ADMIN_FIELDS.get(e.field, e.field), e.message, e.code) for e in errors]


def _new_organisation(
    uow: UnitOfWork, errors: list[FieldError], *, name: str, ukprn: str, kind: str
) -> service.CreatedKey | None:
    """The organisation and its first key, or None with its errors added to ``errors``."""
    try:
        return service.create_organisation(uow, name=name, ukprn=ukprn, kind=kind)
    except ValidationFailed as refused:
        errors.extend(refused.errors)
    except AlreadyExists as taken:
        errors.extend(
            taken.errors
            or [FieldError("ukprn", "is already used by another organisation", taken.code)]
        )
    return None


def _first_admin(
    uow: UnitOfWork,
    errors: list[FieldError],
    *,
    ukprn: str,
    email: str,
    name: str,
    password: str,
    organisation_made: bool,
) -> users.UserInfo | None:
    """The organisation's first administrator, or None with their errors added to
    ``errors`` (named as create_organisation_for names its fields)."""
    try:
        return users.add_user(
            uow,
            ukprn=ukprn,
            email=email,
            display_name=name,
            role=Role.ADMIN.value,
            password=password,
            change_required=True,
        )
    except ValidationFailed as refused:
        errors.extend(_admin_errors(refused.errors))
    except AlreadyExists as taken:
        errors.extend(
            _admin_errors(taken.errors)
            or [FieldError("admin_email", "is already used by another user", taken.code)]
        )
    except NotFound:
        if organisation_made:
            raise
        # no organisation to add them to: its own errors say why
    return None


def create_organisation_for(
    uow: UnitOfWork,
    actor: Actor,
    *,
    name: str,
    ukprn: str,
    kind: str,
    admin_email: str,
    admin_name: str,
) -> NewOrganisation:
    """Add an organisation, its first API key and its first administrator, who must choose
    their own password at first sign-in. Every field is checked, and the errors of all of them
    are raised together; nothing is created unless everything is."""
    require(actor, Action.ORGANISATION_MANAGE)
    password = users.one_time_password()
    errors: list[FieldError] = []
    with uow:
        created = _new_organisation(uow, errors, name=name, ukprn=ukprn, kind=kind)
        admin = _first_admin(
            uow,
            errors,
            ukprn=ukprn,
            email=admin_email,
            name=admin_name,
            password=password,
            organisation_made=created is not None,
        )
        if errors or created is None or admin is None:
            raise ValidationFailed("The organisation has invalid fields", errors=errors)
        audit.record(
            uow.session,
            actor,
            ORGANISATION_CREATE,
            outcome="created",
            details={
                "ukprn": created.ukprn,
                "kind": kind,
                "api_key_id": created.key_id,
                "admin_user_id": admin.id,
            },
        )
        uow.commit()
    return NewOrganisation(
        name=name.strip(),
        ukprn=created.ukprn,
        kind=kind,
        key_name=created.name,
        api_key=created.api_key,
        admin_email=admin.email,
        admin_name=admin.display_name,
        one_time_password=password,
        password_expires_at=admin.password_expires_at,
    )


def set_organisation_active(
    uow: UnitOfWork, actor: Actor, ukprn: str, active: bool
) -> OrganisationSummary:
    """Deactivate an organisation (its people cannot sign in, its keys are refused) or
    reactivate it. Operators cannot deactivate their own: nobody could then undo it."""
    require(actor, Action.ORGANISATION_MANAGE)
    with uow:
        org = service.org_by_ukprn(uow, ukprn)
        if not active and org.id == actor.organisation_id:
            raise Conflict("You cannot deactivate your own organisation")
        changed = org.active != active
        org.active = active
        audit.record(
            uow.session,
            actor,
            ORGANISATION_REACTIVATE if active else ORGANISATION_DEACTIVATE,
            outcome="changed" if changed else "unchanged",
            details={"ukprn": org.ukprn},
        )
        uow.flush()
        _, n_users, n_keys = uow.session.execute(
            _summaries().where(Organisation.id == org.id)
        ).one()
        uow.commit()
        return _summary(org, n_users, n_keys)
