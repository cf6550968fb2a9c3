"""Qualification grades: the grades of each type, their order, and what counts as passed."""

from __future__ import annotations

import pytest
from hypothesis import given

from open_lrs.records.grades import (
    BTEC,
    DIPLOMA_14_19,
    ELC,
    FS,
    GCE_A,
    GCE_AS,
    GCSE,
    NVQ,
    OTHER,
    QCF_AWARD,
    QCF_CERTIFICATE,
    QCF_DIPLOMA,
    QCF_UNIT,
    accepted_grades,
    gcse_points,
    grade_rank,
    passed,
)
from tests.unit.records.grades_helpers import canonical_grades


def test_the_types_have_the_grades_of_their_rules() -> None:
    assert set(accepted_grades(GCE_A)) == {"A*", "A", "B", "C", "D", "E", "U"}
    assert set(accepted_grades(GCE_AS)) == {"A", "B", "C", "D", "E", "U"}
    assert set(accepted_grades(DIPLOMA_14_19)) == set(accepted_grades(GCE_A))
    assert set(accepted_grades(FS)) == set(accepted_grades(ELC)) == {"Pass", "Fail"}
    assert set(accepted_grades(NVQ)) == {"Pass", "Achieved"}
    for code in (QCF_AWARD, QCF_CERTIFICATE, QCF_DIPLOMA, QCF_UNIT):
        assert set(accepted_grades(code)) == {"Pass", "Achieved", "Merit", "Distinction"}
    assert accepted_grades(OTHER) == ()


def test_gcse_grades_are_numbers_letters_and_double_awards() -> None:
    gcse = set(accepted_grades(GCSE))
    numbers = {str(n) for n in range(1, 10)}
    letters = {"A*", "A", "B", "C", "D", "E", "F", "G"}
    doubles = {f"{n}-{n}" for n in range(1, 10)} | {f"{n}-{n - 1}" for n in range(2, 10)}
    letter_doubles = {"A*A*", "A*A", "AA", "AB", "BB", "BC", "CC", "CD", "DD"}
    letter_doubles |= {"DE", "EE", "EF", "FF", "FG", "GG"}
    assert gcse == numbers | letters | {"U"} | doubles | letter_doubles
    assert len(doubles) == 17


def test_btec_grades_are_words_and_neighbouring_doubles_and_triples() -> None:
    btec = set(accepted_grades(BTEC))
    assert {"Pass", "Merit", "Distinction", "Distinction*", "U"} <= btec
    assert {"D*D*", "D*D", "DD", "DM", "MM", "MP", "PP"} <= btec
    assert {"D*D*D*", "D*D*D", "D*DD", "DDD", "DDM", "DMM", "MMM", "MMP", "MPP", "PPP"} <= btec
    assert len(btec) == 5 + 7 + 10


@pytest.mark.parametrize(
    ("code", "low_to_high"),
    [
        (GCSE, ["U", "1", "2", "3", "4", "5", "6", "7", "8", "9"]),
        (GCSE, ["U", "G", "F", "E", "D", "C", "B", "A", "A*"]),
        (GCSE, ["1", "F", "2"]),
        (GCSE, ["3", "C", "5"]),
        (GCSE, ["4", "B", "6"]),
        (GCSE, ["6", "A", "8"]),
        (GCSE, ["8", "A*", "9"]),
        (GCSE, ["1-1", "2-1", "2-2", "8-8", "9-8", "9-9"]),
        (GCSE, ["GG", "FG", "CC", "A*A", "A*A*"]),
        (GCE_A, ["U", "E", "D", "C", "B", "A", "A*"]),
        (GCE_AS, ["U", "E", "A"]),
        (BTEC, ["U", "Pass", "Merit", "Distinction", "Distinction*"]),
        (BTEC, ["PP", "MP", "MM", "DM", "DD", "D*D", "D*D*"]),
        (BTEC, ["PPP", "MPP", "MMP", "MMM", "DMM", "DDM", "DDD", "D*DD", "D*D*D", "D*D*D*"]),
        (FS, ["Fail", "Pass"]),
        (QCF_UNIT, ["Pass", "Merit", "Distinction"]),
        (DIPLOMA_14_19, ["U", "E", "C", "A", "A*"]),
        (ELC, ["Fail", "Pass"]),
    ],
)
def test_grades_rank_in_order(code: str, low_to_high: list[str]) -> None:
    ranks = [grade_rank(code, g) for g in low_to_high]
    assert ranks == sorted(ranks)
    assert len(set(ranks)) == len(ranks)


@pytest.mark.parametrize(
    ("code", "equal"),
    [
        (GCSE, ["9", "9-9"]),
        (GCSE, ["7", "A", "7-7", "AA"]),
        (GCSE, ["4", "C", "4-4"]),
        (GCSE, ["1", "G"]),
        (GCSE, ["A*", "9-8"]),
        (BTEC, ["Pass", "PP", "PPP"]),
        (BTEC, ["Distinction*", "D*D*", "D*D*D*"]),
        (NVQ, ["Pass", "Achieved"]),
        (QCF_AWARD, ["Pass", "Achieved"]),
    ],
)
def test_grades_of_equal_worth_rank_equal(code: str, equal: list[str]) -> None:
    assert len({grade_rank(code, g) for g in equal}) == 1


def test_grade_rank_accepts_any_spelling_and_ranks_no_grade_and_other_grades_zero() -> None:
    assert grade_rank(GCSE, "a*") == grade_rank(GCSE, "A*")
    assert grade_rank(GCSE, None) == 0
    assert grade_rank(GCSE, "") == 0
    assert grade_rank(OTHER, "Grade 8") == 0
    with pytest.raises(ValueError, match="is not a grade for GCSE"):
        grade_rank(GCSE, "Z")


@pytest.mark.parametrize(
    ("code", "grade", "achieved"),
    [
        (GCSE, "U", False),
        (GCSE, "1", True),
        (GCSE, "G", True),
        (GCSE, "9-9", True),
        (GCE_A, "U", False),
        (GCE_A, "e", True),
        (GCE_AS, "U", False),
        (BTEC, "U", False),
        (BTEC, "PP", True),
        (FS, "Fail", False),
        (FS, "pass", True),
        (ELC, "Fail", False),
        (ELC, "Pass", True),
        (NVQ, "Achieved", True),
        (QCF_UNIT, "Pass", True),
        (DIPLOMA_14_19, "U", False),
        (OTHER, "Fail", False),
        (OTHER, "u", False),
        (OTHER, "Not achieved", False),
        (OTHER, "Credit", True),
    ],
)
def test_u_and_fail_are_not_achievements(code: str, grade: str, achieved: bool) -> None:
    assert passed(code, grade) is achieved


def test_passed_refuses_a_grade_the_type_has_not() -> None:
    with pytest.raises(ValueError, match="is not a grade for Functional Skills"):
        passed(FS, "Merit")


@pytest.mark.parametrize(
    ("grade", "points"),
    [
        *((str(n), n) for n in range(1, 10)),
        ("A*", 8),
        ("a", 7),
        ("B", 5),
        ("C", 4),
        ("D", 3),
        ("E", 2),
        ("F", 1),
        ("G", 1),
        ("U", 0),
        ("9-8", 9),
        ("4-3", 4),
        ("1-1", 1),
        ("A*A", 8),
        ("CD", 4),
        ("GG", 1),
    ],
)
def test_gcse_points_follow_ofqual_anchors(grade: str, points: int) -> None:
    assert gcse_points(grade) == points


def test_gcse_points_take_gcse_grades_only() -> None:
    with pytest.raises(ValueError, match="is not a grade for GCSE"):
        gcse_points("Distinction")


@given(canonical_grades)
def test_only_no_achievement_ranks_zero(code_and_grade: tuple[str, str]) -> None:
    code, grade = code_and_grade
    assert passed(code, grade) is (grade_rank(code, grade) > 0)
