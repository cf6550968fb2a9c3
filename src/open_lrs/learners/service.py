"""Registering, reading and updating learners: the one path every entry point uses."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from open_lrs.audit import service as audit
from open_lrs.core.clock import utcnow
from open_lrs.core.db import UnitOfWork
from open_lrs.core.errors import DuplicateLearner, FieldError, StaleVersion, ValidationFailed
from open_lrs.core.security import Actor
from open_lrs.learners import repository as repo
from open_lrs.learners.models import ACTIVE, Learner, LearnerHistory
from open_lrs.learners.schemas import HistoryEntry, LearnerCreate, LearnerResult, LearnerUpdate
from open_lrs.learners.uln import generate_uln
from open_lrs.organisations.models import Organisation
from open_lrs.organisations.permissions import Action
from open_lrs.organisations.service import require

ULN_ISSUE_ATTEMPTS = 20


class UlnSpaceExhausted(RuntimeError):
    """Twenty random ULNs in a row were taken: the register is (nearly) full."""


def _lock_identity(session: Session, data: LearnerCreate, family_key: str) -> None:
    """Serialise registrations of the same identity so that a race cannot create two ULNs.

    On SQLite every transaction already holds the write lock (BEGIN IMMEDIATE).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
            {"k": f"learner-identity|{data.date_of_birth.isoformat()}|{family_key}"},
        )


def find_same_mandatory_fields(session: Session, data: LearnerCreate) -> Learner | None:
    keys = repo.name_keys(data.given_name, data.family_name)
    return session.scalar(
        select(Learner)
        .where(
            Learner.date_of_birth == data.date_of_birth,
            Learner.family_name_key == keys["family_name_key"],
            Learner.given_name_key == keys["given_name_key"],
            Learner.gender == data.gender,
            Learner.postcode == data.postcode,
        )
        .order_by(Learner.id)
        .limit(1)
    )


def issue_learner(session: Session, values: dict[str, Any]) -> Learner:
    """Insert a learner under a fresh random ULN, retrying on the rare collision."""
    for _ in range(ULN_ISSUE_ATTEMPTS):
        uln = generate_uln()
        if repo.by_uln(session, uln) is not None:
            continue
        learner = Learner(uln=uln, **values)
        try:
            with session.begin_nested():
                session.add(learner)
        except IntegrityError:
            continue
        return learner
    raise UlnSpaceExhausted("could not find a free ULN")


def register(uow: UnitOfWork, actor: Actor, data: LearnerCreate) -> LearnerResult:
    require(actor, Action.LEARNER_REGISTER)
    with uow:
        s = uow.session
        keys = repo.name_keys(data.given_name, data.family_name)
        _lock_identity(s, data, keys["family_name_key"])
        existing = find_same_mandatory_fields(s, data)
        if existing is not None:
            _, master = repo.resolve(s, existing.uln)
            audit.record(
                s, actor, Action.LEARNER_REGISTER, outcome="WSRC0021", learner_id=master.id
            )
            uow.commit()
            raise DuplicateLearner(
                "A learner with the same given name, family name, date of birth, gender and "
                f"postcode already has ULN {master.uln}; no new ULN was issued.",
                extra={"uln": master.uln},
            )
        now = utcnow()
        fields = data.model_dump()
        learner = issue_learner(
            s,
            {
                **fields,
                **keys,
                "status": ACTIVE,
                "registered_by_organisation_id": actor.organisation_id,
                "created_at": now,
                "updated_at": now,
            },
        )
        repo.add_history(
            s,
            learner,
            actor,
            "registered",
            {k: (None, v) for k, v in fields.items() if v is not None},
        )
        audit.record(s, actor, Action.LEARNER_REGISTER, outcome="WSRC0005", learner_id=learner.id)
        result = LearnerResult(
            code="registered", lrs_code="WSRC0005", learner=repo.to_public(s, learner)
        )
        uow.commit()
        return result


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
        changes = {
            k: (getattr(master, k), new)
            for k, new in sorted(data.changes().items())
            if getattr(master, k) != new
        }
        if not changes:
            audit.record(s, actor, Action.LEARNER_UPDATE, outcome="WSRC0020", learner_id=master.id)
            result = _result(s, record, master, "no_changes", "WSRC0020")
            uow.commit()
            return result
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
        repo.add_history(s, master, actor, "updated", changes)
        audit.record(
            s,
            actor,
            Action.LEARNER_UPDATE,
            outcome="WSRC0006",
            learner_id=master.id,
            details={"fields": sorted(changes)},
        )
        result = _result(s, record, master, "updated", "WSRC0006")
        uow.commit()
        return result


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
