"""Listing a batch's exceptions shows the rows' learners and their candidates' ULNs, so every
listing is one ``batch_exceptions.read`` audit row, refused or not: who, which batch, how many
learners and candidates were shown (issue 24). On SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from open_lrs.audit.models import AuditEvent
from open_lrs.batches import exceptions, service
from open_lrs.core.batch_windows import Windows
from open_lrs.core.db import Database
from open_lrs.core.security import Actor
from open_lrs.learners import service as learners
from open_lrs.learners.schemas import LearnerRegistration
from open_lrs.organisations import directory
from tests.batch_files import drain, learner_row, lrs_file, lrs_name
from tests.conftest import OrgFactory
from tests.factories import MODEL_VERSION


def listings(db: Database, actor: Actor) -> list[tuple[str, Any, dict[str, Any]]]:
    """The organisation's ``batch_exceptions.read`` rows, oldest first."""
    with db.unit_of_work() as uow:
        rows = uow.session.execute(
            select(AuditEvent.outcome, AuditEvent.learner_id, AuditEvent.details)
            .where(
                AuditEvent.action == exceptions.BATCH_EXCEPTIONS_READ,
                AuditEvent.organisation_id == actor.organisation_id,
            )
            .order_by(AuditEvent.id)
        ).all()
    return [(outcome, learner, details) for outcome, learner, details in rows]


def test_each_listing_of_a_batchs_exceptions_is_one_audit_row(
    db: Database, make_org: OrgFactory
) -> None:
    actor, other = make_org("provider")[0], make_org("provider")[0]
    murphy = dict(learner_row(0, given_name="Seán", family_name="Murphy"))
    del murphy["mis_identifier"]
    learners.register(db.unit_of_work(), actor, LearnerRegistration(**murphy), MODEL_VERSION)
    rows = [
        learner_row(1, given_name="Sein", family_name="Murphy", postcode="BT9 5AA"),
        learner_row(2, given_name="Sein", family_name="Murphy", postcode="BT9 5AA"),
        learner_row(3, given_name="Priya", family_name="Okafor"),  # new: not an exception
    ]
    batch = service.submit_file(
        db.unit_of_work(),
        actor,
        lrs_file(actor.ukprn, rows),
        filename=lrs_name(actor.ukprn),
        windows=Windows(),
    )
    drain(db)

    listed = exceptions.list_exceptions(db.unit_of_work(), actor, batch.id)
    assert [r.position for r in listed] == [0, 1]
    queue = exceptions.exception_queue(db.unit_of_work(), actor, batch.id)
    assert (queue.rows, queue.names) == (listed, {0: "Sein Murphy", 1: "Sein Murphy"})
    shown = {"batch_id": batch.id, "learners": 2, "candidates": 1}
    assert listings(db, actor) == [("ok", None, shown), ("ok", None, shown)]

    # Another organisation asking for it is refused as not found, and that is recorded too.
    with pytest.raises(service.BatchNotFound):
        exceptions.list_exceptions(db.unit_of_work(), other, batch.id)
    assert listings(db, other) == [
        ("batch_not_found", None, {"batch_id": batch.id, "learners": 0, "candidates": 0})
    ]
    assert len(listings(db, actor)) == 2


def test_the_audit_log_filter_offers_the_listing(make_org: OrgFactory) -> None:
    assert exceptions.BATCH_EXCEPTIONS_READ in directory.audit_actions(make_org("admin")[0])
