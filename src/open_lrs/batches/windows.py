"""When a queued batch may start (processing windows). Pure: times in, a time and a reason out.

By default a batch runs as soon as a worker is free. An operator may keep the daytime for
small batches, as the LRS did: batches submitted after a cut-off (18:00 UK time there) wait
for the overnight run, and a cap on the rows one organisation may queue in a day stops one
large college from starving everyone else. The reason goes back to the submitter, who would
otherwise be left wondering why nothing happens.

Windows are wall-clock times in ``zone``, so they stay put across the clock changes. The day
is read as starting at ``daytime_start``: the daytime runs from there to the cut-off (or,
without one, to the overnight start), the overnight run from ``overnight_start`` to the next
daytime start, and anything submitted in between waits for the overnight run. The windows
themselves are settings, read and checked as the settings load (``core.batch_windows``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from open_lrs.core.batch_windows import Windows, hh_mm

_DAY = timedelta(days=1)


def _since(t: time, origin: time) -> timedelta:
    """How long after ``origin`` wall time ``t`` comes, going round the clock."""

    return (_of_day(t) - _of_day(origin)) % _DAY


def _of_day(t: time) -> timedelta:
    return timedelta(hours=t.hour, minutes=t.minute, seconds=t.second, microseconds=t.microsecond)


def _utc(at: datetime, name: str) -> datetime:
    if at.tzinfo is None:
        raise ValueError(f"{name} must have a time zone, not be naive: {at.isoformat()}")
    return at.astimezone(UTC)


def _instant(day: date, at: time, zone: ZoneInfo, *, fold: int = 0) -> datetime:
    # A wall time skipped by the spring change is read with the winter offset, so it lands
    # just after the change.
    return datetime.combine(day, at, tzinfo=zone).replace(fold=fold).astimezone(UTC)


def _day_of(local: datetime, windows: Windows) -> date:
    """The date on which the day holding ``local`` began (at ``daytime_start``)."""
    return local.date() - _DAY if local.time() < windows.daytime_start else local.date()


def daytime_day_start(windows: Windows, at: datetime) -> datetime:
    """When the current day's daytime began (the latest daytime start at or before ``at``),
    in UTC: rows queued since then are the ones the daytime cap counts."""
    zone = ZoneInfo(windows.zone)
    at = _utc(at, "at")
    day = _day_of(at.astimezone(zone), windows)
    first = _instant(day, windows.daytime_start, zone)
    # A start the spring change skipped is read with the summer offset, so it has begun.
    return first if first <= at else _instant(day, windows.daytime_start, zone, fold=1)


def _next_overnight(windows: Windows, submitted: datetime, zone: ZoneInfo) -> datetime:
    """Only asked when waiting, which is always before the overnight start of the day."""
    local = submitted.astimezone(zone)
    start = _since(windows.overnight_start, windows.daytime_start) or _DAY
    day = (datetime.combine(_day_of(local, windows), windows.daytime_start) + start).date()
    first = _instant(day, windows.overnight_start, zone)
    # A wall time repeated in autumn is its first occurrence, unless that has just passed.
    return first if first >= submitted else _instant(day, windows.overnight_start, zone, fold=1)


def run_after(
    windows: Windows, *, submitted_at: datetime, rows: int, rows_already_today: int
) -> tuple[datetime, str]:
    """When a batch of ``rows`` rows may start, in UTC, and why, in words for the submitter.

    ``rows_already_today`` counts the organisation's rows queued since ``daytime_day_start``,
    not counting this batch.
    """
    submitted = _utc(submitted_at, "submitted_at")
    cap = windows.daytime_rows_per_organisation
    if windows.cutoff is None and cap is None:
        return submitted, "now"
    zone = ZoneInfo(windows.zone)
    local = submitted.astimezone(zone)
    overnight = _since(windows.overnight_start, windows.daytime_start)
    daytime_end = (
        _since(windows.cutoff, windows.daytime_start) if windows.cutoff is not None else overnight
    )
    now = _since(local.time(), windows.daytime_start)
    in_daytime = now < (daytime_end or _DAY)
    if not in_daytime and overnight and now >= overnight:
        return submitted, "now"  # the overnight run is under way
    then = f"in the overnight run from {hh_mm(windows.overnight_start)}"
    if not in_daytime:
        assert windows.cutoff is not None  # without one, the daytime ends where the night begins
        why = f"after the daytime cut-off of {hh_mm(windows.cutoff)}: {then}"
    elif cap is not None and rows > cap:
        why = (
            f"the batch's {rows:,} rows are more than the {cap:,} daytime rows allowed "
            f"per organisation: {then}"
        )
    elif cap is not None and rows_already_today + rows > cap:
        why = (
            f"your organisation has {rows_already_today:,} of its {cap:,} daytime rows "
            f"queued today: {then}"
        )
    else:
        return submitted, "now"
    return _next_overnight(windows, submitted, zone), why
