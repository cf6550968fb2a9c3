"""Polish found by a walk through the portal (issue 24, item 7): dates in match tables as
people write them, headings, what each kind of organisation is offered, signing out from a link
or a typed address, and the Beta banner's contact page."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from open_lrs.app import create_app
from open_lrs.core.db import Database
from open_lrs.core.settings import Settings
from tests.conftest import OrgFactory
from tests.portal.batch_screens import text_of
from tests.portal.conftest import UserFactory, csrf, sign_in, submit
from tests.portal.test_learner_edit import registered


def test_match_tables_show_dates_as_people_write_them(
    client: TestClient, db: Database, make_org: OrgFactory, make_user: UserFactory
) -> None:
    registered(db, make_org)
    sign_in(client, make_user())
    r = submit(
        client,
        "/find/details",
        {
            "given_name": "Morwena",
            "family_name": "Trelawny",
            "date_of_birth-day": "21",
            "date_of_birth-month": "8",
            "date_of_birth-year": "2006",
            "gender": "2",
            "postcode": "CF10 1EP",
        },
        page="/find/details",
    )
    words = text_of(r.text)
    assert "Date of birth 21 August 2006 21 August 2006" in words
    assert "2006-08-21" not in r.text


def test_sign_out_by_address_asks_then_signs_out(
    client: TestClient, make_user: UserFactory
) -> None:
    sign_in(client, make_user())
    page = client.get("/sign-out")
    assert page.status_code == 200
    assert '<h1 class="govuk-heading-l">Sign out</h1>' in page.text
    assert client.get("/find").url.path == "/find"  # a GET signs nobody out
    done = client.post("/sign-out", data={"csrf_token": csrf(page.text)})
    assert "You have signed out" in done.text
    assert client.get("/find").url.path == "/sign-in"
    again = client.get("/sign-out")  # signed out already: said so, not an error
    assert again.status_code == 200
    assert "You have signed out" in again.text


def test_headings_have_no_full_stop_and_one_match_is_a_learner(
    client: TestClient, db: Database, make_org: OrgFactory, make_user: UserFactory
) -> None:
    registered(db, make_org)
    sign_in(client, make_user())
    details = {
        "family_name": "Trelawny",
        "date_of_birth-day": "21",
        "date_of_birth-month": "8",
        "date_of_birth-year": "2006",
        "postcode": "TR1 2AB",  # moved: one possible match, not sure enough
    }
    one = submit(client, "/find/details", {**details, "given_name": "Morwen"}, "/find/details")
    heading = text_of(one.text.split('<h1 class="govuk-heading-l">', 1)[1].split("</h1>")[0])
    assert heading.strip() == "We found a learner who might be the person you are looking for"
    none = submit(client, "/find/details", {**details, "given_name": "Zebedee"}, "/find/details")
    assert '<h1 class="govuk-heading-l">We did not find anyone with these details</h1>' in none.text


def test_a_university_is_offered_only_what_it_may_do(
    client: TestClient, make_user: UserFactory
) -> None:
    sign_in(client, make_user("viewer", "university"))
    home = client.get("/").text
    assert 'href="/find"' not in home  # not in the navigation, nor on the start page
    assert 'href="/verify"' in home
    for page in ("/find", "/find/details"):
        refused = client.get(page)
        assert refused.status_code == 403
        assert "You cannot do this" in refused.text


def test_the_beta_banner_leads_to_a_contact_page_with_the_configured_address(
    client: TestClient, db: Database, portal_settings: Settings
) -> None:
    start = client.get("/").text
    assert '<a class="govuk-link" href="/contact">Tell us what you think</a>' in start
    unset = client.get("/contact")
    assert unset.status_code == 200
    assert "has not given a contact address" in unset.text
    configured = portal_settings.model_copy(update={"support_email": "desk@college.example"})
    with TestClient(create_app(configured, database=db)) as other:
        page = other.get("/contact").text
    assert 'href="mailto:desk@college.example"' in page
    assert "Do not include a learner's details" in page


def test_a_support_address_that_is_not_an_email_address_stops_start_up() -> None:
    with pytest.raises(ValidationError, match="support_email"):
        Settings(environment="test", support_email="call the desk")
