"""The pages no journey passes through, in a real browser: each is checked by axe-core (WCAG 2.2
A/AA) as it is reached, as the journeys' pages are."""

from __future__ import annotations

import urllib.request
from email.message import Message

from tests.web.conftest import Driver, Server, make_person, sign_in


def test_start_accessibility_and_cookie_pages(driver: Driver) -> None:
    driver.goto("/")
    assert driver.heading() == "Open LRS: the Learner Register"
    driver.follow("Accessibility statement")
    assert driver.heading() == "Accessibility statement for Open LRS"
    driver.follow("Cookies")
    assert driver.heading() == "Cookies"
    assert driver.page.get_by_text("lrs_session").first.is_visible()
    driver.follow("Tell us what you think")  # the Beta banner's feedback link
    assert driver.heading() == "Contact us"


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


def test_https_through_a_trusted_proxy_turns_on_hsts(server: Server) -> None:
    """`lrs serve` believes X-Forwarded-Proto from 127.0.0.1 (uvicorn's FORWARDED_ALLOW_IPS
    default, docs/configuration.md): over HTTPS browsers are told to keep to it; over http, not."""

    def headers(**sent: str) -> Message:
        request = urllib.request.Request(f"{server.base}/", headers=sent)  # noqa: S310
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            answered: Message = response.headers
        return answered

    plain = headers()
    assert plain["Strict-Transport-Security"] is None
    assert "frame-ancestors 'none'" in plain["Content-Security-Policy"]
    assert plain["X-Content-Type-Options"] == "nosniff"
    proxied = headers(**{"X-Forwarded-Proto": "https"})
    assert proxied["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
