"""The operators' directory of organisations (organisations.directory) and the newest-first
audit query the portal pages through, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from open_lrs.audit.models import AuditEvent
from open_lrs.audit_log import service as audit_log
from open_lrs.core.db import Database
from open_lrs.core.errors import (
    Conflict,
    Forbidden,
    NotFound,
    Unauthenticated,
    ValidationFailed,
)
from open_lrs.core.security import Actor, verify_password
from open_lrs.organisations import directory, service, users
from open_lrs.organisations.models import Organisation, User
from open_lrs.organisations.permissions import Action
from open_lrs.portal.auth import SIGN_IN, SIGN_OUT
from tests.conftest import OrgFactory, new_ukprn

PASSWORD = "correct horse battery staple"


@pytest.fixture
def operator(make_org: OrgFactory) -> Actor:
    """A person of the service's operators, as the portal sees them."""
    key_actor, _ = make_org("admin", name="Operators")
    return Actor(
        organisation_id=key_actor.organisation_id,
        organisation_kind="admin",
        ukprn=key_actor.ukprn,
        user_id=None,
        user_label="Olive Operator",
        role="admin",
    )


def _add_user(db: Database, ukprn: str, email: str, name: str, role: str = "viewer") -> None:
    users.add_user(
        db.unit_of_work(),
        ukprn=ukprn,
        email=email,
        display_name=name,
        role=role,
        password=PASSWORD,
        change_required=False,
    )


def _count(db: Database, model: type[Organisation] | type[User], *where: object) -> int:
    with db.unit_of_work() as uow:
        return uow.session.scalar(select(func.count()).select_from(model).where(*where)) or 0  # type: ignore[arg-type]


@dataclass(frozen=True)
class Event:
    action: str
    outcome: str
    organisation_id: int | None
    user_label: str | None
    details: dict[str, Any]


def _events(db: Database, action: str) -> list[Event]:
    with db.unit_of_work() as uow:
        rows = uow.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
        return [
            Event(r.action, r.outcome, r.organisation_id, r.user_label, r.details) for r in rows
        ]


def test_the_list_counts_users_and_live_keys_and_searches_by_name_or_ukprn(
    db: Database, make_org: OrgFactory, operator: Actor
) -> None:
    zed, _ = make_org("provider", name="Zed Further Education College")
    abbey, _ = make_org("school", name="Abbey 100% School")
    _add_user(db, zed.ukprn, "a@zed.example", "Ann")
    _add_user(db, zed.ukprn, "b@zed.example", "Bob")
    service.add_key(db.unit_of_work(), ukprn=zed.ukprn, name="MIS")
    revoked = service.add_key(db.unit_of_work(), ukprn=zed.ukprn, name="old")
    service.revoke_key(db.unit_of_work(), ukprn=zed.ukprn, key_id=revoked.key_id)

    listed = directory.list_organisations(db.unit_of_work(), operator)
    names = [o.name for o in listed]
    assert names == sorted(names)
    by_ukprn = {o.ukprn: o for o in listed}
    assert by_ukprn[zed.ukprn].users == 2
    assert by_ukprn[zed.ukprn].active_keys == 2  # the first key and "MIS"; not the revoked one
    assert by_ukprn[zed.ukprn].kind == "provider"
    assert by_ukprn[zed.ukprn].active
    assert by_ukprn[abbey.ukprn].users == 0

    def found(**kw: str) -> set[str]:
        return {o.ukprn for o in directory.list_organisations(db.unit_of_work(), operator, **kw)}

    assert found(search="further EDUCATION") == {zed.ukprn}
    assert found(search=zed.ukprn) == {zed.ukprn}
    assert zed.ukprn in found(search=zed.ukprn[:5])
    assert found(search="100%") == {abbey.ukprn}  # a % is a character, not a wildcard
    assert abbey.ukprn not in found(search="0%S")
    assert found(search="College", kind="school") == set()
    assert abbey.ukprn in found(kind="school")
    assert zed.ukprn not in found(kind="school")
    limited = directory.list_organisations(db.unit_of_work(), operator, limit=1)
    assert len(limited) == 1
    with pytest.raises(ValidationFailed):
        directory.list_organisations(db.unit_of_work(), operator, kind="charity")


def test_the_detail_lists_the_organisations_people(
    db: Database, make_org: OrgFactory, operator: Actor
) -> None:
    org, _ = make_org("provider", name="Detail College")
    _add_user(db, org.ukprn, "zoe@detail.example", "Zoe Zephyr", "admin")
    _add_user(db, org.ukprn, "adam@detail.example", "Adam Able", "registrar")
    detail = directory.organisation_detail(db.unit_of_work(), operator, org.ukprn)
    assert detail.organisation.name == "Detail College"
    assert detail.organisation.users == 2
    assert [(u.display_name, u.email, u.role, u.active) for u in detail.users] == [
        ("Adam Able", "adam@detail.example", "registrar", True),
        ("Zoe Zephyr", "zoe@detail.example", "admin", True),
    ]
    assert detail.users[0].last_sign_in_at is None
    with pytest.raises(NotFound):
        directory.organisation_detail(db.unit_of_work(), operator, new_ukprn())


def test_only_operators_may_use_the_directory(db: Database, make_org: OrgFactory) -> None:
    provider_key, _ = make_org("provider")
    admin_key, _ = make_org("admin")
    provider_admin = Actor(
        provider_key.organisation_id, "provider", provider_key.ukprn, role="admin"
    )
    operator_registrar = Actor(
        admin_key.organisation_id, "admin", admin_key.ukprn, role="registrar"
    )
    operator_viewer = Actor(admin_key.organisation_id, "admin", admin_key.ukprn, role="viewer")
    for actor in (provider_key, provider_admin, operator_registrar, operator_viewer):
        with pytest.raises(Forbidden):
            directory.list_organisations(db.unit_of_work(), actor)
        with pytest.raises(Forbidden):
            directory.organisation_detail(db.unit_of_work(), actor, provider_key.ukprn)
        with pytest.raises(Forbidden):
            directory.organisation_kinds(actor)
        with pytest.raises(Forbidden):
            directory.audit_actions(actor)
        with pytest.raises(Forbidden):
            directory.set_organisation_active(
                db.unit_of_work(), actor, provider_key.ukprn, active=False
            )
        with pytest.raises(Forbidden):
            directory.create_organisation_for(
                db.unit_of_work(),
                actor,
                name="Sneaky",
                ukprn=new_ukprn(),
                kind="admin",
                admin_email="sneaky@example.org",
                admin_name="Sneaky",
            )


def test_adding_an_organisation_gives_its_key_and_first_administrator(
    db: Database, operator: Actor
) -> None:
    ukprn = new_ukprn()
    created = directory.create_organisation_for(
        db.unit_of_work(),
        operator,
        name="  New College ",
        ukprn=ukprn,
        kind="provider",
        admin_email="Ada@New-College.example",
        admin_name="Ada Lovelace",
    )
    assert created.ukprn == ukprn
    assert created.name == "New College"
    key_actor = service.authenticate(db.unit_of_work(), created.api_key)
    assert key_actor.ukprn == ukprn
    assert key_actor.organisation_kind == "provider"
    with db.unit_of_work() as uow:
        admin = uow.session.scalar(select(User).where(User.email == "ada@new-college.example"))
        assert admin is not None
        assert admin.role == "admin"
        assert admin.password_change_required
        assert admin.password_hash is not None
        assert verify_password(created.one_time_password, admin.password_hash)
        assert admin.organisation_id == key_actor.organisation_id
    assert created.admin_email == "ada@new-college.example"
    [event] = _events(db, directory.ORGANISATION_CREATE)
    assert event.organisation_id == operator.organisation_id
    assert event.user_label == "Olive Operator"
    assert event.details["ukprn"] == ukprn
    assert event.details["kind"] == "provider"
    recorded = str(event.details)
    for secret in (created.api_key, created.one_time_password, "ada@", "Ada@"):
        assert secret not in recorded


def test_refused_fields_are_all_reported_and_nothing_is_created(
    db: Database, make_org: OrgFactory, operator: Actor
) -> None:
    existing, _ = make_org("provider", name="Already Here")
    _add_user(db, existing.ukprn, "taken@here.example", "Taken")
    orgs_before = _count(db, Organisation)
    users_before = _count(db, User)

    def attempt(**fields: str) -> list[str]:
        values = {
            "name": "Half Made College",
            "ukprn": new_ukprn(),
            "kind": "provider",
            "admin_email": "half@made.example",
            "admin_name": "Hal Made",
        } | fields
        with pytest.raises(ValidationFailed) as refused:
            directory.create_organisation_for(db.unit_of_work(), operator, **values)
        if values["ukprn"] != existing.ukprn:
            assert _count(db, Organisation, Organisation.ukprn == values["ukprn"]) == 0
        return [e.field for e in refused.value.errors]

    assert attempt(admin_email="not an address") == ["admin_email"]
    assert attempt(admin_name=" ") == ["admin_name"]
    assert attempt(admin_email="TAKEN@here.example") == ["admin_email"]
    assert attempt(ukprn=existing.ukprn) == ["ukprn"]
    assert attempt(name="", ukprn="1234", kind="charity", admin_email="nope") == [
        "name",
        "ukprn",
        "kind",
        "admin_email",
    ]
    assert _count(db, Organisation) == orgs_before
    assert _count(db, User) == users_before
    assert _count(db, User, User.organisation_id == existing.organisation_id) == 1
    assert _events(db, directory.ORGANISATION_CREATE) == []


def test_deactivating_refuses_keys_and_reactivating_restores_them(
    db: Database, make_org: OrgFactory, operator: Actor
) -> None:
    org, key = make_org("provider")
    summary = directory.set_organisation_active(db.unit_of_work(), operator, org.ukprn, False)
    assert not summary.active
    with pytest.raises(Unauthenticated):
        service.authenticate(db.unit_of_work(), key)
    listed = {o.ukprn: o for o in directory.list_organisations(db.unit_of_work(), operator)}
    assert not listed[org.ukprn].active
    again = directory.set_organisation_active(db.unit_of_work(), operator, org.ukprn, False)
    assert not again.active
    directory.set_organisation_active(db.unit_of_work(), operator, org.ukprn, True)
    assert service.authenticate(db.unit_of_work(), key).ukprn == org.ukprn
    outcomes = [
        (e.action, e.outcome, e.details)
        for e in _events(db, directory.ORGANISATION_DEACTIVATE)
        + _events(db, directory.ORGANISATION_REACTIVATE)
    ]
    assert outcomes == [
        (directory.ORGANISATION_DEACTIVATE, "changed", {"ukprn": org.ukprn}),
        (directory.ORGANISATION_DEACTIVATE, "unchanged", {"ukprn": org.ukprn}),
        (directory.ORGANISATION_REACTIVATE, "changed", {"ukprn": org.ukprn}),
    ]
    with pytest.raises(NotFound):
        directory.set_organisation_active(db.unit_of_work(), operator, new_ukprn(), False)


def test_operators_cannot_deactivate_their_own_organisation(db: Database, operator: Actor) -> None:
    with pytest.raises(Conflict, match="your own organisation"):
        directory.set_organisation_active(db.unit_of_work(), operator, operator.ukprn, False)
    detail = directory.organisation_detail(db.unit_of_work(), operator, operator.ukprn)
    assert detail.organisation.active
    assert _events(db, directory.ORGANISATION_DEACTIVATE) == []
    # Reactivating their own (already active) organisation is harmless.
    directory.set_organisation_active(db.unit_of_work(), operator, operator.ukprn, True)


def test_the_audit_filter_offers_every_recorded_action(operator: Actor) -> None:
    actions = directory.audit_actions(operator)
    assert actions == sorted(actions)
    assert {a.value for a in Action} <= set(actions)
    assert {SIGN_IN, SIGN_OUT, "learner.history", "learner.unmerge"} <= set(actions)
    assert directory.ORGANISATION_CREATE in actions
    kinds = directory.organisation_kinds(operator)
    assert set(kinds) == set(directory.KIND_DESCRIPTIONS)


def test_the_audit_query_pages_newest_first_and_the_api_order_is_unchanged(
    db: Database, make_org: OrgFactory, operator: Actor
) -> None:
    org, _ = make_org("provider")
    start = datetime(2025, 1, 1, tzinfo=UTC)
    with db.unit_of_work() as uow:
        for i in range(7):
            uow.session.add(
                AuditEvent(
                    occurred_at=start + timedelta(hours=i),
                    organisation_id=org.organisation_id,
                    action="learner.read",
                    outcome=f"n{i}",
                    details={},
                )
            )
        uow.commit()

    def outcomes(**kw: object) -> list[str]:
        q = audit_log.AuditQuery(ukprn=org.ukprn, **kw)  # type: ignore[arg-type]
        return [e.outcome for e in audit_log.query(db.unit_of_work(), operator, q)]

    assert outcomes() == [f"n{i}" for i in range(7)]
    assert outcomes(newest_first=True, limit=3) == ["n6", "n5", "n4"]
    newest = audit_log.query(
        db.unit_of_work(),
        operator,
        audit_log.AuditQuery(ukprn=org.ukprn, newest_first=True, limit=3),
    )
    assert outcomes(newest_first=True, limit=3, before_id=newest[-1].id) == ["n3", "n2", "n1"]
    assert outcomes(after_id=newest[-1].id) == ["n5", "n6"]
