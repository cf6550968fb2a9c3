from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from open_lrs.app import create_app
from open_lrs.core.db import Database
from open_lrs.core.settings import Settings


@pytest.fixture
def client(db: Database) -> Iterator[TestClient]:
    # No remembered keys by default, so that a revoked key fails at once (one test turns it on).
    settings = Settings(
        environment="test", database_url="sqlite://", log_format="json", api_key_cache_seconds=0
    )
    with TestClient(create_app(settings, database=db), raise_server_exceptions=False) as c:
        yield c


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
