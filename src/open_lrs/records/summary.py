"""The enrolment check: what a provider needs to place a learner on the right course. Pure.

* The highest level of any qualification achieved (units are not qualifications; U and Fail are
  not achievements; provisional results count, and say so).
* English and mathematics: the level reached in each, from GCSEs (grade 4 or above, or C or
  above before 2017, is level 2; grades 1 to 3 are level 1) and Functional Skills (the level
  passed), and whether the learner holds a GCSE at grade 4 or above, the usual condition of
  funding rules for not continuing the subject.
* The qualifications held, grouped by level, highest first.

A qualification is English or mathematics by its title, as LARS titles name them ("GCSE (9-1)
in English Language", "Functional Skills qualification in Mathematics at Level 1"); English for
speakers of other languages (ESOL) is not English in this sense.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from open_lrs.records import grades, levels

_ENGLISH = re.compile(r"\benglish\b", re.IGNORECASE)
_ESOL = re.compile(r"speakers of other languages|\besol\b", re.IGNORECASE)
_MATHS = re.compile(r"\bmath(?:s|ematics)\b", re.IGNORECASE)
_GCSE_LEVEL_2_POINTS = 4


@dataclass(frozen=True)
class Held:
    """An achievement, as the summary needs it."""

    subject_code: str
    subject: str
    qualification_type: str
    level: str
    grade: str | None
    award_date: date | None
    status: str


@dataclass(frozen=True)
class SubjectLevel:
    level: str | None
    gcse_grade_4_or_above: bool
    best: Held | None


@dataclass(frozen=True)
class Summary:
    highest_level: str | None
    english: SubjectLevel
    mathematics: SubjectLevel
    by_level: list[tuple[str, list[Held]]]


def is_qualification_passed(held: Held) -> bool:
    if held.qualification_type == grades.QCF_UNIT:
        return False
    return held.grade is None or grades.passed(held.qualification_type, held.grade)


def is_english(title: str) -> bool:
    return bool(_ENGLISH.search(title)) and not _ESOL.search(title)


def is_mathematics(title: str) -> bool:
    return bool(_MATHS.search(title))


def _subject_level(held: Held) -> str | None:
    """The level ``held`` shows in its subject: a GCSE by its grade, Functional Skills by the
    level of the qualification passed; None for anything else."""
    if held.qualification_type == grades.GCSE and held.grade:
        points = grades.gcse_points(held.grade)
        if points >= _GCSE_LEVEL_2_POINTS:
            return "2"
        return "1" if points > 0 else None
    if held.qualification_type == grades.FS:
        return held.level
    return None


def _gcse_4_or_above(held: Held) -> bool:
    return (
        held.qualification_type == grades.GCSE
        and held.grade is not None
        and grades.gcse_points(held.grade) >= _GCSE_LEVEL_2_POINTS
    )


def _subject(passed: list[Held], belongs: Callable[[str], bool]) -> SubjectLevel:
    relevant = [
        (level, h)
        for h in passed
        if belongs(h.subject) and (level := _subject_level(h)) is not None
    ]
    if not relevant:
        return SubjectLevel(None, gcse_grade_4_or_above=False, best=None)
    level, best = max(
        relevant,
        key=lambda lh: (
            levels.rank(lh[0]),
            grades.grade_rank(lh[1].qualification_type, lh[1].grade or ""),
            lh[1].award_date or date.min,
        ),
    )
    return SubjectLevel(level, any(_gcse_4_or_above(h) for _, h in relevant), best)


def summarise(achievements: Iterable[Held]) -> Summary:
    passed = [h for h in achievements if is_qualification_passed(h)]
    by_level: dict[str, list[Held]] = {}
    for held in passed:
        by_level.setdefault(held.level, []).append(held)
    ordered = sorted(by_level.items(), key=lambda item: levels.rank(item[0]), reverse=True)
    return Summary(
        highest_level=ordered[0][0] if ordered else None,
        english=_subject(passed, is_english),
        mathematics=_subject(passed, is_mathematics),
        by_level=[
            (level, sorted(held, key=lambda h: (h.qualification_type, h.subject)))
            for level, held in ordered
        ],
    )
