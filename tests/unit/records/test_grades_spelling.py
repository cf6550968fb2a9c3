"""Qualification types and grades: each type found by its code or name, and one canonical
spelling of each grade."""

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
    grade_rank,
    normalise_grade,
    qualification_type,
)
from tests.unit.records.grades_helpers import CODES, canonical_grades


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
