"""Reading ILR returns: every way a file is refused as a whole."""

from __future__ import annotations

import pytest

from open_lrs.feeds.ilr_schema import MAX_PROBLEMS
from tests.unit.feeds.ilr_helpers import SAMPLE_2526, SAMPLE_VALID_1920, rejected, sample

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
