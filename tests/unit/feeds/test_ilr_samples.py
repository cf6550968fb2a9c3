"""Reading ILR returns: ESFA's samples for 2025-26 and 2019-20."""

from __future__ import annotations

from collections import Counter
from datetime import date

from open_lrs.feeds.types import Award, LearnerIdentity, RecordProblem
from tests.unit.feeds.ilr_helpers import (
    INVALID_2526,
    SAMPLE_1920,
    SAMPLE_2526,
    SAMPLE_VALID_1920,
    by_learner,
    read_sample,
    rejected,
    sample,
)

# --- ESFA's 2025-26 sample ---------------------------------------------------------------


def test_2025_26_sample_details_and_counts() -> None:
    feed = read_sample(SAMPLE_2526)
    assert feed.source == "ILR"
    assert feed.ukprn == "99999999"
    assert feed.problems == []
    assert feed.details == {
        "year": "2025-26",
        "namespace": "ESFA/ILR/2025-26",
        "collection_year": "2526",
        "file_preparation_date": "2025-01-08",
        "serial_no": "01",
        "date_time": "2025-01-08T09:14:05",
        "software_supplier": "SupplierName",
        "software_package": "SystemName",
        "release": "1",
        "reference_data": "Version5.0, LARS 2018-08-01",
        "component_set_version": "1",
        "learners": "19",
        "deliveries": "35",
        "achievements": "1",
        "participations": "27",
        "programme_aims_skipped": "6",
        "not_achieved_skipped": "1",
        "problems": "0",
    }
    assert Counter(a.kind for a in feed.awards) == {"participation": 27, "achievement": 1}


def test_2025_26_sample_awards_by_learner() -> None:
    p, a = "participation", "achievement"
    assert by_learner(read_sample(SAMPLE_2526)) == {
        "16Learner": [("60149735", p)],  # 60146242 was withdrawn
        "18Learner": [("60311046", p), ("60146242", p)],
        "AdultLearner": [("40010089", p)],
        "ASLearner": [("60068802", p), ("60145353", p)],  # 60068802: partial achievement
        "CLLearner": [("Z0007846", p)],
        "Other1619": [("Z0001736", p)],
        "OtherAdult": [("50116241", p)],
        "NonFunded": [("Z0007839", p)],
        "HEFunded": [("60009457", p)],
        "LoanLearner": [("6004813X", p)],
        "StandLearn": [("60009901", p)],
        "Levy": [("Z0001874", p), ("50093186", p), ("50093198", p), ("60093729", p)],
        "MCALearner": [("60145353", p)],
        "TLevelT": [("ZTPR0004", p), ("60142923", p), ("60146060", p)],
        "TLevel16": [("60358294", p), ("ZTLOS006", p), ("ZWRKX003", p)],
        "TLLearner": [("Z0060124", p)],
        "ASFLearner": [("60141402", p)],
        "SBLearner": [("Z0009734", p)],
        "SBLearnerEV": [("Z0009541", a)],
    }


def test_an_achievement_without_achdate_is_dated_by_its_actual_end() -> None:
    (award,) = [a for a in read_sample(SAMPLE_2526).awards if a.kind == "achievement"]
    assert award == Award(
        record_key="SBLearnerEV/Z0009541/2024-08-01",
        line=1566,
        learner=LearnerIdentity(
            uln="9999999999",
            given_name="Parker",
            family_name="Steve",
            date_of_birth=date(2001, 1, 28),
            gender="1",
            postcode="BB1 1ZZ",
        ),
        subject_code="Z0009541",
        kind="achievement",
        status="F",
        grade=None,
        award_date=date(2025, 3, 30),
        participation_start=date(2024, 8, 1),
        participation_end=date(2025, 3, 30),
        provider_ukprn="99999999",
        collection_type="ILR",
    )


def test_a_continuing_aim_is_a_participation_without_grade_or_date() -> None:
    award = read_sample(SAMPLE_2526).awards[0]
    assert award == Award(
        record_key="16Learner/60149735/2024-09-14",
        line=76,
        learner=LearnerIdentity(
            uln="1061484016",
            given_name="Jane",
            family_name="Smith",
            date_of_birth=date(2009, 2, 27),
            gender="2",
            postcode="BR1 7SS",
        ),
        subject_code="60149735",
        kind="participation",
        participation_start=date(2024, 9, 14),
        provider_ukprn="99999999",
        collection_type="ILR",
    )


def test_a_partial_achievement_is_a_participation_that_ended() -> None:
    award = next(a for a in read_sample(SAMPLE_2526).awards if a.subject_code == "60068802")
    assert (award.kind, award.grade, award.award_date) == ("participation", None, None)
    assert (award.participation_start, award.participation_end) == (
        date(2023, 9, 9),
        date(2025, 6, 30),
    )
    assert award.line == 313


def test_temporary_ulns_are_kept_as_given() -> None:
    temporary = [a for a in read_sample(SAMPLE_2526).awards if a.learner.uln == "9999999999"]
    assert len(temporary) == 10
    assert {a.record_key.split("/")[0] for a in temporary} == {
        "CLLearner",
        "TLevelT",
        "TLevel16",
        "TLLearner",
        "SBLearner",
        "SBLearnerEV",
    }


def test_identity_is_as_the_file_states_it() -> None:
    """Even where the sample seems to swap the names: judging them is matching's job."""
    levy = next(a for a in read_sample(SAMPLE_2526).awards if a.record_key.startswith("Levy/"))
    assert levy.learner == LearnerIdentity(
        uln="1004014316",
        given_name="Smith",
        family_name="John",
        date_of_birth=date(1997, 1, 1),
        gender="1",
        postcode="BB1 1ZZ",
    )


def test_record_keys_are_unique_and_lines_point_at_deliveries() -> None:
    feed = read_sample(SAMPLE_2526)
    assert len({a.record_key for a in feed.awards}) == len(feed.awards)
    lines = sample(SAMPLE_2526).split(b"\n")
    for award in feed.awards:
        assert lines[award.line - 1].strip() == b"<LearningDelivery>"
    assert all(a.status == "F" and a.provider_ukprn == "99999999" for a in feed.awards)


def test_the_uncorrected_2025_26_sample_is_rejected_at_line_349() -> None:
    error = rejected(sample(INVALID_2526))
    assert error.problems == [
        RecordProblem(
            line=349,
            field="Learner[LearnRefNumber=ASLearner]/LearningDelivery[AimSeqNumber=1]"
            "/LearnPlanEndDate",
            message='"2024-06-31" is not a valid date (YYYY-MM-DD).',
            code="schema",
        )
    ]
    assert error.message == (
        "The file does not match the 2025-26 ILR schema: 1 problem was found. "
        "Correct the file and send it again."
    )


# --- ESFA's 2019-20 samples --------------------------------------------------------------


def test_2019_20_learner_entry_tool_sample() -> None:
    feed = read_sample(SAMPLE_1920)
    assert (feed.ukprn, feed.details["year"], feed.details["serial_no"]) == (
        "10000275",
        "2019-20",
        "01",
    )
    assert {k: feed.details[k] for k in ("learners", "deliveries")} == {
        "learners": "1",
        "deliveries": "6",
    }
    assert feed.details["programme_aims_skipped"] == "2"
    assert [(a.record_key, a.kind, a.award_date, a.line) for a in feed.awards] == [
        ("TshipLearn17/Z0007835/2015-01-14", "achievement", date(2015, 5, 14), 95),
        ("TshipLearn17/Z0001823/2015-01-14", "achievement", date(2015, 5, 14), 120),
        ("TshipLearn17/50091268/2015-01-14", "participation", None, 138),
        ("TshipLearn17/60079125/2015-06-09", "participation", None, 180),
    ]
    assert feed.awards[0].learner.uln == "1061484679"


def test_2019_20_sample_valid() -> None:
    feed = read_sample(SAMPLE_VALID_1920)
    assert feed.ukprn == "10005200"
    assert feed.problems == []
    assert {k: feed.details[k] for k in _COUNT_KEYS} == {
        "learners": "30",
        "deliveries": "90",
        "achievements": "54",
        "participations": "33",
        "programme_aims_skipped": "0",
        "not_achieved_skipped": "3",
    }
    assert Counter(a.grade for a in feed.awards if a.kind == "achievement") == {
        "A": 51,
        "EL1": 3,
    }
    assert feed.awards[0].record_key == "R2 fm70 000/ZESF0001/2020-04-01"
    assert (feed.awards[0].grade, feed.awards[0].award_date) == ("A", date(2020, 4, 2))


_COUNT_KEYS = (
    "learners",
    "deliveries",
    "achievements",
    "participations",
    "programme_aims_skipped",
    "not_achieved_skipped",
)
