"""Batch-registration files: the LRS file's name and first row, and the header row."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from open_lrs.batches.columns import LEARNER_COLUMNS, LRS_PREFIX
from tests.unit.batches.fileformat_helpers import (
    LRS_NAME,
    OTHER_UKPRN,
    PLAIN_NAME,
    UKPRN,
    csv_text,
    learner,
    lrs_file,
    only_problem,
    parse,
    plain_file,
    problems,
    where,
)

# The LRS file: name and first row ---------------------------------------------------------


@pytest.mark.parametrize("count", ["3", "1"])
def test_record_count_disagrees_with_rows(count: str) -> None:
    problem = only_problem(lrs_file([learner(), learner()], count=count))
    assert where(problem) == (
        2,
        "LearnerRecordCount",
        f"LearnerRecordCount is {count} but the file has 2 learner rows",
    )


@pytest.mark.parametrize("count", ["two", "-2", "2.0"])
def test_record_count_must_be_a_number(count: str) -> None:
    problem = only_problem(lrs_file([learner(), learner()], count=count))
    assert where(problem) == (
        2,
        "LearnerRecordCount",
        f"LearnerRecordCount must be the number of learner rows, not {count}",
    )


def test_file_version_must_be_given() -> None:
    problem = only_problem(lrs_file([learner()], version=" "))
    assert where(problem) == (
        2,
        "FileVersion",
        "FileVersion is empty; the first learner row gives the file's version",
    )


def test_file_name_cell_must_be_the_file_name() -> None:
    data = lrs_file([learner()], file_name="LRB_10000001_140320261030.CSV")
    assert where(only_problem(data)) == (
        2,
        "FileName",
        f"FileName is LRB_10000001_140320261030.CSV but the file is named {LRS_NAME}",
    )


def test_the_file_columns_must_be_empty_after_the_first_row() -> None:
    lines = lrs_file([learner(), learner(), learner()]).decode().split("\r\n")
    lines[3] = "2," + LRS_NAME + lines[3][1:]
    assert where(only_problem("\r\n".join(lines).encode())) == (
        4,
        None,
        "FileVersion, FileName must be empty after the first learner row",
    )


@pytest.mark.parametrize(
    ("filename", "message"),
    [
        (
            "learners.xlsx",
            "the file must be a .csv file named LRB_<UKPRN>_<DDMMYYYYHHMM>.CSV or any .csv, "
            "not learners.xlsx",
        ),
        (
            "LRB_1000001_150320261030.CSV",
            "the UKPRN in the file name, 1000001, must be 8 digits",
        ),
        (
            "LRB_10000001_1503202610.CSV",
            "the date and time in the file name, 1503202610, must be 12 digits: DDMMYYYYHHMM",
        ),
        (
            "LRB_10000001_310220261030.CSV",
            "the date and time in the file name, 310220261030, is not a real date and time "
            "(DDMMYYYYHHMM)",
        ),
        (
            "LRB_10000001_031520261030.CSV",
            "the date and time in the file name, 031520261030, is not a real date and time "
            "(DDMMYYYYHHMM)",
        ),
        (
            "LRB_10000001_220320261030.CSV",
            "the date and time in the file name, 220320261030, is in the future "
            "(DDMMYYYYHHMM: day first)",
        ),
        (
            "LRB_10000001_15032026_1030.CSV",
            "the file name LRB_10000001_15032026_1030.CSV does not follow "
            "LRB_<UKPRN>_<DDMMYYYYHHMM>.CSV",
        ),
    ],
)
def test_wrong_file_name(filename: str, message: str) -> None:
    found = problems(lrs_file([learner()], file_name=filename), filename)
    assert where(found[0]) == (None, None, message)


def test_file_name_for_another_ukprn() -> None:
    name = "LRB_10000002_150320261030.CSV"
    found = problems(lrs_file([learner()], file_name=name, ukprn=UKPRN), name)
    assert [where(p) for p in found] == [
        (
            None,
            None,
            "the file name has UKPRN 10000002, but you are uploading for UKPRN 10000001: "
            "name the file LRB_10000001_<DDMMYYYYHHMM>.CSV",
        ),
        (2, "UKPRN", "UKPRN is 10000001 but the file name has UKPRN 10000002"),
    ]
    assert {p.code for p in found} == {"ukprn"}


def test_first_row_ukprn_is_not_the_uploaders() -> None:
    problem = only_problem(lrs_file([learner()], ukprn=OTHER_UKPRN))
    assert where(problem) == (
        2,
        "UKPRN",
        "UKPRN is 10000002 but you are uploading for UKPRN 10000001",
    )


def test_a_file_within_a_day_ahead_is_accepted() -> None:
    name = "LRB_10000001_210320261030.CSV"
    assert parse(lrs_file([learner()], file_name=name), name).rows


# Headers ----------------------------------------------------------------------------------


def header_problems(header: Sequence[str]) -> list[tuple[int | None, str | None, str]]:
    data = csv_text([list(header), [""] * len(header)], "\r\n").encode()
    return [where(p) for p in problems(data, PLAIN_NAME)]


def test_swapped_columns() -> None:
    header = list(LEARNER_COLUMNS)
    header[3], header[6] = header[6], header[3]
    assert header_problems(header) == [
        (1, "FamilyName", "column FamilyName is in position 4 but should be in position 7"),
        (1, "GivenName", "column GivenName is in position 7 but should be in position 4"),
    ]


def test_one_column_moved_is_the_only_one_named() -> None:
    header = ["Notes", *LEARNER_COLUMNS[:-1]]
    assert header_problems(header) == [
        (1, "Notes", "column Notes is in position 1 but should be in position 26")
    ]


def test_missing_column_does_not_make_the_rest_out_of_place() -> None:
    header = [c for c in LEARNER_COLUMNS if c != "Title"]
    assert header_problems(header) == [(1, "Title", "missing column Title")]


def test_unexpected_column() -> None:
    assert header_problems([*LEARNER_COLUMNS, "Shoe size"]) == [
        (1, "Shoe size", 'unexpected column "Shoe size" (position 27)')
    ]


def test_wrong_case_and_near_names() -> None:
    header = list(LEARNER_COLUMNS)
    header[3] = "givenname"
    header[8] = "FamilyNameAtAge16"
    header[13] = "LastKnownAddressCountyOrCity"
    assert header_problems(header) == [
        (1, "GivenName", '"givenname" should be "GivenName": column names are case-sensitive'),
        (1, "FamilyNameAt16", '"FamilyNameAtAge16" should be named "FamilyNameAt16"'),
        (
            1,
            "LastKnownAddressCountyorCity",
            '"LastKnownAddressCountyOrCity" should be "LastKnownAddressCountyorCity": '
            "column names are case-sensitive",
        ),
    ]


def test_duplicate_and_unnamed_columns() -> None:
    header = list(LEARNER_COLUMNS)
    header[2] = ""
    header.append("GivenName")
    assert header_problems(header) == [
        (1, None, "column 3 of the header has no name"),
        (1, "GivenName", "column GivenName appears twice (positions 4 and 27)"),
        (1, "Title", "missing column Title"),
    ]


def test_lrs_columns_in_a_plain_file() -> None:
    assert header_problems([*LRS_PREFIX, *LEARNER_COLUMNS]) == [
        (
            1,
            None,
            "the header starts with FileVersion, FileName, UKPRN, LearnerRecordCount, which "
            "only the LRS portal format has: name the file LRB_<UKPRN>_<DDMMYYYYHHMM>.CSV or "
            "remove those four columns",
        )
    ]


def test_plain_header_in_an_lrs_file() -> None:
    problem = only_problem(plain_file([learner()]))
    assert where(problem) == (
        1,
        None,
        "the header has no FileVersion, FileName, UKPRN and LearnerRecordCount columns, which "
        "a file named LRB_<UKPRN>_<DDMMYYYYHHMM>.CSV must start with: add them, or give the "
        "file another name ending .csv to use the plain format",
    )


def test_adjacent_swap_names_the_one_column_to_move() -> None:
    header = [*LRS_PREFIX, *LEARNER_COLUMNS]
    header[0], header[1] = header[1], header[0]
    data = csv_text([header, [""] * 30], "\r\n").encode()
    assert [where(p) for p in problems(data)] == [
        (1, "FileVersion", "column FileVersion is in position 2 but should be in position 1")
    ]
