"""The Users and API keys screens in tests: a second browser, a user as stored, and what a page
shows."""

from __future__ import annotations

import re
from html import unescape

from fastapi.testclient import TestClient
from sqlalchemy import select

from open_lrs.core.db import Database
from open_lrs.organisations.models import User


def another_browser(client: TestClient) -> TestClient:
    """A second browser on the same service: its own cookies."""
    return TestClient(client.app, raise_server_exceptions=False, follow_redirects=True)


def user_id(db: Database, email: str) -> int:
    with db.unit_of_work() as uow:
        found = uow.session.scalar(select(User.id).where(User.email == email))
    assert found is not None
    return found


def stored(db: Database, email: str) -> User:
    """The user as stored now (detached, to read after the unit of work)."""
    with db.unit_of_work() as uow:
        found = uow.session.scalar(select(User).where(User.email == email))
        assert found is not None
        uow.session.expunge(found)
    return found


def table_row(html: str, containing: str) -> str:
    """The table row (<tr>) that holds ``containing``."""
    rows = [r for r in re.findall(r"<tr[^>]*>.*?</tr>", html, re.S) if containing in r]
    assert len(rows) == 1, f"{len(rows)} rows hold {containing!r}"
    return rows[0]


def shown(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>([^<]+)<', html)
    assert found, f"the page has no #{element_id}"
    return unescape(found.group(1)).strip()
