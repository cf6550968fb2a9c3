"""Recently authenticated API keys, remembered for a few seconds.

Looking a key up costs a transaction, and a busy MIS sends many requests a second with the same
key; remembering the answer briefly takes that transaction off every request. The price is
that a revoked key, or a deactivated organisation, keeps working for at most
``LRS_API_KEY_CACHE_SECONDS`` (5 by default; 0 turns the cache off) in each server process.
Only the key's SHA-256 digest is kept, never the key itself.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from open_lrs.core.security import Actor, digest_key

MAX_ENTRIES = 10_000


class ActorCache:
    def __init__(self, seconds: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock
        self._entries: dict[str, tuple[float, Actor]] = {}
        self._lock = threading.Lock()

    def get(self, plaintext: str) -> Actor | None:
        if self.seconds <= 0:
            return None
        digest = digest_key(plaintext)
        with self._lock:
            entry = self._entries.get(digest)
            if entry is None:
                return None
            expires, actor = entry
            if self.clock() >= expires:
                del self._entries[digest]
                return None
            return actor

    def put(self, plaintext: str, actor: Actor) -> None:
        if self.seconds <= 0:
            return
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()  # simpler than LRU, and a full cache is rare
            self._entries[digest_key(plaintext)] = (self.clock() + self.seconds, actor)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
