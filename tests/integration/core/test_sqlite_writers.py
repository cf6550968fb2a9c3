"""SQLite writers: a process's writers take turns, wait for another process's writer without
sleeping on after it has finished, give up after the busy timeout with "database is locked",
and always hand their turn on."""

from __future__ import annotations

import gc
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from open_lrs.core.db import make_engine
from open_lrs.core.sqlite import writers as writers_module
from open_lrs.core.sqlite.writers import begin_writing


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "writers.sqlite3"


@pytest.fixture
def engine(path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    yield engine
    engine.dispose()


@pytest.fixture
def short_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """A busy timeout of a third of a second, so that a writer left waiting fails quickly."""
    monkeypatch.setattr(writers_module, "SQLITE_BUSY_TIMEOUT_MS", 300)


def _rows(path: Path) -> list[int]:
    with sqlite3.connect(path) as conn:
        return [n for (n,) in conn.execute("SELECT n FROM t ORDER BY n")]


def _write(engine: Engine, n: int) -> None:
    """One write transaction through the engine, as a service's unit of work makes one."""
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})


def _other_process_writing(path: Path) -> sqlite3.Connection:
    """A connection of its own holding the write lock, as another process's writer would."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO t VALUES (-1)")
    return conn


def test_writers_in_one_process_take_turns_and_every_one_commits(
    engine: Engine, path: Path
) -> None:
    errors: list[BaseException] = []

    def write(thread: int) -> None:
        try:
            for i in range(25):
                _write(engine, thread * 100 + i)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert _rows(path) == sorted(t * 100 + i for t in range(8) for i in range(25))


def test_a_writer_waits_for_another_process_writer_then_writes(engine: Engine, path: Path) -> None:
    other = _other_process_writing(path)
    done = threading.Event()

    def write() -> None:
        _write(engine, 1)
        done.set()

    writer = threading.Thread(target=write)
    writer.start()
    assert not done.wait(0.3)  # still waiting for the lock the other writer holds
    assert _rows(path) == []
    other.execute("COMMIT")
    other.close()
    writer.join()
    assert done.is_set()
    assert _rows(path) == [-1, 1]


@pytest.mark.usefixtures("short_timeout")
def test_a_writer_gives_up_after_the_busy_timeout_and_hands_its_turn_on(
    engine: Engine, path: Path
) -> None:
    other = _other_process_writing(path)
    with pytest.raises(OperationalError, match="database is locked"):
        _write(engine, 1)
    other.execute("ROLLBACK")
    other.close()
    # Had the failed writer kept this process's turn, this one would time out waiting for it.
    _write(engine, 2)
    assert _rows(path) == [2]


@pytest.mark.usefixtures("short_timeout")
def test_the_turn_is_handed_on_by_a_rollback_and_by_a_connection_closed_mid_transaction(
    engine: Engine, path: Path
) -> None:
    def change_mind() -> None:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
            raise ValueError("changed my mind")

    with pytest.raises(ValueError, match="changed my mind"):
        change_mind()
    conn = engine.connect()
    conn.execute(text("INSERT INTO t VALUES (2)"))  # begins a transaction, never committed
    conn.close()
    _write(engine, 3)
    assert _rows(path) == [3]


@pytest.mark.usefixtures("short_timeout")
def test_one_connection_writes_again_after_a_commit_and_after_a_rollback(
    engine: Engine, path: Path
) -> None:
    with engine.connect() as conn:
        conn.execute(text("INSERT INTO t VALUES (1)"))
        conn.commit()
        conn.execute(text("INSERT INTO t VALUES (2)"))
        conn.rollback()
        conn.execute(text("INSERT INTO t VALUES (3)"))
        conn.commit()
    assert _rows(path) == [1, 3]


@pytest.mark.usefixtures("short_timeout")
def test_a_writer_that_failed_to_begin_hands_its_turn_on_before_its_connection_goes(
    engine: Engine, path: Path
) -> None:
    other = _other_process_writing(path)
    with engine.connect() as failed:
        with pytest.raises(OperationalError, match="database is locked"):
            failed.execute(text("INSERT INTO t VALUES (1)"))
        other.execute("ROLLBACK")
        other.close()
        _write(engine, 2)  # while the failed writer's connection is still out
    assert _rows(path) == [2]


@pytest.mark.usefixtures("short_timeout")
def test_the_turn_comes_back_from_a_connection_dropped_mid_transaction(
    engine: Engine, path: Path
) -> None:
    def forget() -> None:
        engine.connect().execute(text("INSERT INTO t VALUES (1)"))  # never closed

    forget()
    gc.collect()  # the pool takes the connection back; no rollback event says so
    _write(engine, 2)
    assert _rows(path) == [2]


def test_a_writer_waiting_for_its_turn_does_not_poll_the_lock(
    engine: Engine, path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_sleep = time.sleep
    polls: list[float] = []

    def sleep(seconds: float) -> None:
        polls.append(seconds)
        real_sleep(seconds)

    monkeypatch.setattr(writers_module.time, "sleep", sleep)
    first_writing, second_started = threading.Event(), threading.Event()

    def first() -> None:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
            first_writing.set()
            second_started.wait()
            real_sleep(0.3)  # the second writer waits all this while

    def second() -> None:
        first_writing.wait()
        second_started.set()
        _write(engine, 2)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert _rows(path) == [1, 2]
    # Polling SQLite's lock through those 0.3 s would have taken hundreds of looks; waiting
    # for the turn, the second writer looks only while the first one's COMMIT completes.
    assert len(polls) < 10


def test_an_error_that_is_not_a_busy_lock_is_raised_at_once(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sleeps: list[float] = []
    monkeypatch.setattr(writers_module.time, "sleep", sleeps.append)
    conn = sqlite3.connect(path, isolation_level=None)
    begin_writing(conn, timeout_s=30)
    with pytest.raises(sqlite3.OperationalError, match="within a transaction"):
        begin_writing(conn, timeout_s=30)
    assert sleeps == []  # no waiting: waiting would not make it succeed
    assert conn.execute("PRAGMA busy_timeout").fetchone() == (
        writers_module.SQLITE_BUSY_TIMEOUT_MS,
    )
    conn.close()


@pytest.mark.usefixtures("engine")
def test_a_writer_looks_for_the_lock_again_within_a_millisecond(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = _other_process_writing(path)
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 12:
            other.execute("COMMIT")

    monkeypatch.setattr(writers_module.time, "sleep", sleep)
    conn = sqlite3.connect(path, isolation_level=None)
    begin_writing(conn, timeout_s=30)
    conn.execute("ROLLBACK")
    assert len(sleeps) == 12
    assert sleeps[0] < 0.001
    assert max(sleeps) == writers_module.WRITER_POLL_MAX_S == 0.001
    other.close()
    conn.close()
