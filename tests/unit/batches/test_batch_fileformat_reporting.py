"""Batch-registration files refused: how the problems are reported, and properties over any
bytes."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from open_lrs.batches.columns import LEARNER_COLUMNS
from open_lrs.batches.fileformat import MAX_PROBLEMS, BatchFileRejected, ParsedBatch
from open_lrs.core.errors import FieldError, ValidationFailed
from open_lrs.core.files.problems import FileProblem
from tests.unit.batches.fileformat_helpers import (
    LRS_NAME,
    PLAIN_NAME,
    csv_text,
    learner,
    lrs_file,
    only_problem,
    parse,
    plain_file,
    problems,
    where,
)

# Reporting --------------------------------------------------------------------------------


def test_every_problem_is_reported_in_line_order() -> None:
    rows = [learner(), learner(DateOfBirth="15/03/2006"), learner(Notes="x" * 4001), learner()]
    lines = lrs_file(rows, count="5", file_name="LRB_10000001_150320261031.CSV").split(b"\r\n")
    lines[4] = lines[4].rsplit(b",", 2)[0]
    found = problems(b"\r\n".join(lines))
    assert [(p.line, p.column, p.code) for p in found] == [
        (2, "FileName", "count_row"),
        (2, "LearnerRecordCount", "count_row"),
        (3, "DateOfBirth", "reformatted_date"),
        (4, "Notes", "too_long"),
        (5, None, "cell_count"),
    ]


def test_problems_are_capped_with_a_count_of_the_rest() -> None:
    with pytest.raises(BatchFileRejected) as caught:
        parse(lrs_file([learner(DateOfBirth="15/03/2006")] * 300))
    rejected = caught.value
    assert len(rejected.problems) == MAX_PROBLEMS + 1
    assert [p.line for p in rejected.problems[:3]] == [2, 3, 4]
    assert where(rejected.problems[-1]) == (None, None, "and 100 more problems")
    assert rejected.detail == (
        f"{LRS_NAME}: 300 problems were found, so no learner in the file was registered. "
        "Correct the file and upload it again."
    )
    assert rejected.extra == {"file_name": LRS_NAME, "problem_count": 300}


def test_file_level_problems_come_first_within_the_cap() -> None:
    name = "LRB_10000002_150320261030.CSV"
    data = lrs_file([learner(DateOfBirth="15/03/2006")] * 300, file_name=name)
    found = problems(data, name)
    assert [(p.line, p.code) for p in found[:3]] == [
        (None, "ukprn"),
        (2, "ukprn"),
        (2, "reformatted_date"),
    ]
    assert found[-1].message == "and 102 more problems"
    assert len(found) == MAX_PROBLEMS + 1


def test_a_huge_header_is_reported_without_a_problem_per_cell() -> None:
    data = ("ULN" + "," * 100_000 + "Notes\r\n").encode() + b"x\r\n"
    found = problems(data, PLAIN_NAME)
    assert len(found) == MAX_PROBLEMS + 1
    assert found[0].message == "column 2 of the header has no name"
    assert found[-1].message == "and 99,823 more problems"


def test_the_rejection_is_a_validation_failure_with_field_errors() -> None:
    with pytest.raises(BatchFileRejected) as caught:
        parse(lrs_file([learner(), learner(DateOfBirth="15/03/2006")]))
    rejected = caught.value
    assert isinstance(rejected, ValidationFailed)
    assert (rejected.code, rejected.status) == ("batch_file_rejected", 422)
    (error,) = rejected.errors
    assert isinstance(error, FieldError)
    assert error.as_dict() == {
        "field": "line 3, column DateOfBirth",
        "message": error.message,
        "code": "reformatted_date",
        "line": 3,
        "column": "DateOfBirth",
    }
    assert str(error) == f"line 3, column DateOfBirth: {error.message}"
    assert rejected.detail.startswith(f"{LRS_NAME}: 1 problem was found")


def test_problem_without_a_place_reads_as_its_message() -> None:
    problem = FileProblem("the file is empty", code="empty_file")
    assert (problem.field, str(problem)) == ("file", "the file is empty")
    assert FileProblem("x", line=4, code="c").field == "line 4"


def test_long_values_are_shortened_when_shown_back() -> None:
    problem = only_problem(lrs_file([learner()], file_name="N" * 500))
    assert len(problem.message) < 200
    assert "…" in problem.message


# Properties -------------------------------------------------------------------------------

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def outcome(data: bytes, filename: str) -> ParsedBatch | BatchFileRejected:
    try:
        return parse(data, filename)
    except BatchFileRejected as exc:
        return exc


@FUZZ
@given(data=st.binary(max_size=2000), lrs=st.booleans())
def test_arbitrary_bytes_are_read_or_rejected(data: bytes, lrs: bool) -> None:
    result = outcome(data, LRS_NAME if lrs else PLAIN_NAME)
    if isinstance(result, BatchFileRejected):
        assert result.problems
        assert all(p.message and p.field for p in result.problems)


@FUZZ
@given(data=st.binary(max_size=300))
def test_arbitrary_bytes_after_a_good_header_are_read_or_rejected(data: bytes) -> None:
    result = outcome(plain_file([learner()]) + data, PLAIN_NAME)
    if isinstance(result, BatchFileRejected):
        assert result.problems


_cell = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
_row = st.lists(_cell, min_size=26, max_size=26) | st.lists(_cell, max_size=30)


@FUZZ
@given(rows=st.lists(_row, max_size=8))
def test_arbitrary_text_rows_never_crash_and_accepted_rows_round_trip(
    rows: list[list[str]],
) -> None:
    result = outcome(csv_text([list(LEARNER_COLUMNS), *rows], "\r\n").encode(), PLAIN_NAME)
    if isinstance(result, BatchFileRejected):
        assert result.problems
        return
    kept = [r for r in rows if any(c.strip() for c in r)]
    assert [list(r.values.values()) for r in result.rows] == [r[:26] for r in kept]
