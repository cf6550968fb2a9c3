"""Dropping a throw-away PostgreSQL database waits for a busy autovacuum worker, then gives up."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, cast

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from open_lrs.core.db import drop_database


class Server:
    """An admin engine whose DROP fails ``busy`` times (autovacuum still on the database)."""

    def __init__(self, busy: int) -> None:
        self.busy = busy
        self.statements: list[str] = []

    @contextmanager
    def connect(self) -> Any:
        yield self

    def execute(self, statement: Any) -> None:
        self.statements.append(str(statement))
        if len(self.statements) <= self.busy:
            raise DBAPIError("DROP DATABASE", {}, Exception("must be a member of the role"))


def test_it_waits_for_the_database_to_be_free() -> None:
    server = Server(busy=2)
    drop_database(cast(Engine, server), "lrs_fresh_1", pause=0)
    assert server.statements == ['DROP DATABASE IF EXISTS "lrs_fresh_1" WITH (FORCE)'] * 3


def test_it_raises_the_last_error_when_the_database_stays_busy() -> None:
    server = Server(busy=5)
    with pytest.raises(DBAPIError, match="must be a member"):
        drop_database(cast(Engine, server), "lrs_fresh_2", attempts=4, pause=0)
    assert len(server.statements) == 4
