"""The output file of a batch (domain.md §4). Pure: rows in, CSV text out.

It mirrors the input format so that a provider's tools read both the same way: one header
row, and the batch's summary carried by the first data row only, as the LRS portal file
carries FileVersion, FileName, UKPRN and LearnerRecordCount. Every input cell comes back
beside its answer, so the file can be matched to the provider's records without the input.

The file is opened in spreadsheets, and its cells include whatever uploaders typed, so every
cell that a spreadsheet would run as a formula is neutralised (OWASP's CSV injection advice).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from open_lrs.batches.codes import (
    EXISTING,
    NEW,
    NOT_FOUND,
    PENDING,
    POSSIBLE,
    REJECTED,
    VERIFICATION_CODES,
    describe,
)
from open_lrs.batches.columns import COLUMN_TO_FIELD, LEARNER_COLUMNS

NOT_PROCESSED = "Not processed yet"

SUMMARY_COLUMNS = (
    "BatchId",
    "FileName",
    "Status",
    "SubmittedAt",
    "StartedAt",
    "FinishedAt",
    "TotalRows",
)
# Output column -> key of OutputSummary.totals.
_REGISTRATION_TOTALS = {
    "New": NEW,
    "Existing": EXISTING,
    "PossibleMatch": POSSIBLE,
    "NotFound": NOT_FOUND,
    "Rejected": REJECTED,
    "Pending": PENDING,
}
# A verify batch counts each code; RC011 is the one answer a verify row can have besides them.
_VERIFICATION_TOTALS = {**{c: c for c in VERIFICATION_CODES}, "RC011": "RC011", "Pending": PENDING}
# ResultULN, not ULN: the input's own ULN column comes back under its own name.
ROW_COLUMNS = ("Line", "ReturnCode", "ReturnMessage", "ResultULN", "CandidateULNs")
OUTPUT_COLUMNS = (*SUMMARY_COLUMNS, *_REGISTRATION_TOTALS, *ROW_COLUMNS, *LEARNER_COLUMNS)
_VERIFY_FIELDS = {
    "GivenName": "given_name",
    "FamilyName": "family_name",
    "DateOfBirth": "date_of_birth",
    "Gender": "gender",
}
VERIFICATION_ROW_COLUMNS = (
    "Line",
    "MISIdentifier",
    "ULN",
    "FoundULN",
    "ResponseCode",
    "FailureFlags",
    "Message",
    *_VERIFY_FIELDS,
)
VERIFICATION_COLUMNS = (*SUMMARY_COLUMNS, *_VERIFICATION_TOTALS, *VERIFICATION_ROW_COLUMNS)

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class OutputRow:
    position: int
    line: int | None
    mis_identifier: str | None
    fields: Mapping[str, str | None]
    return_code: str | None
    message: str | None
    uln: str | None
    candidate_ulns: Sequence[str]
    flags: Sequence[str] = ()


@dataclass(frozen=True)
class OutputSummary:
    batch_id: int
    file_name: str | None
    status: str
    submitted_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    totals: Mapping[str, int]


def neutralise(cell: str) -> str:
    """A leading quote makes a spreadsheet show the cell as text instead of running it."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def _when(at: datetime | None) -> str:
    if at is None:
        return ""
    if at.tzinfo is None:
        # Guessing the zone of a naive time would shift it silently by an hour in summer.
        raise ValueError(f"{at.isoformat()} has no time zone")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _summary(summary: OutputSummary, rows: int, totals: Mapping[str, str]) -> dict[str, str]:
    return {
        "BatchId": str(summary.batch_id),
        "FileName": _text(summary.file_name),
        "Status": summary.status,
        "SubmittedAt": _when(summary.submitted_at),
        "StartedAt": _when(summary.started_at),
        "FinishedAt": _when(summary.finished_at),
        "TotalRows": str(rows),
        **{column: str(summary.totals.get(key, 0)) for column, key in totals.items()},
    }


def _message(row: OutputRow) -> str:
    if row.return_code is None:
        return NOT_PROCESSED
    return row.message if row.message is not None else describe(row.return_code).meaning


def _registration_cells(row: OutputRow) -> dict[str, str]:
    cells = {
        "Line": _text(row.line),
        "ReturnCode": _text(row.return_code),
        "ReturnMessage": _message(row),
        "ResultULN": _text(row.uln),
        "CandidateULNs": " ".join(row.candidate_ulns),
    }
    for column in LEARNER_COLUMNS:
        cells[column] = _text(row.fields.get(COLUMN_TO_FIELD[column]))
    if not cells["MISIdentifier"]:
        cells["MISIdentifier"] = _text(row.mis_identifier)
    return cells


def _verified(code: str | None) -> bool:
    """A verification code that found the learner (WSVRC001 to WSVRC004)."""
    found = VERIFICATION_CODES.get(code) if code is not None else None
    return found is not None and found.total == EXISTING


def _verification_cells(row: OutputRow) -> dict[str, str]:
    # The ULN as given, like the names beside it: the row answers about that claim; and the
    # ULN on the register it was found as (a merged ULN's master, for a linked match).
    given_uln = row.fields.get("uln") or row.uln
    return {
        "Line": _text(row.line),
        "MISIdentifier": _text(row.mis_identifier or row.fields.get("mis_identifier")),
        "ULN": _text(given_uln),
        "FoundULN": _text(row.uln if _verified(row.return_code) else None),
        "ResponseCode": _text(row.return_code),
        "FailureFlags": " ".join(row.flags),
        "Message": _message(row),
        **{column: _text(row.fields.get(field)) for column, field in _VERIFY_FIELDS.items()},
    }


def _write(
    header: Sequence[str],
    summary: dict[str, str],
    rows: Iterable[dict[str, str]],
) -> str:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(header)
    first: dict[str, str] | None = summary
    for cells in rows:
        line = {**(first or {}), **cells}
        writer.writerow([neutralise(line.get(column, "")) for column in header])
        first = None
    if first is not None:  # no rows: the summary still needs a line to be on
        writer.writerow([neutralise(first.get(column, "")) for column in header])
    return out.getvalue()


def _in_order(rows: Iterable[OutputRow]) -> list[OutputRow]:
    return sorted(rows, key=lambda r: r.position)


def write_output(rows: Iterable[OutputRow], summary: OutputSummary) -> str:
    """A registration batch's output: each input row with its return code and ULN."""
    ordered = _in_order(rows)
    return _write(
        OUTPUT_COLUMNS,
        _summary(summary, len(ordered), _REGISTRATION_TOTALS),
        (_registration_cells(r) for r in ordered),
    )


def verification_output(rows: Iterable[OutputRow], summary: OutputSummary) -> str:
    """A verify batch's output; ``summary.totals`` counts rows by response code, with
    ``pending`` for rows not answered yet."""
    ordered = _in_order(rows)
    return _write(
        VERIFICATION_COLUMNS,
        _summary(summary, len(ordered), _VERIFICATION_TOTALS),
        (_verification_cells(r) for r in ordered),
    )


def output_bytes(
    rows: Iterable[OutputRow], summary: OutputSummary, *, verification: bool = False
) -> bytes:
    """The file as served: UTF-8 with a byte-order mark, without which Excel reads it as the
    local code page and mangles accented names."""
    write = verification_output if verification else write_output
    return ("\ufeff" + write(rows, summary)).encode("utf-8")
