"""Processing a batch: a worker claims a chunk of pending rows and answers each one exactly as
the API would (the same registration, search and verification services), in one transaction.

Each chunk commits its rows' outcomes together with the learners it registered, so a worker
that dies half-way leaves the chunk pending and nothing registered: the next claim redoes it
as if the first attempt had never happened. On PostgreSQL workers claim rows with
``FOR UPDATE SKIP LOCKED``, so several can share one batch; every date of birth of a chunk is
locked first (in one order), so a learner who appears twice, in chunks that two workers hold,
is registered once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from open_lrs.batches.models import (
    CHECK,
    COMPLETE,
    DONE,
    EXCEPTION,
    PENDING,
    QUEUED,
    REGISTRATION,
    RUNNING,
    Batch,
    BatchRow,
)
from open_lrs.core.clock import utcnow
from open_lrs.core.db import UnitOfWork
from open_lrs.core.errors import FieldError, field_errors
from open_lrs.core.security import Actor
from open_lrs.learners import lookup
from open_lrs.learners import search as matching
from open_lrs.learners import service as learners
from open_lrs.learners.models import Learner
from open_lrs.learners.schemas import LearnerCreate, VerifyRequest
from open_lrs.learners.uln import uln_error
from open_lrs.matching.dates import with_swapped
from open_lrs.matching.scoring import Outcome
from open_lrs.organisations.permissions import Action, require

CHUNK_ROWS = 50
_MESSAGE_LIMIT = 500
# The fields a verification row carries (submitVerifyBatch).
VERIFY_FIELDS = ("uln", "given_name", "family_name", "date_of_birth", "gender")


@dataclass(frozen=True)
class Answer:
    """One row's outcome."""

    code: str
    message: str | None = None
    uln: str | None = None
    learner_id: int | None = None
    state: str = DONE
    details: Mapping[str, Any] | None = None


def actor_for(batch: Batch, ukprn: str, kind: str) -> Actor:
    """The submitter, as whom every row is processed and audited."""
    return Actor(
        organisation_id=batch.organisation_id,
        organisation_kind=kind,
        ukprn=ukprn,
        api_key_id=batch.api_key_id,
        user_label=batch.user_label or f"batch {batch.id}",
    )


def claim(s: Session, now: datetime, size: int = CHUNK_ROWS) -> tuple[Batch, list[BatchRow]] | None:
    """The next chunk of pending rows of a batch allowed to run, locked for this transaction:
    ``size`` rows in claim order and the rest of the last one's birth date and its swap; None
    when there is nothing to do."""
    runnable = (
        select(Batch.id)
        .where(Batch.status.in_((QUEUED, RUNNING)), Batch.run_after <= now)
        .order_by(Batch.run_after, Batch.id)
        .limit(20)
    )
    for batch_id in s.scalars(runnable).all():
        rows = list(
            s.scalars(
                select(BatchRow)
                .where(BatchRow.batch_id == batch_id, BatchRow.state == PENDING)
                .order_by(BatchRow.claim_order)
                .limit(size)
                .with_for_update(skip_locked=True)
            )
        )
        if rows:
            rows += _rest_of_birth_date(s, rows[-1], size)
            batch = s.get(Batch, batch_id)
            assert batch is not None
            return batch, rows
    return None


def _rest_of_birth_date(s: Session, last: BatchRow, most: int) -> list[BatchRow]:
    """The pending rows after ``last`` born on its date or that date with day and month
    exchanged (at most ``most`` of them), locked.

    A chunk locks each of its birth dates with its swap, so a chunk that stopped part-way
    through such a pair would make the worker claiming the next chunk, which starts there,
    wait until this one commits: two workers would take turns instead of sharing the batch.
    The pair's rows are neighbours in claim order (``claim_orders``), so the chunk ends where
    they do (or ``most`` rows later, for a file in which hundreds share a birthday)."""
    born = _iso_date(last.fields.get("date_of_birth"))
    if born is None:
        return []
    return list(
        s.scalars(
            select(BatchRow)
            .where(
                BatchRow.batch_id == last.batch_id,
                BatchRow.state == PENDING,
                BatchRow.claim_order > last.claim_order,
                BatchRow.claim_order <= last.claim_order + most,
                BatchRow.fields["date_of_birth"]
                .as_string()
                .in_([d.isoformat() for d in with_swapped(born)]),
            )
            .order_by(BatchRow.claim_order)
            .with_for_update(skip_locked=True)
        )
    )


def claim_orders(rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """The order in which workers claim a batch's rows: by date of birth, a date beside the
    one it becomes with day and month exchanged (the earlier of the two first), then position;
    rows without a valid date last. The output keeps file order.

    A chunk locks every birth date it holds and each one's swapped date
    (``learners.lock_birth_dates``). In file order, two workers' chunks of a college intake
    (learners born within a year or two of each other) would nearly always share a date, and
    one would wait for the other; in plain date order, a chunk of early January would lock the
    1st of every month through the swaps. In this order a chunk's dates and their swaps form
    one run that the next worker's chunk does not enter (``claim`` ends a chunk where such a
    pair of dates ends)."""
    keys = [_claim_key(row.get("date_of_birth"), i) for i, row in enumerate(rows)]
    order = [0] * len(rows)
    for rank, i in enumerate(sorted(range(len(rows)), key=keys.__getitem__)):
        order[i] = rank
    return order


def _claim_key(cell: Any, position: int) -> tuple[int, str, int]:
    born = _iso_date(cell)
    if born is None:
        return (1, "", position)
    return (0, min(with_swapped(born)).isoformat(), position)


def _iso_date(cell: Any) -> date | None:
    try:
        return date.fromisoformat(cell.strip()) if isinstance(cell, str) else None
    except ValueError:
        return None


def start(s: Session, batch: Batch, now: datetime) -> None:
    if batch.status == QUEUED:
        s.execute(
            update(Batch)
            .where(Batch.id == batch.id, Batch.status == QUEUED)
            .values(status=RUNNING, started_at=now)
        )


def process(
    uow: UnitOfWork, actor: Actor, batch: Batch, rows: Sequence[BatchRow], model_version: str
) -> None:
    """Answer every row of a claimed chunk in the worker's unit of work: each row through the
    service functions an API call would use (each checking its permission), one commit for
    the chunk. Searches are scored by the model of ``model_version``."""
    require(actor, Action.LEARNER_REGISTER if batch.kind == REGISTRATION else Action.LEARNER_VERIFY)
    s = uow.session
    now = utcnow()
    start(s, batch, now)
    learners.lock_birth_dates(s, [d for row in rows if (d := _birth_date(row)) is not None])
    for row in rows:
        if batch.kind == REGISTRATION:
            answer = _registration_row(uow, actor, batch, row, model_version)
        else:
            answer = _verification_row(uow, actor, row)
        row.state = answer.state
        row.return_code = answer.code
        row.message = answer.message[:_MESSAGE_LIMIT] if answer.message else None
        row.uln = answer.uln
        row.learner_id = answer.learner_id
        row.details = dict(answer.details or {})
        row.processed_at = now
    s.flush()


def finish_if_done(s: Session, batch_id: int, now: datetime) -> bool:
    """Mark the batch complete once no row is pending. Run after a chunk commits, in its own
    transaction, so that of two workers finishing the last chunks one sees the other's."""
    result = s.execute(
        update(Batch)
        .where(
            Batch.id == batch_id,
            Batch.status == RUNNING,
            ~exists().where(BatchRow.batch_id == batch_id, BatchRow.state == PENDING),
        )
        .values(status=COMPLETE, finished_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


# Rows ---------------------------------------------------------------------------------------


def _cells(row: BatchRow) -> dict[str, str]:
    """The row's non-blank cells, stripped."""
    return {k: v.strip() for k, v in row.fields.items() if isinstance(v, str) and v.strip()}


def _birth_date(row: BatchRow) -> date | None:
    return _iso_date(row.fields.get("date_of_birth"))


def _describe(errors: Sequence[FieldError]) -> str:
    return "; ".join(f"{e.field}: {e.message}" for e in errors)


def _invalid(exc: ValidationError) -> Answer:
    """RC006 when a mandatory field is missing, RC013 for an age outside 13 to 110, RC011 for
    anything else, naming every field."""
    errors = field_errors(exc.errors())
    if any(e.code == "missing" for e in errors):
        missing = [e for e in errors if e.code == "missing"]
        return Answer("RC006", "Missing: " + ", ".join(e.field for e in missing), state=DONE)
    if any(e.field == "date_of_birth" and "aged" in e.message for e in errors):
        return Answer("RC013", _describe(errors))
    return Answer("RC011", _describe(errors))


def _registration_row(
    uow: UnitOfWork, actor: Actor, batch: Batch, row: BatchRow, model_version: str
) -> Answer:
    cells = _cells(row)
    supplied = cells.pop("uln", None)
    cells.pop("mis_identifier", None)
    try:
        data = LearnerCreate.model_validate(cells)
    except ValidationError as exc:
        return _invalid(exc)
    if supplied is not None:
        return _check_supplied_uln(uow, actor, supplied, data)
    if batch.job_type == CHECK:
        return _look_up(uow, actor, data, model_version)
    done = learners.registration(uow, actor, data, model_version)
    if done.issued:
        assert done.learner is not None
        return Answer("RC001", uln=done.learner.uln, learner_id=done.learner.id)
    if done.outcome is Outcome.EXACT_MATCH:
        assert done.learner is not None
        assert done.record is not None
        notes = []
        if done.record.id != done.learner.id:
            notes.append(f"Found under merged ULN {done.record.uln}; its master ULN is returned")
        notes += _updated(uow, actor, done.learner, data)
        message = "; ".join(notes) or None
        return Answer("RC002", message, uln=done.learner.uln, learner_id=done.learner.id)
    return _exception(done.found)


# A row that finds its learner brings their latest address: these are taken from it (with
# history), never names or date of birth, which only a person may change.
CONTACT_FIELDS = (
    "postcode",
    "address_line_1",
    "address_line_2",
    "address_town",
    "address_county_or_city",
    "date_of_address_capture",
    "email",
)


def _updated(uow: UnitOfWork, actor: Actor, learner: Learner, data: LearnerCreate) -> list[str]:
    values = {f: v for f in CONTACT_FIELDS if (v := getattr(data, f)) is not None}
    changes = learners.apply_changes(uow, actor, learner, values)
    return [f"Updated {', '.join(f.replace('_', ' ') for f in changes)}"] if changes else []


def _exception(found: matching.Found) -> Answer:
    candidates = [m.uln for _, _, m in found.learners()]
    if found.decision.outcome is Outcome.TOO_MANY:
        return Answer("RC005", state=EXCEPTION, details={"candidate_ulns": []})
    return Answer("RC004", state=EXCEPTION, details={"candidate_ulns": candidates})


def _look_up(uow: UnitOfWork, actor: Actor, data: LearnerCreate, model_version: str) -> Answer:
    """A check-only (CHK) row: searched, never registered."""
    s = uow.session
    found = matching.find(s, matching.query_of(data), matching.current_model(model_version))
    outcome = found.decision.outcome
    matching.audit_search(s, actor, outcome, [m.id for _, _, m in found.learners()])
    if outcome is Outcome.EXACT_MATCH:
        _, _, master = found.learners()[0]
        return Answer("RC002", uln=master.uln, learner_id=master.id)
    if outcome is Outcome.NO_MATCH:
        return Answer("RC014")
    return _exception(found)


def _check_supplied_uln(uow: UnitOfWork, actor: Actor, uln: str, data: LearnerCreate) -> Answer:
    if problem := uln_error(uln):
        return Answer("RC011", f"uln: {problem}")
    verified, master = lookup.verify_details(uow, actor, uln, data)
    flags = {"failure_flags": verified.failure_flags} if verified.failure_flags else None
    if verified.result == "not_found":
        return Answer("RC008")
    if verified.result == "no_match":
        return Answer("RC007", "Failed: " + " ".join(verified.failure_flags), details=flags or {})
    code = "RC009" if verified.result in ("linked_match", "similar_linked_match") else "RC003"
    assert master is not None
    notes = [n for n in (_similar(verified.result), *_updated(uow, actor, master, data)) if n]
    return Answer(
        code, "; ".join(notes) or None, uln=verified.uln, learner_id=master.id, details=flags
    )


def _similar(result: str) -> str | None:
    if result.startswith("similar"):
        return "Verified with a name spelt differently from the register's"
    return None


def _verification_row(uow: UnitOfWork, actor: Actor, row: BatchRow) -> Answer:
    """A verify-batch row: the LRS verification code (WSVRC001 to 006) and failure flags."""
    cells = {k: v for k, v in _cells(row).items() if k in VERIFY_FIELDS}
    try:
        request = VerifyRequest.model_validate(cells)
    except ValidationError as exc:
        return Answer("RC011", _describe(field_errors(exc.errors())))
    verified = lookup.verify(uow, actor, request)
    return Answer(
        verified.code,
        verified.result.replace("_", " "),
        uln=verified.uln if verified.result != "not_found" else None,
        details={"failure_flags": verified.failure_flags},
    )
