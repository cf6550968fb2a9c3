"""Qualification types and the grades each can carry (domain.md §5, §7). Pure.

Grades come from schools' results (NPD), providers' returns (ILR) and awarding organisations,
each with its own habits of case and spacing ("a*", "Distinction star", "9 - 8"). A learning
event keeps one canonical spelling per grade, so that two sources reporting the same result
agree, a grade can be compared with another of its type, and an enrolment check can ask for
"GCSE grade 4 or better" without knowing who sent the grade.

Qualification type codes (stable: stored with every learning event and catalogue entry):

``GCSE``, ``GCE_A`` (A level), ``GCE_AS`` (AS level), ``FS`` (Functional Skills), ``NVQ``,
``BTEC``, ``DIPLOMA_14_19`` (14–19 Diploma), ``QCF_AWARD``, ``QCF_CERTIFICATE``,
``QCF_DIPLOMA``, ``QCF_UNIT``, ``ELC`` (Entry Level Certificate) and ``OTHER``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from open_lrs.core.files.problems import shown
from open_lrs.records import levels
from open_lrs.records.levels import ENTRY_LEVELS, LEVELS

GCSE = "GCSE"
GCE_A = "GCE_A"
GCE_AS = "GCE_AS"
FS = "FS"
NVQ = "NVQ"
BTEC = "BTEC"
DIPLOMA_14_19 = "DIPLOMA_14_19"
QCF_AWARD = "QCF_AWARD"
QCF_CERTIFICATE = "QCF_CERTIFICATE"
QCF_DIPLOMA = "QCF_DIPLOMA"
QCF_UNIT = "QCF_UNIT"
ELC = "ELC"
OTHER = "OTHER"
QCF_TYPES = frozenset({QCF_AWARD, QCF_CERTIFICATE, QCF_DIPLOMA, QCF_UNIT})
# domain.md §7: a QCF qualification's size is its credit (1 credit, 10 hours of learning).
QCF_SIZES: Mapping[str, tuple[int, int | None]] = MappingProxyType(
    {QCF_AWARD: (1, 12), QCF_CERTIFICATE: (13, 36), QCF_DIPLOMA: (37, None)}
)
OTHER_GRADE_MAX = 20


@dataclass(frozen=True)
class QualificationType:
    """``grades`` maps each canonical grade to its rank (higher is better; 0 is no
    achievement); it is empty for ``OTHER``, whose grades are free text. ``levels`` are the
    levels a qualification of the type can be offered at, to catch a catalogue's slips."""

    code: str
    name: str
    levels: tuple[str, ...]
    grades: Mapping[str, int]
    accepted: str


# GCSE -----------------------------------------------------------------------------------

_LETTERS = ("A*", "A", "B", "C", "D", "E", "F", "G")
# Half points of the DfE's 2017 transition scale (A* 8.5, B 5.5, F 1.5), so that a letter
# ranks among the numbers where Ofqual's anchoring puts it.
_GCSE_HALF_POINTS = {str(n): 2 * n for n in range(1, 10)} | dict(
    zip(_LETTERS, (17, 14, 11, 8, 6, 4, 3, 2), strict=True)
)
# Ofqual's anchor points as whole numbers, which enrolment rules are written in.
_GCSE_POINTS = {str(n): n for n in range(1, 10)} | dict(
    zip(_LETTERS, (8, 7, 5, 4, 3, 2, 1, 1), strict=True)
)
_NUMBERS = tuple(str(n) for n in range(9, 0, -1))
_NUMBER_PAIRS = [(a, b) for i, a in enumerate(_NUMBERS) for b in _NUMBERS[i : i + 2]]
_LETTER_PAIRS = [(a, b) for i, a in enumerate(_LETTERS) for b in _LETTERS[i : i + 2]]
# A double award's grade as its two halves: "9-8" is (9, 8), "A*A" is (A*, A).
_GCSE_PARTS: dict[str, tuple[str, ...]] = {g: (g,) for g in (*_NUMBERS, *_LETTERS)}
_GCSE_PARTS |= {f"{a}-{b}": (a, b) for a, b in _NUMBER_PAIRS}
_GCSE_PARTS |= {a + b: (a, b) for a, b in _LETTER_PAIRS}


def _gcse_rank(parts: tuple[str, ...]) -> int:
    """Per GCSE, so a double award ranks with the single grades it is worth twice over."""
    return sum(_GCSE_HALF_POINTS[p] for p in parts) * 2 // len(parts)


_GCSE_GRADES = {"U": 0} | {g: _gcse_rank(parts) for g, parts in _GCSE_PARTS.items()}

# BTEC -----------------------------------------------------------------------------------

_BTEC_WORDS = {"Pass": "P", "Merit": "M", "Distinction": "D", "Distinction*": "D*"}
_BTEC_VALUES = {"P": 1, "M": 2, "D": 3, "D*": 4}
_BTEC_ORDER = ("D*", "D", "M", "P")


def _btec_multiples(size: int) -> list[tuple[str, ...]]:
    """The grades of a double or triple award: one grade, or two neighbouring grades higher
    first (D*D, DDM; never DP or MD), as the certificates print them."""
    found: list[tuple[str, ...]] = []
    for i, high in enumerate(_BTEC_ORDER):
        found.append((high,) * size)
        for k in range(size - 1, 0, -1) if i + 1 < len(_BTEC_ORDER) else ():
            found.append((high,) * k + (_BTEC_ORDER[i + 1],) * (size - k))
    return found


def _btec_rank(letters: tuple[str, ...]) -> int:
    """The average grade of the award's parts, so that PP ranks with Pass and D*D*D* with
    Distinction*; 12 divides by one, two and three parts alike."""
    return sum(_BTEC_VALUES[x] for x in letters) * 12 // len(letters)


_BTEC_GRADES = (
    {"U": 0}
    | {word: _btec_rank((letter,)) for word, letter in _BTEC_WORDS.items()}
    | {"".join(p): _btec_rank(p) for size in (2, 3) for p in _btec_multiples(size)}
)

# The types ------------------------------------------------------------------------------

_A_LEVEL = {"U": 0, "E": 1, "D": 2, "C": 3, "B": 4, "A": 5, "A*": 6}
_AS_LEVEL = {g: r for g, r in _A_LEVEL.items() if g != "A*"}
_PASS_FAIL = {"Fail": 0, "Pass": 1}
_NVQ = {"Pass": 1, "Achieved": 1}
_QCF = {"Pass": 1, "Achieved": 1, "Merit": 2, "Distinction": 3}
_QCF_ACCEPTED = "Pass, Achieved, Merit or Distinction (or P, M, D)"


def _type(
    code: str, name: str, at: tuple[str, ...], grades: Mapping[str, int], accepted: str
) -> QualificationType:
    return QualificationType(code, name, at, MappingProxyType(dict(grades)), accepted)


QUALIFICATION_TYPES: Mapping[str, QualificationType] = MappingProxyType(
    {
        t.code: t
        for t in (
            _type(
                GCSE,
                "GCSE",
                ("1", "2"),
                _GCSE_GRADES,
                "9 to 1, A* to G, U, or a double award (9-9, 9-8 … 1-1 or A*A*, A*A … GG)",
            ),
            _type(GCE_A, "GCE A level", ("3",), _A_LEVEL, "A*, A, B, C, D, E or U"),
            _type(GCE_AS, "GCE AS level", ("3",), _AS_LEVEL, "A, B, C, D, E or U"),
            _type(FS, "Functional Skills", LEVELS[:5], _PASS_FAIL, "Pass or Fail (or P, F)"),
            _type(NVQ, "NVQ", LEVELS[3:8], _NVQ, "Pass or Achieved"),
            _type(
                BTEC,
                "BTEC",
                LEVELS,
                _BTEC_GRADES,
                "Pass, Merit, Distinction, Distinction* (or P, M, D, D*), a double or triple "
                "grade such as D*D or MMP, or U",
            ),
            _type(
                DIPLOMA_14_19, "Diploma (14–19)", LEVELS[3:6], _A_LEVEL, "A*, A, B, C, D, E or U"
            ),
            _type(QCF_AWARD, "QCF award", LEVELS, _QCF, _QCF_ACCEPTED),
            _type(QCF_CERTIFICATE, "QCF certificate", LEVELS, _QCF, _QCF_ACCEPTED),
            _type(QCF_DIPLOMA, "QCF diploma", LEVELS, _QCF, _QCF_ACCEPTED),
            _type(QCF_UNIT, "QCF unit", LEVELS, _QCF, _QCF_ACCEPTED),
            _type(ELC, "Entry Level Certificate", ENTRY_LEVELS, _PASS_FAIL, "Pass or Fail"),
            _type(OTHER, "Other", LEVELS, {}, f"any text of 1 to {OTHER_GRADE_MAX} characters"),
        )
    }
)

# Looking up ------------------------------------------------------------------------------


def _loose(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


_TYPE_NAMES = {_loose(t.code): t.code for t in QUALIFICATION_TYPES.values()} | {
    _loose(t.name): t.code for t in QUALIFICATION_TYPES.values()
}
_TYPE_NAMES |= {"alevel": GCE_A, "aslevel": GCE_AS, "functionalskill": FS}


def qualification_type(code: str) -> QualificationType:
    """The type a code names; its name ("GCE A level") is taken too, because feeds and the
    LRS's own events spell types out in words."""
    found = _TYPE_NAMES.get(_loose(code))
    if found is None:
        raise ValueError(
            f"{shown(code.strip())!r} is not a qualification type: give one of "
            + ", ".join(QUALIFICATION_TYPES)
        )
    return QUALIFICATION_TYPES[found]


def _key(grade: str) -> str:
    """The grade with case, spacing, "star" and the dashes of "9 - 8" taken out."""
    return re.sub(r"[\s\-\u2010-\u2015/]", "", re.sub(r"\s*STAR", "*", grade.upper()))


def _aliases(grades: Mapping[str, int]) -> dict[str, str]:
    """Other keys for a canonical grade: a single letter for a word (P for Pass) and the
    word Unclassified for U."""
    found = {"UNCLASSIFIED": "U"} if "U" in grades else {}
    for word in ("Pass", "Merit", "Distinction", "Fail"):
        if word in grades:
            found[word[0]] = word
    if "Distinction*" in grades:
        found["D*"] = "Distinction*"
    return found


_SPELLINGS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        t.code: MappingProxyType(_aliases(t.grades) | {_key(g): g for g in t.grades})
        for t in QUALIFICATION_TYPES.values()
    }
)


def _other_grade(grade: str) -> str:
    text = " ".join(grade.split())
    if not 0 < len(text) <= OTHER_GRADE_MAX or not text.isprintable():
        what = f"{shown(text)!r} is not a grade for type OTHER" if text else "the grade is empty"
        raise ValueError(f"{what}: give any text of 1 to {OTHER_GRADE_MAX} characters")
    return text


def normalise_grade(qualification_type_code: str, grade: str) -> str:
    """The canonical spelling of ``grade`` for the type: "a*" is "A*", "d*d" is "D*D".

    Raises ValueError naming the grades the type accepts, so that a feed's author can see
    what to send instead.
    """
    kind = qualification_type(qualification_type_code)
    if kind.code == OTHER:
        return _other_grade(grade)
    found = _SPELLINGS[kind.code].get(_key(grade))
    if found is None:
        what = f"{shown(grade.strip())!r} is not a grade for {kind.name}"
        raise ValueError(f"{what if grade.strip() else 'the grade is empty'}: give {kind.accepted}")
    return found


def accepted_grades(qualification_type_code: str) -> tuple[str, ...]:
    """The canonical grades of the type, lowest first; empty for OTHER (free text)."""
    grades = qualification_type(qualification_type_code).grades
    return tuple(sorted(grades, key=lambda g: (grades[g], g)))


_NOT_ACHIEVED = frozenset({"U", "FAIL", "UNCLASSIFIED", "NOTACHIEVED", "NOTPASSED"})


def passed(qualification_type_code: str, grade: str) -> bool:
    """Whether the grade is an achievement: U and Fail are results, not achievements."""
    kind = qualification_type(qualification_type_code)
    canonical = normalise_grade(kind.code, grade)
    if kind.code == OTHER:
        return _key(canonical) not in _NOT_ACHIEVED
    return kind.grades[canonical] > 0


def grade_rank(qualification_type_code: str, grade: str | None) -> int:
    """A number ordering the grades of one type, higher better and 0 for no achievement.

    GCSE ranks sit on one scale for numbers and letters (9 above A* above 8), a double award
    ranking as each of its two GCSEs; BTEC ranks are the average of a double or triple grade.
    Grades of type OTHER are free text with no order, and a missing grade says nothing to
    order by: both rank 0.
    """
    kind = qualification_type(qualification_type_code)
    if grade is None or not grade.strip():
        return 0
    return kind.grades.get(normalise_grade(kind.code, grade), 0)


def gcse_points(grade: str) -> int:
    """A GCSE grade as the whole number enrolment rules compare (grade 4 and C are both 4).

    Letters take Ofqual's anchor points (A* 8, A 7, B 5, C 4, D 3, E 2, F and G 1, U 0); a
    double award counts as its first grade, the higher of the two.
    """
    canonical = normalise_grade(GCSE, grade)
    return 0 if canonical == "U" else _GCSE_POINTS[_GCSE_PARTS[canonical][0]]


# What a qualification of a type can be ----------------------------------------------------


def _either(words: list[str]) -> str:
    return f"{', '.join(words[:-1])} or {words[-1]}" if len(words) > 1 else words[0]


def check_level(qualification_type_code: str, level: str) -> None:
    """Raise ValueError if no qualification of the type is at ``level`` (a level code): a
    GCSE at level 5 is a slip in a catalogue or feed, not a new kind of GCSE."""
    kind = qualification_type(qualification_type_code)
    if level not in kind.levels:
        offered = _either([levels.label(x) for x in kind.levels])
        raise ValueError(f"a {kind.name} is at {offered}, not {levels.label(level)}")


def _span(low: int, high: int | None) -> str:
    return f"{low} or more" if high is None else f"{low} to {high}"


def check_size(qualification_type_code: str, credits: int | None) -> None:
    """Raise ValueError if a QCF award, certificate or diploma has credits of another size
    (or none): its name states its size, so one of the two is wrong."""
    kind = qualification_type(qualification_type_code)
    if kind.code not in QCF_SIZES:
        return
    low, high = QCF_SIZES[kind.code]
    if credits is None:
        raise ValueError(f"a {kind.name} must give its credits ({_span(low, high)})")
    if credits < low or (high is not None and credits > high):
        fits = [
            QUALIFICATION_TYPES[code].name
            for code, (a, b) in QCF_SIZES.items()
            if a <= credits and (b is None or credits <= b)
        ]
        size = f": {credits} credits make a {fits[0]}" if fits else ""
        raise ValueError(f"a {kind.name} has {_span(low, high)} credits, not {credits}{size}")
