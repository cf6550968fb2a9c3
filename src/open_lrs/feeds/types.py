"""What every feed reader produces, whatever its file looked like. Pure.

A reader turns a file into ``Award``s (one per achievement or participation it reports) and
``RecordProblem``s (records it could not read, each named by line and field). A file that cannot
be trusted as a whole (not XML, wrong schema, not CSV, wrong header) raises ``FeedRejected``
instead, and nothing of it is loaded. What an award is (its kind and status) is the record's
(``records.kinds``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from open_lrs.records.kinds import ACHIEVEMENT, FINAL, Kind, Source, Status


@dataclass(frozen=True)
class LearnerIdentity:
    """Who an award is for, as the feed states it. ``gender`` is an LRS code (0, 1, 2, 9);
    ``uln`` is as given, including the temporary 9999999999, or None when absent."""

    uln: str | None
    given_name: str | None
    family_name: str | None
    date_of_birth: date | None
    gender: str | None = None
    postcode: str | None = None


@dataclass(frozen=True)
class Award:
    """One achievement (or participation) reported by a feed.

    ``record_key`` identifies the award within its source and organisation, so that loading the
    same file again changes nothing and a later load with the same key supersedes this one
    (a final result after a provisional one, an awarding organisation's correction).
    """

    record_key: str
    line: int | None
    learner: LearnerIdentity
    subject_code: str
    kind: Kind = ACHIEVEMENT
    status: Status = FINAL
    grade: str | None = None
    award_date: date | None = None
    participation_start: date | None = None
    participation_end: date | None = None
    provider_ukprn: str | None = None
    awarding_organisation_ukprn: str | None = None
    # Stated by some feeds; when None the catalogue's values are used.
    credits: int | None = None
    level: str | None = None
    qualification_type: str | None = None
    subject_title: str | None = None
    language: str | None = None
    # ILR only: which return of the year it came from.
    collection_type: str | None = None
    return_number: str | None = None


@dataclass(frozen=True)
class RecordProblem:
    """A record of the file that was not loaded, and why; ``field`` names the element or
    column (``"Learner[LearnRefNumber=12]/ULN"``, ``"Grade"``)."""

    line: int | None
    field: str
    message: str
    code: str = "invalid"


@dataclass(frozen=True)
class FeedFile:
    """A feed file read: its awards in file order, the records it could not read, and what the
    file says about itself (its UKPRN, year, serial number)."""

    source: Source
    awards: list[Award]
    problems: list[RecordProblem] = field(default_factory=list)
    ukprn: str | None = None
    details: dict[str, str] = field(default_factory=dict)


class FeedRejected(Exception):
    """The file as a whole cannot be loaded; ``problems`` say where and why."""

    def __init__(self, message: str, problems: list[RecordProblem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []


def award_to_json(award: Award) -> dict[str, Any]:
    """An award as JSON, to wait in the exceptions queue until a person settles its learner."""
    return json.loads(json.dumps(asdict(award), default=date.isoformat))  # type: ignore[no-any-return]


def award_from_json(data: dict[str, Any]) -> Award:
    def day(value: str | None) -> date | None:
        return date.fromisoformat(value) if value else None

    learner = data["learner"]
    return Award(
        **{
            **data,
            "learner": LearnerIdentity(
                **{**learner, "date_of_birth": day(learner["date_of_birth"])}
            ),
            "award_date": day(data["award_date"]),
            "participation_start": day(data["participation_start"]),
            "participation_end": day(data["participation_end"]),
        }
    )
