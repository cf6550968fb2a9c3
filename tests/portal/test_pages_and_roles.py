"""The portal's frame (no crown, its error pages beside the API's problem documents) and roles
enforced by the service layer's one permission check."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from open_lrs.core.db import Database
from open_lrs.core.errors import Forbidden, ValidationFailed
from open_lrs.core.security import Actor
from open_lrs.organisations import users
from open_lrs.organisations.permissions import Action, require
from tests.conftest import OrgFactory
from tests.portal.conftest import UserFactory, csrf, error_summary, sign_in, submit


def test_pages_follow_the_design_system_off_gov_uk(client: TestClient) -> None:
    page = client.get("/").text
    assert 'class="govuk-generic-header' in page
    assert "Open LRS" in page
    assert "govuk-logo" not in page
    assert "Crown copyright" not in page
    assert "GOV.UK" not in page
    assert 'href="#main-content"' in page  # the skip link
    assert 'href="/accessibility"' in page
    assert 'href="/cookies"' in page
    css = client.get("/static/govuk/govuk-frontend.min.css")
    assert css.headers["cache-control"] == "public, max-age=31536000"
    assert "GDS Transport" not in css.text
    assert "system-ui" in css.text
    for path in ("/accessibility", "/cookies"):
        assert client.get(path).status_code == 200


def test_portal_paths_get_html_errors_and_the_api_keeps_problem_json(client: TestClient) -> None:
    page = client.get("/no/such/page")
    assert page.status_code == 404
    assert "Page not found" in page.text
    assert page.headers["content-type"].startswith("text/html")
    api = client.get("/api/v1/no/such/thing")
    assert api.status_code == 404
    assert api.headers["content-type"] == "application/problem+json"
    assert client.get("/api/v1/learners/1234567899").status_code == 401


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient) -> None:
    for path in ("/find", "/register", "/verify", "/learners/1234567899"):
        assert client.get(path).url.path == "/sign-in", path


def test_a_viewer_reads_but_cannot_register(client: TestClient, make_user: UserFactory) -> None:
    sign_in(client, make_user("viewer"))
    assert client.get("/find").status_code == 200
    assert "Register a learner" not in client.get("/").text  # not offered
    for path in ("/register", "/register/name", "/register/check"):
        r = client.get(path)
        assert r.status_code == 403, path
        assert "Your role (viewer)" in r.text
    # Nor by posting the journey's forms without its pages.
    r = client.post("/register/name", data={"csrf_token": csrf(client.get("/find").text)})
    assert r.status_code == 403
    assert "You cannot do this" in r.text
    assert "Your role (viewer)" in r.text


def test_form_errors_carry_the_api_messages(client: TestClient, make_user: UserFactory) -> None:
    sign_in(client, make_user())
    submit(client, "/register", {})
    r = submit(client, "/register/name", {"given_name": "R2D2", "family_name": ""})
    assert error_summary(r.text) == [
        "Given name must contain only letters, spaces, hyphens and apostrophes, not '2'",
        "Family name is required",
    ]
    r = submit(
        client,
        "/register/date-of-birth",
        {"date_of_birth-day": "10", "date_of_birth-month": "", "date_of_birth-year": "2008"},
    )
    assert error_summary(r.text) == ["Date of birth must include a month"]
    r = submit(
        client,
        "/register/date-of-birth",
        {"date_of_birth-day": "10", "date_of_birth-month": "12", "date_of_birth-year": "2020"},
    )
    assert error_summary(r.text)[0].startswith("Date of birth learner must be aged 13 to 110")


def test_roles_narrow_what_the_organisation_kind_allows() -> None:
    registrar = Actor(1, "provider", "10000001", user_id=1, role="registrar")
    viewer = Actor(1, "provider", "10000001", user_id=2, role="viewer")
    awarding_admin = Actor(2, "awarding_organisation", "10000002", user_id=3, role="admin")
    require(registrar, Action.LEARNER_REGISTER)
    require(viewer, Action.LEARNER_READ)
    with pytest.raises(Forbidden, match="Your role"):
        require(viewer, Action.LEARNER_UPDATE)
    with pytest.raises(Forbidden, match="awarding organisation may not"):
        require(awarding_admin, Action.LEARNER_REGISTER)  # a role never widens the kind
    with pytest.raises(Forbidden):
        require(registrar, Action.ORGANISATION_MANAGE)


def test_adding_a_user_checks_the_details(db: Database, make_org: OrgFactory) -> None:
    actor, _ = make_org()
    with pytest.raises(ValidationFailed) as refused:
        users.add_user(
            db.unit_of_work(),
            ukprn=actor.ukprn,
            email="not an address",
            display_name="",
            role="owner",
            password="short",
            change_required=False,
        )
    assert [e.field for e in refused.value.errors] == ["email", "display_name", "role", "password"]
    one_time = users.one_time_password()
    assert len(one_time) >= 20
