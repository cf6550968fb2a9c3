"""Verifying a ULN against a name, and checking many ULNs at once."""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from open_lrs.audit import service as audit
from open_lrs.core.db import UnitOfWork
from open_lrs.core.security import Actor
from open_lrs.learners import repository as repo
from open_lrs.learners.models import LINKED, Learner
from open_lrs.learners.schemas import RetrievedUln, RetrieveResponse, VerifyRequest, VerifyResponse
from open_lrs.learners.uln import uln_error
from open_lrs.learners.verification import (
    NOT_FOUND,
    Candidate,
    Claim,
    VerificationOutcome,
    VerificationResult,
)
from open_lrs.learners.verification import verify as verify_claim
from open_lrs.organisations.permissions import Action, require


def verify(uow: UnitOfWork, actor: Actor, req: VerifyRequest) -> VerifyResponse:
    require(actor, Action.LEARNER_VERIFY)
    return verify_details(uow, actor, req.uln, req)[0]


class Claimed(Protocol):
    """What a claim to a ULN gives: a verify request, or a learner to register."""

    @property
    def given_name(self) -> str: ...
    @property
    def family_name(self) -> str: ...
    @property
    def date_of_birth(self) -> date | None: ...
    @property
    def gender(self) -> str | None: ...


def verify_against(details: Claimed, master: Any, *, linked: bool) -> VerificationOutcome:
    """``details`` checked against the register's learner ``master``: a ``Learner``, or a row
    with its name, date of birth and gender columns (a feed verifies thousands at once)."""
    return verify_claim(
        Claim(
            given_name=details.given_name,
            family_name=details.family_name,
            date_of_birth=details.date_of_birth,
            gender=details.gender,
        ),
        Candidate(
            given_name=master.given_name,
            family_name=master.family_name,
            previous_family_name=master.previous_family_name,
            preferred_given_name=master.preferred_given_name,
            date_of_birth=master.date_of_birth,
            gender=master.gender,
        ),
        linked=linked,
    )


def check_claim(
    s: Session, uln: str, details: Claimed
) -> tuple[VerificationOutcome, Learner | None, Learner | None]:
    """The verification of ``uln`` against the names, date of birth and gender read off
    ``details``, with the learner the ULN names and the master that answers for them. Not
    audited: the caller records what it did with the answer."""
    learner = repo.by_uln(s, uln)
    if learner is None:
        return NOT_FOUND, None, None
    master = learner
    if learner.status == LINKED and learner.master_id is not None:
        master = s.get(Learner, learner.master_id) or learner
    outcome = verify_against(details, master, linked=master.id != learner.id)
    return outcome, learner, master


def verify_details(
    uow: UnitOfWork, actor: Actor, uln: str, details: Claimed
) -> tuple[VerifyResponse, Learner | None]:
    """Verify ``uln`` against the names, date of birth and gender read off ``details`` (a
    request, or a learner to register), and give the master found with the answer, so that a
    caller acting on the learner (a batch row in the worker's unit of work) does not look them
    up again. Audited."""
    require(actor, Action.LEARNER_VERIFY)
    with uow:
        answer = _verified(uow.session, actor, uln, details)
        uow.commit()
        return answer


def _verified(
    s: Session, actor: Actor, uln: str, details: Claimed
) -> tuple[VerifyResponse, Learner | None]:
    outcome, _, master = check_claim(s, uln, details)
    if master is None:
        audit.record(s, actor, Action.LEARNER_VERIFY, outcome=NOT_FOUND.lrs_code)
        response = VerifyResponse(
            result="not_found", code=NOT_FOUND.lrs_code, uln=uln, searched_uln=uln, failure_flags=[]
        )
        return response, None
    audit.record(
        s,
        actor,
        Action.LEARNER_VERIFY,
        outcome=outcome.lrs_code,
        learner_id=master.id,
        details={"failure_flags": list(outcome.failure_flags)},
    )
    matched = outcome.result != VerificationResult.NO_MATCH
    response = VerifyResponse(
        result=outcome.result.value,
        code=outcome.lrs_code,
        # A claim that does not match learns nothing more: not the ULN a merged one became.
        uln=master.uln if matched else uln,
        searched_uln=uln,
        failure_flags=list(outcome.failure_flags),
    )
    return response, master


def retrieve(uow: UnitOfWork, actor: Actor, ulns: list[str]) -> RetrieveResponse:
    """Status of up to 200 ULNs in two queries; no personal data is returned."""
    require(actor, Action.LEARNER_RETRIEVE)
    valid = [u for u in dict.fromkeys(ulns) if uln_error(u) is None]
    with uow:
        s = uow.session
        found = (
            {
                row.uln: row
                for row in s.execute(
                    select(Learner.id, Learner.uln, Learner.status, Learner.master_id).where(
                        Learner.uln.in_(valid)
                    )
                )
            }
            if valid
            else {}
        )
        master_ids = {r.master_id for r in found.values() if r.master_id is not None}
        masters = (
            dict(s.execute(select(Learner.id, Learner.uln).where(Learner.id.in_(master_ids))).all())
            if master_ids
            else {}
        )
        results = []
        for uln in ulns:
            if problem := uln_error(uln):
                results.append(
                    RetrievedUln(
                        uln=uln, status="invalid", lrs_code="WSEC0136", message=f"ULN {problem}"
                    )
                )
            elif (row := found.get(uln)) is None:
                results.append(RetrievedUln(uln=uln, status="not_found", lrs_code="WSRC0001"))
            elif row.status == LINKED and row.master_id is not None:
                results.append(
                    RetrievedUln(
                        uln=uln,
                        status="linked",
                        lrs_code="WSRC0022",
                        master_uln=masters[row.master_id],
                    )
                )
            else:
                results.append(
                    RetrievedUln(uln=uln, status="found", lrs_code="WSRC0004", master_uln=uln)
                )
        audit.record_many(
            s,
            actor,
            Action.LEARNER_RETRIEVE,
            outcome="ok",
            learner_ids=sorted({r.id for r in found.values()}),
        )
        uow.commit()
        return RetrieveResponse(results=results)
