"""Only an organisation's own administrators manage its users and API keys; keys are created and
revoked, and the audit log keeps no address, password or key."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from open_lrs.audit.models import AuditEvent
from open_lrs.core.db import Database
from open_lrs.core.errors import Forbidden, NotFound, Unauthenticated, ValidationFailed
from open_lrs.organisations import service, users
from open_lrs.organisations.models import ApiKey
from tests.conftest import OrgFactory
from tests.integration.organisations.admin_helpers import People, audit_of, user_of


@pytest.mark.parametrize("role", ["registrar", "viewer"])
def test_only_administrators_manage_users_and_keys(db: Database, people: People, role: str) -> None:
    admin, admin_id = people.add("admin")
    someone, _ = people.add(role, ukprn=admin.ukprn)
    key_id = service.list_keys(db.unit_of_work(), ukprn=admin.ukprn)[0].id
    attempts = [
        lambda: users.list_users(db.unit_of_work(), someone),
        lambda: users.read_user(db.unit_of_work(), someone, admin_id),
        lambda: users.invite_user(
            db.unit_of_work(), someone, email="x@y.example", display_name="X", role="admin"
        ),
        lambda: users.change_role(db.unit_of_work(), someone, admin_id, "viewer"),
        lambda: users.set_active(db.unit_of_work(), someone, admin_id, False),
        lambda: users.reset_sign_in(db.unit_of_work(), someone, admin_id),
        lambda: service.list_keys_for(db.unit_of_work(), someone),
        lambda: service.read_key_for(db.unit_of_work(), someone, key_id),
        lambda: service.create_key(db.unit_of_work(), someone, "Mine"),
        lambda: service.revoke_key_for(db.unit_of_work(), someone, key_id),
    ]
    for attempt in attempts:
        with pytest.raises(Forbidden, match=f"Your role \\({role}\\)"):
            attempt()
    with db.unit_of_work() as uow:
        assert user_of(uow.session, admin_id).role == "admin"
        assert user_of(uow.session, admin_id).active
    assert service.list_keys(db.unit_of_work(), ukprn=admin.ukprn)[0].revoked_at is None


def test_another_organisations_users_and_keys_are_not_found(db: Database, people: People) -> None:
    admin, _ = people.add("admin")
    theirs, their_admin_id = people.add("admin")
    their_key = service.list_keys(db.unit_of_work(), ukprn=theirs.ukprn)[0].id
    assert [u.id for u in users.list_users(db.unit_of_work(), admin)] == [admin.user_id]
    assert their_key not in [k.id for k in service.list_keys_for(db.unit_of_work(), admin)]
    attempts = [
        lambda: users.read_user(db.unit_of_work(), admin, their_admin_id),
        lambda: users.change_role(db.unit_of_work(), admin, their_admin_id, "viewer"),
        lambda: users.set_active(db.unit_of_work(), admin, their_admin_id, False),
        lambda: users.reset_sign_in(db.unit_of_work(), admin, their_admin_id),
        lambda: service.read_key_for(db.unit_of_work(), admin, their_key),
        lambda: service.revoke_key_for(db.unit_of_work(), admin, their_key),
    ]
    for attempt in attempts:
        with pytest.raises(NotFound):
            attempt()
    with db.unit_of_work() as uow:
        assert user_of(uow.session, their_admin_id).role == "admin"
        assert user_of(uow.session, their_admin_id).active
    assert service.list_keys(db.unit_of_work(), ukprn=theirs.ukprn)[0].revoked_at is None


def test_the_audit_log_keeps_no_address_password_or_key(db: Database, people: People) -> None:
    admin, _ = people.add("admin")
    issued = users.invite_user(
        db.unit_of_work(), admin, email="secret.person@example.org", display_name="S", role="viewer"
    )
    reset = users.reset_sign_in(db.unit_of_work(), admin, issued.user.id)
    users.list_users(db.unit_of_work(), admin)
    created = service.create_key(db.unit_of_work(), admin, "MIS")
    service.revoke_key_for(db.unit_of_work(), admin, created.key_id)
    with db.unit_of_work() as uow:
        logged = uow.session.scalars(
            select(AuditEvent.details).where(AuditEvent.organisation_id == admin.organisation_id)
        ).all()
    text_of_log = repr(logged)
    for secret in ("secret.person", issued.password, reset.password, created.api_key):
        assert secret not in text_of_log
    assert audit_of(db, admin, "keys.manage") == [
        ("created", {"key_id": created.key_id}),
        ("revoked", {"key_id": created.key_id}),
    ]


def test_keys_are_created_for_the_actors_organisation_and_revoked(
    db: Database, people: People
) -> None:
    admin, admin_id = people.add("admin")
    with pytest.raises(ValidationFailed) as refused:
        service.create_key(db.unit_of_work(), admin, " ")
    assert [(e.field, e.message) for e in refused.value.errors] == [
        ("name", "must be 1 to 100 characters")
    ]
    with pytest.raises(ValidationFailed):
        service.create_key(db.unit_of_work(), admin, "x" * 101)
    created = service.create_key(db.unit_of_work(), admin, "  MIS integration ")
    assert created.name == "MIS integration"
    assert created.ukprn == admin.ukprn
    with db.unit_of_work() as uow:
        row = uow.session.get(ApiKey, created.key_id)
        assert row is not None
        assert row.created_by_user_id == admin_id
        assert row.organisation_id == admin.organisation_id
        assert created.api_key not in (row.key_digest, row.prefix)
    caller = service.authenticate(db.unit_of_work(), created.api_key)
    assert caller.ukprn == admin.ukprn
    assert caller.api_key_id == created.key_id
    listed = service.list_keys_for(db.unit_of_work(), admin)
    assert [k.name for k in listed] == ["default", "MIS integration"]
    assert listed[1].last_used_at is not None
    revoked = service.revoke_key_for(db.unit_of_work(), admin, created.key_id)
    assert revoked.revoked_at is not None
    again = service.revoke_key_for(db.unit_of_work(), admin, created.key_id)
    assert again.revoked_at == revoked.revoked_at
    with pytest.raises(Unauthenticated):
        service.authenticate(db.unit_of_work(), created.api_key)
    assert service.read_key_for(db.unit_of_work(), admin, created.key_id).revoked_at is not None


def test_a_key_made_by_the_cli_records_no_creator(db: Database, make_org: OrgFactory) -> None:
    actor, _ = make_org()
    created = service.add_key(db.unit_of_work(), ukprn=actor.ukprn, name="Operator's")
    with db.unit_of_work() as uow:
        row = uow.session.get(ApiKey, created.key_id)
        assert row is not None
        assert row.created_by_user_id is None
