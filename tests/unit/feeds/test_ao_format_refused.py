"""Awarding organisations' loads refused as a whole."""

from __future__ import annotations

import pytest

from open_lrs.feeds.ao_format import COLUMNS
from open_lrs.feeds.csv_rows import MAX_ROWS
from tests.unit.feeds.ao_helpers import UNIT, csv_file, rejected

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
