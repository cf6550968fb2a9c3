"""Request and response schemas for the Personal Learning Record, separate from the ORM models.

Field names follow the LRS ``LearningEvent`` (``GetLearnerLearningEvents``) in snake case.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from open_lrs.learners.schemas import Gender, IsoDate, Name

Form = Literal["FULL", "BRIEF"]
YesNo = Literal["Y", "N"]
Purpose = Annotated[str, Field(min_length=1, max_length=200)]


class LearningEventBrief(BaseModel):
    id: int
    subject_code: str = Field(description="Learning aim reference or Ofqual unit reference")
    subject: str
    qualification_type: str
    level: str = Field(description="E1, E2, E3 (Entry sub-levels) or 1 to 8")
    credits: int | None
    grade: str | None
    kind: Literal["achievement", "participation"]
    achievement_award_date: date | None
    status: Literal["F", "P"] = Field(description="F final, P provisional")
    source: str = Field(description="ILR, NPD (school results) or AO (awarding organisation)")
    under_data_challenge: YesNo


class LearningEventFull(LearningEventBrief):
    awarding_organisation_name: str | None
    awarding_organisation_ukprn: str | None
    achievement_provider_name: str | None
    achievement_provider_ukprn: str | None
    participation_start_date: date | None
    participation_end_date: date | None
    language_for_assessment: str | None
    date_loaded: datetime
    collection_type: str | None
    return_number: str | None
    superseded_at: datetime | None = Field(
        None, description="When a correction replaced this event (only with history=true)"
    )


class LearningEventsResponse(BaseModel):
    lrs_code: str = Field(description="WSRC0004 found; WSRC0022 a linked ULN's master answered")
    incoming_uln: str
    found_uln: str
    master_substituted: bool
    form: Form
    restricted: bool = Field(
        description="True when the learner has not agreed to share their record: only the "
        "events your organisation sent or awarded are shown"
    )
    events: list[LearningEventFull] | list[LearningEventBrief]


class QualificationHeld(BaseModel):
    subject_code: str
    subject: str
    qualification_type: str
    grade: str | None
    achievement_award_date: date | None
    status: Literal["F", "P"]


class LevelHeld(BaseModel):
    level: str
    label: str
    qualifications: list[QualificationHeld]


class SubjectResult(BaseModel):
    level: str | None = Field(description="The level reached in the subject (None: no result)")
    label: str | None
    gcse_grade_4_or_above: bool = Field(
        description="A GCSE at grade 4 or above (C or above before 2017), the usual condition "
        "for not having to continue the subject"
    )
    best: QualificationHeld | None


class EnrolmentSummary(BaseModel):
    incoming_uln: str
    found_uln: str
    restricted: bool
    highest_level: str | None
    highest_level_label: str | None
    english: SubjectResult
    mathematics: SubjectResult
    by_level: list[LevelHeld]


class ChallengeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    given_name: Name
    family_name: Name
    date_of_birth: IsoDate | None = None
    gender: Gender | None = None
    reason: Annotated[str, Field(min_length=5, max_length=2000)]


class ChallengeAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Annotated[str, Field(min_length=1, max_length=2000)]


class DataChallengePublic(BaseModel):
    id: int
    event_id: int
    subject_code: str
    raised_by: str
    reason: str
    raised_at: datetime
    resolution: Literal["confirmed", "corrected"] | None
    resolution_note: str | None
    resolved_at: datetime | None
