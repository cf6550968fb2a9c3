"""What a learning event is: an achievement or a participation, a final or provisional result,
and the source that reported it. Pure.

The record defines these, and the feeds that load events into it produce them.
"""

from __future__ import annotations

from typing import Final, Literal

ACHIEVEMENT: Final = "achievement"
PARTICIPATION: Final = "participation"
FINAL: Final = "F"
PROVISIONAL: Final = "P"

Kind = Literal["achievement", "participation"]
Status = Literal["F", "P"]
Source = Literal["ILR", "AO", "NPD"]
