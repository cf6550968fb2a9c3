"""JSON API v1 for learners: thin routes over the learner services."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from open_lrs.core.http import AUTH_ERRORS, PROBLEM, ActorDep, UowDep, UtcDateTime
from open_lrs.core.settings import Settings
from open_lrs.learners import lookup, merging, service
from open_lrs.learners.schemas import (
    HistoryEntry,
    LearnerRegistration,
    LearnerResult,
    LearnerUpdate,
    MergeReport,
    MergeRequest,
    MergeResponse,
    RetrieveRequest,
    RetrieveResponse,
    UnmergeRequest,
    VerifyRequest,
    VerifyResponse,
)

router = APIRouter(prefix="/api/v1", tags=["learners"])

UlnPath = Annotated[str, Path(description="A 10-digit ULN", examples=["1234567899"], max_length=64)]


@router.post(
    "/learners",
    operation_id="registerLearner",
    status_code=201,
    response_model=LearnerResult,
    responses={
        **AUTH_ERRORS,
        200: {"description": "Already registered: the existing learner (WSRC0021)"},
        409: {
            "description": "Possible matches (WSRC0003) or too many (WSRC0002): no ULN "
            "issued; the problem lists the candidates in `matches`",
            **PROBLEM,
        },
    },
)
def register_learner(
    learner: LearnerRegistration, actor: ActorDep, uow: UowDep, response: Response, http: Request
) -> LearnerResult:
    """Register a learner, searching the register first so that nobody gets two ULNs.

    - Nobody like them: a new ULN is issued (`201`, `registered`, WSRC0005).
    - Found for sure: no new ULN; the existing learner is answered (`200`,
      `already_registered`, WSRC0021; a merged ULN's master with `master_substituted`).
    - Possible matches: no new ULN (`409` problem `possible_matches`, WSRC0003, with the
      candidates and how each agreed in `matches`; `too_many_matches`, WSRC0002, when more than
      10). Use a candidate's ULN, or send the registration again with `"confirm_new": true` and
      a `reason`, which is audited.
    """
    settings: Settings = http.app.state.settings
    result = service.register(uow, actor, learner, settings.match_model_version)
    if result.code == "already_registered":
        response.status_code = 200
    return result


@router.get(
    "/learners/{uln}",
    operation_id="getLearner",
    response_model=LearnerResult,
    responses={**AUTH_ERRORS, 404: {"description": "No learner has this ULN", **PROBLEM}},
)
def get_learner(uln: UlnPath, actor: ActorDep, uow: UowDep) -> LearnerResult:
    """Read a learner by ULN. A linked ULN answers with its master (WSRC0022)."""
    return service.read(uow, actor, uln)


@router.patch(
    "/learners/{uln}",
    operation_id="updateLearner",
    response_model=LearnerResult,
    responses={
        **AUTH_ERRORS,
        404: {"description": "No learner has this ULN (WSRC0019)", **PROBLEM},
        409: {"description": "Stale version (WSRC0013)", **PROBLEM},
    },
)
def update_learner(
    uln: UlnPath, changes: LearnerUpdate, actor: ActorDep, uow: UowDep
) -> LearnerResult:
    """Change some of a learner's details, quoting the `version` you read (optimistic locking)."""
    return service.update(uow, actor, uln, changes)


@router.get(
    "/learners/{uln}/history",
    operation_id="getLearnerHistory",
    response_model=list[HistoryEntry],
    responses={**AUTH_ERRORS, 404: {"description": "No learner has this ULN", **PROBLEM}},
)
def get_learner_history(uln: UlnPath, actor: ActorDep, uow: UowDep) -> list[HistoryEntry]:
    """Every change to the learner: who, when, and each field's old and new value."""
    return service.history(uow, actor, uln)


@router.post(
    "/learners/verify",
    operation_id="verifyLearner",
    response_model=VerifyResponse,
    responses=AUTH_ERRORS,
)
def verify_learner(request: VerifyRequest, actor: ActorDep, uow: UowDep) -> VerifyResponse:
    """Verify a ULN against a name (and optionally date of birth and gender): WSVRC codes."""
    return lookup.verify(uow, actor, request)


@router.post(
    "/learners/retrieve",
    operation_id="retrieveUlns",
    response_model=RetrieveResponse,
    responses=AUTH_ERRORS,
)
def retrieve_ulns(request: RetrieveRequest, actor: ActorDep, uow: UowDep) -> RetrieveResponse:
    """The status of 1 to 200 ULNs: found, linked (with the master ULN), not found or invalid."""
    return lookup.retrieve(uow, actor, request.ulns)


@router.post(
    "/learners/merge",
    operation_id="mergeLearners",
    response_model=MergeResponse,
    responses={
        **AUTH_ERRORS,
        404: {"description": "Unknown ULN", **PROBLEM},
        409: {"description": "Merge refused", **PROBLEM},
    },
)
def merge_learners(request: MergeRequest, actor: ActorDep, uow: UowDep) -> MergeResponse:
    """Link `linked_uln` to `master_uln` (administrators only)."""
    return merging.merge(
        uow,
        actor,
        master_uln=request.master_uln,
        linked_uln=request.linked_uln,
        reason=request.reason,
    )


@router.post(
    "/learners/unmerge",
    operation_id="unmergeLearners",
    response_model=MergeResponse,
    responses={
        **AUTH_ERRORS,
        404: {"description": "Unknown ULN", **PROBLEM},
        409: {"description": "Not linked", **PROBLEM},
    },
)
def unmerge_learners(request: UnmergeRequest, actor: ActorDep, uow: UowDep) -> MergeResponse:
    """Undo a merge, restoring both learners exactly as they were (administrators only)."""
    return merging.unmerge(uow, actor, linked_uln=request.linked_uln, reason=request.reason)


@router.get(
    "/reports/merges",
    operation_id="getMergeReport",
    response_model=MergeReport,
    responses=AUTH_ERRORS,
)
def merge_report(
    actor: ActorDep,
    uow: UowDep,
    since: Annotated[UtcDateTime, Query(description="ISO 8601 date-time with time zone")],
    until: Annotated[UtcDateTime | None, Query()] = None,
) -> MergeReport:
    """Merges and unmerges since a time, so providers can update their own records."""
    return merging.report(uow, actor, since=since, until=until)
