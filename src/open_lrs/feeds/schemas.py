"""Request and response schemas for feed loads and the feed-exceptions queue."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from open_lrs.feeds.loading import LoadReport
from open_lrs.learners.schemas import Uln

_Text = Annotated[str | None, Field(default=None, max_length=255)]


class AchievementIn(BaseModel):
    """One award, with the columns of the awarding organisation CSV file (docs/feeds.md) as
    its field names; checked by the same rules as a row of the file."""

    model_config = ConfigDict(extra="forbid")

    ULN: _Text
    GivenName: _Text
    FamilyName: _Text
    DateOfBirth: _Text
    Gender: _Text
    SubjectCode: _Text
    SubjectTitle: _Text
    Grade: _Text
    Credits: _Text
    Level: _Text
    AwardDate: _Text
    Status: _Text
    ProviderUKPRN: _Text
    LanguageForAssessment: _Text


class AchievementsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    awards: list[AchievementIn] = Field(min_length=1, max_length=5000)


class ProblemOut(BaseModel):
    line: int | None = Field(description="The record's line in the file (item number in a call)")
    field: str
    message: str
    code: str


class LoadReportOut(BaseModel):
    load_id: int
    source: str
    records: int
    loaded: int = Field(description="New events")
    superseded: int = Field(description="Events that replaced an earlier version")
    unchanged: int = Field(description="Already recorded exactly so (a file loaded again)")
    rejected: int = Field(description="Records refused: see problems")
    unmatched: int = Field(description="Awards waiting in the feed-exceptions queue")
    problems: list[ProblemOut]

    @classmethod
    def of(cls, report: LoadReport) -> LoadReportOut:
        return cls(
            load_id=report.load_id,
            source=report.source,
            **{k: v for k, v in report.counts().items()},
            problems=[
                ProblemOut(line=p.line, field=p.field, message=p.message, code=p.code)
                for p in report.problems[:1000]
            ],
        )


class WaitingAwardOut(BaseModel):
    id: int
    feed_load_id: int
    source: str
    line: int | None
    record_key: str
    reason: str
    message: str
    subject_code: str
    given_name: str | None
    family_name: str | None
    date_of_birth: date | None
    uln_given: str | None
    candidate_ulns: list[str]
    status: str
    created_at: datetime


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uln: Uln
    reason: Annotated[str, Field(min_length=5, max_length=2000)]


class DismissIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, Field(min_length=5, max_length=2000)]
