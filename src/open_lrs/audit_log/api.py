"""JSON API v1 for administrators to query the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from open_lrs.audit_log import service
from open_lrs.core.http import AUTH_ERRORS, ActorDep, DbId, UowDep, UtcDateTime

router = APIRouter(prefix="/api/v1", tags=["audit"])


class AuditEventPublic(BaseModel):
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


class AuditPage(BaseModel):
    events: list[AuditEventPublic]
    next_after_id: int | None


@router.get(
    "/audit-events",
    operation_id="listAuditEvents",
    response_model=AuditPage,
    responses=AUTH_ERRORS,
)
def list_audit_events(
    actor: ActorDep,
    uow: UowDep,
    uln: Annotated[str | None, Query(pattern=r"^[0-9]{10}$")] = None,
    ukprn: Annotated[str | None, Query(pattern=r"^[0-9]{8}$")] = None,
    action: Annotated[
        str | None, Query(pattern=r"^[a-z0-9_.]{1,40}$", examples=["learner.search"])
    ] = None,
    since: UtcDateTime | None = None,
    until: UtcDateTime | None = None,
    after_id: DbId | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditPage:
    """The audit log, oldest first; page with `after_id` (administrators only)."""
    entries = service.query(
        uow,
        actor,
        service.AuditQuery(
            uln=uln,
            ukprn=ukprn,
            action=action,
            since=since,
            until=until,
            after_id=after_id,
            limit=limit,
        ),
    )
    events = [AuditEventPublic(**e.__dict__) for e in entries]
    return AuditPage(events=events, next_after_id=events[-1].id if len(events) == limit else None)
