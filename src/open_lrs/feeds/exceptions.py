"""The feed-exceptions queue: awards whose learner a person must choose.

The organisation that sent the feed (or an administrator) lists its waiting awards, with the
identity the feed gave and the candidates the search found, and either files the award on a
learner it names by ULN, or dismisses it with a reason. Filing goes through the same path as a
load, so a resolved award is superseded, deduplicated and reported exactly as a loaded one.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from open_lrs.audit import service as audit
from open_lrs.core.clock import utcnow
from open_lrs.core.db import UnitOfWork
from open_lrs.core.errors import Conflict, NotFound, ValidationFailed
from open_lrs.core.security import Actor
from open_lrs.feeds.loading import ACTIONS, LoadReport, check_award, file_awards, lock
from open_lrs.feeds.models import DISMISSED, OPEN, RESOLVED, FeedException, FeedLoad
from open_lrs.feeds.schemas import WaitingAwardOut
from open_lrs.feeds.types import RecordProblem, award_from_json
from open_lrs.learners import repository as repo
from open_lrs.organisations.permissions import Kind, permitted, require
from open_lrs.records.catalogue import current_entries

# The audit log's action for a listing of the queue (an audit action, not a permission).
FEED_EXCEPTIONS_READ = "feed_exceptions.read"


def _waiting(e: FeedException) -> WaitingAwardOut:
    award: dict[str, Any] = e.award
    who = award["learner"]
    return WaitingAwardOut(
        id=e.id,
        feed_load_id=e.feed_load_id,
        source=e.source,
        line=e.line,
        record_key=e.record_key,
        reason=e.reason,
        message=e.message,
        subject_code=award["subject_code"],
        given_name=who["given_name"],
        family_name=who["family_name"],
        date_of_birth=date.fromisoformat(who["date_of_birth"]) if who["date_of_birth"] else None,
        uln_given=who["uln"],
        candidate_ulns=list(e.candidate_ulns),
        status=e.status,
        created_at=e.created_at,
    )


def _mine(actor: Actor, e: FeedException) -> bool:
    return actor.organisation_kind == Kind.ADMIN or e.organisation_id == actor.organisation_id


def _require_feeds(actor: Actor) -> None:
    """May load some feed: checked before a waiting award is even looked up (its own
    source is checked once it is, in ``_open``)."""
    if not any(permitted(actor, action) for action in ACTIONS.values()):
        require(actor, ACTIONS["ILR"])  # refused, with the words every refusal has


def waiting(uow: UnitOfWork, actor: Actor, source: str | None = None) -> list[WaitingAwardOut]:
    """The open feed exceptions, oldest first. Each shows a learner's details as the feed gave
    them and the candidates' ULNs, so every listing is audited (one row, in the same
    transaction): which feed, how many learners' details, which loads."""
    _require_feeds(actor)
    with uow:
        q = select(FeedException).where(FeedException.status == OPEN)
        if actor.organisation_kind != Kind.ADMIN:
            q = q.where(FeedException.organisation_id == actor.organisation_id)
        if source:
            q = q.where(FeedException.source == source)
        rows = uow.session.scalars(q.order_by(FeedException.id)).all()
        shown = [_waiting(e) for e in rows]
        audit.record(
            uow.session,
            actor,
            FEED_EXCEPTIONS_READ,
            outcome="ok",
            details={
                "source": source,
                "feed_load_ids": sorted({e.feed_load_id for e in rows}),
                "learners": len(shown),
                "candidates": len({uln for w in shown for uln in w.candidate_ulns}),
            },
        )
        uow.commit()
        return shown


def _open(uow: UnitOfWork, actor: Actor, exception_id: int) -> FeedException:
    e = uow.session.get(FeedException, exception_id)
    if e is None or not _mine(actor, e):
        raise NotFound(f"There is no feed exception {exception_id} for your organisation.")
    require(actor, ACTIONS[e.source])
    if e.status != OPEN:
        raise Conflict(f"Feed exception {exception_id} is already {e.status}.")
    return e


def resolve(uow: UnitOfWork, actor: Actor, exception_id: int, uln: str, reason: str) -> LoadReport:
    """File the waiting award on the learner with ``uln`` (a linked ULN files on its master)."""
    _require_feeds(actor)
    with uow:
        s = uow.session
        e = _open(uow, actor, exception_id)
        _, master = repo.resolve(s, uln)
        award = award_from_json(e.award)
        entry = current_entries(s, [award.subject_code]).get(award.subject_code)
        checked = check_award(award, entry)
        if isinstance(checked, RecordProblem):
            raise ValidationFailed(f"The award can no longer be filed: {checked.message}")
        load = s.get(FeedLoad, e.feed_load_id)
        assert load is not None
        lock(s, load)
        report = LoadReport(load_id=load.id, source=load.source, records=1)
        file_awards(s, load, [(checked, master.id)], report)
        if report.problems:
            raise Conflict(f"The award cannot be filed: {report.problems[0].message}")
        e.status = RESOLVED
        e.resolved_at = utcnow()
        e.resolved_by = actor.label
        e.resolved_learner_id = master.id
        e.resolution_reason = reason
        audit.record(
            s,
            actor,
            ACTIONS[e.source],
            outcome="exception_resolved",
            learner_id=master.id,
            details={"feed_exception_id": e.id, "reason": "chosen by a person"},
        )
        uow.commit()
        return report


def dismiss(uow: UnitOfWork, actor: Actor, exception_id: int, reason: str) -> None:
    """Drop a waiting award that should never be filed (a test record, a wrong return)."""
    _require_feeds(actor)
    with uow:
        s = uow.session
        e = _open(uow, actor, exception_id)
        e.status = DISMISSED
        e.resolved_at = utcnow()
        e.resolved_by = actor.label
        e.resolution_reason = reason
        audit.record(
            s, actor, ACTIONS[e.source], outcome="exception_dismissed", details={"id": e.id}
        )
        uow.commit()
