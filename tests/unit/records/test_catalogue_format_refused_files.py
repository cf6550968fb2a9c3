"""Catalogue files refused whole for their rows, bytes or syntax; how every problem is
reported; and any bytes or cells give entries or a rejection."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from open_lrs.core.errors import ValidationFailed
from open_lrs.records.catalogue_format import (
    MAX_PROBLEMS,
    QUALIFICATION_COLUMNS,
    UNIT_COLUMNS,
    CatalogueEntry,
    CatalogueRejected,
    read_qualifications,
    read_units,
)
from open_lrs.records.levels import LEVELS
from tests.unit.records.catalogue_helpers import (
    AWARD,
    MATHS,
    UNIT_ROW,
    Reader,
    only_problem,
    qualifications,
    rejected,
    units,
    where,
)


def test_a_row_of_the_wrong_width_is_refused() -> None:
    data = qualifications(MATHS, AWARD)
    lines = data.split(b"\r\n")
    lines[1] = lines[1].rsplit(b",", 2)[0]
    lines[2] += b",surplus"
    problems = rejected(read_qualifications, b"\r\n".join(lines)).problems
    assert [(p.line, p.code) for p in problems] == [(2, "cell_count"), (3, "cell_count")]
    assert problems[0].message == "the row has 10 cells, but the header has 12 columns"
    assert (
        problems[1].message == "the row has a value in cell 13, after the last column (EffectiveTo)"
    )


@pytest.mark.parametrize(
    ("data", "code", "says"),
    [
        (b"", "empty_file", "the file is empty"),
        (b" \r\n\r\n", "empty_file", "the file is empty"),
        (b",,,\r\n", "empty_file", "the file is empty"),
        (qualifications(), "no_rows", "a header row but no rows"),
        (b"PK\x03\x04rest", "binary", "spreadsheet workbook (.xlsx)"),
    ],
)
def test_a_file_with_nothing_to_load_is_refused(data: bytes, code: str, says: str) -> None:
    problem = only_problem(read_qualifications, data)
    assert problem.code == code
    assert problem.line is None
    assert says in problem.message


def test_a_file_mixing_utf8_and_windows_1252_is_refused_at_its_line() -> None:
    data = qualifications(AWARD | {"LearnAimRefTitle": "Pâtisserie"}) + "Café,".encode("cp1252")
    problem = only_problem(read_qualifications, data)
    assert (problem.line, problem.code) == (3, "encoding")


def test_an_unclosed_quote_is_refused_at_its_line() -> None:
    data = qualifications(MATHS) + b'60054321,"Unclosed title,,QCF_AWARD\r\n'
    problem = only_problem(read_qualifications, data)
    assert (problem.line, problem.code) == (3, "csv_syntax")
    assert "closing quote is missing" in problem.message


def test_every_problem_is_reported_at_once_in_line_order_and_nothing_is_read() -> None:
    data = qualifications(
        MATHS | {"EffectiveFrom": "1/2/2015", "NotionalNVQLevelv2": "9"},
        AWARD,
        AWARD | {"RegulatedCreditValue": "40"},
        MATHS,
    )
    error = rejected(read_qualifications, data)
    assert [where(p) for p in error.problems] == [
        (2, "NotionalNVQLevelv2", "invalid"),
        (2, "EffectiveFrom", "invalid"),
        (4, "RegulatedCreditValue", "qcf_size"),
        (4, "LearnAimRef", "duplicate"),
        (5, "LearnAimRef", "duplicate"),
    ]
    assert error.total == len(error.problems)
    assert error.detail.startswith(f"{error.total} problems were found, so nothing in the file")


def test_problems_are_capped_and_the_rest_counted() -> None:
    rows = [MATHS | {"LearnAimRef": f"6{n:07d}", "EffectiveFrom": "never"} for n in range(250)]
    error = rejected(read_qualifications, qualifications(*rows))
    assert error.total == 250
    assert len(error.problems) == MAX_PROBLEMS + 1
    assert error.problems[-1].message == "and 50 more problems"
    assert error.problems[-1].line is None
    assert error.problems[MAX_PROBLEMS - 1].line == MAX_PROBLEMS + 1
    assert error.detail.startswith("250 problems were found")


def test_the_rejection_is_a_validation_error_with_field_errors() -> None:
    error = rejected(read_units, units(UNIT_ROW | {"CreditValue": "x"}))
    assert isinstance(error, ValidationFailed)
    assert error.code == "catalogue_rejected"
    [field_error] = error.errors
    assert field_error.as_dict() == {
        "field": "line 2, column CreditValue",
        "message": "CreditValue must be a whole number, not x",
        "code": "invalid",
        "line": 2,
        "column": "CreditValue",
    }
    assert error.extra == {"problem_count": 1}


def _outcome(read: Reader, data: bytes) -> list[CatalogueEntry] | CatalogueRejected:
    try:
        return read(data)
    except CatalogueRejected as error:
        return error


@settings(max_examples=200)
@given(st.binary(max_size=400))
def test_any_bytes_are_entries_or_a_rejection(data: bytes) -> None:
    for read in (read_qualifications, read_units):
        outcome = _outcome(read, data)
        if isinstance(outcome, CatalogueRejected):
            assert outcome.problems
            assert all(p.message for p in outcome.problems)
        else:
            assert outcome


cell_text = st.text(st.characters(codec="utf-8"), max_size=12)


@settings(max_examples=200)
@given(st.lists(st.lists(cell_text, min_size=9, max_size=12), min_size=1, max_size=4))
def test_any_cells_under_a_right_header_are_entries_or_problems_on_their_lines(
    rows: list[list[str]],
) -> None:
    for read, columns in ((read_qualifications, QUALIFICATION_COLUMNS), (read_units, UNIT_COLUMNS)):
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([list(columns), *rows])
        outcome = _outcome(read, out.getvalue().encode())
        if isinstance(outcome, CatalogueRejected):
            assert all(p.line is None or p.line >= 2 for p in outcome.problems)
        else:
            assert all(e.level in LEVELS for e in outcome)
