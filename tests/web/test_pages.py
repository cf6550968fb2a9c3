"""The pages no journey passes through, in a real browser: each is checked by axe-core (WCAG 2.2
A/AA) as it is reached, as the journeys' pages are."""

from __future__ import annotations

from tests.web.conftest import Driver, Server, make_person, sign_in


def test_start_accessibility_and_cookie_pages(driver: Driver) -> None:
    driver.goto("/")
    assert driver.heading() == "Open LRS: the Learner Register"
    driver.follow("Accessibility statement")
    assert driver.heading() == "Accessibility statement for Open LRS"
    driver.follow("Cookies")
    assert driver.heading() == "Cookies"
    assert driver.page.get_by_text("lrs_session").first.is_visible()


def test_error_pages(driver: Driver, server: Server) -> None:
    response = driver.page.goto("/no-such-page")
    assert response is not None
    assert response.status == 404
    driver.arrived()
    assert driver.heading() == "Page not found"
    sign_in(driver, make_person(server, role="viewer"))
    response = driver.page.goto("/register")
    assert response is not None
    assert response.status == 403
    driver.arrived()
    assert driver.heading() == "You cannot do this"
    # A form whose token is not this browser's: the page that says so, and nothing done.
    driver.goto("/find")
    driver.page.locator('form[action="/find/uln"] input[name="csrf_token"]').evaluate(
        "el => el.value = 'forged'"
    )
    driver.fill("Unique Learner Number (ULN)", "1234567899")
    driver.press("Find learner")
    assert driver.heading() == "Your form has expired"
