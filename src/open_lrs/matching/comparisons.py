"""Per-field agreement levels between a search and a learner on the register.

Each function answers with the *best* level that holds, strongest first; the scoring model
turns a level into a weight. Forenames are compared with care: siblings and twins share a
family name, date of birth and postcode, so the forename is the evidence that tells them
apart, and it must still recognise the same person under a nickname, a middle name, an
initial or a typo, or shortened to its first letters ("Stu" for Stuart).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence

from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from open_lrs.core.postcodes import postcode_parts
from open_lrs.core.text import compact_name, typo_close
from open_lrs.matching.nicknames import are_nicknames, known_names
from open_lrs.matching.normalise import family_key, one_spelling, phonetic, words

PHONETIC_SIMILAR_AT = 0.80
START_MIN_LETTERS = 2  # "Jo" for Joanna; a single letter is an initial
SHORT_FORM_MIN_LETTERS = 3  # a start that is a known name in its own right: "Kat", "Ros"
SHORT_NAME_LETTERS = range(2, 5)  # names of 2-4 letters: "Dn" for Dan, "oJy" for Joy


def sounds_alike(a: str, b: str) -> bool:
    """Same phonetic code, and either not far apart as strings (phonetics alone over-match:
    Lily and Lola share one) or the same once spellings of one sound are made one (Epha and
    Efa, far apart as strings)."""
    return (
        bool(a and b)
        and phonetic(a) == phonetic(b)
        and (
            JaroWinkler.similarity(a, b) >= PHONETIC_SIMILAR_AT
            or one_spelling(a) == one_spelling(b)
        )
    )


class Forename(enum.Enum):
    EXACT = "exact"
    NICKNAME = "nickname"
    SIMILAR = "similar"
    PHONETIC = "phonetic"
    MIDDLE = "middle_name"  # the name given is the learner's other given name
    INITIAL = "initial"
    # Levels a model may lack (OPTIONAL).
    SHORT_FORM = "short_form"  # the start of the other name, and a known name: Kat for Kathleen
    PREFIX = "prefix"  # the start of the other name, 2 letters or more: Stu for Stuart
    SHORT_EDIT = "short_edit"  # a name of 2-4 letters one slip away: oJy for Joy, Dn for Dan
    DIFFERENT = "different"
    MISSING = "missing"


# The levels whose evidence depends on how common the shared start is (``shared_start``).
STARTS = (Forename.SHORT_FORM.value, Forename.PREFIX.value)
# The levels a model may lack (version 2 does): a forename at one of them is then different.
OPTIONAL = (*STARTS, Forename.SHORT_EDIT.value)


def shared_start(first: str, names: Sequence[str]) -> str:
    """The longest of ``names`` and ``first`` that is the start of the other (2 letters or
    more), or "" if none is: "stu" for ("stu", ["stuart"]), and for ("stuart", ["stu"])."""
    best = ""
    for name in names:
        short, long_ = (first, name) if len(first) <= len(name) else (name, first)
        if len(short) >= START_MIN_LETTERS and long_.startswith(short) and len(short) > len(best):
            best = short
    return best


def _short_edit(first: str, names: Sequence[str]) -> bool:
    """A name of 2-4 letters with two letters swapped, or one dropped, added or changed."""
    return any(
        len(a) in SHORT_NAME_LETTERS
        and len(b) in SHORT_NAME_LETTERS
        and DamerauLevenshtein.distance(a, b) == 1
        for a, b in ((first, name) for name in names)
    )


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
    if start := shared_start(first, used):
        if len(start) >= SHORT_FORM_MIN_LETTERS and start in known_names():
            return Forename.SHORT_FORM
        return Forename.PREFIX
    if _short_edit(first, used):
        return Forename.SHORT_EDIT
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
