"""An organisation's administrators look after its own people and API keys: invited users with
one-time passwords that expire, roles, deactivation, reset sign-in, keys created and revoked.
Each function checks the permission, keeps to the actor's organisation and is audited."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from open_lrs.audit.models import AuditEvent
from open_lrs.core import migrate
from open_lrs.core.clock import utcnow
from open_lrs.core.db import Database, make_engine
from open_lrs.core.errors import (
    AlreadyExists,
    Conflict,
    Forbidden,
    NotFound,
    Unauthenticated,
    ValidationFailed,
)
from open_lrs.core.security import Actor, verify_password
from open_lrs.organisations import service, users
from open_lrs.organisations.models import ApiKey, User
from open_lrs.organisations.sessions import SIGNED_IN, PortalSession
from open_lrs.portal.auth import new_token, token_digest
from tests.conftest import OrgFactory, new_ukprn

PASSWORD = "correct horse battery staple"
LRS = str(Path(sys.executable).with_name("lrs"))


class People:
    """Users of organisations, and the actors they are when they sign in."""

    def __init__(self, db: Database, make_org: OrgFactory) -> None:
        self.db = db
        self.make_org = make_org
        self.count = 0

    def add(self, role: str, ukprn: str | None = None) -> tuple[Actor, int]:
        """A user (of a new provider unless ``ukprn``): their actor and id."""
        if ukprn is None:
            ukprn = self.make_org()[0].ukprn
        self.count += 1
        info = users.add_user(
            self.db.unit_of_work(),
            ukprn=ukprn,
            email=f"admin{self.count}.{ukprn}@example.org",
            display_name=f"Person {self.count}",
            role=role,
            password=PASSWORD,
            change_required=False,
        )
        org_actor = service.system_actor(self.db.unit_of_work(), ukprn)
        actor = Actor(
            organisation_id=org_actor.organisation_id,
            organisation_kind=org_actor.organisation_kind,
            ukprn=ukprn,
            user_id=info.id,
            user_label=info.display_name,
            role=role,
        )
        return actor, info.id


@pytest.fixture
def people(db: Database, make_org: OrgFactory) -> People:
    return People(db, make_org)


def _user(session: Session, user_id: int) -> User:
    found = session.get(User, user_id)
    assert found is not None
    return found


def _sign_in_session(db: Database, user_id: int) -> None:
    with db.unit_of_work() as uow:
        uow.session.add(
            PortalSession(
                token_digest=token_digest(new_token()),
                user_id=user_id,
                stage=SIGNED_IN,
                created_at=utcnow(),
                last_seen_at=utcnow(),
                data={},
            )
        )
        uow.commit()


def _sessions(db: Database, user_id: int) -> int:
    with db.unit_of_work() as uow:
        return len(
            uow.session.scalars(
                select(PortalSession.id).where(PortalSession.user_id == user_id)
            ).all()
        )


def _audit(db: Database, actor: Actor, action: str) -> list[tuple[str, dict[str, object]]]:
    with db.unit_of_work() as uow:
        rows = uow.session.execute(
            select(AuditEvent.outcome, AuditEvent.details, AuditEvent.user_id)
            .where(AuditEvent.organisation_id == actor.organisation_id)
            .where(AuditEvent.action == action)
            .order_by(AuditEvent.id)
        ).all()
    assert all(user_id == actor.user_id for _, _, user_id in rows)
    return [(outcome, details) for outcome, details, _ in rows]


def test_an_invited_user_gets_a_one_time_password_that_expires_in_7_days(
    db: Database, people: People
) -> None:
    admin, _ = people.add("admin")
    before = utcnow()
    issued = users.invite_user(
        db.unit_of_work(),
        admin,
        email="  Grace.Hopper@College.example ",
        display_name=" Grace Hopper ",
        role="registrar",
    )
    assert issued.user.email == "grace.hopper@college.example"
    assert issued.user.display_name == "Grace Hopper"
    assert issued.user.role == "registrar"
    assert issued.user.password_change_required
    assert not issued.user.authenticator_set_up
    assert before + timedelta(days=7) <= issued.expires_at <= utcnow() + timedelta(days=7)
    with db.unit_of_work() as uow:
        stored = _user(uow.session, issued.user.id)
        assert stored.organisation_id == admin.organisation_id
        assert stored.password_hash is not None
        assert stored.password_hash != issued.password
        assert verify_password(issued.password, stored.password_hash)
        assert stored.password_expires_at == issued.expires_at
    assert _audit(db, admin, "users.manage") == [
        ("invited", {"user_id": issued.user.id, "role": "registrar"})
    ]


def test_an_invitation_is_checked_like_any_new_user(db: Database, people: People) -> None:
    admin, _ = people.add("admin")
    with pytest.raises(ValidationFailed) as refused:
        users.invite_user(db.unit_of_work(), admin, email="nope", display_name=" ", role="owner")
    assert [(e.field, e.message) for e in refused.value.errors] == [
        ("email", "must be an email address such as name@example.org"),
        ("display_name", "must be 1 to 200 characters"),
        ("role", "must be one of admin, registrar, viewer"),
    ]
    users.invite_user(
        db.unit_of_work(), admin, email="a@b.example", display_name="A", role="viewer"
    )
    with pytest.raises(AlreadyExists) as taken:
        users.invite_user(
            db.unit_of_work(), admin, email="A@B.example", display_name="A", role="viewer"
        )
    assert [e.field for e in taken.value.errors] == ["email"]


def test_one_time_passwords_from_the_cli_expire_too_and_chosen_ones_do_not(
    db: Database, make_org: OrgFactory
) -> None:
    ukprn = make_org()[0].ukprn
    common = {"ukprn": ukprn, "display_name": "X", "role": "viewer", "password": PASSWORD}
    one_time = users.add_user(
        db.unit_of_work(), email="one@time.example", change_required=True, **common
    )
    chosen = users.add_user(
        db.unit_of_work(), email="own@choice.example", change_required=False, **common
    )
    assert one_time.password_expires_at is not None
    assert one_time.password_expires_at - utcnow() > timedelta(days=6, hours=23)
    assert chosen.password_expires_at is None


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
        assert _user(uow.session, admin_id).role == "admin"
        assert _user(uow.session, admin_id).active
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
        assert _user(uow.session, their_admin_id).role == "admin"
        assert _user(uow.session, their_admin_id).active
    assert service.list_keys(db.unit_of_work(), ukprn=theirs.ukprn)[0].revoked_at is None


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
        assert _user(uow.session, admin_id).role == "admin"
        assert _user(uow.session, other_id).role == "admin"
    outcomes = [(o, d) for o, d in _audit(db, admin, "users.manage")]
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
    _sign_in_session(db, other_id)
    _sign_in_session(db, other_id)
    _sign_in_session(db, admin_id)
    summary = users.set_active(db.unit_of_work(), admin, other_id, False)
    assert not summary.active
    assert _sessions(db, other_id) == 0
    assert _sessions(db, admin_id) == 1
    with pytest.raises(Conflict) as own:
        users.set_active(db.unit_of_work(), admin, admin_id, False)
    assert [(e.field, e.message) for e in own.value.errors] == [("active", users.SELF_DEACTIVATE)]
    assert users.set_active(db.unit_of_work(), admin, other_id, True).active
    assert [o for o, _ in _audit(db, admin, "users.manage")] == ["deactivated", "reactivated"]


def test_reset_sign_in_issues_a_new_one_time_password_and_forgets_the_authenticator(
    db: Database, people: People
) -> None:
    admin, admin_id = people.add("admin")
    _, other_id = people.add("registrar", ukprn=admin.ukprn)
    with db.unit_of_work() as uow:
        user = _user(uow.session, other_id)
        user.totp_secret = "JBSWY3DPEHPK3PXP"
        user.totp_last_step = 123
        user.recovery_code_digests = ["a" * 64]
        user.failed_sign_in_attempts = 3
        uow.commit()
    _sign_in_session(db, other_id)
    issued = users.reset_sign_in(db.unit_of_work(), admin, other_id)
    assert issued.user.password_change_required
    assert not issued.user.authenticator_set_up
    assert issued.expires_at - utcnow() > timedelta(days=6, hours=23)
    with db.unit_of_work() as uow:
        user = _user(uow.session, other_id)
        assert user.password_hash is not None
        assert verify_password(issued.password, user.password_hash)
        assert not verify_password(PASSWORD, user.password_hash)
        assert user.totp_secret is None
        assert user.totp_last_step is None
        assert user.recovery_code_digests is None
        assert user.failed_sign_in_attempts == 0
    assert _sessions(db, other_id) == 0
    with pytest.raises(Conflict) as own:
        users.reset_sign_in(db.unit_of_work(), admin, admin_id)
    assert [(e.field, e.message) for e in own.value.errors] == [("reset", users.SELF_RESET)]
    assert _audit(db, admin, "users.manage") == [("sign_in_reset", {"user_id": other_id})]


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
    assert _audit(db, admin, "keys.manage") == [
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


def test_lrs_user_add_prints_when_the_one_time_password_expires(fresh_database_url: str) -> None:
    env = {**os.environ, "LRS_DATABASE_URL": fresh_database_url, "LRS_ENVIRONMENT": "development"}
    ukprn = new_ukprn()

    def lrs(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [LRS, *args], capture_output=True, text=True, env=env, timeout=120, check=False
        )

    made = lrs("org", "add", "--name", "College", "--ukprn", ukprn, "--kind", "provider")
    assert made.returncode == 0, made.stderr
    added = lrs("user", "add", "--ukprn", ukprn, "--email", "a@b.example", "--name", "A")
    assert added.returncode != 0  # --role is required
    added = lrs(
        "user", "add", "--ukprn", ukprn, "--email", "a@b.example", "--name", "A", "--role", "admin"
    )
    assert added.returncode == 0, added.stderr
    expires = (utcnow() + timedelta(days=7)).strftime("%Y-%m-%d")
    assert "One-time password (give it to the user; it is not shown again):" in added.stdout
    assert f"It expires at {expires}" in added.stdout
    assert "UTC (7 days)" in added.stdout


def test_the_migration_gives_outstanding_one_time_passwords_an_expiry(
    fresh_database_url: str,
) -> None:
    engine = make_engine(fresh_database_url)
    try:
        migrate.downgrade(engine, "0007")
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO organisations (id, name, ukprn, kind, active, created_at) "
                    "VALUES (1, 'College', '10000001', 'provider', :t, :now)"
                ),
                {"t": True, "now": utcnow().replace(tzinfo=None)},
            )
            for n, change in ((1, True), (2, False)):
                conn.execute(
                    text(
                        "INSERT INTO users (id, organisation_id, email, display_name, role, "
                        "active, created_at, password_change_required) "
                        "VALUES (:n, 1, :email, 'X', 'admin', :t, :now, :change)"
                    ),
                    {
                        "n": n,
                        "email": f"user{n}@example.org",
                        "t": True,
                        "now": utcnow().replace(tzinfo=None),
                        "change": change,
                    },
                )
        migrate.upgrade(engine)
        db = Database(engine)
        with db.unit_of_work() as uow:
            one_time = _user(uow.session, 1)
            chosen = _user(uow.session, 2)
            assert one_time.password_expires_at is not None
            assert one_time.password_expires_at - utcnow() > timedelta(days=6, hours=23)
            assert chosen.password_expires_at is None
        migrate.check(engine)
    finally:
        engine.dispose()
