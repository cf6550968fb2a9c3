"""Verifying a claimed identity against the learner a ULN belongs to (domain.md §3).

Pure: takes plain data, returns the LRS verification code and failure flags. The rules,
documented for users in docs/verification.md:

* Names are compared folded (case, accents, apostrophes, hyphens and spaces ignored), so
  "SIAN" = "Siân" and "oneill" = "O'Neill" exactly.
* Two names are *similar* when their folded forms have a Jaro-Winkler similarity of at
  least 0.90, or differ by one edit and have four or more letters, or share a whole word
  ("Mary" and "Mary Jane").
* The given name is looked for in the learner's given (or preferred given) name, then family
  name, then previous family name; each place where it is not exactly found raises a flag
  (VRF1, VRF2, VRF3) until it is found exactly or similarly. The family name likewise in
  family (VRF5), previous family (VRF6), then given name (VRF4).
* Date of birth (VRF7) and gender (VRF8) are compared only when given; a gender of 0 or 9
  on either side never fails.
* Any VRF7 or VRF8, or a name found nowhere: no match (WSVRC005). Both names exactly in their
  own fields and no flags: match (WSVRC001, linked WSVRC002). Otherwise similar (003, 004).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from open_lrs.core.text import compact_name, name_words, typo_close

KNOWN_GENDERS = ("1", "2")


class Agreement(enum.Enum):
    EXACT = "exact"
    SIMILAR = "similar"
    DIFFERENT = "different"


def compare_names(claimed: str | None, recorded: str | None) -> Agreement:
    if not claimed or not recorded:
        return Agreement.DIFFERENT
    a, b = compact_name(claimed), compact_name(recorded)
    if not a or not b:
        return Agreement.DIFFERENT
    if a == b:
        return Agreement.EXACT
    if typo_close(a, b):
        return Agreement.SIMILAR
    if set(name_words(claimed)) & set(name_words(recorded)):
        return Agreement.SIMILAR
    return Agreement.DIFFERENT


class VerificationResult(enum.Enum):
    MATCH = "match"
    LINKED_MATCH = "linked_match"
    SIMILAR_MATCH = "similar_match"
    SIMILAR_LINKED_MATCH = "similar_linked_match"
    NO_MATCH = "no_match"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class Candidate:
    """The learner on the register (the master, when the ULN asked for is linked)."""

    given_name: str
    family_name: str
    previous_family_name: str | None
    preferred_given_name: str | None
    date_of_birth: date
    gender: str


@dataclass(frozen=True)
class Claim:
    given_name: str
    family_name: str
    date_of_birth: date | None = None
    gender: str | None = None


@dataclass(frozen=True)
class VerificationOutcome:
    result: VerificationResult
    lrs_code: str
    failure_flags: tuple[str, ...]


NOT_FOUND = VerificationOutcome(VerificationResult.NOT_FOUND, "WSVRC006", ())

_CODES = {
    VerificationResult.MATCH: "WSVRC001",
    VerificationResult.LINKED_MATCH: "WSVRC002",
    VerificationResult.SIMILAR_MATCH: "WSVRC003",
    VerificationResult.SIMILAR_LINKED_MATCH: "WSVRC004",
    VerificationResult.NO_MATCH: "WSVRC005",
}


def _search(claimed: str, places: list[tuple[str, list[str | None]]]) -> tuple[list[str], bool]:
    """Flags raised looking for ``claimed`` place by place, and whether it was found at all."""
    flags: list[str] = []
    for flag, recorded in places:
        agreements = {compare_names(claimed, r) for r in recorded}
        if Agreement.EXACT in agreements:
            return flags, True
        flags.append(flag)
        if Agreement.SIMILAR in agreements:
            return flags, True
    return flags, False


def verify(claim: Claim, record: Candidate, *, linked: bool) -> VerificationOutcome:
    given_flags, given_found = _search(
        claim.given_name,
        [
            ("VRF1", [record.given_name, record.preferred_given_name]),
            ("VRF2", [record.family_name]),
            ("VRF3", [record.previous_family_name]),
        ],
    )
    family_flags, family_found = _search(
        claim.family_name,
        [
            ("VRF5", [record.family_name]),
            ("VRF6", [record.previous_family_name]),
            ("VRF4", [record.given_name]),
        ],
    )
    flags = set(given_flags) | set(family_flags)
    if claim.date_of_birth is not None and claim.date_of_birth != record.date_of_birth:
        flags.add("VRF7")
    if (
        claim.gender in KNOWN_GENDERS
        and record.gender in KNOWN_GENDERS
        and claim.gender != record.gender
    ):
        flags.add("VRF8")
    ordered = tuple(sorted(flags, key=lambda f: int(f[3:])))
    if flags & {"VRF7", "VRF8"} or not (given_found and family_found):
        result = VerificationResult.NO_MATCH
    elif not flags:
        result = VerificationResult.LINKED_MATCH if linked else VerificationResult.MATCH
    else:
        result = (
            VerificationResult.SIMILAR_LINKED_MATCH if linked else VerificationResult.SIMILAR_MATCH
        )
    return VerificationOutcome(result, _CODES[result], ordered)
