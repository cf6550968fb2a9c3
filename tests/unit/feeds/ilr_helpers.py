"""ILR returns in tests: ESFA's samples (tests/data/ilr), and a minimal 2025-26 return built one
learner and delivery at a time."""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest

from open_lrs.feeds.ilr import read_ilr
from open_lrs.feeds.types import FeedFile, FeedRejected

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
