"""An organisation's administrators look after its people: roles, an active administrator kept,
deactivation, and reset sign-in. Each is audited."""

from __future__ import annotations

from datetime import timedelta

import pytest

from open_lrs.core.clock import utcnow
from open_lrs.core.db import Database
from open_lrs.core.errors import Conflict, ValidationFailed
from open_lrs.core.security import verify_password
from open_lrs.organisations import service, users
from tests.conftest import OrgFactory
from tests.integration.organisations.admin_helpers import (
    PASSWORD,
    People,
    audit_of,
    sessions_of,
    sign_in_session,
    user_of,
)


def test_roles_change_but_never_ones_own(db: Database, people: People) -> None:
    admin, admin_id = people.add("admin")
    _, other_id = people.add("registrar", ukprn=admin.ukprn)
    changed = users.change_role(db.unit_of_work(), admin, other_id, "admin")
    assert changed.role == "admin"
    with pytest.raises(ValidationFailed) as refused:
        users.change_role(db.unit_of_work(), admin, other_id, "owner")
    assert refused.value.errors[0].field == "role"
    with pytest.raises(Conflict) as own:
        users.change_role(db.unit_of_work(), admin, admin_id, "viewer")
    assert [(e.field, e.message) for e in own.value.errors] == [("role", users.SELF_ROLE)]
    users.change_role(db.unit_of_work(), admin, admin_id, "admin")  # no change: nothing refused
    with db.unit_of_work() as uow:
        assert user_of(uow.session, admin_id).role == "admin"
        assert user_of(uow.session, other_id).role == "admin"
    outcomes = [(o, d) for o, d in audit_of(db, admin, "users.manage")]
    assert outcomes == [
        ("role_changed", {"user_id": other_id, "before": "registrar", "after": "admin"}),
        ("role_unchanged", {"user_id": admin_id, "before": "admin", "after": "admin"}),
    ]


def test_an_organisation_keeps_an_active_administrator(
    db: Database, people: People, make_org: OrgFactory
) -> None:
    # The portal's administrators cannot act on themselves, so it is the operator (the CLI) or
    # an API key that could remove the last one.
    key_actor, _ = make_org()
    _, only_admin = people.add("admin", ukprn=key_actor.ukprn)
    _, registrar = people.add("registrar", ukprn=key_actor.ukprn)
    cli = service.system_actor(db.unit_of_work(), key_actor.ukprn)
    for actor in (key_actor, cli):
        with pytest.raises(Conflict) as demoted:
            users.change_role(db.unit_of_work(), actor, only_admin, "registrar")
        assert [(e.field, e.message) for e in demoted.value.errors] == [("role", users.LAST_ADMIN)]
        with pytest.raises(Conflict) as deactivated:
            users.set_active(db.unit_of_work(), actor, only_admin, False)
        assert [e.field for e in deactivated.value.errors] == ["active"]
    # A deactivated administrator does not count.
    users.change_role(db.unit_of_work(), cli, registrar, "admin")
    users.set_active(db.unit_of_work(), cli, registrar, False)
    with pytest.raises(Conflict):
        users.change_role(db.unit_of_work(), cli, only_admin, "viewer")
    users.set_active(db.unit_of_work(), cli, registrar, True)
    assert users.change_role(db.unit_of_work(), cli, only_admin, "viewer").role == "viewer"
    with pytest.raises(Conflict):
        users.set_active(db.unit_of_work(), cli, registrar, False)


def test_deactivating_ends_the_users_sessions_and_reactivating_lets_them_back(
    db: Database, people: People
) -> None:
    admin, admin_id = people.add("admin")
    _, other_id = people.add("viewer", ukprn=admin.ukprn)
    sign_in_session(db, other_id)
    sign_in_session(db, other_id)
    sign_in_session(db, admin_id)
    summary = users.set_active(db.unit_of_work(), admin, other_id, False)
    assert not summary.active
    assert sessions_of(db, other_id) == 0
    assert sessions_of(db, admin_id) == 1
    with pytest.raises(Conflict) as own:
        users.set_active(db.unit_of_work(), admin, admin_id, False)
    assert [(e.field, e.message) for e in own.value.errors] == [("active", users.SELF_DEACTIVATE)]
    assert users.set_active(db.unit_of_work(), admin, other_id, True).active
    assert [o for o, _ in audit_of(db, admin, "users.manage")] == ["deactivated", "reactivated"]


def test_reset_sign_in_issues_a_new_one_time_password_and_forgets_the_authenticator(
    db: Database, people: People
) -> None:
    admin, admin_id = people.add("admin")
    _, other_id = people.add("registrar", ukprn=admin.ukprn)
    with db.unit_of_work() as uow:
        user = user_of(uow.session, other_id)
        user.totp_secret = "JBSWY3DPEHPK3PXP"
        user.totp_last_step = 123
        user.recovery_code_digests = ["a" * 64]
        user.failed_sign_in_attempts = 3
        uow.commit()
    sign_in_session(db, other_id)
    issued = users.reset_sign_in(db.unit_of_work(), admin, other_id)
    assert issued.user.password_change_required
    assert not issued.user.authenticator_set_up
    assert issued.expires_at - utcnow() > timedelta(days=6, hours=23)
    with db.unit_of_work() as uow:
        user = user_of(uow.session, other_id)
        assert user.password_hash is not None
        assert verify_password(issued.password, user.password_hash)
        assert not verify_password(PASSWORD, user.password_hash)
        assert user.totp_secret is None
        assert user.totp_last_step is None
        assert user.recovery_code_digests is None
        assert user.failed_sign_in_attempts == 0
    assert sessions_of(db, other_id) == 0
    with pytest.raises(Conflict) as own:
        users.reset_sign_in(db.unit_of_work(), admin, admin_id)
    assert [(e.field, e.message) for e in own.value.errors] == [("reset", users.SELF_RESET)]
    assert audit_of(db, admin, "users.manage") == [("sign_in_reset", {"user_id": other_id})]
