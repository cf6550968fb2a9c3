"""Errors as people see them: the GOV.UK error summary for forms, and error pages for the rest.

Form errors carry the API's own messages (core.errors.field_errors over the same Pydantic
schemas), each after the field's label: "Postcode must be a UK postcode such as ...".
Error pages (403, 404, 500, service unavailable) are served for portal paths only; the JSON
API, its docs and the SOAP services keep their own error formats.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlalchemy.exc import InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from open_lrs.core.errors import FieldError, Forbidden, LrsError, NotFound, field_errors
from open_lrs.core.logging import get_logger
from open_lrs.portal.web import (
    FIELD_LABELS,
    CsrfFailed,
    SignInRequired,
    local_path,
    redirect,
    render,
)

log = get_logger("open_lrs.portal")

# Paths that are not the portal's: they keep their JSON (or SOAP) errors.
NOT_PORTAL = ("/api/", "/docs", "/redoc", "/openapi.json", "/healthz", "/readyz", "/Learner")

LABELS = FIELD_LABELS


@dataclass(frozen=True)
class FormError:
    field: str
    text: str

    @property
    def href(self) -> str:
        # The date input's first box carries the field's id plus "-day".
        return f"#{self.field}-day" if self.field == "date_of_birth" else f"#{self.field}"


def to_form_errors(
    errors: Iterable[FieldError], fields: Iterable[str] | None = None
) -> list[FormError]:
    """One message per field, in the form's order when ``fields`` is given, the label first."""
    wanted = list(fields) if fields is not None else None
    by_field: dict[str, FormError] = {}
    for e in errors:
        name = e.field.split(".")[0]
        message = e.message
        first, _, rest = message.partition(" ")
        if name == "body" and first in LABELS:  # a rule across fields names its field first
            name, message = first, rest
        if wanted is not None and name not in wanted:
            continue
        if name in by_field:
            continue
        label = LABELS.get(name, name.replace("_", " ").capitalize())
        if name == "body":
            text = message[:1].upper() + message[1:]
        elif message[:1].isupper():  # Pydantic's own words ("Input should be ...")
            text = f"{label}: {message[:1].lower()}{message[1:]}"
        else:
            text = f"{label} {message}"
        by_field[name] = FormError(name, text)
    order = wanted or list(by_field)
    return [by_field[f] for f in order if f in by_field]


def from_validation(exc: ValidationError, fields: Iterable[str] | None = None) -> list[FormError]:
    return to_form_errors(field_errors(exc.errors()), fields)


def error_map(errors: Iterable[FormError]) -> dict[str, str]:
    return {e.field: e.text for e in errors}


def is_portal_path(path: str) -> bool:
    return not path.startswith(NOT_PORTAL)


_PAGES = {
    403: ("errors/403.html", "You cannot do this"),
    404: ("errors/404.html", "Page not found"),
    500: ("errors/500.html", "Sorry, there is a problem with the service"),
    503: ("errors/503.html", "Sorry, the service is unavailable"),
}


def error_page(request: Request, status: int, detail: str | None = None) -> Response:
    template, title = _PAGES.get(status, ("errors/500.html", "Sorry, there is a problem"))
    try:
        return render(request, template, {"title": title, "detail": detail}, status=status)
    except Exception:  # the database may be why we are here: no session, no user
        request.state.portal_session = None
        return render(request, template, {"title": title, "detail": detail}, status=status)


Handler = Callable[[Request, Exception], Awaitable[Response] | Response]


async def _portal_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, SignInRequired):
        asked = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if exc.location == "/sign-in" and request.method == "GET" and local_path(asked):
            return redirect("/sign-in?" + urlencode({"next": asked}))
        return redirect(exc.location)
    if isinstance(exc, CsrfFailed):
        return render(request, "errors/csrf.html", {"title": "Your form has expired"}, status=400)
    if isinstance(exc, Forbidden):
        return error_page(request, 403, exc.detail)
    if isinstance(exc, NotFound):
        return error_page(request, 404)
    if isinstance(exc, StarletteHTTPException):
        return error_page(request, 404 if exc.status_code == 404 else exc.status_code)
    if isinstance(exc, (OperationalError, InterfaceError)):
        log.error("portal_database_unavailable", error_type=type(exc).__name__)
        request.state.portal_session = None
        return error_page(request, 503)
    log.error("portal_unhandled_error", error_type=type(exc).__name__)
    request.state.portal_session = None
    return error_page(request, 500)


def install(app: FastAPI) -> None:
    """Route errors of portal paths to HTML pages; leave the others to the JSON handlers."""

    def dispatching(original: Handler | None) -> Any:
        async def handler(request: Request, exc: Exception) -> Response:
            if is_portal_path(request.url.path) or original is None:
                return await _portal_error(request, exc)
            result = original(request, exc)
            return await result if isinstance(result, Awaitable) else result

        return handler

    kinds: tuple[type[Exception], ...] = (
        LrsError,
        StarletteHTTPException,
        RequestValidationError,
        Exception,
    )
    for kind in kinds:
        app.add_exception_handler(kind, dispatching(app.exception_handlers.get(kind)))
    ours: tuple[type[Exception], ...] = (
        SignInRequired,
        CsrfFailed,
        OperationalError,
        InterfaceError,
    )
    for kind in ours:
        app.add_exception_handler(kind, dispatching(app.exception_handlers.get(Exception)))
