"""Bulk import of an existing register from CSV, fast enough for millions of learners.

Every row goes through the same schema as ``POST /api/v1/learners``; good rows are inserted
with Core bulk inserts (never one ORM object per row) in one transaction, so an import either
loads every good row or, if the file as a whole is refused or anything fails, nothing at all.

Identities are not de-duplicated: an existing register's ULNs are all in use by someone, so
two ULNs for one person are both loaded and later merged (``lrs learners merge``).
"""

from __future__ import annotations

import csv
import time
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from pydantic import ValidationError
from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError

from open_lrs.audit import service as audit
from open_lrs.audit.models import AuditEvent
from open_lrs.core import bulk
from open_lrs.core.clock import utcnow
from open_lrs.core.db import UnitOfWork
from open_lrs.core.errors import FieldError, ValidationFailed, field_errors
from open_lrs.core.security import Actor
from open_lrs.learners import repository as repo
from open_lrs.learners.matching_store import STORE
from open_lrs.learners.models import ACTIVE, PERSONAL_FIELDS, Learner, LearnerHistory
from open_lrs.learners.schemas import LearnerCreate
from open_lrs.learners.uln import generate_uln, uln_error
from open_lrs.matching import store as match_store
from open_lrs.matching.models import LearnerMatchKey
from open_lrs.organisations.permissions import Action, require

COLUMNS = ("uln", *PERSONAL_FIELDS)
REQUIRED_COLUMNS = ("given_name", "family_name", "date_of_birth", "gender", "postcode")
SYSTEM_COLUMNS = ("status", "linked_ulns", "version", "created_at", "updated_at")
MAX_REPORTED_ERRORS = 100_000
_QUERY_CHUNK = 900
_ISSUE_ATTEMPTS = 20


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    loaded: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    elapsed_seconds: float = 0.0

    def reject(self, line: int, errors: Iterable[FieldError]) -> None:
        self.rejected += 1
        for e in errors:
            if len(self.errors) < MAX_REPORTED_ERRORS:
                self.errors.append(RowError(line, e.field, e.message))


@dataclass(frozen=True)
class _Row:
    line: int
    uln: str | None
    values: dict[str, Any]


def _check_header(header: list[str]) -> list[str]:
    names = [h.strip().lstrip("\ufeff") for h in header]
    problems: list[FieldError] = []
    for i, name in enumerate(names):
        if name in SYSTEM_COLUMNS:
            problems.append(
                FieldError(name, "is set by the register and cannot be imported; remove it")
            )
        elif name not in COLUMNS:
            problems.append(
                FieldError(
                    name or f"column {i + 1}",
                    "is not a recognised column (use uln and the field names of "
                    "GET /api/v1/learners/{uln})",
                )
            )
        elif name in names[:i]:
            problems.append(FieldError(name, "appears twice in the header"))
    problems += [
        FieldError(name, "column is required") for name in REQUIRED_COLUMNS if name not in names
    ]
    if problems:
        raise ValidationFailed(
            "The file's header row is not right, so nothing was imported.", errors=problems
        )
    return names


def _counting_lines(source: TextIO, progress: Callable[[int], None] | None) -> Iterator[str]:
    done = 0
    for n, line in enumerate(source, start=1):
        done += len(line.encode("utf-8"))
        if progress is not None and n % 10_000 == 0:
            progress(done)
        yield line
    if progress is not None:
        progress(done)


def _file_ulns(source: TextIO, column: int) -> array[int]:
    """Every valid ULN the file carries, sorted, so issued ULNs can avoid later rows' ULNs."""
    found = array("q")
    reader = csv.reader(source)
    try:
        for row in reader:
            if column < len(row) and uln_error(value := row[column].strip()) is None:
                found.append(int(value))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise _unreadable(reader.line_num + 2, exc) from exc
    return array("q", sorted(found))


def _unreadable(line: int, exc: Exception) -> ValidationFailed:
    return ValidationFailed(
        f"Line {line} cannot be read ({exc}); the file must be UTF-8 CSV. Nothing was imported."
    )


def _in_sorted(values: array[int], uln: str) -> bool:
    target = int(uln)
    i = bisect_left(values, target)
    return i < len(values) and values[i] == target


def _existing(conn: Connection, ulns: Sequence[str]) -> set[str]:
    taken: set[str] = set()
    for i in range(0, len(ulns), _QUERY_CHUNK):
        part = ulns[i : i + _QUERY_CHUNK]
        taken.update(conn.scalars(select(Learner.uln).where(Learner.uln.in_(part))))
    return taken


class _Loader:
    """Inserts validated rows a chunk at a time inside the import's one transaction."""

    def __init__(self, conn: Connection, actor: Actor, source_name: str, file_ulns: array[int]):
        self.conn = conn
        self.actor = actor
        self.reason = f"bulk import from {source_name}"
        self.file_ulns = file_ulns
        self.analysed_at = 0

    def _issue(self, rows: list[_Row], used: set[str]) -> dict[int, str]:
        issued: dict[int, str] = {}
        todo = [r.line for r in rows if r.uln is None]
        for _ in range(_ISSUE_ATTEMPTS):
            for line in todo:
                uln = generate_uln()
                while uln in used or _in_sorted(self.file_ulns, uln):
                    uln = generate_uln()
                used.add(uln)
                issued[line] = uln
            taken = _existing(self.conn, [issued[line] for line in todo])
            todo = [line for line in todo if issued[line] in taken]
            if not todo:
                return issued
        raise RuntimeError("could not find free ULNs: the register is (nearly) full")

    def load(self, rows: list[_Row], report: ImportReport) -> None:
        carried = [r.uln for r in rows if r.uln is not None]
        taken = _existing(self.conn, carried)
        seen: set[str] = set()
        keep: list[_Row] = []
        for r in rows:
            if r.uln is not None and (r.uln in taken or r.uln in seen):
                report.reject(
                    r.line,
                    [FieldError("uln", f"{r.uln} already belongs to another learner")],
                )
                continue
            if r.uln is not None:
                seen.add(r.uln)
            keep.append(r)
        for attempt in range(_ISSUE_ATTEMPTS):
            issued = self._issue(keep, set(seen))
            try:
                with self.conn.begin_nested():
                    self._insert(keep, issued)
            except IntegrityError:
                # A ULN was issued by a concurrent registration between check and insert.
                if attempt + 1 == _ISSUE_ATTEMPTS:
                    raise
                continue
            report.loaded += len(keep)
            if report.loaded >= 2 * self.analysed_at + len(keep):
                bulk.refresh_statistics(self.conn, Learner)
                bulk.refresh_statistics(self.conn, LearnerMatchKey)
                self.analysed_at = report.loaded
            return

    def _insert(self, rows: list[_Row], issued: dict[int, str]) -> None:
        if not rows:
            return
        ids = bulk.insert_returning_ids(
            self.conn,
            Learner,
            [{**r.values, "uln": r.uln or issued[r.line]} for r in rows],
        )
        match_store.index_records(
            self.conn,
            (match_store.values_record(i, r.values) for i, r in zip(ids, rows, strict=True)),
        )
        now = utcnow()
        a = self.actor
        bulk.insert_many(
            self.conn,
            LearnerHistory,
            [
                {
                    "learner_id": learner_id,
                    "version": 1,
                    "action": "imported",
                    "changed_at": now,
                    "organisation_id": a.organisation_id,
                    "api_key_id": a.api_key_id,
                    "user_id": a.user_id,
                    "user_label": a.user_label,
                    "changes": {
                        k: {"old": None, "new": repo.json_value(v)}
                        for k, v in r.values.items()
                        if k in PERSONAL_FIELDS and v is not None
                    },
                    "reason": self.reason,
                }
                for learner_id, r in zip(ids, rows, strict=True)
            ],
        )
        bulk.insert_many(
            self.conn,
            AuditEvent,
            audit.event_rows(a, Action.LEARNER_IMPORT, outcome="WSRC0005", learner_ids=ids),
        )


def _validate(
    line: int, names: list[str], cells: list[str], actor: Actor, report: ImportReport
) -> _Row | None:
    if len(cells) != len(names):
        report.reject(
            line,
            [FieldError("row", f"has {len(cells)} cells but the header has {len(names)}")],
        )
        return None
    given = {n: v for n, v in zip(names, cells, strict=True) if v.strip()}
    uln = given.pop("uln", "").strip() or None
    errors: list[FieldError] = []
    if uln is not None and (problem := uln_error(uln)):
        errors.append(FieldError("uln", problem))
    try:
        data = LearnerCreate.model_validate(given)
    except ValidationError as exc:
        errors += field_errors(exc.errors())
    if errors:
        report.reject(line, errors)
        return None
    fields = data.model_dump()
    now = utcnow()
    return _Row(
        line,
        uln,
        {
            **fields,
            **repo.name_keys(data.given_name, data.family_name),
            "status": ACTIVE,
            "version": 1,
            "registered_by_organisation_id": actor.organisation_id,
            "created_at": now,
            "updated_at": now,
        },
    )


def _read_header(source: TextIO) -> list[str]:
    """The header's column names, checked against the ones this import reads."""
    try:
        header = next(csv.reader([source.readline()]), None)
    except UnicodeDecodeError as exc:
        raise _unreadable(1, exc) from exc
    if not header:
        raise ValidationFailed("The file is empty: it needs a header row and learner rows.")
    return _check_header(header)


def import_learners(
    uow: UnitOfWork,
    actor: Actor,
    source: TextIO,
    *,
    source_name: str,
    chunk_size: int = 5000,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import learners from CSV text; ``source`` must be seekable (it is read twice).

    ``progress`` is called with the number of bytes read so far.
    """
    require(actor, Action.LEARNER_IMPORT)
    started = time.perf_counter()
    report = ImportReport()
    names = _read_header(source)
    file_ulns = _file_ulns(source, names.index("uln")) if "uln" in names else array("q")
    source.seek(0)
    source.readline()
    with uow:
        conn = uow.session.connection()
        loader = _Loader(conn, actor, source_name, file_ulns)
        reader = csv.reader(_counting_lines(source, progress))
        pending: list[_Row] = []
        try:
            for cells in reader:
                if not any(c.strip() for c in cells):
                    continue
                report.rows += 1
                row = _validate(reader.line_num + 1, names, cells, actor, report)
                if row is not None:
                    pending.append(row)
                if len(pending) >= chunk_size:
                    loader.load(pending, report)
                    pending = []
        except (UnicodeDecodeError, csv.Error) as exc:
            raise _unreadable(reader.line_num + 2, exc) from exc
        loader.load(pending, report)
        STORE.refresh_frequencies(conn)
        for model in (Learner, LearnerMatchKey):  # the planner sees the loaded rows at once
            bulk.refresh_statistics(conn, model)
        audit.record(
            uow.session,
            actor,
            Action.LEARNER_IMPORT,
            outcome="completed",
            details={
                "source": source_name,
                "rows": report.rows,
                "loaded": report.loaded,
                "rejected": report.rejected,
            },
        )
        uow.commit()
    report.elapsed_seconds = time.perf_counter() - started
    return report
