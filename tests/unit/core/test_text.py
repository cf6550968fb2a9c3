"""Text hygiene and name folding."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from open_lrs.core.text import clean_text, compact_name, fold_name, has_control_chars, name_words


@pytest.mark.parametrize(
    ("name", "folded"),
    [
        ("Siân", "sian"),
        ("SIAN", "sian"),
        ("Ó Súilleabháin", "o suilleabhain"),
        ("O'Neill", "oneill"),
        ("O\u2019Neill", "oneill"),
        ("Smith-Jones", "smith jones"),
        ("Nguyễn", "nguyen"),
        ("Søren", "soren"),
        ("Łukasz", "lukasz"),
        ("Straße", "strasse"),
        ("Ødegård", "odegard"),
        ("Yılmaz", "yilmaz"),
        ("  Mary   Jane  ", "mary jane"),
        ("J. R. R.", "j r r"),
        ("ＡＮＮ", "ann"),  # full-width letters fold by NFKC
    ],
)
def test_fold_name(name: str, folded: str) -> None:
    assert fold_name(name) == folded


def test_compact_name_ignores_spaces_and_hyphens() -> None:
    assert compact_name("Smith-Jones") == compact_name("Smith Jones") == "smithjones"
    assert compact_name("Mac Donald") == compact_name("MacDonald")


def test_name_words() -> None:
    assert name_words("Mary-Jane O'Brien") == ["mary", "jane", "obrien"]
    assert name_words("'-.") == []


def test_clean_text_normalises_and_collapses() -> None:
    assert clean_text("  Sia\u0302n   Evans ") == "Siân Evans"  # NFC: one code point for â
    assert clean_text(" a \n\n  b  ", multiline=True) == "a\n\nb"


@pytest.mark.parametrize("value", ["a\x00b", "a\nb", "a\u202eb", "a\ue000b", "a\x7fb"])
def test_control_characters_are_found(value: str) -> None:
    assert has_control_chars(value)


def test_line_breaks_allowed_only_when_multiline() -> None:
    assert not has_control_chars("a\nb\tc", multiline=True)
    assert has_control_chars("a\x00b", multiline=True)
    assert not has_control_chars("क्\u200dष")  # zero-width joiner inside Devanagari


@given(st.text())
def test_folding_is_idempotent(value: str) -> None:
    once = fold_name(value)
    assert fold_name(once) == once
    assert compact_name(value) == once.replace(" ", "")
