"""Recording and querying the audit log.

Recording happens inside the caller's unit of work, so the audit row commits (or rolls back)
with the change it describes: there is never a change without its record.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, event, insert, select
from sqlalchemy.orm import Session, SessionTransaction

from open_lrs.audit.models import AuditEvent
from open_lrs.core.clock import utcnow
from open_lrs.core.context import current_request_id
from open_lrs.core.db import UnitOfWork
from open_lrs.core.security import Actor
from open_lrs.learners.models import Learner
from open_lrs.organisations.models import Organisation
from open_lrs.organisations.permissions import Action
from open_lrs.organisations.service import require


def _row(
    actor: Actor | None, action: str, outcome: str, learner_id: int | None, details: dict[str, Any]
) -> dict[str, Any]:
    return {
        "occurred_at": utcnow(),
        "request_id": current_request_id(),
        "organisation_id": actor.organisation_id if actor else None,
        "api_key_id": actor.api_key_id if actor else None,
        "user_id": actor.user_id if actor else None,
        "user_label": actor.user_label if actor else None,
        "action": action,
        "learner_id": learner_id,
        "outcome": outcome,
        "details": details,
    }


def record(
    session: Session,
    actor: Actor | None,
    action: str,
    *,
    outcome: str,
    learner_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Add one audit event. ``details`` must not hold personal data (it is shown to admins)."""
    _insert(session, [_row(actor, action, outcome, learner_id, details or {})])


_TABLE = cast(Table, AuditEvent.__table__)
_PENDING = "audit_pending_rows"


def _insert(session: Session, rows: list[dict[str, Any]]) -> None:
    """Hold the rows until the transaction commits, then write them all in one statement
    (``_write_pending``): a batch chunk or a feed load audits hundreds of things, and a
    round trip each cost more than the work audited. A transaction that rolls back drops
    them with everything else, so there is still never a change without its record."""
    session.info.setdefault(_PENDING, []).extend(rows)


@event.listens_for(Session, "before_commit")
def _write_pending(session: Session) -> None:
    rows = session.info.pop(_PENDING, None)
    if rows:
        session.flush()  # the learners the rows name must exist first
        session.connection().execute(insert(_TABLE), rows)


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(_PENDING, None)


def event_rows(
    actor: Actor | None,
    action: str,
    *,
    outcome: str,
    learner_ids: Iterable[int],
    details: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """One audit row per learner, for callers that insert in bulk."""
    return [_row(actor, action, outcome, lid, details or {}) for lid in learner_ids]


def record_many(
    session: Session,
    actor: Actor | None,
    action: str,
    *,
    outcome: str,
    learner_ids: Iterable[int],
    details: dict[str, Any] | None = None,
) -> None:
    rows = event_rows(actor, action, outcome=outcome, learner_ids=learner_ids, details=details)
    if rows:
        _insert(session, rows)


@dataclass(frozen=True)
class AuditQuery:
    uln: str | None = None
    ukprn: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    after_id: int | None = None
    limit: int = 100
    # For people (the portal): newest first, paging back with before_id. The API keeps the
    # oldest-first order that after_id pages through.
    before_id: int | None = None
    newest_first: bool = False


@dataclass(frozen=True)
class AuditEntry:
    id: int
    occurred_at: datetime
    request_id: str | None
    ukprn: str | None
    api_key_id: int | None
    user_id: int | None
    user_label: str | None
    action: str
    uln: str | None
    outcome: str
    details: dict[str, Any]


def query(uow: UnitOfWork, actor: Actor, q: AuditQuery) -> Sequence[AuditEntry]:
    require(actor, Action.AUDIT_READ)
    with uow:
        stmt = (
            select(AuditEvent, Organisation.ukprn, Learner.uln)
            .outerjoin(Organisation, Organisation.id == AuditEvent.organisation_id)
            .outerjoin(Learner, Learner.id == AuditEvent.learner_id)
            .order_by(AuditEvent.id.desc() if q.newest_first else AuditEvent.id)
            .limit(q.limit)
        )
        if q.uln:
            stmt = stmt.where(Learner.uln == q.uln)
        if q.ukprn:
            stmt = stmt.where(Organisation.ukprn == q.ukprn)
        if q.action:
            stmt = stmt.where(AuditEvent.action == q.action)
        if q.since:
            stmt = stmt.where(AuditEvent.occurred_at >= q.since)
        if q.until:
            stmt = stmt.where(AuditEvent.occurred_at < q.until)
        if q.after_id:
            stmt = stmt.where(AuditEvent.id > q.after_id)
        if q.before_id:
            stmt = stmt.where(AuditEvent.id < q.before_id)
        entries = [
            AuditEntry(
                id=ev.id,
                occurred_at=ev.occurred_at,
                request_id=ev.request_id,
                ukprn=ukprn,
                api_key_id=ev.api_key_id,
                user_id=ev.user_id,
                user_label=ev.user_label,
                action=ev.action,
                uln=uln,
                outcome=ev.outcome,
                details=ev.details,
            )
            for ev, ukprn, uln in uow.session.execute(stmt)
        ]
        record(uow.session, actor, Action.AUDIT_READ, outcome="ok", details={"rows": len(entries)})
        uow.commit()
        return entries
