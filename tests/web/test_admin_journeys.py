"""Administrators' and operators' journeys in a real browser, each with the mouse and with the
keyboard alone: API keys, users and their roles, and organisations with the audit log.

The server is shared by the whole session, so each run makes its own people, names and UKPRNs.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator

import pyotp
import pytest
from playwright.sync_api import Browser, Page

from open_lrs.audit import service as audit
from open_lrs.organisations import service as orgs
from tests.web.conftest import Driver, Person, Server, make_person, open_page, sign_in

NEW_PASSWORD = "plum tractor lighthouse quietly"
START = "Open LRS: the Learner Register"


def _tag() -> str:
    return uuid.uuid4().hex[:8]


def _ukprn() -> str:
    return f"{uuid.uuid4().int % 90_000_000 + 10_000_000:08d}"


def _api_status(server: Server, key: str) -> int:
    """The status of a call any organisation may make, with ``key`` as its bearer token."""
    request = urllib.request.Request(  # noqa: S310 (the test server's own address)
        f"{server.base}/api/v1/reports/merges?since=2020-01-01T00:00:00Z",
        headers={"Authorization": f"Bearer {key}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as refused:
        return refused.code


def _row(page: Page, table: str, text: str) -> list[str]:
    """The text of each cell (its spaces and line breaks as one space) of the one row of table
    ``#table`` that contains ``text``."""
    rows = page.locator(f"#{table} tbody tr").filter(has_text=text)
    assert rows.count() == 1, f"{rows.count()} rows of #{table} contain {text!r}"
    return [" ".join(t.split()) for t in rows.first.locator("td").all_inner_texts()]


def _events(page: Page) -> list[list[str]]:
    """The audit log's rows, newest first: when, organisation, who, action, learner, outcome
    and details (each detail on its own line)."""
    rows = page.locator("#audit-events tbody tr")
    return [[t.strip() for t in row.locator("td").all_inner_texts()] for row in rows.all()]


def _summary(page: Page, key: str) -> str:
    """The value beside ``key`` in the page's summary list."""
    row = page.locator(".govuk-summary-list__row").filter(
        has=page.locator(
            ".govuk-summary-list__key", has_text=re.compile(rf"^\s*{re.escape(key)}\s*$")
        )
    )
    return row.locator(".govuk-summary-list__value").inner_text().strip()


def _error_links(page: Page) -> list[str | None]:
    """Where each link of the error summary goes: the field it names."""
    links = page.locator(".govuk-error-summary__list a")
    return [link.get_attribute("href") for link in links.all()]


def _banner(page: Page) -> str:
    return page.locator(".govuk-notification-banner__heading").inner_text().strip()


def _fill_date(driver: Driver, legend: str, day: str, month: str, year: str) -> None:
    """Fill a date input: its boxes are labelled Day, Month and Year in every date input on
    the page, so each is found inside the fieldset its legend names."""
    group = driver.page.get_by_role("group", name=legend, exact=True)
    for label, value in (("Day", day), ("Month", month), ("Year", year)):
        box = group.get_by_label(label, exact=True)
        if not driver.keyboard:
            box.fill(value)
            continue
        driver._reach(box)
        driver.page.keyboard.press("Control+A")
        driver.page.keyboard.type(value)


@pytest.fixture
def other_page(browser: Browser, server: Server, axe_source: str) -> Iterator[Page]:
    """A second browser, with its own cookies: another person at another desk."""
    page = open_page(browser, server, axe_source)
    yield page
    page.context.close()


def test_create_use_and_revoke_an_api_key(driver: Driver, server: Server) -> None:
    admin = make_person(server, "admin")
    name = f"MIS integration {_tag()}"
    sign_in(driver, admin)
    driver.follow("API keys")
    assert driver.heading() == "API keys"
    driver.press("Create an API key")
    assert driver.heading() == "What is the API key for?"
    driver.press("Create API key")
    assert driver.errors() == ["Name must be 1 to 100 characters"]
    driver.fill("What is the API key for?", name)
    driver.press("Create API key")
    assert driver.page.locator(".govuk-panel__title").inner_text().strip() == "API key created"
    assert driver.page.locator(".govuk-panel__body").inner_text().strip() == name
    key = driver.page.locator("#api-key").inner_text().strip()
    assert re.fullmatch(r"lrs_[0-9a-f]+_[A-Za-z0-9_-]{20,}", key)
    assert _api_status(server, key) == 200

    driver.follow("Back to API keys")
    assert driver.heading() == "API keys"
    prefix = key.split("_")[1]
    cells = _row(driver.page, "api-keys", name)
    assert cells[:2] == [name, f"lrs_{prefix}_…"]
    assert cells[3] != "Never"  # it has just been used
    assert cells[4:] == ["Active", f"Revoke {name}"]
    assert key not in driver.page.content()  # shown once, on the page that created it

    driver.follow(f"Revoke {name}")
    assert driver.heading() == "Are you sure you want to revoke this API key?"
    assert driver.page.get_by_text(f"API key ‘{name}’, starts with lrs_{prefix}").is_visible()
    driver.press("Yes, revoke this key")
    assert driver.heading() == "API keys"
    assert _banner(driver.page) == f"The API key ‘{name}’ has been revoked"
    cells = _row(driver.page, "api-keys", name)
    assert cells[4] == "Revoked"
    assert cells[5].startswith("Revoked on ")
    assert driver.page.get_by_role("link", name=f"Revoke {name}").count() == 0
    assert key not in driver.page.content()
    assert _api_status(server, key) == 401


def _invite(driver: Driver, tag: str, name: str, email: str) -> str:
    """Invite a viewer (after a wrong email address): their one-time password, shown once."""
    driver.follow("Users")
    assert driver.heading() == "Users"
    driver.press("Invite a user")
    assert driver.heading() == "Invite a user"
    driver.fill("Email address", f"nia.evans.{tag}")
    driver.fill("Full name", name)
    driver.choose("Viewer")
    driver.press("Invite user")
    assert driver.errors() == ["Email address must be an email address such as name@example.org"]
    assert _error_links(driver.page) == ["#email"]
    assert driver.page.get_by_label("Viewer", exact=True).is_checked()  # kept
    driver.fill("Email address", email)
    driver.press("Invite user")
    assert driver.page.locator(".govuk-panel__title").inner_text().strip() == "User invited"
    assert driver.page.locator(".govuk-panel__body").inner_text().strip() == f"{name}, Viewer"
    password = driver.page.locator("#one-time-password").inner_text().strip()
    assert len(password) >= 12
    driver.follow("Back to users")
    assert driver.heading() == "Users"
    assert _row(driver.page, "users", email) == [
        name,
        email,
        "Viewer",
        "Waiting to sign in",
        "No",
        "Never",
    ]
    assert password not in driver.page.content()  # shown once
    return password


def _first_sign_in(other: Driver, name: str, email: str, password: str) -> None:
    """Sign in with a one-time password: a new password, an authenticator, recovery codes;
    then signed in as ``name``, a viewer."""
    other.goto("/sign-in")
    other.fill("Email address", email)
    other.fill("Password", password)
    other.press("Continue")
    assert other.heading() == "Create a new password"
    other.fill("New password", NEW_PASSWORD)
    other.fill("Confirm your new password", NEW_PASSWORD)
    other.press("Continue")
    assert other.heading() == "Set up an authenticator app"
    secret = other.page.locator("#totp-secret").inner_text().replace(" ", "")
    other.fill("Code from your authenticator app", pyotp.TOTP(secret).now())
    other.press("Continue")
    assert other.heading() == "Save your recovery codes"
    assert other.page.locator("#recovery-codes li").count() == 10
    other.follow("I have saved my recovery codes")
    assert other.heading() == START
    signed_in = other.page.locator(".portal-signed-in-as").inner_text().strip()
    assert signed_in == f"Signed in as {name}, Riverside College (viewer)"
    assert other.page.get_by_role("link", name="Find a learner").first.is_visible()
    assert other.page.get_by_role("link", name="Register a learner").count() == 0


def test_invite_a_user_who_signs_in_then_change_their_role_and_deactivate_them(
    driver: Driver, server: Server, other_page: Page
) -> None:
    admin = make_person(server, "admin")
    tag = _tag()
    name, email = f"Nia Evans {tag}", f"nia.evans.{tag}@riverside.example"
    sign_in(driver, admin)
    password = _invite(driver, tag, name, email)

    # The invited person, at their own desk, signs in with the one-time password.
    other = Driver(other_page, keyboard=driver.keyboard)
    _first_sign_in(other, name, email, password)

    driver.goto("/users")
    assert _row(driver.page, "users", email)[2:5] == ["Viewer", "Active", "Yes"]
    driver.follow(name)
    assert driver.heading() == name
    assert _summary(driver.page, "Role") == "Viewer"
    driver.choose("Registrar")
    driver.press("Change role")
    assert _banner(driver.page) == "The role has been changed"
    assert _summary(driver.page, "Role") == "Registrar"
    other.goto("/")  # a change of role applies from their next page
    assert other.page.get_by_role("link", name="Register a learner").first.is_visible()
    signed_in = other.page.locator(".portal-signed-in-as").inner_text().strip()
    assert signed_in == f"Signed in as {name}, Riverside College (registrar)"

    driver.press(f"Deactivate {name}")
    assert driver.heading() == f"Are you sure you want to deactivate {name}?"
    driver.press(f"Yes, deactivate {name}")
    assert driver.heading() == name
    assert _banner(driver.page) == "The user has been deactivated and signed out"
    assert _summary(driver.page, "Status") == "Deactivated"
    assert driver.page.get_by_role("button", name=f"Reactivate {name}").is_visible()
    other.follow("Find a learner")  # their next page: signed out at once
    assert other.heading() == "Sign in to Open LRS"


def _sign_in_as_operator(driver: Driver, operator: Person, tag: str) -> str:
    """Sign in as an operator of LRS operations ``tag``: their name as the page shows it."""
    sign_in(driver, operator)
    signed_in = driver.page.locator(".portal-signed-in-as").inner_text().strip()
    who = signed_in.removeprefix("Signed in as ").split(",")[0]
    assert signed_in == f"Signed in as {who}, LRS operations {tag} (admin)"
    return who


def _add_organisation(
    driver: Driver, name: str, ukprn: str, admin_email: str, admin_name: str
) -> tuple[str, str]:
    """Add a provider (after a UKPRN too short): its API key and its administrator's
    one-time password, each shown once."""
    driver.follow("Organisations")
    assert driver.heading() == "Organisations"
    driver.press("Add an organisation")
    assert driver.heading() == "Add an organisation"
    driver.fill("Name", name)
    driver.fill("UKPRN", ukprn[:7])
    driver.choose("Provider")
    driver.fill("Administrator's email address", admin_email)
    driver.fill("Administrator's name", admin_name)
    driver.press("Add the organisation")
    assert driver.errors() == ["UKPRN must be exactly 8 digits"]
    driver.fill("UKPRN", ukprn)
    driver.press("Add the organisation")
    panel = driver.page.locator(".govuk-panel")
    assert panel.locator(".govuk-panel__title").inner_text().strip() == "Organisation added"
    assert panel.locator(".govuk-panel__body").inner_text().split("\n") == [name, f"UKPRN {ukprn}"]
    key = driver.page.locator("#api-key").inner_text().strip()
    password = driver.page.locator("#one-time-password").inner_text().strip()
    assert key.startswith("lrs_")
    assert len(password) >= 12
    assert driver.page.get_by_text(f"signs in as {admin_email} with this password").is_visible()
    return key, password


def _find_the_organisation(
    driver: Driver, tag: str, name: str, ukprn: str, admin_email: str, admin_name: str
) -> None:
    """Search for the organisation by part of its name, and open it: active, with its
    administrator."""
    driver.follow("Organisations")
    driver.fill("Search by name or UKPRN", f"Hafren College {tag}")
    driver.press("Search")
    assert driver.page.locator("#organisations caption").inner_text() == "Organisations that match"
    assert driver.page.locator("#organisations tbody tr").count() == 1
    cells = _row(driver.page, "organisations", ukprn)
    assert cells[:4] == [name, ukprn, "Provider", "Active"]
    assert cells[5:] == ["1", "1"]  # its administrator, its first key
    driver.follow(name)
    assert driver.heading() == name
    assert _summary(driver.page, "Status") == "Active"
    assert _row(driver.page, "users", admin_email) == [
        admin_name,
        admin_email,
        "Admin",
        "Active",
        "Never",
    ]


def _record_the_longest_words(server: Server, operators: str) -> None:
    """The longest words the log holds, in an event of the operators' own, for the layout
    check."""
    actor = orgs.system_actor(server.db.unit_of_work(), operators)
    with server.db.unit_of_work() as uow:
        audit.record(
            uow.session,
            actor,
            "portal.sign_in",
            outcome="signed_in_authenticator_set_up",
            details={"batch_id": 123456789, "ukprn": operators, "resolution": "choose"},
        )
        uow.commit()


def _check_dates_out_of_order_are_refused(driver: Driver) -> None:
    """A to date before the from date is refused, naming the to date; no events shown."""
    _fill_date(driver, "From date (optional)", "2", "3", "2026")
    _fill_date(driver, "To date (optional)", "1", "3", "2026")
    driver.press("Filter")
    assert driver.errors() == ["To date must be the same as or after the from date"]
    assert _error_links(driver.page) == ["#date_to-day"]
    assert driver.page.locator("#audit-events").count() == 0


def test_an_operator_adds_finds_and_deactivates_an_organisation_then_reads_the_audit_log(
    driver: Driver, server: Server
) -> None:
    tag = _tag()
    operators = _ukprn()
    orgs.create_organisation(
        server.db.unit_of_work(), name=f"LRS operations {tag}", ukprn=operators, kind="admin"
    )
    operator = make_person(server, "admin", ukprn=operators)
    name, ukprn = f"Glan Hafren College {tag}", _ukprn()
    admin_email, admin_name = f"ada.{tag}@glanhafren.example", f"Ada Hughes {tag}"
    who = _sign_in_as_operator(driver, operator, tag)
    key, password = _add_organisation(driver, name, ukprn, admin_email, admin_name)
    assert _api_status(server, key) == 200

    _find_the_organisation(driver, tag, name, ukprn, admin_email, admin_name)
    content = driver.page.content()
    assert key not in content
    assert password not in content  # both were shown once
    driver.press(f"Deactivate {name}")
    assert driver.heading() == name
    assert _banner(driver.page) == (
        "The organisation has been deactivated: its users cannot sign in and its API keys "
        "are refused."
    )
    assert _summary(driver.page, "Status") == "Deactivated"
    assert driver.page.get_by_role("button", name=f"Reactivate {name}").is_visible()
    assert _api_status(server, key) == 401

    _record_the_longest_words(server, operators)
    driver.follow("Audit log")
    assert driver.heading() == "Audit log"
    # The UKPRN filter is the organisation that acted, as the page's hint says: the new
    # organisation acted once, when its key called the API (refused calls are not events).
    driver.fill("Organisation's UKPRN", ukprn)
    driver.press("Filter")
    assert driver.errors() == []
    assert driver.page.locator("#audit-events caption").inner_text() == "Events that match"
    [merges] = _events(driver.page)
    assert (merges[1], merges[3], merges[5]) == (ukprn, "report.merges", "ok")
    # Adding and deactivating it are the operator's acts, each naming its UKPRN.
    driver.fill("Organisation's UKPRN", operators)
    driver.press("Filter")
    about = {e[3]: e for e in _events(driver.page) if f"ukprn: {ukprn}" in e[6]}
    assert set(about) == {"organisation.create", "organisation.deactivate"}
    # The table fits its column: no sideways scrolling, no number broken in two.
    assert driver.page.locator("#audit-events").evaluate(
        "t => t.scrollWidth <= t.parentElement.clientWidth"
    )
    created, deactivated = about["organisation.create"], about["organisation.deactivate"]
    assert created[1:3] == [operators, who]
    assert created[5] == "created"
    assert "kind: provider" in created[6]
    assert deactivated[1:3] == [operators, who]
    assert deactivated[5] == "changed"

    _check_dates_out_of_order_are_refused(driver)
