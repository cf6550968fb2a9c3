"""The batch processing windows as an operator sets them (``LRS_BATCH_*``). Pure.

The settings are read and checked here, when the settings load, so that a mistyped time stops
the service at start-up, named; when a batch may run within them is ``batches.windows``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_HH_MM = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")


@dataclass(frozen=True)
class Windows:
    cutoff: time | None = None
    overnight_start: time = time(0, 0)
    daytime_start: time = time(6, 0)
    daytime_rows_per_organisation: int | None = None
    zone: str = "Europe/London"

    def __post_init__(self) -> None:
        # Messages name the settings: an operator reads them at start-up, not a programmer.
        try:
            ZoneInfo(self.zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"the batch time zone {self.zone!r} is not known: use a name such as Europe/London"
            ) from None
        cap = self.daytime_rows_per_organisation
        if cap is not None and cap < 1:
            raise ValueError(
                "LRS_BATCH_DAYTIME_ROWS_PER_ORGANISATION must be at least 1 "
                f"(leave it unset for no cap), not {cap}"
            )
        if self.cutoff is None:
            return
        if self.cutoff <= self.daytime_start:
            raise ValueError(
                f"LRS_BATCH_CUTOFF ({hh_mm(self.cutoff)}) must be later in the day than "
                f"LRS_BATCH_DAYTIME_START ({hh_mm(self.daytime_start)})"
            )
        if self.daytime_start < self.overnight_start < self.cutoff:
            raise ValueError(
                f"LRS_BATCH_OVERNIGHT_START ({hh_mm(self.overnight_start)}) falls in the "
                f"daytime, from LRS_BATCH_DAYTIME_START ({hh_mm(self.daytime_start)}) to "
                f"LRS_BATCH_CUTOFF ({hh_mm(self.cutoff)})"
            )


def hh_mm(t: time) -> str:
    return t.strftime("%H:%M")


def _time_setting(value: str, setting: str) -> time:
    text = value.strip()
    if not _HH_MM.fullmatch(text):
        raise ValueError(
            f"{setting} must be a time of day as HH:MM on the 24-hour clock, such as 18:00, "
            f"not {value!r}"
        )
    return time(int(text[:2]), int(text[3:]))


def parse_windows(
    cutoff: str | None, overnight: str, daytime: str, cap: int | None, zone: str
) -> Windows:
    """Windows from the settings' strings; a blank cut-off means none."""
    return Windows(
        cutoff=_time_setting(cutoff, "LRS_BATCH_CUTOFF") if cutoff and cutoff.strip() else None,
        overnight_start=_time_setting(overnight, "LRS_BATCH_OVERNIGHT_START"),
        daytime_start=_time_setting(daytime, "LRS_BATCH_DAYTIME_START"),
        daytime_rows_per_organisation=cap,
        zone=zone,
    )
