"""Benchmark: the Personal Learning Record at national scale, on SQLite and PostgreSQL.

    .venv/bin/python bench/plr.py                                  # 1,000,000 learners, 10M events
    .venv/bin/python bench/plr.py --learners 100000 --events 1000000 --backends sqlite
    .venv/bin/python bench/plr.py --keep /var/tmp/plr-bench   # build once, reuse afterwards

For each backend, a fresh database holds the generated register (``demo.population``, loaded as
``matching_speed --loader direct`` does), the sample catalogue and ``--events`` learning events
written straight into the table (ten per learner, as a register that has run for years holds),
among them 200 learners with exactly 50 events each. Then:

1. an awarding organisation's CSV of 100,000 awards (20,000 learners, five subjects each) is
   loaded through ``lrs feeds load``'s code path (read, verify every ULN against its names,
   file, report), and loaded again (everything unchanged);
2. the 50-event learners' records are read, FULL form, in-process and over HTTP from
   ``lrs serve`` (one client, one request at a time): p50 and p99.

Targets (issue 6): the 100,000-award load well under a minute; a PLR read p99 <= 15 ms over
HTTP at 1,000,000 learners and 10,000,000 events. PostgreSQL: set LRS_BENCH_POSTGRES_URL.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2 as httpx
from import_learners import fresh_database, kept_database
from matching_speed import TODAY, Server, direct_load, percentiles
from sqlalchemy import select, text

from open_lrs.core import bulk
from open_lrs.core.db import Database
from open_lrs.core.settings import get_settings
from open_lrs.demo.population import Person, generate_register
from open_lrs.feeds import service as feeds
from open_lrs.feeds.models import FeedLoad
from open_lrs.learners.models import Learner
from open_lrs.organisations import service as orgs
from open_lrs.records import catalogue, reading
from open_lrs.records.access import RecordRequest
from open_lrs.records.models import CatalogueEntry, LearningEvent

AO_UKPRN, PROVIDER_UKPRN = "10000003", "10000002"
HOT_LEARNERS, HOT_EVENTS = 200, 50
LOAD_LEARNERS, LOAD_SUBJECTS = 20_000, 5
READS = 1000


def _entries(url: str) -> list[tuple[int, str, str, str, str, int | None]]:
    db = Database.from_url(url)
    catalogue.load(db.unit_of_work(), None, catalogue.sample_entries())
    with db.unit_of_work() as uow:
        rows = uow.session.execute(
            select(
                CatalogueEntry.id,
                CatalogueEntry.code,
                CatalogueEntry.title,
                CatalogueEntry.qualification_type,
                CatalogueEntry.level,
                CatalogueEntry.credits,
            ).where(CatalogueEntry.qualification_type.in_(("QCF_UNIT", "OTHER", "NVQ")))
        ).all()
    db.engine.dispose()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def hot_learners(learners: int, seed: int) -> list[int]:
    return random.Random(seed).sample(range(1, learners + 1), HOT_LEARNERS)


def background_events(url: str, learners: int, events: int, seed: int) -> tuple[list[int], str]:
    """``events`` events straight into the table; the ids of the 50-event learners, and the
    awarding organisation's API key."""
    entries = _entries(url)
    db = Database.from_url(url)
    now = datetime.now(UTC)
    hot = hot_learners(learners, seed)
    per_learner = {i: HOT_EVENTS for i in hot}
    ordinary = (events - HOT_LEARNERS * HOT_EVENTS) // max(1, learners - HOT_LEARNERS)
    ao = orgs.create_organisation(
        db.unit_of_work(), name="Bench Awards", ukprn=AO_UKPRN, kind="awarding_organisation"
    )
    with db.engine.begin() as conn:
        load_id = conn.scalar(
            FeedLoad.__table__.insert()  # type: ignore[attr-defined]
            .values(
                source="AO",
                organisation_id=ao.organisation_id,
                received_at=now,
                counts={},
                problems=[],
                details={"bench": "background"},
            )
            .returning(FeedLoad.id)
        )
        rows: list[dict[str, Any]] = []
        written = 0
        for learner_id in range(1, learners + 1):
            for k in range(per_learner.get(learner_id, ordinary)):
                entry_id, code, title, qtype, level, credits = entries[
                    (learner_id + k) % len(entries)
                ]
                rows.append(
                    {
                        "learner_id": learner_id,
                        "feed_load_id": load_id,
                        "source": "AO",
                        "organisation_id": ao.organisation_id,
                        "record_key": f"bg/{learner_id}/{k}",
                        "kind": "achievement",
                        "catalogue_entry_id": entry_id,
                        "subject_code": code,
                        "subject_title": title,
                        "qualification_type": qtype,
                        "level": level,
                        "credits": credits,
                        "grade": "Pass",
                        "status": "F",
                        "awarding_organisation_ukprn": AO_UKPRN,
                        "awarding_organisation_name": "Bench Awards",
                        "provider_ukprn": PROVIDER_UKPRN,
                        "award_date": date(2015, 1, 1) + timedelta(days=(learner_id + k) % 3000),
                        "participation_start": None,
                        "participation_end": None,
                        "language": "English",
                        "collection_type": None,
                        "return_number": None,
                        "content_hash": f"{learner_id:064x}",
                        "loaded_at": now,
                        "supersedes_id": None,
                        "superseded_at": None,
                    }
                )
                if len(rows) >= 50_000:
                    bulk.insert_many(conn, LearningEvent, rows)
                    written += len(rows)
                    rows = []
                    if written % 1_000_000 < 50_000:
                        print(f"    {written:,} events written", flush=True)
        bulk.insert_many(conn, LearningEvent, rows)
        bulk.refresh_statistics(conn, LearningEvent)
        if conn.dialect.name == "sqlite":
            conn.execute(text("ANALYZE"))
    db.engine.dispose()
    return hot, ao.api_key


def awards_csv(register: list[Person], hot: list[int], seed: int) -> bytes:
    """The awards file; the 50-event learners (register positions ``hot`` - 1) are left out so
    that their records stay at 50 events."""
    rng = random.Random(seed + 7)
    skip = {i - 1 for i in hot}
    people = rng.sample([p for i, p in enumerate(register) if i not in skip], LOAD_LEARNERS)
    codes = ["H/500/2097", "A/500/2000", "60101037", "60101111", "60101074"]
    grades = {"60101037": "6", "60101111": "5", "60101074": "7"}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        ["ULN", "GivenName", "FamilyName", "SubjectCode", "Grade", "AwardDate", "Status"]
    )
    for p in people:
        for code in codes[:LOAD_SUBJECTS]:
            writer.writerow(
                [p.uln, p.given_name, p.family_name, code, grades.get(code, ""), "2025-08-21", "F"]
            )
    return out.getvalue().encode("utf-8")


def timed_load(url: str, data: bytes) -> dict[str, Any]:
    db = Database.from_url(url)
    actor = orgs.system_actor(db.unit_of_work(), AO_UKPRN)
    version = get_settings().match_model_version
    started = time.perf_counter()
    report = feeds.load_file(db.unit_of_work(), actor, "AO", data, version, file_name="awards.csv")
    seconds = time.perf_counter() - started
    db.engine.dispose()
    return {"seconds": seconds, **report.counts()}


def hot_requests(url: str, hot: list[int]) -> list[RecordRequest]:
    db = Database.from_url(url)
    with db.unit_of_work() as uow:
        rows = uow.session.execute(
            select(Learner.uln, Learner.given_name, Learner.family_name).where(Learner.id.in_(hot))
        ).all()
    db.engine.dispose()
    return [RecordRequest(uln=u, given_name=g, family_name=f) for u, g, f in rows]


def reads_in_process(url: str, requests: list[RecordRequest]) -> dict[str, Any]:
    db = Database.from_url(url)
    actor = orgs.system_actor(db.unit_of_work(), AO_UKPRN)
    times: list[float] = []
    counts = set()
    for i in range(READS):
        t = time.perf_counter()
        answer = reading.learning_events(
            db.unit_of_work(), actor, requests[i % len(requests)], reading.EventFilter(), "FULL"
        )
        times.append(time.perf_counter() - t)
        counts.add(len(answer.events))
    db.engine.dispose()
    return {**percentiles(times), "events_per_read": sorted(counts)}


def reads_over_http(url: str, key: str, requests: list[RecordRequest]) -> dict[str, Any]:
    server = Server(url, workers=1)
    times: list[float] = []
    try:
        with httpx.Client(
            base_url=server.base, headers={"Authorization": f"Bearer {key}"}, timeout=30
        ) as http:
            for i in range(READS + 50):
                req = requests[i % len(requests)]
                t = time.perf_counter()
                r = http.get(
                    f"/api/v1/learners/{req.uln}/learning-events",
                    params={"given_name": req.given_name, "family_name": req.family_name},
                )
                elapsed = time.perf_counter() - t
                assert r.status_code == 200, r.text
                if i >= 50:  # the first requests warm the caches
                    times.append(elapsed)
    finally:
        server.stop()
    return percentiles(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--keep",
        type=Path,
        help="keep the built databases (SQLite under this folder, PostgreSQL by name) and reuse "
        "them on the next run; the awards file then reloads as unchanged",
    )
    args = parser.parse_args()
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    t = time.perf_counter()
    register = generate_register(args.learners, seed=args.seed, today=TODAY)
    print(f"generated {len(register):,} learners in {time.perf_counter() - t:.1f} s", flush=True)
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="lrs-plr-bench-") as tmp:
        for backend in backends:
            name = f"plr_{args.learners}_{args.events}_{args.seed}"
            url, drop, built = (
                kept_database(backend, args.keep, name)
                if args.keep
                else (*fresh_database(backend, Path(tmp)), False)
            )
            try:
                if built:
                    hot = hot_learners(args.learners, args.seed)
                    key = orgs.add_key(Database.from_url(url).unit_of_work(), ukprn=AO_UKPRN,
                                       name="bench").api_key  # fmt: skip
                    print(f"{backend}: reusing {name}", flush=True)
                else:
                    t = time.perf_counter()
                    direct_load(url, register)
                    print(f"{backend}: register loaded in {time.perf_counter() - t:.1f} s")
                    t = time.perf_counter()
                    hot, key = background_events(url, args.learners, args.events, args.seed)
                    print(f"{backend}: events written in {time.perf_counter() - t:.1f} s")
                data = awards_csv(register, hot, args.seed)
                first = timed_load(url, data)
                print(f"  100,000 awards: {first}", flush=True)
                again = timed_load(url, data)
                print(f"  the same again: {again}", flush=True)
                requests = hot_requests(url, hot)
                local = reads_in_process(url, requests)
                print(f"  read in-process: {local}", flush=True)
                remote = reads_over_http(url, key, requests)
                print(f"  read over HTTP: {remote}", flush=True)
                results[backend] = {"load": first, "again": again, "local": local, "http": remote}
            finally:
                drop()
    print()
    print(f"PLR at {args.learners:,} learners and {args.events:,} events (one run each)")
    print(
        f"{'backend':<11}{'load 100k s':>12}{'again s':>9}{'read p50/p99 ms':>18}"
        f"{'HTTP p50/p99 ms':>18}"
    )
    for backend, r in results.items():
        print(
            f"{backend:<11}{r['load']['seconds']:>12.1f}{r['again']['seconds']:>9.1f}"
            f"{r['local']['p50']:>10.2f}/{r['local']['p99']:<7.2f}"
            f"{r['http']['p50']:>10.2f}/{r['http']['p99']:<7.2f}"
        )


if __name__ == "__main__":
    sys.exit(main())
