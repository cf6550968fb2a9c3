"""Reading batch-registration files: good files in either format, and the bytes that cannot be
text."""

from __future__ import annotations

import hashlib

import pytest

from open_lrs.batches.columns import COLUMN_TO_FIELD, LEARNER_COLUMNS
from open_lrs.batches.fileformat import registration_fields, row_uln
from open_lrs.learners.schemas import LearnerCreate
from tests.unit.batches.fileformat_helpers import (
    LRS_NAME,
    PLAIN_NAME,
    SIAN,
    UKPRN,
    learner,
    lrs_file,
    only_problem,
    parse,
    plain_file,
    where,
)

# Good files -------------------------------------------------------------------------------


def test_good_lrs_file_maps_every_column() -> None:
    data = lrs_file([SIAN, learner(MISIdentifier="MIS-2", ULN="")], version="3")
    parsed = parse(data)
    assert (parsed.format, parsed.file_name, parsed.ukprn) == ("lrs", LRS_NAME, UKPRN)
    assert (parsed.file_version, parsed.declared_count, parsed.encoding) == ("3", 2, "utf-8")
    assert parsed.sha256 == hashlib.sha256(data).hexdigest()
    first, second = parsed.rows
    assert (first.line, first.index, first.mis_identifier) == (2, 0, "MIS-0001")
    assert (second.line, second.index, second.mis_identifier) == (3, 1, "MIS-2")
    assert first.values == {COLUMN_TO_FIELD[c]: v for c, v in SIAN.items()}
    assert row_uln(first) == "1234567899"
    assert row_uln(second) is None
    assert registration_fields(first) == {
        "title": "Ms",
        "given_name": "Siân",
        "preferred_given_name": "Sia",
        "middle_other_name": "Mair",
        "family_name": "Ó Súilleabháin",
        "previous_family_name": "Jones",
        "family_name_at_age_16": "Jones",
        "school_at_age_16": "Ysgol Gyfun",
        "address_line_1": "1 High Street",
        "address_line_2": "Flat 2",
        "address_town": "Cardiff",
        "address_county_or_city": "South Glamorgan",
        "postcode": "CF10 1AA",
        "date_of_address_capture": "2025-09-01",
        "date_of_birth": "2006-03-15",
        "place_of_birth": "Swansea",
        "email": "sian@example.ac.uk",
        "gender": "2",
        "nationality": "GBR",
        "scottish_candidate_number": "123456789",
        "ability_to_share": "1",
        "verification_type": "999",
        "other_verification_description": "College ID card",
        "notes": "Joined in spring",
    }
    assert registration_fields(second)["title"] is None
    LearnerCreate.model_validate(registration_fields(first))


def test_registration_fields_are_exactly_the_keywords_of_learner_create() -> None:
    row = parse(plain_file([learner()]), PLAIN_NAME).rows[0]
    assert set(registration_fields(row)) == set(LearnerCreate.model_fields)
    assert tuple(COLUMN_TO_FIELD) == LEARNER_COLUMNS


def test_cells_are_stripped_for_registration_and_blank_ones_are_none() -> None:
    row = parse(plain_file([learner(GivenName="  Ann ", Title="   ")]), PLAIN_NAME).rows[0]
    assert row.values["given_name"] == "  Ann "
    assert registration_fields(row)["given_name"] == "Ann"
    assert registration_fields(row)["title"] is None


def test_good_plain_csv() -> None:
    parsed = parse(plain_file([learner(), learner(MISIdentifier=" MIS-2 ")]), PLAIN_NAME)
    assert (parsed.format, parsed.file_version, parsed.declared_count) == ("csv", None, None)
    assert [(r.line, r.index, r.mis_identifier) for r in parsed.rows] == [
        (2, 0, "MIS-1"),
        (3, 1, "MIS-2"),
    ]


def test_plain_csv_tolerates_trailing_empty_header_cells_and_empty_trailing_cells() -> None:
    text = plain_file([learner()]).decode()
    header, row = text.splitlines()
    parsed = parse(f"{header},,\r\n{row},,\r\n,,,,\r\n\r\n".encode(), PLAIN_NAME)
    assert [r.line for r in parsed.rows] == [2]


def test_the_path_a_browser_sends_is_dropped_from_the_file_name() -> None:
    parsed = parse(lrs_file([learner()]), "C:\\fakepath\\" + LRS_NAME)
    assert parsed.file_name == LRS_NAME


def test_lower_case_extension_is_accepted() -> None:
    name = "LRB_10000001_150320261030.csv"
    assert parse(lrs_file([learner()], file_name=name), name).format == "lrs"


def test_utf8_with_bom() -> None:
    parsed = parse(b"\xef\xbb\xbf" + lrs_file([SIAN]))
    assert parsed.encoding == "utf-8-sig"
    assert parsed.rows[0].values["given_name"] == "Siân"


def test_windows_1252() -> None:
    data = lrs_file([SIAN], encoding="cp1252")
    assert "Siân".encode("cp1252") in data
    parsed = parse(data)
    assert parsed.encoding == "cp1252"
    assert parsed.rows[0].values["given_name"] == "Siân"
    assert parsed.rows[0].values["family_name"] == "Ó Súilleabháin"


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"])
def test_line_endings(newline: str) -> None:
    parsed = parse(lrs_file([learner(), learner(), learner()], newline=newline))
    assert [r.line for r in parsed.rows] == [2, 3, 4]


def test_quotes_and_commas_inside_cells() -> None:
    parsed = parse(lrs_file([learner(GivenName='Ann "Annie"', LastKnownAddressLine1="1, The Row")]))
    assert '"Ann ""Annie"""' in plain_file([learner(GivenName='Ann "Annie"')]).decode()
    values = parsed.rows[0].values
    assert (values["given_name"], values["address_line_1"]) == ('Ann "Annie"', "1, The Row")


@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_line_breaks_inside_a_quoted_cell_keep_later_line_numbers_right(newline: str) -> None:
    notes = f"first{newline}second{newline}third"
    rows = [learner(Notes=notes), learner(MISIdentifier="MIS-2")]
    parsed = parse(lrs_file(rows, newline=newline))
    assert parsed.rows[0].values["notes"] == notes
    assert [(r.line, r.mis_identifier) for r in parsed.rows] == [(2, "MIS-1"), (5, "MIS-2")]


# Decoding ---------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"  \r\n\r\n", b"\xef\xbb\xbf", b"\xef\xbb\xbf \xc2\xa0\n"])
def test_empty_file(data: bytes) -> None:
    assert where(only_problem(data)) == (None, None, "the file is empty")


def test_file_of_only_empty_cells_is_empty() -> None:
    assert only_problem(b",,,\r\n,,\r\n").message == "the file is empty: it holds no values"


def test_header_only() -> None:
    data = lrs_file([])
    assert where(only_problem(data)) == (
        None,
        None,
        "the file has a header row but no learner rows",
    )


def test_nul_bytes_name_the_line() -> None:
    data = lrs_file([learner(), learner()]).replace(b"MIS-1", b"MIS\x00", 1)
    problem = only_problem(data)
    assert (problem.line, problem.code) == (2, "binary")
    assert problem.message.startswith("the file contains NUL bytes (the first on this line)")


def test_nul_line_counts_cr_only_line_endings() -> None:
    data = lrs_file([learner(), learner(MISIdentifier="X\x00")], newline="\r")
    assert only_problem(data).line == 3


def test_control_characters_throughout_mean_binary() -> None:
    data = bytes(range(1, 32)) * 20
    problem = only_problem(data)
    assert (problem.line, problem.code) == (1, "binary")
    assert "mostly control characters" in problem.message


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"PK\x03\x04rest-of-a-zip", "spreadsheet workbook (.xlsx)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Excel 97-2003 workbook (.xls)"),
        ("ULN,MISIdentifier\r\n".encode("utf-16"), "UTF-16 text"),
    ],
)
def test_workbooks_and_utf16_are_named(data: bytes, words: str) -> None:
    problem = only_problem(data)
    assert words in problem.message
    assert problem.message.endswith("save it from the spreadsheet as CSV UTF-8")


def test_a_stray_byte_in_a_utf8_file_is_not_read_as_windows_1252() -> None:
    data = lrs_file([SIAN, learner(GivenName="Zoë")])
    data = data.replace("Zoë".encode(), b"Zo\xeb")
    problem = only_problem(data)
    assert where(problem) == (
        3,
        None,
        "byte 0xEB is not UTF-8, but the rest of the file is UTF-8; "
        "save it from the spreadsheet as CSV UTF-8",
    )


def test_a_bom_then_windows_1252() -> None:
    data = b"\xef\xbb\xbf" + lrs_file([learner(GivenName="Siân")], encoding="cp1252")
    problem = only_problem(data)
    assert (problem.line, problem.code) == (2, "encoding")
    assert "starts with a UTF-8 byte-order mark" in problem.message


def test_bytes_that_are_not_windows_1252_either() -> None:
    problem = only_problem(lrs_file([learner(GivenName="Ann\x81")], encoding="latin-1"))
    assert where(problem) == (
        2,
        None,
        "byte 0x81 is neither UTF-8 nor Windows-1252 text; "
        "save it from the spreadsheet as CSV UTF-8",
    )
