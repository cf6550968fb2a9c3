"""Signing in cannot be turned against the person signing in: a link cannot send them to another
site afterwards (open redirect), and a session token planted in their browser before they sign
in is worthless afterwards (session fixation)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.portal.conftest import (
    PASSWORD,
    PortalUser,
    UserFactory,
    csrf,
    next_code,
    sign_in,
    submit,
)


def _sign_in_from(client: TestClient, user: PortalUser, page: str):  # type: ignore[no-untyped-def]
    """Sign in on ``page`` (the sign-in form, perhaps with ?next=); the last response."""
    r = client.get(page)
    assert r.url.path == "/sign-in"
    r = client.post(
        "/sign-in", data={"csrf_token": csrf(r.text), "email": user.email, "password": PASSWORD}
    )
    assert r.url.path == "/sign-in/code"
    secret = user.secret()
    assert secret
    return client.post(
        "/sign-in/code", data={"csrf_token": csrf(r.text), "code": next_code(secret)}
    )


@pytest.fixture
def user(client: TestClient, make_user: UserFactory) -> PortalUser:
    """A user whose authenticator is set up, signed out again."""
    found = make_user()
    sign_in(client, found)
    submit(client, "/sign-out", {}, page="/")
    return found


def test_signing_in_goes_on_to_the_page_asked_for(client: TestClient, user: PortalUser) -> None:
    r = client.get("/find/details?from=menu", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/sign-in?next=%2Ffind%2Fdetails%3Ffrom%3Dmenu"
    r = _sign_in_from(client, user, r.headers["location"])
    assert r.url.path == "/find/details"
    assert r.url.query == b"from=menu"
    assert "lrs_next" not in client.cookies  # used once


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/find",
        "/\\evil.example",
        "\\\\evil.example",
        "https:evil.example",
        "javascript:alert(1)",
        "/find\r\nSet-Cookie: a=b",
        "/sign-in/code",
        "",
    ],
)
def test_a_link_cannot_send_someone_signing_in_to_another_site(
    client: TestClient, user: PortalUser, target: str
) -> None:
    client.get("/sign-in", params={"next": target})
    assert "lrs_next" not in client.cookies
    r = _sign_in_from(client, user, "/sign-in")
    assert r.url.host == "testserver"
    assert r.url.path == "/"
    for step in r.history:
        location = step.headers.get("location", "")
        assert location.startswith("/"), location
        assert not location.startswith("//"), location


def test_a_cookie_planted_to_go_elsewhere_is_not_followed(
    client: TestClient, user: PortalUser
) -> None:
    client.get("/sign-in")
    client.cookies.set("lrs_next", "//evil.example/")
    assert _sign_in_from(client, user, "/sign-in").url.path == "/"


def test_a_token_planted_before_signing_in_is_worthless_after(
    client: TestClient, make_user: UserFactory, user: PortalUser
) -> None:
    # The attacker starts signing in to their own account and plants that session's token in
    # the victim's browser (or any token at all).
    attacker = make_user()
    r = submit(client, "/sign-in", {"email": attacker.email, "password": PASSWORD})
    assert r.url.path == "/sign-in/set-up-authenticator"
    planted = client.cookies.get("lrs_session")
    assert planted
    r = _sign_in_from(client, user, "/sign-in?next=/find")  # the victim signs in there
    assert r.url.path == "/find"
    assert f"Signed in as {user_name(client)}" in r.text
    victims = client.cookies.get("lrs_session")
    assert victims
    assert victims != planted
    # The planted token opens nothing: not the victim's session, not a signed-in one at all.
    for token in (planted, "a-token-the-attacker-made-up"):
        other = TestClient(client.app, follow_redirects=True)
        other.cookies.set("lrs_session", token)
        assert other.get("/find").url.path != "/find"


def user_name(client: TestClient) -> str:
    """The signed-in person's name, as the page header shows it."""
    page = client.get("/").text
    return page.split("Signed in as ", 1)[1].split(",", 1)[0]
