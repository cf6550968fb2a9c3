"""Opening a learner's record: who may, for which learner, and the access log.

As in the LRS, a caller reads a PLR by ULN *and* the learner's given and family name (and date
of birth, when given): knowing a ULN alone must not open anyone's achievements. The names must
verify *exactly* (WSVRC001, or WSVRC002 for a linked ULN): accents, case, hyphens, spaces and
apostrophes aside, and the preferred given name counting as the given name. A name the verify
service would call similar ("Sean" for Siân) finds a learner but does not open their record
(WSEC0208). A linked ULN opens its master's record.

Every attempt is written to the audit log with its purpose and the code its caller got
(``read_outcome`` decides it for every path), and the log is the learner's access log: the
organisation, the user, the time, the purpose, the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from open_lrs.audit import service as audit
from open_lrs.core.errors import (
    InvalidUln,
    LearnerNotFound,
    LearnerNotVerified,
    LrsError,
    NotShared,
)
from open_lrs.core.security import Actor
from open_lrs.learners.lookup import check_claim
from open_lrs.learners.models import Learner
from open_lrs.learners.uln import uln_error
from open_lrs.learners.verification import VerificationResult
from open_lrs.organisations.permissions import Action
from open_lrs.records.models import LearningEvent

Purpose = Literal["enrolment", "guidance", "admissions", "awarding", "learner_request", "other"]
SHARING_AGREED = "1"
_LINKED = select(Learner.id).where(Learner.master_id == bindparam("master"))


@dataclass(frozen=True)
class RecordRequest:
    uln: str
    given_name: str
    family_name: str
    date_of_birth: date | None = None
    gender: str | None = None
    purpose: Purpose = "enrolment"


@dataclass(frozen=True)
class OpenRecord:
    """A verified learner's record, opened for ``actor``."""

    incoming_uln: str
    master: Learner
    learner_ids: list[int]
    shared: bool

    @property
    def master_substituted(self) -> bool:
        return self.master.uln != self.incoming_uln


def _refuse(
    s: Session,
    actor: Actor,
    action: Action,
    req: RecordRequest,
    error: LrsError,
    learner: int | None,
) -> LrsError:
    audit.record(
        s,
        actor,
        action,
        outcome=error.lrs_code or error.code,
        learner_id=learner,
        details={"purpose": req.purpose},
    )
    return error


# Reading a record needs the names exactly (verify's WSVRC001 and WSVRC002): finding a learner
# may forgive a spelling, opening their achievements may not.
_OPENS = (VerificationResult.MATCH, VerificationResult.LINKED_MATCH)


def open_record(s: Session, actor: Actor, action: Action, req: RecordRequest) -> OpenRecord:
    """The learner's record if the names verify; the attempt is audited either way. A refusal
    is returned as an error *after* its audit row is added, so the caller commits then raises."""
    if problem := uln_error(req.uln):
        raise InvalidUln(f"ULN {problem}")
    outcome, _, master = check_claim(s, req.uln, req)
    if master is None:
        raise _refuse(s, actor, action, req, LearnerNotFound("No learner has this ULN."), None)
    if outcome.result not in _OPENS:
        error = LearnerNotVerified(
            "The names (or date of birth, or gender) given are not exactly those of the "
            "learner with this ULN, so their record cannot be opened. Accents, case, hyphens "
            "and apostrophes do not matter, and the preferred given name counts; a similar "
            "spelling does not.",
        )
        raise _refuse(s, actor, action, req, error, master.id)
    linked = list(s.scalars(_LINKED, {"master": master.id}))
    return OpenRecord(
        incoming_uln=req.uln,
        master=master,
        learner_ids=[master.id, *linked],
        shared=master.ability_to_share == SHARING_AGREED,
    )


# The events an organisation may see without the learner's agreement: those it sent, and those
# it awarded or taught. Parameters: own_organisation, own_ukprn.
OWN_EVENTS = or_(
    LearningEvent.organisation_id == bindparam("own_organisation"),
    LearningEvent.awarding_organisation_ukprn == bindparam("own_ukprn"),
    LearningEvent.provider_ukprn == bindparam("own_ukprn"),
)


def own_parameters(actor: Actor) -> dict[str, object]:
    return {"own_organisation": actor.organisation_id, "own_ukprn": actor.ukprn}


# The codes a read of a record is answered with (a refusal's is its error's lrs_code).
FOUND, LINKED = "WSRC0004", "WSRC0022"
NOT_SHARED = "WSEC0206"  # NotShared's


def read_outcome(opened: OpenRecord, shown: int) -> str:
    """The code the caller of a read of ``opened`` gets when ``shown`` events were shown:
    WSEC0206 when the learner has not agreed to share and none of the caller's own events
    were shown, else WSRC0022 for a linked ULN answered by its master, WSRC0004 for the ULN's
    own record. The access log and every response take their code from here."""
    if not opened.shared and shown == 0:
        return NOT_SHARED
    return LINKED if opened.master_substituted else FOUND


def refuse_if_not_shared(outcome: str) -> None:
    """Raise the refusal ``outcome`` is, if it is one (once its audit row is committed)."""
    if outcome == NOT_SHARED:
        raise NotShared(
            "The learner has not agreed to share their record (AbilityToShare is not 1), "
            "and your organisation sent none of its events."
        )


def log_access(
    s: Session,
    actor: Actor,
    action: Action,
    req: RecordRequest,
    opened: OpenRecord,
    *,
    shown: int,
    **details: object,
) -> str:
    """Write the access to the learner's log with the code its caller gets, and return the
    code. ``shown`` is how many of the learner's events the caller was shown; for a learner
    who has not agreed to share, the row says whether any of the caller's own were."""
    restricted = not opened.shared
    outcome = read_outcome(opened, shown)
    audit.record(
        s,
        actor,
        action,
        outcome=outcome,
        learner_id=opened.master.id,
        details={
            "purpose": req.purpose,
            "restricted": restricted,
            "events": shown,
            **({"own_events_shown": shown > 0} if restricted else {}),
            **details,
        },
    )
    return outcome
