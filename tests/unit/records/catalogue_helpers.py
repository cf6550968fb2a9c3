"""Catalogue files in tests: a GCSE, a QCF award and a unit as rows, the files of them, and the
problems a refused file names."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping

import pytest

from open_lrs.core.files.problems import FileProblem
from open_lrs.records.catalogue_format import (
    QUALIFICATION_COLUMNS,
    UNIT_COLUMNS,
    CatalogueEntry,
    CatalogueRejected,
)

Reader = Callable[[bytes], list[CatalogueEntry]]
MATHS = {
    "LearnAimRef": "60112345",
    "LearnAimRefTitle": "GCSE (9-1) in Mathematics",
    "LearnAimRefType": "0003",
    "QualificationType": "GCSE",
    "NotionalNVQLevelv2": "2",
    "EntrySubLevel": "",
    "AwardOrgCode": "NEB",
    "AwardOrgName": "Northgate Examinations Board",
    "RegulatedCreditValue": "",
    "GuidedLearningHours": "130",
    "EffectiveFrom": "2015-09-01",
    "EffectiveTo": "",
}
AWARD = MATHS | {
    "LearnAimRef": "60054321",
    "LearnAimRefTitle": "Level 2 Award in Food Safety in Catering",
    "LearnAimRefType": "",
    "QualificationType": "QCF_AWARD",
    "RegulatedCreditValue": "1",
    "GuidedLearningHours": "9",
}
UNIT_ROW = {
    "UnitReference": "K/501/5773",
    "UnitTitle": "Communicate in a business environment",
    "Level": "2",
    "CreditValue": "3",
    "GuidedLearningHours": "20",
    "AwardOrgCode": "WVQ",
    "AwardOrgName": "Westmoor Vocational Qualifications",
    "EffectiveFrom": "2010-09-01",
    "EffectiveTo": "2017-12-31",
}


def catalogue_csv(
    columns: tuple[str, ...], rows: tuple[Mapping[str, str], ...], encoding: str = "utf-8"
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([row.get(c, "") for c in columns] for row in rows)
    return out.getvalue().encode(encoding)


def qualifications(*rows: Mapping[str, str], encoding: str = "utf-8") -> bytes:
    return catalogue_csv(QUALIFICATION_COLUMNS, rows, encoding)


def units(*rows: Mapping[str, str]) -> bytes:
    return catalogue_csv(UNIT_COLUMNS, rows)


def rejected(read: Reader, data: bytes) -> CatalogueRejected:
    with pytest.raises(CatalogueRejected) as raised:
        read(data)
    return raised.value


def only_problem(read: Reader, data: bytes) -> FileProblem:
    problems = rejected(read, data).problems
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def where(problem: FileProblem) -> tuple[int | None, str | None, str]:
    return problem.line, problem.column, problem.code
