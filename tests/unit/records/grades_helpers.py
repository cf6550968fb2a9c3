"""Qualification types and grades in tests: every type's code, and any canonical grade of a
graded type."""

from __future__ import annotations

from hypothesis import strategies as st

from open_lrs.records.grades import (
    BTEC,
    DIPLOMA_14_19,
    ELC,
    FS,
    GCE_A,
    GCE_AS,
    GCSE,
    NVQ,
    OTHER,
    QCF_AWARD,
    QCF_CERTIFICATE,
    QCF_DIPLOMA,
    QCF_UNIT,
    accepted_grades,
)

CODES = (
    GCSE,
    GCE_A,
    GCE_AS,
    FS,
    NVQ,
    BTEC,
    DIPLOMA_14_19,
    QCF_AWARD,
    QCF_CERTIFICATE,
    QCF_DIPLOMA,
    QCF_UNIT,
    ELC,
    OTHER,
)
GRADED = tuple(code for code in CODES if code != OTHER)
canonical_grades = st.sampled_from(GRADED).flatmap(
    lambda code: st.tuples(st.just(code), st.sampled_from(accepted_grades(code)))
)
