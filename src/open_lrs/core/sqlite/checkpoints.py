"""SQLite's write-ahead log copied back into the database by a thread of its own, not by a
request.

SQLite appends every commit to a write-ahead log (WAL) and copies the log back into the
database file from time to time: a checkpoint. Left to itself, SQLite makes the commit that
takes the log past 1,000 pages do it, and that commit waits while about 4 MB are copied and
two ``fsync`` calls return: 5 to 9 ms on the development machine, for one search in about 180
and one registration in about 40 (docs/performance.md). Here a thread does it instead:

- it copies what the log holds into the database (a PASSIVE checkpoint, which waits for no
  reader and no writer), every ``CHECKPOINT_EVERY_S`` under load and less often while
  little is written: each copy ends with two ``fsync`` calls, which are not worth making
  for a few pages twenty times a second. It aims at ``COPY_BATCH_PAGES`` pages a copy,
  waiting ``CHECKPOINT_IDLE_S`` at most;
- once the log holds ``RESTART_AT_PAGES`` pages it also makes SQLite start the log again from
  its beginning (a RESTART checkpoint). Copying alone is not enough: the log starts again
  only when everything in it has been copied as a writer begins, and under unbroken load new
  commits land while the thread copies, so the log would grow without end, and every read
  looks pages up in it. A RESTART holds writers back while it copies the few pages committed
  since a second PASSIVE copy just before it, and waits ``RESTART_WAIT_MS`` at most for
  another process's writer and then for readers to finish: a long reader makes it give up,
  and the next try waits twice as long as the last, up to ``RESTART_PAUSE_MAX_S``. This
  process's writers wait their turn behind it (it waits ``RESTART_TURN_WAIT_S`` at most for
  theirs), else each would hand SQLite's write lock straight to the next and a RESTART would
  hardly ever get it.

The application's connections keep SQLite's own checkpoint, at
``FALLBACK_AUTOCHECKPOINT_PAGES``, in case the thread falls behind. One thread per engine,
started by its first connection; it ends when the engine is disposed or garbage-collected,
or when the database file is gone. Of the threads of all the processes that use one
database, one checkpoints it at a time (``Election``).
"""

from __future__ import annotations

import atexit
import fcntl
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

from open_lrs.core.logging import get_logger

CHECKPOINT_EVERY_S = 0.05
CHECKPOINT_IDLE_S = 0.25
COPY_BATCH_PAGES = 1000
RESTART_AT_PAGES = 2000
RESTART_WAIT_MS = 10
RESTART_TURN_WAIT_S = 1.0
RESTART_PAUSE_MAX_S = 1.0
FALLBACK_AUTOCHECKPOINT_PAGES = 10_000
THREAD_NAME = "lrs-sqlite-checkpoints"

log = get_logger("open_lrs.checkpoints")


@dataclass(frozen=True)
class Checkpoint:
    """One round: the pages in the log and how many are in the database file now (as SQLite
    reports them, -1 when the database is not in WAL mode), and whether the log was made to
    start again, or that was tried and readers or a writer kept it from happening."""

    log_pages: int
    copied_pages: int
    restarted: bool = False
    restart_busy: bool = False


# This process's writers held back for at most so many seconds: whether they were
# (``db._Writers.turn``).
WritersTurn = Callable[[float], AbstractContextManager[bool]]


class LogKeeper:
    """The checkpoints of one database file: a PASSIVE copy each round, and a RESTART when
    the log is long, backing off while readers keep a RESTART from finishing. ``round`` is
    called by the thread; tests call it directly."""

    def __init__(self, connection: sqlite3.Connection, writers_turn: WritersTurn) -> None:
        self.connection = connection
        self._writers_turn = writers_turn
        self._restart_pause = CHECKPOINT_EVERY_S
        self._restart_not_before = 0.0
        self._log_pages = 0  # as the last checkpoint reported it
        self.pause = CHECKPOINT_EVERY_S  # before the next round

    def round(self, now: float) -> Checkpoint:
        _, log_pages, copied = self._checkpoint("PASSIVE")
        before, self._log_pages = self._log_pages, log_pages
        self._pace(log_pages - before if log_pages >= before else log_pages)
        if log_pages < RESTART_AT_PAGES or now < self._restart_not_before:
            return Checkpoint(log_pages, copied)
        # Copy again what came while copying, so that the RESTART has little left to copy
        # while it holds writers back.
        _, log_pages, copied = self._checkpoint("PASSIVE")
        # The RESTART waits in SQLite's busy handler for the write lock and then for readers,
        # holding the write lock meanwhile: were it to let go and try again, another
        # process's writers would slip in every time. (A PASSIVE checkpoint never waits.)
        self.connection.execute(f"PRAGMA busy_timeout={RESTART_WAIT_MS}")
        busy = True
        with self._writers_turn(RESTART_TURN_WAIT_S) as held_back:
            if held_back:
                busy, log_pages, copied = self._checkpoint("RESTART")
        self._log_pages = log_pages
        if busy:
            self._restart_pause = min(self._restart_pause * 2, RESTART_PAUSE_MAX_S)
            self._restart_not_before = now + self._restart_pause
            return Checkpoint(log_pages, copied, restart_busy=True)
        self._restart_pause = CHECKPOINT_EVERY_S
        return Checkpoint(log_pages, copied, restarted=True)

    def _pace(self, written: int) -> None:
        """The pause before the next round, such that it copies about ``COPY_BATCH_PAGES``
        if pages keep coming as they came since the last (the log's growth, or its length
        when it has started again)."""
        pause = self.pause * COPY_BATCH_PAGES / max(written, 1)
        self.pause = min(max(pause, CHECKPOINT_EVERY_S), CHECKPOINT_IDLE_S)

    def _checkpoint(self, mode: str) -> tuple[bool, int, int]:
        """One checkpoint: whether readers, a writer or another connection's checkpoint kept
        it from doing all it was asked, the pages in the log, and how many are copied."""
        busy, log_pages, copied = self.connection.execute(
            f"PRAGMA wal_checkpoint({mode})"
        ).fetchone()
        return bool(busy), int(log_pages), int(copied)


def open_for_checkpoints(path: Path) -> sqlite3.Connection:
    """A connection of the checkpointer's own to an existing database file (never creating
    one)."""
    uri = f"{path.resolve().as_uri()}?mode=rw"
    return sqlite3.connect(uri, uri=True, timeout=0, isolation_level=None, check_same_thread=False)


class Checkpointer:
    """The thread that keeps one engine's log, started by the engine's first connection (and
    again in a forked child, or after the engine was disposed and is used again)."""

    def __init__(self, path: Path, writers_turn: WritersTurn) -> None:
        self.path = path
        self._writers_turn = writers_turn
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        with self._lock:
            if self.running:
                return
            self._stop = threading.Event()
            self._thread = threading.Thread(
                target=_keep,
                args=(self.path, self._writers_turn, self._stop),
                name=THREAD_NAME,
                daemon=True,
            )
            self._thread.start()
            _RUNNING.add(self)

    def stop(self, *, wait: bool = True) -> None:
        """Stop the thread; ``wait``: until it has closed its connection."""
        with self._lock:
            self._stop.set()
            thread, self._thread = self._thread, None
            _RUNNING.discard(self)
        if wait and thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)


class Election:
    """Whether this thread is the one, of all the processes' (the server's workers, the batch
    worker, a CLI import), that checkpoints a database: the one holding a lock (``flock``)
    on the empty file ``<database>-checkpoints`` beside it. Several would copy the same pages,
    each with its own ``fsync`` calls, and hold one another up. The lock ends with its holder
    (its thread, its process), and another thread takes over at its next look."""

    def __init__(self, path: Path) -> None:
        self.file = path.with_name(f"{path.name}-checkpoints")
        self._fd: int | None = None

    def won(self) -> bool:
        if self._fd is None:
            fd = os.open(self.file, os.O_RDONLY | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                return False
            self._fd = fd
        return True

    def resign(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # and with it the lock
            self._fd = None


def _keep(path: Path, writers_turn: WritersTurn, stop: threading.Event) -> None:
    """The thread's work. It holds no reference to the engine, so that the engine can be
    garbage-collected, which stops the thread (``watch``). While another process's thread
    checkpoints the database, it looks every ``CHECKPOINT_IDLE_S`` whether it still does."""
    keeper: LogKeeper | None = None
    election = Election(path)
    pause = CHECKPOINT_EVERY_S
    try:
        while not stop.wait(pause):
            if not path.exists():
                log.debug("sqlite_checkpoints_ended", reason="database file gone")
                return
            try:
                if not election.won():
                    pause = CHECKPOINT_IDLE_S
                    continue
                keeper = keeper or LogKeeper(open_for_checkpoints(path), writers_turn)
                keeper.round(time.monotonic())
                pause = keeper.pause
            except (sqlite3.Error, OSError) as exc:
                log.warning("sqlite_checkpoint_failed", error=str(exc))
                if keeper is not None:
                    keeper.connection.close()
                    keeper = None
                pause = min(pause * 2, RESTART_PAUSE_MAX_S)
    finally:
        if keeper is not None:
            keeper.connection.close()
        election.resign()


_RUNNING: weakref.WeakSet[Checkpointer] = weakref.WeakSet()


@atexit.register
def _stop_all() -> None:
    """Close the checkpointers' connections at exit, so that SQLite can tidy up its log."""
    for checkpointer in list(_RUNNING):
        checkpointer.stop()


def watch(engine: Engine, path: Path, writers_turn: WritersTurn) -> Checkpointer:
    """Keep ``engine``'s log from its first connection on: the connections leave checkpoints
    to the thread, but for the fallback."""
    checkpointer = Checkpointer(path, writers_turn)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA wal_autocheckpoint={FALLBACK_AUTOCHECKPOINT_PAGES}")
        checkpointer.start()

    @event.listens_for(engine, "engine_disposed")
    def _on_disposed(_engine: Engine) -> None:
        checkpointer.stop()

    # Not at exit, where ``_stop_all`` waits for the thread to close its connection.
    weakref.finalize(engine, checkpointer.stop, wait=False).atexit = False
    return checkpointer
