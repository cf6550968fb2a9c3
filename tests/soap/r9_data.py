"""Test data for the R9 tests, made through the service layer as
tests/integration/records/test_plr.py makes it: learners registered, the sample catalogue
loaded, awards loaded by an awarding organisation."""

from __future__ import annotations

from typing import Any

from open_lrs.core.db import Database
from open_lrs.core.security import Actor
from open_lrs.feeds import service as feeds
from open_lrs.learners import merging
from open_lrs.learners import service as learners
from open_lrs.learners.schemas import LearnerRegistration, LearnerResult
from open_lrs.organisations import service as orgs
from open_lrs.records import catalogue
from tests.factories import MODEL_VERSION, learner_payload
from tests.soap.conftest import Org

ENGLISH = "60101037"  # GCSE (9-1) in English Language, in the sample catalogue
MATHS = "60101111"  # GCSE (9-1) in Mathematics
UNIT = "H/500/2097"  # Making choices about daily activities, E1, 2 credits


def load_catalogue(db: Database) -> None:
    catalogue.load(db.unit_of_work(), None, catalogue.sample_entries())


def actor_of(db: Database, org: Org) -> Actor:
    return orgs.authenticate(db.unit_of_work(), org.key)


def register(db: Database, org: Org, **overrides: Any) -> LearnerResult:
    """A learner who has agreed to share (AbilityToShare 1) unless ``overrides`` say not."""
    body = learner_payload(**{"ability_to_share": "1", **overrides})
    return learners.register(
        db.unit_of_work(), actor_of(db, org), LearnerRegistration(**body), MODEL_VERSION
    )


def award(db: Database, awarder: Org, learner: LearnerResult, **overrides: str | None) -> None:
    item: dict[str, str | None] = {
        "ULN": learner.learner.uln,
        "GivenName": learner.learner.given_name,
        "FamilyName": learner.learner.family_name,
        "SubjectCode": ENGLISH,
        "Grade": "5",
        "AwardDate": "2024-08-22",
        "Status": "F",
    }
    item.update(overrides)
    report = feeds.load_awards(db.unit_of_work(), actor_of(db, awarder), [item], MODEL_VERSION)
    assert report.loaded + report.superseded == 1, report


def merge(db: Database, admin: Org, master: LearnerResult, linked: LearnerResult) -> None:
    merging.merge(
        db.unit_of_work(),
        actor_of(db, admin),
        master_uln=master.learner.uln,
        linked_uln=linked.learner.uln,
        reason="the same person",
    )


def names(learner: LearnerResult) -> dict[str, Any]:
    """GetLearnerLearningEvents' learner elements for ``learner``."""
    return {
        "uln": learner.learner.uln,
        "givenName": learner.learner.given_name,
        "familyName": learner.learner.family_name,
        "dateOfBirth": None,
        "gender": None,
    }
