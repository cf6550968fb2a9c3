"""The service refuses an SQLite without the JSON functions a search needs, saying so."""

import sqlite3

import pytest

from open_lrs.core.sqlite.connections import check_sqlite_json


class _CursorOfAnSQLiteWithoutJson:
    def execute(self, sql: str) -> None:
        raise sqlite3.OperationalError("no such table: json_each")


def test_an_sqlite_without_json_functions_is_refused_with_what_is_needed() -> None:
    with pytest.raises(RuntimeError, match=r"no JSON functions .* or PostgreSQL"):
        check_sqlite_json(_CursorOfAnSQLiteWithoutJson())


def test_this_pythons_sqlite_has_them() -> None:
    connection = sqlite3.connect(":memory:")
    check_sqlite_json(connection.cursor())
    connection.close()
