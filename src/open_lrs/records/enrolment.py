"""The enrolment summary of a learner's record: one call for a provider placing a learner."""

from __future__ import annotations

from sqlalchemy.orm import Session

from open_lrs.core.db import UnitOfWork
from open_lrs.core.security import Actor
from open_lrs.organisations.permissions import Action, require
from open_lrs.records import levels
from open_lrs.records.access import OpenRecord, RecordRequest
from open_lrs.records.kinds import ACHIEVEMENT
from open_lrs.records.models import LearningEvent
from open_lrs.records.reading import EventFilter, events_of, logged_read, opened
from open_lrs.records.schemas import (
    EnrolmentSummary,
    LevelHeld,
    QualificationHeld,
    SubjectResult,
)
from open_lrs.records.summary import Held, SubjectLevel, summarise


def _held(e: LearningEvent) -> Held:
    return Held(
        subject_code=e.subject_code,
        subject=e.subject_title,
        qualification_type=e.qualification_type,
        level=e.level,
        grade=e.grade,
        award_date=e.award_date,
        status=e.status,
    )


def _public(h: Held) -> QualificationHeld:
    return QualificationHeld(
        subject_code=h.subject_code,
        subject=h.subject,
        qualification_type=h.qualification_type,
        grade=h.grade,
        achievement_award_date=h.award_date,
        status="P" if h.status == "P" else "F",
    )


def _subject(result: SubjectLevel) -> SubjectResult:
    return SubjectResult(
        level=result.level,
        label=levels.label(result.level) if result.level else None,
        gcse_grade_4_or_above=result.gcse_grade_4_or_above,
        best=_public(result.best) if result.best else None,
    )


def _summary(s: Session, actor: Actor, record: OpenRecord) -> tuple[EnrolmentSummary, int]:
    events = [x.event for x in events_of(s, actor, record, EventFilter())]
    events = [e for e in events if e.kind == ACHIEVEMENT]
    summary = summarise(_held(e) for e in events)
    return EnrolmentSummary(
        incoming_uln=record.incoming_uln,
        found_uln=record.master.uln,
        restricted=not record.shared,
        highest_level=summary.highest_level,
        highest_level_label=levels.label(summary.highest_level) if summary.highest_level else None,
        english=_subject(summary.english),
        mathematics=_subject(summary.mathematics),
        by_level=[
            LevelHeld(
                level=level, label=levels.label(level), qualifications=[_public(h) for h in held]
            )
            for level, held in summary.by_level
        ],
    ), len(events)


def enrolment_summary(uow: UnitOfWork, actor: Actor, req: RecordRequest) -> EnrolmentSummary:
    require(actor, Action.PLR_READ)
    with uow:
        record = opened(uow, actor, Action.PLR_READ, req)
        result, count = _summary(uow.session, actor, record)
        logged_read(uow, actor, req, record, count, form="ENROLMENT_SUMMARY")
    return result
