"""The portal's HTTP plumbing: templates, the session cookie, CSRF, who is signed in.

Views stay thin: they read a form, call a service, and render a template. Nothing here decides
anything about learners.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from fastapi import Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader, select_autoescape
from starlette.datastructures import FormData

from open_lrs import __version__
from open_lrs.core.db import Database
from open_lrs.core.errors import NotFound
from open_lrs.core.logging import get_logger
from open_lrs.core.settings import Settings
from open_lrs.organisations.permissions import Action, permitted, require
from open_lrs.organisations.sessions import CHANGE_PASSWORD, SECOND_FACTOR, SET_UP_TOTP, SIGNED_IN
from open_lrs.portal import auth
from open_lrs.portal.auth import SessionView

SESSION_COOKIE = "lrs_session"
BROWSER_COOKIE = "lrs_browser"
# The page a visitor asked for before signing in, to go on to once signed in.
NEXT_COOKIE = "lrs_next"
CSRF_FIELD = "csrf_token"
SERVICE_NAME = "Open LRS"
log = get_logger("open_lrs.portal")

ENV = Environment(
    loader=ChoiceLoader(
        [
            PackageLoader("open_lrs.portal", "templates"),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    ),
    autoescape=select_autoescape(default=True, default_for_string=True),
)
LONDON = ZoneInfo("Europe/London")


def _london(value: datetime | None) -> str:
    """A moment as people in the UK read it: 23 November 2026 at 4:05pm."""
    if value is None:
        return ""
    local = value.astimezone(LONDON)
    return f"{local.day} {local:%B %Y} at {local:%-I:%M%p}".replace("AM", "am").replace("PM", "pm")


def _long_date(value: date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value is not None else ""


def _iso_long_date(value: str | None) -> str:
    return _long_date(date.fromisoformat(value)) if value else ""


# What each field is called on screen: in error messages and on the learner page.
FIELD_LABELS = {
    "uln": "ULN",
    "title": "Title",
    "given_name": "Given name",
    "middle_other_name": "Middle names",
    "family_name": "Family name",
    "preferred_given_name": "Preferred given name",
    "previous_family_name": "Previous family name",
    "family_name_at_age_16": "Family name at age 16",
    "date_of_birth": "Date of birth",
    "place_of_birth": "Place of birth",
    "gender": "Gender",
    "address_line_1": "Address line 1",
    "address_line_2": "Address line 2",
    "address_town": "Town or city",
    "address_county_or_city": "County",
    "postcode": "Postcode",
    "email": "Email address",
    "school_at_age_16": "School at age 16",
    "reason": "Reason",
    "version": "Version",
    "password": "Password",
    "code": "Code",
    "candidate": "Learner",
    "ability_to_share": "Sharing their record",
}
ENV.filters["london"] = _london
ENV.filters["iso_long_date"] = _iso_long_date
ENV.globals["asset_version"] = __version__
ENV.filters["long_date"] = _long_date
ENV.globals["field_labels"] = FIELD_LABELS


def _can(session: SessionView | None, action: str) -> bool:
    """For templates: whether to offer something (the service checks again when it is done)."""
    return session is not None and permitted(session.actor, Action(action))


ENV.globals["can"] = _can
# Where each unfinished sign-in stage continues.
STAGE_PAGES = {
    CHANGE_PASSWORD: "/sign-in/new-password",
    SET_UP_TOTP: "/sign-in/set-up-authenticator",
    SECOND_FACTOR: "/sign-in/code",
}


class SignInRequired(Exception):
    """The page needs a signed-in user; the handler sends the browser to sign in."""

    def __init__(self, location: str = "/sign-in") -> None:
        super().__init__(location)
        self.location = location


class CsrfFailed(Exception):
    """A form came without this browser's token: from another site, or from an old page."""


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def database_of(request: Request) -> Database:
    db: Database = request.app.state.database
    return db


def current_session(request: Request) -> SessionView | None:
    """The session behind the cookie (looked up once per request), or None."""
    if hasattr(request.state, "portal_session"):
        found: SessionView | None = request.state.portal_session
        return found
    token = request.cookies.get(SESSION_COOKIE)
    found = None
    if token:
        found = auth.load(database_of(request).unit_of_work(), settings_of(request), token)
    request.state.portal_session = found
    return found


def signed_in(request: Request) -> SessionView:
    """A dependency: the signed-in user, or SignInRequired."""
    found = current_session(request)
    if found is None:
        raise SignInRequired()
    if found.stage != SIGNED_IN:
        raise SignInRequired(STAGE_PAGES.get(found.stage, "/sign-in"))
    return found


def needs(action: Action) -> Any:
    """A dependency factory for pages that only lead to ``action``: the signed-in user, when
    the one permission check allows it (otherwise the 403 page, before any form is filled)."""

    def dependency(request: Request) -> SessionView:
        found = signed_in(request)
        require(found.actor, action)
        return found

    return dependency


def signing_in(stage: str) -> Any:
    """A dependency factory: a session that is at ``stage`` of signing in."""

    def dependency(request: Request) -> SessionView:
        found = current_session(request)
        if found is None:
            raise SignInRequired()
        if found.stage != stage:
            raise SignInRequired(STAGE_PAGES.get(found.stage, "/"))
        return found

    return dependency


def _csrf_binding(request: Request) -> str:
    """The secret a form's token is bound to: the session's token while there is a session,
    otherwise a random cookie for this browser (the sign-in form)."""
    found = current_session(request)
    token = request.cookies.get(SESSION_COOKIE)
    if found is not None and token:
        return "session:" + token
    browser = request.cookies.get(BROWSER_COOKIE) or getattr(request.state, "new_browser", None)
    if browser is None:
        browser = secrets.token_urlsafe(32)
        request.state.new_browser = browser
    return "browser:" + browser


def csrf_token(request: Request) -> str:
    key = settings_of(request).secret_key.get_secret_value().encode("utf-8")
    binding = _csrf_binding(request).encode("utf-8")
    return hmac.new(key, b"csrf|" + binding, hashlib.sha256).hexdigest()


def _origin(url: str) -> tuple[str, str, int] | None:
    """The scheme, host and port of an http(s) URL (the default port filled in), or None for
    anything else: the "null" origin of a sandboxed or privacy-redirected page, a bad header."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or (443 if scheme == "https" else 80)


def from_this_site(request: Request) -> bool:
    """Whether the browser says the request came from one of this site's pages: its Origin, or
    without one its Referer. Some browsers and privacy tools send neither: then the CSRF
    token alone decides. "This site" is the origin the request was sent to, as the request
    arrived (behind a proxy: its Host and trusted X-Forwarded-Proto, docs/configuration.md)."""
    sent = request.headers.get("origin")
    if sent is None:
        sent = request.headers.get("referer")
    if sent is None:
        return True
    own, theirs = _origin(str(request.base_url)), _origin(sent)
    if own is not None and theirs == own:
        return True
    # Only origins are logged (a Referer's path and query may say more); when every form is
    # refused, this shows a proxy that does not pass the Host or X-Forwarded-Proto it was sent.
    log.warning(
        "portal_foreign_origin",
        sent="{}://{}:{}".format(*theirs) if theirs else "unreadable",
        expected="{}://{}:{}".format(*own) if own else "unreadable",
    )
    return False


async def checked_form(request: Request) -> FormData:
    """A dependency for every POST: the form, once the browser says it came from this site
    and its CSRF token is this browser's."""
    if not from_this_site(request):
        raise CsrfFailed()
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    if not isinstance(sent, str) or not hmac.compare_digest(sent, csrf_token(request)):
        raise CsrfFailed()
    return form


def set_cookie(response: Response, request: Request, name: str, value: str) -> None:
    response.set_cookie(
        name,
        value,
        httponly=True,
        secure=settings_of(request).portal_secure_cookies,
        samesite="lax",
        path="/",
    )


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    session = current_session(request)
    context = dict(context or {})
    errors = context.get("errors") or []
    context["error_list"] = [{"text": e.text, "href": e.href} for e in errors]
    context["error_for"] = {e.field: e.text for e in errors}
    page = ENV.get_template(template).render(
        {
            "request": request,
            "path": request.url.path,
            "service_name": SERVICE_NAME,
            "user": session if session is not None and session.stage == SIGNED_IN else None,
            "csrf_field": CSRF_FIELD,
            "csrf_token": csrf_token(request),
            **context,
        }
    )
    response = HTMLResponse(page, status_code=status, headers={"Cache-Control": "no-store"})
    if new_browser := getattr(request.state, "new_browser", None):
        set_cookie(response, request, BROWSER_COOKIE, new_browser)
    return response


MAX_DB_ID = 2**63 - 1  # the largest id a BIGINT column holds


def path_number(value: str, most: int = MAX_DB_ID) -> int:
    """A number in a page's path (an id, a row's position), or NotFound (the 404 page) for
    anything that cannot be one, so that no odd URL reaches the database as an error."""
    if len(value) > len(str(most)) or not (value.isascii() and value.isdigit()):
        raise NotFound(f"No such page: {value[:20]}")
    if int(value) > most:
        raise NotFound(f"No such page: {value[:20]}")
    return int(value)


def local_path(value: str | None) -> str | None:
    """``value`` when it is a path on this site to go on to after signing in; otherwise None.
    Only a path: no scheme, no host, nothing a browser could read as another site ("//host",
    "/\\host"), and no sign-in page (which would go round in a circle)."""
    if not value or len(value) > 2000 or not value.startswith("/"):
        return None
    if value.startswith("//") or "\\" in value or any(c.isspace() or ord(c) < 32 for c in value):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path.startswith(("/sign-in", "/sign-out")):
        return None
    return value


def redirect(location: str) -> RedirectResponse:
    return RedirectResponse(location, status_code=303)


def start_session(location: str, request: Request, token: str) -> RedirectResponse:
    """Redirect with the session's (new) token in its cookie."""
    response = redirect(location)
    set_cookie(response, request, SESSION_COOKIE, token)
    return response


SignedIn = Annotated[SessionView, Depends(signed_in)]
Form = Annotated[FormData, Depends(checked_form)]


def field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""
