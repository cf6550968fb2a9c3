"""Querying the audit log (administrators only); the query itself is audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from open_lrs.audit.models import AuditEvent
from open_lrs.audit.service import record
from open_lrs.core.db import UnitOfWork
from open_lrs.core.security import Actor
from open_lrs.learners.models import Learner
from open_lrs.organisations.models import Organisation
from open_lrs.organisations.permissions import Action, require


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
