"""An SQLite engine's connections: write-ahead log, foreign keys, a larger cache, and every
write transaction begun with ``BEGIN IMMEDIATE``.

Almost every request writes (an audit row at least), and taking the write lock up front
avoids the deadlock-style "database is locked" errors that deferred transactions hit when
two of them try to upgrade from read to write at once. That, the pragmas and the JSON check
are needed for SQLite to be correct; the writers' turns and the checkpoint thread are tuning
(``tuned``), which can be switched off.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, event

from open_lrs.core.sqlite import checkpoints
from open_lrs.core.sqlite.writers import SQLITE_BUSY_TIMEOUT_MS, Writers

# A connection marked with this execution option reads a WAL snapshot without the write lock.
READ_ONLY = "lrs_read_only"

SQLITE_MMAP_BYTES = 1 << 30
SQLITE_CACHE_KIB = 65_536


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


def _pragmas(dbapi_connection: Any) -> None:
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


def configure(engine: Engine, path: Path | None, *, tuned: bool = True) -> None:
    """Set up ``engine``'s connections. ``tuned``: this process's writers take turns and poll
    for the lock (``writers``), and a thread checkpoints the log (``checkpoints``); without
    it, writers wait in SQLite's own busy handler and commits checkpoint as SQLite does."""
    writers = Writers() if tuned else None
    if writers is not None and path is not None:
        checkpoints.watch(engine, path, writers.turn)
    event.listen(engine, "connect", lambda dbapi_connection, _record: _pragmas(dbapi_connection))

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # Writers take the lock up front so that two transactions never deadlock upgrading
        # a read lock; connections marked read-only read a WAL snapshot without waiting.
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN")
        elif writers is not None:
            writers.begin(connection)
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    if writers is None:
        return
    turns = writers
    event.listen(engine, "commit", lambda connection: turns.done(connection.info))
    event.listen(engine, "rollback", lambda connection: turns.done(connection.info))
    # A connection given back to the pool inside a transaction.
    event.listen(engine, "checkin", lambda _dbapi_connection, record: turns.done(record.info))
