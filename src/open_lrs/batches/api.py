"""JSON API v1 for batches: upload a file or send a job, follow its progress, fetch the output,
and resolve the exceptions a person must decide."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Path, Request, Response, UploadFile

from open_lrs.batches import exceptions, service
from open_lrs.batches.exceptions import ExceptionDetail, Resolution
from open_lrs.batches.models import CHECK, FULL, REGISTRATION, VERIFICATION, Batch
from open_lrs.batches.schemas import BatchRowOut, BatchStatus, RegistrationJob, VerificationJob
from open_lrs.core.batch_windows import Windows
from open_lrs.core.db import UnitOfWork
from open_lrs.core.http import AUTH_ERRORS, PROBLEM, ActorDep, UowDep
from open_lrs.core.security import Actor
from open_lrs.core.settings import Settings

router = APIRouter(prefix="/api/v1", tags=["batches"])

BatchId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The batch's id")]
Position = Annotated[int, Path(ge=0, le=1_000_000, description="The row's 0-based position")]
_CSV = "text/csv; charset=utf-8"


async def _windows(request: Request) -> Windows:
    """The processing windows of the application's settings."""
    settings: Settings = request.app.state.settings
    return settings.batch_windows()


WindowsDep = Annotated[Windows, Depends(_windows)]


def _accepted(
    uow: UnitOfWork, actor: Actor, batch: Batch, response: Response, windows: Windows
) -> BatchStatus:
    response.headers["Location"] = f"/api/v1/batches/{batch.id}"
    return service.status_of(service.progress(uow, actor, batch.id), windows)


@router.post(
    "/batches",
    operation_id="submitBatchFile",
    status_code=202,
    response_model=BatchStatus,
    responses={
        **AUTH_ERRORS,
        409: {"description": "The same file was uploaded before (`duplicate_file`)", **PROBLEM},
        422: {
            "description": "The file was rejected as a whole (`batch_file_rejected`): `errors` "
            "lists each problem with its `line` and `column`; nothing was registered",
            **PROBLEM,
        },
    },
)
def submit_batch_file(
    actor: ActorDep,
    uow: UowDep,
    response: Response,
    windows: WindowsDep,
    file: Annotated[UploadFile, File(description="LRB_<UKPRN>_<DDMMYYYYHHMM>.CSV or any .csv")],
    allow_duplicate: Annotated[bool, Form()] = False,
) -> BatchStatus:
    """Upload a batch file of up to 5,000 learners (docs/batch-format.md).

    The whole file is checked at once; a file with problems is refused (`422`) with every
    problem by line and column, and nothing is registered. An accepted file is queued (`202`)
    and processed by workers: follow it at the `Location` returned.
    """
    batch = service.submit_file(
        uow,
        actor,
        file.file.read(),
        filename=file.filename or "",
        windows=windows,
        allow_duplicate=allow_duplicate,
    )
    return _accepted(uow, actor, batch, response, windows)


@router.post(
    "/batches/registration-jobs",
    operation_id="submitRegistrationJob",
    status_code=202,
    response_model=BatchStatus,
    responses=AUTH_ERRORS,
)
def submit_registration_job(
    job: RegistrationJob, actor: ActorDep, uow: UowDep, response: Response, windows: WindowsDep
) -> BatchStatus:
    """A web-service batch of 1 to 200 learners: FUL finds or registers each, CHK only looks
    each up. Processed by workers like a file; fetch the answers from `/rows`."""
    batch = service.submit_job(
        uow,
        actor,
        kind=REGISTRATION,
        job_type=FULL if job.job_type == "FUL" else CHECK,
        rows=[learner.model_dump() for learner in job.learners],
        windows=windows,
    )
    return _accepted(uow, actor, batch, response, windows)


@router.post(
    "/batches/verification-jobs",
    operation_id="submitVerificationJob",
    status_code=202,
    response_model=BatchStatus,
    responses=AUTH_ERRORS,
)
def submit_verification_job(
    job: VerificationJob, actor: ActorDep, uow: UowDep, response: Response, windows: WindowsDep
) -> BatchStatus:
    """Verify 1 to 200 ULNs against names (submitVerifyBatch): each row is answered with its
    LRS verification code (WSVRC001 to WSVRC006) and failure flags (VRF1 to VRF8)."""
    batch = service.submit_job(
        uow,
        actor,
        kind=VERIFICATION,
        job_type=FULL,
        rows=[record.model_dump() for record in job.records],
        windows=windows,
    )
    return _accepted(uow, actor, batch, response, windows)


@router.get(
    "/batches",
    operation_id="listBatches",
    response_model=list[BatchStatus],
    responses=AUTH_ERRORS,
)
def list_batches(actor: ActorDep, uow: UowDep, windows: WindowsDep) -> list[BatchStatus]:
    """Your organisation's 50 most recent batches, newest first."""
    return [
        service.status_of(service.progress(uow, actor, b.id), windows)
        for b in service.list_batches(uow, actor)
    ]


@router.get(
    "/batches/{batch_id}",
    operation_id="getBatch",
    response_model=BatchStatus,
    responses={**AUTH_ERRORS, 404: {"description": "No such batch of yours", **PROBLEM}},
)
def get_batch(batch_id: BatchId, actor: ActorDep, uow: UowDep, windows: WindowsDep) -> BatchStatus:
    """Status, progress and counts by outcome."""
    return service.status_of(service.progress(uow, actor, batch_id), windows)


@router.get(
    "/batches/{batch_id}/output",
    operation_id="getBatchOutput",
    response_class=Response,
    responses={
        **AUTH_ERRORS,
        200: {"content": {"text/csv": {}}, "description": "The output file"},
        404: {"description": "No such batch of yours", **PROBLEM},
    },
)
def get_batch_output(batch_id: BatchId, actor: ActorDep, uow: UowDep) -> Response:
    """The output file (CSV, UTF-8): every input row in input order with its ULN, return code
    and message, candidates for exceptions, and the batch's totals on the first row. Available
    at any time; rows not processed yet say so."""
    name, body = service.output_file(uow, actor, batch_id)
    return Response(
        body, media_type=_CSV, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get(
    "/batches/{batch_id}/rows",
    operation_id="getBatchRows",
    response_model=list[BatchRowOut],
    responses={**AUTH_ERRORS, 404: {"description": "No such batch of yours", **PROBLEM}},
)
def get_batch_rows(batch_id: BatchId, actor: ActorDep, uow: UowDep) -> list[BatchRowOut]:
    """The output as JSON, for web-service jobs."""
    _, rows, _ = service.rows_of(uow, actor, batch_id)
    return [service.row_out(r) for r in rows]


@router.get(
    "/batches/{batch_id}/exceptions",
    operation_id="listBatchExceptions",
    response_model=list[BatchRowOut],
    responses={**AUTH_ERRORS, 404: {"description": "No such batch of yours", **PROBLEM}},
)
def list_batch_exceptions(batch_id: BatchId, actor: ActorDep, uow: UowDep) -> list[BatchRowOut]:
    """Rows waiting for a person: possible matches (RC004) or too many (RC005)."""
    return exceptions.list_exceptions(uow, actor, batch_id)


@router.get(
    "/batches/{batch_id}/exceptions/{position}",
    operation_id="getBatchException",
    response_model=ExceptionDetail,
    responses={
        **AUTH_ERRORS,
        404: {"description": "No such batch of yours", **PROBLEM},
        409: {"description": "The row is not waiting for a person", **PROBLEM},
    },
)
def get_batch_exception(
    batch_id: BatchId, position: Position, actor: ActorDep, uow: UowDep, http: Request
) -> ExceptionDetail:
    """The row's details beside its candidates, each with how every field agreed."""
    settings: Settings = http.app.state.settings
    return exceptions.detail(uow, actor, batch_id, position, settings.match_model_version)


@router.post(
    "/batches/{batch_id}/exceptions/{position}/resolution",
    operation_id="resolveBatchException",
    response_model=BatchRowOut,
    responses={
        **AUTH_ERRORS,
        404: {"description": "No such batch of yours", **PROBLEM},
        409: {"description": "Already resolved", **PROBLEM},
    },
)
def resolve_batch_exception(
    batch_id: BatchId,
    position: Position,
    resolution: Resolution,
    actor: ActorDep,
    uow: UowDep,
    http: Request,
) -> BatchRowOut:
    """Choose the learner this row is (`{"action": "choose", "uln": ...}`), or confirm a new
    learner (`{"action": "new", "reason": ...}`, audited). The output file changes with it."""
    settings: Settings = http.app.state.settings
    version = settings.match_model_version
    return exceptions.resolve(uow, actor, batch_id, position, resolution, version)
