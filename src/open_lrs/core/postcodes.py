"""The parts of a canonical UK postcode. Pure; no I/O.

Here, not in ``learners.rules``, because matching reads postcodes too (a blocking key on the
sector, a comparison that tells a move next door from one across the country) and must not
depend on the learners package, which depends on it. Validating and canonicalising a postcode
as it arrives stays with the learner's other field rules.
"""

from __future__ import annotations

UNKNOWN_POSTCODE = "ZZ99 9ZZ"


def postcode_parts(value: str) -> tuple[str, str] | None:
    """(outward, inward) of a canonical geographic postcode; None for BFPO and unknown."""
    if value == UNKNOWN_POSTCODE or value.startswith("BFPO"):
        return None
    outward, _, inward = value.partition(" ")
    return (outward, inward) if inward else None


def postcode_sector(value: str) -> str | None:
    """The sector ("SW1A 1") that neighbours share: a move within it is a small change."""
    parts = postcode_parts(value)
    return f"{parts[0]} {parts[1][0]}" if parts else None
