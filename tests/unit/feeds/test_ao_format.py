"""Awarding organisations' loads: what is refused as a whole, and what costs only its record."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from open_lrs.feeds.ao_format import COLUMNS, award_of, read_ao_csv
from open_lrs.feeds.csv_rows import MAX_ROWS
from open_lrs.feeds.types import Award, FeedFile, FeedRejected, LearnerIdentity, RecordProblem

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


# Good files ----------------------------------------------------------------------------------


def test_a_full_record_becomes_an_award_with_every_field() -> None:
    feed = read(csv_file([SIAN]))
    assert feed == FeedFile("AO", [EXPECTED_SIAN], [], ukprn=AO, details={"encoding": "utf-8"})


def test_utf8_with_a_byte_order_mark() -> None:
    feed = read(b"\xef\xbb\xbf" + csv_file([SIAN]))
    assert feed.awards == [EXPECTED_SIAN]
    assert feed.details == {"encoding": "utf-8-sig"}


def test_windows_1252_keeps_accented_names() -> None:
    feed = read(csv_file([row(FamilyName="Ó Súilleabháin-Müller")], encoding="cp1252"))
    assert feed.details == {"encoding": "cp1252"}
    assert feed.awards[0].learner.given_name == "Siân"
    assert feed.awards[0].learner.family_name == "Ó Súilleabháin-Müller"


def test_columns_in_any_order_and_optional_ones_left_out() -> None:
    columns = ["Status", "AwardDate", "SubjectCode", "FamilyName", "GivenName", "ULN"]
    feed = read(csv_file([UNIT], columns=columns))
    assert feed.problems == []
    assert feed.awards == [
        Award(
            record_key="2000000001/K/501/5773",
            line=2,
            learner=LearnerIdentity("2000000001", "Amir", "Khan", None),
            subject_code="K/501/5773",
            status="F",
            award_date=date(2025, 7, 1),
            awarding_organisation_ukprn=AO,
        )
    ]


def test_provisional_then_final_results_share_a_key_in_file_order() -> None:
    feed = read(csv_file([row(Status="P", Grade="DDM"), row(Status="f", Grade="DDD")]))
    assert [(a.line, a.record_key, a.status, a.grade) for a in feed.awards] == [
        (2, "1234567899/50079116", "P", "DDM"),
        (3, "1234567899/50079116", "F", "DDD"),
    ]


def test_values_are_trimmed_and_codes_upper_cased() -> None:
    feed = read(csv_file([row(UNIT, SubjectCode=" k/501/5773 ", GivenName="  Amir ", Gender="m")]))
    award = feed.awards[0]
    assert award.record_key == "2000000001/K/501/5773"
    assert award.learner.given_name == "Amir"
    assert award.learner.gender == "1"


@pytest.mark.parametrize("code", ["0", "1", "2", "9"])
def test_lrs_gender_codes_are_kept(code: str) -> None:
    assert read(csv_file([row(Gender=code)])).awards[0].learner.gender == code


def test_a_unit_needs_no_grade() -> None:
    feed = read(csv_file([row(UNIT, Grade="")]))
    assert feed.awards[0].grade is None
    assert feed.problems == []


def test_a_line_break_inside_a_quoted_title_is_a_space_and_later_lines_keep_their_numbers() -> None:
    feed = read(csv_file([row(SubjectTitle="Engineering\r\n(Extended)"), row(UNIT)]))
    assert feed.awards[0].subject_title == "Engineering (Extended)"
    assert [a.line for a in feed.awards] == [2, 4]


def test_blank_lines_and_trailing_empty_cells_are_ignored() -> None:
    data = csv_file([UNIT], columns=[*COLUMNS.names, ""]) + b",,,,,,,,,,,,,,,\r\n\r\n"
    feed = read(data)
    assert [a.line for a in feed.awards] == [2]
    assert feed.problems == []


def test_exactly_the_row_limit_is_accepted() -> None:
    feed = read(csv_file([UNIT] * MAX_ROWS))
    assert len(feed.awards) == MAX_ROWS
    assert feed.awards[-1].line == MAX_ROWS + 1


# Problems of one record ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("ULN", "1234567890", "check digit is wrong"),
        ("ULN", "0123456789", "must not start with 0"),
        ("ULN", "12345678", "must be exactly 10 digits"),
        (
            "ULN",
            "9999999999",
            "9999999999 is the temporary ULN for a learner without one, not a learner's ULN",
        ),
        ("GivenName", "", "is required"),
        (
            "FamilyName",
            "Sm1th",
            "must contain only letters, spaces, hyphens and apostrophes, not '1'",
        ),
        ("DateOfBirth", "2006-02-30", "2006-02-30 is not a real date"),
        ("DateOfBirth", "March 2006", "must be a date in the form YYYY-MM-DD"),
        (
            "Gender",
            "X",
            "must be an LRS gender code: 0 not known, 1 male, 2 female, 9 not specified (or M, F)",
        ),
        ("SubjectCode", "", "is required"),
        (
            "SubjectCode",
            "5007911",
            "must be a learning aim reference (8 letters or digits, such as 50079116) "
            "or a unit reference (a letter, 3 digits and 4 digits, such as K/501/5773)",
        ),
        ("Grade", "", "is required for a qualification; only a unit may have none"),
        ("Grade", "Distinction with honours", "must be at most 20 characters"),
        ("Credits", "-1", "must be a whole number of credits from 0 to 999"),
        ("Credits", "12.5", "must be a whole number of credits from 0 to 999"),
        ("Level", "X", "LARS level X means the level is not known"),
        ("AwardDate", "", "is required"),
        ("AwardDate", "2025-08-21", "must not be in the future"),
        ("Status", "", "is required"),
        ("Status", "X", "must be P (provisional) or F (final)"),
        ("ProviderUKPRN", "1000000", "must be a UKPRN: 8 digits"),
        (
            "LanguageForAssessment",
            "Welsh\x07",
            "must not contain control characters or line breaks",
        ),
    ],
)
def test_a_bad_value_costs_only_its_record(column: str, value: str, message: str) -> None:
    feed = read(csv_file([UNIT, row(**{column: value}), UNIT]))
    assert [a.line for a in feed.awards] == [2, 4]
    assert [(p.line, p.field, p.message) for p in feed.problems] == [(3, column, message)]


def test_a_nine_digit_uln_is_named_as_spreadsheet_damage() -> None:
    [problem] = read(csv_file([row(ULN="234567899")])).problems
    assert (problem.line, problem.field, problem.code) == (2, "ULN", "reformatted_uln")
    assert problem.message.startswith("234567899 has 9 digits, not 10; a spreadsheet may have")


def test_a_date_a_spreadsheet_rewrote_suggests_the_iso_form() -> None:
    [problem] = read(csv_file([row(AwardDate="15/03/2006")])).problems
    assert (problem.line, problem.field, problem.code) == (2, "AwardDate", "reformatted_date")
    assert problem.message == (
        "15/03/2006 is not YYYY-MM-DD; a spreadsheet may have reformatted the dates "
        "\u2014 save dates as text in the form 2006-03-15"
    )


def test_every_problem_of_a_record_is_reported_in_column_order() -> None:
    data = csv_file([row(ULN="1234567890", AwardDate="2030-01-01", Status="Q", Grade="")])
    assert problems_of(data) == [
        (2, "ULN", "check digit is wrong"),
        (2, "Grade", "is required for a qualification; only a unit may have none"),
        (2, "AwardDate", "must not be in the future"),
        (2, "Status", "must be P (provisional) or F (final)"),
    ]


def test_a_row_with_too_few_cells() -> None:
    data = csv_file([UNIT]) + b"2000000001,Amir\r\n"
    assert problems_of(data) == [(3, "row", "the row has 2 cells, but the header has 14 columns")]
    assert len(read(data).awards) == 1


def test_a_value_after_the_last_column() -> None:
    data = csv_file([UNIT]).replace(b"\r\n", b",stray\r\n").replace(b",stray", b"", 1)
    assert problems_of(data) == [
        (2, "row", "the row has a value in cell 15, after the last column (LanguageForAssessment)")
    ]


# Files refused as a whole ------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"  \r\n\r\n"])
def test_an_empty_file(data: bytes) -> None:
    assert rejected(data) == [(None, "file", "the file is empty", "empty_file")]


def test_a_file_of_only_empty_cells() -> None:
    assert rejected(b",,,\r\n,,\r\n") == [
        (None, "file", "the file is empty: it holds no values", "empty_file")
    ]


def test_a_header_without_rows() -> None:
    assert rejected(csv_file([])) == [(1, "file", "the file has a header but no rows", "no_rows")]


def test_an_unknown_column() -> None:
    data = csv_file([UNIT], columns=[*COLUMNS.names, "Centre"])
    assert rejected(data) == [(1, "Centre", 'unexpected column "Centre" (position 15)', "header")]


def test_a_missing_required_column() -> None:
    columns = [c for c in COLUMNS.names if c != "Status"]
    assert rejected(csv_file([UNIT], columns=columns)) == [
        (1, "Status", "missing column Status", "header")
    ]


def test_a_misnamed_and_a_doubled_column() -> None:
    columns = ["uln", "GivenName", "FamilyName", "SubjectCode", "AwardDate", "Status", "Status"]
    assert rejected(csv_file([UNIT], columns=columns)) == [
        (1, "ULN", '"uln" should be "ULN": column names are case-sensitive', "header"),
        (1, "Status", "column Status appears twice (positions 6 and 7)", "header"),
    ]


def test_a_file_without_a_header() -> None:
    data = b"1234567899,Sian,Jones,50079116,Pass,2025-08-14,F\r\n"
    assert rejected(data) == [
        (
            1,
            "header",
            "the first line must be the header naming the columns (ULN, GivenName, FamilyName, "
            "SubjectCode, AwardDate, Status), but it names none of them",
            "header",
        )
    ]


def test_more_rows_than_the_limit() -> None:
    assert rejected(csv_file([UNIT] * (MAX_ROWS + 1))) == [
        (
            None,
            "file",
            f"the file has {MAX_ROWS + 1:,} rows after the header; the limit is {MAX_ROWS:,}",
            "too_many_rows",
        )
    ]


def test_nul_bytes() -> None:
    [(line, field, message, code)] = rejected(csv_file([UNIT]) + b"2000000001,\x00\x00\r\n")
    assert (line, field, code) == (3, "file", "binary")
    assert message.startswith("the file contains NUL bytes")


def test_a_spreadsheet_workbook() -> None:
    [(_, field, message, code)] = rejected(b"PK\x03\x04rest-of-a-zip")
    assert (field, code) == ("file", "binary")
    assert "spreadsheet workbook (.xlsx)" in message


def test_a_quote_that_never_closes() -> None:
    data = csv_file([UNIT]) + b'2000000001,"Amir,Khan,K/501/5773\r\n' + csv_file([UNIT])
    [(line, field, message, code)] = rejected(data)
    assert (line, field, code) == (3, "file", "csv_syntax")
    assert "closing quote is missing" in message


# The JSON path -------------------------------------------------------------------------------


def test_award_of_a_json_item_is_the_award_of_the_same_csv_row() -> None:
    award = award_of(SIAN, line=None, awarding_organisation_ukprn=AO, today=TODAY)
    assert award == replace(EXPECTED_SIAN, line=None)


def test_award_of_treats_absent_and_null_fields_as_blank() -> None:
    item: dict[str, str | None] = {**UNIT, "Grade": None, "Credits": None}
    award = award_of(item, line=7, awarding_organisation_ukprn=AO, today=TODAY)
    assert isinstance(award, Award)
    assert (award.line, award.grade, award.credits) == (7, None, None)


def test_award_of_reports_missing_required_fields() -> None:
    problems = award_of({}, line=0, awarding_organisation_ukprn=AO, today=TODAY)
    assert problems == [
        RecordProblem(0, column, "is required", "required")
        for column in ("ULN", "GivenName", "FamilyName", "SubjectCode", "AwardDate", "Status")
    ]


def test_award_of_refuses_unknown_fields_and_values_that_are_not_strings() -> None:
    item = {**UNIT, "uln": "2000000001", "Credits": 12}
    problems = award_of(item, line=3, awarding_organisation_ukprn=AO, today=TODAY)  # type: ignore[arg-type]
    assert problems == [
        RecordProblem(3, "uln", "is not a recognised field", "unknown_field"),
        RecordProblem(3, "Credits", "must be a string", "type"),
    ]


@pytest.mark.parametrize("ukprn", ["1000000", "ABCDEFGH", ""])
def test_a_bad_caller_ukprn_is_a_programming_error(ukprn: str) -> None:
    with pytest.raises(ValueError, match="awarding_organisation_ukprn"):
        award_of(UNIT, line=None, awarding_organisation_ukprn=ukprn, today=TODAY)
    with pytest.raises(ValueError, match="awarding_organisation_ukprn"):
        read_ao_csv(csv_file([UNIT]), awarding_organisation_ukprn=ukprn, today=TODAY)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(COLUMNS.names), st.text(max_size=30)))
def test_award_of_never_raises_on_any_text(item: dict[str, str]) -> None:
    result = award_of(item, line=1, awarding_organisation_ukprn=AO, today=TODAY)
    if isinstance(result, Award):
        assert result.record_key == f"{result.learner.uln}/{result.subject_code}"
    else:
        assert result
        assert all(p.field in COLUMNS.names for p in result)
