"""Queries on learners shared by the learner services. Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from open_lrs.core.errors import InvalidUln, LearnerNotFound
from open_lrs.core.security import Actor
from open_lrs.core.text import compact_name
from open_lrs.learners.models import LINKED, Learner, LearnerHistory
from open_lrs.learners.schemas import LearnerPublic
from open_lrs.learners.uln import uln_error


def check_uln(uln: str) -> None:
    if problem := uln_error(uln):
        raise InvalidUln(f"ULN {problem}.", errors=[])


# Built once: a statement object is compiled and keyed for the cache once, not per call.
_BY_ULN = select(Learner).where(Learner.uln == bindparam("uln"))
_BY_ULN_FOR_UPDATE = _BY_ULN.with_for_update()


def by_uln(session: Session, uln: str, *, for_update: bool = False) -> Learner | None:
    return session.scalar(_BY_ULN_FOR_UPDATE if for_update else _BY_ULN, {"uln": uln})


def resolve(session: Session, uln: str, *, for_update: bool = False) -> tuple[Learner, Learner]:
    """The learner holding ``uln`` and the master that answers for it (the same when active)."""
    check_uln(uln)
    learner = by_uln(session, uln, for_update=for_update)
    if learner is None:
        raise LearnerNotFound(f"No learner has ULN {uln}.")
    if learner.status == LINKED and learner.master_id is not None:
        master = session.get(Learner, learner.master_id, with_for_update=for_update)
        assert master is not None
        return learner, master
    return learner, learner


def linked_ulns(session: Session, master_id: int) -> list[str]:
    return list(
        session.scalars(
            select(Learner.uln).where(Learner.master_id == master_id).order_by(Learner.uln)
        )
    )


def to_public(
    session: Session, learner: Learner, linked: Sequence[str] | None = None
) -> LearnerPublic:
    """The learner as the API shows them; ``linked`` when already read (a search reads the
    linked ULNs of the learners it decides on with them)."""
    return LearnerPublic.model_validate(
        {
            **learner.personal_data(),
            "uln": learner.uln,
            "status": learner.status,
            "linked_ulns": list(linked) if linked is not None else linked_ulns(session, learner.id),
            "version": learner.version,
            "created_at": learner.created_at,
            "updated_at": learner.updated_at,
        }
    )


def name_keys(given_name: str, family_name: str) -> dict[str, str]:
    return {
        "given_name_key": compact_name(given_name),
        "family_name_key": compact_name(family_name),
    }


def json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def add_history(
    session: Session,
    learner: Learner,
    actor: Actor | None,
    action: str,
    changes: dict[str, tuple[Any, Any]],
    *,
    reason: str | None = None,
) -> None:
    session.add(
        LearnerHistory(
            learner_id=learner.id,
            version=learner.version,
            action=action,
            organisation_id=actor.organisation_id if actor else None,
            api_key_id=actor.api_key_id if actor else None,
            user_id=actor.user_id if actor else None,
            user_label=actor.user_label if actor else None,
            changes={
                k: {"old": json_value(old), "new": json_value(new)}
                for k, (old, new) in changes.items()
            },
            reason=reason,
        )
    )
