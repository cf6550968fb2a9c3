"""Qualification types and grades: one canonical spelling, an order, and what counts as passed."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from open_lrs.records import grades
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
    QUALIFICATION_TYPES,
    accepted_grades,
    check_level,
    check_size,
    gcse_points,
    grade_rank,
    normalise_grade,
    passed,
    qualification_type,
)
from open_lrs.records.levels import LEVELS

CODES = (
    GCSE,
    GCE_A,
    GCE_AS,
    FS,
    NVQ,
    BTEC,
    DIPLOMA_14_19,
    QCF_AWARD,
    QCF_CERTIFICATE,
    QCF_DIPLOMA,
    QCF_UNIT,
    ELC,
    OTHER,
)
GRADED = tuple(code for code in CODES if code != OTHER)
canonical_grades = st.sampled_from(GRADED).flatmap(
    lambda code: st.tuples(st.just(code), st.sampled_from(accepted_grades(code)))
)


def _respelled(grade: str, draw: st.DrawFn) -> str:
    """The grade as a careless sender might write it: any case, spaces around and inside."""
    cased = "".join(c.lower() if draw(st.booleans()) else c.upper() for c in grade)
    padding = st.sampled_from(["", " ", "  ", "\t"])
    return (
        draw(padding)
        + cased.replace("-", draw(st.sampled_from(["-", " - ", "–", " "])))
        + (draw(padding))
    )


@st.composite
def respelled_grades(draw: st.DrawFn) -> tuple[str, str, str]:
    code, grade = draw(canonical_grades)
    return code, grade, _respelled(grade, draw)


def test_the_type_codes_are_the_documented_ones() -> None:
    assert tuple(QUALIFICATION_TYPES) == CODES
    assert {QCF_AWARD, QCF_CERTIFICATE, QCF_DIPLOMA, QCF_UNIT} == grades.QCF_TYPES


@pytest.mark.parametrize(
    ("given_type", "code"),
    [
        ("GCSE", GCSE),
        ("gcse", GCSE),
        ("GCE A level", GCE_A),
        ("A level", GCE_A),
        ("AS level", GCE_AS),
        ("gce_as", GCE_AS),
        ("Functional Skills", FS),
        ("Diploma (14–19)", DIPLOMA_14_19),
        ("diploma 14-19", DIPLOMA_14_19),
        ("QCF certificate", QCF_CERTIFICATE),
        ("Entry Level Certificate", ELC),
        (" other ", OTHER),
    ],
)
def test_a_type_is_found_by_its_code_or_its_name(given_type: str, code: str) -> None:
    assert qualification_type(given_type).code == code


def test_an_unknown_type_names_the_codes() -> None:
    with pytest.raises(ValueError, match="is not a qualification type: give one of GCSE, GCE_A"):
        qualification_type("Baccalaureate")


@pytest.mark.parametrize(
    ("code", "given_grade", "canonical"),
    [
        (GCSE, "9", "9"),
        (GCSE, " 4 ", "4"),
        (GCSE, "a*", "A*"),
        (GCSE, "A star", "A*"),
        (GCSE, "c", "C"),
        (GCSE, "u", "U"),
        (GCSE, "Unclassified", "U"),
        (GCSE, "9-9", "9-9"),
        (GCSE, "9 - 8", "9-8"),
        (GCSE, "5–4", "5-4"),
        (GCSE, "98", "9-8"),
        (GCSE, "1-1", "1-1"),
        (GCSE, "a*a*", "A*A*"),
        (GCSE, "A* A", "A*A"),
        (GCSE, "gg", "GG"),
        (GCE_A, "a*", "A*"),
        (GCE_A, "e", "E"),
        (GCE_AS, "b", "B"),
        (BTEC, "distinction*", "Distinction*"),
        (BTEC, "Distinction Star", "Distinction*"),
        (BTEC, "d*", "Distinction*"),
        (BTEC, "p", "Pass"),
        (BTEC, "MERIT", "Merit"),
        (BTEC, "d*d", "D*D"),
        (BTEC, "D* D*", "D*D*"),
        (BTEC, "dm", "DM"),
        (BTEC, "pp", "PP"),
        (BTEC, "d*d*d*", "D*D*D*"),
        (BTEC, "mmm", "MMM"),
        (BTEC, "mmp", "MMP"),
        (FS, "pass", "Pass"),
        (FS, "F", "Fail"),
        (NVQ, "achieved", "Achieved"),
        (QCF_UNIT, "Pass", "Pass"),
        (QCF_DIPLOMA, "distinction", "Distinction"),
        (QCF_AWARD, "m", "Merit"),
        (DIPLOMA_14_19, "a*", "A*"),
        (ELC, "FAIL", "Fail"),
        (OTHER, "  Level  2 pass ", "Level 2 pass"),
        (OTHER, "Grade 8 (Merit)", "Grade 8 (Merit)"),
    ],
)
def test_grades_take_their_canonical_spelling(code: str, given_grade: str, canonical: str) -> None:
    assert normalise_grade(code, given_grade) == canonical


@pytest.mark.parametrize(
    ("code", "grade", "accepted"),
    [
        (GCSE, "H", "9 to 1, A* to G, U, or a double award"),
        (GCSE, "9-7", "9 to 1, A* to G"),
        (GCSE, "8-9", "9 to 1, A* to G"),
        (GCSE, "A*B", "A*A*, A*A … GG"),
        (GCSE, "10", "9 to 1"),
        (GCE_A, "F", "A*, A, B, C, D, E or U"),
        (GCE_AS, "A*", "A, B, C, D, E or U"),
        (BTEC, "MD", "a double or triple grade such as D*D or MMP"),
        (BTEC, "DP", "a double or triple grade"),
        (BTEC, "D*MP", "a double or triple grade"),
        (BTEC, "PPPP", "a double or triple grade"),
        (FS, "Merit", "Pass or Fail"),
        (NVQ, "Merit", "Pass or Achieved"),
        (NVQ, "Fail", "Pass or Achieved"),
        (QCF_CERTIFICATE, "Distinction*", "Pass, Achieved, Merit or Distinction"),
        (DIPLOMA_14_19, "Pass", "A*, A, B, C, D, E or U"),
        (ELC, "Entry 3", "Pass or Fail"),
    ],
)
def test_a_grade_the_type_has_not_is_refused_naming_those_it_has(
    code: str, grade: str, accepted: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(accepted)) as raised:
        normalise_grade(code, grade)
    assert f"'{grade}' is not a grade for {QUALIFICATION_TYPES[code].name}" in str(raised.value)


@pytest.mark.parametrize("code", CODES)
def test_an_empty_grade_is_refused(code: str) -> None:
    with pytest.raises(ValueError, match="the grade is empty"):
        normalise_grade(code, "  ")


def test_other_grades_are_short_printable_text() -> None:
    assert normalise_grade(OTHER, "x" * 20) == "x" * 20
    with pytest.raises(ValueError, match="1 to 20 characters"):
        normalise_grade(OTHER, "x" * 21)
    with pytest.raises(ValueError, match="1 to 20 characters"):
        normalise_grade(OTHER, "Pass\x00")


def test_a_grade_for_an_unknown_type_is_refused() -> None:
    with pytest.raises(ValueError, match="is not a qualification type"):
        normalise_grade("IB", "7")


@given(canonical_grades)
def test_every_canonical_grade_is_its_own_spelling(code_and_grade: tuple[str, str]) -> None:
    code, grade = code_and_grade
    assert normalise_grade(code, grade) == grade
    assert grade_rank(code, grade) >= 0


@given(respelled_grades())
def test_case_and_spacing_do_not_change_a_grade(case: tuple[str, str, str]) -> None:
    code, grade, respelled = case
    assert normalise_grade(code, respelled) == grade


@given(st.sampled_from(CODES), st.text(max_size=12))
def test_any_text_is_refused_or_a_canonical_grade(code: str, text: str) -> None:
    try:
        canonical = normalise_grade(code, text)
    except ValueError as exc:
        message = str(exc)
        assert message.startswith(("the grade is empty", "'", '"'))
    else:
        assert normalise_grade(code, canonical) == canonical
        if code != OTHER:
            assert canonical in accepted_grades(code)


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


@pytest.mark.parametrize(
    ("code", "level", "ok"),
    [
        (GCSE, "2", True),
        (GCSE, "1", True),
        (GCSE, "3", False),
        (GCE_A, "3", True),
        (GCE_A, "2", False),
        (FS, "E1", True),
        (FS, "2", True),
        (FS, "3", False),
        (ELC, "E3", True),
        (ELC, "1", False),
        (NVQ, "5", True),
        (NVQ, "6", False),
        (DIPLOMA_14_19, "3", True),
        (DIPLOMA_14_19, "4", False),
        (QCF_DIPLOMA, "8", True),
        (QCF_AWARD, "E1", True),
        (OTHER, "E2", True),
    ],
)
def test_a_type_is_at_its_levels_only(code: str, level: str, ok: bool) -> None:
    if ok:
        check_level(code, level)
    else:
        with pytest.raises(ValueError, match=f"not {'Level' if level[0] != 'E' else 'Entry'}"):
            check_level(code, level)


def test_a_level_refusal_names_the_levels_of_the_type() -> None:
    with pytest.raises(ValueError, match=r"a GCSE is at Level 1 or Level 2, not Level 5"):
        check_level(GCSE, "5")


@pytest.mark.parametrize("level", LEVELS)
def test_qcf_types_are_at_every_level(level: str) -> None:
    for code in grades.QCF_TYPES:
        check_level(code, level)


@pytest.mark.parametrize(
    ("code", "credits", "fits"),
    [
        (QCF_AWARD, 1, True),
        (QCF_AWARD, 12, True),
        (QCF_AWARD, 13, False),
        (QCF_AWARD, 0, False),
        (QCF_CERTIFICATE, 13, True),
        (QCF_CERTIFICATE, 36, True),
        (QCF_CERTIFICATE, 12, False),
        (QCF_CERTIFICATE, 37, False),
        (QCF_DIPLOMA, 37, True),
        (QCF_DIPLOMA, 240, True),
        (QCF_DIPLOMA, 36, False),
        (GCSE, None, True),
        (QCF_UNIT, 3, True),
        (BTEC, 240, True),
    ],
)
def test_qcf_qualifications_have_the_credits_of_their_size(
    code: str, credits: int, fits: bool
) -> None:
    if fits:
        check_size(code, credits)
    else:
        with pytest.raises(ValueError, match="credits, not"):
            check_size(code, credits)


def test_a_size_refusal_says_which_size_the_credits_make() -> None:
    with pytest.raises(ValueError, match=r"has 1 to 12 credits, not 40: 40 credits make a QCF dip"):
        check_size(QCF_AWARD, 40)
    with pytest.raises(
        ValueError, match=r"has 37 or more credits, not 20: 20 credits make a QCF c"
    ):
        check_size(QCF_DIPLOMA, 20)
    with pytest.raises(ValueError, match=r"must give its credits \(13 to 36\)"):
        check_size(QCF_CERTIFICATE, None)
