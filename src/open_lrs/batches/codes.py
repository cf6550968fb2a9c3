"""Per-row return codes of batch registration (domain.md §4), as data.

The LRS published only RC006, RC011 and RC013; the rest of the list is ours. Keeping every
code with its meaning and the total it counts towards in one table means the worker, the
status API, the output file and the documentation cannot disagree about what a code says.
Verify batches answer with the LRS verification codes (WSVRC), kept here too so that a
count of any batch's rows goes through one rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

NEW = "new"
EXISTING = "existing"
POSSIBLE = "possible_match"
NOT_FOUND = "not_found"
REJECTED = "rejected"
TOTALS = (NEW, EXISTING, POSSIBLE, NOT_FOUND, REJECTED)
# Not a total of answered rows: rows no worker has answered yet.
PENDING = "pending"


@dataclass(frozen=True)
class ReturnCode:
    code: str
    total: str
    meaning: str

    def __post_init__(self) -> None:
        if self.total not in TOTALS:
            raise ValueError(f"{self.code}: {self.total!r} is not one of {', '.join(TOTALS)}")


def _table(*codes: ReturnCode) -> Mapping[str, ReturnCode]:
    return MappingProxyType({c.code: c for c in codes})


RETURN_CODES: Mapping[str, ReturnCode] = _table(
    ReturnCode("RC001", NEW, "New learner registered: a ULN was issued"),
    ReturnCode("RC002", EXISTING, "Learner already registered: their ULN is returned"),
    ReturnCode("RC003", EXISTING, "The ULN given was verified against the learner's details"),
    ReturnCode(
        "RC004", POSSIBLE, "Possible matches: a person must choose one or confirm a new learner"
    ),
    ReturnCode("RC005", POSSIBLE, "More than 10 possible matches: a person must check the details"),
    ReturnCode("RC006", REJECTED, "Insufficient data to create a ULN"),
    ReturnCode("RC007", REJECTED, "The ULN given does not match the learner's details"),
    ReturnCode("RC008", REJECTED, "The ULN given is not on the register"),
    ReturnCode(
        "RC009",
        EXISTING,
        "The ULN given was merged into another learner: the master ULN is returned",
    ),
    ReturnCode("RC010", EXISTING, "Resolved by a person: an existing learner was chosen"),
    ReturnCode("RC011", REJECTED, "Incorrect format"),
    ReturnCode(
        "RC012", NEW, "Resolved by a person: confirmed as a new learner, and a ULN was issued"
    ),
    ReturnCode("RC013", REJECTED, "Age outside 13 to 110"),
    ReturnCode("RC014", NOT_FOUND, "No learner found (check-only job: no ULN was issued)"),
)

# A failed verification counts as rejected, as RC007 and RC008 do for registration.
VERIFICATION_CODES: Mapping[str, ReturnCode] = _table(
    ReturnCode("WSVRC001", EXISTING, "Match: the ULN and the learner's details agree"),
    ReturnCode(
        "WSVRC002",
        EXISTING,
        "Linked match: the ULN was merged into another learner, whose details agree",
    ),
    ReturnCode("WSVRC003", EXISTING, "Similar match: the ULN was found and a name is similar"),
    ReturnCode(
        "WSVRC004",
        EXISTING,
        "Similar linked match: the ULN was merged into another learner and a name is similar",
    ),
    ReturnCode("WSVRC005", REJECTED, "Does not match: see the failure flags"),
    ReturnCode("WSVRC006", REJECTED, "The ULN is not on the register"),
)


def describe(code: str) -> ReturnCode:
    """The entry for any code a batch row can hold; an unknown one is a bug, not a row's
    problem, so it fails loudly rather than being counted nowhere."""
    found = RETURN_CODES.get(code) or VERIFICATION_CODES.get(code)
    if found is None:
        raise ValueError(f"{code!r} is not a batch return code")
    return found


def totals(
    codes: Iterable[str | None] | Mapping[str | None, int], *, pending: int = 0
) -> dict[str, int]:
    """Rows per total, plus ``pending`` for rows not answered yet (a code of None).

    Takes one code per row, or counts already grouped by code (as a database GROUP BY gives
    them); ``pending`` adds rows counted elsewhere.
    """
    grouped: Iterable[tuple[str | None, int]] = (
        codes.items() if isinstance(codes, Mapping) else ((code, 1) for code in codes)
    )
    counts = dict.fromkeys((*TOTALS, PENDING), 0)
    counts[PENDING] += pending
    for code, n in grouped:
        counts[PENDING if code is None else describe(code).total] += n
    return counts
