"""School results, NPD style: GCSE, A level and AS level (domain.md §6). Pure.

Pupils are known by their UPN; many have no ULN yet, so their results are filed by matching
the names, date of birth and gender they come with, and those are required. The grade is only
required to be there: which grades a qualification type has is checked when the award is
loaded (``records.grades``), against the catalogue.

``read_school_csv`` reads a file and ``award_of`` one record, so that any other way results
arrive meets the same rules. docs/feeds.md is the page for the people who make the files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Final

from open_lrs.core.files.problems import shown
from open_lrs.feeds import csv_rows
from open_lrs.feeds.csv_rows import Columns, Fields, Values
from open_lrs.feeds.types import Award, FeedFile, LearnerIdentity, RecordProblem
from open_lrs.learners import rules

SOURCE: Final = "NPD"
QUALIFICATION_TYPES = ("GCSE", "GCE_A", "GCE_AS")

COLUMNS = Columns(
    names=(
        "UPN",
        "ULN",
        "GivenName",
        "FamilyName",
        "DateOfBirth",
        "Gender",
        "Postcode",
        "SchoolURN",
        "SchoolUKPRN",
        "QualificationType",
        "SubjectCode",
        "SubjectTitle",
        "Grade",
        "ExamSeries",
        "AwardDate",
        "Status",
    ),
    required=frozenset(
        {
            "UPN",
            "GivenName",
            "FamilyName",
            "DateOfBirth",
            "Gender",
            "SchoolURN",
            "QualificationType",
            "SubjectCode",
            "Grade",
            "ExamSeries",
            "AwardDate",
            "Status",
        }
    ),
)


def record_key(upn: str, qualification_type: str, subject_code: str, exam_series: str) -> str:
    """A resit in a later series is another achievement; a final result (after an appeal,
    say) in the same series supersedes the provisional one when it is loaded."""
    return f"{upn}/{qualification_type}/{subject_code}/{exam_series}"


# The Unique Pupil Number ---------------------------------------------------------------------

# Check letters for remainders 0-22 (UK Government Data Standards Catalogue, Unique Pupil
# Number 2.0): I, O and S are never used, being too like 1, 0 and 5.
_UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_UPN = re.compile(r"[A-Z][0-9]{12}")
_TEMPORARY_UPN = re.compile(r"[A-Z][0-9]{11}[A-Z]")


def upn_check_letter(digits: str) -> str:
    """The check letter of a UPN's 12 digits: each weighted by its position in the UPN (2 to
    13), the sum taken modulo 23."""
    if len(digits) != 12 or not digits.isascii() or not digits.isdigit():
        raise ValueError("a UPN has 12 digits after its check letter")
    return _UPN_LETTERS[sum(int(d) * w for w, d in enumerate(digits, start=2)) % 23]


def upn(value: str) -> str:
    """A permanent UPN, upper case. A temporary UPN (ending in a letter) is refused: results
    stay with a pupil for life, and a temporary number is replaced once the pupil's permanent
    one is known, which would leave the results under a number nobody looks for."""
    value = value.upper()
    if _TEMPORARY_UPN.fullmatch(value):
        raise ValueError(
            "is a temporary UPN (it ends with a letter): give the pupil's permanent UPN"
        )
    if not _UPN.fullmatch(value):
        raise ValueError("must be 13 characters: a check letter then 12 digits")
    if upn_check_letter(value[1:]) != value[0]:
        raise ValueError("check letter is wrong")
    return value


# The exam series ---------------------------------------------------------------------------

_SERIES = re.compile(r"([0-9]{4})-([0-9]{2})")
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
# What a spreadsheet makes of "2025-06": June 2025 shown as "Jun-25", "Jun 2025" or "06/2025".
_NAMED = re.compile(r"([A-Za-z]{3,9})[\- ]([0-9]{2}|[0-9]{4})")
_NUMBERED = re.compile(r"([0-9]{1,2})/([0-9]{4})")
_SERIES_FORM = "must be the year and month of the series as YYYY-MM, such as 2025-06 for June 2025"


@dataclass(frozen=True)
class Series:
    year: int
    month: int

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)


def _spreadsheet_series(value: str) -> str | None:
    """The series a spreadsheet's rewriting of ``value`` stood for, or None."""
    if named := _NAMED.fullmatch(value):
        month = named.group(1)[:3].upper()
        year = named.group(2)
        if month in _MONTHS:
            return f"{year if len(year) == 4 else '20' + year}-{_MONTHS.index(month) + 1:02d}"
    if (numbered := _NUMBERED.fullmatch(value)) and 1 <= int(numbered.group(1)) <= 12:
        return f"{numbered.group(2)}-{int(numbered.group(1)):02d}"
    return None


def exam_series(value: str, *, today: date) -> Series:
    """The series (year and month) the exams were sat in, which tells a resit from a result."""
    if not (match := _SERIES.fullmatch(value)):
        if meant := _spreadsheet_series(value):
            raise csv_rows.Refused(
                f"{_SERIES_FORM}; {shown(value)} looks like a spreadsheet's rewriting of "
                f"{meant} \u2014 save the column as text",
                "reformatted_date",
            )
        raise ValueError(_SERIES_FORM)
    series = Series(int(match.group(1)), int(match.group(2)))
    if not 1 <= series.month <= 12:
        raise ValueError(f"{_SERIES_FORM}; {series.month:02d} is not a month")
    if series.first_day > today:
        raise ValueError("is in the future")
    return series


# Records -------------------------------------------------------------------------------------


def _qualification_type(value: str) -> str:
    value = value.upper()
    if value not in QUALIFICATION_TYPES:
        raise ValueError(f"must be one of {', '.join(QUALIFICATION_TYPES)}")
    return value


def _urn(value: str) -> str:
    if not re.fullmatch(r"[0-9]{6}", value):
        raise ValueError("must be the school's URN: 6 digits")
    return value


def _award_date(f: Fields, series: Series | None, today: date) -> date | None:
    """Results come out after the exams are sat, so a date before the series is a mistake."""
    awarded = f.date("AwardDate", today=today)
    if awarded and series and awarded < series.first_day:
        f.problem("AwardDate", f"is before the exam series, {series}")
    return awarded


def award_of(values: Values, *, line: int | None, today: date) -> Award | list[RecordProblem]:
    """One record (a CSV row, or an item of any other path results arrive by) as an award, or
    every problem it has. ``today`` bounds the dates and the series."""
    f = Fields(values, line=line, columns=COLUMNS)
    pupil = f.checked("UPN", upn)
    learner = LearnerIdentity(
        uln=f.checked("ULN", csv_rows.uln_or_temporary),
        given_name=f.checked("GivenName", rules.name),
        family_name=f.checked("FamilyName", rules.name),
        date_of_birth=f.date("DateOfBirth", today=today),
        gender=f.checked("Gender", csv_rows.gender),
        postcode=f.checked("Postcode", rules.postcode),
    )
    f.checked("SchoolURN", _urn)  # checked, not kept: an Award has no field for it
    school_ukprn = f.checked("SchoolUKPRN", csv_rows.ukprn)
    qualification_type = f.checked("QualificationType", _qualification_type)
    subject_code = f.checked("SubjectCode", csv_rows.aim_reference)
    title = f.checked("SubjectTitle", csv_rows.title)
    grade = f.checked("Grade", csv_rows.grade)
    series = f.checked("ExamSeries", lambda v: exam_series(v, today=today))
    award_date = _award_date(f, series, today)
    status = f.checked("Status", csv_rows.status)
    if f.problems:
        return f.problems
    # Required, so a blank one is among the problems.
    assert pupil is not None
    assert qualification_type is not None
    assert subject_code is not None
    assert series is not None
    assert status is not None
    return Award(
        record_key=record_key(pupil, qualification_type, subject_code, str(series)),
        line=line,
        learner=learner,
        subject_code=subject_code,
        status=status,
        grade=grade,
        award_date=award_date,
        provider_ukprn=school_ukprn,
        qualification_type=qualification_type,
        subject_title=title,
    )


def read_school_csv(data: bytes, *, today: date) -> FeedFile:
    """A file of school results: every award it holds, and a problem for each record that is
    not one. Raises ``FeedRejected`` when the file as a whole cannot be read."""
    awards, problems, encoding = csv_rows.read_awards(
        data, COLUMNS, lambda values, line: award_of(values, line=line, today=today)
    )
    return FeedFile(SOURCE, awards, problems, details={"encoding": encoding})
