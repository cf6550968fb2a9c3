"""Waiting for one of SQLite's locks by looking again, soon at first and then every
millisecond. SQLite's own wait (its busy timeout) sleeps 1, 2, 5, 10, 15, 20, 25, 25, 25, 50,
50 and then 100 ms between looks, so whoever waits in it sleeps on long after the lock is
free, and loses it to anyone who looks more often (docs/performance.md)."""

from __future__ import annotations

import time
from collections.abc import Callable

POLL_FIRST_S = 0.000_05
POLL_MAX_S = 0.001


def poll(attempt: Callable[[], bool], timeout_s: float) -> bool:
    """Call ``attempt`` until it succeeds (returns True) or ``timeout_s`` has passed, pausing
    50 µs after the first try and twice as long after each other, up to a millisecond.
    Whether it succeeded."""
    deadline = time.monotonic() + timeout_s
    pause = POLL_FIRST_S
    while not attempt():
        if time.monotonic() >= deadline:
            return False
        time.sleep(pause)
        pause = min(pause * 2, POLL_MAX_S)
    return True
