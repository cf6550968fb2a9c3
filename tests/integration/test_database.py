"""Migrations, the append-only audit log, ULN collisions and concurrent registrations,
on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import Engine, func, select, text, update
from sqlalchemy.exc import DatabaseError

from open_lrs.audit.models import AuditEvent
from open_lrs.core import migrate
from open_lrs.core.db import Database, make_engine
from open_lrs.core.errors import DuplicateLearner
from open_lrs.learners import service as learners
from open_lrs.learners.models import Learner
from open_lrs.learners.schemas import LearnerCreate
from open_lrs.organisations import service as orgs
from tests.conftest import OrgFactory, new_ukprn
from tests.factories import learner_payload


def test_models_and_migrations_agree(engine: Engine) -> None:
    assert migrate.is_up_to_date(engine)
    migrate.check(engine)  # raises if autogenerate would produce anything


def test_downgrade_to_base_and_upgrade_again(fresh_database_url: str) -> None:
    engine = make_engine(fresh_database_url)
    try:
        migrate.downgrade(engine, "base")
        assert migrate.current_revision(engine) is None
        migrate.upgrade(engine)
        assert migrate.is_up_to_date(engine)
        migrate.check(engine)
    finally:
        engine.dispose()


def test_audit_log_refuses_update_and_delete(db: Database, make_org: OrgFactory) -> None:
    actor, _ = make_org("admin")
    with db.unit_of_work() as uow:
        from open_lrs.audit.service import record

        record(uow.session, actor, "test.event", outcome="ok")
        uow.commit()
    for statement in (
        update(AuditEvent).values(outcome="tampered"),
        text("DELETE FROM audit_events"),
    ):
        with db.unit_of_work() as uow, pytest.raises(DatabaseError, match="append-only"):
            uow.session.execute(statement)


def test_uln_collision_is_retried(
    db: Database, make_org: OrgFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    actor, _ = make_org("provider")
    taken = learners.register(
        db.unit_of_work(), actor, LearnerCreate.model_validate(learner_payload())
    ).learner.uln
    fresh = "6936002314" if taken != "6936002314" else "8765432109"
    sequence = iter([taken, taken, fresh])
    monkeypatch.setattr(learners, "generate_uln", lambda: next(sequence))
    result = learners.register(
        db.unit_of_work(), actor, LearnerCreate.model_validate(learner_payload())
    )
    assert result.learner.uln == fresh


def test_concurrent_registrations_of_one_person_issue_one_uln(fresh_database_url: str) -> None:
    db = Database.from_url(fresh_database_url)
    created = orgs.create_organisation(
        db.unit_of_work(), name="Race College", ukprn=new_ukprn(), kind="provider"
    )
    actor = orgs.authenticate(db.unit_of_work(), created.api_key)
    data = LearnerCreate.model_validate(
        {
            "given_name": "Ada",
            "family_name": "Lovelace",
            "date_of_birth": "2008-12-10",
            "gender": "2",
            "postcode": "SW1A 1AA",
        }
    )
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def register() -> None:
        barrier.wait()
        try:
            outcomes.append(learners.register(db.unit_of_work(), actor, data).learner.uln)
        except DuplicateLearner as dup:
            outcomes.append(str(dup.extra["uln"]))

    threads = [threading.Thread(target=register) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == 8
    assert len(set(outcomes)) == 1
    with db.unit_of_work() as uow:
        count = uow.session.scalar(
            select(func.count())
            .select_from(Learner)
            .where(Learner.date_of_birth == date(2008, 12, 10))
        )
    assert count == 1
    db.engine.dispose()
