"""Batches in the portal: upload a file, follow it, download its output, and resolve the rows
waiting for a person. Thin views over batches.service and batches.exceptions, the same calls
as the JSON API's, so every rule (the file's format, duplicates, who may resolve) is theirs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException

from open_lrs.batches import columns, exceptions, fileformat, service
from open_lrs.batches.exceptions import ExceptionDetail, Resolution
from open_lrs.batches.fileformat import BatchFileRejected
from open_lrs.batches.schemas import BatchStatus
from open_lrs.batches.service import DuplicateFile
from open_lrs.core.errors import Conflict, ValidationFailed
from open_lrs.core.security import Actor
from open_lrs.organisations.permissions import Action, require
from open_lrs.portal import auth, forms
from open_lrs.portal.auth import SessionView
from open_lrs.portal.errors import FormError, to_form_errors
from open_lrs.portal.web import (
    Form,
    SignedIn,
    _london,
    checked_form,
    database_of,
    field,
    path_number,
    redirect,
    render,
    settings_of,
)

router = APIRouter(include_in_schema=False)

# The status tag of each batch status: the list, the batch page and the live progress agree.
STATUS_TAGS = {
    "queued": ("Queued", "govuk-tag--grey"),
    "running": ("Running", "govuk-tag--blue"),
    "complete": ("Complete", "govuk-tag--green"),
}
TOTAL_WORDS = {
    "new": "New learners",
    "existing": "Already registered",
    "possible_match": "Waiting for a person",
    "not_found": "Not found",
    "rejected": "Rejected",
    "pending": "Not processed yet",
}
# The LRS took files of 50 learners or more (domain.md §4); smaller files are still accepted,
# with a pointer to registering one at a time. Advice only: nothing is refused for it.
FEW_LEARNERS = 50
# A row's position as the API bounds it.
MAX_POSITION = 1_000_000
# The file's learner fields, in the file's order, for showing a row as submitted.
ROW_FIELDS = [columns.COLUMN_TO_FIELD[c] for c in columns.LEARNER_COLUMNS]
# A resolution's outcome waits in the session for the queue page (no ULN in a URL).
RESOLVED_KEY = "batch_resolved"


def _status(request: Request, actor: Actor, batch_id: int) -> BatchStatus:
    progress = service.progress(database_of(request).unit_of_work(), actor, batch_id)
    return service.status_of(progress, settings_of(request).batch_windows())


def _tag(status: str) -> dict[str, str]:
    text, classes = STATUS_TAGS[status]
    return {"text": text, "classes": classes}


# The list ------------------------------------------------------------------------------------


@router.get("/batches")
def list_page(request: Request, session: SignedIn) -> Response:
    db = database_of(request)
    batches = [
        _status(request, session.actor, b.id)
        for b in service.list_batches(db.unit_of_work(), session.actor)
    ]
    context = {"title": "Batches", "batches": batches, "tags": STATUS_TAGS}
    return render(request, "batches/list.html", context)


# Uploading -----------------------------------------------------------------------------------


def _upload_page(
    request: Request,
    *,
    status: int = 200,
    errors: list[FormError] | None = None,
    file_error: str | None = None,
    rejected: BatchFileRejected | None = None,
    duplicate_of: int | None = None,
) -> Response:
    limit = settings_of(request).max_upload_bytes
    context = {
        "title": "Upload a file of learners",
        "errors": errors or [],
        "file_error": file_error,
        "rejected": rejected,
        "duplicate_of": duplicate_of,
        "max_rows": fileformat.MAX_ROWS,
        "max_size": _size(limit),
    }
    return render(request, "batches/upload.html", context, status=status)


def _size(limit: int) -> str:
    megabytes = limit / (1024 * 1024)
    if megabytes >= 1:
        return f"{megabytes:g}MB"
    return f"{limit / 1024:g}KB"


@router.get("/batches/upload")
def upload_page(request: Request, session: SignedIn) -> Response:
    require(session.actor, Action.LEARNER_REGISTER)
    return _upload_page(request)


def _chosen_file(form: FormData) -> UploadFile | None:
    upload = form.get("file")
    return upload if isinstance(upload, UploadFile) and upload.filename else None


async def _file_form(request: Request) -> AsyncIterator[FormData | None]:
    """The upload's form, its CSRF token checked as every form's, or None when the body is
    larger than uploads may be (refused while it streams in). Its file is spooled to a
    temporary file, closed here whatever happens: FastAPI closes only the forms it parses."""
    try:
        try:
            form = await checked_form(request)
        except HTTPException as exc:
            if exc.status_code != 413:
                raise
            form = None
        yield form
    finally:
        await request.close()


FileForm = Annotated[FormData | None, Depends(_file_form)]


@router.post("/batches/upload")
def upload(request: Request, session: SignedIn, form: FileForm) -> Response:
    require(session.actor, Action.LEARNER_REGISTER)
    return _upload(request, session, form)


def _upload(request: Request, session: SessionView, form: FormData | None) -> Response:
    limit = settings_of(request).max_upload_bytes
    if form is None:
        return _file_problem(request, f"The selected file must be smaller than {_size(limit)}")
    chosen = _chosen_file(form)
    if chosen is None:
        return _file_problem(request, "Select a file to upload")
    data = chosen.file.read(limit + 1)
    if not data:
        return _file_problem(request, "The selected file is empty")
    if len(data) > limit:
        return _file_problem(request, f"The selected file must be smaller than {_size(limit)}")
    try:
        batch = service.submit_file(
            database_of(request).unit_of_work(),
            session.actor,
            data,
            filename=chosen.filename or "",
            windows=settings_of(request).batch_windows(),
            allow_duplicate=field(form, "allow_duplicate") == "true",
        )
    except BatchFileRejected as exc:
        problems = [FormError("file", _sentence(str(p))) for p in exc.problems]
        text = "The selected file was not accepted: correct the problems listed and upload it again"
        return _upload_page(request, status=422, errors=problems, file_error=text, rejected=exc)
    except DuplicateFile as exc:
        earlier = int(exc.extra["batch_id"])
        text = f"The selected file was uploaded before, as batch {earlier}"
        return _upload_page(
            request,
            status=409,
            errors=[FormError("file", text)],
            file_error=text,
            duplicate_of=earlier,
        )
    return redirect(f"/batches/{batch.id}?submitted=1")


def _file_problem(request: Request, text: str) -> Response:
    return _upload_page(request, status=400, errors=[FormError("file", text)], file_error=text)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


# One batch -----------------------------------------------------------------------------------


@router.get("/batches/{batch_id}")
def batch_page(request: Request, batch_id: str, session: SignedIn) -> Response:
    status = _status(request, session.actor, path_number(batch_id))
    submitted = request.query_params.get("submitted") == "1"
    context = {
        "title": f"Batch {status.id}",
        "batch": status,
        "tag": _tag(status.status),
        "total_words": TOTAL_WORDS,
        "submitted": submitted,
        "few_learners": submitted and status.source == "file" and status.row_count < FEW_LEARNERS,
        "few": FEW_LEARNERS,
        "idle_minutes": settings_of(request).portal_session_idle_minutes,
    }
    return render(request, "batches/batch.html", context)


@router.get("/batches/{batch_id}/progress")
def progress_json(request: Request, batch_id: str, session: SignedIn) -> Response:
    """For the batch page's script: the numbers it updates in place."""
    status = _status(request, session.actor, path_number(batch_id))
    tag = _tag(status.status)
    body = {
        "id": status.id,
        "status": status.status,
        "status_text": tag["text"],
        "status_class": tag["classes"],
        "rows_done": status.rows_done,
        "row_count": status.row_count,
        "totals": status.totals.model_dump() if status.totals is not None else None,
        "started_at": _london(status.started_at),
        "finished_at": _london(status.finished_at),
        "finished": status.status == "complete",
    }
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


def _attachment(name: str) -> str:
    """Content-Disposition for a file name that may hold any character (RFC 6266)."""
    plain = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name)
    header = f'attachment; filename="{plain}"'
    if plain != name:
        header += f"; filename*=UTF-8''{quote(name, safe='')}"
    return header


@router.get("/batches/{batch_id}/output")
def output(request: Request, batch_id: str, session: SignedIn) -> Response:
    number = path_number(batch_id)
    name, body = service.output_file(database_of(request).unit_of_work(), session.actor, number)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": _attachment(name), "Cache-Control": "no-store"},
    )


# The exceptions queue ------------------------------------------------------------------------


def _take_resolved(request: Request, session: SessionView, batch_id: int) -> dict[str, Any] | None:
    """The resolution just made in this batch, shown once."""
    done = session.data.get(RESOLVED_KEY)
    if not isinstance(done, dict):
        return None
    rest = {k: v for k, v in session.data.items() if k != RESOLVED_KEY}
    auth.set_data(database_of(request).unit_of_work(), session.id, rest)
    return done if done.get("batch_id") == batch_id else None


@router.get("/batches/{batch_id}/exceptions")
def exceptions_page(request: Request, batch_id: str, session: SignedIn) -> Response:
    number = path_number(batch_id)
    db = database_of(request)
    status = _status(request, session.actor, number)
    queue = exceptions.exception_queue(db.unit_of_work(), session.actor, number)
    context = {
        "title": f"Exceptions in batch {number}",
        "batch": status,
        "rows": queue.rows,
        "names": queue.names,
        "resolved": _take_resolved(request, session, number),
    }
    return render(request, "batches/exceptions.html", context)


def _detail(
    request: Request, session: SessionView, batch_id: int, position: int
) -> ExceptionDetail | None:
    """The row beside its candidates, or None when it is not waiting for a person."""
    uow, version = database_of(request).unit_of_work(), settings_of(request).match_model_version
    try:
        return exceptions.detail(uow, session.actor, batch_id, position, version)
    except Conflict:
        return None


def _not_waiting(request: Request, batch_id: int, *, late: bool) -> Response:
    """A row no longer waiting: resolved by someone else (``late``, when a resolution was sent
    for it), or never waiting at all."""
    title = "This row has already been resolved" if late else "This row is not waiting for a person"
    context = {"title": title, "batch_id": batch_id, "late": late}
    return render(request, "batches/resolved.html", context, status=409)


def _exception_page(
    request: Request,
    batch_id: int,
    found: ExceptionDetail,
    values: dict[str, str],
    errors: list[FormError],
) -> Response:
    context = {
        "title": f"Line {found.row.line}: who is this learner?"
        if found.row.line
        else f"Row {found.row.position + 1}: who is this learner?",
        "batch_id": batch_id,
        "detail": found,
        "row_fields": [f for f in ROW_FIELDS if found.submitted.get(f)],
        "values": values,
        "errors": errors,
        **forms.learner_words(),
    }
    return render(request, "batches/exception.html", context, status=400 if errors else 200)


@router.get("/batches/{batch_id}/exceptions/{position}")
def exception_page(request: Request, batch_id: str, position: str, session: SignedIn) -> Response:
    number, at = path_number(batch_id), path_number(position, MAX_POSITION)
    found = _detail(request, session, number, at)
    if found is None:
        return _not_waiting(request, number, late=False)
    return _exception_page(request, number, found, {}, [])


def _resolution(values: dict[str, str]) -> tuple[Resolution | None, list[FormError]]:
    """The form as the API's Resolution, so that its rules and words apply."""
    chosen = values["candidate"]
    if not chosen:
        error = FormError("candidate", "Select the learner, or that none of them is this learner")
        return None, [error]
    if chosen == "new":
        data = forms.present({"action": "new", "reason": values["reason"]})
    else:
        uln = values["uln"] if chosen == "other" else chosen
        data = forms.present({"action": "choose", "uln": uln.strip()})
    resolution, errors = forms.validate(Resolution, data, ["uln", "reason"])
    return resolution, [FormError(_at(e.field, chosen), e.text) for e in errors]


def _at(name: str, chosen: str) -> str:
    """Where a ULN's error shows: at the ULN typed, or at the candidate chosen."""
    return "candidate" if name == "uln" and chosen not in ("new", "other") else name


@router.post("/batches/{batch_id}/exceptions/{position}")
def resolve(
    request: Request, batch_id: str, position: str, session: SignedIn, form: Form
) -> Response:
    number, at = path_number(batch_id), path_number(position, MAX_POSITION)
    values = forms.text_values(form, ["candidate", "reason", "uln"])
    resolution, errors = _resolution(values)
    if resolution is not None:
        uow, version = database_of(request).unit_of_work(), settings_of(request).match_model_version
        try:
            row = exceptions.resolve(uow, session.actor, number, at, resolution, version)
        except Conflict:
            return _not_waiting(request, number, late=True)
        except ValidationFailed as exc:
            # A ULN whose learner does not match the row: shown at the choice made.
            chosen = values["candidate"]
            errors = [FormError(_at(e.field, chosen), e.text) for e in to_form_errors(exc.errors)]
        else:
            done = {
                "batch_id": number,
                "line": row.line,
                "position": row.position,
                "uln": row.uln,
                "return_code": row.return_code,
            }
            data = {k: v for k, v in session.data.items() if k != RESOLVED_KEY}
            auth.set_data(
                database_of(request).unit_of_work(), session.id, data | {RESOLVED_KEY: done}
            )
            return redirect(f"/batches/{number}/exceptions")
    found = _detail(request, session, number, at)
    if found is None:
        return _not_waiting(request, number, late=True)
    return _exception_page(request, number, found, values, errors)
