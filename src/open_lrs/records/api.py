"""JSON API v1 for the Personal Learning Record: learning events, the enrolment summary and
data challenges. Thin routes over the records services."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from open_lrs.core.http import AUTH_ERRORS, PROBLEM, ActorDep, UowDep
from open_lrs.learners.schemas import Gender, IsoDate, Name
from open_lrs.records import challenges, enrolment, reading
from open_lrs.records.access import Purpose, RecordRequest
from open_lrs.records.schemas import (
    ChallengeAnswer,
    ChallengeRequest,
    DataChallengePublic,
    EnrolmentSummary,
    Form,
    LearningEventsResponse,
)

router = APIRouter(prefix="/api/v1", tags=["records"])

UlnPath = Annotated[str, Path(description="A 10-digit ULN", examples=["1234567899"], max_length=64)]
EventId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The learning event's id")]
ChallengeId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The data challenge's id")]
_RECORD_ERRORS = {
    **AUTH_ERRORS,
    403: {
        "description": "The names do not verify against the ULN (`learner_not_verified`, "
        "WSEC0208), the learner has not agreed to share their record (`not_shared`, "
        "WSEC0206), or your organisation may not read records (`forbidden`)",
        **PROBLEM,
    },
    404: {"description": "No learner has this ULN", **PROBLEM},
}


def json_response(answer: BaseModel) -> Response:
    """The answer as JSON, serialised once: the service built it from the register, so FastAPI's
    second validation of every field of fifty events would only cost time."""
    return Response(answer.model_dump_json(), media_type="application/json")


# ``async``: it does no I/O, and FastAPI would run a plain ``def`` dependency in its thread pool,
# a second hop per read.
async def record_request(
    uln: UlnPath,
    given_name: Annotated[Name, Query(description="The learner's given name")],
    family_name: Annotated[Name, Query(description="The learner's family name")],
    date_of_birth: Annotated[IsoDate | None, Query(description="YYYY-MM-DD")] = None,
    gender: Annotated[Gender | None, Query()] = None,
    purpose: Annotated[Purpose, Query(description="Why you are reading (logged)")] = "enrolment",
) -> RecordRequest:
    return RecordRequest(
        uln=uln,
        given_name=given_name,
        family_name=family_name,
        date_of_birth=date_of_birth,
        gender=gender,
        purpose=purpose,
    )


RecordDep = Annotated[RecordRequest, Depends(record_request)]


@router.get(
    "/learners/{uln}/learning-events",
    operation_id="getLearnerLearningEvents",
    response_model=LearningEventsResponse,
    responses=_RECORD_ERRORS,
)
async def get_learning_events(
    req: RecordDep,
    actor: ActorDep,
    uow: UowDep,
    form: Annotated[Form, Query(description="FULL or BRIEF")] = "FULL",
    qualification_type: Annotated[str | None, Query(max_length=20)] = None,
    level: Annotated[str | None, Query(max_length=2, description="E1-E3 or 1-8")] = None,
    source: Annotated[str | None, Query(max_length=8, description="ILR, NPD or AO")] = None,
    awarded_from: Annotated[date | None, Query()] = None,
    awarded_to: Annotated[date | None, Query()] = None,
    history: Annotated[bool, Query(description="Include events superseded by corrections")] = False,
) -> Response:
    """A learner's Personal Learning Record, as GetLearnerLearningEvents.

    Give the learner's given and family name (and date of birth, if you have it) with the ULN:
    they must verify (WSEC0208 otherwise). A linked ULN answers with the master's record
    (`incoming_uln`, `found_uln`). A learner who has not agreed to share is answered `403`
    WSEC0206, except that your organisation still sees the events it sent or awarded
    (`restricted: true`). Every read is logged with its purpose in the learner's access log.
    """
    flt = reading.EventFilter(
        qualification_type=qualification_type,
        level=level,
        source=source,
        awarded_from=awarded_from,
        awarded_to=awarded_to,
        history=history,
    )
    answer = await run_in_threadpool(reading.learning_events, uow, actor, req, flt, form)
    return json_response(answer)


@router.get(
    "/learners/{uln}/enrolment-summary",
    operation_id="getEnrolmentSummary",
    response_model=EnrolmentSummary,
    responses=_RECORD_ERRORS,
)
async def get_enrolment_summary(req: RecordDep, actor: ActorDep, uow: UowDep) -> Response:
    """What a provider needs at enrolment, in one call: the highest level achieved, the level
    reached in English and in mathematics (GCSE grade or Functional Skills level, and whether
    there is a GCSE at grade 4 or above), and the qualifications held by level."""
    return json_response(await run_in_threadpool(enrolment.enrolment_summary, uow, actor, req))


@router.post(
    "/learners/{uln}/learning-events/{event_id}/challenges",
    operation_id="challengeLearningEvent",
    status_code=201,
    response_model=DataChallengePublic,
    responses={
        **_RECORD_ERRORS,
        409: {"description": "The event is already under challenge", **PROBLEM},
    },
)
def challenge_event(
    uln: UlnPath, event_id: EventId, body: ChallengeRequest, actor: ActorDep, uow: UowDep
) -> DataChallengePublic:
    """Dispute a learning event: it shows `under_data_challenge: Y` until the organisation that
    sent it confirms it or loads a correction."""
    req = RecordRequest(
        uln=uln,
        given_name=body.given_name,
        family_name=body.family_name,
        date_of_birth=body.date_of_birth,
        gender=body.gender,
        purpose="other",
    )
    return challenges.raise_challenge(uow, actor, req, event_id, body.reason)


@router.get(
    "/data-challenges",
    operation_id="listDataChallenges",
    response_model=list[DataChallengePublic],
    responses=AUTH_ERRORS,
)
def list_challenges(
    actor: ActorDep, uow: UowDep, open_only: Annotated[bool, Query()] = True
) -> list[DataChallengePublic]:
    """Challenges to the events your organisation sent, oldest first."""
    return challenges.to_answer(uow, actor, open_only=open_only)


@router.post(
    "/data-challenges/{challenge_id}/confirm",
    operation_id="confirmLearningEvent",
    response_model=DataChallengePublic,
    responses={
        **AUTH_ERRORS,
        404: {"description": "No such challenge", **PROBLEM},
        409: {"description": "Already answered", **PROBLEM},
    },
)
def confirm_event(
    challenge_id: ChallengeId, body: ChallengeAnswer, actor: ActorDep, uow: UowDep
) -> DataChallengePublic:
    """Answer a challenge: the event is right as it stands. (To correct it, load the corrected
    award: it supersedes the event and closes the challenge.)"""
    return challenges.confirm(uow, actor, challenge_id, body.note)
