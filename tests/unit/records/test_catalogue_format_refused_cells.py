"""Catalogue files refused whole for their columns or cells, each problem named by line and
column."""

from __future__ import annotations

import pytest

from open_lrs.records.catalogue_format import (
    QUALIFICATION_COLUMNS,
    UNIT_COLUMNS,
    read_qualifications,
    read_units,
)
from tests.unit.records.catalogue_helpers import (
    AWARD,
    MATHS,
    UNIT_ROW,
    Reader,
    catalogue_csv,
    only_problem,
    qualifications,
    rejected,
    units,
    where,
)

# What refuses a file -------------------------------------------------------------------------


def test_a_renamed_column_is_named_with_its_right_name() -> None:
    columns = tuple("Credits" if c == "RegulatedCreditValue" else c for c in QUALIFICATION_COLUMNS)
    problem = only_problem(read_qualifications, catalogue_csv(columns, (MATHS | {"Credits": "5"},)))
    assert where(problem) == (1, "RegulatedCreditValue", "header")
    assert problem.message == '"Credits" should be named "RegulatedCreditValue"'


def test_a_missing_column_is_named() -> None:
    columns = tuple(c for c in QUALIFICATION_COLUMNS if c != "EntrySubLevel")
    problem = only_problem(read_qualifications, catalogue_csv(columns, (MATHS,)))
    assert where(problem) == (1, "EntrySubLevel", "header")
    assert problem.message == "missing column EntrySubLevel"


def test_a_header_in_the_wrong_case_is_named() -> None:
    columns = ("unitreference", *UNIT_COLUMNS[1:])
    problem = only_problem(read_units, catalogue_csv(columns, (UNIT_ROW,)))
    assert where(problem) == (1, "UnitReference", "header")
    assert "column names are case-sensitive" in problem.message


def test_a_units_file_is_not_a_qualifications_file() -> None:
    problems = rejected(read_qualifications, units(UNIT_ROW)).problems
    assert all(p.line == 1 and p.code == "header" for p in problems)
    assert any(p.message == "missing column LearnAimRef" for p in problems)


def test_a_code_given_twice_is_refused_at_its_second_line() -> None:
    again = MATHS | {"LearnAimRef": MATHS["LearnAimRef"].lower(), "LearnAimRefTitle": "Maths"}
    problem = only_problem(read_qualifications, qualifications(MATHS, AWARD, again))
    assert where(problem) == (4, "LearnAimRef", "duplicate")
    assert problem.message == "60112345 is also on line 2: give each code once"


def test_a_unit_given_twice_is_refused() -> None:
    problem = only_problem(read_units, units(UNIT_ROW, UNIT_ROW | {"UnitTitle": "Other"}))
    assert where(problem) == (3, "UnitReference", "duplicate")


def test_an_organisation_given_two_names_is_refused() -> None:
    renamed = AWARD | {"AwardOrgName": "Northgate Exam Board"}
    problem = only_problem(read_qualifications, qualifications(MATHS, renamed))
    assert where(problem) == (3, "AwardOrgName", "organisation_name")
    assert problem.message == "AwardOrgCode NEB is named Northgate Examinations Board on line 2"


@pytest.mark.parametrize(
    ("column", "value", "says"),
    [
        ("EffectiveFrom", "2015-02-30", "EffectiveFrom 2015-02-30 is not a real date"),
        ("EffectiveFrom", "soon", "EffectiveFrom soon is not a date in the form YYYY-MM-DD"),
        ("EffectiveFrom", "20150901", "20150901 is not a date in the form YYYY-MM-DD"),
        ("EffectiveFrom", "01/09/2015", "a spreadsheet may have reformatted the dates"),
        ("EffectiveTo", "31 Aug 2020", "a spreadsheet may have reformatted the dates"),
        ("EffectiveFrom", "", "EffectiveFrom is required"),
    ],
)
def test_a_bad_date_is_refused_at_its_cell(column: str, value: str, says: str) -> None:
    problem = only_problem(read_qualifications, qualifications(AWARD, MATHS | {column: value}))
    assert problem.line == 3
    assert problem.column == column
    assert says in problem.message


def test_an_end_before_the_start_is_refused() -> None:
    row = UNIT_ROW | {"EffectiveFrom": "2012-01-01", "EffectiveTo": "2011-12-31"}
    problem = only_problem(read_units, units(row))
    assert where(problem) == (2, "EffectiveTo", "date_order")
    assert problem.message == "EffectiveTo 2011-12-31 is before EffectiveFrom 2012-01-01"


@pytest.mark.parametrize(
    ("cells", "column", "says"),
    [
        ({"NotionalNVQLevelv2": "9"}, "NotionalNVQLevelv2", "'9' is not a level"),
        ({"NotionalNVQLevelv2": "H"}, "NotionalNVQLevelv2", "does not say which of levels 4 to 8"),
        ({"NotionalNVQLevelv2": "X"}, "NotionalNVQLevelv2", "the level is not known"),
        ({"NotionalNVQLevelv2": "E"}, "NotionalNVQLevelv2", "Entry level without a sub-level"),
        ({"NotionalNVQLevelv2": ""}, "NotionalNVQLevelv2", "NotionalNVQLevelv2 is required"),
        ({"NotionalNVQLevelv2": "E", "EntrySubLevel": "5"}, "EntrySubLevel", "not 1, 2 or 3"),
        ({"NotionalNVQLevelv2": "5"}, "NotionalNVQLevelv2", "a GCSE is at Level 1 or Level 2"),
    ],
)
def test_a_bad_level_is_refused_at_its_cell(cells: dict[str, str], column: str, says: str) -> None:
    problem = only_problem(read_qualifications, qualifications(MATHS | cells))
    assert (problem.line, problem.column) == (2, column)
    assert says in problem.message


def test_a_bad_unit_level_is_refused() -> None:
    problem = only_problem(read_units, units(UNIT_ROW | {"Level": "Level 9"}))
    assert where(problem) == (2, "Level", "invalid")


@pytest.mark.parametrize("reference", ["K/501/577", "K-501-5773", "501/5773", "KK/501/5773", "1"])
def test_a_bad_unit_reference_is_refused(reference: str) -> None:
    problem = only_problem(read_units, units(UNIT_ROW | {"UnitReference": reference}))
    assert where(problem) == (2, "UnitReference", "invalid")
    assert "a letter, 3 digits and 4 digits, such as K/501/5773" in problem.message


def test_a_lowercase_unit_reference_is_read_in_capitals() -> None:
    [entry] = read_units(units(UNIT_ROW | {"UnitReference": "k/501/5773"}))
    assert entry.code == "K/501/5773"


@pytest.mark.parametrize(
    ("reference", "says"),
    [
        ("6011234", "a spreadsheet may have dropped leading zeros"),
        ("ABC", "8 letters or digits, such as 60012345, not ABC"),
        ("60-12345", "8 letters or digits"),
        ("", "LearnAimRef is required"),
    ],
)
def test_a_bad_aim_reference_is_refused(reference: str, says: str) -> None:
    problem = only_problem(read_qualifications, qualifications(MATHS | {"LearnAimRef": reference}))
    assert (problem.line, problem.column) == (2, "LearnAimRef")
    assert says in problem.message


@pytest.mark.parametrize(
    ("read", "data", "column", "says"),
    [
        (read_units, units(UNIT_ROW | {"CreditValue": "2.5"}), "CreditValue", "not 2.5"),
        (read_units, units(UNIT_ROW | {"CreditValue": "three"}), "CreditValue", "whole number"),
        (read_units, units(UNIT_ROW | {"CreditValue": "0"}), "CreditValue", "from 1 to 999"),
        (read_units, units(UNIT_ROW | {"CreditValue": ""}), "CreditValue", "is required"),
        (read_qualifications, qualifications(MATHS | {"RegulatedCreditValue": "12.0"}),
         "RegulatedCreditValue", "must be a whole number, not 12.0"),
        (read_qualifications, qualifications(MATHS | {"GuidedLearningHours": "-5"}),
         "GuidedLearningHours", "must be a whole number"),
    ],
)  # fmt: skip
def test_credits_and_hours_must_be_whole_numbers(
    read: Reader, data: bytes, column: str, says: str
) -> None:
    problem = only_problem(read, data)
    assert (problem.line, problem.column) == (2, column)
    assert says in problem.message


@pytest.mark.parametrize(
    ("kind", "credits", "says"),
    [
        ("QCF_AWARD", "20", "a QCF award has 1 to 12 credits, not 20: 20 credits make a QCF cer"),
        ("QCF_CERTIFICATE", "12", "has 13 to 36 credits, not 12: 12 credits make a QCF award"),
        ("QCF_DIPLOMA", "36", "has 37 or more credits, not 36"),
        ("QCF_AWARD", "0", "a QCF award has 1 to 12 credits, not 0"),
        ("QCF_DIPLOMA", "", "a QCF diploma must give its credits (37 or more)"),
    ],
)
def test_a_qcf_qualification_must_have_the_credits_of_its_size(
    kind: str, credits: str, says: str
) -> None:
    row = AWARD | {"QualificationType": kind, "RegulatedCreditValue": credits}
    problem = only_problem(read_qualifications, qualifications(row))
    assert where(problem) == (2, "RegulatedCreditValue", "qcf_size")
    assert says in problem.message


@pytest.mark.parametrize(
    ("kind", "says"),
    [
        ("IB", "'IB' is not a qualification type: give one of GCSE"),
        ("QCF_UNIT", "QCF_UNIT is for units"),
        ("", "QualificationType is required"),
    ],
)
def test_a_bad_qualification_type_is_refused(kind: str, says: str) -> None:
    problem = only_problem(read_qualifications, qualifications(MATHS | {"QualificationType": kind}))
    assert (problem.line, problem.column) == (2, "QualificationType")
    assert says in problem.message


@pytest.mark.parametrize(
    ("cells", "column"),
    [
        ({"LearnAimRefTitle": "x" * 256}, "LearnAimRefTitle"),
        ({"AwardOrgName": "x" * 201}, "AwardOrgName"),
        ({"AwardOrgCode": "X" * 21}, "AwardOrgCode"),
        ({"AwardOrgCode": "N E B"}, "AwardOrgCode"),
        ({"AwardOrgCode": ""}, "AwardOrgCode"),
        ({"LearnAimRefType": "3"}, "LearnAimRefType"),
        ({"LearnAimRefTitle": "Maths\x07"}, "LearnAimRefTitle"),
    ],
)
def test_text_cells_are_checked(cells: dict[str, str], column: str) -> None:
    problem = only_problem(read_qualifications, qualifications(MATHS | cells))
    assert (problem.line, problem.column) == (2, column)


@pytest.mark.parametrize("column", ["RegulatedCreditValue", "GuidedLearningHours", "LearnAimRef"])
def test_a_cell_of_thousands_of_digits_is_too_long_not_a_crash(column: str) -> None:
    problem = only_problem(read_qualifications, qualifications(MATHS | {column: "9" * 5000}))
    assert where(problem) == (2, column, "too_long")
    assert problem.message == f"{column} is 5,000 characters long; the limit is 255"
