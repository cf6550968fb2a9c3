"""Field rules for a learner's details (domain.md §2). Pure; no I/O.

Each function takes a value already of the right type, returns it cleaned, or raises
``ValueError`` with words that follow the field's name ("postcode must be ...").
The API schemas, the importer and the batch reader all call these; a rule lives here once.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from email_validator import EmailNotValidError, validate_email

from open_lrs.core.postcodes import UNKNOWN_POSTCODE
from open_lrs.core.text import APOSTROPHES, clean_text, has_control_chars

MIN_AGE = 13
MAX_AGE = 110
NAME_MAX_LENGTH = 35

# Letters and combining marks of any script, plus the separators real names use.
_NAME_PUNCTUATION = set(" -.\u2010\u2011" + APOSTROPHES)
_DROP_NAME_PUNCTUATION = str.maketrans(dict.fromkeys(_NAME_PUNCTUATION))
_OUTWARD = (
    r"[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPS-UW]|[A-HK-Y][0-9][ABEHMNPRV-Y])"
)
_INWARD = r"[0-9][ABD-HJLNP-UW-Z]{2}"
_POSTCODE_RE = re.compile(rf"^({_OUTWARD})({_INWARD})$")
_BFPO_RE = re.compile(r"^BFPO([0-9]{1,4})$")
_SCN_RE = re.compile(r"^[0-9]{9}$")
_NATIONALITY_RE = re.compile(r"^[A-Z]{2,3}$")
POSTCODE_MESSAGE = "must be a UK postcode such as SW1A 1AA, BFPO 1234 or ZZ99 9ZZ for unknown"


def _single_line(value: str, *, max_length: int) -> str:
    if has_control_chars(value):
        raise ValueError("must not contain control characters or line breaks")
    value = clean_text(value)
    if not value:
        raise ValueError("must not be blank")
    if len(value) > max_length:
        raise ValueError(f"must be at most {max_length} characters")
    return value


def name(value: str, *, max_length: int = NAME_MAX_LENGTH) -> str:
    """A personal name: letters of any script with spaces, hyphens, apostrophes, full stops."""
    value = _single_line(value, max_length=max_length)
    if value.translate(_DROP_NAME_PUNCTUATION).isalpha():  # the common case, checked in C
        return value
    letters = 0
    for ch in value:
        if ch in _NAME_PUNCTUATION:
            continue
        category = unicodedata.category(ch)
        if category.startswith("L"):
            letters += 1
        elif not category.startswith("M") and ch not in "\u200c\u200d":
            raise ValueError(
                f"must contain only letters, spaces, hyphens and apostrophes, not {ch!r}"
            )
    if not letters:
        raise ValueError("must contain at least one letter")
    return value


def age_on(born: date, day: date) -> int:
    """Whole years from ``born`` to ``day``; a 29 February birthday counts on 1 March."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def date_of_birth(value: date, *, today: date) -> date:
    if value > today:
        raise ValueError("must not be in the future")
    age = age_on(value, today)
    if not MIN_AGE <= age <= MAX_AGE:
        raise ValueError(
            f"learner must be aged {MIN_AGE} to {MAX_AGE}; this date of birth gives age {age}"
        )
    return value


def date_not_in_future(value: date, *, today: date) -> date:
    if value > today:
        raise ValueError("must not be in the future")
    return value


def gender(value: str) -> str:
    if value not in ("0", "1", "2", "9"):
        raise ValueError(
            "must be an LRS gender code: 0 not known, 1 male, 2 female, 9 not specified"
        )
    return value


def postcode(value: str) -> str:
    """The canonical form: upper case, one space before the inward code ("SW1A 1AA")."""
    squeezed = "".join(value.split()).upper()
    if squeezed == "ZZ999ZZ":
        return UNKNOWN_POSTCODE
    if match := _BFPO_RE.match(squeezed):
        return f"BFPO {match.group(1)}"
    if squeezed == "GIR0AA":
        return "GIR 0AA"
    if match := _POSTCODE_RE.match(squeezed):
        return f"{match.group(1)} {match.group(2)}"
    raise ValueError(POSTCODE_MESSAGE)


def email(value: str) -> str:
    value = value.strip()
    try:
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"must be an email address: {exc}") from None
    return str(result.normalized)


def nationality(value: str) -> str:
    value = value.strip().upper()
    if not _NATIONALITY_RE.match(value):
        raise ValueError("must be a 2 or 3 letter country code such as GB or GBR")
    return value


def scottish_candidate_number(value: str) -> str:
    value = value.strip()
    if not _SCN_RE.match(value):
        raise ValueError("must be exactly 9 digits")
    return value


def free_text(value: str, *, max_length: int, multiline: bool = False) -> str:
    if has_control_chars(value, multiline=multiline):
        raise ValueError(
            "must not contain control characters"
            if multiline
            else "must not contain control characters or line breaks"
        )
    value = clean_text(value, multiline=multiline)
    if len(value) > max_length:
        raise ValueError(f"must be at most {max_length} characters")
    return value
