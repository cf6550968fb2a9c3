"""Security headers on every page each kind of user can reach (and on the API), and the origin
check that every form's POST passes before its CSRF token is read."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from open_lrs.app import create_app
from open_lrs.core import security_headers
from open_lrs.core.db import Database
from open_lrs.core.settings import Settings
from open_lrs.learners import service as learners
from open_lrs.learners.schemas import LearnerRegistration
from open_lrs.organisations.models import ApiKey
from open_lrs.portal.app import ROUTE_MODULES
from tests.conftest import OrgFactory
from tests.factories import MODEL_VERSION, learner_payload
from tests.portal.conftest import PASSWORD, UserFactory, csrf, sign_in
from tests.portal.users_and_keys_helpers import user_id

# The test client's response (httpx's, or httpx2's in newer Starlette), as batch_screens has it.
Response = Any
HSTS = "max-age=31536000; includeSubDomains"
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)
_INLINE_STYLE_OR_HANDLER = re.compile(r"<[a-z][^>]*\s(style|on[a-z]+)\s*=", re.I)
PORTAL_GET_PATHS = sorted(
    {r.path for m in ROUTE_MODULES for r in m.router.routes if "GET" in getattr(r, "methods", ())}
)


def policy(response: Response) -> dict[str, list[str]]:
    header = response.headers["content-security-policy"]
    directives = (d.split() for d in header.split(";") if d.strip())
    return {d[0]: d[1:] for d in directives}


def assert_secure(response: Response, *, https: bool = False) -> None:
    """The headers every response has (an HTML page's checked against its own markup)."""
    where = f"{response.request.method} {response.request.url} ({response.status_code})"
    assert response.headers["x-content-type-options"] == "nosniff", where
    assert response.headers["x-frame-options"] == "DENY", where
    assert response.headers["referrer-policy"] == "same-origin", where
    assert response.headers.get("strict-transport-security") == (HSTS if https else None), where
    csp = policy(response)
    assert csp["frame-ancestors"] == ["'none'"], where
    if not response.headers.get("content-type", "").startswith("text/html"):
        return
    for directive in ("default-src", "style-src", "form-action", "base-uri"):
        assert csp[directive] == ["'self'"], where
    assert csp["object-src"] == ["'none'"], where
    assert csp["script-src"][0] == "'self'", where
    assert "'unsafe-inline'" not in csp["script-src"], where
    assert "'unsafe-eval'" not in csp["script-src"], where
    for script in _INLINE_SCRIPT.findall(response.text):  # only GOV.UK's template line
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp["script-src"], f"{where}: inline script {script!r}"
    found = _INLINE_STYLE_OR_HANDLER.search(response.text)
    assert found is None, f"{where}: {found.group(0) if found else ''}"


def walk(client: TestClient, values: dict[str, str], *, https: bool = False) -> int:
    """Every portal GET route, its path parameters filled from ``values``; each response and
    each redirect on the way checked. Returns how many pages answered 200."""
    shown = 0
    for path in PORTAL_GET_PATHS:
        url = re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "1"), path)
        response = client.get(url)
        for hop in (*response.history, response):
            assert_secure(hop, https=https)
        shown += response.status_code == 200
    return shown


USERS = [
    ("signed out", None),
    ("viewer", "provider"),
    ("registrar", "provider"),
    ("admin", "provider"),
    ("admin", "awarding_organisation"),
    ("admin", "admin"),  # the service's operators
]


@pytest.mark.parametrize(("role", "kind"), USERS, ids=[f"{r}-{k}" for r, k in USERS])
def test_every_portal_page_has_the_security_headers(
    client: TestClient,
    db: Database,
    make_org: OrgFactory,
    make_user: UserFactory,
    role: str,
    kind: str | None,
) -> None:
    provider, _ = make_org("provider")
    registration = LearnerRegistration.model_validate(learner_payload())
    uln = learners.register(db.unit_of_work(), provider, registration, MODEL_VERSION).learner.uln
    values = {"uln": uln, "slug": "name"}
    if kind is not None:
        user = make_user(role, kind)
        sign_in(client, user)
        with db.unit_of_work() as uow:
            key_id = uow.session.scalars(select(ApiKey.id)).first()
        values |= {"user_id": str(user_id(db, user.email)), "ukprn": user.ukprn}
        values["key_id"] = str(key_id)
    shown = walk(client, values)
    assert shown >= (3 if kind is None else 10)  # real pages, not only redirects and 404s


def test_over_https_every_response_asks_for_https_from_now_on(
    db: Database, portal_settings: Settings
) -> None:
    with TestClient(
        create_app(portal_settings, database=db),
        base_url="https://lrs.example.ac.uk",
        follow_redirects=True,
    ) as client:
        walk(client, {}, https=True)
        for path in ("/static/portal.js", "/healthz", "/api/v1/learners/1234567899"):
            assert_secure(client.get(path), https=True)


def test_the_api_its_docs_and_the_500_page_have_them_too(
    client: TestClient, db: Database, portal_settings: Settings
) -> None:
    for path in ("/healthz", "/openapi.json", "/static/govuk/govuk-frontend.min.css"):
        assert_secure(client.get(path))
    api = client.get("/api/v1/learners/1234567899")
    assert api.status_code == 401
    assert_secure(api)
    assert policy(api)["default-src"] == ["'self'"]
    for path in ("/docs", "/redoc"):  # Swagger UI and ReDoc load from a CDN: framing only
        docs = client.get(path)
        assert docs.headers["content-security-policy"] == security_headers.FRAMING_ONLY
        assert docs.headers["x-frame-options"] == "DENY"

    app = create_app(portal_settings, database=db)

    def broken() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/broken", broken)
    with TestClient(app, raise_server_exceptions=False) as failing:
        page = failing.get("/broken")
    assert page.status_code == 500
    assert "Sorry, there is a problem with the service" in page.text
    assert_secure(page)


# The origin check: a form's POST from another site is refused even with a valid token.


def _api_keys_named(db: Database, name: str) -> int:
    with db.unit_of_work() as uow:
        return len(uow.session.scalars(select(ApiKey.id).where(ApiKey.name == name)).all())


@pytest.mark.parametrize(
    ("headers", "accepted"),
    [
        pytest.param({"Origin": "https://evil.example"}, False, id="another-site"),
        pytest.param({"Origin": "http://testserver.evil.example"}, False, id="a-longer-host"),
        pytest.param({"Origin": "https://testserver"}, False, id="another-scheme"),
        pytest.param({"Origin": "http://testserver:8080"}, False, id="another-port"),
        pytest.param({"Origin": "null"}, False, id="null-origin"),
        pytest.param(
            {"Origin": "https://evil.example", "Referer": "http://testserver/api-keys/new"},
            False,
            id="origin-before-referer",
        ),
        pytest.param({"Referer": "https://evil.example/phish"}, False, id="referer-elsewhere"),
        pytest.param({"Referer": "not a url"}, False, id="referer-unreadable"),
        pytest.param({"Origin": "http://testserver"}, True, id="this-site"),
        pytest.param({"Origin": "http://TestServer:80"}, True, id="this-site-default-port"),
        pytest.param({"Referer": "http://testserver/api-keys/new"}, True, id="referer-here"),
        pytest.param({}, True, id="neither-the-token-decides"),
    ],
)
def test_a_form_from_another_site_is_refused_and_does_nothing(
    client: TestClient,
    db: Database,
    make_user: UserFactory,
    headers: dict[str, str],
    accepted: bool,
) -> None:
    sign_in(client, make_user("admin"))
    token = csrf(client.get("/api-keys/new").text)
    name = f"Key {len(headers)} {sorted(headers.values())}"[:100]
    r = client.post("/api-keys/new", data={"csrf_token": token, "name": name}, headers=headers)
    assert_secure(r)
    if accepted:
        assert r.status_code == 200, r.text
        assert "It will not be shown again" in r.text
        assert _api_keys_named(db, name) == 1
    else:
        assert r.status_code == 400
        assert "Your form has expired" in r.text
        assert _api_keys_named(db, name) == 0


def test_signing_in_from_another_site_is_refused_behind_https(
    db: Database, portal_settings: Settings, make_user: UserFactory
) -> None:
    """A forged sign-in (login CSRF) gets no session; the site's own form, over HTTPS as a
    proxy reports it, is accepted."""
    user = make_user()
    with TestClient(
        create_app(portal_settings, database=db),
        base_url="https://lrs.example.ac.uk",
        follow_redirects=True,
    ) as client:
        form = {"email": user.email, "password": PASSWORD}
        for origin in ("http://lrs.example.ac.uk", "https://lrs.example.ac.uk.evil.example"):
            form["csrf_token"] = csrf(client.get("/sign-in").text)
            r = client.post("/sign-in", data=form, headers={"Origin": origin})
            assert r.status_code == 400
            assert "Your form has expired" in r.text
            assert "lrs_session" not in client.cookies
        form["csrf_token"] = csrf(client.get("/sign-in").text)
        r = client.post("/sign-in", data=form, headers={"Origin": "https://lrs.example.ac.uk"})
        assert r.status_code == 200
        assert r.url.path in ("/sign-in/set-up-authenticator", "/sign-in/code")
