"""ULN rules (domain.md §1), with Hypothesis over the whole number space."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from open_lrs.learners.uln import (
    TEMPORARY_ULN,
    check_digit,
    generate_uln,
    is_valid_uln,
    uln_error,
)

VALID = ["1234567899", "2000000001", "5000000012", "8765432109", "4444599390", "6936002314"]
stems = st.integers(min_value=100_000_000, max_value=999_999_999).map(str)


@pytest.mark.parametrize("uln", VALID)
def test_published_examples_are_valid(uln: str) -> None:
    assert uln_error(uln) is None
    assert is_valid_uln(uln)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("1234567890", "check digit is wrong"),
        ("0123456789", "must not start with 0"),
        ("123456789", "must be exactly 10 digits"),
        ("12345678999", "must be exactly 10 digits"),
        ("12345678a9", "must be exactly 10 digits"),
        ("١٢٣٤٥٦٧٨٩٩", "must be exactly 10 digits"),  # Arabic-Indic digits are not ASCII
        ("", "must be exactly 10 digits"),
    ],
)
def test_invalid_ulns_say_why(value: str, problem: str) -> None:
    assert uln_error(value) == problem
    assert not is_valid_uln(value)


def test_the_temporary_uln_is_never_a_learners() -> None:
    problem = uln_error(TEMPORARY_ULN)
    assert problem is not None
    assert "temporary" in problem


def test_the_temporary_uln_cannot_be_issued() -> None:
    assert check_digit(TEMPORARY_ULN[:9]) == 8


def test_stem_without_a_check_digit() -> None:
    assert check_digit("100000006") is None
    assert not any(is_valid_uln(f"100000006{d}") for d in range(10))


def test_check_digit_zero_comes_from_remainder_ten() -> None:
    assert check_digit("444459939") == 0


@given(stems)
def test_exactly_one_check_digit_per_stem_or_none(stem: str) -> None:
    valid = [d for d in range(10) if is_valid_uln(f"{stem}{d}")]
    digit = check_digit(stem)
    assert valid == ([] if digit is None else [digit])


@given(stems)
def test_check_digit_matches_the_published_rule(stem: str) -> None:
    total = sum(int(d) * w for d, w in zip(stem, range(10, 1, -1), strict=True))
    r = total % 11
    assert check_digit(stem) == (None if r == 0 else 10 - r)


@given(stems, st.integers(0, 8), st.integers(1, 9))
def test_any_single_digit_error_is_caught(stem: str, position: int, delta: int) -> None:
    digit = check_digit(stem)
    if digit is None:
        return
    uln = f"{stem}{digit}"
    changed = str((int(uln[position]) + delta) % 10)
    typo = uln[:position] + changed + uln[position + 1 :]
    assert typo[0] == "0" or not is_valid_uln(typo)


@given(st.integers(min_value=0, max_value=2**32))
def test_generated_ulns_are_always_valid(seed: int) -> None:
    uln = generate_uln(random.Random(seed))
    assert is_valid_uln(uln), uln


def test_generated_ulns_spread_over_the_space() -> None:
    rng = random.Random(7)
    ulns = [generate_uln(rng) for _ in range(5000)]
    assert len(set(ulns)) == 5000
    assert {u[0] for u in ulns} == set("123456789")
    assert all(is_valid_uln(generate_uln()) for _ in range(100))  # the system random source


def test_check_digit_refuses_a_bad_stem() -> None:
    with pytest.raises(ValueError, match="9 digits"):
        check_digit("12345")
