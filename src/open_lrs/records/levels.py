"""Qualification levels (domain.md §7): Entry level's three sub-levels, then levels 1 to 8. Pure.

One spelling of each level is kept (``E1``…``E3``, ``1``…``8``) because levels arrive from
catalogues, feeds and people in many spellings ("Entry 3", "Level 2", LARS's ``E`` with a
separate sub-level) and a learning event must compare with a rule of combination whatever
its source said.
"""

from __future__ import annotations

import re

ENTRY_1 = "E1"
ENTRY_2 = "E2"
ENTRY_3 = "E3"
LEVELS: tuple[str, ...] = (ENTRY_1, ENTRY_2, ENTRY_3, "1", "2", "3", "4", "5", "6", "7", "8")
ENTRY_LEVELS: tuple[str, ...] = LEVELS[:3]
_RANKS = {level: rank for rank, level in enumerate(LEVELS)}

# LARS NotionalNVQLevelv2 values that name no single level, and why each cannot be used.
_NOT_A_LEVEL = {
    "H": "LARS level H (higher level) does not say which of levels 4 to 8: give the level",
    "M": "LARS level M (mixed level) does not say which level: give the level",
    "X": "LARS level X means the level is not known",
    "999": "LARS level 999 means the aim is outside the framework, which has no level",
}
# LARS gives GCSEs level "1.5" (Level 1/2). Grades 9 to 4 are level 2 achievements and the
# catalogue is read by enrolment checks that ask for level 2, so that is the level kept.
_LEVEL_1_2 = frozenset({"1.5", "1/2"})
_WORDS = re.compile(r"\b(?:LEVEL|LVL|NVQ|QCF|RQF)\b|[\s_.\-]")
_ENTRY = re.compile(r"(?:ENTRY|ENT|E)(?:LEVEL)?([123])?")
_NUMBERED = re.compile(r"L?([1-8])")
_NO_SUB_LEVEL = frozenset({"", "NA", "N/A", "X", "0"})


def _squeezed(value: str) -> str:
    """Upper case without the words and separators that spellings of a level differ by."""
    return _WORDS.sub("", value.upper())


def parse_entry_sub_level(value: str | None) -> str | None:
    """The sub-level ("1"…"3") a LARS ``EntrySubLevel`` cell gives, or None if it gives none
    (LARS leaves it blank, or writes NA or X, for aims above Entry level)."""
    if value is None or value.strip().upper() in _NO_SUB_LEVEL:
        return None
    entry = _ENTRY.fullmatch(_squeezed(value))
    if entry and entry.group(1):
        return entry.group(1)
    if value.strip() in ("1", "2", "3"):
        return value.strip()
    raise ValueError(f"entry sub-level {value.strip()!r} is not 1, 2 or 3")


def _entry_level(digit: str | None, sub_level: str | None, given: str) -> str:
    if digit and sub_level and digit != sub_level:
        raise ValueError(f"level {given!r} contradicts entry sub-level {sub_level}")
    if not (found := digit or sub_level):
        raise ValueError(
            f"level {given!r} is Entry level without a sub-level: give E1, E2 or E3 "
            "(or the sub-level 1, 2 or 3 in EntrySubLevel)"
        )
    return f"E{found}"


def parse_level(value: str, entry_sub_level: str | None = None) -> str:
    """The level code that ``value`` means, in any spelling a catalogue or feed uses.

    ``entry_sub_level`` is LARS's separate ``EntrySubLevel``, which completes a bare ``E``.
    Raises ValueError naming what is wrong, for values that give no single level (LARS's H,
    M and X among them): guessing a level would misplace achievements in every credit rule.
    """
    given = value.strip()
    if not given:
        raise ValueError("the level is empty: give E1, E2, E3 or 1 to 8")
    sub_level = parse_entry_sub_level(entry_sub_level)
    squeezed = _squeezed(given)
    if given.upper() in _NOT_A_LEVEL:
        raise ValueError(_NOT_A_LEVEL[given.upper()])
    if entry := _ENTRY.fullmatch(squeezed):
        return _entry_level(entry.group(1), sub_level, given)
    if sub_level is not None:
        raise ValueError(f"entry sub-level {sub_level} is given for level {given!r}, not Entry")
    if re.sub(r"\s|LEVEL", "", given.upper()) in _LEVEL_1_2:
        return "2"
    if numbered := _NUMBERED.fullmatch(squeezed):
        return numbered.group(1)
    raise ValueError(f"{given[:40]!r} is not a level: give E1, E2, E3 (Entry 1 to 3) or 1 to 8")


def _known(level: str) -> str:
    if level not in _RANKS:
        raise ValueError(f"{level[:40]!r} is not a level code (E1, E2, E3, 1 to 8)")
    return level


def rank(level: str) -> int:
    """A number that orders level codes, Entry 1 lowest (0) and level 8 highest (10), so that
    "at or above the qualification's level" is a comparison of numbers."""
    return _RANKS[_known(level)]


def label(level: str) -> str:
    """The level as a person reads it: "Entry level 3", "Level 2"."""
    code = _known(level)
    return f"Entry level {code[1]}" if code in ENTRY_LEVELS else f"Level {code}"


def is_entry(level: str) -> bool:
    return _known(level) in ENTRY_LEVELS
