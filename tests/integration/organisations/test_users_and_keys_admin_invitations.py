"""An organisation's administrators invite users with one-time passwords that expire; so do the
CLI and the migration that brought in the expiry."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from open_lrs.core import migrate
from open_lrs.core.clock import utcnow
from open_lrs.core.db import Database, make_engine
from open_lrs.core.errors import AlreadyExists, ValidationFailed
from open_lrs.core.security import verify_password
from open_lrs.organisations import users
from tests.conftest import OrgFactory, new_ukprn
from tests.integration.organisations.admin_helpers import PASSWORD, People, audit_of, user_of

LRS = str(Path(sys.executable).with_name("lrs"))


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
        stored = user_of(uow.session, issued.user.id)
        assert stored.organisation_id == admin.organisation_id
        assert stored.password_hash is not None
        assert stored.password_hash != issued.password
        assert verify_password(issued.password, stored.password_hash)
        assert stored.password_expires_at == issued.expires_at
    assert audit_of(db, admin, "users.manage") == [
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
            one_time = user_of(uow.session, 1)
            chosen = user_of(uow.session, 2)
            assert one_time.password_expires_at is not None
            assert one_time.password_expires_at - utcnow() > timedelta(days=6, hours=23)
            assert chosen.password_expires_at is None
        migrate.check(engine)
    finally:
        engine.dispose()
