from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from open_lrs.app import create_app
from open_lrs.core.db import Database
from open_lrs.core.settings import Settings


@pytest.fixture
def client(db: Database) -> Iterator[TestClient]:
    settings = Settings(environment="test", database_url="sqlite://", log_format="json")
    with TestClient(create_app(settings, database=db), raise_server_exceptions=False) as c:
        yield c


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
