"""Each failure flag's sentence is true whenever ``verify`` raises the flag, and
docs/verification.md shows the same table.

``TRUE_WHEN`` is the test's own reading of each sentence, in terms of the claim and the
learner: it is what the sentence says, checked against what ``verify`` did.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from open_lrs.learners.verification import Agreement, Candidate, Claim, compare_names, verify
from open_lrs.learners.verification_flags import (
    BEGIN,
    END,
    FLAGS,
    SENTENCES,
    flags_markdown,
    with_flags_section,
)
from open_lrs.portal import forms

DOC = Path(__file__).resolve().parents[3] / "docs" / "verification.md"

SIAN = Candidate("Siân", "O'Neill", "Jones", "Sia", date(2005, 4, 1), "2")
ANN = Candidate("Ann", "Smith-Jones", "Jones", None, date(2001, 2, 3), "2")
LEE = Candidate("Ann", "Lee", None, None, date(2000, 1, 1), "1")


def same(claimed: str | None, recorded: str | None) -> bool:
    return compare_names(claimed, recorded) is Agreement.EXACT


def not_previous(claimed: str, learner: Candidate) -> bool:
    """Not the learner's previous family name, or they have none."""
    previous = learner.previous_family_name
    return previous is None or not same(claimed, previous)


Reading = Callable[[Claim, Candidate], bool]
TRUE_WHEN: dict[str, Reading] = {
    "The given name is not the learner's given name or preferred given name": lambda c, r: (
        not same(c.given_name, r.given_name) and not same(c.given_name, r.preferred_given_name)
    ),
    "The given name is not the learner's family name": lambda c, r: (
        not same(c.given_name, r.family_name)
    ),
    "The given name is not the learner's previous family name, or they do not have one": (
        lambda c, r: not_previous(c.given_name, r)
    ),
    "The family name is not the learner's given name": lambda c, r: (
        not same(c.family_name, r.given_name)
    ),
    "The family name is not the learner's family name": lambda c, r: (
        not same(c.family_name, r.family_name)
    ),
    "The family name is not the learner's previous family name, or they do not have one": (
        lambda c, r: not_previous(c.family_name, r)
    ),
    "The date of birth is not the learner's date of birth": lambda c, r: (
        c.date_of_birth is not None and c.date_of_birth != r.date_of_birth
    ),
    "The gender is not the learner's gender": lambda c, r: (
        c.gender is not None and c.gender != r.gender
    ),
}


@dataclass(frozen=True)
class Case:
    why: str
    claim: Claim
    learner: Candidate
    flags: tuple[str, ...]


# For each flag, a claim whose search stops at that flag's place. A later flag of a name's
# search always comes with the earlier ones (the search went past them), so only VRF1, VRF5,
# VRF7 and VRF8 can be raised alone.
BY_FLAG = {
    "VRF1": Case("a typo in the given name", Claim("Sain", "O'Neill"), SIAN, ("VRF1",)),
    "VRF2": Case(
        "half her family name as the given name",
        Claim("Jones", "Smith-Jones"),
        ANN,
        ("VRF1", "VRF2"),
    ),
    "VRF3": Case(
        "her previous family name, misspelt, as the given name",
        Claim("Jnoes", "O'Neill"),
        SIAN,
        ("VRF1", "VRF2", "VRF3"),
    ),
    "VRF4": Case(
        "her given name, misspelt, as the family name",
        Claim("Siân", "Sain"),
        SIAN,
        ("VRF4", "VRF5", "VRF6"),
    ),
    "VRF5": Case("her name before marriage", Claim("Siân", "Jones"), SIAN, ("VRF5",)),
    "VRF6": Case(
        "her name before marriage, misspelt", Claim("Siân", "Jnoes"), SIAN, ("VRF5", "VRF6")
    ),
    "VRF7": Case(
        "a day out", Claim("Siân", "O'Neill", date_of_birth=date(2005, 4, 2)), SIAN, ("VRF7",)
    ),
    "VRF8": Case("male for female", Claim("Siân", "O'Neill", gender="1"), SIAN, ("VRF8",)),
}
MORE = [
    Case("names swapped", Claim("O'Neill", "Siân"), SIAN, ("VRF1", "VRF5", "VRF6")),
    Case(
        "previous family name as the given name",
        Claim("Jones", "Siân"),
        SIAN,
        ("VRF1", "VRF2", "VRF5", "VRF6"),
    ),
    Case(
        "previous family name misspelt, names swapped",
        Claim("Jnoes", "Siân"),
        SIAN,
        ("VRF1", "VRF2", "VRF3", "VRF5", "VRF6"),
    ),
    Case("no previous family name", Claim("Ann", "Smith"), LEE, ("VRF4", "VRF5", "VRF6")),
    Case(
        "a stranger",
        Claim("Bob", "Marley", date_of_birth=date(1945, 2, 6), gender="1"),
        SIAN,
        ("VRF1", "VRF2", "VRF3", "VRF4", "VRF5", "VRF6", "VRF7", "VRF8"),
    ),
]
CASES = [*BY_FLAG.values(), *MORE]


def raised(case: Case) -> tuple[str, ...]:
    outcome = verify(case.claim, case.learner, linked=False)
    assert outcome.failure_flags == case.flags, case.why
    return outcome.failure_flags


def untrue(case: Case, sentences: dict[str, str]) -> list[str]:
    """The sentences shown for ``case`` that its claim and learner make false."""
    return [
        sentences[f] for f in raised(case) if not TRUE_WHEN[sentences[f]](case.claim, case.learner)
    ]


def test_every_flag_has_its_own_sentence() -> None:
    assert sorted(FLAGS) == [f"VRF{n}" for n in range(1, 9)]
    assert list(SENTENCES) == sorted(FLAGS)
    assert set(SENTENCES.values()) == set(TRUE_WHEN)  # eight different, each read above
    assert forms.FAILURE_FLAGS is SENTENCES  # what the portal shows


@pytest.mark.parametrize("flag", sorted(BY_FLAG))
def test_the_sentence_is_true_when_its_flag_is_raised(flag: str) -> None:
    case = BY_FLAG[flag]
    assert flag in raised(case)
    assert TRUE_WHEN[SENTENCES[flag]](case.claim, case.learner), case.why
    assert untrue(case, SENTENCES) == []


@pytest.mark.parametrize("case", MORE, ids=lambda c: c.why)
def test_every_sentence_shown_is_true(case: Case) -> None:
    assert untrue(case, SENTENCES) == []


@pytest.mark.parametrize(("a", "b"), list(itertools.combinations(sorted(FLAGS), 2)))
def test_the_cases_catch_any_two_sentences_swapped(a: str, b: str) -> None:
    swapped = SENTENCES | {a: SENTENCES[b], b: SENTENCES[a]}
    assert any(untrue(case, swapped) for case in CASES)


def test_the_doc_shows_the_table() -> None:
    document = DOC.read_text(encoding="utf-8")
    assert with_flags_section(document) == document, "run: lrs docs verification"
    assert document.count(BEGIN) == 1
    section = flags_markdown()
    for flag in FLAGS.values():
        assert f"| {flag.code} | {flag.meaning} | {flag.sentence} |" in section


def test_a_doc_without_the_markers_is_refused() -> None:
    with pytest.raises(ValueError, match="markers"):
        with_flags_section("# Verifying\n")
    with pytest.raises(ValueError, match="markers"):
        with_flags_section(f"{END}\n{BEGIN}\n")
