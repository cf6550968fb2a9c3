"""A real `lrs worker` process killed with SIGKILL in the middle of a batch loses nothing and
repeats nothing: restarted, it produces the output an uninterrupted run produces. SIGTERM lets
the chunk in hand finish. On SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from open_lrs.batches import service
from open_lrs.batches.models import BatchRow
from open_lrs.core import migrate
from open_lrs.core.batch_windows import Windows
from open_lrs.core.clock import today
from open_lrs.core.db import Database, make_engine
from open_lrs.core.security import Actor
from open_lrs.demo.population import generate_register
from open_lrs.learners.models import Learner
from open_lrs.organisations import service as orgs
from tests.batch_files import drain, lrs_file, lrs_name

UKPRN = "10012345"
ROWS = 600


def rows() -> list[dict[str, str]]:
    """Realistic learners (households, twins, namesakes), then 40 of them sent again."""
    people = generate_register(ROWS - 40, seed=11, today=today())
    cells = [
        {
            "mis_identifier": f"M{i:04}",
            "given_name": p.given_name,
            "middle_other_name": p.middle_other_name or "",
            "family_name": p.family_name,
            "date_of_birth": p.date_of_birth.isoformat(),
            "gender": p.gender,
            "postcode": p.postcode,
        }
        for i, p in enumerate(people)
    ]
    again = [{**cells[i * 7], "mis_identifier": f"R{i:04}"} for i in range(40)]
    return cells + again


@pytest.fixture
def opened() -> Iterator[list[Database]]:
    """Databases a test opens, closed after it (PostgreSQL connections are not left to GC)."""
    databases: list[Database] = []
    yield databases
    for db in databases:
        db.engine.dispose()


def setup(
    url: str, opened: list[Database], cells: list[dict[str, str]] | None = None
) -> tuple[Database, Actor, int]:
    db = Database.from_url(url)
    opened.append(db)
    key = orgs.create_organisation(
        db.unit_of_work(), name="Kill Test College", ukprn=UKPRN, kind="provider"
    ).api_key
    actor = orgs.authenticate(db.unit_of_work(), key)
    batch = service.submit_file(
        db.unit_of_work(),
        actor,
        lrs_file(UKPRN, cells or rows()),
        filename=lrs_name(UKPRN),
        windows=Windows(),
    )
    return db, actor, batch.id


def done(db: Database, batch_id: int) -> int:
    with db.unit_of_work() as uow:
        uow.begin_read_only()  # a reader: never queues behind the worker for SQLite's lock
        return int(
            uow.session.scalar(
                select(func.count())
                .select_from(BatchRow)
                .where(BatchRow.batch_id == batch_id, BatchRow.state != "pending")
            )
            or 0
        )


def start_worker(url: str, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "LRS_DATABASE_URL": url, "LRS_LOG_LEVEL": "WARNING"}
    return subprocess.Popen(
        [sys.executable, "-m", "open_lrs.cli", "worker", "--chunk", "10", "--poll", "0.2", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_until(predicate, seconds: float = 120) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def normalised_output(db: Database, actor: Actor, batch_id: int) -> list[tuple[str, str, int]]:
    """Each row's code, message and which earlier row's ULN it has (ULNs are random)."""
    _, out_rows, _ = service.rows_of(db.unit_of_work(), actor, batch_id)
    first_seen: dict[str, int] = {}
    result = []
    for r in out_rows:
        who = first_seen.setdefault(r.uln, r.position) if r.uln else -1
        candidates = ",".join(
            str(first_seen.get(u, u)) for u in r.details.get("candidate_ulns", [])
        )
        result.append((r.return_code or "", (r.message or "") + candidates, who))
    return result


def learners(db: Database) -> int:
    with db.unit_of_work() as uow:
        uow.begin_read_only()  # a reader: never queues behind the worker for SQLite's lock
        return int(uow.session.scalar(select(func.count()).select_from(Learner)) or 0)


def test_sigkill_mid_batch_then_restart_gives_the_uninterrupted_output(
    fresh_database_url: str, tmp_path: Path, opened: list[Database]
) -> None:
    reference_url = f"sqlite:///{tmp_path / 'reference.sqlite3'}"
    engine = make_engine(reference_url)
    migrate.upgrade(engine)
    engine.dispose()
    ref_db, ref_actor, ref_batch = setup(reference_url, opened)
    drain(ref_db, chunk=10)
    expected = normalised_output(ref_db, ref_actor, ref_batch)
    assert {code for code, _, _ in expected} >= {"RC001", "RC002"}

    db, actor, batch_id = setup(fresh_database_url, opened)
    first = start_worker(fresh_database_url)
    wait_until(lambda: done(db, batch_id) >= 60)
    first.send_signal(signal.SIGKILL)
    first.communicate(timeout=30)
    killed_at = done(db, batch_id)
    assert 60 <= killed_at < ROWS, "the worker finished before it could be killed"

    second = start_worker(fresh_database_url, "--drain")
    _, errors = second.communicate(timeout=300)
    assert second.returncode == 0, errors.decode()
    assert done(db, batch_id) == ROWS
    assert normalised_output(db, actor, batch_id) == expected
    assert learners(db) == learners(ref_db)
    status = service.progress(db.unit_of_work(), actor, batch_id)
    assert status.batch.status == "complete"


def chunk_ends(tmp_path: Path, opened: list[Database]) -> set[int]:
    """How many rows are done after each chunk when one worker runs the batch (a chunk ends
    where a birth date and its day/month swap end, so chunks of 10 vary in size)."""
    reference_url = f"sqlite:///{tmp_path / 'chunks.sqlite3'}"
    engine = make_engine(reference_url)
    migrate.upgrade(engine)
    engine.dispose()
    ref_db, _, _ = setup(reference_url, opened)
    sizes: list[int] = []
    drain(ref_db, chunk=10, on_chunk=sizes.append)
    return set(itertools.accumulate(sizes))


def test_sigterm_finishes_the_chunk_in_hand_then_exits(
    fresh_database_url: str, tmp_path: Path, opened: list[Database]
) -> None:
    ends = chunk_ends(tmp_path, opened)
    assert max(ends) == ROWS
    db, _, batch_id = setup(fresh_database_url, opened)
    worker = start_worker(fresh_database_url)
    wait_until(lambda: done(db, batch_id) >= 30)
    worker.send_signal(signal.SIGTERM)
    _, errors = worker.communicate(timeout=60)
    assert worker.returncode == 0, errors.decode()
    stopped_at = done(db, batch_id)
    assert stopped_at < ROWS
    assert stopped_at in ends  # whole chunks only
    time.sleep(0.5)
    assert done(db, batch_id) == stopped_at  # nothing runs after it stopped


def test_two_workers_give_a_learner_sent_twice_one_uln(
    fresh_database_url: str, opened: list[Database]
) -> None:
    """Each odd chunk of 10 starts with copies of the chunk before it, so the two workers,
    which claim neighbouring chunks at the same moment, hold a learner and their copy at
    once: the birth-date lock makes the later find the learner the earlier registered."""
    learners_rows = rows()[:200]
    cells = []
    for chunk in range(0, 200, 20):
        first = learners_rows[chunk : chunk + 10]
        copies = [{**c, "mis_identifier": "C" + c["mis_identifier"]} for c in first[:3]]
        cells += first + copies + learners_rows[chunk + 10 : chunk + 17]
    db, actor, batch_id = setup(fresh_database_url, opened, cells)
    workers = [start_worker(fresh_database_url, "--drain") for _ in range(2)]
    for worker in workers:
        _, errors = worker.communicate(timeout=300)
        assert worker.returncode == 0, errors.decode()
    _, out_rows, _ = service.rows_of(db.unit_of_work(), actor, batch_id)
    by_mis = {r.mis_identifier: r for r in out_rows}
    copies_checked = 0
    for mis, row in by_mis.items():
        if mis.startswith("C") and by_mis[mis[1:]].return_code == "RC001":
            assert (row.return_code, row.uln) == ("RC002", by_mis[mis[1:]].uln)
            copies_checked += 1
    assert copies_checked >= 20
    issued = sum(1 for r in out_rows if r.return_code == "RC001")
    assert learners(db) == issued
