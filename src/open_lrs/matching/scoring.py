"""Scoring candidates for a search and deciding the outcome, with an explanation per field.

Outcomes and LRS codes: ``exact_match`` (WSRC0004, one learner), ``possible_matches``
(WSRC0003, 1-10 best first), ``no_match`` (WSRC0001), ``too_many_matches`` (WSRC0002).

Siblings and twins share a family name, date of birth and postcode; in a plain Fellegi-Sunter
sum that agreement outweighs a different forename, so they would be matched or sent to a
person. Here a forename that is *different* -- not the same, a nickname, a typo, a sound-alike,
a middle name, an initial, nor the family name swapped in -- rules the candidate out: it is
someone else. Everything that could be the same person's forename is kept and weighed.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from open_lrs.matching import comparisons as cmp
from open_lrs.matching.dates import DateAgreement, compare_dates
from open_lrs.matching.model import Model
from open_lrs.matching.normalise import family_key, words

MAX_POSSIBLE = 10

# How common a folded name is on the register (share of learners), for term frequencies.
Frequency = Callable[[str, str], float | None]


@dataclass(frozen=True)
class Query:
    given_name: str
    family_name: str
    date_of_birth: date
    gender: str | None = None
    postcode: str | None = None
    previous_family_name: str | None = None
    email: str | None = None
    place_of_birth: str | None = None
    school_at_age_16: str | None = None


# Optional details a search may give, compared only when it gives them: (field, typo allowed).
DETAILS = (("email", False), ("place_of_birth", True), ("school_at_age_16", True))


@dataclass(frozen=True)
class Record:
    key: object  # the caller's handle (a learner id or ULN)
    given_name: str
    family_name: str
    date_of_birth: date
    gender: str | None = None
    postcode: str | None = None
    middle_other_name: str | None = None
    preferred_given_name: str | None = None
    previous_family_name: str | None = None
    family_name_at_age_16: str | None = None
    email: str | None = None
    place_of_birth: str | None = None
    school_at_age_16: str | None = None


def query_for(record: Record) -> Query:
    """A search with a learner's own main details (estimation pairs learners this way)."""
    return Query(
        given_name=record.given_name,
        family_name=record.family_name,
        date_of_birth=record.date_of_birth,
        gender=record.gender,
        postcode=record.postcode,
        previous_family_name=record.previous_family_name,
    )


@dataclass(frozen=True)
class FieldComparison:
    field: str
    agreement: str
    weight: float
    searched: str | None
    found: str | None


@dataclass(frozen=True)
class Scored:
    record: Record
    score: float
    explanation: tuple[FieldComparison, ...]
    ruled_out: bool  # a clearly different forename: someone else
    # False when the forename agrees only as a middle name or an initial: an unregistered
    # twin may bear their sibling's middle name, so a person must confirm such a match.
    can_auto_match: bool = True


class Outcome(enum.Enum):
    EXACT_MATCH = ("exact_match", "WSRC0004")
    POSSIBLE_MATCHES = ("possible_matches", "WSRC0003")
    NO_MATCH = ("no_match", "WSRC0001")
    TOO_MANY = ("too_many_matches", "WSRC0002")

    @property
    def code(self) -> str:
        return self.value[0]

    @property
    def lrs_code(self) -> str:
        return self.value[1]


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    matches: tuple[Scored, ...]


def _swapped(query: Query, record: Record) -> bool:
    return family_key(query.given_name) == family_key(record.family_name) and family_key(
        query.family_name
    ) == family_key(record.given_name)


def score(query: Query, record: Record, model: Model, frequency: Frequency) -> Scored:
    parts: list[FieldComparison] = []

    def add(field: str, level: str, searched: object, found: object, freq: float | None) -> None:
        weight = round(model.weight(field, level, freq), 2)
        parts.append(
            FieldComparison(
                field,
                level,
                weight,
                None if searched is None else str(searched),
                None if found is None else str(found),
            )
        )

    query_words = words(query.given_name)
    if _swapped(query, record):
        forename, family = "swapped", "swapped"
    else:
        forename = cmp.compare_forenames(
            query_words,
            words(record.given_name),
            words(record.middle_other_name),
            words(record.preferred_given_name),
        ).value
        family = cmp.compare_family_names(
            query.family_name,
            query.previous_family_name,
            record.family_name,
            (record.previous_family_name, record.family_name_at_age_16),
        ).value
    first = query_words[0] if query_words else ""
    add("forename", forename, query.given_name, record.given_name, frequency("forename", first))
    add(
        "family_name",
        family,
        query.family_name,
        record.family_name,
        frequency("family_name", family_key(query.family_name)),
    )
    dob = compare_dates(query.date_of_birth, record.date_of_birth)
    add("date_of_birth", dob.value, query.date_of_birth, record.date_of_birth, None)
    postcode = cmp.compare_postcodes(query.postcode, record.postcode)
    add("postcode", postcode.value, query.postcode, record.postcode, None)
    gender = cmp.compare_genders(query.gender, record.gender)
    add("gender", gender.value, query.gender, record.gender, None)
    for field, typos in DETAILS:
        searched, found = getattr(query, field), getattr(record, field)
        if searched:
            level = cmp.compare_details(searched, found, similar=typos).value
            add(field, level, searched, found, None)
    total = round(sum(p.weight for p in parts), 2)
    ruled_out = forename == cmp.Forename.DIFFERENT.value or (
        dob is DateAgreement.DIFFERENT and family not in _SAME_FAMILY
    )
    can_auto = forename not in _NOT_ON_ITS_OWN
    return Scored(record, total, tuple(parts), ruled_out, can_auto)


_SAME_FAMILY = (cmp.FamilyName.EXACT.value, "swapped")
_NOT_ON_ITS_OWN = (cmp.Forename.MIDDLE.value, cmp.Forename.INITIAL.value)


def decide(
    query: Query,
    records: Sequence[Record],
    model: Model,
    frequency: Frequency,
    *,
    same_learner: Callable[[Record], object] = lambda r: r.key,
) -> Decision:
    """Score every candidate and decide: one sure match, a short list for a person, or none.

    ``same_learner`` names the learner a record answers for: a linked (merged) record and its
    master are one learner, counted once at the better of their scores.
    """
    scored = sorted(
        (score(query, r, model, frequency) for r in records),
        key=lambda s: s.score,
        reverse=True,
    )
    plausible: list[Scored] = []
    seen: set[object] = set()
    for candidate in scored:
        who = same_learner(candidate.record)
        if candidate.ruled_out or candidate.score < model.review or who in seen:
            continue
        seen.add(who)
        plausible.append(candidate)
    if not plausible:
        return Decision(Outcome.NO_MATCH, ())
    if len(plausible) > MAX_POSSIBLE:
        return Decision(Outcome.TOO_MANY, ())
    best = plausible[0]
    runner_up = plausible[1].score if len(plausible) > 1 else float("-inf")
    if best.score >= model.auto_match and best.can_auto_match and runner_up < model.auto_match:
        return Decision(Outcome.EXACT_MATCH, (best,))
    return Decision(Outcome.POSSIBLE_MATCHES, tuple(plausible))
