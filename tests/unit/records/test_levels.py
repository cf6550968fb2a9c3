"""Qualification levels: every spelling a catalogue or feed uses, one code, one order."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from open_lrs.records.levels import (
    ENTRY_LEVELS,
    LEVELS,
    is_entry,
    label,
    parse_entry_sub_level,
    parse_level,
    rank,
)


@pytest.mark.parametrize(
    ("given_value", "expected"),
    [
        ("E1", "E1"),
        ("e2", "E2"),
        (" E3 ", "E3"),
        ("E 3", "E3"),
        ("Entry 1", "E1"),
        ("entry level 2", "E2"),
        ("Entry Level 3", "E3"),
        ("EntryLevel3", "E3"),
        ("1", "1"),
        ("8", "8"),
        ("Level 3", "3"),
        ("level  4", "4"),
        ("L5", "5"),
        ("NVQ Level 2", "2"),
        ("Level-6", "6"),
    ],
)
def test_spellings_of_a_level_give_its_code(given_value: str, expected: str) -> None:
    assert parse_level(given_value) == expected


@pytest.mark.parametrize(("sub_level", "expected"), [("1", "E1"), ("2", "E2"), ("E3", "E3")])
def test_lars_entry_level_takes_its_sub_level_from_the_other_column(
    sub_level: str, expected: str
) -> None:
    assert parse_level("E", sub_level) == expected
    assert parse_level("Entry", sub_level) == expected


@pytest.mark.parametrize("blank", [None, "", " ", "NA", "n/a", "X", "0"])
def test_lars_blank_sub_levels_are_ignored_above_entry(blank: str | None) -> None:
    assert parse_entry_sub_level(blank) is None
    assert parse_level("3", blank) == "3"


def test_lars_level_1_2_of_gcses_is_kept_as_level_2() -> None:
    assert parse_level("1.5") == "2"
    assert parse_level("Level 1/2") == "2"


@pytest.mark.parametrize(
    ("value", "sub_level", "says"),
    [
        ("E", None, "without a sub-level"),
        ("Entry level", None, "without a sub-level"),
        ("H", None, "does not say which of levels 4 to 8"),
        ("h", None, "does not say which of levels 4 to 8"),
        ("M", None, "mixed level"),
        ("X", None, "not known"),
        ("999", None, "outside the framework"),
        ("9", None, "is not a level"),
        ("0", None, "is not a level"),
        ("Level 10", None, "is not a level"),
        ("E4", None, "is not a level"),
        ("", None, "the level is empty"),
        ("   ", None, "the level is empty"),
        ("E2", "3", "contradicts entry sub-level 3"),
        ("3", "2", "is given for level '3', not Entry"),
        ("E", "4", "entry sub-level '4' is not 1, 2 or 3"),
    ],
)
def test_what_is_no_single_level_is_refused_with_the_reason(
    value: str, sub_level: str | None, says: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(says)):
        parse_level(value, sub_level)


def test_a_long_wrong_value_is_not_echoed_whole() -> None:
    with pytest.raises(ValueError, match="is not a level") as raised:
        parse_level("x" * 10_000)
    assert len(str(raised.value)) < 200


def test_levels_are_ordered_entry_1_lowest_level_8_highest() -> None:
    ranks = [rank(level) for level in LEVELS]
    assert ranks == sorted(ranks)
    assert len(set(ranks)) == len(LEVELS)
    assert rank("E3") < rank("1") < rank("2")
    assert rank("E1") == 0
    assert rank("8") == 10


@pytest.mark.parametrize(
    ("level", "expected"),
    [("E1", "Entry level 1"), ("E3", "Entry level 3"), ("1", "Level 1"), ("8", "Level 8")],
)
def test_labels_read_as_people_say_them(level: str, expected: str) -> None:
    assert label(level) == expected


def test_entry_levels_are_the_three_sub_levels() -> None:
    assert ENTRY_LEVELS == ("E1", "E2", "E3")
    assert [is_entry(level) for level in LEVELS] == [True] * 3 + [False] * 8


@pytest.mark.parametrize("not_a_code", ["Entry 1", "Level 2", "e1", "", "9"])
def test_rank_and_label_take_codes_only(not_a_code: str) -> None:
    with pytest.raises(ValueError, match="is not a level code"):
        rank(not_a_code)
    with pytest.raises(ValueError, match="is not a level code"):
        label(not_a_code)


@given(st.sampled_from(LEVELS))
def test_every_code_parses_to_itself_and_its_label_parses_back(level: str) -> None:
    assert parse_level(level) == level
    assert parse_level(label(level)) == level
    assert parse_level(f"  {label(level).upper()} ") == level


@given(st.text(max_size=20))
def test_any_text_is_a_level_code_or_refused(text: str) -> None:
    try:
        level = parse_level(text)
    except ValueError as exc:
        message = str(exc)
        assert message
        assert len(message) < 200
    else:
        assert level in LEVELS
