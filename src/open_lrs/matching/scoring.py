"""Scoring candidates for a search and deciding the outcome, with an explanation per field.

Outcomes and LRS codes: ``exact_match`` (WSRC0004, one learner), ``possible_matches``
(WSRC0003, 1-10 best first), ``no_match`` (WSRC0001), ``too_many_matches`` (WSRC0002).

Siblings and twins share a family name, date of birth and postcode; in a plain Fellegi-Sunter
sum that agreement outweighs a different forename, so they would be matched or sent to a
person. Here a forename that is *different* -- not the same, a nickname, a typo, a sound-alike,
a middle name, an initial, a start of the name or a slip in a short one, nor the family name
swapped in -- rules the candidate out: it is someone else. Everything that could be the same
person's forename is kept and weighed, and a candidate is matched without a person only when
the fields that tell a home's members apart (the model's ``sibling`` threshold) say so.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from open_lrs.matching import comparisons as cmp
from open_lrs.matching.dates import DateAgreement, compare_dates
from open_lrs.matching.model import SIBLING_FIELDS, Model
from open_lrs.matching.normalise import family_key, words

MAX_POSSIBLE = 10

# How common a folded name is on the register (share of learners), for term frequencies:
# (field, name), the field being "forename", "family_name" or START_FIELD.
Frequency = Callable[[str, str], float | None]
# How common a start of a forename is: the share of learners whose forename begins with it,
# counted for starts of up to START_COUNTED_LETTERS letters (a longer start weighs as its
# first letters do, a little less than it might).
START_FIELD = "forename_start"
START_COUNTED_LETTERS = 6


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
    # False when the forename agrees only as a middle name or an initial (an unregistered
    # twin may bear their sibling's middle name), or when the fields that tell the members of
    # a home apart weigh less than the model's ``sibling`` threshold: a person must confirm.
    can_auto_match: bool = True
    # The weight of those fields (model.SIBLING_FIELDS): what sets this learner apart from
    # a twin or sibling who agrees on everything else.
    between_siblings: float = 0.0


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


def _forename(query: Query, record: Record, model: Model) -> str:
    """How the forename agrees; "swapped" when the names are the wrong way round. A level
    the model does not know (version 2 has no ``prefix``) is ``different``."""
    if _swapped(query, record):
        return "swapped"
    level = cmp.compare_forenames(
        words(query.given_name),
        words(record.given_name),
        words(record.middle_other_name),
        words(record.preferred_given_name),
    ).value
    return _DIFFERENT if level in cmp.OPTIONAL and not model.knows("forename", level) else level


def _start(query: Query, record: Record) -> str:
    """The start of a name that the searched forename and the learner's share (``STARTS``)."""
    searched = words(query.given_name)
    names = [*words(record.given_name)[:1], *words(record.preferred_given_name)[:1]]
    return cmp.shared_start(searched[0], names) if searched else ""


def levels(
    query: Query, record: Record, model: Model, forename: str | None = None
) -> dict[str, str]:
    """How each field agrees (field: level), in the order an explanation lists them.
    ``forename``: the forename's level, where the caller has worked it out already."""
    forename = forename or _forename(query, record, model)
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
        self._frequency = frequency
        self._frequencies = {
            "forename": frequency("forename", words_[0] if words_ else ""),
            "family_name": frequency("family_name", family_key(query.family_name)),
        }
        self._known: dict[tuple[str, str, str], float] = {}
        self._totals: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}

    def __call__(self, field: str, level: str, start: str = "") -> float:
        """``start``: for a forename level in ``STARTS``, the start the names share."""
        weight = self._known.get((field, level, start))
        if weight is None:
            if start:
                freq = self._frequency(START_FIELD, start[:START_COUNTED_LETTERS])
            else:
                freq = self._frequencies.get(field)
            weight = round(self._model.weight(field, level, freq), 2)
            self._known[field, level, start] = weight
        return weight

    def total(self, found: Mapping[str, str], start: str = "") -> float:
        key = (start, tuple(found.items()))
        total = self._totals.get(key)
        if total is None:
            total = round(
                sum(self(f, lvl, start if f == "forename" else "") for f, lvl in key[1]), 2
            )
            self._totals[key] = total
        return total

    def between_siblings(self, found: Mapping[str, str], start: str = "") -> float:
        """The weight of the fields that tell apart people who share a home and a birthday."""
        return sum(
            self(field, found[field], start if field == "forename" else "")
            for field in SIBLING_FIELDS
            if field in found
        )


_DIFFERENT = cmp.Forename.DIFFERENT.value


def _ruled_out(found: Mapping[str, str]) -> bool:
    return found["forename"] == _DIFFERENT or (
        found["date_of_birth"] == DateAgreement.DIFFERENT.value
        and found["family_name"] not in _SAME_FAMILY
    )


def _scored(
    query: Query, record: Record, found: Mapping[str, str], weights: Weights, model: Model
) -> Scored:
    start = _start(query, record) if found["forename"] in cmp.STARTS else ""
    parts = []
    for field, level in found.items():
        attribute = _ATTRIBUTE.get(field, field)
        searched, on_record = getattr(query, attribute), getattr(record, attribute)
        parts.append(
            FieldComparison(
                field,
                level,
                weights(field, level, start if field == "forename" else ""),
                None if searched is None else str(searched),
                None if on_record is None else str(on_record),
            )
        )
    apart = weights.between_siblings(found, start)
    alone = found["forename"] not in _NOT_ON_ITS_OWN and (
        model.sibling is None or apart >= model.sibling
    )
    total = weights.total(found, start)
    return Scored(record, total, tuple(parts), _ruled_out(found), alone, round(apart, 2))


def score(query: Query, record: Record, model: Model, frequency: Frequency) -> Scored:
    """One candidate scored, with the explanation of every field."""
    found = levels(query, record, model)
    return _scored(query, record, found, Weights(query, model, frequency), model)


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
        forename = _forename(query, record, model)
        if forename == _DIFFERENT:  # someone else (_ruled_out), whatever the other fields say
            continue
        found = levels(query, record, model, forename)
        start = _start(query, record) if forename in cmp.STARTS else ""
        total = weights.total(found, start)
        if total >= review and not _ruled_out(found):
            kept.append((total, record, found))
    kept.sort(key=lambda k: k[0], reverse=True)  # stable: equal scores keep the records' order
    scored = [_scored(query, record, found, weights, model) for _, record, found in kept]
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
    if (
        best.score >= auto_match
        and best.can_auto_match
        and all(o.score < auto_match or _told_apart(best, o, model) for o in plausible[1:])
    ):
        return Decision(Outcome.EXACT_MATCH, (best,), auto_match, review)
    return Decision(Outcome.POSSIBLE_MATCHES, tuple(plausible), auto_match, review)


def _told_apart(best: Scored, other: Scored, model: Model) -> bool:
    """True when a second candidate above the auto-match threshold is outweighed, by the
    model's ``sibling`` bits or more, on the fields that tell a home's members apart: it
    reached the threshold on what a twin shares ("Ella" when "Ellie" is searched and both
    are registered), not on being the learner."""
    return model.sibling is not None and (
        best.between_siblings - other.between_siblings >= model.sibling
    )
