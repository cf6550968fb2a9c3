"""Reading catalogue files: the shipped sample reads cleanly, and a wrong file is refused whole
with every problem named by line and column."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping
from datetime import date
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from open_lrs.core.errors import ValidationFailed
from open_lrs.core.files.problems import FileProblem
from open_lrs.records import grades
from open_lrs.records.catalogue_format import (
    MAX_PROBLEMS,
    QUALIFICATION,
    QUALIFICATION_COLUMNS,
    UNIT,
    UNIT_COLUMNS,
    CatalogueEntry,
    CatalogueRejected,
    read_qualifications,
    read_units,
)
from open_lrs.records.levels import LEVELS

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


def _csv(
    columns: tuple[str, ...], rows: tuple[Mapping[str, str], ...], encoding: str = "utf-8"
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([row.get(c, "") for c in columns] for row in rows)
    return out.getvalue().encode(encoding)


def qualifications(*rows: Mapping[str, str], encoding: str = "utf-8") -> bytes:
    return _csv(QUALIFICATION_COLUMNS, rows, encoding)


def units(*rows: Mapping[str, str]) -> bytes:
    return _csv(UNIT_COLUMNS, rows)


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


# The shipped sample ---------------------------------------------------------------------------


def _sample(name: str) -> bytes:
    return (resources.files("open_lrs.records") / "data" / name).read_bytes()


@pytest.fixture(scope="module")
def sample_qualifications() -> list[CatalogueEntry]:
    return read_qualifications(_sample("catalogue_qualifications.csv"))


@pytest.fixture(scope="module")
def sample_units() -> list[CatalogueEntry]:
    return read_units(_sample("catalogue_units.csv"))


def test_the_sample_qualifications_read_cleanly_and_cover_every_type_and_level(
    sample_qualifications: list[CatalogueEntry],
) -> None:
    assert 80 <= len(sample_qualifications) <= 120
    assert {e.kind for e in sample_qualifications} == {QUALIFICATION}
    types = {e.qualification_type for e in sample_qualifications}
    assert types == set(grades.QUALIFICATION_TYPES) - {grades.QCF_UNIT}
    assert {e.level for e in sample_qualifications} == set(LEVELS)
    for kind in (grades.QCF_AWARD, grades.QCF_CERTIFICATE, grades.QCF_DIPLOMA):
        levels_of_kind = {e.level for e in sample_qualifications if e.qualification_type == kind}
        assert {"1", "2", "3", "4", "5", "6", "7", "8"} <= levels_of_kind


def test_the_sample_has_the_qualifications_the_brief_names(
    sample_qualifications: list[CatalogueEntry],
) -> None:
    titles = {e.title for e in sample_qualifications}
    for subject in ("English Language", "Mathematics", "Combined Science (Double Award)"):
        assert f"GCSE (9-1) in {subject}" in titles
    by_type: dict[str, list[CatalogueEntry]] = {}
    for e in sample_qualifications:
        by_type.setdefault(e.qualification_type, []).append(e)
    assert len(by_type[grades.GCSE]) >= 11
    assert {e.level for e in by_type[grades.GCSE]} == {"2"}
    assert len(by_type[grades.GCE_A]) >= 10
    assert {e.level for e in by_type[grades.FS]} == {"E1", "E2", "E3", "1", "2"}
    assert {e.level for e in by_type[grades.ELC]} == {"E1", "E2", "E3"}
    assert {e.level for e in by_type[grades.NVQ]} == {"1", "2", "3", "4", "5"}
    assert {e.level for e in by_type[grades.DIPLOMA_14_19]} == {"1", "2", "3"}
    assert {e.level for e in by_type[grades.BTEC]} >= {"2", "3", "4", "5"}


def test_the_sample_qualifications_keep_the_rules_they_are_read_by(
    sample_qualifications: list[CatalogueEntry],
) -> None:
    codes = [e.code for e in sample_qualifications]
    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"[0-9]{8}|Z[0-9]{7}", c) for c in codes)
    for e in sample_qualifications:
        grades.check_size(e.qualification_type, e.credits)
        grades.check_level(e.qualification_type, e.level)
        assert e.awarding_organisation_code
        assert e.awarding_organisation_name
        assert e.awarding_organisation == e.awarding_organisation_code
        assert e.valid_to is None or e.valid_to >= e.valid_from
    assert any("Pâtisserie" in e.title for e in sample_qualifications)


def test_the_sample_units_read_cleanly_across_levels_and_organisations(
    sample_units: list[CatalogueEntry],
) -> None:
    assert 150 <= len(sample_units) <= 250
    assert {e.kind for e in sample_units} == {UNIT}
    assert {e.qualification_type for e in sample_units} == {grades.QCF_UNIT}
    assert {e.level for e in sample_units} == set(LEVELS)
    assert len({e.awarding_organisation_code for e in sample_units} - {None}) >= 4
    assert all(e.credits is not None and e.credits >= 1 for e in sample_units)
    codes = [e.code for e in sample_units]
    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"[A-Z]/[0-9]{3}/[0-9]{4}", c) for c in codes)


# What a good file gives ------------------------------------------------------------------------


def test_a_qualification_row_becomes_an_entry() -> None:
    [entry] = read_qualifications(qualifications(MATHS))
    assert entry == CatalogueEntry(
        code="60112345",
        kind=QUALIFICATION,
        title="GCSE (9-1) in Mathematics",
        qualification_type=grades.GCSE,
        level="2",
        credits=None,
        guided_learning_hours=130,
        awarding_organisation_code="NEB",
        awarding_organisation_name="Northgate Examinations Board",
        valid_from=date(2015, 9, 1),
        valid_to=None,
        line=2,
        aim_type="0003",
    )


def test_a_unit_row_becomes_an_entry() -> None:
    [entry] = read_units(units(UNIT_ROW))
    assert entry.code == "K/501/5773"
    assert entry.kind == UNIT
    assert entry.qualification_type == grades.QCF_UNIT
    assert (entry.level, entry.credits, entry.guided_learning_hours) == ("2", 3, 20)
    assert entry.valid_to == date(2017, 12, 31)
    assert entry.aim_type is None


def test_cells_are_read_in_their_usual_spellings() -> None:
    rows = qualifications(
        MATHS | {"LearnAimRef": " z0001234 ", "QualificationType": "other", "AwardOrgCode": "neb"},
        AWARD | {"NotionalNVQLevelv2": "E", "EntrySubLevel": "3"},
        AWARD | {"LearnAimRef": "60054322", "NotionalNVQLevelv2": "Entry 2"},
        MATHS | {"LearnAimRef": "60112346", "NotionalNVQLevelv2": "1.5"},
        MATHS | {"LearnAimRef": "60312345", "QualificationType": "GCE A level",
                 "NotionalNVQLevelv2": "Level 3"},
        AWARD | {"LearnAimRef": "60054323", "LearnAimRefTitle": "  Level 2  Award\nin Safety "},
    )  # fmt: skip
    entries = read_qualifications(rows)
    assert entries[0].code == "Z0001234"
    assert entries[0].qualification_type == grades.OTHER
    assert entries[0].awarding_organisation_code == "NEB"
    assert [e.level for e in entries[1:5]] == ["E3", "E2", "2", "3"]
    assert entries[4].qualification_type == grades.GCE_A
    assert entries[5].title == "Level 2 Award in Safety"
    assert [e.line for e in entries] == [2, 3, 4, 5, 6, 7]


def test_units_may_leave_out_their_awarding_organisation() -> None:
    [entry] = read_units(units(UNIT_ROW | {"AwardOrgCode": "", "AwardOrgName": ""}))
    assert entry.awarding_organisation_code is None
    assert entry.awarding_organisation_name is None


def test_a_spreadsheets_trailing_empty_cells_and_a_byte_order_mark_are_harmless() -> None:
    data = qualifications(MATHS).replace(b"\r\n", b",,\r\n")
    [entry] = read_qualifications(b"\xef\xbb\xbf" + data)
    assert entry.code == MATHS["LearnAimRef"]


def test_a_windows_1252_file_reads_as_its_author_wrote_it() -> None:
    title = "Level 2 Certificate in Pâtisserie – Café Skills"
    data = qualifications(AWARD | {"LearnAimRefTitle": title}, encoding="cp1252")
    assert b"\xe2" in data  # â in Windows-1252, not UTF-8
    [entry] = read_qualifications(data)
    assert entry.title == title


# What refuses a file -------------------------------------------------------------------------


def test_a_renamed_column_is_named_with_its_right_name() -> None:
    columns = tuple("Credits" if c == "RegulatedCreditValue" else c for c in QUALIFICATION_COLUMNS)
    problem = only_problem(read_qualifications, _csv(columns, (MATHS | {"Credits": "5"},)))
    assert where(problem) == (1, "RegulatedCreditValue", "header")
    assert problem.message == '"Credits" should be named "RegulatedCreditValue"'


def test_a_missing_column_is_named() -> None:
    columns = tuple(c for c in QUALIFICATION_COLUMNS if c != "EntrySubLevel")
    problem = only_problem(read_qualifications, _csv(columns, (MATHS,)))
    assert where(problem) == (1, "EntrySubLevel", "header")
    assert problem.message == "missing column EntrySubLevel"


def test_a_header_in_the_wrong_case_is_named() -> None:
    columns = ("unitreference", *UNIT_COLUMNS[1:])
    problem = only_problem(read_units, _csv(columns, (UNIT_ROW,)))
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


def test_a_row_of_the_wrong_width_is_refused() -> None:
    data = qualifications(MATHS, AWARD)
    lines = data.split(b"\r\n")
    lines[1] = lines[1].rsplit(b",", 2)[0]
    lines[2] += b",surplus"
    problems = rejected(read_qualifications, b"\r\n".join(lines)).problems
    assert [(p.line, p.code) for p in problems] == [(2, "cell_count"), (3, "cell_count")]
    assert problems[0].message == "the row has 10 cells, but the header has 12 columns"
    assert (
        problems[1].message == "the row has a value in cell 13, after the last column (EffectiveTo)"
    )


@pytest.mark.parametrize(
    ("data", "code", "says"),
    [
        (b"", "empty_file", "the file is empty"),
        (b" \r\n\r\n", "empty_file", "the file is empty"),
        (b",,,\r\n", "empty_file", "the file is empty"),
        (qualifications(), "no_rows", "a header row but no rows"),
        (b"PK\x03\x04rest", "binary", "spreadsheet workbook (.xlsx)"),
    ],
)
def test_a_file_with_nothing_to_load_is_refused(data: bytes, code: str, says: str) -> None:
    problem = only_problem(read_qualifications, data)
    assert problem.code == code
    assert problem.line is None
    assert says in problem.message


def test_a_file_mixing_utf8_and_windows_1252_is_refused_at_its_line() -> None:
    data = qualifications(AWARD | {"LearnAimRefTitle": "Pâtisserie"}) + "Café,".encode("cp1252")
    problem = only_problem(read_qualifications, data)
    assert (problem.line, problem.code) == (3, "encoding")


def test_an_unclosed_quote_is_refused_at_its_line() -> None:
    data = qualifications(MATHS) + b'60054321,"Unclosed title,,QCF_AWARD\r\n'
    problem = only_problem(read_qualifications, data)
    assert (problem.line, problem.code) == (3, "csv_syntax")
    assert "closing quote is missing" in problem.message


def test_every_problem_is_reported_at_once_in_line_order_and_nothing_is_read() -> None:
    data = qualifications(
        MATHS | {"EffectiveFrom": "1/2/2015", "NotionalNVQLevelv2": "9"},
        AWARD,
        AWARD | {"RegulatedCreditValue": "40"},
        MATHS,
    )
    error = rejected(read_qualifications, data)
    assert [where(p) for p in error.problems] == [
        (2, "NotionalNVQLevelv2", "invalid"),
        (2, "EffectiveFrom", "invalid"),
        (4, "RegulatedCreditValue", "qcf_size"),
        (4, "LearnAimRef", "duplicate"),
        (5, "LearnAimRef", "duplicate"),
    ]
    assert error.total == len(error.problems)
    assert error.detail.startswith(f"{error.total} problems were found, so nothing in the file")


def test_problems_are_capped_and_the_rest_counted() -> None:
    rows = [MATHS | {"LearnAimRef": f"6{n:07d}", "EffectiveFrom": "never"} for n in range(250)]
    error = rejected(read_qualifications, qualifications(*rows))
    assert error.total == 250
    assert len(error.problems) == MAX_PROBLEMS + 1
    assert error.problems[-1].message == "and 50 more problems"
    assert error.problems[-1].line is None
    assert error.problems[MAX_PROBLEMS - 1].line == MAX_PROBLEMS + 1
    assert error.detail.startswith("250 problems were found")


def test_the_rejection_is_a_validation_error_with_field_errors() -> None:
    error = rejected(read_units, units(UNIT_ROW | {"CreditValue": "x"}))
    assert isinstance(error, ValidationFailed)
    assert error.code == "catalogue_rejected"
    [field_error] = error.errors
    assert field_error.as_dict() == {
        "field": "line 2, column CreditValue",
        "message": "CreditValue must be a whole number, not x",
        "code": "invalid",
        "line": 2,
        "column": "CreditValue",
    }
    assert error.extra == {"problem_count": 1}


def _outcome(read: Reader, data: bytes) -> list[CatalogueEntry] | CatalogueRejected:
    try:
        return read(data)
    except CatalogueRejected as error:
        return error


@settings(max_examples=200)
@given(st.binary(max_size=400))
def test_any_bytes_are_entries_or_a_rejection(data: bytes) -> None:
    for read in (read_qualifications, read_units):
        outcome = _outcome(read, data)
        if isinstance(outcome, CatalogueRejected):
            assert outcome.problems
            assert all(p.message for p in outcome.problems)
        else:
            assert outcome


cell_text = st.text(st.characters(codec="utf-8"), max_size=12)


@settings(max_examples=200)
@given(st.lists(st.lists(cell_text, min_size=9, max_size=12), min_size=1, max_size=4))
def test_any_cells_under_a_right_header_are_entries_or_problems_on_their_lines(
    rows: list[list[str]],
) -> None:
    for read, columns in ((read_qualifications, QUALIFICATION_COLUMNS), (read_units, UNIT_COLUMNS)):
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([list(columns), *rows])
        outcome = _outcome(read, out.getvalue().encode())
        if isinstance(outcome, CatalogueRejected):
            assert all(p.line is None or p.line >= 2 for p in outcome.problems)
        else:
            assert all(e.level in LEVELS for e in outcome)
