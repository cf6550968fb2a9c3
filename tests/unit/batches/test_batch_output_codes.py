"""Return codes: the table of them, and the totals they count towards."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from open_lrs.batches.codes import (
    EXISTING,
    NEW,
    NOT_FOUND,
    PENDING,
    POSSIBLE,
    REJECTED,
    RETURN_CODES,
    TOTALS,
    ReturnCode,
    describe,
    totals,
)

# Return codes ----------------------------------------------------------------------------


def test_the_return_codes_are_exactly_ours() -> None:
    assert list(RETURN_CODES) == [f"RC{n:03d}" for n in range(1, 15)]
    by_total = {t: sorted(c for c, rc in RETURN_CODES.items() if rc.total == t) for t in TOTALS}
    assert by_total == {
        NEW: ["RC001", "RC012"],
        EXISTING: ["RC002", "RC003", "RC009", "RC010"],
        POSSIBLE: ["RC004", "RC005"],
        NOT_FOUND: ["RC014"],
        REJECTED: ["RC006", "RC007", "RC008", "RC011", "RC013"],
    }
    assert all(code == rc.code for code, rc in RETURN_CODES.items())


def test_the_lrs_public_codes_keep_their_meanings() -> None:
    assert RETURN_CODES["RC006"].meaning == "Insufficient data to create a ULN"
    assert RETURN_CODES["RC011"].meaning == "Incorrect format"
    assert RETURN_CODES["RC013"].meaning == "Age outside 13 to 110"


def test_the_table_cannot_be_changed_at_run_time() -> None:
    with pytest.raises(TypeError):
        RETURN_CODES["RC099"] = ReturnCode("RC099", NEW, "x")  # type: ignore[index]


def test_a_code_must_count_towards_a_known_total() -> None:
    with pytest.raises(ValueError, match="RC099"):
        ReturnCode("RC099", "maybe", "Never")


def test_totals_count_rows_and_pending() -> None:
    codes = ["RC001", "RC012", "RC002", "RC004", "RC005", "RC014", "RC011", None, None]
    assert totals(codes) == {
        NEW: 2,
        EXISTING: 1,
        POSSIBLE: 2,
        NOT_FOUND: 1,
        REJECTED: 1,
        PENDING: 2,
    }


def test_totals_of_nothing_are_all_zero() -> None:
    assert totals([]) == dict.fromkeys((*TOTALS, PENDING), 0)


def test_totals_take_counts_grouped_by_code() -> None:
    grouped: Mapping[str | None, int] = {"RC001": 10, "RC008": 3, None: 2}
    assert totals(grouped, pending=5) == {
        NEW: 10,
        EXISTING: 0,
        POSSIBLE: 0,
        NOT_FOUND: 0,
        REJECTED: 3,
        PENDING: 7,
    }


def test_verification_codes_are_counted_too() -> None:
    counted = totals(["WSVRC001", "WSVRC002", "WSVRC003", "WSVRC004", "WSVRC005", "WSVRC006"])
    assert counted[EXISTING] == 4
    assert counted[REJECTED] == 2


def test_an_unknown_code_is_a_bug_not_a_row() -> None:
    with pytest.raises(ValueError, match="RC999"):
        totals(["RC001", "RC999"])
    with pytest.raises(ValueError, match="RC999"):
        describe("RC999")
