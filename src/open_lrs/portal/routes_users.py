"""The organisation's users, for its administrators: list them, invite one, change a role,
deactivate or reactivate, reset a sign-in. Thin views over organisations.users, which checks
the permission, keeps to the administrator's own organisation, and audits."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from open_lrs.core.errors import AlreadyExists, Conflict, LrsError, ValidationFailed
from open_lrs.organisations import users
from open_lrs.organisations.permissions import ROLE_DESCRIPTIONS, Action, Role, require
from open_lrs.portal import forms
from open_lrs.portal.auth import SessionView
from open_lrs.portal.errors import FormError
from open_lrs.portal.web import Form, SignedIn, database_of, field, path_number, redirect, render

router = APIRouter(include_in_schema=False)
INVITE_FIELDS = ["email", "display_name", "role"]
LABELS = {"email": "Email address", "display_name": "Full name", "role": "Role"}
ROLE_NAMES = {Role.ADMIN: "Administrator", Role.REGISTRAR: "Registrar", Role.VIEWER: "Viewer"}
# What the user's page says after a change (the redirect names the change, never a value).
DONE = {
    "role": "The role has been changed",
    "deactivated": "The user has been deactivated and signed out",
    "reactivated": "The user has been reactivated",
}


def _label(name: str) -> str:
    return LABELS.get(name, name.replace("_", " ").capitalize())


def service_errors(exc: LrsError, fields: list[str]) -> list[FormError]:
    """The service's field errors in the form's order: a rule's sentence as it is, a field's
    message after the field's label ("Email address must be ...")."""
    by_field: dict[str, FormError] = {}
    for e in exc.errors:
        if e.field not in by_field:
            text = e.message if e.message[:1].isupper() else f"{_label(e.field)} {e.message}"
            by_field[e.field] = FormError(e.field, text)
    order = [f for f in fields if f in by_field] + [f for f in by_field if f not in fields]
    return [by_field[f] for f in order] or [FormError(fields[0], exc.detail)]


def _roles() -> list[dict[str, str]]:
    return [{"value": r.value, "text": ROLE_NAMES[r], "hint": ROLE_DESCRIPTIONS[r]} for r in Role]


def _words() -> dict[str, Any]:
    return {
        "role_names": {r.value: n for r, n in ROLE_NAMES.items()},
        "roles": _roles(),
        "password_days": users.ONE_TIME_PASSWORD_LIFETIME.days,
    }


@router.get("/users")
def users_page(request: Request, session: SignedIn) -> Response:
    found = users.list_users(database_of(request).unit_of_work(), session.actor)
    return render(request, "users/list.html", {"title": "Users", "people": found, **_words()})


@router.get("/users/invite")
def invite_page(request: Request, session: SignedIn) -> Response:
    require(session.actor, Action.USERS_MANAGE)  # the form only for those who may send it
    context = {"title": "Invite a user", "values": {}, **_words()}
    return render(request, "users/invite.html", context)


@router.post("/users/invite")
def invite(request: Request, session: SignedIn, form: Form) -> Response:
    values = forms.text_values(form, INVITE_FIELDS)
    try:
        issued = users.invite_user(
            database_of(request).unit_of_work(),
            session.actor,
            email=values["email"],
            display_name=values["display_name"],
            role=values["role"],
        )
    except (ValidationFailed, AlreadyExists) as exc:
        context = {
            "title": "Invite a user",
            "values": values,
            "errors": service_errors(exc, INVITE_FIELDS),
            **_words(),
        }
        return render(request, "users/invite.html", context, status=400)
    context = {
        "title": "User invited",
        "issued": issued,
        "sign_in_url": f"{request.base_url}sign-in",
        **_words(),
    }
    return render(request, "users/invited.html", context)


def _user_page(
    request: Request, session: SessionView, user_id: int, errors: list[FormError] | None = None
) -> Response:
    person = users.read_user(database_of(request).unit_of_work(), session.actor, user_id)
    context = {
        "title": person.display_name,
        "person": person,
        "is_self": person.id == session.user_id,
        "done": DONE.get(request.query_params.get("done", "")),
        "values": {"role": person.role},
        "errors": errors or [],
        **_words(),
    }
    return render(request, "users/user.html", context, status=400 if errors else 200)


@router.get("/users/{user_id}")
def user_page(request: Request, user_id: str, session: SignedIn) -> Response:
    return _user_page(request, session, path_number(user_id))


@router.post("/users/{user_id}/role")
def change_role(request: Request, user_id: str, session: SignedIn, form: Form) -> Response:
    wanted = path_number(user_id)
    try:
        users.change_role(
            database_of(request).unit_of_work(), session.actor, wanted, field(form, "role")
        )
    except (ValidationFailed, Conflict) as exc:
        return _user_page(request, session, wanted, service_errors(exc, ["role"]))
    return redirect(f"/users/{wanted}?done=role")


def _confirm_page(request: Request, session: SessionView, user_id: int, what: str) -> Response:
    person = users.read_user(database_of(request).unit_of_work(), session.actor, user_id)
    titles = {
        "deactivate": f"Are you sure you want to deactivate {person.display_name}?",
        "reset": f"Are you sure you want to reset {person.display_name}'s sign-in?",
    }
    context = {"title": titles[what], "person": person, **_words()}
    return render(request, f"users/{what}.html", context)


@router.get("/users/{user_id}/deactivate")
def deactivate_page(request: Request, user_id: str, session: SignedIn) -> Response:
    return _confirm_page(request, session, path_number(user_id), "deactivate")


@router.post("/users/{user_id}/deactivate")
def deactivate(request: Request, user_id: str, session: SignedIn, form: Form) -> Response:
    wanted = path_number(user_id)
    try:
        users.set_active(database_of(request).unit_of_work(), session.actor, wanted, False)
    except Conflict as exc:
        return _user_page(request, session, wanted, service_errors(exc, ["active"]))
    return redirect(f"/users/{wanted}?done=deactivated")


@router.post("/users/{user_id}/reactivate")
def reactivate(request: Request, user_id: str, session: SignedIn, form: Form) -> Response:
    wanted = path_number(user_id)
    users.set_active(database_of(request).unit_of_work(), session.actor, wanted, True)
    return redirect(f"/users/{wanted}?done=reactivated")


@router.get("/users/{user_id}/reset-sign-in")
def reset_page(request: Request, user_id: str, session: SignedIn) -> Response:
    return _confirm_page(request, session, path_number(user_id), "reset")


@router.post("/users/{user_id}/reset-sign-in")
def reset(request: Request, user_id: str, session: SignedIn, form: Form) -> Response:
    wanted = path_number(user_id)
    try:
        issued = users.reset_sign_in(database_of(request).unit_of_work(), session.actor, wanted)
    except Conflict as exc:
        return _user_page(request, session, wanted, service_errors(exc, ["reset"]))
    context = {
        "title": "Sign-in reset",
        "issued": issued,
        "sign_in_url": f"{request.base_url}sign-in",
        **_words(),
    }
    return render(request, "users/reset_done.html", context)
