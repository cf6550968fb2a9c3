"""Qualification types: the levels each type is at, and the credits of each size."""

from __future__ import annotations

import pytest

from open_lrs.records import grades
from open_lrs.records.grades import (
    BTEC,
    DIPLOMA_14_19,
    ELC,
    FS,
    GCE_A,
    GCSE,
    NVQ,
    OTHER,
    QCF_AWARD,
    QCF_CERTIFICATE,
    QCF_DIPLOMA,
    QCF_UNIT,
    check_level,
    check_size,
)
from open_lrs.records.levels import LEVELS


@pytest.mark.parametrize(
    ("code", "level", "ok"),
    [
        (GCSE, "2", True),
        (GCSE, "1", True),
        (GCSE, "3", False),
        (GCE_A, "3", True),
        (GCE_A, "2", False),
        (FS, "E1", True),
        (FS, "2", True),
        (FS, "3", False),
        (ELC, "E3", True),
        (ELC, "1", False),
        (NVQ, "5", True),
        (NVQ, "6", False),
        (DIPLOMA_14_19, "3", True),
        (DIPLOMA_14_19, "4", False),
        (QCF_DIPLOMA, "8", True),
        (QCF_AWARD, "E1", True),
        (OTHER, "E2", True),
    ],
)
def test_a_type_is_at_its_levels_only(code: str, level: str, ok: bool) -> None:
    if ok:
        check_level(code, level)
    else:
        with pytest.raises(ValueError, match=f"not {'Level' if level[0] != 'E' else 'Entry'}"):
            check_level(code, level)


def test_a_level_refusal_names_the_levels_of_the_type() -> None:
    with pytest.raises(ValueError, match=r"a GCSE is at Level 1 or Level 2, not Level 5"):
        check_level(GCSE, "5")


@pytest.mark.parametrize("level", LEVELS)
def test_qcf_types_are_at_every_level(level: str) -> None:
    for code in grades.QCF_TYPES:
        check_level(code, level)


@pytest.mark.parametrize(
    ("code", "credits", "fits"),
    [
        (QCF_AWARD, 1, True),
        (QCF_AWARD, 12, True),
        (QCF_AWARD, 13, False),
        (QCF_AWARD, 0, False),
        (QCF_CERTIFICATE, 13, True),
        (QCF_CERTIFICATE, 36, True),
        (QCF_CERTIFICATE, 12, False),
        (QCF_CERTIFICATE, 37, False),
        (QCF_DIPLOMA, 37, True),
        (QCF_DIPLOMA, 240, True),
        (QCF_DIPLOMA, 36, False),
        (GCSE, None, True),
        (QCF_UNIT, 3, True),
        (BTEC, 240, True),
    ],
)
def test_qcf_qualifications_have_the_credits_of_their_size(
    code: str, credits: int, fits: bool
) -> None:
    if fits:
        check_size(code, credits)
    else:
        with pytest.raises(ValueError, match="credits, not"):
            check_size(code, credits)


def test_a_size_refusal_says_which_size_the_credits_make() -> None:
    with pytest.raises(ValueError, match=r"has 1 to 12 credits, not 40: 40 credits make a QCF dip"):
        check_size(QCF_AWARD, 40)
    with pytest.raises(
        ValueError, match=r"has 37 or more credits, not 20: 20 credits make a QCF c"
    ):
        check_size(QCF_DIPLOMA, 20)
    with pytest.raises(ValueError, match=r"must give its credits \(13 to 36\)"):
        check_size(QCF_CERTIFICATE, None)
