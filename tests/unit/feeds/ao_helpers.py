"""Awarding organisations' loads in tests: a full record and a unit, the CSV file of some rows,
and what reading it gives."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import date

import pytest

from open_lrs.feeds.ao_format import COLUMNS, read_ao_csv
from open_lrs.feeds.types import Award, FeedFile, FeedRejected, LearnerIdentity

TODAY = date(2025, 8, 20)
AO = "10000001"

SIAN = {
    "ULN": "1234567899",
    "GivenName": "Siân",
    "FamilyName": "Ó Súilleabháin",
    "DateOfBirth": "2006-03-15",
    "Gender": "F",
    "SubjectCode": "50079116",
    "SubjectTitle": "BTEC Level 3 National Extended Diploma in Engineering",
    "Grade": "D*D*D",
    "Credits": "180",
    "Level": "Level 3",
    "AwardDate": "2025-08-14",
    "Status": "P",
    "ProviderUKPRN": "10000002",
    "LanguageForAssessment": "Welsh",
}
UNIT = {
    "ULN": "2000000001",
    "GivenName": "Amir",
    "FamilyName": "Khan",
    "SubjectCode": "K/501/5773",
    "AwardDate": "2025-07-01",
    "Status": "F",
}


def row(base: Mapping[str, str] = SIAN, /, **cells: str) -> dict[str, str]:
    return {**base, **cells}


def csv_file(
    rows: Sequence[Mapping[str, str]],
    *,
    columns: Sequence[str] = COLUMNS.names,
    encoding: str = "utf-8",
) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([r.get(c, "") for c in columns] for r in rows)
    return out.getvalue().encode(encoding)


def read(data: bytes) -> FeedFile:
    return read_ao_csv(data, awarding_organisation_ukprn=AO, today=TODAY)


def rejected(data: bytes) -> list[tuple[int | None, str, str, str]]:
    with pytest.raises(FeedRejected) as caught:
        read(data)
    assert "found with the file as a whole" in caught.value.message
    return [(p.line, p.field, p.message, p.code) for p in caught.value.problems]


def problems_of(data: bytes) -> list[tuple[int | None, str, str]]:
    return [(p.line, p.field, p.message) for p in read(data).problems]


EXPECTED_SIAN = Award(
    record_key="1234567899/50079116",
    line=2,
    learner=LearnerIdentity(
        uln="1234567899",
        given_name="Siân",
        family_name="Ó Súilleabháin",
        date_of_birth=date(2006, 3, 15),
        gender="2",
    ),
    subject_code="50079116",
    status="P",
    grade="D*D*D",
    award_date=date(2025, 8, 14),
    provider_ukprn="10000002",
    awarding_organisation_ukprn=AO,
    credits=180,
    level="3",
    subject_title="BTEC Level 3 National Extended Diploma in Engineering",
    language="Welsh",
)
