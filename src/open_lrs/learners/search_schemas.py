"""Request and response schemas for finding learners by demographics."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from open_lrs.learners.schemas import (
    Blank,
    DateOfBirth,
    Gender,
    LearnerPublic,
    OptEmail,
    OptName,
    OptText35,
    OptText254,
    Postcode,
)

# Without these a search could only be answered with thousands of namesakes (WSRC0015).
MANDATORY = ("given_name", "family_name", "date_of_birth")


class SearchRequest(BaseModel):
    """The details to search by. Given name, family name and date of birth are required
    (a missing one answers `insufficient_data`, WSRC0015); gender and postcode should be given
    when known (`ZZ99 9ZZ` or nothing when not)."""

    model_config = ConfigDict(extra="forbid")

    given_name: OptName = Field(default=None, description="May include middle names")
    family_name: OptName
    date_of_birth: Annotated[DateOfBirth | None, Blank] = None
    gender: Annotated[Gender | None, Blank] = None
    postcode: Annotated[Postcode | None, Blank] = None
    previous_family_name: OptName
    school_at_age_16: OptText254
    place_of_birth: OptText35
    email: OptEmail

    def missing(self) -> list[str]:
        return [f for f in MANDATORY if getattr(self, f) is None]


Agreement = Literal[
    "exact",
    "nickname",
    "similar",
    "phonetic",
    "middle_name",
    "initial",
    "short_form",
    "prefix",
    "short_edit",
    "previous_family_name",
    "part",
    "swapped",
    "one_digit",
    "year_off_by_one",
    "same_sector",
    "same_district",
    "different",
    "missing",
]


class FieldExplanation(BaseModel):
    field: str = Field(examples=["forename"])
    agreement: Agreement = Field(description="How the field agreed, strongest level that held")
    weight: float = Field(description="Log2 likelihood ratio added to the score")
    searched: str | None = Field(description="The value searched for")
    found: str | None = Field(description="The learner's value that it was compared with")


class Match(BaseModel):
    uln: str = Field(description="The learner's ULN (the master's, for a linked learner)")
    score: float = Field(description="Sum of the field weights")
    master_substituted: bool = Field(
        description="True when the details matched a ULN merged into this master"
    )
    matched_uln: str = Field(description="The ULN whose details matched (may be a linked one)")
    learner: LearnerPublic
    explanation: list[FieldExplanation]


class Thresholds(BaseModel):
    auto_match: float = Field(description="A score at or above this can match on its own")
    review: float = Field(description="A candidate scoring below this is not shown")


class SearchResponse(BaseModel):
    code: Literal["exact_match", "possible_matches", "no_match", "too_many_matches"]
    lrs_code: Literal["WSRC0004", "WSRC0003", "WSRC0001", "WSRC0002"]
    model_version: str = Field(description="The matching model's version that scored this")
    thresholds: Thresholds = Field(
        description="The thresholds this search was decided by: the model's, raised on a "
        "register larger than the one they were chosen for (see docs/matching.md)"
    )
    matches: list[Match] = Field(
        description="exact_match: one; possible_matches: 1 to 10, best first; otherwise none"
    )
