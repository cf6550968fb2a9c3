"""Portal tests through an HTTP client: forms, cookies and redirects as a browser sends them."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape as html_unescape

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from open_lrs.app import create_app
from open_lrs.core import sealing
from open_lrs.core.db import Database
from open_lrs.core.settings import Settings
from open_lrs.organisations import users
from open_lrs.organisations.models import User
from open_lrs.portal.authenticator import TOTP_PURPOSE
from tests.conftest import OrgFactory

PASSWORD = "correct horse battery staple"
SECRET_KEY = "test-secret-key-that-is-long-enough-123"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def error_summary(html: str) -> list[str]:
    """The messages of the GOV.UK error summary, in order."""
    body = html.split('govuk-error-summary__list"', 1)
    if len(body) < 2:
        return []
    items = body[1].split("</ul>", 1)[0]
    return [html_unescape(m.strip()) for m in re.findall(r'<a href="#[^"]+">([^<]*)</a>', items)]


@pytest.fixture
def portal_settings() -> Settings:
    return Settings(
        environment="test",
        database_url="sqlite://",
        log_format="json",
        portal_secure_cookies=False,
        secret_key=SECRET_KEY,
    )


@pytest.fixture
def client(db: Database, portal_settings: Settings) -> Iterator[TestClient]:
    with TestClient(
        create_app(portal_settings, database=db),
        raise_server_exceptions=False,
        follow_redirects=True,
    ) as c:
        yield c


@dataclass
class PortalUser:
    email: str
    ukprn: str
    role: str
    db: Database

    def stored_secret(self) -> str | None:
        """The authenticator's secret as the users table holds it (sealed)."""
        with self.db.unit_of_work() as uow:
            return uow.session.scalar(select(User.totp_secret).where(User.email == self.email))

    def secret(self) -> str | None:
        """The authenticator's secret, as the person's app has it."""
        stored = self.stored_secret()
        return None if stored is None else sealing.unseal(stored, SECRET_KEY, TOTP_PURPOSE)


class UserFactory:
    def __init__(self, db: Database, make_org: OrgFactory) -> None:
        self.db = db
        self.make_org = make_org
        self.count = 0

    def __call__(
        self,
        role: str = "registrar",
        kind: str = "provider",
        *,
        change_required: bool = False,
        ukprn: str | None = None,
    ) -> PortalUser:
        """A user of a new organisation of ``kind``, or of the organisation ``ukprn``."""
        if ukprn is None:
            ukprn = self.make_org(kind)[0].ukprn
        self.count += 1
        email = f"person{self.count}.{ukprn}@example.org"
        users.add_user(
            self.db.unit_of_work(),
            ukprn=ukprn,
            email=email,
            display_name=f"Person {self.count}",
            role=role,
            password=PASSWORD,
            change_required=change_required,
        )
        return PortalUser(email, ukprn, role, self.db)


@pytest.fixture
def make_user(db: Database, make_org: OrgFactory) -> UserFactory:
    return UserFactory(db, make_org)


def submit(client: TestClient, path: str, data: dict[str, str], page: str | None = None):  # type: ignore[no-untyped-def]
    """Post a form as the browser would: with the CSRF token of the page it came from."""
    token = csrf(client.get(page or path).text)
    return client.post(path, data={"csrf_token": token, **data})


def next_code(secret: str) -> str:
    """The code of the next 30-second step: accepted (clocks drift) and not yet used, where the
    current one may have been used by the set-up a moment ago."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def sign_in(client: TestClient, user: PortalUser) -> None:
    """Password, then set up the authenticator (first time) or a code from it."""
    r = submit(client, "/sign-in", {"email": user.email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    if r.url.path == "/sign-in/set-up-authenticator":
        secret = re.search(r'id="totp-secret">([^<]+)<', r.text)
        assert secret
        code = pyotp.TOTP(secret.group(1).replace(" ", "")).now()
        r = client.post(
            "/sign-in/set-up-authenticator", data={"csrf_token": csrf(r.text), "code": code}
        )
        assert "Save your recovery codes" in r.text
    else:
        assert r.url.path == "/sign-in/code"
        secret_value = user.secret()
        assert secret_value
        code = next_code(secret_value)
        r = client.post("/sign-in/code", data={"csrf_token": csrf(r.text), "code": code})
        assert r.url.path == "/", r.text


@pytest.fixture
def operator(client: TestClient, make_user: UserFactory) -> PortalUser:
    """An administrator of the service's operators, signed in."""
    user = make_user("admin", "admin")
    sign_in(client, user)
    return user
