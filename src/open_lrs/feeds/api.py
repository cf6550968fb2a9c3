"""JSON API v1 for feeds: load ILR returns, awards and school results, and settle the awards
whose learner a person must choose."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Path, Query, Request, Response, UploadFile

from open_lrs.core.http import AUTH_ERRORS, PROBLEM, ActorDep, UowDep
from open_lrs.core.settings import Settings
from open_lrs.feeds import exceptions, service
from open_lrs.feeds.schemas import (
    AchievementsIn,
    DismissIn,
    LoadReportOut,
    ResolveIn,
    WaitingAwardOut,
)
from open_lrs.feeds.service import FileSource

router = APIRouter(prefix="/api/v1", tags=["feeds"])
# Uploads larger than an ordinary request: a college's ILR return runs to tens of megabytes.
FEED_UPLOAD_PATHS = (
    "/api/v1/feeds/ilr",
    "/api/v1/feeds/awards",
    "/api/v1/feeds/school-results",
    "/api/v1/achievements",
)

ExceptionId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The feed exception's id")]
_LOAD_ERRORS = {
    **AUTH_ERRORS,
    422: {
        "description": "The file was rejected as a whole (`feed_file_rejected`): `errors` lists "
        "each problem with its line; nothing was loaded",
        **PROBLEM,
    },
}


def _model_version(http: Request) -> str:
    """The matching model version of the application's settings."""
    settings: Settings = http.app.state.settings
    return settings.match_model_version


def _load(
    actor: ActorDep, uow: UowDep, source: FileSource, file: UploadFile, http: Request
) -> LoadReportOut:
    data, name = file.file.read(), file.filename or "upload"
    report = service.load_file(uow, actor, source, data, _model_version(http), file_name=name)
    return LoadReportOut.of(report)


@router.post(
    "/feeds/ilr",
    operation_id="loadIlrReturn",
    response_model=LoadReportOut,
    responses=_LOAD_ERRORS,
)
def load_ilr(
    actor: ActorDep,
    uow: UowDep,
    file: Annotated[UploadFile, File(description="An ILR XML return (2025-26 or 2019-20)")],
    http: Request,
) -> LoadReportOut:
    """Load your ILR return (docs/ilr.md). The file is validated against the schema of its
    year; achieved aims become achievements, continuing ones participation. Learners whose ULN
    is temporary or does not verify are found by their details; those still unsettled wait in
    the feed-exceptions queue."""
    return _load(actor, uow, "ILR", file, http)


@router.post(
    "/feeds/awards",
    operation_id="loadAwardsFile",
    response_model=LoadReportOut,
    responses=_LOAD_ERRORS,
)
def load_awards_file(
    actor: ActorDep,
    uow: UowDep,
    file: Annotated[UploadFile, File(description="Awards CSV (docs/feeds.md)")],
    http: Request,
) -> LoadReportOut:
    """Load an awarding organisation's unit and qualification awards from CSV."""
    return _load(actor, uow, "AO", file, http)


@router.post(
    "/achievements",
    operation_id="loadAchievements",
    response_model=LoadReportOut,
    responses=AUTH_ERRORS,
)
def load_achievements(
    body: AchievementsIn, actor: ActorDep, uow: UowDep, http: Request
) -> LoadReportOut:
    """Load up to 5,000 awards as JSON, with the CSV file's columns as field names. A final
    result supersedes a provisional one for the same ULN and subject code; sending the same
    awards again changes nothing."""
    items = [a.model_dump() for a in body.awards]
    return LoadReportOut.of(service.load_awards(uow, actor, items, _model_version(http)))


@router.post(
    "/feeds/school-results",
    operation_id="loadSchoolResults",
    response_model=LoadReportOut,
    responses=_LOAD_ERRORS,
)
def load_school_results(
    actor: ActorDep,
    uow: UowDep,
    file: Annotated[UploadFile, File(description="School results CSV (docs/feeds.md)")],
    http: Request,
) -> LoadReportOut:
    """Load GCSE and A level results (NPD-style CSV); pupils without a ULN are found by their
    details."""
    return _load(actor, uow, "NPD", file, http)


@router.get(
    "/feeds/exceptions",
    operation_id="listFeedExceptions",
    response_model=list[WaitingAwardOut],
    responses=AUTH_ERRORS,
)
def list_feed_exceptions(
    actor: ActorDep,
    uow: UowDep,
    source: Annotated[FileSource | None, Query(description="ILR, AO or NPD")] = None,
) -> list[WaitingAwardOut]:
    """Awards your organisation sent whose learner a person must choose, oldest first."""
    return exceptions.waiting(uow, actor, source)


@router.post(
    "/feeds/exceptions/{exception_id}/resolve",
    operation_id="resolveFeedException",
    response_model=LoadReportOut,
    responses={
        **AUTH_ERRORS,
        404: {"description": "No such exception, or no learner has the ULN", **PROBLEM},
        409: {"description": "Already settled, or the award cannot be filed", **PROBLEM},
    },
)
def resolve_feed_exception(
    exception_id: ExceptionId, body: ResolveIn, actor: ActorDep, uow: UowDep
) -> LoadReportOut:
    """File the waiting award on the learner with `uln` (a linked ULN files on its master)."""
    return LoadReportOut.of(exceptions.resolve(uow, actor, exception_id, body.uln, body.reason))


@router.post(
    "/feeds/exceptions/{exception_id}/dismiss",
    operation_id="dismissFeedException",
    status_code=204,
    responses={
        **AUTH_ERRORS,
        404: {"description": "No such exception", **PROBLEM},
        409: {"description": "Already settled", **PROBLEM},
    },
)
def dismiss_feed_exception(
    exception_id: ExceptionId, body: DismissIn, actor: ActorDep, uow: UowDep
) -> Response:
    """Drop a waiting award that should never be filed, with the reason."""
    exceptions.dismiss(uow, actor, exception_id, body.reason)
    return Response(status_code=204)
