"""Reading batch-registration files: what is refused as a whole, and what is left to each row."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from open_lrs.batches.columns import COLUMN_TO_FIELD, LEARNER_COLUMNS, LRS_PREFIX
from open_lrs.batches.fileformat import (
    MAX_PROBLEMS,
    BatchFileRejected,
    ParsedBatch,
    parse_batch,
    registration_fields,
    row_uln,
)
from open_lrs.core.errors import FieldError, ValidationFailed
from open_lrs.core.files import decoding
from open_lrs.core.files.problems import FileProblem
from open_lrs.learners.schemas import LearnerCreate

UKPRN = "10000001"
OTHER_UKPRN = "10000002"
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
LRS_NAME = "LRB_10000001_150320261030.CSV"
PLAIN_NAME = "spring-intake.csv"

SIAN = {
    "ULN": "1234567899",
    "MISIdentifier": "MIS-0001",
    "Title": "Ms",
    "GivenName": "Siân",
    "PreferredGivenName": "Sia",
    "MiddleOtherName": "Mair",
    "FamilyName": "Ó Súilleabháin",
    "PreviousFamilyName": "Jones",
    "FamilyNameAt16": "Jones",
    "SchoolAtAge16": "Ysgol Gyfun",
    "LastKnownAddressLine1": "1 High Street",
    "LastKnownAddressLine2": "Flat 2",
    "LastKnownAddressTown": "Cardiff",
    "LastKnownAddressCountyorCity": "South Glamorgan",
    "LastKnownPostCode": "CF10 1AA",
    "DateOfAddressCapture": "2025-09-01",
    "DateOfBirth": "2006-03-15",
    "PlaceOfBirth": "Swansea",
    "EmailAddress": "sian@example.ac.uk",
    "Gender": "2",
    "Nationality": "GBR",
    "ScottishCandidateNumber": "123456789",
    "AbilityToShare": "1",
    "VerificationType": "999",
    "OtherVerificationDescription": "College ID card",
    "Notes": "Joined in spring",
}


def learner(**changes: str) -> dict[str, str]:
    """A learner by column name; every column not given is empty except the required ones."""
    base = {c: "" for c in LEARNER_COLUMNS}
    base |= {
        "MISIdentifier": "MIS-1",
        "GivenName": "Ann",
        "FamilyName": "Lee",
        "DateOfBirth": "2006-03-15",
        "Gender": "2",
        "LastKnownPostCode": "SW1A 1AA",
    }
    return base | changes


def _csv(rows: Sequence[Sequence[str]], newline: str) -> str:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator=newline).writerows(rows)
    return out.getvalue()


def lrs_file(
    learners: Sequence[dict[str, str]],
    *,
    count: str | None = None,
    file_name: str = LRS_NAME,
    ukprn: str = UKPRN,
    version: str = "1",
    newline: str = "\r\n",
    encoding: str = "utf-8",
) -> bytes:
    rows: list[list[str]] = [[*LRS_PREFIX, *LEARNER_COLUMNS]]
    for i, values in enumerate(learners):
        prefix = [version, file_name, ukprn, count or str(len(learners))] if i == 0 else [""] * 4
        rows.append([*prefix, *(values[c] for c in LEARNER_COLUMNS)])
    return _csv(rows, newline).encode(encoding)


def plain_file(
    learners: Sequence[dict[str, str]],
    *,
    header: Sequence[str] = LEARNER_COLUMNS,
    newline: str = "\r\n",
    encoding: str = "utf-8",
) -> bytes:
    rows = [list(header), *([values[c] for c in LEARNER_COLUMNS] for values in learners)]
    return _csv(rows, newline).encode(encoding)


def parse(data: bytes, filename: str = LRS_NAME, **options: int) -> ParsedBatch:
    return parse_batch(data, filename=filename, ukprn=UKPRN, now=NOW, **options)


def problems(data: bytes, filename: str = LRS_NAME, **options: int) -> list[FileProblem]:
    with pytest.raises(BatchFileRejected) as caught:
        parse(data, filename, **options)
    return list(caught.value.problems)


def only_problem(data: bytes, filename: str = LRS_NAME) -> FileProblem:
    found = problems(data, filename)
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


def where(problem: FileProblem) -> tuple[int | None, str | None, str]:
    return problem.line, problem.column, problem.message


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
    data = _csv([list(header), [""] * len(header)], "\r\n").encode()
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
    data = _csv([header, [""] * 30], "\r\n").encode()
    assert [where(p) for p in problems(data)] == [
        (1, "FileVersion", "column FileVersion is in position 2 but should be in position 1")
    ]


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
    result = outcome(_csv([list(LEARNER_COLUMNS), *rows], "\r\n").encode(), PLAIN_NAME)
    if isinstance(result, BatchFileRejected):
        assert result.problems
        return
    kept = [r for r in rows if any(c.strip() for c in r)]
    assert [list(r.values.values()) for r in result.rows] == [r[:26] for r in kept]
