"""Awarding organisations' records sent as JSON: the same award as the same CSV row."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from open_lrs.feeds.ao_format import COLUMNS, award_of, read_ao_csv
from open_lrs.feeds.types import Award, RecordProblem
from tests.unit.feeds.ao_helpers import AO, EXPECTED_SIAN, SIAN, TODAY, UNIT, csv_file

# The JSON path -------------------------------------------------------------------------------


def test_award_of_a_json_item_is_the_award_of_the_same_csv_row() -> None:
    award = award_of(SIAN, line=None, awarding_organisation_ukprn=AO, today=TODAY)
    assert award == replace(EXPECTED_SIAN, line=None)


def test_award_of_treats_absent_and_null_fields_as_blank() -> None:
    item: dict[str, str | None] = {**UNIT, "Grade": None, "Credits": None}
    award = award_of(item, line=7, awarding_organisation_ukprn=AO, today=TODAY)
    assert isinstance(award, Award)
    assert (award.line, award.grade, award.credits) == (7, None, None)


def test_award_of_reports_missing_required_fields() -> None:
    problems = award_of({}, line=0, awarding_organisation_ukprn=AO, today=TODAY)
    assert problems == [
        RecordProblem(0, column, "is required", "required")
        for column in ("ULN", "GivenName", "FamilyName", "SubjectCode", "AwardDate", "Status")
    ]


def test_award_of_refuses_unknown_fields_and_values_that_are_not_strings() -> None:
    item = {**UNIT, "uln": "2000000001", "Credits": 12}
    problems = award_of(item, line=3, awarding_organisation_ukprn=AO, today=TODAY)  # type: ignore[arg-type]
    assert problems == [
        RecordProblem(3, "uln", "is not a recognised field", "unknown_field"),
        RecordProblem(3, "Credits", "must be a string", "type"),
    ]


@pytest.mark.parametrize("ukprn", ["1000000", "ABCDEFGH", ""])
def test_a_bad_caller_ukprn_is_a_programming_error(ukprn: str) -> None:
    with pytest.raises(ValueError, match="awarding_organisation_ukprn"):
        award_of(UNIT, line=None, awarding_organisation_ukprn=ukprn, today=TODAY)
    with pytest.raises(ValueError, match="awarding_organisation_ukprn"):
        read_ao_csv(csv_file([UNIT]), awarding_organisation_ukprn=ukprn, today=TODAY)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(COLUMNS.names), st.text(max_size=30)))
def test_award_of_never_raises_on_any_text(item: dict[str, str]) -> None:
    result = award_of(item, line=1, awarding_organisation_ukprn=AO, today=TODAY)
    if isinstance(result, Award):
        assert result.record_key == f"{result.learner.uln}/{result.subject_code}"
    else:
        assert result
        assert all(p.field in COLUMNS.names for p in result)
