"""Data challenges: a provider (or, with the learner portal, the learner) disputes an event.

The event shows ``under_data_challenge: Y`` until the organisation that sent it answers: it
confirms the event as right, or corrects it by loading a corrected award, which supersedes the
event and closes the challenge (``feeds.loading``). Nobody edits the event itself.
"""

from __future__ import annotations

from sqlalchemy import select

from open_lrs.audit import service as audit
from open_lrs.core.clock import utcnow
from open_lrs.core.db import UnitOfWork
from open_lrs.core.errors import Conflict, Forbidden, NotFound
from open_lrs.core.security import Actor
from open_lrs.organisations.permissions import Action, Kind, require
from open_lrs.records.access import RecordRequest, log_access
from open_lrs.records.models import DataChallenge, LearningEvent
from open_lrs.records.reading import EventFilter, events_of, opened
from open_lrs.records.schemas import DataChallengePublic


def _public(c: DataChallenge, event: LearningEvent) -> DataChallengePublic:
    return DataChallengePublic.model_validate(
        {
            "id": c.id,
            "event_id": c.event_id,
            "subject_code": event.subject_code,
            "raised_by": c.raised_by,
            "reason": c.reason,
            "raised_at": c.raised_at,
            "resolution": c.resolution,
            "resolution_note": c.resolution_note,
            "resolved_at": c.resolved_at,
        }
    )


def raise_challenge(
    uow: UnitOfWork, actor: Actor, req: RecordRequest, event_id: int, reason: str
) -> DataChallengePublic:
    """Challenge one of the learner's current events (the caller must be able to read it)."""
    require(actor, Action.PLR_CHALLENGE)
    with uow:
        s = uow.session
        record = opened(uow, actor, Action.PLR_CHALLENGE, req)
        visible = {x.event.id: x.event for x in events_of(s, actor, record, EventFilter())}
        event = visible.get(event_id)
        if event is None:
            raise NotFound(
                f"Learning event {event_id} is not a current event of this learner that your "
                "organisation may see."
            )
        open_one = s.scalar(
            select(DataChallenge.id).where(
                DataChallenge.event_id == event_id, DataChallenge.resolved_at.is_(None)
            )
        )
        if open_one is not None:
            raise Conflict(f"Learning event {event_id} is already under challenge ({open_one}).")
        challenge = DataChallenge(
            event_id=event_id,
            raised_by_organisation_id=actor.organisation_id,
            raised_by=actor.label,
            reason=reason,
            raised_at=utcnow(),
        )
        s.add(challenge)
        s.flush()
        # The challenge shows the caller the one event it is about.
        log_access(s, actor, Action.PLR_CHALLENGE, req, record, shown=1, challenge_id=challenge.id)
        result = _public(challenge, event)
        uow.commit()
        return result


def _answerable(actor: Actor, event: LearningEvent) -> bool:
    return actor.organisation_kind == Kind.ADMIN or event.organisation_id == actor.organisation_id


def confirm(uow: UnitOfWork, actor: Actor, challenge_id: int, note: str) -> DataChallengePublic:
    """The sending organisation confirms the event is right; the challenge closes."""
    require(actor, Action.PLR_CHALLENGE)
    with uow:
        s = uow.session
        challenge = s.get(DataChallenge, challenge_id)
        event = s.get(LearningEvent, challenge.event_id) if challenge else None
        if challenge is None or event is None:
            raise NotFound(f"There is no data challenge {challenge_id}.")
        if not _answerable(actor, event):
            raise Forbidden("Only the organisation that sent the event answers its challenges.")
        if challenge.resolved_at is not None:
            raise Conflict(f"Data challenge {challenge_id} was already {challenge.resolution}.")
        challenge.resolution = "confirmed"
        challenge.resolution_note = note
        challenge.resolved_at = utcnow()
        challenge.resolved_by_organisation_id = actor.organisation_id
        audit.record(
            s,
            actor,
            Action.PLR_CHALLENGE,
            outcome="confirmed",
            learner_id=event.learner_id,
            details={"challenge_id": challenge_id},
        )
        result = _public(challenge, event)
        uow.commit()
        return result


def to_answer(
    uow: UnitOfWork, actor: Actor, *, open_only: bool = True
) -> list[DataChallengePublic]:
    """Challenges to the events the caller's organisation sent (all, for an administrator)."""
    require(actor, Action.PLR_CHALLENGE)
    with uow:
        q = select(DataChallenge, LearningEvent).join(
            LearningEvent, LearningEvent.id == DataChallenge.event_id
        )
        if actor.organisation_kind != Kind.ADMIN:
            q = q.where(LearningEvent.organisation_id == actor.organisation_id)
        if open_only:
            q = q.where(DataChallenge.resolved_at.is_(None))
        rows = uow.session.execute(q.order_by(DataChallenge.raised_at, DataChallenge.id)).all()
        return [_public(c, e) for c, e in rows]
