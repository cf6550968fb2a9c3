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
from collections.abc import Callable, Mapping, Sequence
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
    # The thresholds the decision used: the model's, raised for a register larger than the
    # one they were chosen for (``Model.thresholds``).
    auto_match: float
    review: float


def _swapped(query: Query, record: Record) -> bool:
    return family_key(query.given_name) == family_key(record.family_name) and family_key(
        query.family_name
    ) == family_key(record.given_name)


# The attribute of a search and of a learner that each field compares, where not the field's name.
_ATTRIBUTE = {"forename": "given_name"}


def _forename(query: Query, record: Record) -> str:
    """How the forename agrees; "swapped" when the names are the wrong way round."""
    if _swapped(query, record):
        return "swapped"
    return cmp.compare_forenames(
        words(query.given_name),
        words(record.given_name),
        words(record.middle_other_name),
        words(record.preferred_given_name),
    ).value


def levels(query: Query, record: Record, forename: str | None = None) -> dict[str, str]:
    """How each field agrees (field: level), in the order an explanation lists them.
    ``forename``: the forename's level, where the caller has worked it out already."""
    forename = forename or _forename(query, record)
    if forename == "swapped":
        family = "swapped"
    else:
        family = cmp.compare_family_names(
            query.family_name,
            query.previous_family_name,
            record.family_name,
            (record.previous_family_name, record.family_name_at_age_16),
        ).value
    found = {
        "forename": forename,
        "family_name": family,
        "date_of_birth": compare_dates(query.date_of_birth, record.date_of_birth).value,
        "postcode": cmp.compare_postcodes(query.postcode, record.postcode).value,
        "gender": cmp.compare_genders(query.gender, record.gender).value,
    }
    for field, typos in DETAILS:
        if searched := getattr(query, field):
            detail = cmp.compare_details(searched, getattr(record, field), similar=typos)
            found[field] = detail.value
    return found


class Weights:
    """A search's weight for each (field, level), and its total for each combination of levels,
    worked out once per search: the searched names' frequencies are the same for every
    candidate, and a search's candidates share a few combinations between them."""

    def __init__(self, query: Query, model: Model, frequency: Frequency) -> None:
        words_ = words(query.given_name)
        self._model = model
        self._frequencies = {
            "forename": frequency("forename", words_[0] if words_ else ""),
            "family_name": frequency("family_name", family_key(query.family_name)),
        }
        self._known: dict[tuple[str, str], float] = {}
        self._totals: dict[tuple[tuple[str, str], ...], float] = {}

    def __call__(self, field: str, level: str) -> float:
        weight = self._known.get((field, level))
        if weight is None:
            freq = self._frequencies.get(field)
            weight = self._known[field, level] = round(self._model.weight(field, level, freq), 2)
        return weight

    def total(self, found: Mapping[str, str]) -> float:
        levels_ = tuple(found.items())
        total = self._totals.get(levels_)
        if total is None:
            total = self._totals[levels_] = round(sum(self(f, lvl) for f, lvl in levels_), 2)
        return total


_DIFFERENT = cmp.Forename.DIFFERENT.value


def _ruled_out(found: Mapping[str, str]) -> bool:
    return found["forename"] == _DIFFERENT or (
        found["date_of_birth"] == DateAgreement.DIFFERENT.value
        and found["family_name"] not in _SAME_FAMILY
    )


def _scored(query: Query, record: Record, found: Mapping[str, str], weights: Weights) -> Scored:
    parts = []
    for field, level in found.items():
        attribute = _ATTRIBUTE.get(field, field)
        searched, on_record = getattr(query, attribute), getattr(record, attribute)
        parts.append(
            FieldComparison(
                field,
                level,
                weights(field, level),
                None if searched is None else str(searched),
                None if on_record is None else str(on_record),
            )
        )
    return Scored(
        record,
        weights.total(found),
        tuple(parts),
        _ruled_out(found),
        found["forename"] not in _NOT_ON_ITS_OWN,
    )


def score(query: Query, record: Record, model: Model, frequency: Frequency) -> Scored:
    """One candidate scored, with the explanation of every field."""
    return _scored(query, record, levels(query, record), Weights(query, model, frequency))


_SAME_FAMILY = (cmp.FamilyName.EXACT.value, "swapped")
_NOT_ON_ITS_OWN = (cmp.Forename.MIDDLE.value, cmp.Forename.INITIAL.value)


def decide(
    query: Query,
    records: Sequence[Record],
    model: Model,
    frequency: Frequency,
    *,
    learners: int | None = None,
    same_learner: Callable[[Record], object] = lambda r: r.key,
) -> Decision:
    """Score every candidate and decide: one sure match, a short list for a person, or none.

    ``learners``: how many learners the register holds, which sets the thresholds
    (``Model.thresholds``); None keeps the model's own. ``same_learner`` names the learner a
    record answers for: a linked (merged) record and its master are one learner, counted once
    at the better of their scores.
    """
    auto_match, review = model.thresholds(learners)
    weights = Weights(query, model, frequency)
    # Most candidates fall below the review threshold: they are weighed, not explained.
    kept = []
    for record in records:
        forename = _forename(query, record)
        if forename == _DIFFERENT:  # someone else (_ruled_out), whatever the other fields say
            continue
        found = levels(query, record, forename)
        total = weights.total(found)
        if total >= review and not _ruled_out(found):
            kept.append((total, record, found))
    kept.sort(key=lambda k: k[0], reverse=True)  # stable: equal scores keep the records' order
    scored = [_scored(query, record, found, weights) for _, record, found in kept]
    plausible: list[Scored] = []
    seen: set[object] = set()
    for candidate in scored:
        who = same_learner(candidate.record)
        if who in seen:
            continue
        seen.add(who)
        plausible.append(candidate)
    if not plausible:
        return Decision(Outcome.NO_MATCH, (), auto_match, review)
    if len(plausible) > MAX_POSSIBLE:
        return Decision(Outcome.TOO_MANY, (), auto_match, review)
    best = plausible[0]
    runner_up = plausible[1].score if len(plausible) > 1 else float("-inf")
    if best.score >= auto_match and best.can_auto_match and runner_up < auto_match:
        return Decision(Outcome.EXACT_MATCH, (best,), auto_match, review)
    return Decision(Outcome.POSSIBLE_MATCHES, tuple(plausible), auto_match, review)
