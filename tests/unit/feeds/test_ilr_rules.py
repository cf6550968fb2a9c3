"""Reading ILR returns: the rules that turn learning deliveries into achievements and
participations, one delivery at a time."""

from __future__ import annotations

from datetime import date

import pytest

from open_lrs.feeds.ilr import read_ilr
from open_lrs.feeds.types import RecordProblem
from tests.unit.feeds.ilr_helpers import delivery, learner, message, rejected

# --- the rules, one delivery at a time ---------------------------------------------------

_END = "2025-06-30"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, ("participation", None, None)),  # continuing
        ({"status": 6, "end": _END}, ("participation", None, None)),  # break in learning
        ({"status": 2, "end": _END, "outcome": 2}, ("participation", None, None)),
        ({"status": 2, "end": _END, "outcome": 8}, ("participation", None, None)),
        (
            {"status": 2, "end": _END, "outcome": 1, "ach": "2025-08-20", "grade": "Merit"},
            ("achievement", date(2025, 8, 20), "Merit"),
        ),
        ({"status": 2, "end": _END, "outcome": 1}, ("achievement", date(2025, 6, 30), None)),
        ({"status": 3, "end": _END}, None),  # withdrawn
        ({"status": 3, "end": _END, "outcome": 3}, None),
        ({"status": 2, "end": _END, "outcome": 3}, None),  # no achievement
        ({"aim_type": 1, "status": 2, "end": _END, "outcome": 1}, None),  # programme aim
        ({"aim": "ZPROG001", "aim_type": 3, "status": 2, "end": _END, "outcome": 1}, None),
    ],
)
def test_what_a_delivery_becomes(
    fields: dict[str, object], expected: tuple[str, date | None, str | None] | None
) -> None:
    feed = read_ilr(message(learner(delivery(**fields))))
    assert feed.problems == []
    if expected is None:
        assert feed.awards == []
    else:
        (award,) = feed.awards
        assert (award.kind, award.award_date, award.grade) == expected
        assert award.participation_start == date(2024, 9, 1)


def test_an_achievement_with_no_date_at_all_is_a_problem_not_an_award() -> None:
    data = message(learner(delivery("60000001", status=2, outcome=1), delivery("60000002", seq=2)))
    feed = read_ilr(data)
    assert [a.subject_code for a in feed.awards] == ["60000002"]
    assert feed.problems == [
        RecordProblem(
            line=5,
            field="Learner[LearnRefNumber=L1]/LearningDelivery[AimSeqNumber=1]/AchDate",
            message="Aim 60000001 is recorded as achieved (Outcome 1) but has neither an "
            "AchDate nor a LearnActEndDate, so when it was achieved is unknown; it was not "
            "loaded.",
            code="missing_award_date",
        )
    ]
    assert feed.details["problems"] == "1"


def test_withdrawn_yet_achieved_is_a_problem() -> None:
    feed = read_ilr(message(learner(delivery(status=3, end=_END, outcome=1))))
    assert feed.awards == []
    assert [(p.code, p.line) for p in feed.problems] == [("contradictory_outcome", 5)]


def test_the_same_aim_and_start_twice_keeps_the_first() -> None:
    feed = read_ilr(message(learner(delivery(seq=1), delivery(seq=2))))
    assert [a.line for a in feed.awards] == [5]
    assert feed.problems == [
        RecordProblem(
            line=6,
            field="Learner[LearnRefNumber=L1]/LearningDelivery[AimSeqNumber=2]",
            message="Aim 60149735 starting 2024-09-01 is reported twice for this learner "
            "(first on line 5); only the first was loaded.",
            code="duplicate",
        )
    ]


@pytest.mark.parametrize(("sex", "gender"), [("M", "1"), ("F", "2"), ("X", "9"), ("m", "9")])
def test_sex_becomes_an_lrs_gender_code(sex: str, gender: str) -> None:
    (award,) = read_ilr(message(learner(delivery(), sex=sex))).awards
    assert award.learner.gender == gender


def test_a_date_with_a_time_zone_is_read_as_the_date() -> None:
    (award,) = read_ilr(message(learner(delivery(start="2024-09-01Z")))).awards
    assert award.participation_start == date(2024, 9, 1)
    assert award.record_key == "L1/60149735/2024-09-01"


def test_a_schema_valid_date_python_cannot_hold_is_a_problem_for_that_learner() -> None:
    feed = read_ilr(message(learner(delivery(), dob="12345-01-01"), learner(delivery(), ref="L2")))
    assert [a.record_key for a in feed.awards] == ["L2/60149735/2024-09-01"]
    assert [(p.field, p.code) for p in feed.problems] == [
        ("Learner[LearnRefNumber=L1]/DateOfBirth", "invalid_date")
    ]


def test_a_file_whose_two_ukprns_differ_is_rejected() -> None:
    error = rejected(message(learner(delivery()), ukprn="10000001", sender="10000002"))
    assert [(p.code, p.field, p.line) for p in error.problems] == [
        ("ukprn_mismatch", "LearningProvider/UKPRN", 3)
    ]
    assert "10000001" in error.message
    assert "10000002" in error.message
