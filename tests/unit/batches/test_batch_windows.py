"""Processing windows: when a batch may start, across the UK's clock changes."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from open_lrs.batches.windows import daytime_day_start, run_after
from open_lrs.core.batch_windows import Windows, parse_windows
from open_lrs.core.settings import Settings

LRS = Windows(cutoff=time(18, 0), daytime_rows_per_organisation=20_000)
OPEN = Windows()
AFTER_CUTOFF = "after the daytime cut-off of 18:00: in the overnight run from 00:00"
NOW = "now"


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def ask(windows: Windows, at: datetime, rows: int = 100, already: int = 0) -> tuple[datetime, str]:
    return run_after(windows, submitted_at=at, rows=rows, rows_already_today=already)


# 2026: BST from 01:00 UTC on 29 March to 01:00 UTC on 25 October.
@pytest.mark.parametrize(
    ("at", "starts", "why"),
    [
        # Winter (GMT = UTC).
        (utc(2026, 1, 15, 10, 0), None, NOW),
        (utc(2026, 1, 15, 17, 59, 59), None, NOW),
        (utc(2026, 1, 15, 18, 0), utc(2026, 1, 16, 0, 0), AFTER_CUTOFF),
        (utc(2026, 1, 15, 23, 59), utc(2026, 1, 16, 0, 0), AFTER_CUTOFF),
        (utc(2026, 1, 16, 0, 0), None, NOW),
        (utc(2026, 1, 16, 3, 0), None, NOW),
        (utc(2026, 1, 16, 5, 59), None, NOW),
        (utc(2026, 1, 16, 6, 0), None, NOW),
        # Summer (BST = UTC+1): the cut-off is 17:00 UTC, midnight 23:00 UTC.
        (utc(2026, 7, 15, 16, 59), None, NOW),
        (utc(2026, 7, 15, 17, 0), utc(2026, 7, 15, 23, 0), AFTER_CUTOFF),
        (utc(2026, 7, 15, 22, 30), utc(2026, 7, 15, 23, 0), AFTER_CUTOFF),
        (utc(2026, 7, 15, 23, 30), None, NOW),
        (utc(2026, 7, 16, 2, 0), None, NOW),  # 03:00 BST
        (utc(2026, 7, 16, 5, 0), None, NOW),  # 06:00 BST
        # The evening before the spring change is GMT, the night it runs in too.
        (utc(2026, 3, 28, 18, 30), utc(2026, 3, 29, 0, 0), AFTER_CUTOFF),
        # The spring change day: GMT until 01:00 UTC, BST after.
        (utc(2026, 3, 29, 0, 30), None, NOW),
        (utc(2026, 3, 29, 16, 59), None, NOW),
        (utc(2026, 3, 29, 17, 0), utc(2026, 3, 29, 23, 0), AFTER_CUTOFF),
        # The evening before the autumn change is BST; its midnight too.
        (utc(2026, 10, 24, 17, 0), utc(2026, 10, 24, 23, 0), AFTER_CUTOFF),
        # The autumn change day: 01:00 to 02:00 local happens twice; the evening is GMT.
        (utc(2026, 10, 25, 0, 30), None, NOW),
        (utc(2026, 10, 25, 1, 30), None, NOW),
        (utc(2026, 10, 25, 17, 59), None, NOW),
        (utc(2026, 10, 25, 18, 0), utc(2026, 10, 26, 0, 0), AFTER_CUTOFF),
    ],
)
def test_the_daytime_cutoff(at: datetime, starts: datetime | None, why: str) -> None:
    assert ask(LRS, at) == (starts or at, why)


def test_a_time_in_another_zone_is_read_as_the_same_instant() -> None:
    new_york = timezone(timedelta(hours=-5))
    at = datetime(2026, 1, 15, 13, 30, tzinfo=new_york)  # 18:30 in London
    starts, why = ask(LRS, at)
    assert starts == utc(2026, 1, 16, 0, 0)
    assert starts.tzinfo is UTC
    assert why == AFTER_CUTOFF


@pytest.mark.parametrize(
    ("rows", "already", "starts", "why"),
    [
        (1_000, 0, None, NOW),
        (2_000, 18_000, None, NOW),  # exactly the cap
        (
            5_000,
            18_000,
            utc(2026, 1, 16, 0, 0),
            "your organisation has 18,000 of its 20,000 daytime rows queued today: "
            "in the overnight run from 00:00",
        ),
        (
            1,
            20_000,
            utc(2026, 1, 16, 0, 0),
            "your organisation has 20,000 of its 20,000 daytime rows queued today: "
            "in the overnight run from 00:00",
        ),
        (
            25_000,
            0,
            utc(2026, 1, 16, 0, 0),
            "the batch's 25,000 rows are more than the 20,000 daytime rows allowed per "
            "organisation: in the overnight run from 00:00",
        ),
    ],
)
def test_the_daytime_cap(rows: int, already: int, starts: datetime | None, why: str) -> None:
    at = utc(2026, 1, 15, 10, 0)
    assert ask(LRS, at, rows, already) == (starts or at, why)


def test_the_cap_does_not_apply_overnight() -> None:
    at = utc(2026, 1, 16, 3, 0)
    assert ask(LRS, at, rows=50_000, already=90_000) == (at, NOW)


def test_after_the_cutoff_the_cutoff_is_the_reason() -> None:
    at = utc(2026, 1, 15, 19, 0)
    assert ask(LRS, at, rows=50_000, already=90_000) == (utc(2026, 1, 16, 0, 0), AFTER_CUTOFF)


def test_without_a_cap_only_the_cutoff_counts() -> None:
    windows = Windows(cutoff=time(18, 0))
    at = utc(2026, 1, 15, 10, 0)
    assert ask(windows, at, rows=5_000, already=1_000_000) == (at, NOW)


def test_without_a_cutoff_the_cap_holds_until_midnight() -> None:
    windows = Windows(daytime_rows_per_organisation=1_000)
    evening = utc(2026, 1, 15, 22, 0)
    assert ask(windows, evening, rows=500) == (evening, NOW)
    assert ask(windows, evening, rows=500, already=600) == (
        utc(2026, 1, 16, 0, 0),
        "your organisation has 600 of its 1,000 daytime rows queued today: "
        "in the overnight run from 00:00",
    )
    night = utc(2026, 1, 16, 1, 0)
    assert ask(windows, night, rows=500, already=600) == (night, NOW)


@pytest.mark.parametrize(
    "at",
    [
        utc(2026, 1, 15, 19, 0),
        utc(2026, 7, 15, 3, 0),
        utc(2026, 3, 29, 1, 30),
        utc(2026, 10, 25, 1),
    ],
)
def test_by_default_a_batch_runs_now(at: datetime) -> None:
    assert ask(OPEN, at, rows=1_000_000, already=10_000_000) == (at, NOW)


def test_a_later_overnight_start_leaves_a_gap_after_the_cutoff() -> None:
    windows = Windows(cutoff=time(18, 0), overnight_start=time(20, 0))
    late = "after the daytime cut-off of 18:00: in the overnight run from 20:00"
    assert ask(windows, utc(2026, 1, 15, 19, 0)) == (utc(2026, 1, 15, 20, 0), late)
    assert ask(windows, utc(2026, 1, 15, 21, 0)) == (utc(2026, 1, 15, 21, 0), NOW)
    assert ask(windows, utc(2026, 1, 16, 3, 0)) == (utc(2026, 1, 16, 3, 0), NOW)


def test_an_overnight_start_after_midnight() -> None:
    windows = Windows(cutoff=time(18, 0), overnight_start=time(2, 0))
    late = "after the daytime cut-off of 18:00: in the overnight run from 02:00"
    assert ask(windows, utc(2026, 1, 15, 23, 0)) == (utc(2026, 1, 16, 2, 0), late)
    assert ask(windows, utc(2026, 1, 16, 1, 0)) == (utc(2026, 1, 16, 2, 0), late)
    assert ask(windows, utc(2026, 1, 16, 2, 30)) == (utc(2026, 1, 16, 2, 30), NOW)


def test_no_overnight_run_means_waiting_for_the_morning() -> None:
    windows = Windows(cutoff=time(18, 0), overnight_start=time(6, 0))
    morning = "after the daytime cut-off of 18:00: in the overnight run from 06:00"
    assert ask(windows, utc(2026, 1, 15, 19, 0)) == (utc(2026, 1, 16, 6, 0), morning)
    assert ask(windows, utc(2026, 1, 16, 3, 0)) == (utc(2026, 1, 16, 6, 0), morning)
    assert ask(windows, utc(2026, 1, 16, 6, 0)) == (utc(2026, 1, 16, 6, 0), NOW)


def test_an_overnight_start_the_spring_change_skips() -> None:
    windows = Windows(cutoff=time(18, 0), overnight_start=time(1, 30))
    starts, _ = ask(windows, utc(2026, 3, 28, 20, 0))
    assert starts == utc(2026, 3, 29, 1, 30)  # 02:30 BST: just after the clocks go forward


def test_an_overnight_start_the_autumn_change_repeats() -> None:
    windows = Windows(cutoff=time(0, 45), daytime_start=time(0, 30), overnight_start=time(1, 30))
    # The first 01:30 (BST), for a batch submitted before it ...
    assert ask(windows, utc(2026, 10, 24, 23, 50))[0] == utc(2026, 10, 25, 0, 30)
    # ... and the second (GMT) for one submitted between the two.
    assert ask(windows, utc(2026, 10, 25, 1, 10))[0] == utc(2026, 10, 25, 1, 30)


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="submitted_at"):
        ask(LRS, datetime(2026, 1, 15, 10, 0))


# The day the cap counts --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "began"),
    [
        (utc(2026, 1, 15, 10, 0), utc(2026, 1, 15, 6, 0)),
        (utc(2026, 1, 15, 6, 0), utc(2026, 1, 15, 6, 0)),
        (utc(2026, 1, 15, 5, 59), utc(2026, 1, 14, 6, 0)),
        (utc(2026, 1, 15, 23, 0), utc(2026, 1, 15, 6, 0)),
        (utc(2026, 7, 15, 10, 0), utc(2026, 7, 15, 5, 0)),
        (utc(2026, 7, 15, 4, 59), utc(2026, 7, 14, 5, 0)),
        (utc(2026, 3, 29, 12, 0), utc(2026, 3, 29, 5, 0)),
        (utc(2026, 3, 29, 3, 0), utc(2026, 3, 28, 6, 0)),
        (utc(2026, 10, 25, 12, 0), utc(2026, 10, 25, 6, 0)),
        (utc(2026, 10, 25, 3, 0), utc(2026, 10, 24, 5, 0)),
    ],
)
def test_daytime_day_start(at: datetime, began: datetime) -> None:
    found = daytime_day_start(LRS, at)
    assert found == began
    assert found.tzinfo is UTC


def test_daytime_day_start_refuses_a_naive_time() -> None:
    with pytest.raises(ValueError, match="time zone"):
        daytime_day_start(LRS, datetime(2026, 1, 15, 10, 0))


# Settings ----------------------------------------------------------------------------------


def test_parse_windows() -> None:
    assert parse_windows("18:00", "00:00", "06:00", 20_000, "Europe/London") == LRS
    assert parse_windows(None, "00:00", "06:00", None, "Europe/London") == OPEN
    assert parse_windows("  ", " 01:15 ", "07:45", None, "UTC") == Windows(
        overnight_start=time(1, 15), daytime_start=time(7, 45), zone="UTC"
    )


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        (("6pm", "00:00", "06:00", None), "LRS_BATCH_CUTOFF"),
        (("24:00", "00:00", "06:00", None), "LRS_BATCH_CUTOFF"),
        (("18:00:00", "00:00", "06:00", None), "LRS_BATCH_CUTOFF"),
        ((None, "0:00", "06:00", None), "LRS_BATCH_OVERNIGHT_START"),
        ((None, "", "06:00", None), "LRS_BATCH_OVERNIGHT_START"),
        ((None, "00:00", "6", None), "LRS_BATCH_DAYTIME_START"),
        ((None, "00:00", "06:60", None), "LRS_BATCH_DAYTIME_START"),
        ((None, "00:00", "06:00", 0), "LRS_BATCH_DAYTIME_ROWS_PER_ORGANISATION"),
        (("05:00", "00:00", "06:00", None), "LRS_BATCH_CUTOFF"),
        (("06:00", "00:00", "06:00", None), "LRS_BATCH_CUTOFF"),
        (("18:00", "12:00", "06:00", None), "LRS_BATCH_OVERNIGHT_START"),
    ],
)
def test_bad_settings_are_named(
    settings: tuple[str | None, str, str, int | None], named: str
) -> None:
    cutoff, overnight, daytime, cap = settings
    with pytest.raises(ValueError, match=named):
        parse_windows(cutoff, overnight, daytime, cap, "Europe/London")


def test_an_unknown_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="Europe/Lundun"):
        parse_windows("18:00", "00:00", "06:00", None, "Europe/Lundun")


def test_a_mistyped_setting_stops_the_settings_loading_named() -> None:
    with pytest.raises(ValueError, match="LRS_BATCH_CUTOFF"):
        Settings(batch_cutoff="6pm")
    assert Settings(batch_cutoff="18:00").batch_windows() == Windows(cutoff=time(18, 0))


# Properties --------------------------------------------------------------------------------

clock = st.builds(time, st.integers(0, 23), st.integers(0, 59))


@st.composite
def windows(draw: st.DrawFn) -> Windows:
    try:
        return Windows(
            cutoff=draw(st.none() | clock),
            overnight_start=draw(clock),
            daytime_start=draw(clock),
            daytime_rows_per_organisation=draw(st.none() | st.integers(1, 50_000)),
            zone=draw(
                st.sampled_from(["Europe/London", "America/New_York", "Australia/Lord_Howe", "UTC"])
            ),
        )
    except ValueError:
        assume(False)
        raise


def hours_between(earlier: time, later: time) -> float:
    day = datetime(2026, 1, 1)
    return (datetime.combine(day, later) - datetime.combine(day, earlier)).seconds / 3600


instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


@given(windows(), instants, st.integers(1, 60_000), st.integers(0, 100_000))
def test_a_batch_never_starts_before_it_was_submitted(
    w: Windows, at: datetime, rows: int, already: int
) -> None:
    starts, why = run_after(w, submitted_at=at, rows=rows, rows_already_today=already)
    assert starts.tzinfo is UTC
    assert at <= starts <= at + timedelta(hours=26)
    assert (why == NOW) == (starts == at)


@given(windows(), instants, st.integers(1, 60_000))
def test_a_batch_may_start_when_it_was_told(w: Windows, at: datetime, rows: int) -> None:
    cap = w.daytime_rows_per_organisation
    assume(cap is None or rows <= cap)
    # A daytime shorter than a clock change can vanish on the day of the change.
    assume(w.cutoff is None or hours_between(w.daytime_start, w.cutoff) >= 2)
    starts, _ = run_after(w, submitted_at=at, rows=rows, rows_already_today=0)
    assert run_after(w, submitted_at=starts, rows=rows, rows_already_today=0) == (starts, NOW)


@given(windows(), instants)
def test_the_day_began_within_the_last_day(w: Windows, at: datetime) -> None:
    began = daytime_day_start(w, at)
    assert began.tzinfo is UTC
    assert at - timedelta(hours=26) < began <= at
