"""Signing in and out: thin views over portal.auth."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request, Response

from open_lrs.core.errors import FieldError
from open_lrs.organisations.sessions import CHANGE_PASSWORD, SECOND_FACTOR, SET_UP_TOTP, SIGNED_IN
from open_lrs.organisations.users import password_problem
from open_lrs.portal import auth, authenticator
from open_lrs.portal.auth import SessionView, SignInRefused
from open_lrs.portal.errors import FormError, to_form_errors
from open_lrs.portal.web import (
    NEXT_COOKIE,
    SESSION_COOKIE,
    STAGE_PAGES,
    Form,
    current_session,
    database_of,
    field,
    local_path,
    redirect,
    render,
    set_cookie,
    settings_of,
    signing_in,
    start_session,
)

router = APIRouter(include_in_schema=False)
WRONG_DETAILS = "Enter a correct email address and password"
LONDON = ZoneInfo("Europe/London")


def _locked_page(request: Request, refused: SignInRefused) -> Response:
    assert refused.locked_until is not None
    until = refused.locked_until.astimezone(LONDON)
    response = render(
        request,
        "auth/locked.html",
        {
            "title": "You cannot sign in at the moment",
            "minutes": settings_of(request).portal_lockout_minutes,
            "until": until.strftime("%-I:%M%p").lower() + until.strftime(" on %-d %B %Y"),
        },
        status=429,
    )
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _then(request: Request) -> str:
    """Where to go once signed in: the page asked for before signing in, or the start page."""
    return local_path(request.cookies.get(NEXT_COOKIE)) or "/"


def _signed_in(response: Response) -> Response:
    response.delete_cookie(NEXT_COOKIE, path="/")
    return response


@router.get("/sign-in")
def sign_in_page(request: Request) -> Response:
    """The sign-in form. ``?next=`` is the page asked for: kept (in a cookie, through every
    step of signing in) only when it is a path on this site, so a link cannot send a person
    who signs in to another site."""
    wanted = local_path(request.query_params.get("next"))
    found = current_session(request)
    if found is not None and found.stage == SIGNED_IN:
        return redirect(wanted or "/")
    response = render(request, "auth/sign_in.html", {"title": "Sign in", "values": {}})
    if wanted:
        set_cookie(response, request, NEXT_COOKIE, wanted)
    else:
        response.delete_cookie(NEXT_COOKIE, path="/")
    return response


@router.post("/sign-in")
def sign_in(request: Request, form: Form) -> Response:
    email, password = field(form, "email"), field(form, "password")
    errors = []
    if not email.strip():
        errors.append(FormError("email", "Enter your email address"))
    if not password:
        errors.append(FormError("password", "Enter your password"))
    if not errors:
        try:
            token, stage = auth.start(
                database_of(request).unit_of_work(), settings_of(request), email, password
            )
        except auth.OneTimePasswordExpired as expired:
            errors = [FormError("password", expired.detail)]
        except SignInRefused as refused:
            if refused.locked_until is not None:
                return _locked_page(request, refused)
            errors = [FormError("email", WRONG_DETAILS)]
        else:
            return start_session(STAGE_PAGES[stage], request, token)
    context = {"title": "Sign in", "values": {"email": email}, "errors": errors}
    return render(request, "auth/sign_in.html", context, status=400)


NewPassword = Annotated[SessionView, Depends(signing_in(CHANGE_PASSWORD))]
SettingUp = Annotated[SessionView, Depends(signing_in(SET_UP_TOTP))]
SecondFactor = Annotated[SessionView, Depends(signing_in(SECOND_FACTOR))]


@router.get("/sign-in/new-password")
def new_password_page(request: Request, session: NewPassword) -> Response:
    return render(request, "auth/new_password.html", {"title": "Create a new password"})


@router.post("/sign-in/new-password")
def new_password(request: Request, session: NewPassword, form: Form) -> Response:
    password, confirm = field(form, "password"), field(form, "confirm_password")
    errors = []
    if problem := password_problem(password):
        errors = to_form_errors([FieldError("password", problem)])
    elif password != confirm:
        errors = [FormError("confirm_password", "Passwords must match")]
    if errors:
        context = {"title": "Create a new password", "errors": errors}
        return render(request, "auth/new_password.html", context, status=400)
    token, stage = auth.change_password(database_of(request).unit_of_work(), session.id, password)
    return start_session(STAGE_PAGES[stage], request, token)


def _set_up_page(request: Request, session: SessionView, errors: list[FormError]) -> Response:
    secret = auth.pending_totp_secret(
        database_of(request).unit_of_work(), settings_of(request), session.id
    )
    context = {
        "title": "Set up an authenticator app",
        "secret_groups": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "uri": authenticator.provisioning_uri(secret, session.email),
        "errors": errors,
    }
    return render(request, "auth/set_up.html", context, status=400 if errors else 200)


@router.get("/sign-in/set-up-authenticator")
def set_up_page(request: Request, session: SettingUp) -> Response:
    return _set_up_page(request, session, [])


def _code_error(code: str) -> FormError:
    if not code.strip():
        return FormError("code", "Enter the code from your authenticator app")
    return FormError("code", "The code is not right: enter the code your app shows now")


@router.post("/sign-in/set-up-authenticator")
def set_up(request: Request, session: SettingUp, form: Form) -> Response:
    code = field(form, "code")
    try:
        token, codes = auth.confirm_totp(
            database_of(request).unit_of_work(), settings_of(request), session.id, code
        )
    except SignInRefused as refused:
        if refused.locked_until is not None:
            return _locked_page(request, refused)
        return _set_up_page(request, session, [_code_error(code)])
    request.state.portal_session = None  # the page below is for the signed-in session
    response = render(
        request,
        "auth/recovery_codes.html",
        {"title": "Save your recovery codes", "codes": codes, "then": _then(request)},
    )
    set_cookie(response, request, SESSION_COOKIE, token)
    return _signed_in(response)


@router.get("/sign-in/code")
def code_page(request: Request, session: SecondFactor) -> Response:
    return render(request, "auth/code.html", {"title": "Enter the code from your app"})


@router.post("/sign-in/code")
def code(request: Request, session: SecondFactor, form: Form) -> Response:
    entered = field(form, "code")
    try:
        token = auth.second_factor(
            database_of(request).unit_of_work(), settings_of(request), session.id, entered
        )
    except SignInRefused as refused:
        if refused.locked_until is not None:
            return _locked_page(request, refused)
        context = {"title": "Enter the code from your app", "errors": [_code_error(entered)]}
        return render(request, "auth/code.html", context, status=400)
    return _signed_in(start_session(_then(request), request, token))


@router.get("/sign-in/recovery-code")
def recovery_page(request: Request, session: SecondFactor) -> Response:
    return render(request, "auth/recovery.html", {"title": "Enter a recovery code"})


@router.post("/sign-in/recovery-code")
def recovery(request: Request, session: SecondFactor, form: Form) -> Response:
    entered = field(form, "code")
    try:
        token, left = auth.use_recovery_code(
            database_of(request).unit_of_work(), settings_of(request), session.id, entered
        )
    except SignInRefused as refused:
        if refused.locked_until is not None:
            return _locked_page(request, refused)
        message = (
            "Enter a recovery code" if not entered.strip() else "The recovery code is not right"
        )
        context = {"title": "Enter a recovery code", "errors": [FormError("code", message)]}
        return render(request, "auth/recovery.html", context, status=400)
    request.state.portal_session = None
    response = render(
        request,
        "auth/signed_in_with_recovery.html",
        {"title": "You are signed in", "left": left, "then": _then(request)},
    )
    set_cookie(response, request, SESSION_COOKIE, token)
    return _signed_in(response)


@router.get("/sign-out")
def sign_out_page(request: Request) -> Response:
    """A link or a typed address asks to sign out: a button that does it (a GET must not
    change anything), or, for someone not signed in, that they are signed out already."""
    session = current_session(request)
    if session is None or session.stage != SIGNED_IN:
        return render(request, "auth/signed_out.html", {"title": "You have signed out"})
    return render(request, "auth/sign_out.html", {"title": "Sign out"})


@router.post("/sign-out")
def sign_out(request: Request, form: Form) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        auth.sign_out(database_of(request).unit_of_work(), token)
    request.state.portal_session = None
    response = render(request, "auth/signed_out.html", {"title": "You have signed out"})
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
