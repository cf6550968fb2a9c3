"""Reading an uploaded batch-registration file (domain.md §4). Pure: bytes in, rows out.

A file is refused as a whole only for what makes its rows untrustworthy: it is not CSV text,
its name or header is wrong, its counts disagree, or a spreadsheet has rewritten its dates or
ULNs. What is wrong with one learner (a missing name, a bad postcode) is that row's problem,
answered with a return code by the worker, so rows come out as the strings the file holds.

Every problem is reported at once, so that an uploader fixes the file in one go.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from open_lrs.batches.columns import COLUMNS, LEARNER_COLUMNS, LRS_PREFIX
from open_lrs.core.clock import utcnow
from open_lrs.core.errors import ValidationFailed
from open_lrs.core.files import decoding, spreadsheet
from open_lrs.core.files.decoding import Record, Unreadable
from open_lrs.core.files.problems import FileProblem, shown

MAX_ROWS = 5000
MAX_PROBLEMS = 200
LRS_NAME = "LRB_<UKPRN>_<DDMMYYYYHHMM>.CSV"
# Fields of a row that are not details of the learner to register.
_NOT_REGISTERED = frozenset({"uln", "mis_identifier"})
_DATE_COLUMNS = frozenset({"DateOfBirth", "DateOfAddressCapture"})
# Names a column is known by elsewhere (domain.md §2 spells it so).
_ALIASES = {"familynameatage16": "FamilyNameAt16"}


class BatchFileRejected(ValidationFailed):
    """The file cannot be processed as a whole. Messages may show cells of the uploader's own
    file back to them; they are for the uploader, never for logs."""

    code = "batch_file_rejected"
    title = "The batch file was rejected"

    def __init__(self, file_name: str, problems: Sequence[FileProblem], *, total: int) -> None:
        counted = "1 problem was" if total == 1 else f"{total:,} problems were"
        super().__init__(
            f"{file_name}: {counted} found, so no learner in the file was registered. "
            "Correct the file and upload it again.",
            errors=problems,
            extra={"file_name": file_name, "problem_count": total},
        )
        self.problems: tuple[FileProblem, ...] = tuple(problems)


@dataclass(frozen=True)
class BatchRow:
    line: int
    index: int
    mis_identifier: str
    values: dict[str, str]


@dataclass(frozen=True)
class ParsedBatch:
    format: Literal["lrs", "csv"]
    file_name: str
    ukprn: str
    file_version: str | None
    declared_count: int | None
    encoding: str
    rows: tuple[BatchRow, ...]
    sha256: str


def _cell(value: str) -> str | None:
    value = value.strip()
    return value or None


def registration_fields(row: BatchRow) -> dict[str, str | None]:
    """The row as keyword arguments of ``LearnerCreate``, blank cells as None."""
    return {k: _cell(v) for k, v in row.values.items() if k not in _NOT_REGISTERED}


def row_uln(row: BatchRow) -> str | None:
    return _cell(row.values["uln"])


class _Problems:
    """Problems come in line order, so only the first ``MAX_PROBLEMS`` with a line are kept:
    a file of a million bad cells costs a count, not a million objects."""

    def __init__(self) -> None:
        self.found: list[FileProblem] = []
        self.on_lines = 0

    def add(self, code: str, message: str, line: int | None = None, col: str | None = None) -> None:
        if line is not None:
            self.on_lines += 1
            if self.on_lines > MAX_PROBLEMS:
                return
        self.found.append(FileProblem(message, line=line, column=col, code=code))

    def unreadable(self, exc: Unreadable) -> None:
        self.add(exc.code, exc.message, exc.line)

    def reject(self, file_name: str) -> BatchFileRejected:
        ordered = sorted(self.found, key=lambda p: (p.line is not None, p.line or 0))
        total = len(ordered) + max(0, self.on_lines - MAX_PROBLEMS)
        kept = ordered[:MAX_PROBLEMS]
        if total > MAX_PROBLEMS:
            kept.append(
                FileProblem(f"and {total - MAX_PROBLEMS:,} more problems", code="more_problems")
            )
        return BatchFileRejected(file_name, kept, total=total)


# The file's name ----------------------------------------------------------------------------

_UKPRN = re.compile(r"[0-9]{8}")
_STAMP = re.compile(r"[0-9]{12}")


def _base_name(filename: str) -> str:
    # Some browsers send the whole client path ("C:\\fakepath\\...").
    return filename.replace("\\", "/").rsplit("/", 1)[-1].strip()


def _stamp_problem(stamp: str, now: datetime) -> str | None:
    if not _STAMP.fullmatch(stamp):
        return "must be 12 digits: DDMMYYYYHHMM"
    try:
        when = datetime.strptime(stamp, "%d%m%Y%H%M").replace(tzinfo=UTC)
    except ValueError:
        return "is not a real date and time (DDMMYYYYHHMM)"
    # A day's grace: the name is in the uploader's local time, and clocks drift.
    return "is in the future (DDMMYYYYHHMM: day first)" if when - timedelta(days=1) > now else None


def _check_lrs_name(name: str, ukprn: str, now: datetime, problems: _Problems) -> str | None:
    """The UKPRN the file's name gives, when it gives a well-formed one."""
    parts = name[len("LRB_") : -len(".csv")].split("_")
    if len(parts) != 2:
        problems.add("file_name", f"the file name {shown(name)} does not follow {LRS_NAME}")
        return None
    name_ukprn, stamp = parts
    if why := _stamp_problem(stamp, now):
        problems.add("file_name", f"the date and time in the file name, {shown(stamp)}, {why}")
    if not _UKPRN.fullmatch(name_ukprn):
        problems.add(
            "file_name", f"the UKPRN in the file name, {shown(name_ukprn)}, must be 8 digits"
        )
        return None
    if name_ukprn != ukprn:
        problems.add(
            "ukprn",
            f"the file name has UKPRN {name_ukprn}, but you are uploading for "
            f"UKPRN {ukprn}: name the file LRB_{ukprn}_<DDMMYYYYHHMM>.CSV",
        )
    return name_ukprn


# The header -------------------------------------------------------------------------------


def _header_problems(names: list[str], expected: tuple[str, ...]) -> list[tuple[str, str | None]]:
    """(message, column) for each way the header differs from ``expected``."""
    if tuple(names) == expected:
        return []
    if expected == LEARNER_COLUMNS and tuple(names[:4]) == LRS_PREFIX:
        return [
            (
                "the header starts with FileVersion, FileName, UKPRN, LearnerRecordCount, "
                f"which only the LRS portal format has: name the file {LRS_NAME} "
                "or remove those four columns",
                None,
            )
        ]
    if expected[:4] == LRS_PREFIX and tuple(names) == LEARNER_COLUMNS:
        return [
            (
                "the header has no FileVersion, FileName, UKPRN and LearnerRecordCount "
                f"columns, which a file named {LRS_NAME} must start with: add them, or give "
                "the file another name ending .csv to use the plain format",
                None,
            )
        ]
    return decoding.header_problems(names, expected, _ALIASES)


# The rows ---------------------------------------------------------------------------------


@dataclass
class _Reading:
    """What the rows say about the file, gathered while they are checked."""

    lrs: bool
    file_name: str
    ukprn: str
    name_ukprn: str | None
    problems: _Problems
    file_version: str | None = None
    declared_count: int | None = None


def _check_count_row(cells: list[str], line: int, total: int | None, r: _Reading) -> None:
    """The first learner row also describes the file; ``total`` is None if it was unreadable."""
    version, file_name, ukprn, count = (c.strip() for c in cells[:4])

    def add(column: str, message: str, code: str = "count_row") -> None:
        r.problems.add(code, message, line, column)

    r.file_version = version or None
    if not version:
        add("FileVersion", "FileVersion is empty; the first learner row gives the file's version")
    if file_name != r.file_name:
        add(
            "FileName",
            f"FileName is {shown(file_name) or 'empty'} but the file is named {r.file_name}",
        )
    if ukprn != r.ukprn:
        add(
            "UKPRN",
            f"UKPRN is {shown(ukprn) or 'empty'} but you are uploading for UKPRN {r.ukprn}",
            "ukprn",
        )
    elif r.name_ukprn is not None and ukprn != r.name_ukprn:
        add("UKPRN", f"UKPRN is {ukprn} but the file name has UKPRN {r.name_ukprn}", "ukprn")
    if not re.fullmatch(r"[0-9]{1,9}", count):
        add(
            "LearnerRecordCount",
            f"LearnerRecordCount must be the number of learner rows, not {shown(count) or 'empty'}",
        )
        return
    r.declared_count = int(count)
    if total is not None and r.declared_count != total:
        add(
            "LearnerRecordCount",
            f"LearnerRecordCount is {r.declared_count:,} but the file has {total:,} learner rows",
        )


def _check_cells(line: int, cells: list[str], problems: _Problems) -> None:
    for column, value in zip(COLUMNS, cells, strict=True):
        if (length := len(value.strip())) > column.max_length:
            limit = f"{column.max_length:,}{' (ours)' if column.ours else ''}"
            problems.add(
                "too_long",
                f"the cell is {length:,} characters long; the limit is {limit}",
                line,
                column.name,
            )
        elif column.name in _DATE_COLUMNS and (why := spreadsheet.reformatted_date(value)):
            problems.add("reformatted_date", why, line, column.name)
        elif column.name == "ULN" and (why := spreadsheet.reformatted_uln(value)):
            problems.add("reformatted_uln", why, line, column.name)


def _row(record: Record, index: int, width: int, total: int | None, r: _Reading) -> BatchRow | None:
    cells, line = record.cells, record.line
    columns = len(COLUMNS) + (len(LRS_PREFIX) if r.lrs else 0)
    if not columns <= len(cells) <= width:
        r.problems.add(
            "cell_count",
            f"the row has {len(cells)} cells, but the header has {columns} columns",
            line,
        )
        return None
    if any(c.strip() for c in cells[columns:]):
        r.problems.add(
            "cell_count",
            f"the row has a value in cell {columns + 1}, after the last column (Notes)",
            line,
        )
        return None
    if r.lrs and index == 0:
        _check_count_row(cells, line, total, r)
    elif r.lrs and (filled := [n for n, c in zip(LRS_PREFIX, cells, strict=False) if c.strip()]):
        r.problems.add(
            "count_row", f"{', '.join(filled)} must be empty after the first learner row", line
        )
    learner = cells[columns - len(COLUMNS) : columns]
    _check_cells(line, learner, r.problems)
    values = {c.field: v for c, v in zip(COLUMNS, learner, strict=True)}
    return BatchRow(line, index, values["mis_identifier"].strip(), values)


def _rows(text: str, r: _Reading, max_rows: int) -> tuple[BatchRow, ...]:
    expected = (*LRS_PREFIX, *LEARNER_COLUMNS) if r.lrs else LEARNER_COLUMNS
    header: Record | None = None
    learners: list[Record] = []
    count, broken = 0, None
    try:
        for record in decoding.records(text):
            if header is None:
                header = record
                names = [c.strip() for c in record.cells]
                while names and not names[-1]:
                    names.pop()
                for message, column in (wrong := _header_problems(names, expected)):
                    r.problems.add("header", message, record.line, column)
                if wrong:
                    return ()  # the rows cannot be read against a wrong header
            elif (count := count + 1) <= max_rows:
                learners.append(record)
    except Unreadable as exc:
        broken = exc
    if count > max_rows:
        r.problems.add(
            "too_many_rows", f"the file has {count:,} learner rows; the limit is {max_rows:,}"
        )
        return ()
    if header is not None and not learners and broken is None:
        r.problems.add("no_rows", "the file has a header row but no learner rows")
    elif header is None and broken is None:
        r.problems.add("empty_file", "the file is empty: it holds no values")
    width = max(len(header.cells) if header else 0, len(expected))
    total = count if broken is None else None
    rows = [_row(rec, i, width, total, r) for i, rec in enumerate(learners)]
    if broken is not None:  # after the rows before it, to keep problems in line order
        r.problems.unreadable(broken)
    return tuple(row for row in rows if row is not None)


def parse_batch(
    data: bytes,
    *,
    filename: str,
    ukprn: str,
    max_rows: int = MAX_ROWS,
    now: datetime | None = None,
) -> ParsedBatch:
    """Read and check an uploaded batch file for organisation ``ukprn``.

    Raises ``BatchFileRejected`` with every problem found (up to ``MAX_PROBLEMS``) when the
    file cannot be processed as a whole; problems of single learners are left to the worker.
    ``now`` (aware; the current time by default) only bounds the time in a portal file's name.
    """
    name = _base_name(filename)
    problems = _Problems()
    if not name.lower().endswith(".csv"):
        problems.add(
            "file_name",
            f"the file must be a .csv file named {LRS_NAME} or any "
            f".csv, not {shown(name) or 'unnamed'}",
        )
        raise problems.reject(name)
    lrs = name.upper().startswith("LRB_")
    now = (now or utcnow()).astimezone(UTC)
    name_ukprn = _check_lrs_name(name, ukprn, now, problems) if lrs else None
    try:
        decoded = decoding.decode(data)
    except Unreadable as exc:
        problems.unreadable(exc)
        raise problems.reject(name) from None
    reading = _Reading(lrs, name, ukprn, name_ukprn, problems)
    rows = _rows(decoded.text, reading, max_rows)
    if problems.found:
        raise problems.reject(name)
    return ParsedBatch(
        format="lrs" if lrs else "csv",
        file_name=name,
        ukprn=ukprn,
        file_version=reading.file_version,
        declared_count=reading.declared_count,
        encoding=decoded.encoding,
        rows=rows,
        sha256=hashlib.sha256(data).hexdigest(),
    )
