"""Cells that a spreadsheet has rewritten: dates reformatted, ULNs turned into numbers. Pure.

Such values must stop the whole file, because a worker would otherwise register learners with
wrong details; a value that is simply wrong is one row's problem, which its reader reports.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from open_lrs.core.files.problems import shown

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIME_SUFFIX = re.compile(
    r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?: ?[AaPp][Mm])?)$"
)
_DAY_MONTH_YEAR = re.compile(r"([0-9]{1,2})([/.\-])([0-9]{1,2})\2([0-9]{2}|[0-9]{4})")
_YEAR_MONTH_DAY = re.compile(r"([0-9]{4})([/.\-])([0-9]{1,2})\2([0-9]{1,2})")
_NAMED_MONTH = re.compile(r"([0-9]{1,2})[\- ]([A-Za-z]{3,9})\.?[\- ]([0-9]{2}|[0-9]{4})")
_SERIAL = re.compile(r"([0-9]{5})(?:\.0+)?")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_SPREADSHEET_EPOCH = date(1899, 12, 30)


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _day_month_year(first: int, second: int, year: int) -> str | tuple[str, str] | None:
    """The ISO date of d/m/y or m/d/y: one when the order shows, both when it cannot."""
    as_dmy, as_mdy = _iso(year, second, first), _iso(year, first, second)
    if as_dmy and as_mdy and as_dmy != as_mdy:
        return (as_dmy, as_mdy)
    return as_dmy or as_mdy


def _date_reading(value: str) -> str | tuple[str, str] | None:
    """What a reformatted date stands for: an ISO date, two candidates, or None (unknown)."""
    base = _TIME_SUFFIX.sub("", value)
    if _ISO_DATE.fullmatch(base):
        return _iso(int(base[:4]), int(base[5:7]), int(base[8:]))
    if m := _DAY_MONTH_YEAR.fullmatch(base):
        if len(m.group(4)) == 2:
            return None
        return _day_month_year(int(m.group(1)), int(m.group(3)), int(m.group(4)))
    if m := _YEAR_MONTH_DAY.fullmatch(base):
        return _iso(int(m.group(1)), int(m.group(3)), int(m.group(4)))
    if m := _NAMED_MONTH.fullmatch(base):
        month = m.group(2)[:3].lower()
        if month not in _MONTHS or len(m.group(3)) == 2:
            return None
        return _iso(int(m.group(3)), _MONTHS.index(month) + 1, int(m.group(1)))
    m = _SERIAL.fullmatch(base)
    return (_SPREADSHEET_EPOCH + timedelta(days=int(m.group(1)))).isoformat() if m else None


def _looks_reformatted(value: str) -> bool:
    base = _TIME_SUFFIX.sub("", value)
    if base != value and _ISO_DATE.fullmatch(base):
        return True
    shapes = (_DAY_MONTH_YEAR, _YEAR_MONTH_DAY, _SERIAL)
    if any(shape.fullmatch(base) for shape in shapes):
        return True
    m = _NAMED_MONTH.fullmatch(base)
    return bool(m and m.group(2)[:3].lower() in _MONTHS)


def reformatted_date(value: str) -> str | None:
    """Why ``value`` is a date a spreadsheet has reformatted, or None.

    Only the shapes spreadsheets produce are caught here; any other non-ISO value ("unknown",
    2006-02-30) is one learner's mistake, which the worker reports on that row alone.
    """
    value = value.strip()
    if not value or _ISO_DATE.fullmatch(value) or not _looks_reformatted(value):
        return None
    reading = _date_reading(value)
    if isinstance(reading, tuple):
        form = f"YYYY-MM-DD ({shown(value)} could be {reading[0]} or {reading[1]})"
    else:
        form = reading or "YYYY-MM-DD"
    return (
        f"{shown(value)} is not YYYY-MM-DD; a spreadsheet may have reformatted the dates "
        f"\u2014 save dates as text in the form {form}"
    )


_NINE_DIGITS = re.compile(r"[0-9]{9}")
_SCIENTIFIC = re.compile(r"[0-9](?:\.[0-9]+)?[eE]\+?[0-9]{1,3}")
_DECIMAL = re.compile(r"[0-9]{10}\.[0-9]+")


def reformatted_uln(value: str) -> str | None:
    """Why ``value`` is a ULN a spreadsheet has turned into a number, or None.

    A spreadsheet that takes a ULN column for numbers damages every row of it, so this stops
    the file; a ULN that is simply wrong (a bad check digit) is one row's problem.
    """
    value = value.strip()
    if _NINE_DIGITS.fullmatch(value):
        return (
            f"{value} has 9 digits, not 10; a spreadsheet may have treated the ULNs as "
            "numbers and dropped a leading zero \u2014 format the ULN column as text and "
            "enter all 10 digits"
        )
    if _SCIENTIFIC.fullmatch(value):
        return (
            f"{value} is in scientific notation: a spreadsheet has treated the ULNs as "
            "numbers and lost digits \u2014 format the ULN column as text and enter the "
            "ULNs again"
        )
    if _DECIMAL.fullmatch(value):
        return (
            f"{value} was saved as a decimal number \u2014 format the ULN column as text "
            "so that each ULN is just its 10 digits"
        )
    return None
