"""Per-field agreement levels between a search and a learner on the register.

Each function answers with the *best* level that holds, strongest first; the scoring model
turns a level into a weight. Forenames are compared with care: siblings and twins share a
family name, date of birth and postcode, so the forename is the evidence that tells them
apart, and it must still recognise the same person under a nickname, a middle name, an
initial or a typo.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence

from rapidfuzz.distance import JaroWinkler

from open_lrs.core.postcodes import postcode_parts
from open_lrs.core.text import compact_name, typo_close
from open_lrs.matching.nicknames import are_nicknames
from open_lrs.matching.normalise import family_key, phonetic, words

PHONETIC_SIMILAR_AT = 0.80


def sounds_alike(a: str, b: str) -> bool:
    """Same phonetic code and not far apart as strings (phonetics alone over-match)."""
    return (
        bool(a and b)
        and phonetic(a) == phonetic(b)
        and JaroWinkler.similarity(a, b) >= PHONETIC_SIMILAR_AT
    )


class Forename(enum.Enum):
    EXACT = "exact"
    NICKNAME = "nickname"
    SIMILAR = "similar"
    PHONETIC = "phonetic"
    MIDDLE = "middle_name"  # the name given is the learner's other given name
    INITIAL = "initial"
    DIFFERENT = "different"
    MISSING = "missing"


def compare_forenames(
    query: Sequence[str],
    given: Sequence[str],
    middle: Sequence[str] = (),
    preferred: Sequence[str] = (),
) -> Forename:
    """``query``: the folded words of the given name searched for (middle names included);
    ``given``, ``middle``, ``preferred``: the learner's, as folded words."""
    if not query or not given:
        return Forename.MISSING
    first = query[0]
    used = [given[0], *preferred[:1]]
    if "".join(query) == "".join(given) or first in used:
        return Forename.EXACT
    if any(are_nicknames(first, name) for name in used):
        return Forename.NICKNAME
    if any(typo_close(first, name) for name in used) or typo_close("".join(query), "".join(given)):
        return Forename.SIMILAR
    if any(sounds_alike(first, name) for name in used):
        return Forename.PHONETIC
    every = (*given, *middle, *preferred)
    if first in every or given[0] in query[1:]:
        return Forename.MIDDLE
    if any(are_nicknames(q, name) for q in query for name in every):
        return Forename.MIDDLE
    if (len(first) == 1 and given[0].startswith(first)) or (
        len(given[0]) == 1 and first.startswith(given[0])
    ):
        return Forename.INITIAL
    return Forename.DIFFERENT


class FamilyName(enum.Enum):
    EXACT = "exact"
    PREVIOUS = "previous_family_name"  # married, or back to a birth name
    SIMILAR = "similar"
    PHONETIC = "phonetic"
    PART = "part"  # one part of a double-barrelled name
    DIFFERENT = "different"


def compare_family_names(
    query: str, query_previous: str | None, family: str, earlier: Sequence[str | None]
) -> FamilyName:
    """``earlier``: the learner's previous family name and family name at 16."""
    q, r = family_key(query), family_key(family)
    if q == r:
        return FamilyName.EXACT
    before = {family_key(e) for e in earlier if e}
    if q in before or (query_previous and family_key(query_previous) in {r, *before}):
        return FamilyName.PREVIOUS
    q_parts, r_parts = set(_parts(query)), set(_parts(family))
    if q_parts & r_parts:
        return FamilyName.PART
    if typo_close(q, r):
        return FamilyName.SIMILAR
    if sounds_alike(q, r):
        return FamilyName.PHONETIC
    return FamilyName.DIFFERENT


def _parts(name: str) -> list[str]:
    return [family_key(w) for w in words(name) if len(w) > 2]


class Postcode(enum.Enum):
    EXACT = "exact"
    SECTOR = "same_sector"
    DISTRICT = "same_district"
    DIFFERENT = "different"
    MISSING = "missing"


def compare_postcodes(query: str | None, record: str | None) -> Postcode:
    """Canonical postcodes; unknown (ZZ99 9ZZ) and BFPO addresses count as missing."""
    q = postcode_parts(query) if query else None
    r = postcode_parts(record) if record else None
    if q is None or r is None:
        return Postcode.MISSING
    if q == r:
        return Postcode.EXACT
    if q[0] == r[0] and q[1][0] == r[1][0]:
        return Postcode.SECTOR
    if q[0] == r[0]:
        return Postcode.DISTRICT
    return Postcode.DIFFERENT


class Gender(enum.Enum):
    EXACT = "exact"
    DIFFERENT = "different"
    MISSING = "missing"


def compare_genders(query: str | None, record: str | None) -> Gender:
    """Only male (1) and female (2) are compared; not known (0) and not specified (9) are
    missing."""
    if query not in ("1", "2") or record not in ("1", "2"):
        return Gender.MISSING
    return Gender.EXACT if query == record else Gender.DIFFERENT


class Detail(enum.Enum):
    """Agreement on an optional detail: email, place of birth, school at 16."""

    EXACT = "exact"
    SIMILAR = "similar"
    DIFFERENT = "different"
    MISSING = "missing"


def compare_details(query: str | None, record: str | None, *, similar: bool = True) -> Detail:
    """Folded text compared whole; ``similar`` allows a typo (not for email addresses)."""
    q, r = compact_name(query or ""), compact_name(record or "")
    if not q or not r:
        return Detail.MISSING
    if q == r:
        return Detail.EXACT
    if similar and typo_close(q, r):
        return Detail.SIMILAR
    return Detail.DIFFERENT
