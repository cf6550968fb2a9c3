"""The Personal Learning Record on SQLite and PostgreSQL: loading awards (idempotent,
superseding, exceptions), reading with verification and consent, the enrolment summary, data
challenges and the access log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from open_lrs.audit.models import AuditEvent
from open_lrs.core.db import Database
from open_lrs.core.errors import Conflict, LearnerNotVerified, NotShared
from open_lrs.core.security import Actor
from open_lrs.feeds import exceptions as feed_exceptions
from open_lrs.feeds import service as feeds
from open_lrs.feeds.models import FeedException
from open_lrs.learners.schemas import LearnerResult
from open_lrs.records import catalogue, challenges, enrolment, reading
from open_lrs.records.access import RecordRequest
from open_lrs.records.models import CatalogueEntry, LearningEvent
from tests.conftest import OrgFactory
from tests.factories import MODEL_VERSION

ENGLISH = "60101037"  # GCSE (9-1) in English Language, in the sample catalogue
MATHS = "60101111"  # GCSE (9-1) in Mathematics
UNIT = "H/500/2097"


def award(learner: LearnerResult, **overrides: str) -> dict[str, str | None]:
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
    return item


def read(db: Database, actor: Actor, learner: LearnerResult, **kw: Any) -> Any:
    req = RecordRequest(
        uln=kw.pop("uln", learner.learner.uln),
        given_name=kw.pop("given_name", learner.learner.given_name),
        family_name=kw.pop("family_name", learner.learner.family_name),
    )
    return reading.learning_events(db.unit_of_work(), actor, req, reading.EventFilter(**kw), "FULL")


pytestmark = pytest.mark.usefixtures("sample_catalogue")


def test_awards_load_once_and_a_final_result_supersedes_the_provisional(
    db: Database, awarder: Actor, provider: Actor, register: Callable[..., LearnerResult]
) -> None:
    learner = register()
    first = feeds.load_awards(
        db.unit_of_work(), awarder, [award(learner, Status="P", Grade="4")], MODEL_VERSION
    )
    assert (first.loaded, first.superseded, first.rejected) == (1, 0, 0)
    again = feeds.load_awards(
        db.unit_of_work(), awarder, [award(learner, Status="P", Grade="4")], MODEL_VERSION
    )
    assert (again.loaded, again.unchanged) == (0, 1)
    final = feeds.load_awards(
        db.unit_of_work(), awarder, [award(learner, Grade="5")], MODEL_VERSION
    )
    assert (final.loaded, final.superseded) == (0, 1)

    current = read(db, provider, learner)
    assert [(e.grade, e.status) for e in current.events] == [("5", "F")]
    history = read(db, provider, learner, history=True)
    assert sorted((e.grade, e.status, e.superseded_at is None) for e in history.events) == [
        ("4", "P", False),
        ("5", "F", True),
    ]
    # A provisional result never replaces the final one.
    late = feeds.load_awards(
        db.unit_of_work(), awarder, [award(learner, Status="P", Grade="9")], MODEL_VERSION
    )
    assert late.rejected == 1
    assert late.problems[0].code == "provisional_after_final"


def test_one_load_with_provisional_then_final_files_both_in_order(
    db: Database, awarder: Actor, provider: Actor, register: Callable[..., LearnerResult]
) -> None:
    learner = register()
    report = feeds.load_awards(
        db.unit_of_work(),
        awarder,
        [award(learner, Status="P", Grade="3"), award(learner, Status="F", Grade="4")],
        MODEL_VERSION,
    )
    assert (report.loaded, report.superseded, report.records) == (1, 1, 2)
    assert [e.grade for e in read(db, provider, learner).events] == ["4"]


def test_records_that_cannot_be_filed_are_rejected_or_wait_for_a_person(
    db: Database, awarder: Actor, register: Callable[..., LearnerResult]
) -> None:
    learner = register()
    other = register()
    report = feeds.load_awards(
        db.unit_of_work(),
        awarder,
        [
            award(learner, SubjectCode="60999999"),  # not in the catalogue
            award(learner, SubjectCode=MATHS, Grade="Z"),  # not a GCSE grade
            award(learner, FamilyName="Nobody-Like-This"),  # ULN of someone else
            award(other, SubjectCode=MATHS, Grade="7"),
        ],
        MODEL_VERSION,
    )
    assert report.counts() == {
        "records": 4,
        "loaded": 1,
        "superseded": 0,
        "unchanged": 0,
        "rejected": 2,
        "unmatched": 1,
    }
    assert {p.code for p in report.problems} == {"unknown_subject", "invalid_grade"}
    waiting = feed_exceptions.waiting(db.unit_of_work(), awarder)
    assert [(w.reason, w.uln_given) for w in waiting] == [("uln_not_verified", learner.learner.uln)]

    # Loading the same file again queues nothing twice.
    feeds.load_awards(
        db.unit_of_work(), awarder, [award(learner, FamilyName="Nobody-Like-This")], MODEL_VERSION
    )
    assert len(feed_exceptions.waiting(db.unit_of_work(), awarder)) == 1

    resolved = feed_exceptions.resolve(
        db.unit_of_work(), awarder, waiting[0].id, learner.learner.uln, "Checked the candidate's ID"
    )
    assert resolved.loaded == 1
    assert feed_exceptions.waiting(db.unit_of_work(), awarder) == []
    # The person's decision holds when the same award comes again.
    again = feeds.load_awards(
        db.unit_of_work(), awarder, [award(learner, FamilyName="Nobody-Like-This")], MODEL_VERSION
    )
    assert (again.unchanged, again.unmatched) == (1, 0)
    assert feed_exceptions.waiting(db.unit_of_work(), awarder) == []
    with pytest.raises(Conflict):
        feed_exceptions.resolve(
            db.unit_of_work(), awarder, waiting[0].id, learner.learner.uln, "again"
        )


def test_reading_needs_the_names_and_every_attempt_is_logged(
    db: Database, awarder: Actor, provider: Actor, register: Callable[..., LearnerResult]
) -> None:
    learner = register()
    feeds.load_awards(db.unit_of_work(), awarder, [award(learner)], MODEL_VERSION)
    with pytest.raises(LearnerNotVerified):
        read(db, provider, learner, given_name="Zebedee", family_name="Quux")
    read(db, provider, learner)
    with db.unit_of_work() as uow:
        outcomes = uow.session.scalars(
            select(AuditEvent.outcome)
            .where(AuditEvent.learner_id.is_not(None), AuditEvent.action == "plr.read")
            .where(AuditEvent.organisation_id == provider.organisation_id)
            .order_by(AuditEvent.id)
        ).all()
    assert outcomes == ["WSEC0208", "WSRC0004"]


def test_a_learner_who_has_not_agreed_to_share_is_refused_except_to_the_awarder(
    db: Database, awarder: Actor, provider: Actor, register: Callable[..., LearnerResult]
) -> None:
    learner = register(ability_to_share="2")
    feeds.load_awards(db.unit_of_work(), awarder, [award(learner)], MODEL_VERSION)
    with pytest.raises(NotShared):
        read(db, provider, learner)
    own = read(db, awarder, learner)
    assert own.restricted is True
    assert [e.subject_code for e in own.events] == [ENGLISH]


def test_enrolment_summary_gives_levels_and_english_and_maths(
    db: Database, awarder: Actor, provider: Actor, register: Callable[..., LearnerResult]
) -> None:
    learner = register()
    feeds.load_awards(
        db.unit_of_work(),
        awarder,
        [
            award(learner, SubjectCode=ENGLISH, Grade="3"),
            award(learner, SubjectCode=MATHS, Grade="6"),
            award(learner, SubjectCode=UNIT, Grade=None, Credits=None),
        ],
        MODEL_VERSION,
    )
    req = RecordRequest(
        uln=learner.learner.uln,
        given_name=learner.learner.given_name,
        family_name=learner.learner.family_name,
    )
    summary = enrolment.enrolment_summary(db.unit_of_work(), provider, req)
    assert summary.highest_level == "2"
    assert (summary.english.level, summary.english.gcse_grade_4_or_above) == ("1", False)
    assert (summary.mathematics.level, summary.mathematics.gcse_grade_4_or_above) == ("2", True)
    # A unit is not a qualification.
    assert [[q.subject_code for q in lvl.qualifications] for lvl in summary.by_level] == [
        [ENGLISH, MATHS]
    ]


def test_a_challenge_shows_until_confirmed_or_corrected(
    db: Database, awarder: Actor, provider: Actor, register: Callable[..., LearnerResult]
) -> None:
    learner = register()
    feeds.load_awards(db.unit_of_work(), awarder, [award(learner, Grade="4")], MODEL_VERSION)
    event = read(db, provider, learner).events[0]
    req = RecordRequest(
        uln=learner.learner.uln,
        given_name=learner.learner.given_name,
        family_name=learner.learner.family_name,
    )
    raised = challenges.raise_challenge(
        db.unit_of_work(), provider, req, event.id, "The certificate says grade 5"
    )
    assert read(db, provider, learner).events[0].under_data_challenge == "Y"
    with pytest.raises(Conflict):
        challenges.raise_challenge(db.unit_of_work(), provider, req, event.id, "Again please")
    assert [c.id for c in challenges.to_answer(db.unit_of_work(), awarder)] == [raised.id]

    # The awarding organisation corrects it: the challenge closes as corrected.
    feeds.load_awards(db.unit_of_work(), awarder, [award(learner, Grade="5")], MODEL_VERSION)
    after = read(db, provider, learner).events[0]
    assert (after.grade, after.under_data_challenge) == ("5", "N")
    closed = challenges.to_answer(db.unit_of_work(), awarder, open_only=False)
    assert [(c.id, c.resolution) for c in closed] == [(raised.id, "corrected")]


def test_a_linked_uln_reads_the_masters_record_with_events_under_either(
    db: Database,
    awarder: Actor,
    provider: Actor,
    make_org: OrgFactory,
    register: Callable[..., LearnerResult],
) -> None:
    from open_lrs.learners import merging

    master = register()
    linked = register()
    feeds.load_awards(
        db.unit_of_work(), awarder, [award(linked, SubjectCode=MATHS, Grade="7")], MODEL_VERSION
    )
    feeds.load_awards(db.unit_of_work(), awarder, [award(master)], MODEL_VERSION)
    admin = make_org("admin")[0]
    merging.merge(
        db.unit_of_work(),
        admin,
        master_uln=master.learner.uln,
        linked_uln=linked.learner.uln,
        reason="same",
    )
    answer = read(
        db,
        provider,
        master,
        uln=linked.learner.uln,
    )
    assert (answer.incoming_uln, answer.found_uln, answer.lrs_code) == (
        linked.learner.uln,
        master.learner.uln,
        "WSRC0022",
    )
    assert sorted(e.subject_code for e in answer.events) == [ENGLISH, MATHS]


def test_reloading_the_catalogue_versions_entries_and_keeps_events_as_loaded(
    db: Database, awarder: Actor, provider: Actor, register: Callable[..., LearnerResult]
) -> None:
    learner = register()
    feeds.load_awards(db.unit_of_work(), awarder, [award(learner)], MODEL_VERSION)
    entries = catalogue.sample_entries()
    renamed = [
        e if e.code != ENGLISH else type(e)(**{**e.__dict__, "title": "English Language (new)"})
        for e in entries
    ]
    report = catalogue.load(db.unit_of_work(), None, renamed)
    assert (report.changed, report.added) == (1, 0)
    with db.unit_of_work() as uow:
        versions = uow.session.execute(
            select(CatalogueEntry.version, CatalogueEntry.current, CatalogueEntry.title)
            .where(CatalogueEntry.code == ENGLISH)
            .order_by(CatalogueEntry.version)
        ).all()
        assert [(v, c) for v, c, _ in versions] == [(1, False), (2, True)]
        titles = uow.session.scalars(
            select(LearningEvent.subject_title).where(LearningEvent.subject_code == ENGLISH)
        ).all()
        assert set(titles) == {"GCSE (9-1) in English Language"}
    # The same load again is unchanged even though the catalogue moved on.
    again = feeds.load_awards(db.unit_of_work(), awarder, [award(learner)], MODEL_VERSION)
    assert again.unchanged == 1
    assert read(db, provider, learner).events[0].subject == "GCSE (9-1) in English Language"


def test_open_exceptions_are_unique_per_key(db: Database, awarder: Actor) -> None:
    items = [
        {
            "ULN": "1000000000",  # valid, and on nobody
            "GivenName": "Ann",
            "FamilyName": "Other",
            "SubjectCode": ENGLISH,
            "Grade": g,
            "AwardDate": date(2024, 8, 22).isoformat(),
            "Status": s,
        }
        for g, s in (("4", "P"), ("5", "F"))
    ]
    report = feeds.load_awards(db.unit_of_work(), awarder, items, MODEL_VERSION)
    assert report.unmatched == 2
    with db.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count()).select_from(FeedException)) == 1
