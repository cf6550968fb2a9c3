"""SQLite checkpoints off the request path: a thread per engine copies the write-ahead log into
the database and makes the log start again once it is long, even while readers come and go,
holding writers back only briefly and backing off while a reader stays; the thread starts
with the engine's first connection and ends with the engine."""

from __future__ import annotations

import gc
import itertools
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from open_lrs.core.db import make_engine
from open_lrs.core.sqlite import checkpoints
from open_lrs.core.sqlite.checkpoints import Checkpoint, LogKeeper
from open_lrs.core.sqlite.writers import Writers

ROW = "x" * 2000  # about half a page: each commit writes a page or two


@pytest.fixture
def path(tmp_path: Path) -> Path:
    path = tmp_path / "log.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE t (n INTEGER, filler TEXT)")
    conn.close()
    return path


def _writer(path: Path) -> sqlite3.Connection:
    """A writer of its own (another process's, say), which leaves checkpoints to others."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA wal_autocheckpoint=0")
    return conn


def _commit(conn: sqlite3.Connection, n: int = 1) -> None:
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany("INSERT INTO t VALUES (?, ?)", [(i, ROW) for i in range(n)])
    conn.execute("COMMIT")


def _reading(path: Path) -> sqlite3.Connection:
    """A reader in the middle of a read transaction: it reads the snapshot of its start."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("BEGIN")
    conn.execute("SELECT count(*) FROM t").fetchone()
    return conn


def _log_pages(path: Path) -> int:
    """How many pages the log holds (a PASSIVE checkpoint reports it, copying them too)."""
    with sqlite3.connect(path) as conn:
        return int(conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1])


def _wal_pages(path: Path) -> int:
    """How long the log has ever been since the file was made (starting again reuses it)."""
    return (path.parent / f"{path.name}-wal").stat().st_size // 4096


@pytest.fixture
def keeper(path: Path) -> Iterator[LogKeeper]:
    keeper = LogKeeper(checkpoints.open_for_checkpoints(path), Writers().turn)
    yield keeper
    keeper.connection.close()


def test_a_round_copies_the_log_while_a_writer_holds_the_write_lock(
    path: Path, keeper: LogKeeper
) -> None:
    writer = _writer(path)
    for _ in range(20):
        _commit(writer)
    other = _writer(path)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO t VALUES (-1, 'still writing')")
    result = keeper.round(now=0.0)
    assert result.log_pages >= 20
    assert result == Checkpoint(result.log_pages, result.log_pages)  # all copied, no restart
    other.execute("COMMIT")
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM t").fetchone() == (21,)
    writer.close()
    other.close()


def test_the_keeper_copies_less_often_while_little_is_written(
    path: Path, keeper: LogKeeper
) -> None:
    batch, idle = checkpoints.COPY_BATCH_PAGES, checkpoints.CHECKPOINT_IDLE_S
    writer = _writer(path)
    assert keeper.pause == checkpoints.CHECKPOINT_EVERY_S == 0.05
    keeper.round(now=0.0)
    assert keeper.pause == idle == 0.25  # nothing written: four times a second
    _commit(writer, n=20)
    before = keeper.round(now=0.25).log_pages
    assert keeper.pause == idle  # a few pages
    _commit(writer, n=4 * batch)  # about two batches' worth in that quarter of a second
    written = keeper.round(now=0.5).log_pages - before
    assert written > 1.5 * batch
    assert keeper.pause == pytest.approx(idle * batch / written)  # in time for a batch
    _commit(writer, n=40 * batch)
    keeper.round(now=0.75)
    assert keeper.pause == 0.05  # under load, as often as ever
    writer.close()


def _grow_while_readers_come_and_go(path: Path, writer: sqlite3.Connection, rounds: int) -> None:
    """Commits, each while a reader that began before the log was last copied is still
    reading: as under unbroken load, where there always is one."""
    _commit(writer)
    for _ in range(rounds):
        reader = _reading(path)
        _log_pages(path)  # the log copied, all of it
        _commit(writer)
        reader.execute("COMMIT")
        reader.close()


@dataclass(frozen=True)
class LongLog:
    writers: Writers  # this process's writers' turns
    keeper: LogKeeper
    writer: sqlite3.Connection


@pytest.fixture
def long_log(path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LongLog]:
    """A log long enough to restart, with a keeper of this process's."""
    monkeypatch.setattr(checkpoints, "RESTART_AT_PAGES", 10)
    writers = Writers()
    keeper = LogKeeper(checkpoints.open_for_checkpoints(path), writers.turn)
    writer = _writer(path)
    _grow_while_readers_come_and_go(path, writer, rounds=20)
    yield LongLog(writers, keeper, writer)
    keeper.connection.close()
    writer.close()


def test_a_long_log_starts_again_though_copying_alone_never_lets_it(
    path: Path, long_log: LongLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkpoints, "RESTART_WAIT_MS", 5000)
    # Copied every time, yet never started again: the file holds every page written.
    assert _wal_pages(path) > 20
    # A RESTART waits for the readers of the old log to finish (this one, in a moment), so
    # that the next writer starts the log again from its beginning.
    reader = _reading(path)
    ending = threading.Event()

    def reader_ends() -> None:
        ending.set()
        reader.execute("COMMIT")

    threading.Timer(0.2, reader_ends).start()
    result = long_log.keeper.round(now=0.0)
    assert ending.is_set()  # it waited for the reader
    assert result.restarted
    _commit(long_log.writer)
    assert _log_pages(path) <= 3  # that commit's pages alone
    reader.close()


def test_a_reader_that_stays_holds_back_writers_briefly_and_the_restart_backs_off(
    path: Path, long_log: LongLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkpoints, "RESTART_WAIT_MS", 1)
    monkeypatch.setattr(checkpoints, "RESTART_PAUSE_MAX_S", 0.3)
    keeper, writer = long_log.keeper, long_log.writer
    reader = _reading(path)
    assert keeper.round(now=100.0).restart_busy
    writer.execute("PRAGMA busy_timeout=0")
    _commit(writer)  # the write lock is free again at once
    # Tries again after 0.1 s, then 0.2, then every 0.3 s (the most), while the reader stays.
    tried = [
        t for t in (100.05, 100.1, 100.29, 100.3, 100.59, 100.6) if keeper.round(t).restart_busy
    ]
    assert tried == [100.1, 100.3, 100.6]
    reader.execute("COMMIT")
    assert keeper.round(now=100.6).log_pages > 10  # not before 100.9
    assert keeper.round(now=100.9).restarted
    # After a restart, a reader that stays is tried again after 0.1 s once more.
    _grow_while_readers_come_and_go(path, writer, rounds=20)
    reader = _reading(path)
    assert keeper.round(now=200.0).restart_busy
    assert keeper.round(now=200.1).restart_busy
    reader.execute("COMMIT")
    reader.close()


def test_this_process_s_writers_wait_while_the_log_restarts(
    path: Path, long_log: LongLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkpoints, "RESTART_WAIT_MS", 5000)
    reader = _reading(path)
    seen: list[bool] = []

    def a_writer_comes() -> None:
        with long_log.writers.turn(0) as had:  # a writer of this process, looking for its turn
            seen.append(had)
        reader.execute("COMMIT")

    threading.Timer(0.2, a_writer_comes).start()
    assert long_log.keeper.round(now=0.0).restarted
    assert seen == [False]  # the RESTART, waiting for the reader, had the writers' turn
    with long_log.writers.turn(0) as had:
        assert had  # and handed it back
    reader.close()


def test_a_restart_waits_for_this_process_s_writer_to_finish(
    long_log: LongLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkpoints, "RESTART_TURN_WAIT_S", 0.05)
    with long_log.writers.turn(0) as had:  # a writer of this process is in the middle of writing
        assert had
        assert long_log.keeper.round(now=0.0).restart_busy
    assert long_log.keeper.round(now=1.0).restarted


def _checkpoint_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == checkpoints.THREAD_NAME]


def _connect(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


def test_an_engine_leaves_checkpoints_to_a_thread_from_its_first_connection(path: Path) -> None:
    before = _checkpoint_threads()
    engine = make_engine(f"sqlite:///{path}")
    assert _checkpoint_threads() == before  # not until it connects
    with engine.connect() as conn:
        fallback = conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
        assert fallback == checkpoints.FALLBACK_AUTOCHECKPOINT_PAGES
    [thread] = [t for t in _checkpoint_threads() if t not in before]
    engine.dispose()
    assert not thread.is_alive()
    _connect(engine)  # used again after all
    [again] = [t for t in _checkpoint_threads() if t not in before]
    assert again.is_alive()
    engine.dispose()
    assert not again.is_alive()


def test_the_thread_ends_with_its_engine_when_it_is_garbage_collected(path: Path) -> None:
    before = _checkpoint_threads()
    engine = make_engine(f"sqlite:///{path}")
    _connect(engine)
    [thread] = [t for t in _checkpoint_threads() if t not in before]
    del engine
    gc.collect()
    thread.join(timeout=10)
    assert not thread.is_alive()


def test_the_thread_ends_when_the_database_file_is_gone(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkpoints, "CHECKPOINT_EVERY_S", 0.01)
    before = _checkpoint_threads()
    engine = make_engine(f"sqlite:///{path}")
    _connect(engine)
    [thread] = [t for t in _checkpoint_threads() if t not in before]
    engine.dispose()  # the pool's connections closed; the thread must not make a new file
    checkpoints.Checkpointer(path, Writers().turn).start()
    for leftover in path.parent.glob(f"{path.name}*"):
        leftover.unlink()
    [restarted] = [t for t in _checkpoint_threads() if t not in before and t is not thread]
    restarted.join(timeout=10)
    assert not restarted.is_alive()
    assert not path.exists()


@dataclass(frozen=True)
class Round:
    thread: threading.Thread
    now: float
    result: Checkpoint


def _record_rounds(monkeypatch: pytest.MonkeyPatch) -> list[Round]:
    """Every round the keepers do from now on, as it happens."""
    rounds: list[Round] = []
    keep_round = LogKeeper.round

    def round_(self: LogKeeper, now: float) -> Checkpoint:
        rounds.append(Round(threading.current_thread(), now, keep_round(self, now)))
        return rounds[-1].result

    monkeypatch.setattr(LogKeeper, "round", round_)
    return rounds


def test_the_thread_keeps_the_log_short_under_unbroken_writes(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkpoints, "CHECKPOINT_EVERY_S", 0.005)
    monkeypatch.setattr(checkpoints, "CHECKPOINT_IDLE_S", 0.01)  # not a second before writes
    monkeypatch.setattr(checkpoints, "COPY_BATCH_PAGES", 10)
    monkeypatch.setattr(checkpoints, "RESTART_AT_PAGES", 20)
    rounds = _record_rounds(monkeypatch)
    engine = make_engine(f"sqlite:///{path}")
    commits = 0
    while commits < 2000 or sum(r.result.restarted for r in rounds) < 3:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (:n, :filler)"), {"n": commits, "filler": ROW})
        commits += 1
        assert commits < 200_000, "the log never started again"
    wal_pages = _wal_pages(path)
    engine.dispose()
    # Without the thread the log would hold every page written (its fallback is far off).
    assert commits > checkpoints.FALLBACK_AUTOCHECKPOINT_PAGES // 10
    assert wal_pages < commits // 4


def _until(condition: Callable[[], bool], timeout_s: float = 10) -> bool:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_one_thread_checkpoints_a_database_however_many_use_it(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkpoints, "CHECKPOINT_IDLE_S", 0.05)
    rounds = _record_rounds(monkeypatch)
    before = _checkpoint_threads()
    first = make_engine(f"sqlite:///{path}")
    _connect(first)
    [first_thread] = [t for t in _checkpoint_threads() if t not in before]
    assert _until(lambda: first_thread in {r.thread for r in rounds})
    # A second engine on the same file, as another process would have.
    second = make_engine(f"sqlite:///{path}")
    _connect(second)
    [second_thread] = [t for t in _checkpoint_threads() if t not in [*before, first_thread]]
    threading.Event().wait(0.5)
    # It looked, and left the checkpoints to the first.
    assert second_thread not in {r.thread for r in rounds}
    assert (path.parent / f"{path.name}-checkpoints").exists()
    first.dispose()  # the first goes: the second takes over
    assert _until(lambda: second_thread in {r.thread for r in rounds})
    second.dispose()


def test_the_thread_of_a_quiet_database_looks_four_times_a_second(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rounds = _record_rounds(monkeypatch)
    engine = make_engine(f"sqlite:///{path}")
    _connect(engine)
    threading.Event().wait(1.2)
    engine.dispose()
    # The first round after 50 ms, finding nothing written; then every quarter of a second.
    assert 2 <= len(rounds) <= 5
    assert all(b.now - a.now >= 0.24 for a, b in itertools.pairwise(rounds))


def test_a_process_that_exits_leaves_no_log_behind(path: Path) -> None:
    script = (
        "import time\n"
        "from sqlalchemy import text\n"
        "from open_lrs.core.db import make_engine\n"
        f"engine = make_engine('sqlite:///{path}')\n"
        "with engine.begin() as conn:\n"
        "    conn.execute(text(\"INSERT INTO t VALUES (1, 'x')\"))\n"
        "time.sleep(0.5)  # the checkpoints' thread has its connection open\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    assert not (path.parent / f"{path.name}-wal").exists()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM t").fetchone() == (1,)
