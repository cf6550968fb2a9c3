"""Reading catalogue files: the shipped sample reads cleanly, and what a good file gives."""

from __future__ import annotations

import re
from datetime import date
from importlib import resources

import pytest

from open_lrs.records import grades
from open_lrs.records.catalogue_format import (
    QUALIFICATION,
    UNIT,
    CatalogueEntry,
    read_qualifications,
    read_units,
)
from open_lrs.records.levels import LEVELS
from tests.unit.records.catalogue_helpers import AWARD, MATHS, UNIT_ROW, qualifications, units

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
