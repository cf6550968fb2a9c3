"""Finding a learner, the learner page, changing details, verifying a ULN: thin views over the
learner, matching and records services (the same calls as the API's)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, TypeAdapter

from open_lrs.core.errors import LearnerNotFound, NotShared, StaleVersion
from open_lrs.learners import lookup
from open_lrs.learners import search as matching
from open_lrs.learners import service as learners
from open_lrs.learners.schemas import (
    LearnerPublic,
    LearnerUpdate,
    Uln,
    VerifyRequest,
)
from open_lrs.learners.search_schemas import SearchRequest
from open_lrs.organisations.permissions import Action, require
from open_lrs.portal import forms
from open_lrs.portal.errors import LABELS, FormError
from open_lrs.portal.web import (
    Form,
    SignedIn,
    database_of,
    field,
    redirect,
    render,
    settings_of,
)
from open_lrs.records.access import RecordRequest
from open_lrs.records.enrolment import enrolment_summary

router = APIRouter(include_in_schema=False)
ULN = TypeAdapter(Uln)
SEARCH_FIELDS = ["given_name", "family_name", "date_of_birth", "gender", "postcode"]
EDIT_FIELDS = [
    "preferred_given_name",
    "address_line_1",
    "address_line_2",
    "address_town",
    "address_county_or_city",
    "postcode",
    "email",
]
VERIFY_FIELDS = ["uln", "given_name", "family_name", "date_of_birth", "gender"]


class SearchByUln(BaseModel):
    """Just the ULN, with the API's rule for it."""

    uln: Uln


@router.get("/find")
def find_page(request: Request, session: SignedIn) -> Response:
    require(session.actor, Action.LEARNER_SEARCH)  # not offered to universities: say why
    return render(request, "learners/find.html", {"title": "Find a learner", "values": {}})


@router.post("/find/uln")
def find_by_uln(request: Request, session: SignedIn, form: Form) -> Response:
    uln = field(form, "uln").strip()
    _, errors = forms.validate(SearchByUln, {"uln": uln} if uln else {})
    if errors:
        context = {"title": "Find a learner", "values": {"uln": uln}, "errors": errors}
        return render(request, "learners/find.html", context, status=400)
    return redirect(f"/learners/{uln}")


@router.get("/find/details")
def find_details_page(request: Request, session: SignedIn) -> Response:
    require(session.actor, Action.LEARNER_SEARCH)
    context = {"title": "Find a learner by their details", "values": {}}
    return render(request, "learners/find_details.html", context)


@router.post("/find/details")
def find_by_details(request: Request, session: SignedIn, form: Form) -> Response:
    values = forms.text_values(form, SEARCH_FIELDS) | forms.date_values(form, "date_of_birth")
    dob, date_error = forms.date_of(values, "date_of_birth")
    data = forms.present({k: values[k] for k in SEARCH_FIELDS if k != "date_of_birth"})
    if dob:
        data["date_of_birth"] = dob
    request_model, errors = forms.validate(SearchRequest, data, SEARCH_FIELDS)
    missing = [f for f in ("given_name", "family_name", "date_of_birth") if f not in data]
    errors = _merge(errors, date_error, missing)
    if errors or request_model is None:
        failed = {"title": "Find a learner by their details", "values": values, "errors": errors}
        return render(request, "learners/find_details.html", failed, status=400)
    found = matching.search(
        database_of(request).unit_of_work(),
        session.actor,
        request_model,
        settings_of(request).match_model_version,
    )
    context: dict[str, Any] = {
        "title": forms.outcome_title(found.code, len(found.matches)),
        "outcome": found.code,
        "advice": forms.OUTCOME_ADVICE[found.code],
        "searched": request_model,
        "matches": found.matches,
        **forms.learner_words(),
    }
    return render(request, "learners/find_results.html", context)


def _merge(
    errors: list[FormError], date_error: FormError | None, missing: list[str]
) -> list[FormError]:
    """The schema's errors, the date input's own, and "is required" for each missing field
    that a search needs (the search service names them too, after validation)."""
    by_field = {e.field: e for e in errors}
    if date_error is not None:
        by_field["date_of_birth"] = date_error
    for name in missing:
        by_field.setdefault(name, FormError(name, f"{LABELS[name]} is required to search"))
    order = [*SEARCH_FIELDS, *by_field]
    return [by_field[f] for f in dict.fromkeys(order) if f in by_field]


def _learner_context(request: Request, session: Any, uln: str) -> dict[str, Any]:
    db = database_of(request)
    result = learners.read(db.unit_of_work(), session.actor, uln)
    history = learners.history(db.unit_of_work(), session.actor, result.learner.uln)
    return {
        "result": result,
        "learner": result.learner,
        "history": list(reversed(history)),
        "can_update": session.role in ("admin", "registrar"),
        **forms.learner_words(),
    }


@router.get("/learners/{uln}")
def learner_page(request: Request, uln: str, session: SignedIn) -> Response:
    try:
        ULN.validate_python(uln)
        context = _learner_context(request, session, uln)
    except (LearnerNotFound, ValueError):
        context = {"title": "No learner has this ULN", "uln": uln}
        return render(request, "learners/not_found.html", context, status=404)
    learner: LearnerPublic = context["learner"]
    context["title"] = f"{learner.given_name} {learner.family_name}"
    context["updated"] = request.query_params.get("updated") == "1"
    return render(request, "learners/learner.html", context)


def _edit_values(learner: LearnerPublic) -> dict[str, str]:
    """The form's fields and, hidden, the values they were loaded with (``original-``): a
    save sends only the fields the person changed, so it never puts back an older value."""
    current = {f: getattr(learner, f) or "" for f in EDIT_FIELDS}
    originals = {f"original-{f}": v for f, v in current.items()}
    return current | originals | {"version": str(learner.version)}


def _changed(values: dict[str, str], originals: dict[str, str]) -> list[str]:
    """The fields the person changed from the values their page was loaded with (all of
    them for a form sent without those, as pages before this rule were)."""
    return [
        f
        for f in EDIT_FIELDS
        if f"original-{f}" not in originals
        or values[f].strip() != originals[f"original-{f}"].strip()
    ]


@router.get("/learners/{uln}/edit")
def edit_page(request: Request, uln: str, session: SignedIn) -> Response:
    result = learners.read(database_of(request).unit_of_work(), session.actor, uln)
    context = {
        "title": "Change the learner's details",
        "learner": result.learner,
        "values": _edit_values(result.learner),
        "edit_fields": EDIT_FIELDS,
    }
    return render(request, "learners/edit.html", context)


@router.post("/learners/{uln}/edit")
def edit(request: Request, uln: str, session: SignedIn, form: Form) -> Response:
    db = database_of(request)
    values = forms.text_values(form, [*EDIT_FIELDS, "version"])
    originals = {
        k: v for k in (f"original-{f}" for f in EDIT_FIELDS) if isinstance(v := form.get(k), str)
    }
    changed = _changed(values, originals)
    # Only the fields changed are sent, as the API's PATCH sends them: a blank optional field
    # clears it (as null does), and a field left alone never overwrites a newer value.
    data: dict[str, Any] = {f: (values[f] if values[f].strip() else None) for f in changed}
    data["version"] = values["version"] or "0"
    update, errors = forms.validate(LearnerUpdate, data, [*EDIT_FIELDS, "version"])
    if update is None:
        current = learners.read(db.unit_of_work(), session.actor, uln).learner
        failed = {
            "title": "Change the learner's details",
            "learner": current,
            "values": values | originals,
            "errors": errors,
            "edit_fields": EDIT_FIELDS,
        }
        return render(request, "learners/edit.html", failed, status=400)
    try:
        result = learners.update(db.unit_of_work(), session.actor, uln, update)
    except StaleVersion:
        return _conflict(request, session, uln, update.version, values, changed)
    return redirect(f"/learners/{result.learner.uln}?updated=1")


def _conflict(
    request: Request,
    session: Any,
    uln: str,
    version: int,
    values: dict[str, str],
    changed: list[str],
) -> Response:
    """Someone saved first: their change, and the form again at the new version with the
    newest values, except in the fields this person changed, which keep what they typed."""
    context = _learner_context(request, session, uln)
    learner: LearnerPublic = context["learner"]
    theirs = [h for h in context["history"] if h.version > version]
    fresh = _edit_values(learner)
    theirs_changed = {name for h in theirs for name in h.changes}
    compare = [
        {
            "field": f,
            "theirs": getattr(learner, f) or "",
            "yours": values[f] if f in changed else getattr(learner, f) or "",
        }
        for f in EDIT_FIELDS
        if f in theirs_changed or f in changed
    ]
    context |= {
        "title": "Someone else changed this record",
        "theirs": list(reversed(theirs)),
        "compare": compare,
        "values": fresh | {f: values[f] for f in changed},
        "edit_fields": EDIT_FIELDS,
        "errors": [
            FormError(
                "version",
                "Someone else changed this record since you opened it — review their "
                "change below, then save your changes again",
            )
        ],
    }
    return render(request, "learners/edit.html", context, status=409)


@router.get("/learners/{uln}/enrolment-summary")
def summary_page(request: Request, uln: str, session: SignedIn) -> Response:
    db = database_of(request)
    learner = learners.read(db.unit_of_work(), session.actor, uln).learner
    req = RecordRequest(
        uln=learner.uln,
        given_name=learner.given_name,
        family_name=learner.family_name,
        purpose="enrolment",
    )
    context: dict[str, Any] = {"title": "Enrolment summary", "learner": learner}
    try:
        context["summary"] = enrolment_summary(db.unit_of_work(), session.actor, req)
    except NotShared:
        context["not_shared"] = True
    return render(request, "learners/summary.html", context)


@router.get("/verify")
def verify_page(request: Request, session: SignedIn) -> Response:
    return render(request, "learners/verify.html", {"title": "Verify a ULN", "values": {}})


@router.post("/verify")
def verify(request: Request, session: SignedIn, form: Form) -> Response:
    values = forms.text_values(form, VERIFY_FIELDS) | forms.date_values(form, "date_of_birth")
    dob, date_error = forms.date_of(values, "date_of_birth")
    data = forms.present({k: values[k].strip() for k in VERIFY_FIELDS if k != "date_of_birth"})
    if dob:
        data["date_of_birth"] = dob
    request_model, errors = forms.validate(VerifyRequest, data, VERIFY_FIELDS)
    if date_error is not None:
        errors = [e for e in errors if e.field != "date_of_birth"] + [date_error]
    if errors or request_model is None:
        failed = {"title": "Verify a ULN", "values": values, "errors": errors}
        return render(request, "learners/verify.html", failed, status=400)
    answer = lookup.verify(database_of(request).unit_of_work(), session.actor, request_model)
    context: dict[str, Any] = {
        "title": "Verification result",
        "answer": answer,
        "result_words": forms.VERIFY_RESULTS[answer.result],
        "flags": [forms.FAILURE_FLAGS.get(f, f) for f in answer.failure_flags],
        "searched": request_model,
    }
    return render(request, "learners/verify_result.html", context)
