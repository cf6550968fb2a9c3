"""Organisations and API keys: create, authenticate and revoke them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from open_lrs.audit import service as audit
from open_lrs.core.clock import utcnow
from open_lrs.core.db import UnitOfWork
from open_lrs.core.errors import (
    AlreadyExists,
    FieldError,
    NotFound,
    Unauthenticated,
    ValidationFailed,
)
from open_lrs.core.security import Actor, key_matches, new_api_key, split_key
from open_lrs.organisations.models import ApiKey, Organisation
from open_lrs.organisations.permissions import Action, Kind, require

UKPRN = re.compile(r"^[0-9]{8}$")
# last_used_at is a convenience, not an audit record: refresh it at most once a minute so that
# authenticating a busy key does not write on every request.
LAST_USED_GRANULARITY = timedelta(minutes=1)


@dataclass(frozen=True)
class CreatedKey:
    organisation_id: int
    ukprn: str
    key_id: int
    name: str
    api_key: str


@dataclass(frozen=True)
class KeyInfo:
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def _validate_org(name: str, ukprn: str, kind: str) -> list[FieldError]:
    errors = []
    if not name.strip() or len(name) > 200:
        errors.append(FieldError("name", "must be 1 to 200 characters"))
    if not UKPRN.match(ukprn):
        errors.append(FieldError("ukprn", "must be exactly 8 digits"))
    if kind not in {k.value for k in Kind}:
        errors.append(FieldError("kind", "must be one of " + ", ".join(k.value for k in Kind)))
    return errors


def _issue_key(
    uow: UnitOfWork, org: Organisation, key_name: str, created_by_user_id: int | None = None
) -> CreatedKey:
    key = new_api_key()
    row = ApiKey(
        organisation_id=org.id,
        name=key_name,
        prefix=key.prefix,
        key_digest=key.digest,
        created_by_user_id=created_by_user_id,
    )
    uow.session.add(row)
    uow.flush()
    return CreatedKey(org.id, org.ukprn, row.id, key_name, key.plaintext)


def create_organisation(
    uow: UnitOfWork, *, name: str, ukprn: str, kind: str, key_name: str = "default"
) -> CreatedKey:
    """Create an organisation with its first API key; the key is returned once, never stored."""
    if errors := _validate_org(name, ukprn, kind):
        raise ValidationFailed("The organisation has invalid fields", errors=errors)
    with uow:
        if uow.session.scalar(select(Organisation.id).where(Organisation.ukprn == ukprn)):
            raise AlreadyExists(f"An organisation with UKPRN {ukprn} already exists")
        org = Organisation(name=name.strip(), ukprn=ukprn, kind=kind)
        uow.session.add(org)
        uow.flush()
        created = _issue_key(uow, org, key_name)
        uow.commit()
        return created


def org_by_ukprn(uow: UnitOfWork, ukprn: str) -> Organisation:
    org = uow.session.scalar(select(Organisation).where(Organisation.ukprn == ukprn))
    if org is None:
        raise NotFound(f"No organisation has UKPRN {ukprn}")
    return org


@dataclass(frozen=True)
class OrganisationInfo:
    name: str
    ukprn: str
    kind: str
    active: bool


def read_organisation(uow: UnitOfWork, actor: Actor, ukprn: str | None = None) -> OrganisationInfo:
    """The caller's organisation, or the one ``ukprn`` names: its name, UKPRN, kind and whether
    it is active. Any organisation may read these, as the LRS's GetOrganisation allowed: a
    provider's name and UKPRN are public (the UK Register of Learning Providers publishes
    them), and nothing about its people, keys or learners is given."""
    require(actor, Action.ORGANISATION_READ)
    wanted = actor.ukprn if ukprn is None else ukprn
    if not UKPRN.fullmatch(wanted):
        raise ValidationFailed(
            "Invalid UKPRN", errors=[FieldError("ukprn", "must be exactly 8 digits")]
        )
    with uow:
        uow.begin_read_only()
        org = org_by_ukprn(uow, wanted)
        return OrganisationInfo(org.name, org.ukprn, org.kind, org.active)


def _check_key_name(name: str) -> None:
    if not name.strip() or len(name) > 100:
        raise ValidationFailed(
            "Invalid key name", errors=[FieldError("name", "must be 1 to 100 characters")]
        )


def _key_info(row: ApiKey) -> KeyInfo:
    return KeyInfo(row.id, row.name, row.prefix, row.created_at, row.last_used_at, row.revoked_at)


def _keys_of(uow: UnitOfWork, org: Organisation) -> list[KeyInfo]:
    rows = uow.session.scalars(
        select(ApiKey).where(ApiKey.organisation_id == org.id).order_by(ApiKey.id)
    )
    return [_key_info(r) for r in rows]


def _key_of(uow: UnitOfWork, org: Organisation, key_id: int) -> ApiKey:
    """One of the organisation's keys; another organisation's is as unknown as no key."""
    row = uow.session.scalar(
        select(ApiKey).where(ApiKey.id == key_id, ApiKey.organisation_id == org.id)
    )
    if row is None:
        raise NotFound(f"Organisation {org.ukprn} has no API key {key_id}")
    return row


def _revoke(uow: UnitOfWork, org: Organisation, key_id: int) -> KeyInfo:
    row = _key_of(uow, org, key_id)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    return _key_info(row)


def add_key(uow: UnitOfWork, *, ukprn: str, name: str) -> CreatedKey:
    _check_key_name(name)
    with uow:
        created = _issue_key(uow, org_by_ukprn(uow, ukprn), name.strip())
        uow.commit()
        return created


def list_keys(uow: UnitOfWork, *, ukprn: str) -> list[KeyInfo]:
    with uow:
        return _keys_of(uow, org_by_ukprn(uow, ukprn))


def revoke_key(uow: UnitOfWork, *, ukprn: str, key_id: int) -> KeyInfo:
    with uow:
        info = _revoke(uow, org_by_ukprn(uow, ukprn), key_id)
        uow.commit()
        return info


# An organisation's administrators look after its own keys in the portal: the same key
# operations as the CLI's, checked, scoped to the actor's organisation and audited.


def _audit_keys(uow: UnitOfWork, actor: Actor, outcome: str, key_id: int | None = None) -> None:
    details = {} if key_id is None else {"key_id": key_id}
    audit.record(uow.session, actor, Action.KEYS_MANAGE, outcome=outcome, details=details)


def list_keys_for(uow: UnitOfWork, actor: Actor) -> list[KeyInfo]:
    """The actor's organisation's keys, revoked ones too (never the secrets)."""
    require(actor, Action.KEYS_MANAGE)
    with uow:
        keys = _keys_of(uow, org_by_ukprn(uow, actor.ukprn))
        _audit_keys(uow, actor, "listed")
        uow.commit()
        return keys


def read_key_for(uow: UnitOfWork, actor: Actor, key_id: int) -> KeyInfo:
    """One of the actor's organisation's keys (NotFound for another organisation's)."""
    require(actor, Action.KEYS_MANAGE)
    with uow:
        info = _key_info(_key_of(uow, org_by_ukprn(uow, actor.ukprn), key_id))
        _audit_keys(uow, actor, "viewed", key_id)
        uow.commit()
        return info


def create_key(uow: UnitOfWork, actor: Actor, name: str) -> CreatedKey:
    """A new key for the actor's organisation, returned once, recording who created it."""
    require(actor, Action.KEYS_MANAGE)
    _check_key_name(name)
    with uow:
        org = org_by_ukprn(uow, actor.ukprn)
        created = _issue_key(uow, org, name.strip(), created_by_user_id=actor.user_id)
        _audit_keys(uow, actor, "created", created.key_id)
        uow.commit()
        return created


def revoke_key_for(uow: UnitOfWork, actor: Actor, key_id: int) -> KeyInfo:
    """Revoke one of the actor's organisation's keys (again is harmless)."""
    require(actor, Action.KEYS_MANAGE)
    with uow:
        info = _revoke(uow, org_by_ukprn(uow, actor.ukprn), key_id)
        _audit_keys(uow, actor, "revoked", key_id)
        uow.commit()
        return info


def authenticate(uow: UnitOfWork, plaintext: str) -> Actor:
    """The actor behind an API key; the same answer for every kind of failure."""
    prefix = split_key(plaintext)
    failure = Unauthenticated("The API key is missing, malformed, revoked or unknown.")
    if prefix is None:
        raise failure
    with uow:
        uow.begin_read_only()
        found = uow.session.execute(
            select(ApiKey, Organisation)
            .join(Organisation, Organisation.id == ApiKey.organisation_id)
            .where(ApiKey.prefix == prefix)
        ).first()
        if found is None:
            raise failure
        key, org = found
        if (
            key.revoked_at is not None
            or not org.active
            or not key_matches(plaintext, key.key_digest)
        ):
            raise failure
        now = utcnow()
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_GRANULARITY:
            # A write only once a minute per key, in its own short transaction.
            uow.end_reading()
            uow.session.execute(update(ApiKey).where(ApiKey.id == key.id).values(last_used_at=now))
            uow.commit()
        return Actor(
            organisation_id=org.id, organisation_kind=org.kind, ukprn=org.ukprn, api_key_id=key.id
        )


def system_actor(uow: UnitOfWork, ukprn: str) -> Actor:
    """The actor for an operator's CLI command acting as an organisation (no API key)."""
    with uow:
        org = org_by_ukprn(uow, ukprn)
        return Actor(
            organisation_id=org.id, organisation_kind=org.kind, ukprn=org.ukprn, user_label="cli"
        )
