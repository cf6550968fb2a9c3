"""Bulk inserts for loads of millions of rows: COPY on PostgreSQL, batched INSERT elsewhere.

SQLAlchemy's multi-row INSERT is fast on SQLite, but on PostgreSQL the driver re-parses each
huge statement client-side; COPY is the tool PostgreSQL offers for bulk loads and runs several
times faster. Both paths run inside the caller's transaction and never commit.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any, TypeVar, cast

from sqlalchemy import JSON, Connection, Table, func, insert, select, text
from sqlalchemy.orm import DeclarativeBase

T = TypeVar("T")
# Below this many rows a plain INSERT (psycopg pipelines executemany into one round trip)
# beats setting up a COPY: a registration's half-dozen match keys, a chunk's audit rows.
COPY_FROM_ROWS = 200


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``items`` in lists of ``size`` (the last may be shorter): bounded IN lists and batches."""
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _is_postgresql(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def _copy(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    columns = list(rows[0])
    json_columns = {c for c in columns if isinstance(table.c[c].type, JSON)}
    quoted = ", ".join(conn.dialect.identifier_preparer.quote(c) for c in columns)
    raw: Any = conn.connection.dbapi_connection
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY {table.name} ({quoted}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(
                [
                    json.dumps(row[c]) if c in json_columns and row[c] is not None else row[c]
                    for c in columns
                ]
            )


def _table(model: type[DeclarativeBase]) -> Table:
    return cast(Table, model.__table__)


def insert_returning_ids(
    conn: Connection, model: type[DeclarativeBase], rows: Sequence[Mapping[str, Any]]
) -> list[int]:
    """Insert ``rows`` (all with the same keys) and return their new ids, in order."""
    table = _table(model)
    if not rows:
        return []
    if _is_postgresql(conn):
        ids = list(
            conn.scalars(
                text(
                    "SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"
                ),
                {"t": table.name, "n": len(rows)},
            )
        )
        _copy(conn, table, [{**row, "id": i} for row, i in zip(rows, ids, strict=True)])
        return ids
    # SQLite: our transaction began IMMEDIATE and holds the only write lock, so the ids after
    # the current largest are ours; executemany without RETURNING keeps it one statement.
    top = conn.scalar(select(func.coalesce(func.max(table.c.id), 0)))
    ids = list(range(int(top or 0) + 1, int(top or 0) + 1 + len(rows)))
    conn.execute(insert(table), [{**row, "id": i} for row, i in zip(rows, ids, strict=True)])
    return ids


def insert_many(
    conn: Connection, model: type[DeclarativeBase], rows: Sequence[Mapping[str, Any]]
) -> None:
    """Insert ``rows`` (all with the same keys), without returning anything."""
    table = _table(model)
    if not rows:
        return
    if _is_postgresql(conn) and len(rows) >= COPY_FROM_ROWS:
        _copy(conn, table, rows)
    else:
        conn.execute(insert(table), list(rows))


def refresh_statistics(conn: Connection, model: type[DeclarativeBase]) -> None:
    """Let PostgreSQL's planner see rows this transaction has loaded so far.

    Autovacuum cannot see uncommitted rows, so without this a long load plans look-ups as if
    the table were still small and scans it whole each time: quadratic. ``ANALYZE`` inside the
    transaction samples our own new rows. SQLite's planner needs nothing.
    """
    if _is_postgresql(conn):
        conn.execute(text(f"ANALYZE {_table(model).name}"))
