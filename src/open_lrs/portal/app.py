"""Mounting the portal on the application: its routes at /, its assets at /static, and HTML
error pages for its paths (the JSON API keeps its problem documents)."""

from __future__ import annotations

import base64
import hashlib
import os
from importlib.resources import files

from fastapi import APIRouter, Depends, FastAPI, Request
from starlette.responses import Response
from starlette.staticfiles import PathLike, StaticFiles
from starlette.types import Scope

from open_lrs.portal import (
    errors,
    routes_admin,
    routes_auth,
    routes_batches,
    routes_keys,
    routes_learners,
    routes_pages,
    routes_register,
    routes_users,
)
from open_lrs.portal.web import current_session

STATIC = files("open_lrs.portal") / "static"
# Assets are served for a year; their URLs carry the release (web.ASSET_VERSION), so a new
# release's are fetched afresh.
STATIC_MAX_AGE = 365 * 24 * 3600

# GOV.UK Frontend's page template (govuk_frontend_jinja/templates/template.html) opens <body>
# with this line, outside any block a page can override: it marks the page as one GOV.UK
# Frontend's JavaScript supports, and ``initAll`` starts no component without it. The policy
# allows exactly this script by its SHA-256 (as GOV.UK Frontend's documentation advises), never
# 'unsafe-inline'; a test checks that every inline script a page has is this one.
GOVUK_TEMPLATE_SCRIPT = (
    "document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype"
    " ? ' govuk-frontend-supported' : '');"
)


def script_hash(source: str) -> str:
    digest = base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii")
    return f"'sha256-{digest}'"


# The portal's pages load only their own assets (static/README.md: no fonts or images from
# elsewhere). ``data:`` images are allowed (none is used today; an image runs no script).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        f"script-src 'self' {script_hash(GOVUK_TEMPLATE_SCRIPT)}",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


class CachedStaticFiles(StaticFiles):
    def file_response(
        self, full_path: PathLike, stat_result: os.stat_result, scope: Scope, status_code: int = 200
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = f"public, max-age={STATIC_MAX_AGE}"
        return response


def load_session(request: Request) -> None:
    """Look the session up once, in a worker thread, before any async dependency needs it."""
    current_session(request)


ROUTE_MODULES = (
    routes_pages,
    routes_auth,
    routes_learners,
    routes_register,
    routes_batches,
    routes_users,
    routes_keys,
    routes_admin,
)


def install_portal(app: FastAPI) -> None:
    portal = APIRouter(include_in_schema=False, dependencies=[Depends(load_session)])
    for module in ROUTE_MODULES:
        portal.include_router(module.router)
    app.include_router(portal)
    app.mount("/static", CachedStaticFiles(directory=str(STATIC)), name="static")
    errors.install(app)
