"""The FastAPI application: the versioned JSON API, health checks and OpenAPI docs."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlalchemy import text

from open_lrs import __version__
from open_lrs.audit_log.api import router as audit_router
from open_lrs.batches.api import router as batches_router
from open_lrs.core import migrate, security_headers
from open_lrs.core.actor_cache import ActorCache
from open_lrs.core.db import Database
from open_lrs.core.http import RequestContextMiddleware, install_error_handlers, problem
from open_lrs.core.logging import configure_logging
from open_lrs.core.settings import Settings, get_settings
from open_lrs.core.sqlite.connections import READ_ONLY
from open_lrs.feeds.api import FEED_UPLOAD_PATHS
from open_lrs.feeds.api import router as feeds_router
from open_lrs.learners.api import router as learners_router
from open_lrs.learners.api_search import router as matching_router
from open_lrs.organisations.service import authenticate
from open_lrs.portal.app import CONTENT_SECURITY_POLICY, install_portal
from open_lrs.records.api import router as records_router
from open_lrs.soap.routes import SOAP_PATHS
from open_lrs.soap.routes import router as soap_router

DESCRIPTION = """\
Open LRS issues and verifies Unique Learner Numbers (ULNs) and keeps the Learner Register.

Authenticate every call with `Authorization: Bearer <API key>` (`lrs org add` prints one).
Errors are RFC 9457 problem details with a stable `code` and, where there is one, the LRS
response code in `lrs_code`. See docs/api.md for a guide and docs/permissions.md for who may
call what.
"""

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "lrs_code": {"type": "string"},
        "request_id": {"type": ["string", "null"]},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                    "code": {"type": "string"},
                },
            },
        },
    },
    "additionalProperties": True,
}


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_format)
    app = FastAPI(
        title="Open LRS",
        version=__version__,
        description=DESCRIPTION,
        openapi_tags=[
            {"name": "learners", "description": "The Learner Register: ULNs and learners"},
            {"name": "batches", "description": "Batch registration and verification"},
            {"name": "records", "description": "The Personal Learning Record"},
            {"name": "feeds", "description": "Loading achievements: ILR, awards, school results"},
            {"name": "audit", "description": "The audit log (administrators)"},
            {"name": "health", "description": "Liveness and readiness"},
        ],
    )
    app.state.settings = settings
    app.state.database = database or Database.from_url(
        settings.database_url, echo=settings.database_echo, sqlite_tuned=settings.sqlite_tuned
    )
    app.state.actor_cache = ActorCache(settings.api_key_cache_seconds)
    app.state.authenticate = authenticate  # core.http.get_actor's API keys
    install_error_handlers(app)
    app.add_middleware(
        RequestContextMiddleware,
        max_body=settings.max_request_bytes,
        upload_paths={
            "/api/v1/batches": settings.max_upload_bytes,
            "/batches/upload": settings.max_upload_bytes,  # the portal's upload form
            **{path: settings.max_feed_bytes for path in FEED_UPLOAD_PATHS},
            **{path: settings.max_upload_bytes for path in SOAP_PATHS},
        },
        # The SOAP services answer with a fault; the portal's upload page with its own words.
        own_refusal_paths=(*SOAP_PATHS, "/batches/upload"),
    )
    app.include_router(matching_router)
    app.include_router(learners_router)
    app.include_router(audit_router)
    app.include_router(batches_router)
    app.include_router(records_router)
    app.include_router(feeds_router)
    app.include_router(soap_router, include_in_schema=False)
    install_portal(app)
    security_headers.install(
        app,
        content_security_policy=CONTENT_SECURITY_POLICY,
        policies={
            path: security_headers.FRAMING_ONLY
            for path in (app.docs_url, app.swagger_ui_oauth2_redirect_url, app.redoc_url)
            if path
        },
    )
    _add_health_routes(app)
    _add_problem_schema(app)
    return app


def _add_health_routes(app: FastAPI) -> None:
    @app.get("/healthz", tags=["health"], operation_id="healthz")
    def healthz() -> dict[str, str]:
        """Liveness: the process is up."""
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["health"],
        operation_id="readyz",
        responses={503: {"description": "Not ready"}},
    )
    def readyz() -> Any:
        """Readiness: the database answers and its schema is at the latest migration."""
        db: Database = app.state.database
        try:
            with db.engine.connect().execution_options(**{READ_ONLY: True}) as conn:
                conn.execute(text("SELECT 1"))
                current = migrate.connection_revision(conn)
        except Exception:
            return problem(503, "not_ready", "Not ready", "The database cannot be reached.")
        head = migrate.head_revision()
        if current != head:
            return problem(
                503,
                "not_ready",
                "Not ready",
                f"The database is at migration {current}, not {head}: run 'lrs db upgrade'.",
            )
        return {"status": "ready", "migration": current}


def _add_problem_schema(app: FastAPI) -> None:
    """The ``Problem`` schema that every route's error responses refer to."""
    original_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = original_openapi()
            schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = (
                PROBLEM_SCHEMA
            )
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
