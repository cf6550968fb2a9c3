"""The registration output file: what a provider's spreadsheet will read back."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from open_lrs.batches.codes import RETURN_CODES
from open_lrs.batches.columns import COLUMN_TO_FIELD, LEARNER_COLUMNS
from open_lrs.batches.output import NOT_PROCESSED, OUTPUT_COLUMNS, write_output
from tests.unit.batches.output_helpers import (
    REGISTRATION_TOTALS,
    ROW,
    SUMMARY,
    fields,
    parse,
    row,
    summary,
)

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
