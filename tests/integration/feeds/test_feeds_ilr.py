"""Loading ESFA's real sample ILR returns on SQLite and PostgreSQL: what real returns hold
(temporary ULNs, two people under one ULN, the same person twice) ends filed, waiting for a
person, or refused with the line and field, and a second load changes nothing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from open_lrs.core.db import Database
from open_lrs.core.errors import Forbidden
from open_lrs.core.security import Actor
from open_lrs.feeds import exceptions as feed_exceptions
from open_lrs.feeds import service as feeds
from open_lrs.feeds.loading import LoadReport
from open_lrs.feeds.models import FeedLoad
from open_lrs.feeds.service import FeedFileRejected
from open_lrs.learners.importer import import_learners
from open_lrs.organisations import service as orgs
from open_lrs.records import catalogue, catalogue_format
from open_lrs.records.models import LearningEvent
from tests.conftest import OrgFactory
from tests.factories import MODEL_VERSION

DATA = Path(__file__).resolve().parents[2] / "data" / "ilr"
RETURN_2526 = DATA / "2025-26" / "ILR-99999999-2526-20250108-094401.xml"
INVALID_2526 = DATA / "2025-26" / "invalid" / "ILR-99999999-2526-20250108-094401.xml"
SAMPLE_2019 = DATA / "2019-20" / "SampleValid.xml"

# On our register before the return arrives: Mark Jones holds 1061485810 (the return also
# files Kirk Spock under it), Jane Smith born 2009-02-27 holds 1061484016 (the return has her
# again under the temporary ULN with another postcode), and John Smith 1004014316 (the return
# swaps his names).
REGISTER = """uln,given_name,family_name,date_of_birth,gender,postcode,ability_to_share
1061485810,Mark,Jones,1998-10-12,1,BB1 1ZZ,1
1061484016,Jane,Smith,2009-02-27,2,BR1 7SS,1
1004014316,John,Smith,1997-01-01,1,BB1 1ZZ,1
"""


@pytest.fixture
def provider(db: Database, make_org: OrgFactory) -> Actor:
    created = orgs.create_organisation(
        db.unit_of_work(), name="ESFA sample provider", ukprn="99999999", kind="provider"
    )
    admin = make_org("admin")[0]
    import_learners(db.unit_of_work(), admin, io.StringIO(REGISTER), source_name="register.csv")
    aims = catalogue_format.read_qualifications((DATA / "sample_aims.csv").read_bytes())
    catalogue.load(db.unit_of_work(), None, aims)
    return orgs.authenticate(db.unit_of_work(), created.api_key)


def load(db: Database, actor: Actor, path: Path) -> LoadReport:
    return feeds.load_file(
        db.unit_of_work(), actor, "ILR", path.read_bytes(), MODEL_VERSION, file_name=path.name
    )


def test_the_2025_26_sample_files_what_it_can_and_queues_the_rest(
    db: Database, provider: Actor
) -> None:
    report = load(db, provider, RETURN_2526)
    # 28 aims reported (achieved or in learning); programme aims and withdrawals are not.
    assert report.records == 28
    assert report.rejected == 0
    waiting = feed_exceptions.waiting(db.unit_of_work(), provider)
    reasons = {(w.record_key.split("/")[0], w.reason) for w in waiting}
    # Mark Jones's ULN verifies; Kirk Spock, under the same ULN, does not and is found nowhere.
    assert ("MCALearner", "no_match") in reasons
    assert not any(key == "ASLearner" for key, _ in reasons)
    # Jane Smith under her ULN, and again under the temporary ULN: both on her record.
    assert not any(key in ("16Learner", "TLevelT") for key, _ in reasons)
    # John Smith with his names swapped still verifies (a similar match).
    assert not any(key == "Levy" for key, _ in reasons)
    # Another Jane Smith at Jane's address, born 2007, with a ULN of her own: her details
    # match Jane closely, but her ULN is not Jane's, so a person decides.
    [conflict] = [w for w in waiting if w.record_key.startswith("18Learner/")][:1]
    assert (conflict.reason, conflict.candidate_ulns) == ("uln_conflict", ["1061484016"])
    with db.unit_of_work() as uow:
        filed = uow.session.execute(
            select(LearningEvent.record_key, LearningEvent.kind).order_by(LearningEvent.record_key)
        ).all()
    keys = {k.split("/")[0] for k, _ in filed}
    assert keys == {"ASLearner", "16Learner", "TLevelT", "Levy"}
    assert report.loaded == len(filed) == 2 + 1 + 3 + 4
    assert report.unmatched == 28 - report.loaded
    assert len(waiting) == report.unmatched

    again = load(db, provider, RETURN_2526)
    assert (again.loaded, again.superseded, again.unchanged) == (0, 0, report.loaded)
    assert len(feed_exceptions.waiting(db.unit_of_work(), provider)) == report.unmatched


def test_the_invalid_sample_is_refused_at_its_line_and_field_and_nothing_is_stored(
    db: Database, provider: Actor
) -> None:
    with pytest.raises(FeedFileRejected) as refused:
        load(db, provider, INVALID_2526)
    [error] = refused.value.errors
    assert error.field.startswith("line 349, ")
    assert error.field.endswith("LearnPlanEndDate")
    assert "2024-06-31" in error.message
    with db.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count()).select_from(FeedLoad)) == 0


def test_a_provider_loads_only_its_own_return(db: Database, make_org: OrgFactory) -> None:
    other = make_org("provider")[0]
    with pytest.raises(Forbidden):
        load(db, other, RETURN_2526)


def test_an_aim_missing_from_the_catalogue_is_rejected_by_name(
    db: Database, make_org: OrgFactory
) -> None:
    created = orgs.create_organisation(
        db.unit_of_work(), name="ESFA sample provider 2019", ukprn="10005200", kind="provider"
    )
    actor = orgs.authenticate(db.unit_of_work(), created.api_key)
    aims = [
        a
        for a in catalogue_format.read_qualifications((DATA / "sample_aims.csv").read_bytes())
        if a.code != "50089080"
    ]
    catalogue.load(db.unit_of_work(), None, aims)
    report = load(db, actor, SAMPLE_2019)
    assert report.records == 87
    unknown = [p for p in report.problems if p.code == "unknown_subject"]
    assert len(unknown) == report.rejected == 9
    assert all("50089080" in p.message for p in unknown)
