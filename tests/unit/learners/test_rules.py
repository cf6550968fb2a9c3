"""Learner field rules (domain.md §2)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from open_lrs.core import postcodes
from open_lrs.learners import rules

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    "name",
    ["Siân", "Ó Súilleabháin", "Nguyễn", "O'Neill", "Smith-Jones", "李小龍", "J. R. R.", "लक्ष्मी"],
)
def test_real_names_are_kept_as_written(name: str) -> None:
    assert rules.name(name) == name


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("'-.", "at least one letter"),
        ("Sm1th", "only letters"),
        ("Ann\x00e", "control characters"),
        ("Ann\ne", "line breaks"),
        ("   ", "blank"),
        ("A" * 36, "at most 35"),
        ("Ann@", "only letters"),
    ],
)
def test_bad_names(value: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        rules.name(value)


def test_name_spaces_are_tidied() -> None:
    assert rules.name("  Mary   Jane ") == "Mary Jane"


@pytest.mark.parametrize(
    ("born", "ok"),
    [
        (date(2013, 11, 23), True),  # 13 today
        (date(2013, 11, 24), False),  # 13 tomorrow
        (date(1916, 11, 24), True),  # 109
        (date(1915, 11, 23), False),  # 111 today
        (date(1916, 11, 23), True),  # 110 today
        (date(2027, 1, 1), False),  # future
    ],
)
def test_date_of_birth_age_range(born: date, ok: bool) -> None:
    if ok:
        assert rules.date_of_birth(born, today=TODAY) == born
    else:
        with pytest.raises(ValueError, match=r"future|aged 13 to 110"):
            rules.date_of_birth(born, today=TODAY)


def test_age_message_gives_the_age() -> None:
    with pytest.raises(ValueError, match="gives age 6"):
        rules.date_of_birth(date(2020, 1, 1), today=TODAY)


def test_leap_day_birthday() -> None:
    assert rules.age_on(date(2008, 2, 29), date(2021, 2, 28)) == 12
    assert rules.age_on(date(2008, 2, 29), date(2021, 3, 1)) == 13


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("sw1a1aa", "SW1A 1AA"),
        (" SW1A  1AA ", "SW1A 1AA"),
        ("m11ae", "M1 1AE"),
        ("B33 8TH", "B33 8TH"),
        ("CR2 6XH", "CR2 6XH"),
        ("DN55 1PT", "DN55 1PT"),
        ("W1A 0AX", "W1A 0AX"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("GIR 0AA", "GIR 0AA"),
        ("bfpo 1234", "BFPO 1234"),
        ("BFPO1", "BFPO 1"),
        ("zz99 9zz", "ZZ99 9ZZ"),
    ],
)
def test_postcodes_are_canonical(given: str, canonical: str) -> None:
    assert rules.postcode(given) == canonical


@pytest.mark.parametrize(
    "value", ["NOT A POSTCODE", "QQ1 1AA", "SW1A", "SW1A 1A", "12345", "BFPO 12345", "SW1A 1CA"]
)
def test_bad_postcodes(value: str) -> None:
    with pytest.raises(ValueError, match="UK postcode such as SW1A 1AA"):
        rules.postcode(value)


def test_postcode_parts_and_sector() -> None:
    assert postcodes.postcode_parts("SW1A 1AA") == ("SW1A", "1AA")
    assert postcodes.postcode_sector("SW1A 1AA") == "SW1A 1"
    assert postcodes.postcode_parts("ZZ99 9ZZ") is None
    assert postcodes.postcode_sector("BFPO 12") is None
    assert postcodes.postcode_parts(rules.postcode("zz999zz")) is None


def test_email() -> None:
    assert rules.email(" learner@example.ac.uk ") == "learner@example.ac.uk"
    with pytest.raises(ValueError, match="email address"):
        rules.email("no-at-sign")


def test_gender_nationality_scn() -> None:
    assert rules.gender("9") == "9"
    with pytest.raises(ValueError, match="gender code"):
        rules.gender("3")
    assert rules.nationality("gbr") == "GBR"
    with pytest.raises(ValueError, match="country code"):
        rules.nationality("G1")
    assert rules.scottish_candidate_number("123456789") == "123456789"
    with pytest.raises(ValueError, match="9 digits"):
        rules.scottish_candidate_number("12345")


def test_free_text() -> None:
    assert rules.free_text(" a  b ", max_length=5) == "a b"
    assert rules.free_text("line 1\nline 2", max_length=50, multiline=True) == "line 1\nline 2"
    with pytest.raises(ValueError, match="line breaks"):
        rules.free_text("a\nb", max_length=5)
    with pytest.raises(ValueError, match="control characters"):
        rules.free_text("a\x00b", max_length=5, multiline=True)
    with pytest.raises(ValueError, match="at most 3"):
        rules.free_text("abcd", max_length=3)


def test_date_not_in_future() -> None:
    assert rules.date_not_in_future(TODAY, today=TODAY) == TODAY
    with pytest.raises(ValueError, match="future"):
        rules.date_not_in_future(date(2026, 11, 24), today=TODAY)


@given(st.text(max_size=40))
def test_names_are_accepted_or_refused_with_a_reason(value: str) -> None:
    try:
        cleaned = rules.name(value)
    except ValueError as exc:
        reason = str(exc)
        assert reason
        return
    assert 1 <= len(cleaned) <= 35
    assert any(ch.isalpha() for ch in cleaned)


@given(st.text(max_size=12))
def test_postcodes_are_accepted_canonical_or_refused(value: str) -> None:
    try:
        canonical = rules.postcode(value)
    except ValueError:
        return
    assert rules.postcode(canonical) == canonical
    assert len(canonical) <= 9
