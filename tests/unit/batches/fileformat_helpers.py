"""Batch-registration files to read in tests: learners by column, the two formats, and the
problems a refused file names."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from open_lrs.batches.columns import LEARNER_COLUMNS, LRS_PREFIX
from open_lrs.batches.fileformat import BatchFileRejected, ParsedBatch, parse_batch
from open_lrs.core.files.problems import FileProblem

UKPRN = "10000001"
OTHER_UKPRN = "10000002"
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
LRS_NAME = "LRB_10000001_150320261030.CSV"
PLAIN_NAME = "spring-intake.csv"

SIAN = {
    "ULN": "1234567899",
    "MISIdentifier": "MIS-0001",
    "Title": "Ms",
    "GivenName": "Siân",
    "PreferredGivenName": "Sia",
    "MiddleOtherName": "Mair",
    "FamilyName": "Ó Súilleabháin",
    "PreviousFamilyName": "Jones",
    "FamilyNameAt16": "Jones",
    "SchoolAtAge16": "Ysgol Gyfun",
    "LastKnownAddressLine1": "1 High Street",
    "LastKnownAddressLine2": "Flat 2",
    "LastKnownAddressTown": "Cardiff",
    "LastKnownAddressCountyorCity": "South Glamorgan",
    "LastKnownPostCode": "CF10 1AA",
    "DateOfAddressCapture": "2025-09-01",
    "DateOfBirth": "2006-03-15",
    "PlaceOfBirth": "Swansea",
    "EmailAddress": "sian@example.ac.uk",
    "Gender": "2",
    "Nationality": "GBR",
    "ScottishCandidateNumber": "123456789",
    "AbilityToShare": "1",
    "VerificationType": "999",
    "OtherVerificationDescription": "College ID card",
    "Notes": "Joined in spring",
}


def learner(**changes: str) -> dict[str, str]:
    """A learner by column name; every column not given is empty except the required ones."""
    base = {c: "" for c in LEARNER_COLUMNS}
    base |= {
        "MISIdentifier": "MIS-1",
        "GivenName": "Ann",
        "FamilyName": "Lee",
        "DateOfBirth": "2006-03-15",
        "Gender": "2",
        "LastKnownPostCode": "SW1A 1AA",
    }
    return base | changes


def csv_text(rows: Sequence[Sequence[str]], newline: str) -> str:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator=newline).writerows(rows)
    return out.getvalue()


def lrs_file(
    learners: Sequence[dict[str, str]],
    *,
    count: str | None = None,
    file_name: str = LRS_NAME,
    ukprn: str = UKPRN,
    version: str = "1",
    newline: str = "\r\n",
    encoding: str = "utf-8",
) -> bytes:
    rows: list[list[str]] = [[*LRS_PREFIX, *LEARNER_COLUMNS]]
    for i, values in enumerate(learners):
        prefix = [version, file_name, ukprn, count or str(len(learners))] if i == 0 else [""] * 4
        rows.append([*prefix, *(values[c] for c in LEARNER_COLUMNS)])
    return csv_text(rows, newline).encode(encoding)


def plain_file(
    learners: Sequence[dict[str, str]],
    *,
    header: Sequence[str] = LEARNER_COLUMNS,
    newline: str = "\r\n",
    encoding: str = "utf-8",
) -> bytes:
    rows = [list(header), *([values[c] for c in LEARNER_COLUMNS] for values in learners)]
    return csv_text(rows, newline).encode(encoding)


def parse(data: bytes, filename: str = LRS_NAME, **options: int) -> ParsedBatch:
    return parse_batch(data, filename=filename, ukprn=UKPRN, now=NOW, **options)


def problems(data: bytes, filename: str = LRS_NAME, **options: int) -> list[FileProblem]:
    with pytest.raises(BatchFileRejected) as caught:
        parse(data, filename, **options)
    return list(caught.value.problems)


def only_problem(data: bytes, filename: str = LRS_NAME) -> FileProblem:
    found = problems(data, filename)
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


def where(problem: FileProblem) -> tuple[int | None, str | None, str]:
    return problem.line, problem.column, problem.message
