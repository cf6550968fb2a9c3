"""Submitting batches and reading them back: the API, the CLI and the portal all come here.

A file is read and checked in full before anything is stored (``fileformat``); an accepted
file becomes a queued batch with one row per learner, committed at once, and workers do the
rest. Only the organisation that submitted a batch may see it. The processing windows come
from the caller's settings (``Settings.batch_windows``): they decide when a batch may start,
and in which time zone that is told.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from open_lrs.audit import service as audit
from open_lrs.batches import fileformat, processing
from open_lrs.batches.codes import RETURN_CODES, totals
from open_lrs.batches.models import (
    CHECK,
    FILE,
    FULL,
    PENDING,
    QUEUED,
    REGISTRATION,
    VERIFICATION,
    WEB_SERVICE,
    Batch,
    BatchRow,
)
from open_lrs.batches.output import OutputRow, OutputSummary, output_bytes
from open_lrs.batches.schemas import BatchRowOut, BatchStatus, BatchTotals
from open_lrs.batches.windows import daytime_day_start
from open_lrs.batches.windows import run_after as windows_run_after
from open_lrs.core.batch_windows import Windows
from open_lrs.core.clock import utcnow
from open_lrs.core.db import UnitOfWork
from open_lrs.core.errors import LrsError, NotFound
from open_lrs.core.security import Actor
from open_lrs.organisations.permissions import Action, require

MAX_JOB_ROWS = 200


class BatchNotFound(NotFound):
    """No such batch, or a row of it: another organisation's is answered the same way."""

    code = "batch_not_found"
    title = "No such batch"


class DuplicateFile(LrsError):
    status = 409
    code = "duplicate_file"
    title = "This file was uploaded before"
    lrs_code = None


def submit_file(
    uow: UnitOfWork,
    actor: Actor,
    data: bytes,
    *,
    filename: str,
    windows: Windows,
    allow_duplicate: bool = False,
    max_rows: int = fileformat.MAX_ROWS,
) -> Batch:
    """Check a registration file and queue it, or refuse it whole (``BatchFileRejected``).

    The same file again (by its SHA-256) is refused as a duplicate naming the first batch,
    unless ``allow_duplicate``: its learners would only be found as already registered.
    """
    require(actor, Action.LEARNER_REGISTER)
    parsed = fileformat.parse_batch(data, filename=filename, ukprn=actor.ukprn, max_rows=max_rows)
    with uow:
        s = uow.session
        if s.get_bind().dialect.name == "postgresql":  # two uploads of one file at one moment
            s.execute(
                text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
                {"k": f"batch-file|{actor.organisation_id}|{parsed.sha256}"},
            )
        earlier = s.scalar(
            select(Batch.id)
            .where(Batch.organisation_id == actor.organisation_id, Batch.sha256 == parsed.sha256)
            .order_by(Batch.id)
            .limit(1)
        )
        if earlier is not None and not allow_duplicate:
            raise DuplicateFile(
                f"This file was uploaded before as batch {earlier}; its learners were not "
                "registered again. Send it with allow_duplicate to process it anyway: learners "
                "already registered will be answered with their ULNs.",
                extra={"batch_id": earlier},
            )
        batch = _new_batch(
            s,
            actor,
            kind=REGISTRATION,
            source=FILE,
            job_type=FULL,
            rows=[dict(r.values) for r in parsed.rows],
            lines=[r.line for r in parsed.rows],
            file_name=parsed.file_name,
            file_format=parsed.format,
            file_version=parsed.file_version,
            sha256=parsed.sha256,
            duplicate_of_id=earlier,
            windows=windows,
        )
        uow.commit()
        return batch


def submit_job(
    uow: UnitOfWork,
    actor: Actor,
    *,
    kind: str,
    job_type: str,
    rows: Sequence[dict[str, str | None]],
    windows: Windows,
) -> Batch:
    """A web-service job of 1 to 200 learners to register (FUL), look up (CHK) or verify."""
    require(actor, Action.LEARNER_REGISTER if kind == REGISTRATION else Action.LEARNER_VERIFY)
    assert 1 <= len(rows) <= MAX_JOB_ROWS
    assert kind in (REGISTRATION, VERIFICATION)
    assert job_type in (FULL, CHECK)
    with uow:
        batch = _new_batch(
            uow.session,
            actor,
            kind=kind,
            source=WEB_SERVICE,
            job_type=job_type,
            rows=[{k: v for k, v in r.items() if v is not None} for r in rows],
            lines=[None] * len(rows),
            windows=windows,
        )
        uow.commit()
        return batch


def _new_batch(
    s: Session,
    actor: Actor,
    *,
    kind: str,
    source: str,
    job_type: str,
    rows: Sequence[dict[str, Any]],
    lines: Sequence[int | None],
    windows: Windows,
    **file: Any,
) -> Batch:
    now = utcnow()
    today = s.scalar(
        select(func.coalesce(func.sum(Batch.row_count), 0)).where(
            Batch.organisation_id == actor.organisation_id,
            Batch.submitted_at >= daytime_day_start(windows, now),
            Batch.run_after <= Batch.submitted_at,
        )
    )
    run_after, reason = windows_run_after(
        windows, submitted_at=now, rows=len(rows), rows_already_today=int(today or 0)
    )
    batch = Batch(
        organisation_id=actor.organisation_id,
        api_key_id=actor.api_key_id,
        user_label=actor.user_label,
        kind=kind,
        source=source,
        job_type=job_type,
        status=QUEUED,
        row_count=len(rows),
        submitted_at=now,
        run_after=run_after,
        run_reason=reason,
        **file,
    )
    s.add(batch)
    s.flush()
    _insert_rows(s, batch.id, rows, lines)
    audit.record(
        s,
        actor,
        Action.LEARNER_REGISTER if kind == REGISTRATION else Action.LEARNER_VERIFY,
        outcome="WSRC0007",
        details={"batch_id": batch.id, "rows": len(rows), "kind": kind, "source": source},
    )
    return batch


def _insert_rows(
    s: Session, batch_id: int, rows: Sequence[dict[str, Any]], lines: Sequence[int | None]
) -> None:
    claim_orders = processing.claim_orders(rows)
    s.execute(
        insert(BatchRow),
        [
            {
                "batch_id": batch_id,
                "position": i,
                "claim_order": claim_orders[i],
                "line": line,
                "mis_identifier": (values.get("mis_identifier") or "").strip()[:50] or None,
                "fields": values,
                "state": PENDING,
                "details": {},
            }
            for i, (values, line) in enumerate(zip(rows, lines, strict=True))
        ],
    )


# Reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    batch: Batch
    rows_done: int
    totals: dict[str, int]
    codes: dict[str, int]


def runs_in_words(batch: Batch, windows: Windows) -> str:
    if batch.run_after <= batch.submitted_at:
        return "as soon as a worker is free"
    local = batch.run_after.astimezone(ZoneInfo(windows.zone))
    return f"{batch.run_reason}, {local:%d %B %Y} ({local:%Z})"


def _counts(s: Session, batch_id: int) -> tuple[dict[str, int], dict[str, int]]:
    """Rows by total (new, existing...) and by return code."""
    codes = dict(
        s.execute(
            select(BatchRow.return_code, func.count())
            .where(BatchRow.batch_id == batch_id)
            .group_by(BatchRow.return_code)
        ).all()
    )
    by_code = {c: n for c, n in codes.items() if c is not None}
    return totals(by_code, pending=codes.get(None, 0)), by_code


def own_batch(s: Session, actor: Actor, batch_id: int) -> Batch:
    """The caller's own batch; another organisation's is answered as not found."""
    batch = s.get(Batch, batch_id)
    if batch is None or batch.organisation_id != actor.organisation_id:
        raise BatchNotFound(f"Your organisation has no batch {batch_id}.")
    return batch


def progress(uow: UnitOfWork, actor: Actor, batch_id: int) -> Progress:
    require(actor, Action.BATCH_READ)
    with uow:
        uow.begin_read_only()
        s = uow.session
        batch = own_batch(s, actor, batch_id)
        counted, by_code = _counts(s, batch_id)
        uow.commit()  # nothing written; keeps the batch readable after the session closes
        return Progress(batch, batch.row_count - counted["pending"], counted, by_code)


def list_batches(uow: UnitOfWork, actor: Actor, *, limit: int = 50) -> list[Batch]:
    require(actor, Action.BATCH_READ)
    with uow:
        uow.begin_read_only()
        batches = list(
            uow.session.scalars(
                select(Batch)
                .where(Batch.organisation_id == actor.organisation_id)
                .order_by(Batch.id.desc())
                .limit(limit)
            )
        )
        uow.commit()
        return batches


def rows_of(
    uow: UnitOfWork, actor: Actor, batch_id: int
) -> tuple[Batch, list[BatchRow], dict[str, int]]:
    """Every row in input order: what the output file is made of. Audited, since it shows
    the learners' ULNs."""
    require(actor, Action.BATCH_READ)
    with uow:
        s = uow.session
        batch = own_batch(s, actor, batch_id)
        rows = list(
            s.scalars(
                select(BatchRow).where(BatchRow.batch_id == batch_id).order_by(BatchRow.position)
            )
        )
        audit.record(
            s,
            actor,
            Action.LEARNER_READ,
            outcome="output",
            details={"batch_id": batch_id, "rows": len(rows)},
        )
        counted, _ = _counts(s, batch_id)
        uow.commit()
        return batch, rows, counted


_LRS_STATUS = {"queued": "WSRC0007", "running": "WSRC0008", "complete": "WSRC0009"}


def status_of(progress: Progress, windows: Windows) -> BatchStatus:
    """The batch as the API shows it; when it runs is told in the windows' time zone."""
    batch = progress.batch
    return BatchStatus(
        id=batch.id,
        kind=batch.kind,
        source=batch.source,
        job_type=batch.job_type,
        file_name=batch.file_name,
        status=batch.status,
        lrs_code=_LRS_STATUS[batch.status],
        row_count=batch.row_count,
        rows_done=progress.rows_done,
        totals=BatchTotals(**progress.totals) if batch.kind == REGISTRATION else None,
        codes=progress.codes,
        submitted_at=batch.submitted_at,
        run_after=batch.run_after,
        runs=runs_in_words(batch, windows),
        started_at=batch.started_at,
        finished_at=batch.finished_at,
        duplicate_of=batch.duplicate_of_id,
        erased_at=batch.erased_at,
    )


def meaning(code: str | None) -> str | None:
    return RETURN_CODES[code].meaning if code is not None and code in RETURN_CODES else None


def output_file(uow: UnitOfWork, actor: Actor, batch_id: int) -> tuple[str, bytes]:
    """The output file's name and bytes (UTF-8 with a byte-order mark, for spreadsheets)."""
    batch, rows, counted = rows_of(uow, actor, batch_id)
    if batch.kind == VERIFICATION:
        codes = Counter(r.return_code for r in rows if r.return_code)
        counted = {**codes, "pending": sum(1 for r in rows if r.return_code is None)}
    summary = OutputSummary(
        batch_id=batch.id,
        file_name=batch.file_name,
        status=batch.status,
        submitted_at=batch.submitted_at,
        started_at=batch.started_at,
        finished_at=batch.finished_at,
        totals=counted,
    )
    body = output_bytes(
        [
            OutputRow(
                position=r.position,
                line=r.line,
                mis_identifier=r.mis_identifier,
                fields=r.fields,
                return_code=r.return_code,
                message=r.message,
                uln=r.uln,
                candidate_ulns=r.details.get("candidate_ulns", []),
                flags=r.details.get("failure_flags", []),
            )
            for r in rows
        ],
        summary,
        verification=batch.kind == VERIFICATION,
    )
    stem = (batch.file_name or f"batch-{batch.id}.csv").rsplit(".", 1)[0]
    return f"{stem}_output.csv", body


def row_out(row: BatchRow) -> BatchRowOut:
    """A row as the API shows it; the return code's meaning when the row has no message."""
    return BatchRowOut(
        position=row.position,
        line=row.line,
        mis_identifier=row.mis_identifier,
        state=row.state,
        return_code=row.return_code,
        message=row.message or meaning(row.return_code),
        uln=row.uln,
        candidate_ulns=row.details.get("candidate_ulns", []),
        failure_flags=row.details.get("failure_flags", []),
    )
