"""Reading a learner's learning events, as GetLearnerLearningEvents does.

A learner who has not agreed to share (AbilityToShare other than 1) is answered WSEC0206 with no
events, except that an organisation still sees the events it sent or awarded itself (answered
as a read, ``restricted``). Every read is logged with the code its caller got.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import Session

from open_lrs.core.db import UnitOfWork
from open_lrs.core.errors import LearnerNotFound, LearnerNotVerified
from open_lrs.core.security import Actor
from open_lrs.organisations.models import Organisation
from open_lrs.organisations.permissions import Action, require
from open_lrs.records.access import (
    OWN_EVENTS,
    OpenRecord,
    RecordRequest,
    log_access,
    open_record,
    own_parameters,
    refuse_if_not_shared,
)
from open_lrs.records.models import DataChallenge, LearningEvent
from open_lrs.records.schemas import (
    Form,
    LearningEventBrief,
    LearningEventFull,
    LearningEventsResponse,
)


@dataclass(frozen=True)
class EventFilter:
    qualification_type: str | None = None
    level: str | None = None
    source: str | None = None
    awarded_from: date | None = None
    awarded_to: date | None = None
    history: bool = False


# What opening a record for an action needs: the access log (recorded as an audit read)
# needs the right to read records; access_log narrows it to the organisation's own entries.
_NEEDS = {Action.AUDIT_READ: Action.PLR_READ}


def opened(uow: UnitOfWork, actor: Actor, action: Action, req: RecordRequest) -> OpenRecord:
    """Open the record for ``action``, committing the audit row of a refused attempt before
    refusing."""
    require(actor, _NEEDS.get(action, action))
    try:
        return open_record(uow.session, actor, action, req)
    except (LearnerNotFound, LearnerNotVerified):
        uow.commit()
        raise


# One query answers a read: each current event, whether a challenge to it is open, and the
# name of the provider where it was achieved. Built once; only the filters vary.
_CHALLENGED = (
    exists()
    .where(DataChallenge.event_id == LearningEvent.id, DataChallenge.resolved_at.is_(None))
    .label("challenged")
)
_EVENTS = (
    select(
        *LearningEvent.__table__.c,  # rows, not ORM objects: a read changes nothing
        _CHALLENGED,
        Organisation.name.label("provider_name"),
    )
    .outerjoin(Organisation, Organisation.ukprn == LearningEvent.provider_ukprn)
    .order_by(
        LearningEvent.award_date.desc().nulls_last(),
        LearningEvent.participation_start.desc().nulls_last(),
        LearningEvent.id.desc(),
    )
)


@dataclass(frozen=True)
class Shown:
    """An event as a reader sees it: ``event`` is its row (the columns of LearningEvent)."""

    event: Any
    challenged: bool
    provider_name: str | None


_CURRENT = LearningEvent.superseded_at.is_(None)
_OF_LEARNER = LearningEvent.learner_id.in_(bindparam("learners", expanding=True))
# The two reads nearly every call makes, built once.
_SHARED = _EVENTS.where(_OF_LEARNER, _CURRENT)
_RESTRICTED = _SHARED.where(OWN_EVENTS)


def events_of(s: Session, actor: Actor, record: OpenRecord, flt: EventFilter) -> list[Shown]:
    """The learner's events (under any of their ULNs) that ``actor`` may see, newest first."""
    params: dict[str, object] = {"learners": record.learner_ids}
    if not record.shared:
        params |= own_parameters(actor)
    if flt == EventFilter():
        q = _SHARED if record.shared else _RESTRICTED
    else:
        q = _EVENTS.where(_OF_LEARNER)
        if not flt.history:
            q = q.where(_CURRENT)
        if not record.shared:
            q = q.where(OWN_EVENTS)
        if flt.qualification_type:
            q = q.where(LearningEvent.qualification_type == flt.qualification_type)
        if flt.level:
            q = q.where(LearningEvent.level == flt.level)
        if flt.source:
            q = q.where(LearningEvent.source == flt.source)
        if flt.awarded_from:
            q = q.where(LearningEvent.award_date >= flt.awarded_from)
        if flt.awarded_to:
            q = q.where(LearningEvent.award_date <= flt.awarded_to)
    return [Shown(row, bool(row.challenged), row.provider_name) for row in s.execute(q, params)]


def _brief(shown: Shown) -> dict[str, Any]:
    e = shown.event
    return {
        "id": e.id,
        "subject_code": e.subject_code,
        "subject": e.subject_title,
        "qualification_type": e.qualification_type,
        "level": e.level,
        "credits": e.credits,
        "grade": e.grade,
        "kind": e.kind,
        "achievement_award_date": e.award_date,
        "status": e.status,
        "source": e.source,
        "under_data_challenge": "Y" if shown.challenged else "N",
    }


def to_public(
    shown: Sequence[Shown], form: Form
) -> list[LearningEventFull] | list[LearningEventBrief]:
    if form == "BRIEF":
        return [LearningEventBrief.model_validate(_brief(x)) for x in shown]
    return [
        LearningEventFull.model_validate(
            _brief(x)
            | {
                "awarding_organisation_name": x.event.awarding_organisation_name,
                "awarding_organisation_ukprn": x.event.awarding_organisation_ukprn,
                "achievement_provider_name": x.provider_name,
                "achievement_provider_ukprn": x.event.provider_ukprn,
                "participation_start_date": x.event.participation_start,
                "participation_end_date": x.event.participation_end,
                "language_for_assessment": x.event.language,
                "date_loaded": x.event.loaded_at,
                "collection_type": x.event.collection_type,
                "return_number": x.event.return_number,
                "superseded_at": x.event.superseded_at,
            }
        )
        for x in shown
    ]


def logged_read(
    uow: UnitOfWork,
    actor: Actor,
    req: RecordRequest,
    record: OpenRecord,
    shown: int,
    **details: object,
) -> str:
    """End a read of ``record`` that showed ``shown`` events: log it with the code its caller
    gets, commit, then refuse it (WSEC0206) or return the code. Every read path ends here, so
    the access log says what the caller got."""
    require(actor, Action.PLR_READ)
    outcome = log_access(uow.session, actor, Action.PLR_READ, req, record, shown=shown, **details)
    uow.commit()
    refuse_if_not_shared(outcome)
    return outcome


def learning_events(
    uow: UnitOfWork, actor: Actor, req: RecordRequest, flt: EventFilter, form: Form
) -> LearningEventsResponse:
    require(actor, Action.PLR_READ)
    with uow:
        record = opened(uow, actor, Action.PLR_READ, req)
        events = to_public(events_of(uow.session, actor, record, flt), form)
        code = logged_read(uow, actor, req, record, len(events), form=form)
    return LearningEventsResponse(
        lrs_code=code,
        incoming_uln=record.incoming_uln,
        found_uln=record.master.uln,
        master_substituted=record.master_substituted,
        form=form,
        restricted=not record.shared,
        events=events,
    )
