"""Batch files' personal data is erased LRS_BATCH_RETENTION_DAYS after the batch finished,
once nothing in it waits for a person; what each row answered stays. The other setting a worker
is given, LRS_MATCH_MODEL_VERSION, reaches the search of every row."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from open_lrs.audit.models import AuditEvent
from open_lrs.batches import exceptions, retention, service, worker
from open_lrs.batches.exceptions import Resolution
from open_lrs.batches.models import PENDING, Batch, BatchRow
from open_lrs.core.batch_windows import Windows
from open_lrs.core.db import Database
from open_lrs.core.security import Actor
from open_lrs.learners import service as learners
from open_lrs.learners.models import Learner
from open_lrs.learners.schemas import LearnerRegistration
from tests.batch_files import drain, learner_row, lrs_file, lrs_name
from tests.conftest import OrgFactory
from tests.factories import MODEL_VERSION


def submit(db: Database, actor: Actor, rows: list[dict[str, str]], stamp: str) -> int:
    data = lrs_file(actor.ukprn, rows, stamp=stamp)
    return service.submit_file(
        db.unit_of_work(), actor, data, filename=lrs_name(actor.ukprn, stamp), windows=Windows()
    ).id


def finished_days_ago(db: Database, batch_id: int, days: int) -> None:
    with db.unit_of_work() as uow:
        when = datetime.now(UTC) - timedelta(days=days)
        uow.session.execute(update(Batch).where(Batch.id == batch_id).values(finished_at=when))
        uow.commit()


def output(db: Database, actor: Actor, batch_id: int) -> list[dict[str, str]]:
    _, body = service.output_file(db.unit_of_work(), actor, batch_id)
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def stored_fields(db: Database, batch_id: int) -> list[dict[str, object]]:
    with db.unit_of_work() as uow:
        return list(
            uow.session.scalars(
                select(BatchRow.fields)
                .where(BatchRow.batch_id == batch_id)
                .order_by(BatchRow.position)
            )
        )


def test_details_are_erased_after_the_retention_period_and_the_outcomes_stay(
    db: Database, make_org: OrgFactory
) -> None:
    actor, _ = make_org("provider")
    cells = learner_row(0, given_name="Seán", family_name="Murphy")
    cells.pop("mis_identifier", None)
    registration = LearnerRegistration(**cells)
    murphy = learners.register(db.unit_of_work(), actor, registration, MODEL_VERSION).learner.uln
    old = submit(
        db, actor, [learner_row(1, given_name="Priya", family_name="Okafor")], "011120260901"
    )
    waiting = submit(
        db,
        actor,
        [learner_row(2, given_name="Sein", family_name="Murphy", postcode="BT9 5AA")],
        "011120260902",
    )
    recent = submit(
        db, actor, [learner_row(3, given_name="Tomasz", family_name="Nowak")], "011120260903"
    )
    assert drain(db, retention_days=30) == 3
    finished_days_ago(db, old, 31)
    finished_days_ago(db, waiting, 31)
    finished_days_ago(db, recent, 29)
    before = output(db, actor, old)

    # A worker with nothing to do sweeps.
    assert drain(db, retention_days=30) == 0

    assert stored_fields(db, old) == [{}]
    assert stored_fields(db, recent)[0]["given_name"] == "Tomasz"
    assert stored_fields(db, waiting)[0]["given_name"] == "Sein"  # a person still needs it
    after = output(db, actor, old)
    assert (after[0]["GivenName"], after[0]["FamilyName"], after[0]["DateOfBirth"]) == ("", "", "")
    kept = ("MISIdentifier", "ResultULN", "ReturnCode", "ReturnMessage")
    assert [after[0][k] for k in kept] == [before[0][k] for k in kept]
    assert before[0]["ReturnCode"] == "RC001"
    status = service.status_of(service.progress(db.unit_of_work(), actor, old), Windows())
    assert status.erased_at is not None
    recent_status = service.status_of(service.progress(db.unit_of_work(), actor, recent), Windows())
    assert recent_status.erased_at is None
    with db.unit_of_work() as uow:
        logged = uow.session.scalars(
            select(AuditEvent.details).where(AuditEvent.action == retention.ERASE)
        ).all()
    assert logged == [{"batch_id": old, "after_days": 30}]

    # Once its exception is resolved, the other batch goes at the next sweep.
    exceptions.resolve(
        db.unit_of_work(), actor, waiting, 0, Resolution(action="choose", uln=murphy), MODEL_VERSION
    )
    assert worker.erase_expired(db, 30) == 1
    assert stored_fields(db, waiting) == [{}]
    assert output(db, actor, waiting)[0]["ResultULN"] == murphy
    assert worker.erase_expired(db, 30) == 0  # nothing erased twice


def test_a_worker_sweeps_at_most_hourly(
    db: Database, make_org: OrgFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    sweeps: list[int] = []
    monkeypatch.setattr(worker, "erase_expired", lambda _db, _days: sweeps.append(1) or 0)
    idle = worker.Worker(db, retention_days=90, match_model_version=MODEL_VERSION)
    idle.run(drain=True)
    idle.run(drain=True)
    assert len(sweeps) == 1
    idle.next_sweep -= retention.SWEEP_SECONDS
    idle.run(drain=True)
    assert len(sweeps) == 2


@pytest.mark.parametrize(("job_type", "answered"), [("FUL", "RC001"), ("CHK", "RC014")])
def test_the_worker_scores_with_the_model_version_it_is_given(
    db: Database, make_org: OrgFactory, job_type: str, answered: str
) -> None:
    """The worker's ``match_model_version`` reaches the search of every row, registered or
    only checked: a version with no model file fails the chunk (left pending, nobody
    registered), where a worker that ignored it would have answered the row."""
    actor, _ = make_org("provider")
    batch = service.submit_job(
        db.unit_of_work(),
        actor,
        kind="registration",
        job_type=job_type,
        rows=[learner_row(1, given_name="Priya", family_name="Okafor-Versioned")],
        windows=Windows(),
    )
    missing = worker.Worker(db, retention_days=90, match_model_version="missing", poll_seconds=0.01)
    with pytest.raises(FileNotFoundError, match=r"model-vmissing\.json"):
        missing.run(drain=True)
    with db.unit_of_work() as uow:
        states = uow.session.scalars(select(BatchRow.state).where(BatchRow.batch_id == batch.id))
        assert list(states) == [PENDING]
        named = select(func.count()).select_from(Learner)
        assert uow.session.scalar(named.where(Learner.family_name == "Okafor-Versioned")) == 0

    assert drain(db)
    _, rows, _ = service.rows_of(db.unit_of_work(), actor, batch.id)
    assert [r.return_code for r in rows] == [answered]
