"""The enrolment summary's rules: levels, English and mathematics, what counts as achieved."""

from __future__ import annotations

from datetime import date

import pytest

from open_lrs.records.summary import Held, is_english, is_mathematics, summarise


def held(subject: str, qtype: str, level: str, grade: str | None, **kw: object) -> Held:
    return Held(
        subject_code=str(kw.get("code", subject[:8])),
        subject=subject,
        qualification_type=qtype,
        level=level,
        grade=grade,
        award_date=date(2024, 8, 22),
        status=str(kw.get("status", "F")),
    )


@pytest.mark.parametrize(
    ("title", "english", "maths"),
    [
        ("GCSE (9-1) in English Language", True, False),
        ("GCSE in English Literature", True, False),
        ("ESOL Skills for Life (Speaking and Listening)", False, False),
        ("Certificate in English for Speakers of Other Languages", False, False),
        ("Functional Skills Qualification in Mathematics at Level 1", False, True),
        ("GCSE Maths", False, True),
        ("Diploma in Mathematical Engineering", False, False),
    ],
)
def test_subjects_by_title(title: str, english: bool, maths: bool) -> None:
    assert (is_english(title), is_mathematics(title)) == (english, maths)


def test_nothing_achieved() -> None:
    summary = summarise([])
    assert summary.highest_level is None
    assert summary.english.level is None
    assert summary.english.best is None
    assert summary.by_level == []


def test_levels_grades_and_functional_skills() -> None:
    summary = summarise(
        [
            held("GCSE (9-1) in English Language", "GCSE", "2", "3"),
            held("Functional Skills Qualification in English at Level 2", "FS", "2", "Pass"),
            held("GCSE (9-1) in Mathematics", "GCSE", "2", "C"),
            held("GCE A level in History", "GCE_A", "3", "U"),  # not achieved
            held("Plumbing unit", "QCF_UNIT", "3", "Pass"),  # a unit, not a qualification
            held("BTEC National Diploma in Sport", "BTEC", "3", "DMM"),
        ]
    )
    assert summary.highest_level == "3"
    # English: level 2 from Functional Skills, but no GCSE at 4 or above.
    assert (summary.english.level, summary.english.gcse_grade_4_or_above) == ("2", False)
    assert summary.english.best is not None
    assert summary.english.best.qualification_type == "FS"
    # A legacy C is grade 4: level 2 and the usual condition met.
    assert (summary.mathematics.level, summary.mathematics.gcse_grade_4_or_above) == ("2", True)
    assert [level for level, _ in summary.by_level] == ["3", "2"]
    assert [h.subject for h in summary.by_level[0][1]] == ["BTEC National Diploma in Sport"]


def test_the_best_english_result_wins_and_a_low_gcse_is_level_1() -> None:
    low = summarise([held("GCSE English Language", "GCSE", "2", "2")])
    assert low.english.level == "1"
    entry = summarise(
        [
            held("Functional Skills English at Entry 3", "FS", "E3", "Pass"),
            held("Functional Skills English at Level 1", "FS", "1", "Pass"),
            held("Functional Skills English at Level 1 (resit)", "FS", "1", "Fail"),
        ]
    )
    assert entry.english.level == "1"
    assert entry.english.best is not None
    assert entry.english.best.grade == "Pass"
    ungraded_gcse = summarise([held("GCSE English Language", "GCSE", "2", "U")])
    assert ungraded_gcse.english.level is None
