"""School results (NPD style): UPNs, exam series, and the split between file and record."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from open_lrs.feeds.csv_rows import MAX_ROWS
from open_lrs.feeds.school_format import (
    COLUMNS,
    award_of,
    read_school_csv,
    upn,
    upn_check_letter,
)
from open_lrs.feeds.types import Award, FeedFile, FeedRejected, LearnerIdentity, RecordProblem

TODAY = date(2025, 8, 28)
# B801200005001 is the example of python-stdnum's gb.upn; P207000016049 was worked by hand:
# 2*2 + 4*7 + 9*1 + 10*6 + 12*4 + 13*9 = 266 = 11*23 + 13, and 13 is P (I and O are skipped).
UPN = "B801200005001"
OTHER_UPN = "P207000016049"

ZOE = {
    "UPN": UPN,
    "ULN": "5000000012",
    "GivenName": "Zoë",
    "FamilyName": "Nguyễn",
    "DateOfBirth": "2009-04-30",
    "Gender": "2",
    "Postcode": "sw1a1aa",
    "SchoolURN": "100001",
    "SchoolUKPRN": "10012345",
    "QualificationType": "GCSE",
    "SubjectCode": "60146181",
    "SubjectTitle": "GCSE Mathematics",
    "Grade": "9",
    "ExamSeries": "2025-06",
    "AwardDate": "2025-08-21",
    "Status": "F",
}
TOM = {
    "UPN": OTHER_UPN,
    "GivenName": "Tom",
    "FamilyName": "Brown",
    "DateOfBirth": "2007-01-02",
    "Gender": "M",
    "SchoolURN": "123456",
    "QualificationType": "GCE_A",
    "SubjectCode": "50079116",
    "Grade": "A*",
    "ExamSeries": "2025-06",
    "AwardDate": "2025-08-14",
    "Status": "P",
}

SERIES_FORM = "must be the year and month of the series as YYYY-MM, such as 2025-06 for June 2025"

EXPECTED_ZOE = Award(
    record_key=f"{UPN}/GCSE/60146181/2025-06",
    line=2,
    learner=LearnerIdentity(
        uln="5000000012",
        given_name="Zoë",
        family_name="Nguyễn",
        date_of_birth=date(2009, 4, 30),
        gender="2",
        postcode="SW1A 1AA",
    ),
    subject_code="60146181",
    status="F",
    grade="9",
    award_date=date(2025, 8, 21),
    provider_ukprn="10012345",
    qualification_type="GCSE",
    subject_title="GCSE Mathematics",
)


def row(base: Mapping[str, str] = ZOE, /, **cells: str) -> dict[str, str]:
    return {**base, **cells}


def csv_file(
    rows: Sequence[Mapping[str, str]],
    *,
    columns: Sequence[str] = COLUMNS.names,
    encoding: str = "utf-8",
) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([r.get(c, "") for c in columns] for r in rows)
    return out.getvalue().encode(encoding)


def read(data: bytes) -> FeedFile:
    return read_school_csv(data, today=TODAY)


def rejected(data: bytes) -> list[tuple[int | None, str, str, str]]:
    with pytest.raises(FeedRejected) as caught:
        read(data)
    return [(p.line, p.field, p.message, p.code) for p in caught.value.problems]


# The UPN -----------------------------------------------------------------------------------


def test_check_letters() -> None:
    assert upn_check_letter("801200005001") == "B"
    assert upn_check_letter("207000016049") == "P"
    # Remainder 0 is A; a 2 in position 11 weighs 22, the last remainder, which is Z.
    assert upn_check_letter("000000000000") == "A"
    assert upn_check_letter("000000000200") == "Z"


@pytest.mark.parametrize("digits", ["80120000500", "80120000500A", "８01200005001"])
def test_a_check_letter_needs_twelve_digits(digits: str) -> None:
    with pytest.raises(ValueError, match=r"^a UPN has 12 digits after its check letter$"):
        upn_check_letter(digits)


def test_a_upn_is_upper_cased() -> None:
    assert upn("b801200005001") == UPN


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("A801200005001", "check letter is wrong"),
        ("B801200005010", "check letter is wrong"),
        ("B80120000500", "must be 13 characters: a check letter then 12 digits"),
        ("8801200005001", "must be 13 characters: a check letter then 12 digits"),
        ("B8012000050011", "must be 13 characters: a check letter then 12 digits"),
        (
            "B80120000500A",
            "is a temporary UPN (it ends with a letter): give the pupil's permanent UPN",
        ),
    ],
)
def test_bad_upns(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        upn(value)
    [problem] = read(csv_file([row(UPN=value)])).problems
    assert (problem.line, problem.field, problem.message) == (2, "UPN", message)


# Good files ----------------------------------------------------------------------------------


def test_a_full_record_becomes_an_award_with_every_field() -> None:
    assert read(csv_file([ZOE])) == FeedFile(
        "NPD", [EXPECTED_ZOE], [], details={"encoding": "utf-8"}
    )


def test_utf8_with_a_byte_order_mark() -> None:
    feed = read(b"\xef\xbb\xbf" + csv_file([ZOE]))
    assert feed.awards == [EXPECTED_ZOE]
    assert feed.details == {"encoding": "utf-8-sig"}


def test_windows_1252_keeps_accented_names() -> None:
    feed = read(csv_file([row(FamilyName="Ní Bhriain", GivenName="Zoë")], encoding="cp1252"))
    assert feed.details == {"encoding": "cp1252"}
    learner = feed.awards[0].learner
    assert (learner.given_name, learner.family_name) == ("Zoë", "Ní Bhriain")


def test_optional_columns_may_be_left_out_and_the_order_is_free() -> None:
    columns = [c for c in reversed(COLUMNS.names) if c in COLUMNS.required]
    [award] = read(csv_file([TOM], columns=columns)).awards
    assert award == Award(
        record_key=f"{OTHER_UPN}/GCE_A/50079116/2025-06",
        line=2,
        learner=LearnerIdentity(None, "Tom", "Brown", date(2007, 1, 2), "1"),
        subject_code="50079116",
        status="P",
        grade="A*",
        award_date=date(2025, 8, 14),
        qualification_type="GCE_A",
    )


def test_a_post_appeal_final_shares_the_key_and_a_resit_does_not() -> None:
    provisional = row(TOM, Status="P", Grade="B")
    final = row(TOM, Status="F", Grade="A", AwardDate="2025-08-27")
    resit = row(TOM, ExamSeries="2025-11", Status="P", Grade="A", AwardDate="2026-01-15")
    feed = read_school_csv(csv_file([provisional, final, resit]), today=date(2026, 1, 20))
    assert [(a.line, a.record_key, a.status, a.grade) for a in feed.awards] == [
        (2, f"{OTHER_UPN}/GCE_A/50079116/2025-06", "P", "B"),
        (3, f"{OTHER_UPN}/GCE_A/50079116/2025-06", "F", "A"),
        (4, f"{OTHER_UPN}/GCE_A/50079116/2025-11", "P", "A"),
    ]


def test_the_temporary_uln_is_kept_for_matching_by_details() -> None:
    [award] = read(csv_file([row(ULN="9999999999")])).awards
    assert award.learner.uln == "9999999999"


@pytest.mark.parametrize(
    ("qualification_type", "grade"), [("GCSE", "U"), ("gce_as", "e"), ("GCE_A", "Not a grade")]
)
def test_any_grade_is_taken_whatever_the_type(qualification_type: str, grade: str) -> None:
    [award] = read(csv_file([row(QualificationType=qualification_type, Grade=grade)])).awards
    assert (award.qualification_type, award.grade) == (qualification_type.upper(), grade)


def test_a_line_break_inside_a_quoted_title_keeps_later_line_numbers_right() -> None:
    feed = read(csv_file([row(SubjectTitle="GCSE\nMathematics"), TOM]))
    assert feed.awards[0].subject_title == "GCSE Mathematics"
    assert [a.line for a in feed.awards] == [2, 4]


# Problems of one record ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("ULN", "1234567890", "check digit is wrong"),
        ("GivenName", "", "is required"),
        ("DateOfBirth", "", "is required"),
        (
            "Gender",
            "",
            "is required",
        ),
        (
            "Postcode",
            "NOT A PC",
            "must be a UK postcode such as SW1A 1AA, BFPO 1234 or ZZ99 9ZZ for unknown",
        ),
        ("SchoolURN", "12345", "must be the school's URN: 6 digits"),
        ("SchoolUKPRN", "1001234X", "must be a UKPRN: 8 digits"),
        ("QualificationType", "BTEC", "must be one of GCSE, GCE_A, GCE_AS"),
        (
            "SubjectCode",
            "K/501/5773",
            "must be a learning aim reference: 8 letters or digits, such as 50079116",
        ),
        ("Grade", "", "is required"),
        ("Grade", "A" * 21, "must be at most 20 characters"),
        ("ExamSeries", "2025/06", SERIES_FORM),
        ("ExamSeries", "Summer 2025", SERIES_FORM),
        (
            "ExamSeries",
            "2025-13",
            f"{SERIES_FORM}; 13 is not a month",
        ),
        ("ExamSeries", "2025-09", "is in the future"),
        ("AwardDate", "2025-08-29", "must not be in the future"),
        ("AwardDate", "2025-05-31", "is before the exam series, 2025-06"),
        ("Status", "final", "must be P (provisional) or F (final)"),
    ],
)
def test_a_bad_value_costs_only_its_record(column: str, value: str, message: str) -> None:
    feed = read(csv_file([TOM, row(**{column: value}), TOM]))
    assert [a.line for a in feed.awards] == [2, 4]
    assert [(p.line, p.field, p.message) for p in feed.problems] == [(3, column, message)]


@pytest.mark.parametrize(
    ("value", "meant"), [("Jun-25", "2025-06"), ("June 2025", "2025-06"), ("11/2024", "2024-11")]
)
def test_an_exam_series_a_spreadsheet_rewrote_suggests_what_it_meant(
    value: str, meant: str
) -> None:
    [problem] = read(csv_file([row(ExamSeries=value)])).problems
    assert (problem.line, problem.field, problem.code) == (2, "ExamSeries", "reformatted_date")
    assert problem.message == (
        f"{SERIES_FORM}; {value} looks like a spreadsheet's rewriting of {meant} "
        "\u2014 save the column as text"
    )


def test_a_date_of_birth_a_spreadsheet_rewrote() -> None:
    [problem] = read(csv_file([row(DateOfBirth="30/04/2009")])).problems
    assert (problem.field, problem.code) == ("DateOfBirth", "reformatted_date")
    assert problem.message.endswith("save dates as text in the form 2009-04-30")


def test_every_problem_of_a_record_is_reported() -> None:
    data = csv_file([row(UPN="A801200005001", ULN="123456789", ExamSeries="2025-6")])
    problems = read(data).problems
    assert [(p.line, p.field, p.code) for p in problems] == [
        (2, "UPN", "invalid"),
        (2, "ULN", "reformatted_uln"),
        (2, "ExamSeries", "invalid"),
    ]


# Files refused as a whole ------------------------------------------------------------------


def test_an_empty_file() -> None:
    assert rejected(b"") == [(None, "file", "the file is empty", "empty_file")]


def test_a_header_without_rows() -> None:
    assert rejected(csv_file([])) == [(1, "file", "the file has a header but no rows", "no_rows")]


def test_an_unknown_and_a_missing_column() -> None:
    columns = [c if c != "ExamSeries" else "Series" for c in COLUMNS.names]
    assert rejected(csv_file([ZOE], columns=columns)) == [
        (1, "Series", 'unexpected column "Series" (position 14)', "header"),
        (1, "ExamSeries", "missing column ExamSeries", "header"),
    ]


def test_more_rows_than_the_limit() -> None:
    assert rejected(csv_file([TOM] * (MAX_ROWS + 1))) == [
        (
            None,
            "file",
            f"the file has {MAX_ROWS + 1:,} rows after the header; the limit is {MAX_ROWS:,}",
            "too_many_rows",
        )
    ]


def test_nul_bytes() -> None:
    [(line, field, message, code)] = rejected(b"\x00" + csv_file([TOM]))
    assert (line, field, code) == (1, "file", "binary")
    assert message.startswith("the file contains NUL bytes")


# Records from elsewhere --------------------------------------------------------------------


def test_award_of_a_mapping_is_the_award_of_the_same_csv_row() -> None:
    assert award_of(ZOE, line=None, today=TODAY) == replace(EXPECTED_ZOE, line=None)


def test_award_of_reports_missing_required_fields_in_column_order() -> None:
    assert award_of({"ULN": None}, line=5, today=TODAY) == [
        RecordProblem(5, column, "is required", "required")
        for column in COLUMNS.names
        if column in COLUMNS.required
    ]


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(COLUMNS.names), st.text(max_size=20)))
def test_award_of_never_raises_on_any_text(item: dict[str, str]) -> None:
    result = award_of(item, line=1, today=TODAY)
    if isinstance(result, Award):
        assert result.record_key.startswith(f"{item['UPN'].strip().upper()}/")
    else:
        assert all(p.field in COLUMNS.names for p in result)
