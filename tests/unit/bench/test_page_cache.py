"""The speed benchmark's page_cache: files locked in memory, and how much of them is."""

import mmap
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
import page_cache


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "bench.sqlite3"
    path.write_bytes(bytes(range(256)) * (mmap.PAGESIZE // 256) * 5 + b"tail")
    (tmp_path / "bench.sqlite3-wal").write_bytes(b"w" * 100)
    return path


def test_a_database_and_its_log_are_locked_and_resident(database: Path) -> None:
    files = page_cache.sqlite_files(database)
    assert files == [database, database.with_name("bench.sqlite3-wal")]
    pinned = page_cache.pin(files)
    try:
        assert pinned.locked, pinned.why_not
        assert pinned.size == database.stat().st_size + 100
        assert pinned.resident() == pinned.size
    finally:
        pinned.release()
    assert pinned.size == 0
    assert database.read_bytes().endswith(b"tail")  # read, never written


def test_where_locking_is_refused_the_files_are_read_through_and_the_report_says_why(
    database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(page_cache._libc, "mlock", lambda address, length: -1)
    read: list[Path] = []
    monkeypatch.setattr(page_cache, "_read_through", read.append)
    pinned = page_cache.pin([database])
    try:
        assert not pinned.locked
        assert pinned.why_not.startswith("mlock: ")
        assert read == [database]
    finally:
        pinned.release()


def test_a_missing_log_is_not_held(tmp_path: Path) -> None:
    only = tmp_path / "alone.sqlite3"
    only.write_bytes(b"x")
    assert page_cache.sqlite_files(only) == [only]
