"""Keep a database's files in memory while a benchmark measures, and say how much of them is.

A server answering searches all day keeps the pages they read in memory. A benchmark does not
get that for free on a virtual machine that hands unused page cache back to its host: on the
machine these figures come from, a 5 GB database fell from fully cached to 100 MB within two
minutes of being read, and a search then waits on the disk for some of its pages. So the files
a search reads are mapped and locked in memory (``mlock``) for the run, and ``resident``
(``mincore``) reports how much of them was in memory before and after measuring.

Locking needs the privilege to lock that much memory (root, CAP_IPC_LOCK, or a large enough
``ulimit -l``) and read access to the files; without either, the files are only read through
once, and the report says they were not locked.
"""

from __future__ import annotations

import ctypes
import mmap
import os
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, text

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mmap.restype = ctypes.c_void_p
_libc.mmap.argtypes = [
    ctypes.c_void_p,
    ctypes.c_size_t,
    ctypes.c_int,
    ctypes.c_int,
    ctypes.c_int,
    ctypes.c_long,
]
_libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
_libc.mlock.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
_libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p]
_MAP_FAILED = ctypes.c_void_p(-1).value
_PAGE = mmap.PAGESIZE

# PostgreSQL: what a search reads (the learners' rows and primary key, the keys' index, the
# name counts), and the keys table's visibility map, which an index-only scan checks.
_SEARCHED_RELATIONS = (
    "learners",
    "pk_learners",
    "pk_learner_match_keys",
    "name_frequencies",
    "pk_name_frequencies",
)
_VISIBILITY_ONLY = ("learner_match_keys",)


@dataclass
class Pinned:
    """Files mapped into memory, locked there if the system allows it."""

    locked: bool = False
    why_not: str = ""
    _maps: list[tuple[int, int]] = field(default_factory=list)

    @property
    def size(self) -> int:
        return sum(length for _, length in self._maps)

    def resident(self) -> int:
        """Bytes of the files in memory now."""
        total = 0
        for address, length in self._maps:
            pages = (length + _PAGE - 1) // _PAGE
            vector = (ctypes.c_ubyte * pages)()
            if _libc.mincore(address, length, vector) != 0:
                raise OSError(ctypes.get_errno(), "mincore")
            total += sum(byte & 1 for byte in bytes(vector)) * _PAGE
        return min(total, self.size)

    def release(self) -> None:
        for address, length in self._maps:
            _libc.munmap(address, length)  # unlocks too
        self._maps.clear()


def pin(paths: list[Path]) -> Pinned:
    """Map ``paths`` and lock them in memory; if locking is refused, read them through once
    (``Pinned.locked`` False, ``why_not`` says why)."""
    pinned = Pinned(locked=True)
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            length = os.fstat(fd).st_size
            if not length:
                continue
            address = _libc.mmap(None, length, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
            if address in (None, _MAP_FAILED):
                raise OSError(ctypes.get_errno(), f"mmap {path}")
        finally:
            os.close(fd)
        pinned._maps.append((address, length))
        if pinned.locked and _libc.mlock(address, length) != 0:
            pinned.locked = False
            pinned.why_not = f"mlock: {os.strerror(ctypes.get_errno())}"
        if not pinned.locked:
            _read_through(path)
    return pinned


def _read_through(path: Path) -> None:
    with path.open("rb", buffering=0) as f:
        while f.read(1 << 20):
            pass


def sqlite_files(database: Path) -> list[Path]:
    return [p for p in (database, database.with_name(database.name + "-wal")) if p.exists()]


def postgresql_files(conn: Connection, data_directory: Path) -> list[Path]:
    """The files of the relations a search reads, every segment and fork of each (the keys
    table: its visibility map only)."""
    files: list[Path] = []
    wanted: list[tuple[str, tuple[str, ...]]]
    wanted = [(name, ("", "_fsm", "_vm")) for name in _SEARCHED_RELATIONS]
    wanted += [(name, ("_vm",)) for name in _VISIBILITY_ONLY]
    for name, forks in wanted:
        relative = conn.execute(text("SELECT pg_relation_filepath(:name)"), {"name": name})
        base = data_directory / relative.scalar_one()
        for fork in forks:
            segment = 0
            while (path := base.with_name(_segment(base.name + fork, segment))).exists():
                files.append(path)
                segment += 1
    return files


def _segment(name: str, number: int) -> str:
    return name if number == 0 else f"{name}.{number}"
