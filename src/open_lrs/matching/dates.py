"""How two dates of birth agree: the mistakes people make writing them down."""

from __future__ import annotations

import enum
from datetime import date


class DateAgreement(enum.Enum):
    EXACT = "exact"
    SWAPPED = "swapped"  # day and month exchanged (03/04 for 04/03)
    ONE_DIGIT = "one_digit"  # one digit of YYYY-MM-DD differs
    YEAR_OFF_BY_ONE = "year_off_by_one"
    DIFFERENT = "different"
    MISSING = "missing"


def compare_dates(query: date | None, record: date | None) -> DateAgreement:
    if query is None or record is None:
        return DateAgreement.MISSING
    if query == record:
        return DateAgreement.EXACT
    if swapped(query) == record:
        return DateAgreement.SWAPPED
    a, b = query.isoformat(), record.isoformat()
    if sum(x != y for x, y in zip(a, b, strict=True)) == 1:
        return DateAgreement.ONE_DIGIT
    if (query.month, query.day) == (record.month, record.day) and abs(
        query.year - record.year
    ) == 1:
        return DateAgreement.YEAR_OFF_BY_ONE
    return DateAgreement.DIFFERENT


def swapped(born: date) -> date | None:
    """The other date that ``born`` is read as with day and month exchanged, if there is one."""
    if born.day > 12 or born.day == born.month:
        return None
    return date(born.year, born.day, born.month)


def with_swapped(born: date) -> tuple[date, ...]:
    """``born`` and the date it becomes with day and month exchanged: a search for either can
    find a learner born on the other."""
    other = swapped(born)
    return (born,) if other is None else (born, other)
