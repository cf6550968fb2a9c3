"""The service's operators' screens: organisations (list, add, deactivate) and the audit log.

Thin views over organisations.directory and audit_log.service: each calls the service first, so a
user who may not (anyone but an operator) gets the 403 page whatever they send.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from starlette.datastructures import QueryParams

from open_lrs.audit_log import service as audit_log
from open_lrs.audit_log.service import AuditEntry, AuditQuery
from open_lrs.core.errors import Conflict, FieldError, ValidationFailed
from open_lrs.organisations import directory
from open_lrs.portal import forms
from open_lrs.portal.errors import FormError
from open_lrs.portal.web import (
    LONDON,
    Form,
    SignedIn,
    database_of,
    field,
    redirect,
    render,
)

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
# Enough for a screen; a search narrows the rest (the UK has tens of thousands of schools).
MAX_LISTED = 200
KIND_NAMES = {
    "provider": "Provider",
    "school": "School",
    "awarding_organisation": "Awarding organisation",
    "university": "University",
    "careers_service": "Careers service",
    "admin": "Operator of the service",
}
NEW_FIELDS = ["name", "ukprn", "kind", "admin_email", "admin_name"]
NEW_LABELS = {
    "name": "Name",
    "ukprn": "UKPRN",
    "kind": "Kind of organisation",
    "admin_email": "Administrator's email address",
    "admin_name": "Administrator's name",
}
# What a blank field is asked for, in the Design System's words.
NEW_BLANK = {
    "name": "Enter the organisation's name",
    "ukprn": "Enter the organisation's UKPRN",
    "kind": "Select the kind of organisation",
    "admin_email": "Enter the administrator's email address",
    "admin_name": "Enter the administrator's name",
}
AUDIT_TEXT_FIELDS = ["uln", "ukprn", "action"]
AUDIT_DATES = {"date_from": "From date", "date_to": "To date"}
_ULN = re.compile(r"[0-9]{10}")
_UKPRN = re.compile(r"[0-9]{8}")
_CURSOR = re.compile(r"[0-9]{1,18}")


@dataclass(frozen=True)
class DateError(FormError):
    """An error of a date input: the summary links to its first box."""

    @property
    def href(self) -> str:
        return f"#{self.field}-day"


def _words() -> dict[str, Any]:
    return {"kind_names": KIND_NAMES}


# Organisations


@router.get("/admin/organisations")
def organisations_page(request: Request, session: SignedIn) -> Response:
    search = request.query_params.get("search", "").strip()
    kind = request.query_params.get("kind", "").strip()
    context: dict[str, Any] = {
        "title": "Organisations",
        "values": {"search": search, "kind": kind},
        **_words(),
    }
    try:
        found = directory.list_organisations(
            database_of(request).unit_of_work(),
            session.actor,
            search=search or None,
            kind=kind or None,
            limit=MAX_LISTED + 1,
        )
    except ValidationFailed:
        context["errors"] = [FormError("kind", "Select a kind of organisation from the list")]
        context["organisations"] = []
        return render(request, "admin/organisations.html", context, status=400)
    context["organisations"] = found[:MAX_LISTED]
    context["more"] = len(found) > MAX_LISTED
    context["max_listed"] = MAX_LISTED
    return render(request, "admin/organisations.html", context)


def _new_page(
    request: Request, session: SignedIn, values: dict[str, str], errors: list[FormError]
) -> Response:
    kinds = directory.organisation_kinds(session.actor)
    context = {
        "title": "Add an organisation",
        "values": values,
        "errors": errors,
        "kinds": [(k.value, KIND_NAMES.get(k.value, k.value), text) for k, text in kinds.items()],
    }
    return render(request, "admin/new.html", context, status=400 if errors else 200)


@router.get("/admin/organisations/new")
def new_organisation_page(request: Request, session: SignedIn) -> Response:
    return _new_page(request, session, {}, [])


def _new_errors(errors: Iterable[FieldError], values: dict[str, str]) -> list[FormError]:
    """The service's messages after each field's label, or what to enter in a blank field; in
    the order of the form."""
    by_field: dict[str, FormError] = {}
    for e in errors:
        if e.field in by_field:
            continue
        if e.field in NEW_BLANK and not values.get(e.field, "").strip():
            text = NEW_BLANK[e.field]
        else:
            text = f"{NEW_LABELS.get(e.field, e.field)} {e.message}"
        by_field[e.field] = FormError(e.field, text)
    order = [*NEW_FIELDS, *by_field]
    return [by_field[f] for f in dict.fromkeys(order) if f in by_field]


@router.post("/admin/organisations/new")
def new_organisation(request: Request, session: SignedIn, form: Form) -> Response:
    values = forms.text_values(form, NEW_FIELDS)
    try:
        created = directory.create_organisation_for(
            database_of(request).unit_of_work(),
            session.actor,
            name=values["name"],
            ukprn=values["ukprn"].strip(),
            kind=values["kind"],
            admin_email=values["admin_email"],
            admin_name=values["admin_name"],
        )
    except ValidationFailed as refused:
        return _new_page(request, session, values, _new_errors(refused.errors, values))
    context = {"title": "Organisation added", "created": created, **_words()}
    return render(request, "admin/created.html", context, status=201)


def _organisation_page(
    request: Request, session: SignedIn, ukprn: str, errors: Sequence[FormError] = ()
) -> Response:
    detail = directory.organisation_detail(
        database_of(request).unit_of_work(), session.actor, ukprn
    )
    org = detail.organisation
    context = {
        "title": org.name,
        "organisation": org,
        "people": detail.users,
        "own": org.ukprn == session.actor.ukprn,
        "changed": request.query_params.get("changed"),
        "errors": list(errors),
        **_words(),
    }
    return render(request, "admin/organisation.html", context, status=409 if errors else 200)


@router.get("/admin/organisations/{ukprn}")
def organisation_page(request: Request, ukprn: str, session: SignedIn) -> Response:
    return _organisation_page(request, session, ukprn)


@router.post("/admin/organisations/{ukprn}/active")
def set_active(request: Request, ukprn: str, session: SignedIn, form: Form) -> Response:
    wanted = field(form, "active")
    if wanted not in ("true", "false"):
        return redirect(f"/admin/organisations/{ukprn}")
    active = wanted == "true"
    try:
        directory.set_organisation_active(
            database_of(request).unit_of_work(), session.actor, ukprn, active
        )
    except Conflict as refused:
        return _organisation_page(request, session, ukprn, [FormError("active", refused.detail)])
    if not active:
        # This process may remember the organisation's keys for a few seconds: forget them,
        # so that they are refused from now on here (other processes within those seconds).
        request.app.state.actor_cache.clear()
    return redirect(
        f"/admin/organisations/{ukprn}?changed={'reactivated' if active else 'deactivated'}"
    )


# The audit log


def _day(values: dict[str, str], name: str) -> tuple[date | None, FormError | None]:
    """The date input's day, or its error in the words of the field's label."""
    text, error = forms.date_of(values, name)
    label = AUDIT_DATES[name]
    if error is not None:
        return None, DateError(name, error.text.replace("The date", label, 1))
    if text is None:
        return None, None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None, DateError(name, f"{label} must be a real date")
    if not 1900 <= day.year <= 9998:
        return None, DateError(name, f"{label} must be a real date, in a year from 1900 to 9998")
    return day, None


def _london_midnight(day: date) -> datetime:
    """The moment a day starts in the UK (GMT or BST), in UTC."""
    return datetime.combine(day, time.min, tzinfo=LONDON).astimezone(UTC)


def _audit_filter(
    params: QueryParams, actions: list[str]
) -> tuple[AuditQuery | None, dict[str, str], list[FormError]]:
    values = {name: params.get(name, "").strip() for name in AUDIT_TEXT_FIELDS}
    for name in AUDIT_DATES:
        for part in ("day", "month", "year"):
            key = f"{name}-{part}"
            values[key] = params.get(key, "").strip()
    errors: list[FormError] = []
    if values["uln"] and not _ULN.fullmatch(values["uln"]):
        errors.append(FormError("uln", "Learner's ULN must be 10 digits, like 1234567899"))
    if values["ukprn"] and not _UKPRN.fullmatch(values["ukprn"]):
        errors.append(FormError("ukprn", "Organisation's UKPRN must be 8 digits, like 10000001"))
    if values["action"] and values["action"] not in actions:
        errors.append(FormError("action", "Select an action from the list"))
    since, since_error = _day(values, "date_from")
    until, until_error = _day(values, "date_to")
    errors += [e for e in (since_error, until_error) if e is not None]
    if since and until and until < since:
        errors.append(DateError("date_to", "To date must be the same as or after the from date"))
    if errors:
        return None, values, errors
    query = AuditQuery(
        uln=values["uln"] or None,
        ukprn=values["ukprn"] or None,
        action=values["action"] or None,
        since=_london_midnight(since) if since else None,
        until=_london_midnight(until + timedelta(days=1)) if until else None,
        limit=PAGE_SIZE + 1,
        newest_first=True,
    )
    return query, values, []


def _cursor(params: QueryParams, name: str) -> int | None:
    value = params.get(name, "")
    return int(value) if _CURSOR.fullmatch(value) and int(value) > 0 else None


def _detail_text(value: object) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _row(entry: AuditEntry) -> dict[str, Any]:
    who = entry.user_label or (f"API key {entry.api_key_id}" if entry.api_key_id else None)
    return {
        "entry": entry,
        "who": who,
        "details": [(k, _detail_text(v)) for k, v in entry.details.items()],
    }


def _audit_link(params: dict[str, Any]) -> str:
    return "/admin/audit?" + urlencode(params) if params else "/admin/audit"


@router.get("/admin/audit")
def audit_page(request: Request, session: SignedIn) -> Response:
    actions = directory.audit_actions(session.actor)
    params = request.query_params
    query, values, errors = _audit_filter(params, actions)
    context: dict[str, Any] = {
        "title": "Audit log",
        "actions": actions,
        "values": values,
        "errors": errors,
        "rows": [],
    }
    if query is None:
        return render(request, "admin/audit.html", context, status=400)
    before, after = _cursor(params, "before"), _cursor(params, "after")
    db = database_of(request)
    if after is not None and before is None:
        # "Previous": the events just newer than the page the person was on, oldest first.
        newer = audit_log.query(
            db.unit_of_work(), session.actor, replace(query, after_id=after, newest_first=False)
        )
        newer_exists = len(newer) > PAGE_SIZE
        entries = list(reversed(newer[:PAGE_SIZE]))
        older_exists = True  # the page they came from
    else:
        found = audit_log.query(db.unit_of_work(), session.actor, replace(query, before_id=before))
        entries = list(found[:PAGE_SIZE])
        older_exists = len(found) > PAGE_SIZE
        newer_exists = before is not None
    filters = {k: v for k, v in values.items() if v}
    context["rows"] = [_row(e) for e in entries]
    context["filtered"] = bool(filters)
    if newer_exists:
        cursor = {"after": entries[0].id} if entries else {}
        context["previous_href"] = _audit_link({**filters, **cursor})
    if older_exists and entries:
        context["next_href"] = _audit_link({**filters, "before": entries[-1].id})
    return render(request, "admin/audit.html", context)
