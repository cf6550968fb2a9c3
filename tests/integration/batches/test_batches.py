"""Batch registration end to end in the service layer, on SQLite and PostgreSQL: a file is
checked and queued, a worker answers every row as the API would, exceptions wait for a person,
and resolving one changes the output."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from open_lrs.batches import exceptions, processing, service, worker
from open_lrs.batches.exceptions import Resolution
from open_lrs.batches.fileformat import BatchFileRejected
from open_lrs.batches.models import DONE, Batch
from open_lrs.core.batch_windows import Windows
from open_lrs.core.db import Database
from open_lrs.core.errors import Conflict, ValidationFailed
from open_lrs.core.security import Actor
from open_lrs.core.settings import Settings
from open_lrs.learners import service as learners
from open_lrs.learners.models import Learner
from open_lrs.learners.schemas import LearnerRegistration
from tests.batch_files import drain, learner_row, lrs_file, lrs_name
from tests.conftest import OrgFactory
from tests.factories import MODEL_VERSION


def submit(db: Database, actor: Actor, rows: list[dict[str, str]]) -> Batch:
    """Upload ``rows`` as the organisation's portal file, to run at once."""
    return service.submit_file(
        db.unit_of_work(),
        actor,
        lrs_file(actor.ukprn, rows),
        filename=lrs_name(actor.ukprn),
        windows=Windows(),
    )


def register(db: Database, actor, **cells: str) -> str:  # type: ignore[no-untyped-def]
    body = {k: v for k, v in learner_row(0, **cells).items() if k != "mis_identifier"}
    registration = LearnerRegistration(**body)
    return learners.register(db.unit_of_work(), actor, registration, MODEL_VERSION).learner.uln


def output(db: Database, actor, batch_id: int) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    _, body = service.output_file(db.unit_of_work(), actor, batch_id)
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_a_file_is_answered_row_by_row_as_the_api_would(db: Database, make_org: OrgFactory) -> None:
    actor, _ = make_org("provider")
    known = register(db, actor, given_name="Aoife", family_name="Byrne")
    murphy = register(db, actor, given_name="Seán", family_name="Murphy")
    rows = [
        learner_row(1, given_name="Priya", family_name="Okafor"),  # new
        learner_row(2, given_name="Priya", family_name="Okafor"),  # the same, again
        learner_row(3, given_name="Aoife", family_name="Byrne"),  # already registered
        learner_row(4, given_name="", family_name="Nobody"),  # no given name
        learner_row(5, given_name="Tiny", date_of_birth="2020-01-01"),  # aged 6
        learner_row(6, given_name="Bad", postcode="NOTACODE"),  # postcode
        learner_row(7, uln=known, given_name="Aoife", family_name="Byrne"),  # ULN verifies
        learner_row(8, uln=known, given_name="Zed", family_name="Other"),  # ULN for someone else
        learner_row(9, uln="2000000001", given_name="Who"),  # ULN not on the register
        learner_row(10, given_name="Sein", family_name="Murphy", postcode="BT9 5AA"),  # maybe
        learner_row(11, given_name="Femi", family_name="Formula", notes='=HYPERLINK("x")'),
    ]
    batch = submit(db, actor, rows)
    assert batch.status == "queued"
    assert batch.row_count == 11

    processed = drain(db, chunk=4)
    assert processed == 11

    out = output(db, actor, batch.id)
    assert [r["MISIdentifier"] for r in out] == [f"MIS{n:05}" for n in range(1, 12)]
    codes = [r["ReturnCode"] for r in out]
    assert codes == [
        "RC001", "RC002", "RC002", "RC006", "RC013", "RC011",
        "RC003", "RC007", "RC008", "RC004", "RC001",
    ]  # fmt: skip
    assert out[0]["ResultULN"] == out[1]["ResultULN"] != ""
    assert out[2]["ResultULN"] == known
    assert "given_name" in out[3]["ReturnMessage"]
    assert "postcode" in out[5]["ReturnMessage"]
    assert out[6]["ResultULN"] == known
    assert out[9]["CandidateULNs"] == murphy
    assert out[10]["Notes"] == '\'=HYPERLINK("x")'  # neutralised for spreadsheets
    assert out[0]["Status"] == "complete"
    progress = service.progress(db.unit_of_work(), actor, batch.id)
    assert progress.batch.status == "complete"
    assert progress.totals == {
        "new": 2, "existing": 3, "possible_match": 1, "not_found": 0, "rejected": 5,
        "pending": 0,
    }  # fmt: skip
    with db.unit_of_work() as uow:
        okafors = uow.session.scalar(
            select(func.count()).select_from(Learner).where(Learner.family_name == "Okafor")
        )
    assert okafors == 1


def test_workers_claim_rows_by_date_of_birth_and_the_output_keeps_file_order(
    db: Database, make_org: OrgFactory
) -> None:
    """Chunks in date order hold neighbouring birth dates, so two workers' chunks rarely
    share one (each chunk locks its dates until it commits). 1 June comes as 6 January, the
    date it is with day and month exchanged."""
    actor, _ = make_org("provider")
    born = ["2008-06-01", "2007-01-15", "2009-11-30", "2007-01-15", "2008-02-29"]
    rows = [
        learner_row(n, given_name=given, date_of_birth=d)
        for n, (given, d) in enumerate(zip(["Ana", "Ben", "Cai", "Dev", "Eve"], born, strict=True))
    ]
    batch = submit(db, actor, rows)
    with db.unit_of_work() as uow:
        claimed = processing.claim(uow.session, datetime.now(UTC), size=3)
        assert claimed is not None
        assert [r.fields["given_name"] for r in claimed[1]] == ["Ben", "Dev", "Ana"]

    assert drain(db, chunk=2) == 5
    out = output(db, actor, batch.id)
    assert [r["GivenName"] for r in out] == ["Ana", "Ben", "Cai", "Dev", "Eve"]
    assert [r["ReturnCode"] for r in out] == ["RC001"] * 5


def test_a_chunk_ends_where_a_date_of_birth_and_its_swap_end(
    db: Database, make_org: OrgFactory
) -> None:
    """A chunk locks its dates and their swaps until it commits: the next worker's chunk
    starts past them, so it need not wait. A date shared by more rows than a chunk holds adds
    at most a chunk more."""
    actor, _ = make_org("provider")
    born = ["2007-03-02", "2007-03-09", "2007-02-03", "2007-03-09", "2007-03-02", "2007-09-03"]
    born += ["2007-03-10"] + ["2007-04-01"] * 7
    rows = [
        learner_row(n, given_name=f"Ann{chr(97 + n)}", date_of_birth=d) for n, d in enumerate(born)
    ]
    submit(db, actor, rows)
    chunks = []
    for _ in range(4):
        with db.unit_of_work() as uow:
            claimed = processing.claim(uow.session, datetime.now(UTC), size=3)
            assert claimed is not None
            chunks.append([r.fields["date_of_birth"] for r in claimed[1]])
            for row in claimed[1]:
                row.state = DONE
            uow.commit()
    assert chunks == [
        ["2007-04-01"] * 6,  # 1 April is also 4 January, so it comes first; 3 rows and 3 more
        ["2007-04-01", "2007-03-02", "2007-02-03", "2007-03-02"],
        ["2007-03-09", "2007-03-09", "2007-09-03"],
        ["2007-03-10"],
    ]


def test_an_exception_is_resolved_by_a_person_and_the_output_follows(
    db: Database, make_org: OrgFactory
) -> None:
    actor, _ = make_org("provider")
    murphy = register(db, actor, given_name="Seán", family_name="Murphy")
    rows = [
        learner_row(1, given_name="Sein", family_name="Murphy", postcode="BT9 5AA"),
        learner_row(2, given_name="Sein", family_name="Murphy", postcode="BT9 5AA"),
    ]  # fmt: skip
    batch = submit(db, actor, rows)
    drain(db)
    queue = exceptions.list_exceptions(db.unit_of_work(), actor, batch.id)
    assert [(r.position, r.return_code, r.candidate_ulns) for r in queue] == [
        (0, "RC004", [murphy]),
        (1, "RC004", [murphy]),
    ]
    shown = exceptions.detail(db.unit_of_work(), actor, batch.id, 0, MODEL_VERSION)
    assert shown.submitted["given_name"] == "Sein"
    assert [m.uln for m in shown.candidates] == [murphy]
    assert {e.field for e in shown.candidates[0].explanation} >= {"forename", "family_name"}

    choose = Resolution(action="choose", uln=murphy)
    chosen = exceptions.resolve(db.unit_of_work(), actor, batch.id, 0, choose, MODEL_VERSION)
    assert (chosen.return_code, chosen.uln) == ("RC010", murphy)
    with pytest.raises(Conflict):
        exceptions.resolve(db.unit_of_work(), actor, batch.id, 0, choose, MODEL_VERSION)
    twin = Resolution(action="new", reason="A twin: checked with the learner's family")
    new = exceptions.resolve(db.unit_of_work(), actor, batch.id, 1, twin, MODEL_VERSION)
    assert new.return_code == "RC012"
    assert new.uln not in (None, murphy)
    out = output(db, actor, batch.id)
    assert [(r["ReturnCode"], r["ResultULN"]) for r in out] == [
        ("RC010", murphy),
        ("RC012", new.uln),
    ]
    assert exceptions.list_exceptions(db.unit_of_work(), actor, batch.id) == []


def test_choosing_a_ulN_that_is_not_this_learner_is_refused(
    db: Database, make_org: OrgFactory
) -> None:
    actor, _ = make_org("provider")
    register(db, actor, given_name="Seán", family_name="Murphy")
    stranger = register(db, actor, given_name="Kwame", family_name="Mensah")
    rows = [learner_row(1, given_name="Sein", family_name="Murphy", postcode="BT9 5AA")]
    batch = submit(db, actor, rows)
    drain(db)
    choose = Resolution(action="choose", uln=stranger)
    with pytest.raises(ValidationFailed, match="does not match"):
        exceptions.resolve(db.unit_of_work(), actor, batch.id, 0, choose, MODEL_VERSION)


def test_the_same_file_twice_is_refused_and_nothing_is_registered_twice(
    db: Database, make_org: OrgFactory
) -> None:
    actor, _ = make_org("provider")
    data = lrs_file(actor.ukprn, [learner_row(1, given_name="Ngozi", family_name="Eze")])
    first = service.submit_file(
        db.unit_of_work(), actor, data, filename=lrs_name(actor.ukprn), windows=Windows()
    )
    drain(db)
    with pytest.raises(service.DuplicateFile) as refused:
        service.submit_file(
            db.unit_of_work(), actor, data, filename=lrs_name(actor.ukprn), windows=Windows()
        )
    assert refused.value.extra["batch_id"] == first.id
    again = service.submit_file(
        db.unit_of_work(),
        actor,
        data,
        filename=lrs_name(actor.ukprn),
        allow_duplicate=True,
        windows=Windows(),
    )
    assert again.duplicate_of_id == first.id
    drain(db)
    assert [r["ReturnCode"] for r in output(db, actor, again.id)] == ["RC002"]
    assert (
        output(db, actor, again.id)[0]["ResultULN"] == output(db, actor, first.id)[0]["ResultULN"]
    )


def test_a_rejected_file_queues_nothing(db: Database, make_org: OrgFactory) -> None:
    actor, _ = make_org("provider")
    bad = lrs_file(actor.ukprn, [learner_row(1, date_of_birth="04/03/2007")])
    with pytest.raises(BatchFileRejected) as rejected:
        service.submit_file(
            db.unit_of_work(), actor, bad, filename=lrs_name(actor.ukprn), windows=Windows()
        )
    [problem] = rejected.value.problems
    assert (problem.line, problem.column) == (2, "DateOfBirth")
    assert service.list_batches(db.unit_of_work(), actor) == []


def test_another_organisation_cannot_see_a_batch(db: Database, make_org: OrgFactory) -> None:
    actor, _ = make_org("provider")
    other, _ = make_org("provider")
    batch = service.submit_file(
        db.unit_of_work(),
        actor,
        lrs_file(actor.ukprn, [learner_row(1)]),
        filename=lrs_name(actor.ukprn),
        windows=Windows(),
    )
    with pytest.raises(service.BatchNotFound):
        service.progress(db.unit_of_work(), other, batch.id)
    with pytest.raises(service.BatchNotFound):
        service.output_file(db.unit_of_work(), other, batch.id)


def test_check_only_and_verification_jobs(db: Database, make_org: OrgFactory) -> None:
    actor, _ = make_org("provider")
    known = register(db, actor, given_name="Aoife", family_name="Byrne")
    check = service.submit_job(
        db.unit_of_work(),
        actor,
        kind="registration",
        job_type="CHK",
        rows=[
            learner_row(1, given_name="Aoife", family_name="Byrne"),
            learner_row(2, given_name="Nobody", family_name="Here"),
        ],
        windows=Windows(),
    )
    verify = service.submit_job(
        db.unit_of_work(),
        actor,
        kind="verification",
        job_type="FUL",
        rows=[
            {"mis_identifier": "A", "uln": known, "given_name": "Aoife", "family_name": "Byrne"},
            {"mis_identifier": "B", "uln": known, "given_name": "Zed", "family_name": "Byrne"},
            {"mis_identifier": "C", "uln": "2000000001", "given_name": "X", "family_name": "Y"},
        ],
        windows=Windows(),
    )
    drain(db)
    _, rows, _ = service.rows_of(db.unit_of_work(), actor, check.id)
    assert [(r.return_code, r.uln) for r in rows] == [("RC002", known), ("RC014", None)]
    with db.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Learner).where(
            Learner.family_name == "Here")) == 0  # fmt: skip
    _, rows, _ = service.rows_of(db.unit_of_work(), actor, verify.id)
    assert [(r.return_code, r.details.get("failure_flags")) for r in rows] == [
        ("WSVRC001", []),
        ("WSVRC005", ["VRF1", "VRF2", "VRF3"]),  # the given name matches no name
        ("WSVRC006", []),
    ]


def test_processing_windows_hold_late_and_large_batches_for_the_night(
    db: Database, make_org: OrgFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    actor, _ = make_org("provider")
    evening = datetime(2026, 11, 23, 19, 30, tzinfo=UTC)  # 19:30 in London (GMT)
    afternoon = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
    windows = Settings(batch_cutoff="18:00", batch_daytime_rows_per_organisation=3).batch_windows()

    def submit(at: datetime, n: int, stamp: str) -> Batch:
        monkeypatch.setattr(service, "utcnow", lambda: at)
        rows = [learner_row(i, given_name="Held", family_name=f"Back{'x' * i}") for i in range(n)]
        data = lrs_file(actor.ukprn, rows, stamp=stamp)
        return service.submit_file(
            db.unit_of_work(), actor, data, filename=lrs_name(actor.ukprn, stamp), windows=windows
        )

    late = submit(evening, 1, "231120261900")
    assert late.run_after == datetime(2026, 11, 24, 0, 0, tzinfo=UTC)
    assert late.run_reason.startswith("after the daytime cut-off of 18:00")
    first = submit(afternoon, 2, "231120261400")
    assert first.run_after == afternoon
    over_cap = submit(afternoon, 2, "231120261401")
    assert over_cap.run_after == datetime(2026, 11, 24, 0, 0, tzinfo=UTC)
    assert "2 of its 3 daytime rows" in over_cap.run_reason
    words = service.status_of(service.progress(db.unit_of_work(), actor, over_cap.id), windows).runs
    assert words.endswith("24 November 2026 (GMT)")
    # The worker's clock says it is the afternoon of the 23rd: only the first batch may run.
    monkeypatch.setattr(processing, "utcnow", lambda: afternoon)
    monkeypatch.setattr(worker, "utcnow", lambda: afternoon)
    assert drain(db) == 2
    monkeypatch.setattr(worker, "utcnow", lambda: datetime(2026, 11, 24, 0, 1, tzinfo=UTC))
    assert drain(db) == 3


def test_a_learner_found_brings_their_new_address_and_nothing_else(
    db: Database, make_org: OrgFactory
) -> None:
    actor, _ = make_org("provider")
    uln = register(db, actor, given_name="Aoife", family_name="Byrne")
    rows = [
        learner_row(1, given_name="Aoife", family_name="Byrne", postcode="LS6 2AB",
                    address_line_1="2 New Road", email="aoife@example.org"),
        learner_row(2, uln=uln, given_name="Aoife", family_name="Byrne", postcode="LS6 2AB"),
    ]  # fmt: skip
    batch = submit(db, actor, rows)
    drain(db)
    out = output(db, actor, batch.id)
    assert [(r["ReturnCode"], r["ResultULN"]) for r in out] == [("RC002", uln), ("RC003", uln)]
    assert out[0]["ReturnMessage"] == "Updated address line 1, email, postcode"
    assert out[1]["ReturnMessage"] == "The ULN given was verified against the learner's details"
    history = learners.history(db.unit_of_work(), actor, uln)
    assert [h.action for h in history] == ["registered", "updated"]
    assert history[1].changes["postcode"] == {"old": "CF10 1EP", "new": "LS6 2AB"}
