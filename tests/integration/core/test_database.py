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
from open_lrs.learners import issuing
from open_lrs.learners import service as learners
from open_lrs.learners.models import Learner
from open_lrs.learners.schemas import LearnerRegistration
from open_lrs.organisations import service as orgs
from tests.conftest import OrgFactory, new_ukprn
from tests.factories import MODEL_VERSION, learner_payload


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
        db.unit_of_work(),
        actor,
        LearnerRegistration.model_validate(learner_payload()),
        MODEL_VERSION,
    ).learner.uln
    fresh = "6936002314" if taken != "6936002314" else "8765432109"
    sequence = iter([taken, taken, fresh])
    monkeypatch.setattr(issuing, "generate_uln", lambda: next(sequence))
    result = learners.register(
        db.unit_of_work(),
        actor,
        LearnerRegistration.model_validate(
            learner_payload(given_name="Somebody", postcode="M1 1AE")
        ),
        MODEL_VERSION,
    )
    assert result.code == "registered"
    assert result.learner.uln == fresh


def test_registration_searches_with_the_model_version_it_is_given(
    db: Database, make_org: OrgFactory
) -> None:
    """The version reaches the search that comes before a ULN is issued: one with no model
    file fails and registers nobody, where registration that ignored it would issue a ULN."""
    actor, _ = make_org("provider")
    request = LearnerRegistration.model_validate(learner_payload())
    with pytest.raises(FileNotFoundError, match=r"model-vmissing\.json"):
        learners.register(db.unit_of_work(), actor, request, "missing")
    born = select(func.count()).select_from(Learner)
    with db.unit_of_work() as uow:
        assert uow.session.scalar(born.where(Learner.date_of_birth == request.date_of_birth)) == 0
    assert learners.register(db.unit_of_work(), actor, request, MODEL_VERSION).code == "registered"


def test_concurrent_registrations_of_one_person_issue_one_uln(fresh_database_url: str) -> None:
    db = Database.from_url(fresh_database_url)
    created = orgs.create_organisation(
        db.unit_of_work(), name="Race College", ukprn=new_ukprn(), kind="provider"
    )
    actor = orgs.authenticate(db.unit_of_work(), created.api_key)
    # Eight clients send the same learner, written as their MIS software writes it.
    spellings = [("Ada", "Lovelace", "SW1A 1AA"), ("ADA", "LOVELACE", "sw1a1aa")] * 4
    barrier = threading.Barrier(len(spellings))
    outcomes: list[tuple[str, str]] = []

    def register(given: str, family: str, postcode: str) -> None:
        data = LearnerRegistration.model_validate(
            {
                "given_name": given,
                "family_name": family,
                "date_of_birth": "2008-12-10",
                "gender": "2",
                "postcode": postcode,
            }
        )
        barrier.wait()
        result = learners.register(db.unit_of_work(), actor, data, MODEL_VERSION)
        outcomes.append((result.code, result.learner.uln))

    threads = [threading.Thread(target=register, args=s) for s in spellings]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == 8
    assert len({uln for _, uln in outcomes}) == 1
    assert sorted(code for code, _ in outcomes) == ["already_registered"] * 7 + ["registered"]
    with db.unit_of_work() as uow:
        count = uow.session.scalar(
            select(func.count())
            .select_from(Learner)
            .where(Learner.date_of_birth == date(2008, 12, 10))
        )
    assert count == 1
    db.engine.dispose()
