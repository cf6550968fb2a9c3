"""Database plumbing: the declarative base, portable column types, engines and the unit of work.

The same models run on the embedded SQLite default and on PostgreSQL. What only SQLite needs
(``BEGIN IMMEDIATE``, its pragmas, writers' turns, checkpoints off the request path) is
fenced in ``core.sqlite``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    BigInteger,
    DateTime,
    Engine,
    Integer,
    MetaData,
    create_engine,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from open_lrs.core.sqlite import connections as sqlite
from open_lrs.core.sqlite.connections import READ_ONLY
from open_lrs.core.sqlite.writers import SQLITE_BUSY_TIMEOUT_MS

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# 64-bit keys on PostgreSQL; SQLite only auto-increments a column declared plain INTEGER.
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite stores it naive, in UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def drop_database(admin: Engine, name: str, *, attempts: int = 30, pause: float = 2.0) -> None:
    """Drop a PostgreSQL database (a test's or a benchmark's throw-away one). FORCE ends our
    own sessions, but not an autovacuum worker still busy with rows just written, which a
    role that is not a superuser may not end: wait for it, then raise the last error."""
    for attempt in range(attempts):
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except DBAPIError:
            if attempt == attempts - 1:
                raise
            time.sleep(pause)


def make_engine(url: str, *, echo: bool = False, sqlite_tuned: bool = True) -> Engine:
    """An engine for ``url``. On SQLite, ``sqlite_tuned`` adds the writers' turns and the
    checkpoint thread (``core.sqlite``; ``LRS_SQLITE_TUNED``)."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        on_disk = bool(path) and path != ":memory:" and not path.startswith("file:")
        if on_disk:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # LIFO: the connection used last is the next one handed out, so a quiet server keeps
        # reusing the one whose page cache is warm (FIFO cycled through all of them).
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            pool_use_lifo=True,
        )
        sqlite.configure(engine, Path(path) if on_disk else None, tuned=sqlite_tuned)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=10)


class Database:
    """Owns the engine and hands out sessions; one per process."""

    def __init__(self, engine: Engine, session_factory: sessionmaker[Session] | None = None):
        self.engine = engine
        self.session_factory = session_factory or sessionmaker(
            engine, expire_on_commit=False, autoflush=False
        )

    @classmethod
    def from_url(cls, url: str, *, echo: bool = False, sqlite_tuned: bool = True) -> Database:
        return cls(make_engine(url, echo=echo, sqlite_tuned=sqlite_tuned))

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory)


class UnitOfWork:
    """A transaction boundary owned by the service layer: commit once, or roll back.

    Repositories and routes never commit; a service function does ``with uow: ...;
    uow.commit()``. Leaving the block without committing rolls everything back, so a
    failure half-way leaves nothing half-written.

    Blocks nest: a service function called inside another's block (a batch worker's chunk
    registering its rows, a feed load filing its awards) opens its own ``with uow:`` and
    commits as usual, but only the outermost block owns the transaction. An inner block's
    ``commit`` commits nothing and its exit rolls nothing back: the outermost block commits
    everything once, or rolls everything back. So every service function checks its own
    permission and runs its own block, whoever calls it, and there is one way to write one.
    """

    def __init__(self, session_factory: sessionmaker[Session]):
        self._factory = session_factory
        self._session: Session | None = None
        self._depth = 0

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("unit of work used outside its 'with' block")
        return self._session

    @property
    def nested(self) -> bool:
        """Whether the current block runs inside another (which owns the transaction)."""
        return self._depth > 1

    def __enter__(self) -> UnitOfWork:
        if self._depth == 0:
            self._session = self._factory()
        self._depth += 1
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._session is not None
        self._depth -= 1
        if self._depth:
            return
        try:
            self._session.rollback()
        finally:
            self._session.close()
            self._session = None

    def begin_read_only(self) -> None:
        """Begin this unit's next transaction as a reader. On SQLite a reader reads a WAL
        snapshot and takes no write lock, so concurrent searches do not queue behind each
        other; writing in such a transaction fails. Elsewhere it changes nothing. Inside
        another block the transaction is the outer one's, already begun: nothing changes."""
        if not self.nested:
            self.session.connection(execution_options={READ_ONLY: True})

    def end_reading(self) -> None:
        """End a read-only start before writing: on SQLite commit (a reader cannot write);
        elsewhere carry on in the same transaction, saving a round trip."""
        if not self.nested and self.session.get_bind().dialect.name == "sqlite":
            self.session.commit()

    def commit(self) -> None:
        """Commit, in the outermost block; in an inner one, leave it to the outermost."""
        if not self.nested:
            self.session.commit()

    def flush(self) -> None:
        self.session.flush()


@contextmanager
def connect(url: str) -> Iterator[Engine]:
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()
