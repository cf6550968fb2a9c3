"""The organisation's API keys, for its administrators: list them, create one (shown once),
revoke one. Thin views over the organisations service, which checks the permission, keeps to
the administrator's own organisation, and audits."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from open_lrs.core.actor_cache import ActorCache
from open_lrs.core.errors import ValidationFailed
from open_lrs.organisations import service
from open_lrs.organisations.permissions import Action, require
from open_lrs.portal.errors import to_form_errors
from open_lrs.portal.web import (
    Form,
    SignedIn,
    database_of,
    field,
    path_number,
    redirect,
    render,
)

router = APIRouter(include_in_schema=False)


@router.get("/api-keys")
def keys_page(request: Request, session: SignedIn) -> Response:
    keys = service.list_keys_for(database_of(request).unit_of_work(), session.actor)
    revoked = request.query_params.get("revoked", "")
    context = {
        "title": "API keys",
        "keys": keys,
        "revoked": next((k for k in keys if str(k.id) == revoked and k.revoked_at), None),
    }
    return render(request, "keys/list.html", context)


@router.get("/api-keys/new")
def new_key_page(request: Request, session: SignedIn) -> Response:
    require(session.actor, Action.KEYS_MANAGE)  # the form only for those who may send it
    return render(request, "keys/new.html", {"title": "Create an API key", "values": {}})


@router.post("/api-keys/new")
def new_key(request: Request, session: SignedIn, form: Form) -> Response:
    name = field(form, "name")
    try:
        created = service.create_key(database_of(request).unit_of_work(), session.actor, name)
    except ValidationFailed as exc:
        failed = {
            "title": "Create an API key",
            "values": {"name": name},
            "errors": to_form_errors(exc.errors, ["name"]),
        }
        return render(request, "keys/new.html", failed, status=400)
    context: dict[str, Any] = {
        "title": "API key created",
        "created": created,
        "api_url": f"{request.base_url}api/v1",
    }
    return render(request, "keys/created.html", context)


@router.get("/api-keys/{key_id}/revoke")
def revoke_page(request: Request, key_id: str, session: SignedIn) -> Response:
    key = service.read_key_for(
        database_of(request).unit_of_work(), session.actor, path_number(key_id)
    )
    title = "This API key has been revoked" if key.revoked_at else "Revoke this API key"
    return render(request, "keys/revoke.html", {"title": title, "key": key})


@router.post("/api-keys/{key_id}/revoke")
def revoke(request: Request, key_id: str, session: SignedIn, form: Form) -> Response:
    key = service.revoke_key_for(
        database_of(request).unit_of_work(), session.actor, path_number(key_id)
    )
    # This process may remember the key for a few seconds (core.actor_cache):
    # forget it now, so that the key stops working here at once.
    cache: ActorCache = request.app.state.actor_cache
    cache.clear()
    return redirect(f"/api-keys?revoked={key.id}")
