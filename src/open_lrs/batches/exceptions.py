"""The exceptions queue: batch rows with possible matches wait here for a person, who sees the
candidates with the search's explanation and chooses one, or confirms a new learner with a
reason. Resolving answers the row, so the batch's output file changes with it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from open_lrs.audit import service as audit
from open_lrs.batches import service
from open_lrs.batches.models import DONE, EXCEPTION, BatchRow
from open_lrs.batches.schemas import BatchRowOut
from open_lrs.batches.service import own_batch
from open_lrs.core.clock import utcnow
from open_lrs.core.db import UnitOfWork
from open_lrs.core.errors import Conflict, FieldError, ValidationFailed
from open_lrs.core.security import Actor
from open_lrs.learners import lookup
from open_lrs.learners import repository as repo
from open_lrs.learners import search as matching
from open_lrs.learners import service as learners
from open_lrs.learners.schemas import LearnerCreate, Reason, Uln
from open_lrs.learners.search_schemas import Match
from open_lrs.organisations.permissions import Action, require

_ACCEPTED = ("match", "similar_match", "linked_match", "similar_linked_match")
# The audit log's action for a listing of a batch's exceptions (an audit action, not a
# permission: listing needs batch.read).
BATCH_EXCEPTIONS_READ = "batch_exceptions.read"


class ExceptionDetail(BaseModel):
    row: BatchRowOut
    submitted: dict[str, str] = Field(description="The row's details as submitted")
    outcome: str = Field(description="What a search finds now: possible or too many matches")
    candidates: list[Match] = Field(description="Best first, with how each field agreed")


class Resolution(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["choose", "new"]
    uln: Annotated[Uln | None, Field(description="With `choose`: the learner this row is")] = None
    reason: Annotated[
        Reason | None, Field(description="With `new`: why no candidate is this learner")
    ] = None

    @model_validator(mode="after")
    def _complete(self) -> Resolution:
        if self.action == "choose" and not self.uln:
            raise ValueError("uln is required to choose a learner")
        if self.action == "new" and not self.reason:
            raise ValueError("reason is required to confirm a new learner")
        return self


@dataclass(frozen=True)
class ExceptionQueue:
    """A batch's rows waiting for a person, with the name in each row by position (for a
    person to tell the rows apart)."""

    rows: list[BatchRowOut]
    names: dict[int, str]


def _name(cells: Mapping[str, object]) -> str:
    parts = [cells.get(f) for f in ("given_name", "middle_other_name", "family_name")]
    return " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())


def exception_queue(uow: UnitOfWork, actor: Actor, batch_id: int) -> ExceptionQueue:
    """The caller's own batch's rows waiting for a person. They hold learners' details and
    their candidates' ULNs, so each listing is audited as one row, refused or not: which
    batch, how many learners' details and candidates were shown."""
    require(actor, Action.BATCH_READ)
    with uow:
        uow.begin_read_only()  # only the audit row is written, after
        s = uow.session
        try:
            own_batch(s, actor, batch_id)
        except service.BatchNotFound as refused:
            _audit_listing(uow, actor, batch_id, refused.code, [])
            raise
        rows = s.scalars(
            select(BatchRow)
            .where(BatchRow.batch_id == batch_id, BatchRow.state == EXCEPTION)
            .order_by(BatchRow.position)
        ).all()
        queue = ExceptionQueue(
            [service.row_out(r) for r in rows], {r.position: _name(r.fields) for r in rows}
        )
        _audit_listing(uow, actor, batch_id, "ok", queue.rows)
    return queue


def _audit_listing(
    uow: UnitOfWork, actor: Actor, batch_id: int, outcome: str, shown: list[BatchRowOut]
) -> None:
    uow.end_reading()
    audit.record(
        uow.session,
        actor,
        BATCH_EXCEPTIONS_READ,
        outcome=outcome,
        details={
            "batch_id": batch_id,
            "learners": len(shown),
            "candidates": len({uln for r in shown for uln in r.candidate_ulns}),
        },
    )
    uow.commit()


def list_exceptions(uow: UnitOfWork, actor: Actor, batch_id: int) -> list[BatchRowOut]:
    """The rows waiting for a person (audited, as ``exception_queue``)."""
    return exception_queue(uow, actor, batch_id).rows


def _row(s: Session, actor: Actor, batch_id: int, position: int, *, lock: bool) -> BatchRow:
    own_batch(s, actor, batch_id)
    query = select(BatchRow).where(BatchRow.batch_id == batch_id, BatchRow.position == position)
    row = s.scalar(query.with_for_update() if lock else query)
    if row is None:
        raise service.BatchNotFound(f"Batch {batch_id} has no row {position}.")
    return row


def _learner(row: BatchRow) -> LearnerCreate:
    cells = {k: v for k, v in row.fields.items() if isinstance(v, str) and v.strip()}
    cells.pop("uln", None)
    cells.pop("mis_identifier", None)
    return LearnerCreate.model_validate({k: v.strip() for k, v in cells.items()})


def detail(
    uow: UnitOfWork, actor: Actor, batch_id: int, position: int, model_version: str
) -> ExceptionDetail:
    """The row beside its candidates as a search finds them now, scored by the model of
    ``model_version`` (audited as a search)."""
    require(actor, Action.LEARNER_REGISTER)
    with uow:
        s = uow.session
        row = _row(s, actor, batch_id, position, lock=False)
        if row.state != EXCEPTION:
            raise Conflict(f"Row {position} of batch {batch_id} is not waiting for a person.")
        data = _learner(row)
        found = matching.find(s, matching.query_of(data), matching.current_model(model_version))
        candidates = matching.to_matches(s, found)
        matching.audit_search(
            s, actor, found.decision.outcome, [m.id for _, _, m in found.learners()]
        )
        result = ExceptionDetail(
            row=service.row_out(row),
            submitted={k: v for k, v in row.fields.items() if isinstance(v, str) and v},
            outcome=found.decision.outcome.code,
            candidates=candidates,
        )
        uow.commit()
        return result


def resolve(
    uow: UnitOfWork,
    actor: Actor,
    batch_id: int,
    position: int,
    resolution: Resolution,
    model_version: str,
) -> BatchRowOut:
    """Choose a learner (a candidate, or any ULN whose learner verifies against the row) or
    register a new one with a reason (its search scored by the model of ``model_version``).
    Audited; the row's output changes to RC010 or RC012."""
    require(actor, Action.LEARNER_REGISTER)
    with uow:
        s = uow.session
        row = _row(s, actor, batch_id, position, lock=True)
        if row.state != EXCEPTION:
            raise Conflict(f"Row {position} of batch {batch_id} was already resolved.")
        data = _learner(row)
        if resolution.action == "choose":
            assert resolution.uln is not None
            uln, learner_id = _chosen(uow, actor, row, data, resolution.uln)
            code, message = "RC010", f"Chosen by {actor.label}"
        else:
            learners.lock_birth_dates(s, [data.date_of_birth])
            done = learners.registration(
                uow, actor, data, model_version, confirm_new=True, reason=resolution.reason
            )
            assert done.learner is not None
            uln, learner_id = done.learner.uln, done.learner.id
            code = "RC012" if done.issued else "RC002"
            message = f"Confirmed new by {actor.label}: {resolution.reason}"
        row.state, row.return_code, row.uln, row.learner_id = DONE, code, uln, learner_id
        row.message = message[:500]
        row.resolved_at, row.resolved_by = utcnow(), actor.label[:100]
        audit.record(
            s,
            actor,
            Action.LEARNER_REGISTER,
            outcome=code,
            learner_id=learner_id,
            details={
                "batch_id": batch_id,
                "position": position,
                "resolution": resolution.action,
                "reason": resolution.reason,
            },
        )
        out = service.row_out(row)
        uow.commit()
        return out


def _chosen(
    uow: UnitOfWork, actor: Actor, row: BatchRow, data: LearnerCreate, uln: str
) -> tuple[str, int]:
    """A candidate of the row is taken as it is; any other ULN must verify against the row's
    names and date of birth, so that a slip of the keyboard cannot join two people."""
    if uln not in row.details.get("candidate_ulns", []):
        verified, _ = lookup.verify_details(uow, actor, uln, data)
        if verified.result not in _ACCEPTED:
            raise ValidationFailed(
                f"ULN {uln} is not one of this row's candidates, and its learner does not "
                f"match the row's details ({verified.code}).",
                errors=[FieldError("uln", "does not match the row's learner")],
            )
    _, master = repo.resolve(uow.session, uln)
    return master.uln, master.id
