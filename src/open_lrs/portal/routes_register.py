"""Registering a learner, one question per page, then the register's answer: a new ULN, the
learner already registered, or possible matches to choose from (or confirm someone new, with a
reason). The answers wait in the session between pages; learners.service.register decides."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Request, Response

from open_lrs.core.errors import PossibleMatches, TooManyMatches
from open_lrs.learners import service as learners
from open_lrs.learners.schemas import LearnerRegistration
from open_lrs.learners.search_schemas import Match
from open_lrs.organisations.permissions import Action
from open_lrs.portal import auth, forms
from open_lrs.portal.auth import SessionView
from open_lrs.portal.errors import FormError
from open_lrs.portal.web import (
    Form,
    SignedIn,
    database_of,
    field,
    needs,
    redirect,
    render,
    settings_of,
)

# Every page of the journey leads to registering: a user who may not is told at its start.
router = APIRouter(include_in_schema=False, dependencies=[Depends(needs(Action.LEARNER_REGISTER))])
KEY = "register"


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    fields: tuple[str, ...]


STEPS = (
    Step(
        "name",
        "What is the learner's name?",
        ("given_name", "middle_other_name", "family_name", "preferred_given_name"),
    ),
    Step("date-of-birth", "What is the learner's date of birth?", ("date_of_birth",)),
    Step("gender", "What is the learner's gender?", ("gender",)),
    Step(
        "address",
        "What is the learner's address?",
        ("address_line_1", "address_line_2", "address_town", "postcode"),
    ),
)
BY_SLUG = {s.slug: s for s in STEPS}


def _answers(session: SessionView) -> dict[str, Any]:
    answers = session.data.get(KEY)
    return dict(answers) if isinstance(answers, dict) else {}


def _save(request: Request, session: SessionView, answers: dict[str, Any] | None) -> None:
    data = {k: v for k, v in session.data.items() if k != KEY}
    if answers is not None:
        data[KEY] = answers
    auth.set_data(database_of(request).unit_of_work(), session.id, data)


def _next(step: Step, answers: dict[str, Any]) -> str:
    if answers.get("_checking"):
        return "/register/check"
    index = STEPS.index(step)
    return f"/register/{STEPS[index + 1].slug}" if index + 1 < len(STEPS) else "/register/check"


def _back(step: Step) -> str:
    index = STEPS.index(step)
    return "/register" if index == 0 else f"/register/{STEPS[index - 1].slug}"


def _page(
    request: Request, step: Step, values: dict[str, Any], errors: list[FormError]
) -> Response:
    context = {"title": step.title, "step": step, "values": values, "errors": errors}
    context["back"] = _back(step)
    return render(request, f"register/{step.slug}.html", context, status=400 if errors else 200)


@router.get("/register")
def start(request: Request, session: SignedIn) -> Response:
    return render(request, "register/start.html", {"title": "Register a learner"})


@router.post("/register")
def begin(request: Request, session: SignedIn, form: Form) -> Response:
    _save(request, session, {})
    return redirect(f"/register/{STEPS[0].slug}")


@router.get("/register/check")
def check_page(request: Request, session: SignedIn) -> Response:
    answers = _answers(session)
    for step in STEPS:
        _, errors = forms.validate(LearnerRegistration, _data(answers), step.fields)
        if errors:
            return redirect(f"/register/{step.slug}")
    _save(request, session, answers | {"_checking": True})
    context = {"title": "Check the learner's details", "answers": answers, **_words()}
    return render(request, "register/check.html", context)


@router.get("/register/{slug}")
def step_page(request: Request, slug: str, session: SignedIn) -> Response:
    step = BY_SLUG.get(slug)
    if step is None:
        return redirect("/register")
    answers = _answers(session)
    values = {k: v for k, v in answers.items() if isinstance(v, str)}
    if "date_of_birth" in step.fields:
        values |= forms.date_boxes(answers.get("date_of_birth"), "date_of_birth")
    return _page(request, step, values, [])


def _data(answers: dict[str, Any]) -> dict[str, Any]:
    return forms.present({k: v for k, v in answers.items() if not k.startswith("_")})


def _with_date_error(
    errors: list[FormError], date_error: FormError | None, step: Step
) -> list[FormError]:
    """The schema's errors, with the date input's own in place of the date's (a date with a
    box left empty never reaches the schema as a date)."""
    by_field = {e.field: e for e in errors}
    if date_error is not None:
        by_field["date_of_birth"] = date_error
    return [by_field[f] for f in step.fields if f in by_field]


def _words() -> dict[str, Any]:
    return {**forms.learner_words(), "steps": STEPS}


def _register(
    request: Request, session: SessionView, answers: dict[str, Any], reason: str | None
) -> Response:
    body = _data(answers) | ({"confirm_new": True, "reason": reason} if reason else {})
    registration = LearnerRegistration.model_validate(body)
    version = settings_of(request).match_model_version
    try:
        result = learners.register(
            database_of(request).unit_of_work(), session.actor, registration, version
        )
    except TooManyMatches:
        return render(
            request, "register/too_many.html", {"title": "Too many learners are like this one"}
        )
    except PossibleMatches as exc:
        matches = [Match.model_validate(m) for m in exc.extra.get("matches", [])]
        _save(request, session, answers | {"_candidates": [m.uln for m in matches]})
        context = {
            "title": "This learner may already have a ULN",
            "matches": matches,
            "searched": registration,
            "values": {},
            **_words(),
        }
        return render(request, "register/matches.html", context)
    _save(request, session, None)
    context = {"title": "Learner registered", "result": result, **_words()}
    template = "register/done.html" if result.code == "registered" else "register/existing.html"
    return render(request, template, context)


@router.post("/register/check")
def submit(request: Request, session: SignedIn, form: Form) -> Response:
    answers = _answers(session)
    if not answers:
        return redirect("/register")
    return _register(request, session, answers, None)


@router.post("/register/matches")
def choose(request: Request, session: SignedIn, form: Form) -> Response:
    answers = _answers(session)
    candidates = answers.get("_candidates") or []
    if not answers or not candidates:
        return redirect("/register")
    chosen, reason = field(form, "candidate"), field(form, "reason").strip()
    if chosen in candidates:
        _save(request, session, None)
        return redirect(f"/learners/{chosen}")
    errors = []
    if chosen != "new":
        errors = [
            FormError("candidate", "Select the learner, or that none of them is this learner")
        ]
    elif not reason:
        errors = [FormError("reason", "Reason is required when none of them is this learner")]
    else:
        data = _data(answers) | {"confirm_new": True, "reason": reason}
        _, errors = forms.validate(LearnerRegistration, data, ["reason"])
    if errors:
        registration = LearnerRegistration.model_validate(_data(answers))
        # Candidates are shown again from the register, as the service answers them now.
        version = settings_of(request).match_model_version
        try:
            learners.register(
                database_of(request).unit_of_work(), session.actor, registration, version
            )
        except PossibleMatches as exc:
            matches = [Match.model_validate(m) for m in exc.extra.get("matches", [])]
        else:  # pragma: no cover - the register changed meanwhile
            return redirect("/register/check")
        context = {
            "title": "This learner may already have a ULN",
            "matches": matches,
            "searched": registration,
            "values": {"candidate": chosen, "reason": reason},
            "errors": errors,
            **_words(),
        }
        return render(request, "register/matches.html", context, status=400)
    return _register(request, session, answers, reason)


# Last, so that /register/check and /register/matches are matched first.
@router.post("/register/{slug}")
def step(request: Request, slug: str, session: SignedIn, form: Form) -> Response:
    step = BY_SLUG.get(slug)
    if step is None:
        return redirect("/register")
    answers = _answers(session)
    values = forms.text_values(form, step.fields)
    date_error = None
    if "date_of_birth" in step.fields:
        values |= forms.date_values(form, "date_of_birth")
        dob, date_error = forms.date_of(values, "date_of_birth")
        values["date_of_birth"] = dob or ""
    updated = answers | {f: values[f].strip() for f in step.fields}
    _, errors = forms.validate(LearnerRegistration, _data(updated), step.fields)
    errors = _with_date_error(errors, date_error, step)
    if errors:
        return _page(request, step, values, errors)
    _save(request, session, updated)
    return redirect(_next(step, updated))
