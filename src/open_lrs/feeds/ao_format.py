"""An awarding organisation's load of unit and qualification awards (domain.md §6). Pure.

The load is filed by ULN and checked against the register with the learner's names, as the
LRS did, so a ULN and both names are required; the awarding organisation is whoever sends
the load, never a column, so that one organisation cannot file results as another.

``read_ao_csv`` reads a file and ``award_of`` one record; the JSON API
(``POST /api/v1/achievements``) calls ``award_of`` on each item, so that results sent either
way meet the same rules. The column order is free and optional columns may be left out (see
``csv_rows.header_problems``); docs/feeds.md is the page for the people who make the files.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from open_lrs.feeds import csv_rows
from open_lrs.feeds.csv_rows import Columns, Fields, Values
from open_lrs.feeds.types import Award, FeedFile, LearnerIdentity, RecordProblem
from open_lrs.learners import rules
from open_lrs.records.levels import parse_level

SOURCE: Final = "AO"
LANGUAGE_MAX_LENGTH = 35  # (ours)

COLUMNS = Columns(
    names=(
        "ULN",
        "GivenName",
        "FamilyName",
        "DateOfBirth",
        "Gender",
        "SubjectCode",
        "SubjectTitle",
        "Grade",
        "Credits",
        "Level",
        "AwardDate",
        "Status",
        "ProviderUKPRN",
        "LanguageForAssessment",
    ),
    required=frozenset({"ULN", "GivenName", "FamilyName", "SubjectCode", "AwardDate", "Status"}),
)


def record_key(uln: str, subject_code: str) -> str:
    """One award per learner and subject: a final result, or a correction, sent later under
    the same key supersedes the earlier one when it is loaded."""
    return f"{uln}/{subject_code}"


def _caller(awarding_organisation_ukprn: str) -> str:
    """The sender's UKPRN comes from its credentials, so a bad one is a caller's bug, never a
    record's fault: it is raised, not reported."""
    try:
        return csv_rows.ukprn(awarding_organisation_ukprn)
    except ValueError:
        raise ValueError(
            f"awarding_organisation_ukprn {awarding_organisation_ukprn!r} is not 8 digits"
        ) from None


def _grade(fields: Fields, subject_code: str | None) -> str | None:
    """A qualification is always graded (if only "Pass"); a unit may be achieved without one."""
    grade = fields.checked("Grade", csv_rows.grade)
    if fields.blank("Grade") and subject_code and not csv_rows.is_unit_reference(subject_code):
        fields.problem(
            "Grade", "is required for a qualification; only a unit may have none", "required"
        )
    return grade


def _language(value: str) -> str:
    return rules.name(value, max_length=LANGUAGE_MAX_LENGTH)


def award_of(
    values: Values,
    *,
    line: int | None,
    awarding_organisation_ukprn: str,
    today: date,
) -> Award | list[RecordProblem]:
    """One record (a CSV row or a JSON item, keyed by column name) as an award, or every
    problem it has. ``today`` bounds the dates: a result cannot be awarded in the future."""
    ao_ukprn = _caller(awarding_organisation_ukprn)
    f = Fields(values, line=line, columns=COLUMNS)
    learner = LearnerIdentity(
        uln=f.checked("ULN", csv_rows.uln),
        given_name=f.checked("GivenName", rules.name),
        family_name=f.checked("FamilyName", rules.name),
        date_of_birth=f.date("DateOfBirth", today=today),
        gender=f.checked("Gender", csv_rows.gender),
    )
    subject_code = f.checked("SubjectCode", csv_rows.subject_code)
    subject_title = f.checked("SubjectTitle", csv_rows.title)
    grade = _grade(f, subject_code)
    credit = f.checked("Credits", csv_rows.credits)
    level = f.checked("Level", parse_level)
    award_date = f.date("AwardDate", today=today)
    status = f.checked("Status", csv_rows.status)
    provider_ukprn = f.checked("ProviderUKPRN", csv_rows.ukprn)
    language = f.checked("LanguageForAssessment", _language)
    if f.problems:
        return f.problems
    # Required, so a blank one is among the problems.
    assert learner.uln is not None
    assert subject_code is not None
    assert status is not None
    return Award(
        record_key=record_key(learner.uln, subject_code),
        line=line,
        learner=learner,
        subject_code=subject_code,
        status=status,
        grade=grade,
        award_date=award_date,
        provider_ukprn=provider_ukprn,
        awarding_organisation_ukprn=ao_ukprn,
        credits=credit,
        level=level,
        subject_title=subject_title,
        language=language,
    )


def read_ao_csv(data: bytes, *, awarding_organisation_ukprn: str, today: date) -> FeedFile:
    """An awarding organisation's CSV load: every award it holds, and a problem for each record
    that is not one. Raises ``FeedRejected`` when the file as a whole cannot be read."""
    ao_ukprn = _caller(awarding_organisation_ukprn)
    awards, problems, encoding = csv_rows.read_awards(
        data,
        COLUMNS,
        lambda values, line: award_of(
            values, line=line, awarding_organisation_ukprn=ao_ukprn, today=today
        ),
    )
    return FeedFile(SOURCE, awards, problems, ukprn=ao_ukprn, details={"encoding": encoding})
