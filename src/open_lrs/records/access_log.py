"""A learner's PLR access log: who read their record, when, and for what (R9's ViewAudit).

The entries are the audit log's ``plr.read`` and ``plr.challenge`` rows for the learner (under
any of their ULNs), refused attempts included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.sql import ColumnElement

from open_lrs.audit.models import AuditEvent
from open_lrs.audit.service import record
from open_lrs.core.db import UnitOfWork
from open_lrs.core.errors import FieldError, ValidationFailed
from open_lrs.core.security import Actor
from open_lrs.organisations.models import Organisation
from open_lrs.organisations.permissions import Action, permitted, require
from open_lrs.records import reading
from open_lrs.records.access import RecordRequest

# What the learner's access log holds: every read of their record (learning events, enrolment
# summary) and every challenge, including refused attempts.
PLR_ACCESS = (Action.PLR_READ.value, Action.PLR_CHALLENGE.value)
ACCESS_PAGE_SIZE = 50


@dataclass(frozen=True)
class AccessEntry:
    occurred_at: datetime
    action: str
    outcome: str
    ukprn: str | None
    organisation_name: str | None
    api_key_id: int | None
    user_label: str | None


@dataclass(frozen=True)
class AccessLogPage:
    entries: list[AccessEntry]
    total: int
    page: int
    page_size: int
    whole_log: bool


def plr_access_log(
    uow: UnitOfWork, actor: Actor, req: RecordRequest, *, page: int = 1
) -> AccessLogPage:
    """A learner's PLR access log, newest first, a page at a time (as R9's ViewAudit).

    Opened as the record itself is: the ULN with the learner's names (WSEC0208 when they do
    not verify), a linked ULN giving the master's log. Who read a learner's record is personal
    to the learner and to each reader, so an organisation sees only its own organisation's
    entries; the whole log is for those who may query the audit log (administrators). Viewing
    is audited as ``audit.read``, which is not itself an entry of the log.
    """
    require(actor, Action.PLR_READ)
    if page < 1:
        raise ValidationFailed(
            "Invalid page", errors=[FieldError("page", "must be 1 or more (the first page)")]
        )
    whole_log = permitted(actor, Action.AUDIT_READ)
    with uow:
        s = uow.session
        opened = reading.opened(uow, actor, Action.AUDIT_READ, req)
        where: list[ColumnElement[bool]] = [
            AuditEvent.learner_id.in_(opened.learner_ids),
            AuditEvent.action.in_(PLR_ACCESS),
        ]
        if not whole_log:
            where.append(AuditEvent.organisation_id == actor.organisation_id)
        total = s.scalar(select(func.count()).select_from(AuditEvent).where(*where)) or 0
        rows = s.execute(
            select(AuditEvent, Organisation.ukprn, Organisation.name)
            .outerjoin(Organisation, Organisation.id == AuditEvent.organisation_id)
            .where(*where)
            .order_by(AuditEvent.id.desc())
            .limit(ACCESS_PAGE_SIZE)
            .offset((page - 1) * ACCESS_PAGE_SIZE)
        )
        entries = [
            AccessEntry(
                occurred_at=ev.occurred_at,
                action=ev.action,
                outcome=ev.outcome,
                ukprn=ukprn,
                organisation_name=name,
                api_key_id=ev.api_key_id,
                user_label=ev.user_label,
            )
            for ev, ukprn, name in rows
        ]
        record(
            s,
            actor,
            Action.AUDIT_READ,
            outcome="ok",
            learner_id=opened.master.id,
            details={"log": "plr_access", "rows": len(entries), "whole_log": whole_log},
        )
        uow.commit()
    return AccessLogPage(entries, total, page, ACCESS_PAGE_SIZE, whole_log)
