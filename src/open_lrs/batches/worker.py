"""The batch worker (``lrs worker``): claims chunks of rows and processes them until stopped.

SIGTERM or Ctrl-C lets the chunk in hand finish and commit, then the worker exits. A worker
killed outright (SIGKILL, a power cut) loses only its uncommitted chunk, which the next claim
redoes from the start: see ``processing``.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from types import FrameType

from open_lrs.batches import processing, retention
from open_lrs.core.clock import utcnow
from open_lrs.core.db import Database
from open_lrs.core.logging import get_logger
from open_lrs.organisations.models import Organisation

log = get_logger("open_lrs.worker")
MAX_FAILURES_WHEN_DRAINING = 3
SQLITE_YIELD_SECONDS = 0.02


def erase_expired(db: Database, days: int) -> int:
    """Erase the details of every batch finished more than ``days`` ago (its retention
    period, ``LRS_BATCH_RETENTION_DAYS``); how many batches."""
    erased = 0
    while True:
        with db.unit_of_work() as uow:
            ids = retention.erase_expired(uow.session, utcnow(), days)
            uow.commit()
        if ids:
            log.info("batch details erased", batches=ids, after_days=days)
        erased += len(ids)
        if len(ids) < retention.BATCHES_AT_ONCE:
            return erased


def run_once(db: Database, chunk: int = processing.CHUNK_ROWS, *, match_model_version: str) -> int:
    """Claim and process one chunk, its searches scored by the model of
    ``match_model_version`` (``LRS_MATCH_MODEL_VERSION``); the number of rows processed (0:
    nothing to do)."""
    with db.unit_of_work() as uow:
        s = uow.session
        claimed = processing.claim(s, utcnow(), chunk)
        if claimed is None:
            return 0
        batch, rows = claimed
        org = s.get(Organisation, batch.organisation_id)
        assert org is not None
        actor = processing.actor_for(batch, org.ukprn, org.kind)
        processing.process(uow, actor, batch, rows, match_model_version)
        batch_id, done = batch.id, len(rows)
        uow.commit()
    with db.unit_of_work() as uow:
        if processing.finish_if_done(uow.session, batch_id, utcnow()):
            log.info("batch complete", batch_id=batch_id)
        uow.commit()
    return done


class Worker:
    def __init__(
        self,
        db: Database,
        *,
        retention_days: int,
        match_model_version: str,
        chunk: int = processing.CHUNK_ROWS,
        poll_seconds: float = 1.0,
        on_chunk: Callable[[int], None] | None = None,
    ) -> None:
        self.db = db
        self.retention_days = retention_days
        self.match_model_version = match_model_version
        self.chunk = chunk
        self.poll_seconds = poll_seconds
        self.on_chunk = on_chunk
        self.stopping = False
        self.yield_seconds = SQLITE_YIELD_SECONDS if db.engine.dialect.name == "sqlite" else 0.0
        self.next_sweep = 0.0  # monotonic time of the next retention sweep: the first idle moment

    def stop(self, signum: int = 0, _frame: FrameType | None = None) -> None:
        if not self.stopping:
            log.info("worker stopping after the current chunk", signal=signum)
        self.stopping = True

    def run(self, *, drain: bool = False) -> int:
        """Process chunks until stopped, or (``drain``) until nothing is left to run now."""
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        total, failures = 0, 0
        while not self.stopping:
            try:
                done = run_once(self.db, self.chunk, match_model_version=self.match_model_version)
                failures = 0
            except Exception as exc:  # a database outage: wait and claim again
                failures += 1
                log.error("chunk failed; it will be claimed again", error=type(exc).__name__)
                if drain and failures >= MAX_FAILURES_WHEN_DRAINING:
                    raise
                self._sleep(self.poll_seconds * min(failures, 10))
                continue
            total += done
            if done and self.on_chunk:
                self.on_chunk(done)
            if done and self.yield_seconds:
                # SQLite has one write lock, and a writer waiting for it (an API registration)
                # retries at growing intervals: without a pause it would wait out the batch.
                time.sleep(self.yield_seconds)
            if not done:
                self._sweep()
                if drain:
                    break
                self._sleep(self.poll_seconds)
        return total

    def _sweep(self) -> None:
        """Erase expired batch details while idle, at most every ``retention.SWEEP_SECONDS``;
        a failure is logged and tried again at the next sweep."""
        if time.monotonic() < self.next_sweep:
            return
        self.next_sweep = time.monotonic() + retention.SWEEP_SECONDS
        try:
            erase_expired(self.db, self.retention_days)
        except Exception as exc:
            log.error("retention sweep failed", error=type(exc).__name__)

    def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(min(0.1, seconds))
