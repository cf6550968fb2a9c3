"""The JSON API's shared HTTP plumbing: problem details, request ids, body limits, the caller.

Errors leave as RFC 9457 ``application/problem+json`` with a stable ``code``, the matching LRS
code, and field errors for validation. Unexpected errors become a 500 problem that carries only
the request id: never a stack trace, never personal data.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Collection, Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, AwareDatetime, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from open_lrs.core.actor_cache import ActorCache
from open_lrs.core.context import request_id_var
from open_lrs.core.db import Database, UnitOfWork
from open_lrs.core.errors import LrsError, Unauthenticated, field_errors
from open_lrs.core.logging import get_logger
from open_lrs.core.security import Actor

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://github.com/open-lrs/open-lrs/blob/main/docs/api.md#"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
log = get_logger("open_lrs.http")
# The actor behind an API key, or Unauthenticated: ``app.state.authenticate``, which the
# application sets (organisations.service.authenticate), so that core knows no organisations.
Authenticator = Callable[[UnitOfWork, str], Actor]


def problem(
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    lrs_code: str | None = None,
    errors: list[dict[str, str]] | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "request_id": request_id_var.get(),
    }
    if lrs_code:
        body["lrs_code"] = lrs_code
    if errors:
        body["errors"] = errors
    body.update(extra or {})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


async def _on_lrs_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, LrsError)
    headers = {"WWW-Authenticate": 'Bearer realm="open-lrs"'} if exc.status == 401 else None
    return problem(
        exc.status,
        exc.code,
        exc.title,
        exc.detail,
        lrs_code=exc.lrs_code,
        errors=[e.as_dict() for e in exc.errors] or None,
        extra=exc.extra,
        headers=headers,
    )


async def _on_validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [e.as_dict() for e in field_errors(exc.errors())]
    fields = ", ".join(dict.fromkeys(e["field"] for e in errors))
    missing = [e["field"] for e in errors if e["code"] == "missing"]
    if missing and len(missing) == len(errors):
        return problem(
            422,
            "insufficient_data",
            "Mandatory fields are missing",
            f"Missing: {', '.join(missing)}.",
            lrs_code="WSRC0015",
            errors=errors,
        )
    return problem(
        422,
        "validation_error",
        "The request has invalid fields",
        f"Check these fields: {fields}.",
        lrs_code="WSEC0001",
        errors=errors,
    )


async def _on_http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, title = _HTTP_PROBLEMS.get(exc.status_code, ("http_error", "The request failed"))
    return problem(exc.status_code, code, title, str(exc.detail), headers=dict(exc.headers or {}))


_HTTP_PROBLEMS = {
    400: ("bad_request", "Bad request"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
    413: ("payload_too_large", "The request body is too large"),
}


async def _on_unexpected(_request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled_error", error_type=type(exc).__name__)
    return problem(
        500,
        "internal_error",
        "Something went wrong",
        "The service could not complete the request. Quote the request id if you report it.",
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(LrsError, _on_lrs_error)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(Exception, _on_unexpected)


class RequestContextMiddleware:
    """Request id, a body-size limit enforced while streaming, and one masked access-log line."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body: int,
        upload_paths: Mapping[str, int] | None = None,
        own_refusal_paths: Collection[str] = (),
    ) -> None:
        """``own_refusal_paths``: endpoints that answer an oversized body in their own protocol
        (the SOAP services answer with a fault): a declared length is not refused here, and
        the limit is enforced while the body streams, for the endpoint to answer."""
        self.app = app
        self.default_max_body = max_body
        self.upload_paths = dict(upload_paths or {})
        self.own_refusal_paths = frozenset(own_refusal_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        incoming = headers.get("x-request-id", "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = {"code": 500}
        max_body = self.upload_paths.get(scope.get("path", ""), self.default_max_body)

        declared = headers.get("content-length")
        refuse_at_door = scope.get("path", "") not in self.own_refusal_paths
        if (
            refuse_at_door
            and declared is not None
            and (not declared.isdigit() or int(declared) > max_body)
        ):
            response = _too_large(max_body)
            await response(scope, receive, send)
            request_id_var.reset(token)
            return

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_body:
                    raise _BodyTooLarge()
            return message

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_id)
        except _BodyTooLarge:
            response = _too_large(max_body)
            await response(scope, receive, send_with_id)
        finally:
            log.info(
                "request",
                method=scope.get("method"),
                path=scope.get("path"),
                status=status["code"],
                ms=round((time.perf_counter() - started) * 1000, 1),
                request_id=request_id,
            )
            request_id_var.reset(token)


def _too_large(max_body: int) -> JSONResponse:
    return problem(
        413,
        "payload_too_large",
        "The request body is too large",
        f"Request bodies are limited to {max_body} bytes.",
    )


class _BodyTooLarge(HTTPException):
    """Raised from ``receive``; an HTTPException so that FastAPI's body parser re-raises it."""

    def __init__(self) -> None:
        super().__init__(413, "The request body is too large.")


# Dependencies that do no I/O are ``async``: FastAPI runs a plain ``def`` dependency in its
# thread pool, and each hop to a thread and back costs more than these take.
async def get_database(request: Request) -> Database:
    db: Database = request.app.state.database
    return db


async def get_uow(db: Annotated[Database, Depends(get_database)]) -> UnitOfWork:
    return db.unit_of_work()


# OpenAPI `responses` for routes: every error is a problem document.
PROBLEM = {
    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
}
AUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing or invalid API key", **PROBLEM},
    403: {"description": "Your organisation may not do this", **PROBLEM},
    413: {"description": "Body too large", **PROBLEM},
    422: {"description": "Invalid input; `errors` names each field", **PROBLEM},
}


def _in_utc(value: datetime) -> datetime:
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        raise ValueError("must be a date-time between the years 1900 and 9998") from None
    if not 1900 <= utc.year <= 9998:
        raise ValueError("must be a date-time between the years 1900 and 9998")
    return utc


# A query-string date-time with a time zone, in UTC, within the range the database stores.
UtcDateTime = Annotated[AwareDatetime, AfterValidator(_in_utc)]
DbId = Annotated[int, Field(ge=0, le=2**63 - 1)]


async def get_actor(request: Request, db: Annotated[Database, Depends(get_database)]) -> Actor:
    """The caller, from a key remembered for a few seconds or looked up (in a worker thread)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("Send your API key as 'Authorization: Bearer <key>'.")
    cache: ActorCache = request.app.state.actor_cache
    if (actor := cache.get(token)) is not None:
        return actor
    authenticate: Authenticator = request.app.state.authenticate
    actor = await run_in_threadpool(authenticate, db.unit_of_work(), token)
    cache.put(token, actor)
    return actor


UowDep = Annotated[UnitOfWork, Depends(get_uow)]
ActorDep = Annotated[Actor, Depends(get_actor)]
