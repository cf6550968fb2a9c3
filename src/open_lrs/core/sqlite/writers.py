"""SQLite's one write lock, taken in turns within a process and polled for briefly across
processes (README.md beside this file says why, with the figures)."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError

# How long a writer waits for the write lock, in all, before "database is locked"; and how
# often it looks again while another process holds it: at first often, then every millisecond.
SQLITE_BUSY_TIMEOUT_MS = 30_000
WRITER_POLL_FIRST_S = 0.000_05
WRITER_POLL_MAX_S = 0.001


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


class Writers:
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
