"""From HTML forms to the API's schemas, and from codes to words.

A form's fields are read as strings; blank ones are left out (so a required one is "required",
as in the API); the GOV.UK date input's three boxes become the API's YYYY-MM-DD. Then the
API's own Pydantic schema validates, so every rule and message is the API's.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from open_lrs.learners.verification_flags import SENTENCES
from open_lrs.portal.errors import FormError, from_validation

M = TypeVar("M", bound=BaseModel)

GENDERS = {"0": "Not known", "1": "Male", "2": "Female", "9": "Not specified"}
SHARING = {
    "0": "Has not seen the privacy notice",
    "1": "Agreed to share their record",
    "2": "Does not agree to share their record",
}
# Headings: GOV.UK's have no full stop.
OUTCOMES = {
    "exact_match": "We found the learner",
    "possible_matches": "We found learners who might be the person you are looking for",
    "no_match": "We did not find anyone with these details",
    "too_many_matches": "Too many learners have details like these",
}
ONE_POSSIBLE_MATCH = "We found a learner who might be the person you are looking for"


def outcome_title(code: str, matches: int) -> str:
    """The heading of a search's answer: one possible match is "a learner", not "learners"."""
    return ONE_POSSIBLE_MATCH if code == "possible_matches" and matches == 1 else OUTCOMES[code]


OUTCOME_ADVICE = {
    "exact_match": "Their details match closely enough to be sure it is the same person.",
    "possible_matches": "Compare each learner's details with the details you have before you "
    "use their ULN. Use a ULN only if you are sure it is the same person.",
    "no_match": "Check the spelling of the names and the date of birth. If the learner has "
    "never had a ULN, you can register them.",
    "too_many_matches": "More than 10 learners on the register are like this one, so none are "
    "shown. Check the details, or add the learner's gender and postcode, and search again.",
}
FIELD_WORDS = {
    "forename": "Given name",
    "family_name": "Family name",
    "date_of_birth": "Date of birth",
    "postcode": "Postcode",
    "gender": "Gender",
    "previous_family_name": "Previous family name",
    "email": "Email address",
    "place_of_birth": "Place of birth",
    "school_at_age_16": "School at age 16",
}
AGREEMENT_WORDS = {
    "exact": "the same",
    "nickname": "a known short or other form of the name",
    "similar": "spelt similarly",
    "phonetic": "sounds the same",
    "middle_name": "matches a middle name",
    "initial": "matches as an initial",
    "short_form": "starts with the same letters, a known short form",
    "prefix": "starts with the same letters",
    "short_edit": "a short name with letters swapped or missing",
    "previous_family_name": "matches a previous family name",
    "part": "matches part of the name",
    "swapped": "the same but swapped round",
    "one_digit": "one digit different",
    "year_off_by_one": "the year is one out",
    "same_sector": "in the same postcode sector",
    "same_district": "in the same postcode district",
    "different": "different",
    "missing": "not given on one side",
}
VERIFY_RESULTS = {  # headings (the page goes on with the learner's current ULN, if merged)
    "match": "The ULN belongs to this learner",
    "linked_match": "The ULN belongs to this learner, but it was merged into another ULN",
    "similar_match": "The ULN was found and the details are similar, but not the same",
    "similar_linked_match": "The ULN was merged into another ULN, and the details are similar, "
    "but not the same",
    "no_match": "The ULN does not belong to a learner with these details",
    "not_found": "No learner has this ULN",
}
FAILURE_FLAGS = SENTENCES  # the one table, also behind docs/verification.md


def text_values(form: FormData, fields: Iterable[str]) -> dict[str, str]:
    """The named fields as typed (for showing again), blanks included."""
    values = {}
    for name in fields:
        value = form.get(name)
        values[name] = value if isinstance(value, str) else ""
    return values


def date_values(form: FormData, name: str) -> dict[str, str]:
    return text_values(form, [f"{name}-day", f"{name}-month", f"{name}-year"])


def date_of(values: dict[str, str], name: str) -> tuple[str | None, FormError | None]:
    """The three boxes as YYYY-MM-DD (None when all are blank), or the date input's error."""
    parts = [values.get(f"{name}-{p}", "").strip() for p in ("day", "month", "year")]
    if not any(parts):
        return None, None
    missing = [p for p, v in zip(("day", "month", "year"), parts, strict=True) if not v]
    label = "Date of birth" if name == "date_of_birth" else "The date"
    if missing:
        return None, FormError(name, f"{label} must include a {' and '.join(missing)}")
    if not all(p.isdigit() for p in parts) or len(parts[2]) != 4:
        return None, FormError(name, f"{label} must be a real date, with a 4-digit year")
    day, month, year = (int(p) for p in parts)
    return f"{year:04d}-{month:02d}-{day:02d}", None


def date_boxes(value: date | str | None, name: str) -> dict[str, str]:
    """A stored date as the three boxes of a date input."""
    if value is None or value == "":
        return {}
    d = value if isinstance(value, date) else date.fromisoformat(value)
    return {f"{name}-day": str(d.day), f"{name}-month": str(d.month), f"{name}-year": str(d.year)}


def present(values: dict[str, Any]) -> dict[str, Any]:
    """The non-blank values, trimmed of nothing (the schemas clean text themselves)."""
    return {k: v for k, v in values.items() if not (isinstance(v, str) and not v.strip())}


def validate(
    model: type[M], data: dict[str, Any], fields: Iterable[str] | None = None
) -> tuple[M | None, list[FormError]]:
    """The API's schema over the data: the model, or the errors (only ``fields``' if given)."""
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        errors = from_validation(exc, fields)
        if fields is not None and not errors:
            return None, []
        return None, errors or from_validation(exc)


def learner_words() -> dict[str, Any]:
    """The words a page about learners and their matches uses for codes (genders, sharing,
    each field, each way of agreeing)."""
    return {
        "genders": GENDERS,
        "sharing": SHARING,
        "field_words": FIELD_WORDS,
        "agreement_words": AGREEMENT_WORDS,
    }
