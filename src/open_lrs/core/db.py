"""Database plumbing: the declarative base, portable column types, engines and the unit of work.

The same models run on the embedded SQLite default and on PostgreSQL. SQLite is driven in
"manual BEGIN" mode so that every transaction starts with ``BEGIN IMMEDIATE``: almost every
request writes (an audit row at least), and taking the write lock up front avoids the
deadlock-style "database is locked" errors that deferred transactions hit when two of them
try to upgrade from read to write at once. A process's writers take turns (``_Writers``)
before they ask SQLite for its lock, and a thread copies the write-ahead log back into the
database file so that no request waits for it (``core.checkpoints``).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    DateTime,
    Engine,
    Integer,
    MetaData,
    create_engine,
    event,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from open_lrs.core import checkpoints

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


READ_ONLY = "lrs_read_only"


SQLITE_MMAP_BYTES = 1 << 30
SQLITE_CACHE_KIB = 65_536
# How long a writer waits for the write lock, in all, before "database is locked"; and how
# often it looks again while another process holds it: at first often, then every millisecond.
SQLITE_BUSY_TIMEOUT_MS = 30_000
WRITER_POLL_FIRST_S = 0.000_05
WRITER_POLL_MAX_S = 0.001


def check_sqlite_json(cursor: Any) -> None:
    """Refuse a connection to an SQLite without the JSON functions a search binds its keys
    with (matching.store): built in since SQLite 3.38, a build option before that which most
    systems' builds include. Better refused at start than failing at the first search."""
    try:
        cursor.execute("SELECT json_extract(value, '$[0]') FROM json_each('[[1]]')")
    except sqlite3.OperationalError as exc:
        raise RuntimeError(
            f"the SQLite in this Python ({sqlite3.sqlite_version}) has no JSON functions "
            "(json_each, json_extract), which searches need: use a Python whose SQLite has "
            "them (3.38 or later always does) or PostgreSQL (LRS_DATABASE_URL)"
        ) from exc


def begin_writing(dbapi_connection: sqlite3.Connection, timeout_s: float) -> None:
    """BEGIN IMMEDIATE, waiting up to ``timeout_s`` for the write lock and looking again every
    millisecond at most. SQLite's own wait sleeps 1, 2, 5, 10... then 100 ms between looks,
    so a writer that had just missed the lock slept on long after it was free: with eight
    clients registering at once over HTTP, one registration in twenty took over 130 ms and
    one in a hundred over half a second (docs/performance.md)."""
    deadline = time.monotonic() + timeout_s
    pause = WRITER_POLL_FIRST_S
    dbapi_connection.execute("PRAGMA busy_timeout=0")
    try:
        while True:
            try:
                dbapi_connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                busy = exc.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY
                if not busy or time.monotonic() >= deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, WRITER_POLL_MAX_S)
    finally:
        dbapi_connection.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")


class _Writers:
    """One SQLite writer at a time in this process: the others wait their turn on a lock,
    each woken as soon as the one before it has finished, rather than all polling SQLite's
    lock; only the writer whose turn it is polls it (``begin_writing``), for as long as a
    writer in another process holds it. The turn is handed on as the COMMIT or ROLLBACK is
    sent (SQLAlchemy has no event after it), so the next writer may poll for a moment."""

    _HOLDS = "lrs_writer_turn"  # in a connection's info: it holds this process's turn

    def __init__(self) -> None:
        self._turn = threading.Lock()

    def begin(self, connection: Connection) -> None:
        timeout_s = SQLITE_BUSY_TIMEOUT_MS / 1000  # for the turn and the lock together
        deadline = time.monotonic() + timeout_s
        try:
            if not self._turn.acquire(timeout=timeout_s):
                raise sqlite3.OperationalError("database is locked (a writer in this process)")
            connection.info[self._HOLDS] = True
            dbapi = connection.connection.driver_connection
            assert isinstance(dbapi, sqlite3.Connection)
            begin_writing(dbapi, max(deadline - time.monotonic(), 0))
        except BaseException as exc:
            self.done(connection.info)
            if isinstance(exc, sqlite3.Error):
                # As SQLAlchemy reports a database's errors (the event is outside its wrapping).
                raise OperationalError("BEGIN IMMEDIATE", None, exc) from exc
            raise

    def done(self, info: dict[Any, Any]) -> None:
        if info.pop(self._HOLDS, False):
            self._turn.release()

    @contextmanager
    def turn(self, timeout_s: float) -> Iterator[bool]:
        """This process's writers held back, for work that no writer may interleave with (a
        checkpoint that restarts the log): whether they were, within ``timeout_s``."""
        had = self._turn.acquire(timeout=timeout_s)
        try:
            yield had
        finally:
            if had:
                self._turn.release()


def _configure_sqlite(engine: Engine, path: Path | None) -> None:
    writers = _Writers()
    if path is not None:
        checkpoints.watch(engine, path, writers.turn)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Searches read a few pages scattered over a large file: map it into memory and keep
        # a bigger page cache, so a read is a memory access rather than a system call.
        cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        check_sqlite_json(cursor)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # Writers take the lock up front so that two transactions never deadlock upgrading
        # a read lock; connections marked read-only read a WAL snapshot without waiting.
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN")
        else:
            writers.begin(connection)

    @event.listens_for(engine, "commit")
    def _on_commit(connection: Connection) -> None:
        writers.done(connection.info)

    @event.listens_for(engine, "rollback")
    def _on_rollback(connection: Connection) -> None:
        writers.done(connection.info)

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        writers.done(record.info)  # given back to the pool inside a transaction


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


def make_engine(url: str, *, echo: bool = False) -> Engine:
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
        _configure_sqlite(engine, Path(path) if on_disk else None)
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
    def from_url(cls, url: str, *, echo: bool = False) -> Database:
        return cls(make_engine(url, echo=echo))

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory)


class UnitOfWork:
    """A transaction boundary owned by the service layer: commit once, or roll back.

    Repositories and routes never commit; a service function does ``with uow: ...;
    uow.commit()``. Leaving the block without committing rolls everything back, so a
    failure half-way leaves nothing half-written.
    """

    def __init__(self, session_factory: sessionmaker[Session]):
        self._factory = session_factory
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("unit of work used outside its 'with' block")
        return self._session

    def __enter__(self) -> UnitOfWork:
        self._session = self._factory()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._session is not None
        try:
            self._session.rollback()
        finally:
            self._session.close()
            self._session = None

    def begin_read_only(self) -> None:
        """Begin this unit's next transaction as a reader. On SQLite a reader reads a WAL
        snapshot and takes no write lock, so concurrent searches do not queue behind each
        other; writing in such a transaction fails. Elsewhere it changes nothing."""
        self.session.connection(execution_options={READ_ONLY: True})

    def end_reading(self) -> None:
        """End a read-only start before writing: on SQLite commit (a reader cannot write);
        elsewhere carry on in the same transaction, saving a round trip."""
        if self.session.get_bind().dialect.name == "sqlite":
            self.session.commit()

    def commit(self) -> None:
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
