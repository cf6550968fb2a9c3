"""Registering, reading and updating learners: the one path every entry point uses."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, NoReturn

from sqlalchemy import select, text
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from open_lrs.audit import service as audit
from open_lrs.core.clock import utcnow
from open_lrs.core.db import UnitOfWork
from open_lrs.core.errors import (
    FieldError,
    PossibleMatches,
    StaleVersion,
    TooManyMatches,
    ValidationFailed,
)
from open_lrs.core.security import Actor
from open_lrs.learners import matching_store
from open_lrs.learners import repository as repo
from open_lrs.learners import search as match_service
from open_lrs.learners.issuing import issue_learner
from open_lrs.learners.models import ACTIVE, Learner, LearnerHistory
from open_lrs.learners.schemas import (
    HistoryEntry,
    LearnerCreate,
    LearnerRegistration,
    LearnerResult,
    LearnerUpdate,
)
from open_lrs.matching import store as match_store
from open_lrs.matching.dates import with_swapped
from open_lrs.matching.scoring import Outcome
from open_lrs.organisations.models import Organisation
from open_lrs.organisations.permissions import Action, require

# The subquery fixes the order in which the locks are taken (the keys' sorted order).
_LOCK_DATES = text(
    "SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) "
    "FROM (SELECT k FROM unnest(CAST(:keys AS text[])) AS k ORDER BY k) AS ordered"
)


_HELD_LOCKS = "learner_birth_date_locks"


def lock_birth_dates(session: Session, born: Iterable[date]) -> None:
    """Serialise registrations of people born on the same day (or with day and month
    swapped), so that two clients registering one person at once cannot both miss the other's
    learner and issue two ULNs. The search then sees the first learner committed. A batch
    worker locks every date of its chunk at once, before any search.

    On SQLite every transaction already holds the write lock (BEGIN IMMEDIATE).
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    days = {d.isoformat() for b in born for d in with_swapped(b)}
    # A lock is held until the transaction ends: a batch chunk locks its rows' dates once, and
    # each row's registration then finds its own dates held already.
    transaction, held = session.info.get(_HELD_LOCKS, (None, set()))
    if transaction is not session.get_transaction():
        held = set()
    days -= held
    if days:  # one round trip, in one order, so that two transactions cannot deadlock
        session.execute(_LOCK_DATES, {"keys": [f"learner-birth-date|{d}" for d in sorted(days)]})
        session.info[_HELD_LOCKS] = (session.get_transaction(), held | days)


@dataclass(frozen=True)
class Registration:
    """What registering decided: a new learner, one already registered (``record`` is the
    learner found, ``learner`` the master who answers for them), or candidates for a person."""

    outcome: Outcome | None  # None: a ULN was issued
    found: match_service.Found
    learner: Learner | None = None
    record: Learner | None = None

    @property
    def issued(self) -> bool:
        return self.outcome is None


def registration(
    uow: UnitOfWork,
    actor: Actor,
    data: LearnerCreate,
    model_version: str,
    *,
    confirm_new: bool = False,
    reason: str | None = None,
) -> Registration:
    """Search first (scored by the model of ``model_version``), then answer the learner
    found, stop at candidates, or issue a ULN; what it decided, for the caller to answer in its
    own terms (the API's response, a batch row's return code). Inside a batch worker's unit of
    work a chunk of rows commits together."""
    require(actor, Action.LEARNER_REGISTER)
    with uow:
        s = uow.session
        query = match_service.query_of(data)
        lock_birth_dates(s, [data.date_of_birth])
        found = match_service.find(s, query, match_service.current_model(model_version))
        outcome = found.decision.outcome
        if outcome is Outcome.EXACT_MATCH:
            _, record, master = found.learners()[0]
            audit.record(
                s, actor, Action.LEARNER_REGISTER, outcome="WSRC0021", learner_id=master.id
            )
            uow.commit()
            return Registration(outcome, found, master, record)
        if outcome is not Outcome.NO_MATCH and not confirm_new:
            uow.commit()
            return Registration(outcome, found)
        learner = _issue(s, actor, data, reason)
        details: dict[str, Any] = {}
        if outcome is not Outcome.NO_MATCH:
            details = {
                "confirmed_new": True,
                "search_outcome": outcome.code,
                "candidate_ulns": [m.uln for _, _, m in found.learners()],
                "reason": reason,
            }
        audit.record(
            s,
            actor,
            Action.LEARNER_REGISTER,
            outcome="WSRC0005",
            learner_id=learner.id,
            details=details,
        )
        uow.commit()
        return Registration(None, found, learner, learner)


def register(
    uow: UnitOfWork, actor: Actor, request: LearnerRegistration, model_version: str
) -> LearnerResult:
    """Register a learner unless they are already on the register (searched first, scored by
    the model of ``model_version``)."""
    require(actor, Action.LEARNER_REGISTER)
    with uow:
        s = uow.session
        done = registration(
            uow,
            actor,
            request.learner(),
            model_version,
            confirm_new=request.confirm_new,
            reason=request.reason,
        )
        if done.issued:
            assert done.learner is not None
            result = LearnerResult(
                code="registered", lrs_code="WSRC0005", learner=repo.to_public(s, done.learner)
            )
        elif done.outcome is Outcome.EXACT_MATCH:
            assert done.learner is not None
            assert done.record is not None
            result = _result(s, done.record, done.learner, "already_registered", "WSRC0021")
        else:
            _refuse_possible_matches(uow, actor, done.found)
        uow.commit()
        return result


def _refuse_possible_matches(uow: UnitOfWork, actor: Actor, found: match_service.Found) -> NoReturn:
    """Answer the candidates (their showing is audited) and issue nothing."""
    outcome = found.decision.outcome
    matches = match_service.to_matches(uow.session, found)
    ids = [m.id for _, _, m in found.learners()]
    match_service.audit_search(uow.session, actor, outcome, ids)
    uow.commit()
    error = TooManyMatches if outcome is Outcome.TOO_MANY else PossibleMatches
    raise error(
        "No ULN was issued: "
        + (
            "more than 10 learners on the register are like this one. Check the details, or "
            if outcome is Outcome.TOO_MANY
            else f"{len(matches)} learner(s) on the register may be this learner. Use one of "
            "their ULNs, or "
        )
        + "send the registration again with confirm_new true and a reason.",
        extra={"matches": [m.model_dump(mode="json") for m in matches]},
    )


def _issue(s: Session, actor: Actor, data: LearnerCreate, reason: str | None) -> Learner:
    now = utcnow()
    fields = data.model_dump()
    learner = issue_learner(
        s,
        {
            **fields,
            **repo.name_keys(data.given_name, data.family_name),
            "status": ACTIVE,
            "registered_by_organisation_id": actor.organisation_id,
            "created_at": now,
            "updated_at": now,
        },
    )
    matching_store.index_learner(s, learner, new=True)
    repo.add_history(
        s,
        learner,
        actor,
        "registered",
        {k: (None, v) for k, v in fields.items() if v is not None},
        reason=reason,
    )
    return learner


def _result(
    s: Session, record: Learner, master: Learner, code: str, lrs_code: str
) -> LearnerResult:
    substituted = record.id != master.id
    return LearnerResult(
        code="master_substituted" if substituted and code == "found" else code,
        lrs_code="WSRC0022" if substituted and code == "found" else lrs_code,
        master_substituted=substituted,
        requested_uln=record.uln if substituted else None,
        learner=repo.to_public(s, master),
    )


def read(uow: UnitOfWork, actor: Actor, uln: str) -> LearnerResult:
    require(actor, Action.LEARNER_READ)
    with uow:
        s = uow.session
        record, master = repo.resolve(s, uln)
        result = _result(s, record, master, "found", "WSRC0004")
        audit.record(s, actor, Action.LEARNER_READ, outcome=result.lrs_code, learner_id=master.id)
        uow.commit()
        return result


def update(uow: UnitOfWork, actor: Actor, uln: str, data: LearnerUpdate) -> LearnerResult:
    require(actor, Action.LEARNER_UPDATE)
    with uow:
        s = uow.session
        record, master = repo.resolve(s, uln, for_update=True)
        if data.version != master.version:
            raise StaleVersion(
                f"You quoted version {data.version} but the learner is at version "
                f"{master.version}: read the learner again, review the change, and retry.",
                extra={"current_version": master.version},
            )
        changes = apply_changes(uow, actor, master, data.changes())
        if not changes:
            audit.record(s, actor, Action.LEARNER_UPDATE, outcome="WSRC0020", learner_id=master.id)
            result = _result(s, record, master, "no_changes", "WSRC0020")
            uow.commit()
            return result
        result = _result(s, record, master, "updated", "WSRC0006")
        uow.commit()
        return result


def apply_changes(
    uow: UnitOfWork, actor: Actor, master: Learner, values: Mapping[str, Any]
) -> dict[str, tuple[Any, Any]]:
    """Change the fields of ``master`` (loaded in the caller's block, as every caller has
    it): history, blocking keys and audit kept, as every update does (the API's, or a batch
    row's new address). Returns the changes, old and new; none when every value is already
    the learner's."""
    require(actor, Action.LEARNER_UPDATE)
    with uow:
        changes = _change(uow.session, actor, master, values)
        uow.commit()
        return changes


def _change(
    s: Session, actor: Actor, master: Learner, values: Mapping[str, Any]
) -> dict[str, tuple[Any, Any]]:
    changes = {
        k: (getattr(master, k), new)
        for k, new in sorted(values.items())
        if getattr(master, k) != new
    }
    if not changes:
        return changes
    for k, (_, new) in changes.items():
        setattr(master, k, new)
    if master.verification_type == "999" and not master.other_verification_description:
        raise ValidationFailed(
            "The update has invalid fields",
            errors=[
                FieldError(
                    "other_verification_description",
                    "is required when verification_type is 999",
                )
            ],
        )
    for k, v in repo.name_keys(master.given_name, master.family_name).items():
        setattr(master, k, v)
    master.updated_at = utcnow()
    try:
        s.flush()
    except StaleDataError as exc:
        raise StaleVersion(
            "The learner was changed by someone else at the same moment; read it again."
        ) from exc
    if match_store.changes_keys(changes):
        matching_store.index_learner(s, master)
    repo.add_history(s, master, actor, "updated", changes)
    audit.record(
        s,
        actor,
        Action.LEARNER_UPDATE,
        outcome="WSRC0006",
        learner_id=master.id,
        details={"fields": sorted(changes)},
    )
    return changes


def history(uow: UnitOfWork, actor: Actor, uln: str) -> list[HistoryEntry]:
    require(actor, Action.LEARNER_READ)
    with uow:
        s = uow.session
        _, master = repo.resolve(s, uln)
        rows = s.execute(
            select(LearnerHistory, Organisation.ukprn)
            .outerjoin(Organisation, Organisation.id == LearnerHistory.organisation_id)
            .where(LearnerHistory.learner_id == master.id)
            .order_by(LearnerHistory.version, LearnerHistory.id)
        )
        entries = [
            HistoryEntry(
                version=h.version,
                action=h.action,
                changed_at=h.changed_at,
                ukprn=ukprn,
                user_label=h.user_label,
                changes=h.changes,
                reason=h.reason,
            )
            for h, ukprn in rows
        ]
        audit.record(s, actor, "learner.history", outcome="ok", learner_id=master.id)
        uow.commit()
        return entries
