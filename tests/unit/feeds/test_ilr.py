"""Reading ILR returns: ESFA's samples for 2025-26 and 2019-20, the rules that turn learning
deliveries into achievements and participations, and every way a file is refused."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from functools import cache
from pathlib import Path

import pytest

from open_lrs.feeds.ilr import read_ilr
from open_lrs.feeds.ilr_schema import MAX_PROBLEMS
from open_lrs.feeds.types import Award, FeedFile, FeedRejected, LearnerIdentity, RecordProblem

DATA = Path(__file__).resolve().parents[2] / "data" / "ilr"
SAMPLE_2526 = "2025-26/ILR-99999999-2526-20250108-094401.xml"
INVALID_2526 = "2025-26/invalid/ILR-99999999-2526-20250108-094401.xml"
SAMPLE_1920 = "2019-20/ILR-10000275-1920-20190613-112424-01.xml"
SAMPLE_VALID_1920 = "2019-20/SampleValid.xml"


@cache
def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


@cache
def read_sample(name: str) -> FeedFile:
    return read_ilr(sample(name))


def rejected(data: bytes, **kwargs: int) -> FeedRejected:
    with pytest.raises(FeedRejected) as caught:
        read_ilr(data, **kwargs)
    return caught.value


def by_learner(feed: FeedFile) -> dict[str, list[tuple[str, str]]]:
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for award in feed.awards:
        found[award.record_key.split("/")[0]].append((award.subject_code, award.kind))
    return dict(found)


# A minimal 2025-26 return, one element a line, for the rules on single deliveries.
def delivery(
    aim: str = "60149735",
    *,
    aim_type: int = 4,
    seq: int = 1,
    start: str = "2024-09-01",
    status: int = 1,
    end: str | None = None,
    outcome: int | None = None,
    ach: str | None = None,
    grade: str | None = None,
) -> str:
    optional = {"LearnActEndDate": end, "Outcome": outcome, "AchDate": ach, "OutGrade": grade}
    return (
        f"<LearningDelivery><LearnAimRef>{aim}</LearnAimRef><AimType>{aim_type}</AimType>"
        f"<AimSeqNumber>{seq}</AimSeqNumber><LearnStartDate>{start}</LearnStartDate>"
        "<LearnPlanEndDate>2025-07-31</LearnPlanEndDate><FundModel>35</FundModel>"
        f"<DelLocPostCode>BB1 1ZZ</DelLocPostCode><CompStatus>{status}</CompStatus>"
        + "".join(f"<{k}>{v}</{k}>" for k, v in optional.items() if v is not None)
        + "</LearningDelivery>"
    )


def learner(*deliveries: str, ref: str = "L1", sex: str = "F", dob: str = "2000-01-31") -> str:
    return (
        f"<Learner><LearnRefNumber>{ref}</LearnRefNumber><ULN>1061484016</ULN>"
        f"<FamilyName>Smith</FamilyName><GivenNames>Jane</GivenNames><DateOfBirth>{dob}"
        f"</DateOfBirth><Ethnicity>31</Ethnicity><Sex>{sex}</Sex><LLDDHealthProb>2"
        "</LLDDHealthProb><PostcodePrior>BB1 1ZZ</PostcodePrior><Postcode>BB1 1ZZ</Postcode>\n"
        + "\n".join(deliveries)
        + "\n</Learner>"
    )


def message(*learners: str, ukprn: str = "10000001", sender: str | None = None) -> bytes:
    return (
        '<Message xmlns="ESFA/ILR/2025-26">\n<Header><CollectionDetails><Collection>ILR'
        "</Collection><Year>2526</Year><FilePreparationDate>2025-01-08</FilePreparationDate>"
        "</CollectionDetails><Source><ProtectiveMarking>OFFICIAL-SENSITIVE-Personal"
        f"</ProtectiveMarking><UKPRN>{sender or ukprn}</UKPRN><SerialNo>01</SerialNo>"
        "<DateTime>2025-01-08T09:14:05</DateTime></Source></Header>\n"
        f"<LearningProvider><UKPRN>{ukprn}</UKPRN></LearningProvider>\n"
        + "\n".join(learners)
        + "\n</Message>"
    ).encode()


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


# --- files refused as a whole ------------------------------------------------------------


def _edit(old: bytes, new: bytes) -> bytes:
    data = sample(SAMPLE_2526)
    assert data.count(old) >= 1
    return data.replace(old, new, 1)


def _cut() -> bytes:
    data = sample(SAMPLE_2526)
    return data[: data.index(b"</ULN>", 20000) + len(b"</ULN>")]


_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE Message [\n<!ENTITY a "lol">\n'
    + b"".join(
        b'<!ENTITY %s "%s">\n' % (chr(98 + i).encode(), b"&%s;" % chr(97 + i).encode() * 10)
        for i in range(9)
    )
    + b']>\n<Message xmlns="ESFA/ILR/2025-26">&j;</Message>'
)
_XXE = (
    b'<?xml version="1.0"?>\n<!DOCTYPE Message [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    b'<Message xmlns="ESFA/ILR/2025-26">&x;</Message>'
)
ACCEPTED = '"ESFA/ILR/2025-26" (2025-26); "ESFA/ILR/2019-20" (2019-20)'
CORPUS = {
    "wrong namespace": (
        _edit(b'xmlns="ESFA/ILR/2025-26"', b'xmlns="ESFA/ILR/2024-25"'),
        "unknown_year",
        2,
        'The root <Message> is in namespace "ESFA/ILR/2024-25", which is not an ILR year this '
        f"service accepts. Accepted: {ACCEPTED}.",
    ),
    "no namespace": (
        _edit(b'xmlns="ESFA/ILR/2025-26"', b""),
        "unknown_year",
        2,
        "The root <Message> has no namespace, so the ILR year it is for is unknown. An ILR "
        f'return declares its year as xmlns="ESFA/ILR/2025-26". Accepted: {ACCEPTED}.',
    ),
    "wrong root": (
        b'<?xml version="1.0"?>\n<Envelope xmlns="urn:example"><Body/></Envelope>',
        "not_ilr",
        2,
        'The root element is <Envelope> in namespace "urn:example", not <Message>: this is not '
        f"an ILR return. ILR returns accepted: {ACCEPTED}.",
    ),
    "missing ULN": (
        _edit(b"<ULN>1061484466</ULN>", b""),
        "schema",
        115,
        "<FamilyName> is not expected here; the next element should be <ULN>. A required "
        "element may be missing, or the elements may be out of order.",
    ),
    "ULN not a number": (
        _edit(b"<ULN>1061484466</ULN>", b"<ULN>10614844X6</ULN>"),
        "schema",
        114,
        '"10614844X6" is not a whole number.',
    ),
    "invalid date": (
        _edit(b"<LearnStartDate>2024-09-14<", b"<LearnStartDate>14/09/2024<"),
        "schema",
        80,
        '"14/09/2024" is not a valid date (YYYY-MM-DD).',
    ),
    "out of order": (
        _edit(
            b"<FamilyName>Smith</FamilyName>\r\n\t\t<GivenNames>Jane</GivenNames>",
            b"<GivenNames>Jane</GivenNames>\r\n\t\t<FamilyName>Smith</FamilyName>",
        ),
        "schema",
        44,
        "<FamilyName> is not expected here; the next element should be one of <DateOfBirth>, "
        "<Ethnicity>. A required element may be missing, or the elements may be out of order.",
    ),
    "aim reference too long": (
        _edit(b"<LearnAimRef>60149735<", b"<LearnAimRef>601497351<"),
        "schema",
        77,
        '"601497351" is too long: 9 characters, at most 8 allowed.',
    ),
    "wrong year in header": (
        _edit(b"<Year>2526</Year>", b"<Year>2425</Year>"),
        "schema",
        6,
        '"2425" is not allowed in <Year>; it must be 2526.',
    ),
    "no learners": (
        sample(SAMPLE_2526)[: sample(SAMPLE_2526).index(b"<Learner>")] + b"</Message>",
        "schema",
        2,
        "<Message> is incomplete: <Learner> is missing.",
    ),
    "truncated": (
        _cut(),
        "truncated",
        559,
        "The XML ends early: it stops inside <Learner>, which opens on line 557. The file may "
        "have been cut short; send the whole file again.",
    ),
    "CSV": (
        b"ULN,GivenName,FamilyName\r\n1061484016,Jane,Smith\r\n",
        "not_xml",
        1,
        'The file is not XML: XML begins with "<", but this file begins with '
        '"ULN,GivenName,FamilyName".',
    ),
    "empty": (b"", "empty", None, "The file is empty."),
    "binary": (bytes(range(256)) * 4, "not_xml", None, "The file is binary data, not XML text."),
    "xlsx": (
        b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 100,
        "not_xml",
        None,
        "The file is a zip archive (or an Excel .xlsx workbook), not XML.",
    ),
    "billion laughs": (_LAUGHS, "doctype", 2, None),
    "external entity": (_XXE, "doctype", 2, None),
}


@pytest.mark.parametrize("case", CORPUS, ids=list(CORPUS))
def test_malformed_corpus_is_rejected_with_a_specific_problem(case: str) -> None:
    data, code, line, message_ = CORPUS[case]
    error = rejected(data)
    (problem,) = error.problems
    assert (problem.code, problem.line) == (code, line)
    if message_ is not None:
        assert problem.message == message_
    else:
        assert problem.message.startswith("The XML declares a DOCTYPE, which is not accepted")
    if code != "schema":
        assert problem.message in error.message


def test_schema_problems_name_the_learner_and_element() -> None:
    error = rejected(CORPUS["missing ULN"][0])
    assert error.problems[0].field == "Learner[LearnRefNumber=18Learner]/FamilyName"
    error = rejected(CORPUS["invalid date"][0])
    assert error.problems[0].field == (
        "Learner[LearnRefNumber=16Learner]/LearningDelivery[AimSeqNumber=1]/LearnStartDate"
    )


def test_every_schema_problem_is_reported_at_once() -> None:
    data = sample(SAMPLE_2526).replace(b"<Sex>F</Sex>", b"<Sex>Female</Sex>")
    error = rejected(data)
    assert [(p.line, p.field.split("/")[0]) for p in error.problems] == [
        (47, "Learner[LearnRefNumber=16Learner]"),
        (119, "Learner[LearnRefNumber=18Learner]"),
        (382, "Learner[LearnRefNumber=CLLearner]"),
        (1119, "Learner[LearnRefNumber=TLevelT]"),
        (1212, "Learner[LearnRefNumber=TLevel16]"),
    ]
    assert {p.message for p in error.problems} == {
        '"Female" must be exactly 1 character long, not 6.'
    }
    assert "5 problems were found" in error.message


def test_schema_problems_are_capped_but_counted() -> None:
    data = sample(SAMPLE_2526)
    start, end = data.index(b"\t<Learner>"), data.rindex(b"</Learner>") + len(b"</Learner>")
    learners = data[start:end].replace(b"<LearnStartDate>20", b"<LearnStartDate>x20")
    error = rejected(data[:start] + learners * 8 + data[end:])
    assert len(error.problems) == MAX_PROBLEMS
    assert "280 problems were found" in error.message
    assert f"The first {MAX_PROBLEMS} are listed." in error.message


def test_an_oversized_file_is_rejected_before_it_is_read() -> None:
    error = rejected(sample(SAMPLE_2526), max_bytes=50_000)
    assert [(p.code, p.field) for p in error.problems] == [("too_large", "file")]
    assert "more than the 48.8 KB accepted" in error.message


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        (
            b"<LearnAimRef>60149735<",
            b"<LearnAimRef><",
            "Learner[LearnRefNumber=16Learner]/LearningDelivery[AimSeqNumber=1]/LearnAimRef",
            "<LearnAimRef> is empty; it needs at least 1 character.",
        ),
        (
            b"<ULN>1061484016<",
            b"<ULN>12<",
            "Learner[LearnRefNumber=16Learner]/ULN",
            '"12" is less than 1000000000, the smallest value <ULN> allows.',
        ),
        (
            b"<FamilyName>Smith<",
            b"<FamilyName>Smith2<",
            "Learner[LearnRefNumber=16Learner]/FamilyName",
            '"Smith2" is not in the form <FamilyName> requires (pattern [^0-9\\r\\n\\t|"]{1,100}).',
        ),
        (
            b"<UKPRN>99999999<",
            b"<UKPRN><",
            "Header/Source/UKPRN",
            "<UKPRN> is empty; it needs a value.",
        ),
        (
            b"\t<Learner>",
            b'\t<Learner status="new">',
            "Learner[LearnRefNumber=16Learner]/@status",
            '<Learner> may not have an attribute "status".',
        ),
        (
            b"\t<Learner>",
            b"\t<Learner>Jane",
            "Learner[LearnRefNumber=16Learner]",
            "<Learner> holds text, but it may only hold other elements.",
        ),
        (
            b"<ULN>1061484016</ULN>",
            b'<u:ULN xmlns:u="urn:other">1061484016</u:ULN>',
            "Learner[LearnRefNumber=16Learner]/ULN",
            '<ULN> is in namespace "urn:other"; every element of a 2025-26 return must be in '
            '"ESFA/ILR/2025-26".',
        ),
        (
            b"<LearnRefNumber>16Learner<",
            b"<LearnRefNumber>16Learner-with-a-very-long-reference<",
            "Learner[LearnRefNumber=16Learner-with-a-very-long-reference]/LearnRefNumber",
            '"16Learner-with-a-very-long-reference" is not in the form <LearnRefNumber> '
            "requires (pattern [A-Za-z0-9 ]{1,12}).",
        ),
    ],
)
def test_schema_messages_are_in_plain_english(
    old: bytes, new: bytes, field: str, message: str
) -> None:
    (problem,) = rejected(_edit(old, new)).problems
    assert (problem.field, problem.message) == (field, message)


def test_a_2019_20_file_is_checked_against_the_2019_20_schema() -> None:
    data = sample(SAMPLE_VALID_1920).replace(
        b"<LearnStartDate>2020-04-01<", b"<LearnStartDate>2020-04-31<", 1
    )
    error = rejected(data)
    assert error.message.startswith("The file does not match the 2019-20 ILR schema: 1 problem")
    assert [(p.line, p.field, p.message) for p in error.problems] == [
        (
            64,
            "Learner[LearnRefNumber=R2 fm70 000]/LearningDelivery[AimSeqNumber=1]/LearnStartDate",
            '"2020-04-31" is not a valid date (YYYY-MM-DD).',
        )
    ]


def test_a_return_in_another_years_namespace_does_not_validate() -> None:
    error = rejected(_edit(b'xmlns="ESFA/ILR/2025-26"', b'xmlns="ESFA/ILR/2019-20"'))
    assert error.message.startswith("The file does not match the 2019-20 ILR schema")
    assert error.problems[0].field == "Header/CollectionDetails/Year"
    assert error.problems[0].message == '"2526" is not allowed in <Year>; it must be 1920.'
