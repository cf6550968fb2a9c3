"""SQLite with its tuning switched off (``sqlite_tuned=False``, ``LRS_SQLITE_TUNED=false``):
no checkpoint thread, no writers' turns, SQLite's own checkpoints; still correct."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import text

from open_lrs.app import create_app
from open_lrs.core.db import Database, make_engine
from open_lrs.core.settings import Settings
from open_lrs.core.sqlite import checkpoints


def _checkpoint_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == checkpoints.THREAD_NAME]


def test_untuned_engine_starts_no_thread_and_keeps_sqlites_checkpoints(tmp_path: Path) -> None:
    before = len(_checkpoint_threads())
    path = tmp_path / "untuned.sqlite3"
    engine = make_engine(f"sqlite:///{path}", sqlite_tuned=False)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (n INTEGER)"))
            assert conn.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 1000
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert len(_checkpoint_threads()) == before
        assert not Path(f"{path}-checkpoints").exists()
    finally:
        engine.dispose()


def test_untuned_writers_all_commit_under_contention(tmp_path: Path) -> None:
    path = tmp_path / "untuned.sqlite3"
    engine = make_engine(f"sqlite:///{path}", sqlite_tuned=False)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))

    def write(start: int) -> None:
        for n in range(start, start + 50):
            with engine.begin() as conn:
                value = conn.execute(text("SELECT count(*) FROM t")).scalar()
                assert value is not None
                conn.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})

    threads = [threading.Thread(target=write, args=(i * 100,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 200
    engine.dispose()


def test_the_setting_reaches_the_services_engine(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'set.sqlite3'}", sqlite_tuned=False)
    before = len(_checkpoint_threads())
    database: Database = create_app(settings).state.database
    with database.engine.connect() as conn:
        assert conn.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 1000
    assert len(_checkpoint_threads()) == before
    database.engine.dispose()
    assert Settings(database_url="sqlite://").sqlite_tuned is True
