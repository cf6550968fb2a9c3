"""Batch output in tests: a batch's rows and summary as the output file is written from them,
and the file read back."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, datetime

from open_lrs.batches.codes import EXISTING, NEW, NOT_FOUND, PENDING, POSSIBLE, REJECTED
from open_lrs.batches.columns import COLUMN_TO_FIELD
from open_lrs.batches.output import OutputRow, OutputSummary

SUMMARY = [
    "BatchId",
    "FileName",
    "Status",
    "SubmittedAt",
    "StartedAt",
    "FinishedAt",
    "TotalRows",
]
REGISTRATION_TOTALS = ["New", "Existing", "PossibleMatch", "NotFound", "Rejected", "Pending"]
ROW = ["Line", "ReturnCode", "ReturnMessage", "ResultULN", "CandidateULNs"]


SUBMITTED = datetime(2026, 3, 20, 9, 15, 30, 123456, tzinfo=UTC)
STARTED = datetime(2026, 3, 20, 9, 16, tzinfo=UTC)
FINISHED = datetime(2026, 3, 20, 9, 20, 5, tzinfo=UTC)


def fields(**cells: str | None) -> dict[str, str | None]:
    """A row's fields as the batch stores them: every column by field name."""
    values: dict[str, str | None] = dict.fromkeys(COLUMN_TO_FIELD.values(), "")
    values.update(cells)
    return values


def row(position: int, **over: object) -> OutputRow:
    base = OutputRow(
        position=position,
        line=position + 2,
        mis_identifier=f"MIS-{position:04d}",
        fields=fields(
            mis_identifier=f"MIS-{position:04d}",
            given_name="Siân",
            family_name="Llewellyn",
            date_of_birth="2008-05-01",
            gender="2",
        ),
        return_code="RC001",
        message=None,
        uln="1234567899",
        candidate_ulns=(),
    )
    return replace(base, **over)  # type: ignore[arg-type]


def summary(**over: object) -> OutputSummary:
    base = OutputSummary(
        batch_id=42,
        file_name="LRB_10000001_200320260915.CSV",
        status="complete",
        submitted_at=SUBMITTED,
        started_at=STARTED,
        finished_at=FINISHED,
        totals={NEW: 1, EXISTING: 2, POSSIBLE: 3, NOT_FOUND: 4, REJECTED: 5, PENDING: 6},
    )
    return replace(base, **over)  # type: ignore[arg-type]


def parse(text: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header, *lines = list(reader)
    return header, [dict(zip(header, cells, strict=True)) for cells in lines]
