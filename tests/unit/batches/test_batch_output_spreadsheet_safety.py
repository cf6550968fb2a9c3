"""The batch output file in a spreadsheet: no cell can start a formula, and the bytes keep
their accents."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from open_lrs.batches.columns import COLUMN_TO_FIELD, LEARNER_COLUMNS
from open_lrs.batches.output import neutralise, output_bytes, verification_output, write_output
from tests.unit.batches.output_helpers import fields, parse, row, summary

FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r"]


# Spreadsheet safety ------------------------------------------------------------------------


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_formulas_are_neutralised_in_every_cell(start: str) -> None:
    evil = f'{start}HYPERLINK("http://x")'
    hostile = {field: evil for field in COLUMN_TO_FIELD.values()}
    rows = [
        row(
            0,
            fields=hostile,
            mis_identifier=evil,
            message=evil,
            uln=evil,
            candidate_ulns=[evil],
        )
    ]
    text = write_output(rows, summary(file_name=evil, status=evil))
    _, (line,) = parse(text)
    for column in [*LEARNER_COLUMNS, "ReturnMessage", "ResultULN", "FileName", "Status"]:
        assert line[column] == "'" + evil, column
    assert line["CandidateULNs"] == "'" + evil
    assert line["GivenName"] == "'" + evil  # names too: nobody is exempt


@given(st.text())
def test_no_cell_can_start_a_formula(value: str) -> None:
    hostile = fields(given_name=value, family_name=value, notes=value)
    _, (line,) = parse(write_output([row(0, fields=hostile, message=value)], summary()))
    for column in ("GivenName", "FamilyName", "Notes", "ReturnMessage"):
        cell = line[column]
        assert not cell.startswith(tuple(FORMULA_STARTS))
        assert cell == value or (cell == "'" + value and value.startswith(tuple(FORMULA_STARTS)))


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ("=1+1", "'=1+1"),
        ("-2", "'-2"),
        ("Smith-Jones", "Smith-Jones"),
        ("'quoted", "'quoted"),
        ("", ""),
        (" =1", " =1"),
    ],
)
def test_neutralise(cell: str, shown: str) -> None:
    assert neutralise(cell) == shown


# Bytes -------------------------------------------------------------------------------------


def test_bytes_start_with_a_bom_and_keep_accents() -> None:
    names = fields(given_name="Siân", family_name="Ó Súilleabháin", place_of_birth="Zoë's town")
    data = output_bytes([row(0, fields=names)], summary())
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\xef\xbb\xbf") == 1
    _, (line,) = parse(data.decode("utf-8-sig"))
    assert (line["GivenName"], line["FamilyName"]) == ("Siân", "Ó Súilleabháin")
    assert line["PlaceOfBirth"] == "Zoë's town"


def test_bytes_are_the_text_encoded() -> None:
    rows, head = [row(1), row(0)], summary()
    assert output_bytes(rows, head) == ("\ufeff" + write_output(rows, head)).encode()
    assert (
        output_bytes(rows, head, verification=True)
        == ("\ufeff" + verification_output(rows, head)).encode()
    )
