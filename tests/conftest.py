"""Shared fixtures: every database test runs on SQLite and, when LRS_TEST_POSTGRES_URL is set
(``make test`` and CI set it), on PostgreSQL too.

Isolation as Warehouse does it: each backend is migrated once per session, and each test runs
inside an outer transaction that is rolled back, so services that commit only release a
savepoint. Tests that need real commits (concurrency, subprocesses) use ``fresh_database_url``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from open_lrs.core import migrate
from open_lrs.core.db import Database, drop_database, make_engine
from open_lrs.core.security import Actor
from open_lrs.organisations import service as orgs

POSTGRES_URL = os.environ.get("LRS_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]
SHARED = Path(__file__).resolve().parents[2] / "shared"


def _reset_postgres(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def engine(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    else:
        assert POSTGRES_URL is not None
        url = POSTGRES_URL
        _reset_postgres(url)
    eng = make_engine(url)
    migrate.upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Database]:
    connection = engine.connect()
    outer = connection.begin()
    factory = sessionmaker(
        bind=connection,
        expire_on_commit=False,
        autoflush=False,
        join_transaction_mode="create_savepoint",
    )
    yield Database(engine, factory)
    outer.rollback()
    connection.close()


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    s = db.session_factory()
    yield s
    s.close()


def new_ukprn() -> str:
    # Unique across a session and across backends' leftovers: high digits from a uuid.
    return f"{uuid.uuid4().int % 90_000_000 + 10_000_000:08d}"


class OrgFactory:
    def __init__(self, db: Database):
        self.db = db

    def __call__(self, kind: str = "provider", name: str | None = None) -> tuple[Actor, str]:
        created = orgs.create_organisation(
            self.db.unit_of_work(), name=name or f"Test {kind}", ukprn=new_ukprn(), kind=kind
        )
        actor = orgs.authenticate(self.db.unit_of_work(), created.api_key)
        return actor, created.api_key


@pytest.fixture
def make_org(db: Database) -> OrgFactory:
    return OrgFactory(db)


@pytest.fixture
def fresh_database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A new, migrated, empty database whose commits are real (dropped afterwards)."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        eng = make_engine(url)
        migrate.upgrade(eng)
        eng.dispose()
        yield url
        return
    assert POSTGRES_URL is not None
    name = f"lrs_fresh_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    eng = make_engine(url)
    migrate.upgrade(eng)
    eng.dispose()
    yield url
    drop_database(admin, name)
    admin.dispose()
