"""The outcome a PLR read is logged with is the code its caller got, on both read paths (the
learning events and the enrolment summary), on SQLite and PostgreSQL: a learner who has not
agreed to share is WSEC0206, not a successful read; and a record opens only for the learner's
names exactly, folded: "Sean Evans" does not open Siân Evans's (issue 24)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from open_lrs.audit.models import AuditEvent
from open_lrs.core.db import Database
from open_lrs.core.errors import LearnerNotFound, LearnerNotVerified, NotShared
from open_lrs.core.security import Actor
from open_lrs.feeds import service as feeds
from open_lrs.learners import merging
from open_lrs.learners.schemas import LearnerResult
from open_lrs.records import access_log, enrolment, reading
from open_lrs.records.access import RecordRequest
from tests.conftest import OrgFactory
from tests.factories import MODEL_VERSION

ENGLISH = "60101037"  # GCSE (9-1) in English Language, in the sample catalogue


pytestmark = pytest.mark.usefixtures("sample_catalogue")


def awarded(db: Database, awarder: Actor, learner: LearnerResult) -> None:
    item = {
        "ULN": learner.learner.uln,
        "GivenName": learner.learner.given_name,
        "FamilyName": learner.learner.family_name,
        "SubjectCode": ENGLISH,
        "Grade": "5",
        "AwardDate": "2024-08-22",
        "Status": "F",
    }
    assert feeds.load_awards(db.unit_of_work(), awarder, [item], MODEL_VERSION).loaded == 1


def request(learner: LearnerResult, **overrides: str) -> RecordRequest:
    values = {
        "uln": learner.learner.uln,
        "given_name": learner.learner.given_name,
        "family_name": learner.learner.family_name,
        **overrides,
    }
    return RecordRequest(**values)


def events(db: Database, actor: Actor, req: RecordRequest) -> Any:
    return reading.learning_events(db.unit_of_work(), actor, req, reading.EventFilter(), "BRIEF")


def summary(db: Database, actor: Actor, req: RecordRequest) -> Any:
    return enrolment.enrolment_summary(db.unit_of_work(), actor, req)


READS = {"learning events": events, "enrolment summary": summary}


def logged(db: Database, actor: Actor) -> list[tuple[str, dict[str, Any]]]:
    """The organisation's ``plr.read`` rows, oldest first: (outcome, details)."""
    with db.unit_of_work() as uow:
        rows = uow.session.execute(
            select(AuditEvent.outcome, AuditEvent.details)
            .where(
                AuditEvent.action == "plr.read",
                AuditEvent.organisation_id == actor.organisation_id,
            )
            .order_by(AuditEvent.id)
        ).all()
    return [(outcome, details) for outcome, details in rows]


@pytest.mark.parametrize("path", list(READS))
def test_a_learner_who_has_not_agreed_to_share_is_logged_as_refused(
    path: str,
    db: Database,
    provider: Actor,
    awarder: Actor,
    register: Callable[..., LearnerResult],
) -> None:
    learner = register(ability_to_share="2")
    awarded(db, awarder, learner)
    with pytest.raises(NotShared):
        READS[path](db, provider, request(learner))
    [(outcome, details)] = logged(db, provider)
    assert outcome == "WSEC0206"
    assert (details["restricted"], details["events"], details["own_events_shown"]) == (
        True,
        0,
        False,
    )
    # The refusal is in the learner's access log as the caller got it.
    log = access_log.plr_access_log(db.unit_of_work(), provider, request(learner))
    assert [(e.action, e.outcome) for e in log.entries] == [("plr.read", "WSEC0206")]


@pytest.mark.parametrize("path", list(READS))
def test_an_organisations_own_events_of_an_unshared_learner_are_a_restricted_read(
    path: str,
    db: Database,
    provider: Actor,
    awarder: Actor,
    register: Callable[..., LearnerResult],
) -> None:
    """The awarder is answered its own events with the code of a read (WSRC0004), as the API
    and R9 answer it, and the log says that only its own events were shown."""
    learner = register(ability_to_share="2")
    awarded(db, awarder, learner)
    answer = READS[path](db, awarder, request(learner))
    assert answer.restricted is True
    [(outcome, details)] = logged(db, awarder)
    assert outcome == "WSRC0004"
    assert (details["restricted"], details["events"], details["own_events_shown"]) == (
        True,
        1,
        True,
    )


@pytest.mark.parametrize("path", list(READS))
def test_a_shared_record_a_linked_uln_and_refusals_are_logged_with_their_codes(
    path: str,
    db: Database,
    provider: Actor,
    awarder: Actor,
    make_org: OrgFactory,
    register: Callable[..., LearnerResult],
) -> None:
    master, linked = register(), register()
    awarded(db, awarder, master)
    admin = make_org("admin")[0]
    merging.merge(
        db.unit_of_work(),
        admin,
        master_uln=master.learner.uln,
        linked_uln=linked.learner.uln,
        reason="the same person",
    )
    read = READS[path]
    read(db, provider, request(master))
    read(db, provider, request(master, uln=linked.learner.uln))
    with pytest.raises(LearnerNotVerified):
        read(db, provider, request(master, given_name="Zebedee", family_name="Quux"))
    with pytest.raises(LearnerNotFound):
        read(db, provider, request(master, uln="2000000001"))
    rows = logged(db, provider)
    assert [outcome for outcome, _ in rows] == ["WSRC0004", "WSRC0022", "WSEC0208", "WSRC0019"]
    assert [(d["restricted"], d["events"]) for _, d in rows[:2]] == [(False, 1), (False, 1)]
    assert all("own_events_shown" not in d for _, d in rows)


def test_a_linked_uln_of_an_unshared_learner_is_refused_not_linked(
    db: Database,
    provider: Actor,
    make_org: OrgFactory,
    register: Callable[..., LearnerResult],
) -> None:
    master, linked = register(ability_to_share="2"), register()
    merging.merge(
        db.unit_of_work(),
        make_org("admin")[0],
        master_uln=master.learner.uln,
        linked_uln=linked.learner.uln,
        reason="the same person",
    )
    for read in READS.values():
        with pytest.raises(NotShared):
            read(db, provider, request(master, uln=linked.learner.uln))
    assert [outcome for outcome, _ in logged(db, provider)] == ["WSEC0206", "WSEC0206"]


@pytest.mark.parametrize("path", list(READS))
@pytest.mark.parametrize(
    ("given_name", "family_name"),
    [
        ("Sean", "Evans"),  # a similar spelling finds a learner, it does not open the record
        ("Sian", "Evan"),
        ("Evans", "Siân"),  # the wrong way round
        ("Siân", "Jones"),  # her previous family name
    ],
)
def test_names_that_are_only_similar_do_not_open_the_record(
    path: str,
    given_name: str,
    family_name: str,
    db: Database,
    provider: Actor,
    awarder: Actor,
    register: Callable[..., LearnerResult],
) -> None:
    learner = register(
        given_name="Siân", family_name="Evans", previous_family_name="Jones", gender="2"
    )
    awarded(db, awarder, learner)
    with pytest.raises(LearnerNotVerified):
        READS[path](db, provider, request(learner, given_name=given_name, family_name=family_name))
    assert [outcome for outcome, _ in logged(db, provider)] == ["WSEC0208"]


@pytest.mark.parametrize("path", list(READS))
@pytest.mark.parametrize(
    ("given_name", "family_name"),
    [
        ("SIAN", "evans"),  # case and accents folded
        ("Siân", "EVANS"),
        ("Sia", "Evans"),  # her registered preferred given name
    ],
)
def test_the_names_as_registered_open_the_record_folded(
    path: str,
    given_name: str,
    family_name: str,
    db: Database,
    provider: Actor,
    awarder: Actor,
    register: Callable[..., LearnerResult],
) -> None:
    learner = register(
        given_name="Siân", family_name="Evans", preferred_given_name="Sia", gender="2"
    )
    awarded(db, awarder, learner)
    READS[path](db, provider, request(learner, given_name=given_name, family_name=family_name))
    assert [outcome for outcome, _ in logged(db, provider)] == ["WSRC0004"]
