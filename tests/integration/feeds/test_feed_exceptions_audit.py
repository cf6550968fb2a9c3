"""Listing the feed-exceptions queue shows learners' details as the feeds gave them, so every
listing is one ``feed_exceptions.read`` audit row: who, which feed and loads, how many learners
and candidates were shown (issue 24). On SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from open_lrs.audit.models import AuditEvent
from open_lrs.core.db import Database
from open_lrs.core.security import Actor
from open_lrs.feeds import exceptions as feed_exceptions
from open_lrs.feeds import service as feeds
from open_lrs.learners import service as learners
from open_lrs.learners.schemas import LearnerRegistration
from open_lrs.organisations import directory
from open_lrs.records import catalogue
from tests.conftest import OrgFactory
from tests.factories import MODEL_VERSION, learner_payload

ENGLISH = "60101037"  # GCSE (9-1) in English Language, in the sample catalogue


@pytest.fixture(autouse=True)
def sample_catalogue(db: Database) -> None:
    catalogue.load(db.unit_of_work(), None, catalogue.sample_entries())


def award(uln: str, given: str, family: str) -> dict[str, str | None]:
    return {
        "ULN": uln,
        "GivenName": given,
        "FamilyName": family,
        "SubjectCode": ENGLISH,
        "Grade": "5",
        "AwardDate": "2024-08-22",
        "Status": "F",
    }


def listings(db: Database, actor: Actor) -> list[tuple[str, Any, dict[str, Any]]]:
    """The organisation's ``feed_exceptions.read`` rows, oldest first."""
    with db.unit_of_work() as uow:
        rows = uow.session.execute(
            select(AuditEvent.outcome, AuditEvent.learner_id, AuditEvent.details)
            .where(
                AuditEvent.action == feed_exceptions.FEED_EXCEPTIONS_READ,
                AuditEvent.organisation_id == actor.organisation_id,
            )
            .order_by(AuditEvent.id)
        ).all()
    return [(outcome, learner, details) for outcome, learner, details in rows]


def test_each_listing_of_the_queue_is_one_audit_row(db: Database, make_org: OrgFactory) -> None:
    provider, awarder, other = (
        make_org("provider")[0],
        make_org("awarding_organisation")[0],
        make_org("awarding_organisation")[0],
    )
    body = learner_payload(ability_to_share="1")
    learner = learners.register(
        db.unit_of_work(), provider, LearnerRegistration(**body), MODEL_VERSION
    ).learner
    report = feeds.load_awards(
        db.unit_of_work(),
        awarder,
        [
            award(learner.uln, learner.given_name, "Nobody-Like-This"),  # the ULN of someone else
            award("1000000000", "Ann", "Other"),  # a valid ULN, on nobody
        ],
        MODEL_VERSION,
    )
    assert report.unmatched == 2

    shown = feed_exceptions.waiting(db.unit_of_work(), awarder)
    assert len(shown) == 2
    assert feed_exceptions.waiting(db.unit_of_work(), awarder, "AO") == shown
    assert feed_exceptions.waiting(db.unit_of_work(), awarder, "ILR") == []
    # An awarding organisation's feed is not searched by name, so it names no candidates.
    assert [w.candidate_ulns for w in shown] == [[], []]
    assert listings(db, awarder) == [
        (
            "ok",
            None,
            {
                "source": source,
                "feed_load_ids": loads,
                "learners": count,
                "candidates": 0,
            },
        )
        for source, loads, count in (
            (None, [report.load_id], 2),
            ("AO", [report.load_id], 2),
            ("ILR", [], 0),
        )
    ]
    # Another organisation's empty listing is recorded as its own.
    assert feed_exceptions.waiting(db.unit_of_work(), other) == []
    assert listings(db, other) == [
        ("ok", None, {"source": None, "feed_load_ids": [], "learners": 0, "candidates": 0})
    ]


def test_the_audit_log_filter_offers_the_listing(make_org: OrgFactory) -> None:
    assert feed_exceptions.FEED_EXCEPTIONS_READ in directory.audit_actions(make_org("admin")[0])
