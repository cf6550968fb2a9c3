"""Request and response schemas of the batch API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from open_lrs.core.text import has_control_chars


def _printable(value: str | None) -> str | None:
    """Cells are checked field by field when their row is processed; control characters are
    refused at once, as a file holding them would be, since no field may store them."""
    if value is not None and has_control_chars(value, multiline=True):
        raise ValueError("must not contain control characters")
    return value


Cell = Annotated[str | None, Field(default=None, max_length=4000), AfterValidator(_printable)]


class BatchTotals(BaseModel):
    new: int = Field(description="RC001, RC012: ULNs issued")
    existing: int = Field(description="RC002, RC003, RC009, RC010: learners already registered")
    possible_match: int = Field(description="RC004, RC005: exceptions waiting for a person")
    not_found: int = Field(description="RC014: check-only rows with no learner found")
    rejected: int = Field(description="RC006, RC007, RC008, RC011, RC013")
    pending: int = Field(description="Rows not processed yet")


class BatchStatus(BaseModel):
    id: int
    kind: Literal["registration", "verification"]
    source: Literal["file", "web_service"]
    job_type: Literal["FUL", "CHK"]
    file_name: str | None
    status: Literal["queued", "running", "complete"]
    lrs_code: str = Field(description="WSRC0007 submitted, WSRC0008 incomplete, WSRC0009 done")
    row_count: int
    rows_done: int
    totals: BatchTotals | None = Field(
        description="Rows by outcome (registration batches); verification batches count codes"
    )
    codes: dict[str, int] = Field(description="Rows by return code")
    submitted_at: datetime
    run_after: datetime = Field(description="When the batch may start (processing windows)")
    runs: str = Field(description="When it will run, in words")
    started_at: datetime | None
    finished_at: datetime | None
    duplicate_of: int | None = Field(description="The earlier batch of the same file, if any")
    erased_at: datetime | None = Field(
        description="When the learners' details sent in the file were erased (kept "
        "LRS_BATCH_RETENTION_DAYS after the batch finished); the output then has them blank"
    )


class JobLearner(BaseModel):
    """One learner of a web-service job: the columns of a batch file, as JSON. Each row is
    checked when processed, so one bad learner is answered with its return code and does not
    refuse the job."""

    model_config = ConfigDict(extra="forbid")

    mis_identifier: Cell
    uln: Cell
    title: Cell
    given_name: Cell
    preferred_given_name: Cell
    middle_other_name: Cell
    family_name: Cell
    previous_family_name: Cell
    family_name_at_age_16: Cell
    school_at_age_16: Cell
    address_line_1: Cell
    address_line_2: Cell
    address_town: Cell
    address_county_or_city: Cell
    postcode: Cell
    date_of_address_capture: Cell
    date_of_birth: Cell
    place_of_birth: Cell
    email: Cell
    gender: Cell
    nationality: Cell
    scottish_candidate_number: Cell
    ability_to_share: Cell
    verification_type: Cell
    other_verification_description: Cell
    notes: Cell


class RegistrationJob(BaseModel):
    model_config = ConfigDict(extra="forbid")

    job_type: Literal["FUL", "CHK"] = Field(
        default="FUL", description="FUL registers learners not found; CHK only looks them up"
    )
    learners: list[JobLearner] = Field(min_length=1, max_length=200)


class VerifyRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mis_identifier: Cell
    uln: Cell
    given_name: Cell
    family_name: Cell
    date_of_birth: Cell
    gender: Cell


class VerificationJob(BaseModel):
    model_config = ConfigDict(extra="forbid")

    records: list[VerifyRecord] = Field(min_length=1, max_length=200)


class BatchRowOut(BaseModel):
    position: int = Field(description="0-based position in the file or job")
    line: int | None = Field(description="Line of the file where the row starts")
    mis_identifier: str | None
    state: Literal["pending", "done", "exception"]
    return_code: str | None
    message: str | None
    uln: str | None
    candidate_ulns: list[str]
    failure_flags: list[str]
