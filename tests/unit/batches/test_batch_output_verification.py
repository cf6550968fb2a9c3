"""The output file of a verify batch: each learner's response code, and the totals per code."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from open_lrs.batches.codes import PENDING, VERIFICATION_CODES
from open_lrs.batches.output import (
    NOT_PROCESSED,
    VERIFICATION_COLUMNS,
    OutputRow,
    OutputSummary,
    verification_output,
)
from tests.unit.batches.output_helpers import SUMMARY, parse, summary

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
