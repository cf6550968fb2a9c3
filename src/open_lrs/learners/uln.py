"""The Unique Learner Number: validation and issue (domain.md §1). Pure; no I/O.

A ULN is 10 digits, the first 1-9, the last a modulus-11 check digit over the first nine
with weights 10 down to 2. ``9999999999`` is the temporary ULN of ILR returns: feeds accept
it, the register never issues it nor gives it to a learner.
"""

from __future__ import annotations

import random
import secrets

TEMPORARY_ULN = "9999999999"
WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)
_STEM_LOW = 100_000_000
_STEM_HIGH = 999_999_999


def check_digit(stem: str) -> int | None:
    """The check digit for a nine-digit stem, or None for the 1 stem in 11 that has none."""
    if len(stem) != 9 or not stem.isascii() or not stem.isdigit():
        raise ValueError("a ULN stem is exactly 9 digits")
    remainder = sum(int(d) * w for d, w in zip(stem, WEIGHTS, strict=True)) % 11
    if remainder == 0:
        return None
    return 10 - remainder


def uln_error(value: str) -> str | None:
    """Why ``value`` is not a learner's ULN, as words that follow "ULN", or None if it is."""
    if len(value) != 10 or not value.isascii() or not value.isdigit():
        return "must be exactly 10 digits"
    if value[0] == "0":
        return "must not start with 0"
    if value == TEMPORARY_ULN:
        return "9999999999 is the temporary ULN for a learner without one, not a learner's ULN"
    if check_digit(value[:9]) != int(value[9]):
        return "check digit is wrong"
    return None


def is_valid_uln(value: str) -> bool:
    return uln_error(value) is None


def generate_uln(rng: random.Random | None = None) -> str:
    """A random valid ULN, uniform over the valid space. Uniqueness is the caller's job
    (the database's unique constraint, retried on collision). The temporary ULN can never
    come out: its check digit is wrong (the stem 999999999 takes 8)."""
    rng = rng or secrets.SystemRandom()
    while True:
        stem = str(rng.randint(_STEM_LOW, _STEM_HIGH))
        digit = check_digit(stem)
        if digit is not None:
            return f"{stem}{digit}"
