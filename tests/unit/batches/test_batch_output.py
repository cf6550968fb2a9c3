"""Return codes and the batch output file: what a provider's spreadsheet will read back."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from open_lrs.batches.codes import (
    EXISTING,
    NEW,
    NOT_FOUND,
    PENDING,
    POSSIBLE,
    REJECTED,
    RETURN_CODES,
    TOTALS,
    VERIFICATION_CODES,
    ReturnCode,
    describe,
    totals,
)
from open_lrs.batches.columns import COLUMN_TO_FIELD, LEARNER_COLUMNS
from open_lrs.batches.output import (
    NOT_PROCESSED,
    OUTPUT_COLUMNS,
    VERIFICATION_COLUMNS,
    OutputRow,
    OutputSummary,
    neutralise,
    output_bytes,
    verification_output,
    write_output,
)

SUMMARY = [
    "BatchId",
    "FileName",
    "Status",
    "SubmittedAt",
    "StartedAt",
    "FinishedAt",
    "TotalRows",
]
REGISTRATION_TOTALS = ["New", "Existing", "PossibleMatch", "NotFound", "Rejected", "Pending"]
ROW = ["Line", "ReturnCode", "ReturnMessage", "ResultULN", "CandidateULNs"]
VERIFY_ROW = [
    "Line",
    "MISIdentifier",
    "ULN",
    "FoundULN",
    "ResponseCode",
    "FailureFlags",
    "Message",
    "GivenName",
    "FamilyName",
    "DateOfBirth",
    "Gender",
]
VERIFY_TOTALS = [*VERIFICATION_CODES, "RC011", "Pending"]
FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r"]

SUBMITTED = datetime(2026, 3, 20, 9, 15, 30, 123456, tzinfo=UTC)
STARTED = datetime(2026, 3, 20, 9, 16, tzinfo=UTC)
FINISHED = datetime(2026, 3, 20, 9, 20, 5, tzinfo=UTC)


def fields(**cells: str | None) -> dict[str, str | None]:
    """A row's fields as the batch stores them: every column by field name."""
    values: dict[str, str | None] = dict.fromkeys(COLUMN_TO_FIELD.values(), "")
    values.update(cells)
    return values


def row(position: int, **over: object) -> OutputRow:
    base = OutputRow(
        position=position,
        line=position + 2,
        mis_identifier=f"MIS-{position:04d}",
        fields=fields(
            mis_identifier=f"MIS-{position:04d}",
            given_name="Siân",
            family_name="Llewellyn",
            date_of_birth="2008-05-01",
            gender="2",
        ),
        return_code="RC001",
        message=None,
        uln="1234567899",
        candidate_ulns=(),
    )
    return replace(base, **over)  # type: ignore[arg-type]


def summary(**over: object) -> OutputSummary:
    base = OutputSummary(
        batch_id=42,
        file_name="LRB_10000001_200320260915.CSV",
        status="complete",
        submitted_at=SUBMITTED,
        started_at=STARTED,
        finished_at=FINISHED,
        totals={NEW: 1, EXISTING: 2, POSSIBLE: 3, NOT_FOUND: 4, REJECTED: 5, PENDING: 6},
    )
    return replace(base, **over)  # type: ignore[arg-type]


def parse(text: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header, *lines = list(reader)
    return header, [dict(zip(header, cells, strict=True)) for cells in lines]


# Return codes ----------------------------------------------------------------------------


def test_the_return_codes_are_exactly_ours() -> None:
    assert list(RETURN_CODES) == [f"RC{n:03d}" for n in range(1, 15)]
    by_total = {t: sorted(c for c, rc in RETURN_CODES.items() if rc.total == t) for t in TOTALS}
    assert by_total == {
        NEW: ["RC001", "RC012"],
        EXISTING: ["RC002", "RC003", "RC009", "RC010"],
        POSSIBLE: ["RC004", "RC005"],
        NOT_FOUND: ["RC014"],
        REJECTED: ["RC006", "RC007", "RC008", "RC011", "RC013"],
    }
    assert all(code == rc.code for code, rc in RETURN_CODES.items())


def test_the_lrs_public_codes_keep_their_meanings() -> None:
    assert RETURN_CODES["RC006"].meaning == "Insufficient data to create a ULN"
    assert RETURN_CODES["RC011"].meaning == "Incorrect format"
    assert RETURN_CODES["RC013"].meaning == "Age outside 13 to 110"


def test_the_table_cannot_be_changed_at_run_time() -> None:
    with pytest.raises(TypeError):
        RETURN_CODES["RC099"] = ReturnCode("RC099", NEW, "x")  # type: ignore[index]


def test_a_code_must_count_towards_a_known_total() -> None:
    with pytest.raises(ValueError, match="RC099"):
        ReturnCode("RC099", "maybe", "Never")


def test_totals_count_rows_and_pending() -> None:
    codes = ["RC001", "RC012", "RC002", "RC004", "RC005", "RC014", "RC011", None, None]
    assert totals(codes) == {
        NEW: 2,
        EXISTING: 1,
        POSSIBLE: 2,
        NOT_FOUND: 1,
        REJECTED: 1,
        PENDING: 2,
    }


def test_totals_of_nothing_are_all_zero() -> None:
    assert totals([]) == dict.fromkeys((*TOTALS, PENDING), 0)


def test_totals_take_counts_grouped_by_code() -> None:
    grouped: Mapping[str | None, int] = {"RC001": 10, "RC008": 3, None: 2}
    assert totals(grouped, pending=5) == {
        NEW: 10,
        EXISTING: 0,
        POSSIBLE: 0,
        NOT_FOUND: 0,
        REJECTED: 3,
        PENDING: 7,
    }


def test_verification_codes_are_counted_too() -> None:
    counted = totals(["WSVRC001", "WSVRC002", "WSVRC003", "WSVRC004", "WSVRC005", "WSVRC006"])
    assert counted[EXISTING] == 4
    assert counted[REJECTED] == 2


def test_an_unknown_code_is_a_bug_not_a_row() -> None:
    with pytest.raises(ValueError, match="RC999"):
        totals(["RC001", "RC999"])
    with pytest.raises(ValueError, match="RC999"):
        describe("RC999")


# The registration output file ------------------------------------------------------------


def test_the_header_is_summary_then_answer_then_every_input_column() -> None:
    header, _ = parse(write_output([row(0)], summary()))
    assert header == [*SUMMARY, *REGISTRATION_TOTALS, *ROW, *LEARNER_COLUMNS]
    assert tuple(header) == OUTPUT_COLUMNS
    assert len(set(header)) == len(header)  # ResultULN keeps the input's ULN its own name


def test_the_summary_is_on_the_first_data_row_only() -> None:
    _, lines = parse(write_output([row(0), row(1), row(2)], summary()))
    assert {k: lines[0][k] for k in SUMMARY + REGISTRATION_TOTALS} == {
        "BatchId": "42",
        "FileName": "LRB_10000001_200320260915.CSV",
        "Status": "complete",
        "SubmittedAt": "2026-03-20T09:15:30Z",
        "StartedAt": "2026-03-20T09:16:00Z",
        "FinishedAt": "2026-03-20T09:20:05Z",
        "TotalRows": "3",
        "New": "1",
        "Existing": "2",
        "PossibleMatch": "3",
        "NotFound": "4",
        "Rejected": "5",
        "Pending": "6",
    }
    for later in lines[1:]:
        assert all(later[k] == "" for k in SUMMARY + REGISTRATION_TOTALS)


def test_rows_come_back_in_input_order() -> None:
    rows = [row(2), row(0), row(1)]
    _, lines = parse(write_output(rows, summary()))
    assert [line["Line"] for line in lines] == ["2", "3", "4"]
    assert [line["MISIdentifier"] for line in lines] == ["MIS-0000", "MIS-0001", "MIS-0002"]


def test_every_input_cell_comes_back_beside_its_answer() -> None:
    given = fields(
        uln="9999999999",
        mis_identifier="MIS-7",
        title="Ms",
        given_name="Siân",
        family_name="O'Neill",
        postcode="CF10 1AA",
        date_of_birth="2008-05-01",
        notes="Moved from Cardiff, 2024",
    )
    answered = row(0, fields=given, return_code="RC002", uln="1234567899")
    _, (line,) = parse(write_output([answered], summary()))
    assert line["ULN"] == "9999999999"
    assert line["ResultULN"] == "1234567899"
    assert line["ReturnCode"] == "RC002"
    assert line["ReturnMessage"] == RETURN_CODES["RC002"].meaning
    for column in LEARNER_COLUMNS:
        assert line[column] == (given[COLUMN_TO_FIELD[column]] or "")


def test_a_missing_field_is_an_empty_cell() -> None:
    answered = row(0, fields={"given_name": "Siân", "family_name": None}, mis_identifier="M-1")
    _, (line,) = parse(write_output([answered], summary()))
    assert line["GivenName"] == "Siân"
    assert line["FamilyName"] == ""
    assert line["Notes"] == ""
    assert line["MISIdentifier"] == "M-1"  # from the row when the fields lack it


def test_a_row_message_is_kept_and_otherwise_the_code_explains_itself() -> None:
    rows = [
        row(0, return_code="RC011", message="DateOfBirth: not a date (YYYY-MM-DD)"),
        row(1, return_code="RC013", message=None, uln=None),
    ]
    _, lines = parse(write_output(rows, summary()))
    assert lines[0]["ReturnMessage"] == "DateOfBirth: not a date (YYYY-MM-DD)"
    assert lines[1]["ReturnMessage"] == "Age outside 13 to 110"
    assert lines[1]["ResultULN"] == ""


def test_pending_rows_say_so() -> None:
    pending = row(0, return_code=None, message=None, uln=None)
    _, (line,) = parse(write_output([pending], summary(status="running", finished_at=None)))
    assert line["ReturnCode"] == ""
    assert line["ReturnMessage"] == NOT_PROCESSED == "Not processed yet"
    assert line["ResultULN"] == ""
    assert line["Status"] == "running"
    assert line["FinishedAt"] == ""


def test_candidate_ulns_are_space_separated() -> None:
    exception = row(0, return_code="RC004", uln=None, candidate_ulns=["1111111111", "2222222222"])
    _, (line,) = parse(write_output([exception], summary()))
    assert line["CandidateULNs"] == "1111111111 2222222222"
    assert line["ReturnMessage"] == RETURN_CODES["RC004"].meaning


def test_rows_from_a_web_service_job_have_no_line() -> None:
    _, (line,) = parse(write_output([row(0, line=None)], summary(file_name=None)))
    assert line["Line"] == ""
    assert line["FileName"] == ""


def test_a_batch_without_rows_still_has_its_summary() -> None:
    text = write_output([], summary(totals={}))
    _, (line,) = parse(text)
    assert line["BatchId"] == "42"
    assert line["TotalRows"] == "0"
    assert line["New"] == "0"
    assert line["Line"] == ""


def test_times_are_utc_to_the_second() -> None:
    summer = timezone(timedelta(hours=1))
    submitted = datetime(2026, 7, 1, 10, 0, 0, 999999, tzinfo=summer)
    _, (line,) = parse(write_output([row(0)], summary(submitted_at=submitted, started_at=None)))
    assert line["SubmittedAt"] == "2026-07-01T09:00:00Z"
    assert line["StartedAt"] == ""


def test_a_naive_time_is_refused_rather_than_guessed() -> None:
    with pytest.raises(ValueError, match="time zone"):
        write_output([row(0)], summary(submitted_at=datetime(2026, 3, 20, 9, 0)))


def test_lines_end_with_crlf_and_cells_with_commas_are_quoted() -> None:
    text = write_output([row(0, fields=fields(notes='Said "hello", then left'))], summary())
    assert text.count("\r\n") == 2
    assert '"Said ""hello"", then left"' in text
    _, (line,) = parse(text)
    assert line["Notes"] == 'Said "hello", then left'


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


# Verify batches ----------------------------------------------------------------------------


def verify_row(
    position: int, code: str | None, flags: Sequence[str] = (), **over: object
) -> OutputRow:
    given = {
        "uln": "1234567899",
        "mis_identifier": f"V-{position}",
        "given_name": "Siân",
        "family_name": "Llewellyn",
        "date_of_birth": "2008-05-01",
        "gender": "2",
    }
    base = OutputRow(
        position=position,
        line=position + 2,
        mis_identifier=f"V-{position}",
        fields=given,
        return_code=code,
        message=None,
        uln="1234567899",
        candidate_ulns=(),
        flags=tuple(flags),
    )
    return replace(base, **over)  # type: ignore[arg-type]


def verify_summary() -> OutputSummary:
    return summary(totals={"WSVRC001": 1, "WSVRC005": 1, "WSVRC006": 1, "RC011": 1, PENDING: 1})


def test_verification_header() -> None:
    header, _ = parse(verification_output([verify_row(0, "WSVRC001")], verify_summary()))
    assert header == [*SUMMARY, *VERIFY_TOTALS, *VERIFY_ROW]
    assert tuple(header) == VERIFICATION_COLUMNS
    assert VERIFY_TOTALS[:6] == [f"WSVRC00{n}" for n in range(1, 7)]


def test_verification_rows_and_totals_per_code() -> None:
    rows = [
        verify_row(3, None),
        verify_row(0, "WSVRC001"),
        verify_row(1, "WSVRC005", ["VRF1", "VRF7"]),
        verify_row(2, "WSVRC006", uln=None, fields={"uln": "9999999999", "given_name": "Ann"}),
        verify_row(4, "RC011", message="DateOfBirth: not a date (YYYY-MM-DD)"),
    ]
    _, lines = parse(verification_output(rows, verify_summary()))
    first = lines[0]
    assert [first[c] for c in VERIFY_TOTALS] == ["1", "0", "0", "0", "1", "1", "1", "1"]
    assert first["TotalRows"] == "5"
    assert all(line[c] == "" for line in lines[1:] for c in SUMMARY + VERIFY_TOTALS)
    assert [line["ResponseCode"] for line in lines] == [
        "WSVRC001",
        "WSVRC005",
        "WSVRC006",
        "",
        "RC011",
    ]
    match, failed, unknown, pending, malformed = lines
    assert match["Message"] == VERIFICATION_CODES["WSVRC001"].meaning
    assert match["FailureFlags"] == ""
    assert (match["GivenName"], match["FamilyName"]) == ("Siân", "Llewellyn")
    assert (match["DateOfBirth"], match["Gender"]) == ("2008-05-01", "2")
    assert (match["MISIdentifier"], match["ULN"], match["Line"]) == ("V-0", "1234567899", "2")
    assert match["FoundULN"] == "1234567899"
    assert failed["FailureFlags"] == "VRF1 VRF7"
    assert failed["FoundULN"] == ""  # a claim that does not match learns nothing more
    assert unknown["ULN"] == "9999999999"  # the ULN given, though it is on no record
    assert unknown["FoundULN"] == ""
    assert (unknown["GivenName"], unknown["FamilyName"]) == ("Ann", "")
    assert pending["Message"] == NOT_PROCESSED
    assert malformed["Message"] == "DateOfBirth: not a date (YYYY-MM-DD)"


def test_a_linked_match_shows_the_uln_found_beside_the_uln_given() -> None:
    linked = verify_row(0, "WSVRC002", uln="1000000010")
    _, (line,) = parse(verification_output([linked], verify_summary()))
    assert (line["ULN"], line["FoundULN"]) == ("1234567899", "1000000010")


def test_verification_cells_are_neutralised() -> None:
    evil = "=cmd|' /C calc'!A0"
    hostile = {"given_name": evil, "family_name": "@SUM(A1)", "uln": "+1"}
    rows = [verify_row(0, "WSVRC005", ["VRF1"], fields=hostile, mis_identifier="-1")]
    _, (line,) = parse(verification_output(rows, verify_summary()))
    assert line["GivenName"] == "'" + evil
    assert line["FamilyName"] == "'@SUM(A1)"
    assert line["ULN"] == "'+1"
    assert line["MISIdentifier"] == "'-1"
