"""Keeping the personal data submitted in batch files no longer than it is needed.

A batch row holds its learner's details exactly as the file gave them, so that the output can
repeat them and a person resolving an exception sees what was sent. Once a batch is complete
and nothing in it waits for a person, those details have done their work:
``LRS_BATCH_RETENTION_DAYS`` after the batch finished, the sweep erases them. What the row
answered stays (MIS identifier, ULN, return code and message, candidate ULNs), so the output
file can still be downloaded, with the learners' details blank. A batch whose exceptions are
still waiting keeps its details until the last one is resolved, then is erased at the next
sweep.

Workers sweep when they have nothing else to do, at most every ``SWEEP_SECONDS``;
``lrs batch erase-expired`` sweeps at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from open_lrs.audit import service as audit
from open_lrs.batches.models import COMPLETE, DONE, Batch, BatchRow

ERASE = "batch.erase"  # the audit log's action for an erasure
SWEEP_SECONDS = 3600
# Batches erased per transaction (each up to 5,000 rows).
BATCHES_AT_ONCE = 20


def erase_expired(s: Session, now: datetime, days: int) -> list[int]:
    """Erase the submitted details of up to ``BATCHES_AT_ONCE`` batches that finished more than
    ``days`` ago with no row still waiting; the ids erased. Inside the caller's transaction."""
    waiting = exists().where(BatchRow.batch_id == Batch.id, BatchRow.state != DONE)
    ids = list(
        s.scalars(
            select(Batch.id)
            .where(
                Batch.status == COMPLETE,
                Batch.finished_at < now - timedelta(days=days),
                Batch.erased_at.is_(None),
                ~waiting,
            )
            .order_by(Batch.id)
            .limit(BATCHES_AT_ONCE)
            .with_for_update(skip_locked=True)  # two workers sweeping take different batches
        )
    )
    if not ids:
        return ids
    s.execute(update(BatchRow).where(BatchRow.batch_id.in_(ids)).values(fields={}))
    s.execute(update(Batch).where(Batch.id.in_(ids)).values(erased_at=now))
    for batch_id in ids:
        audit.record(
            s, None, ERASE, outcome="erased", details={"batch_id": batch_id, "after_days": days}
        )
    return ids
