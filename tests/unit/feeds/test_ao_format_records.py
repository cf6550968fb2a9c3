"""Awarding organisations' loads: what a good record gives, and what costs only its record."""

from __future__ import annotations

from datetime import date

import pytest

from open_lrs.feeds.ao_format import COLUMNS
from open_lrs.feeds.csv_rows import MAX_ROWS
from open_lrs.feeds.types import Award, FeedFile, LearnerIdentity
from tests.unit.feeds.ao_helpers import (
    AO,
    EXPECTED_SIAN,
    SIAN,
    UNIT,
    csv_file,
    problems_of,
    read,
    row,
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
