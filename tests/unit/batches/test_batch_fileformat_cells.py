"""Batch-registration files broken row by row: malformed CSV, cells a spreadsheet damaged, and
the problems of one learner that are left to the worker."""

from __future__ import annotations

import csv

import pytest

from open_lrs.batches.columns import COLUMN_TO_FIELD
from open_lrs.core.files import decoding
from tests.unit.batches.fileformat_helpers import (
    PLAIN_NAME,
    learner,
    lrs_file,
    only_problem,
    parse,
    plain_file,
    problems,
    where,
)

# Malformed CSV ----------------------------------------------------------------------------


def test_truncated_row() -> None:
    data = lrs_file([learner(), learner()])
    lines = data.split(b"\r\n")
    lines[2] = lines[2].rsplit(b",", 1)[0]
    problem = only_problem(b"\r\n".join(lines))
    assert where(problem) == (3, None, "the row has 29 cells, but the header has 30 columns")


def test_extra_cells() -> None:
    lines = plain_file([learner(), learner(), learner()]).split(b"\r\n")
    lines[2] += b",extra"
    lines[3] += b",,"
    assert [where(p) for p in problems(b"\r\n".join(lines), PLAIN_NAME)] == [
        (3, None, "the row has 27 cells, but the header has 26 columns"),
        (4, None, "the row has 28 cells, but the header has 26 columns"),
    ]


def test_a_value_beyond_the_last_column_under_an_empty_header_cell() -> None:
    text = plain_file([learner()]).decode()
    header, row = text.splitlines()
    problem = only_problem(f"{header},\r\n{row},oops\r\n".encode(), PLAIN_NAME)
    assert where(problem) == (
        2,
        None,
        "the row has a value in cell 27, after the last column (Notes)",
    )


def test_unterminated_quote_names_the_line_where_the_cell_starts() -> None:
    good = lrs_file([learner(), learner(), learner(), learner()]).decode().split("\r\n")
    good[3] = good[3].replace("MIS-1", '"MIS-1', 1)
    found = problems("\r\n".join(good).encode())
    assert [(p.line, p.code) for p in found] == [(4, "csv_syntax")]
    assert found[0].message.startswith(
        "a quoted cell starts on this line but its closing quote is missing"
    )


def test_unterminated_quote_after_a_good_quoted_cell_on_the_same_row() -> None:
    data = lrs_file([learner(), learner(Title="Dr, PhD", Notes="QQQ")]).replace(b"QQQ", b'"x')
    assert only_problem(data).line == 3


def test_an_unknown_csv_error_is_still_a_line_that_cannot_be_read() -> None:
    problem = decoding._csv_error("a\n", csv.Error("something new"), 1, 1)
    assert (problem.line, problem.code, problem.message) == (
        1,
        "csv_syntax",
        "the line cannot be read as CSV (something new)",
    )


def test_rows_before_a_broken_line_are_still_checked_but_not_counted() -> None:
    rows = [learner(DateOfBirth="15/03/2006"), learner(), learner()]
    lines = lrs_file(rows, count="9").decode().split("\r\n")
    lines[3] = lines[3].replace("MIS-1", '"MIS-1', 1)
    assert [(p.line, p.column, p.code) for p in problems("\r\n".join(lines).encode())] == [
        (2, "DateOfBirth", "reformatted_date"),
        (4, None, "csv_syntax"),
    ]


def test_unterminated_quote_swallowing_a_long_file_is_still_named() -> None:
    rows = [learner(Notes="n" * 3000) for _ in range(60)]
    text = lrs_file(rows).decode().split("\r\n")
    text[2] = text[2] + ',"'
    found = problems("\r\n".join(text).encode())
    assert (found[-1].line, found[-1].code) == (3, "csv_syntax")


def test_text_after_a_closing_quote() -> None:
    text = plain_file([learner(), learner(GivenName="Ann")]).decode()
    text = text.replace(",Ann,", ',"Ann"x,').replace(',"Ann"x,', ",Ann,", 1)
    problem = only_problem(text.encode(), PLAIN_NAME)
    assert (problem.line, problem.code) == (3, "csv_syntax")
    assert problem.message.startswith("a closing quote must be followed by a comma")


@pytest.mark.parametrize(
    ("column", "length", "limit"),
    [
        ("Notes", 10_000, "4,000"),
        ("GivenName", 10_000, "35"),
        ("LastKnownPostCode", 10, "9"),
        ("MISIdentifier", 51, "50 (ours)"),
        ("DateOfBirth", 10_000, "50 (ours)"),
        ("Nationality", 7, "3"),
    ],
)
def test_cell_longer_than_its_column_allows(column: str, length: int, limit: str) -> None:
    data = lrs_file([learner(), learner(**{column: "x" * length})])
    assert where(only_problem(data)) == (
        3,
        column,
        f"the cell is {length:,} characters long; the limit is {limit}",
    )


def test_cell_at_its_limit_is_fine_and_spaces_around_do_not_count() -> None:
    parse(lrs_file([learner(Notes=" " + "x" * 4000 + " ", GivenName="A" * 35)]))


def test_cell_beyond_the_csv_module_limit_leaves_that_limit_alone() -> None:
    before = csv.field_size_limit()
    data = lrs_file([learner(), learner(Notes="x" * (before + 10))])
    problem = only_problem(data)
    assert where(problem) == (
        3,
        None,
        f"a cell is longer than {before:,} characters, far beyond the limit of any column",
    )
    assert csv.field_size_limit() == before


def test_too_many_rows_is_one_problem() -> None:
    data = lrs_file([learner()] * 5001)
    assert where(only_problem(data)) == (
        None,
        None,
        "the file has 5,001 learner rows; the limit is 5,000",
    )
    assert len(parse(lrs_file([learner()] * 5000)).rows) == 5000


def test_row_limit_is_the_callers() -> None:
    found = problems(lrs_file([learner()] * 3), max_rows=2)
    assert [p.message for p in found] == ["the file has 3 learner rows; the limit is 2"]


# Spreadsheet damage -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "form"),
    [
        ("15/03/2006", "2006-03-15"),
        ("3/15/2006", "2006-03-15"),
        ("15-03-2006", "2006-03-15"),
        ("15.03.2006", "2006-03-15"),
        ("2006/03/15", "2006-03-15"),
        ("2006-3-15", "2006-03-15"),
        ("38791", "2006-03-15"),
        ("38791.0", "2006-03-15"),
        ("2006-03-15 00:00:00", "2006-03-15"),
        ("15/03/2006 00:00", "2006-03-15"),
        ("15-Mar-2006", "2006-03-15"),
        ("15 March 2006", "2006-03-15"),
        ("15-Mar-06", "YYYY-MM-DD"),
        ("07/07/2006", "2006-07-07"),
        ("03/04/2006", "YYYY-MM-DD (03/04/2006 could be 2006-04-03 or 2006-03-04)"),
        ("15/03/06", "YYYY-MM-DD"),
        ("31/02/2006", "YYYY-MM-DD"),
    ],
)
def test_dates_a_spreadsheet_reformatted(value: str, form: str) -> None:
    data = lrs_file([learner(), learner(DateOfBirth=value)])
    assert where(only_problem(data)) == (
        3,
        "DateOfBirth",
        f"{value} is not YYYY-MM-DD; a spreadsheet may have reformatted the dates \u2014 "
        f"save dates as text in the form {form}",
    )


def test_a_reformatted_date_reads_as_one_sentence() -> None:
    rows = [learner()] * 10 + [learner(DateOfBirth="15/03/2006")]
    assert str(only_problem(lrs_file(rows))) == (
        "line 12, column DateOfBirth: 15/03/2006 is not YYYY-MM-DD; a spreadsheet may have "
        "reformatted the dates \u2014 save dates as text in the form 2006-03-15"
    )


def test_reformatted_address_capture_date() -> None:
    problem = only_problem(lrs_file([learner(DateOfAddressCapture="01/09/2025")]))
    assert (problem.line, problem.column, problem.code) == (
        2,
        "DateOfAddressCapture",
        "reformatted_date",
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "123456789",
            "123456789 has 9 digits, not 10; a spreadsheet may have treated the ULNs as numbers "
            "and dropped a leading zero \u2014 format the ULN column as text and enter all 10 "
            "digits",
        ),
        (
            "1.23457E+09",
            "1.23457E+09 is in scientific notation: a spreadsheet has treated the ULNs as "
            "numbers and lost digits \u2014 format the ULN column as text and enter the ULNs "
            "again",
        ),
        (
            "1234567899.0",
            "1234567899.0 was saved as a decimal number \u2014 format the ULN column as text so "
            "that each ULN is just its 10 digits",
        ),
    ],
)
def test_ulns_a_spreadsheet_turned_into_numbers(value: str, message: str) -> None:
    problem = only_problem(lrs_file([learner(ULN=value)]))
    assert where(problem) == (2, "ULN", message)


# One learner's problems are the worker's, not the file's ----------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"GivenName": ""},
        {"FamilyName": "L33"},
        {"LastKnownPostCode": "NOT A PC"},
        {"DateOfBirth": "2020-01-01"},
        {"DateOfBirth": "2006-02-30"},
        {"DateOfBirth": "unknown"},
        {"DateOfBirth": "2006"},
        {"DateOfBirth": "15-Foo-2006"},
        {"DateOfBirth": ""},
        {"ULN": "1234567890"},
        {"ULN": "12345678901"},
        {"ULN": "9999999999"},
        {"EmailAddress": "not-an-email"},
        {"Gender": "F"},
        {"Nationality": "XX"},
        {"VerificationType": "999", "OtherVerificationDescription": ""},
    ],
)
def test_a_learners_content_problems_do_not_reject_the_file(changes: dict[str, str]) -> None:
    parsed = parse(lrs_file([learner(), learner(**changes)]))
    row = parsed.rows[1]
    assert {c: row.values[COLUMN_TO_FIELD[c]] for c in changes} == changes
