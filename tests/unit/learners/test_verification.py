"""Verifying a claimed identity against a learner (domain.md §3)."""

from __future__ import annotations

from datetime import date

import pytest

from open_lrs.learners.verification import (
    NOT_FOUND,
    Agreement,
    Candidate,
    Claim,
    VerificationResult,
    compare_names,
    verify,
)

SIAN = Candidate(
    given_name="Siân",
    family_name="O'Neill",
    previous_family_name="Jones",
    preferred_given_name="Sia",
    date_of_birth=date(2005, 4, 1),
    gender="2",
)


def check(given: str, family: str, **kw: object) -> tuple[str, str, tuple[str, ...]]:
    linked = bool(kw.pop("linked", False))
    outcome = verify(Claim(given, family, **kw), SIAN, linked=linked)  # type: ignore[arg-type]
    return outcome.result.value, outcome.lrs_code, outcome.failure_flags


@pytest.mark.parametrize(
    ("a", "b", "agreement"),
    [
        ("SIAN", "Siân", Agreement.EXACT),
        ("oneill", "O'Neill", Agreement.EXACT),
        ("Smith Jones", "Smith-Jones", Agreement.EXACT),
        ("Sain", "Siân", Agreement.SIMILAR),  # transposition
        ("Catherine", "Katherine", Agreement.SIMILAR),  # one edit
        ("Mary", "Mary Jane", Agreement.SIMILAR),
        ("Eoife", "Aoife", Agreement.SIMILAR),  # one edit where Jaro-Winkler is only 0.87
        ("Marie", "Anne-Marie", Agreement.SIMILAR),  # a whole word in common
        ("Bob", "Siân", Agreement.DIFFERENT),
        ("Ann", "Anna", Agreement.SIMILAR),
        ("Li", "Lu", Agreement.DIFFERENT),  # one edit is too much for two letters
        ("", "Siân", Agreement.DIFFERENT),
        ("Ann", None, Agreement.DIFFERENT),
        ("'-", "'-", Agreement.DIFFERENT),
    ],
)
def test_compare_names(a: str, b: str | None, agreement: Agreement) -> None:
    assert compare_names(a, b) is agreement


def test_exact_match_ignores_case_accents_and_punctuation() -> None:
    assert check("SIAN", "oneill") == ("match", "WSVRC001", ())
    assert check("sian", "O Neill", linked=True) == ("linked_match", "WSVRC002", ())


def test_preferred_given_name_counts_as_the_given_name() -> None:
    assert check("Sia", "O'Neill") == ("match", "WSVRC001", ())


def test_similar_given_name() -> None:
    assert check("Sain", "O'Neill") == ("similar_match", "WSVRC003", ("VRF1",))
    assert check("Sain", "O'Neill", linked=True)[:2] == ("similar_linked_match", "WSVRC004")


def test_previous_family_name_is_similar_with_vrf5() -> None:
    assert check("Siân", "Jones") == ("similar_match", "WSVRC003", ("VRF5",))


def test_swapped_names() -> None:
    assert check("O'Neill", "Siân") == (
        "similar_match",
        "WSVRC003",
        ("VRF1", "VRF5", "VRF6"),
    )


def test_date_of_birth_and_gender() -> None:
    assert check("Siân", "O'Neill", date_of_birth=date(2005, 4, 2)) == (
        "no_match",
        "WSVRC005",
        ("VRF7",),
    )
    assert check("Siân", "O'Neill", date_of_birth=date(2005, 4, 1), gender="2")[0] == "match"
    assert check("Siân", "O'Neill", gender="1") == ("no_match", "WSVRC005", ("VRF8",))
    # Not known / not specified never fails.
    assert check("Siân", "O'Neill", gender="9")[0] == "match"
    assert check("Siân", "O'Neill", gender="0")[0] == "match"


def test_stranger_raises_every_name_flag() -> None:
    assert check("Bob", "Marley") == (
        "no_match",
        "WSVRC005",
        ("VRF1", "VRF2", "VRF3", "VRF4", "VRF5", "VRF6"),
    )


def test_learner_without_previous_family_name() -> None:
    plain = Candidate("Ann", "Lee", None, None, date(2000, 1, 1), "2")
    outcome = verify(Claim("Ann", "Smith"), plain, linked=False)
    assert outcome.result is VerificationResult.NO_MATCH
    assert outcome.failure_flags == ("VRF4", "VRF5", "VRF6")


def test_not_found() -> None:
    assert NOT_FOUND.lrs_code == "WSVRC006"
    assert NOT_FOUND.result is VerificationResult.NOT_FOUND
