"""Recording the audit log (``audit_log`` is where administrators search it).

Recording happens inside the caller's unit of work, so the audit row commits (or rolls back)
with the change it describes: there is never a change without its record. Every package
records, so this one imports nothing of theirs: a row names organisations, keys, users and
learners by their ids alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import Table, event, insert
from sqlalchemy.orm import Session, SessionTransaction

from open_lrs.audit.models import AuditEvent
from open_lrs.core.clock import utcnow
from open_lrs.core.context import current_request_id
from open_lrs.core.security import Actor


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
