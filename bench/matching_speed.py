"""Benchmark: search and registration speed on a large register, SQLite and PostgreSQL.

    .venv/bin/python bench/matching_speed.py                       # 1,000,000 learners
    .venv/bin/python bench/matching_speed.py --learners 10000000   # the 10M run
    .venv/bin/python bench/matching_speed.py --learners 100000 --backends sqlite
    .venv/bin/python bench/matching_speed.py --learners 10000000 --loader direct --keep /var/tmp/reg
    .venv/bin/python bench/matching_speed.py --url sqlite:///path/to/kept.sqlite3  # a kept register

For each backend: a fresh database; the generated register (households, twins, names from many
backgrounds: ``demo.population``) loaded with ``lrs learners import``; the files a search reads
locked in memory for the run, as on a server that has been running (``page_cache``; the
report says how much of them was resident before and after measuring; ``--cold`` skips
this); then

- in-process: the search service exactly as the API calls it (blocking-key look-up, scoring,
  the audit rows and the commit), one query after another, latency p50/p95/p99;
- over HTTP: ``lrs serve --workers 2`` on 127.0.0.1 (one per core), one client in
  sequence, then ``--clients`` concurrent clients for ``--seconds``: latency and searches/s;
- registrations: new people through the register service (search first, then issue), in
  process and over HTTP with concurrent clients.

Queries are the labelled set of ``demo.queries`` (typos, nicknames, moves, twins, people not
on the register...), so the candidates each search reads are realistic. PostgreSQL: set
LRS_BENCH_POSTGRES_URL (or LRS_TEST_POSTGRES_URL; scripts/postgres.sh starts one).
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx2 as httpx
import page_cache
from import_learners import LRS, fresh_database, kept_database, run_import
from page_cache import Pinned
from quality.outcomes import CATEGORIES, FROM_API, Answer, classify
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from open_lrs.core import bulk
from open_lrs.core.db import Database, make_engine
from open_lrs.core.errors import PossibleMatches
from open_lrs.core.settings import get_settings
from open_lrs.demo.population import Person, generate_register, write_register_csv
from open_lrs.demo.queries import QueryCase, generate_queries
from open_lrs.learners import repository as repo
from open_lrs.learners import search as matching
from open_lrs.learners import service as learners
from open_lrs.learners.matching_store import STORE
from open_lrs.learners.models import Learner
from open_lrs.learners.schemas import LearnerRegistration
from open_lrs.learners.search_schemas import SearchRequest
from open_lrs.matching import store
from open_lrs.matching.models import LearnerMatchKey
from open_lrs.organisations import service as orgs
from open_lrs.organisations.models import Organisation

TODAY = date(2026, 11, 23)
# SQLite's page cache while loading a register directly: 8 GiB, for the 10M run's 80M keys.
LOAD_CACHE_KIB = 8 * 1024 * 1024


def percentiles(samples: Sequence[float], scale: float = 1000) -> dict[str, float]:
    """p50, p95, p99 and max of ``samples``, times ``scale`` (seconds to ms by default)."""
    ordered = sorted(samples)

    def at(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))] * scale

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "max": ordered[-1] * scale}


def search_body(q: QueryCase) -> dict[str, Any]:
    return {
        "given_name": q.given_name,
        "family_name": q.family_name,
        "date_of_birth": q.date_of_birth.isoformat(),
        "gender": q.gender,
        "postcode": q.postcode,
        "previous_family_name": q.previous_family_name,
    }


def registration_body(p: Person) -> dict[str, Any]:
    return {
        "given_name": p.given_name,
        "family_name": p.family_name,
        "date_of_birth": p.date_of_birth.isoformat(),
        "gender": p.gender,
        "postcode": p.postcode,
        "middle_other_name": p.middle_other_name,
    }


def in_process(
    db: Database, key: str, queries: Sequence[QueryCase], warm: Sequence[QueryCase]
) -> dict[str, Any]:
    actor = orgs.authenticate(db.unit_of_work(), key)
    version = get_settings().match_model_version
    requests = [SearchRequest.model_validate(search_body(q)) for q in queries]
    # Warm the caches as a running service's would be, with other searches than those timed.
    for q in warm:
        request = SearchRequest.model_validate(search_body(q))
        matching.search(db.unit_of_work(), actor, request, version)
    latencies, outcomes = [], Counter[str]()
    answers = {True: Counter[str](), False: Counter[str]()}  # by whether they are registered
    for q, r in zip(queries, requests, strict=True):
        t = time.perf_counter()
        result = matching.search(db.unit_of_work(), actor, r, version)
        latencies.append(time.perf_counter() - t)
        outcomes[result.code] += 1
        answer = Answer(FROM_API[result.code], tuple(m.uln for m in result.matches))
        answers[q.expected_uln is not None][classify(q.expected_uln, answer)] += 1
    with db.unit_of_work() as uow:  # untimed: how many learners each search read and scored
        read = [len(STORE.candidates(uow.session, matching.to_query(r)).rows) for r in requests]
    return {
        **percentiles(latencies),
        "n": len(latencies),
        "outcomes": dict(outcomes),
        "answers": {
            registered: {c: n[c] for c in CATEGORIES if n[c]} for registered, n in answers.items()
        },
        "thresholds": result.thresholds.model_dump(),
        "candidates": percentiles(read, scale=1),
    }


T = TypeVar("T")


def in_a_fresh_process(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` in a new Python process: the searches measured as a service's worker
    makes them, and the register generated where its memory is given back when it is done."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


def _measure_in_process(
    url: str,
    key: str,
    queries: Sequence[QueryCase],
    warm: Sequence[QueryCase],
    newcomers: Sequence[Person],
) -> tuple[dict[str, Any], dict[str, Any]]:
    db = Database.from_url(url)
    try:
        return in_process(db, key, queries, warm), register_in_process(db, key, newcomers)
    finally:
        db.engine.dispose()


def register_in_process(db: Database, key: str, people: Sequence[Person]) -> dict[str, Any]:
    actor = orgs.authenticate(db.unit_of_work(), key)
    version = get_settings().match_model_version
    latencies, outcomes = [], Counter[str]()
    started = time.perf_counter()
    for p in people:
        body = LearnerRegistration.model_validate(registration_body(p))
        t = time.perf_counter()
        try:
            outcomes[learners.register(db.unit_of_work(), actor, body, version).code] += 1
        except PossibleMatches as exc:
            outcomes[exc.code] += 1
        latencies.append(time.perf_counter() - t)
    rate = len(people) / (time.perf_counter() - started)
    return {**percentiles(latencies), "per_s": rate, "outcomes": dict(outcomes)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``lrs serve`` in a child process, as an operator runs it."""

    def __init__(self, url: str, workers: int):
        self.port = free_port()
        env = {**os.environ, "LRS_DATABASE_URL": url, "LRS_LOG_LEVEL": "WARNING"}
        self.process = subprocess.Popen(
            [*LRS, "serve", "--port", str(self.port), "--workers", str(workers)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit("the server did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def load(
    base: str,
    key: str,
    path: str,
    bodies: Sequence[dict[str, Any]],
    *,
    clients: int,
    seconds: float | None = None,
) -> dict[str, Any]:
    """``clients`` threads post ``bodies`` in turn (each body once when ``seconds`` is None)."""
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    position = iter(range(10**12))
    stop_at = time.perf_counter() + seconds if seconds else None

    def client() -> None:
        with httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=30
        ) as http:
            while True:
                with lock:
                    i = next(position)
                if stop_at is None and i >= len(bodies):
                    return
                if stop_at is not None and time.perf_counter() >= stop_at:
                    return
                t = time.perf_counter()
                r = http.post(path, json=bodies[i % len(bodies)])
                elapsed = time.perf_counter() - t
                with lock:
                    latencies.append(elapsed)
                    statuses[r.status_code] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {**percentiles(latencies), "per_s": len(latencies) / wall, "statuses": dict(statuses)}


WRK_LATENCY = re.compile(r"^\s+(50|90|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
WRK_RATE = re.compile(r"Requests/sec:\s+([\d.]+)")
WRK_NON_2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk_load(
    base: str,
    key: str,
    path: str,
    bodies: Sequence[dict[str, Any]],
    *,
    clients: int,
    seconds: float,
) -> dict[str, Any]:
    """Concurrent load from wrk (a C load generator, so the client hardly competes with the
    server for the two cores), cycling through ``bodies``."""
    quoted = ",\n".join(f"[==[{json.dumps(b)}]==]" for b in bodies)
    script = f"""
local bodies = {{{quoted}}}
local headers = {{["Content-Type"] = "application/json", ["Authorization"] = "Bearer {key}"}}
local i = 0
request = function()
  i = i + 1
  return wrk.format("POST", "{path}", headers, bodies[(i % #bodies) + 1])
end
"""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        out = subprocess.run(
            ["wrk", "-t2", f"-c{clients}", f"-d{seconds:.0f}s", "--latency", "-s", f.name, base],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(f.name)
    latency = {f"p{p}": float(v) * UNIT_MS[u] for p, v, u in WRK_LATENCY.findall(out)}
    rate = WRK_RATE.search(out)
    errors = WRK_NON_2XX.search(out)
    return {
        "p50": latency["p50"],
        "p95": latency["p90"],  # wrk reports 50/75/90/99: p90 stands in for p95, say so
        "p99": latency["p99"],
        "max": float("nan"),
        "per_s": float(rate.group(1)) if rate else 0.0,
        "statuses": {"non-2xx": int(errors.group(1)) if errors else 0},
    }


def timed(label: str, fn: Callable[[], Any]) -> Any:
    t = time.perf_counter()
    result = fn()
    print(f"  {label}: {time.perf_counter() - t:.1f} s", flush=True)
    return result


LEARNER_FIELDS = (
    "uln", "given_name", "middle_other_name", "family_name", "preferred_given_name",
    "previous_family_name", "date_of_birth", "gender", "email", "postcode", "address_line_1",
    "address_town",
)  # fmt: skip


def direct_load(url: str, people: Sequence[Person], chunk: int = 20_000) -> dict[str, float]:
    """Learners and their blocking keys straight into the tables (``--loader direct``), for
    registers too big to import in the time a benchmark has: no history or audit rows, which
    searches never read. The keys and name counts are exactly those an import writes."""
    engine = make_engine(url)
    started = time.perf_counter()
    now = datetime.now(UTC)
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":  # the keys' index outgrows the default page cache
            conn.exec_driver_sql(f"PRAGMA cache_size=-{LOAD_CACHE_KIB}")
        for i in range(0, len(people), chunk):
            rows = [
                {
                    **{f: getattr(p, f) for f in LEARNER_FIELDS},
                    **repo.name_keys(p.given_name, p.family_name),
                    "status": "active",
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
                for p in people[i : i + chunk]
            ]
            ids = bulk.insert_returning_ids(conn, Learner, rows)
            store.index_records(
                conn, (store.values_record(j, r) for j, r in zip(ids, rows, strict=True))
            )
            if i and (i // chunk) & (i // chunk - 1) == 0:  # the planner sees the new rows
                bulk.refresh_statistics(conn, Learner)
                bulk.refresh_statistics(conn, LearnerMatchKey)
            if i % 1_000_000 == 0 and i:
                print(f"    {i:,} loaded", flush=True)
        STORE.refresh_frequencies(conn)
        bulk.refresh_statistics(conn, Learner)
        bulk.refresh_statistics(conn, LearnerMatchKey)
    engine.dispose()
    seconds = time.perf_counter() - started
    return {"loaded": len(people), "import_s": seconds, "peak_rss_mb": float("nan")}


# What a search reads, for PostgreSQL: the learners' rows (a sequential scan), their primary
# key and the blocking keys' index (index-only scans, sequential scans off).
_CACHE_ROWS = "SELECT count(*) FROM learners"
_CACHE_INDEXES = (
    "SELECT count(id) FROM learners WHERE id IS NOT NULL",
    "SELECT count(key) FROM learner_match_keys WHERE key IS NOT NULL",
)


def hold_in_memory(url: str, pg_data: Path) -> tuple[Pinned | None, dict[str, Any]]:
    """Lock the files a search reads in memory for the run (``page_cache``), as they are on a
    server that has been answering searches for a while; without this the 10M figures
    measure the disk on a machine that reclaims unused page cache. PostgreSQL's files are
    found under ``pg_data``; if they cannot be read there (another machine, another user),
    the rows and indexes are read through SQL instead (``_CACHE_ROWS``, ``_CACHE_INDEXES``),
    unlocked, and their residency is not known."""
    if url.startswith("sqlite"):
        return held(page_cache.pin(page_cache.sqlite_files(Path(make_url(url).database or ""))))
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            files = page_cache.postgresql_files(conn, pg_data)
            if files and all(os.access(f, os.R_OK) for f in files):
                return held(page_cache.pin(files))
            conn.exec_driver_sql(_CACHE_ROWS)
            conn.exec_driver_sql("SET enable_seqscan = off")
            for statement in _CACHE_INDEXES:
                conn.exec_driver_sql(statement)
            size = conn.exec_driver_sql(
                "SELECT pg_relation_size('learners') + pg_relation_size('pk_learners')"
                " + pg_relation_size('pk_learner_match_keys')"
            ).scalar_one()
        why = f"the server's files are not readable under {pg_data} (--pg-data)"
        return None, {"mb": size / 1e6, "why_not": why}
    finally:
        engine.dispose()


def held(pinned: Pinned) -> tuple[Pinned, dict[str, Any]]:
    """The locked files, and what the report says of them."""
    return pinned, {"mb": pinned.size / 1e6} | (
        {} if pinned.locked else {"why_not": pinned.why_not}
    )


def residency(pinned: Pinned | None) -> float:
    """The share of the held files in memory now (nan when not known)."""
    return pinned.resident() / pinned.size if pinned and pinned.size else float("nan")


def searches_for(
    learners: int, seed: int, queries: int, csv_path: Path | None
) -> tuple[list[QueryCase], list[QueryCase]]:
    """The generated register (the same for the same seed), written to ``csv_path`` for the
    import loader, and what the benchmark asks of it: the labelled searches, and other searches
    to warm the caches. Run in a process of its own (``in_a_fresh_process``): ten million
    people take about 9 GB, which this process kept after they were freed, leaving the
    measured processes and the page cache short of memory."""
    people = generate_register(learners, seed=seed, today=TODAY)
    if csv_path:
        write_register_csv(csv_path, people)
    labelled = generate_queries(people, queries, seed=seed, today=TODAY)
    warm = generate_queries(people, 1000, seed=seed + 7, today=TODAY)
    return labelled, warm


BENCH_COLLEGE = "Bench College"


def newcomers_for(db: Database, registrations: int, seed: int) -> list[Person]:
    """People to register, whom no earlier run has registered in this register: each run
    registers its own as the organisation ``BENCH_COLLEGE``, so the n-th run on a kept
    register takes the n-th set (a register's first run, the set for ``seed + 1000``).
    Generated apart from the register, they are its people only where chance makes them so,
    which the registrations then find, as they would at a college."""
    with db.unit_of_work() as uow:
        runs = uow.session.scalar(
            select(func.count()).select_from(Organisation).where(Organisation.name == BENCH_COLLEGE)
        )
    return generate_register(registrations, seed=seed + 1000 + (runs or 0), today=TODAY)


def load_generated(url: str, learners: int, seed: int) -> dict[str, float]:
    """``direct_load`` of the generated register, made again in a process of its own for the
    same reason as ``searches_for``."""
    return direct_load(url, generate_register(learners, seed=seed, today=TODAY))


def run_backend(
    backend: str,
    workdir: Path,
    register_csv: Path,
    queries: Sequence[QueryCase],
    warm: Sequence[QueryCase],
    args: argparse.Namespace,
) -> dict[str, Any]:
    print(f"{backend}:", flush=True)
    pinned: Pinned | None = None
    if args.url:
        url, drop = args.url, lambda: None
    elif args.keep:
        url, drop, _ = kept_database(backend, args.keep, f"match_{args.learners}_{args.seed}")
    else:
        url, drop = fresh_database(backend, workdir)
    try:
        with Database.from_url(url).unit_of_work() as uow:
            count = uow.session.scalar(select(func.count()).select_from(Learner)) or 0
        if args.url and not count:
            raise SystemExit(f"--url {_without_password(url)}: no learners there to search")
        reused = bool(count)  # a register loaded before (--url, or kept by --keep)
        if reused:
            print(f"    reusing the register at {_without_password(url)}: {count:,} learners")
            imported = {"loaded": count, "import_s": float("nan"), "peak_rss_mb": float("nan")}
        elif args.loader == "direct":
            imported = timed(
                "direct load",
                lambda: in_a_fresh_process(load_generated, url, args.learners, args.seed),
            )
            admin = orgs.create_organisation(
                Database.from_url(url).unit_of_work(), name="Admins", ukprn="10000000", kind="admin"
            )
            assert admin.api_key
        else:
            imported = timed("import", lambda: run_import(url, register_csv))
        db = Database.from_url(url)
        with db.unit_of_work() as uow:
            keys = uow.session.scalar(select(func.count()).select_from(LearnerMatchKey))
        newcomers = newcomers_for(db, args.registrations, args.seed)
        key = orgs.create_organisation(
            db.unit_of_work(),
            name=BENCH_COLLEGE,
            ukprn=f"1{random.randrange(10**7):07}" if reused else "10000002",
            kind="provider",
        ).api_key
        result: dict[str, Any] = {"import": imported, "keys": keys}
        if not args.cold:
            pinned, result["held"] = timed(
                "holding the database in memory", lambda: hold_in_memory(url, args.pg_data)
            )
        result["resident_before"] = residency(pinned)
        db.engine.dispose()
        half = len(newcomers) // 2
        result["in_process"], result["register"] = timed(
            "in-process searches and registrations, in a process of their own",
            lambda: in_a_fresh_process(
                _measure_in_process, url, key, queries, warm, newcomers[:half]
            ),
        )
        server = Server(url, workers=2)  # one per core
        try:
            bodies = [search_body(q) for q in queries]
            warm_bodies = [search_body(q) for q in warm]
            load(server.base, key, "/api/v1/learners/search", warm_bodies, clients=2)
            result["http_one"] = timed(
                "HTTP, one client",
                lambda: load(server.base, key, "/api/v1/learners/search", bodies, clients=1),
            )
            result["http_many"] = timed(
                f"HTTP, {args.clients} clients (Python)",
                lambda: load(
                    server.base,
                    key,
                    "/api/v1/learners/search",
                    bodies,
                    clients=args.clients,
                    seconds=args.seconds,
                ),
            )
            if shutil.which("wrk"):
                result["http_wrk"] = timed(
                    f"HTTP, {args.clients} connections (wrk)",
                    lambda: wrk_load(
                        server.base,
                        key,
                        "/api/v1/learners/search",
                        bodies,
                        clients=args.clients,
                        seconds=args.seconds,
                    ),
                )
            result["http_register"] = timed(
                f"HTTP registrations, {args.clients} clients",
                lambda: load(
                    server.base,
                    key,
                    "/api/v1/learners",
                    [registration_body(p) for p in newcomers[half:]],
                    clients=args.clients,
                ),
            )
        finally:
            server.stop()
        result["resident_after"] = residency(pinned)
        if args.keep:
            print(f"    kept: {_without_password(url)} (--keep {args.keep} again reuses it)")
        return result
    finally:
        if pinned:
            pinned.release()
        drop()


def _without_password(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def report(results: dict[str, dict[str, Any]], learners_n: int, clients: int) -> None:
    print()
    print(f"register of {learners_n:,} learners; latencies in ms")
    header = f"{'backend':<11}{'what':<36}{'p50':>7}{'p95':>7}{'p99':>7}{'max':>8}{'per s':>8}"
    print(header)
    for backend, r in results.items():
        rows = [
            ("search, in-process", r["in_process"]),
            ("search, HTTP, 1 client", r["http_one"]),
            (f"search, HTTP, {clients} Python clients", r["http_many"]),
            *([(f"search, HTTP, wrk {clients} conns*", r["http_wrk"])] if "http_wrk" in r else []),
            ("registration, in-process", r["register"]),
            (f"registration, HTTP, {clients} clients", r["http_register"]),
        ]
        for what, f in rows:
            per_s = f"{f['per_s']:,.0f}" if "per_s" in f else ""
            print(
                f"{backend:<11}{what:<36}{f['p50']:>7.2f}{f['p95']:>7.2f}{f['p99']:>7.2f}"
                f"{f['max']:>8.1f}{per_s:>8}"
            )
    print("* wrk reports p50/p75/p90/p99: its p90 is in the p95 column, and no maximum")
    for backend, r in results.items():
        imp = r["import"]
        print(
            f"{backend}: import {imp['loaded']:,} rows in {imp['import_s']:.1f} s "
            f"({imp['loaded'] / imp['import_s']:,.0f} rows/s, peak {imp['peak_rss_mb']:.0f} MB), "
            f"{r['keys']:,} blocking keys; " + held_report(r) + "candidates per search "
            f"{r['in_process']['candidates']}; search outcomes {r['in_process']['outcomes']}; "
            f"registrations {r['register']['outcomes']}; HTTP statuses "
            f"{r['http_many']['statuses']} / {r['http_register']['statuses']}"
        )
        answers = r["in_process"]["answers"]
        print(
            f"{backend}: thresholds {r['in_process']['thresholds']}; answers to searches for "
            f"registered learners {answers[True]}, for people not registered {answers[False]}"
        )


def held_report(r: dict[str, Any]) -> str:
    if "held" not in r:
        return "page cache as loading left it (--cold); "
    held = r["held"]
    how = f"not locked ({held['why_not']})" if "why_not" in held else "locked"
    before, after = r["resident_before"], r["resident_after"]
    resident = (
        "residency not known"
        if math.isnan(before)  # read through SQL
        else f"resident {before:.1%} before measuring and {after:.1%} after"
    )
    return f"{held['mb']:,.0f} MB held in memory, {how}, {resident}; "


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--registrations", type=int, default=1_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--loader",
        choices=("import", "direct"),
        default="import",
        help="import: lrs learners import (default); direct: learners and keys only (10M runs)",
    )
    parser.add_argument(
        "--url",
        help="measure a register already loaded at this database URL (its learner count is "
        "taken as --learners would be); nothing is loaded or dropped",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        help="keep the register (SQLite under this folder, PostgreSQL as database "
        "lrs_bench_match_<learners>_<seed>) and reuse it on the next run with the same "
        "--learners and --seed; each run registers --registrations people new to it",
    )
    parser.add_argument(
        "--cold",
        action="store_true",
        help="measure the database as loading left it, without holding it in memory "
        "(on a machine short of memory, the disk's speed)",
    )
    parser.add_argument(
        "--pg-data",
        type=Path,
        default=Path(os.environ.get("LRS_PG_DATA", "/var/tmp/open-lrs-pg")),  # noqa: S108 postgres.sh's
        help="PostgreSQL's data directory, to lock the files a search reads in memory "
        "(default: $LRS_PG_DATA or scripts/postgres.sh's /var/tmp/open-lrs-pg)",
    )
    args = parser.parse_args()
    # Stopped (kill, timeout): unwind, so that the server and the locked files go too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if args.url:
        backends = ["sqlite" if args.url.startswith("sqlite") else "postgresql"]
    with tempfile.TemporaryDirectory(prefix="lrs-bench-") as tmp:
        workdir = Path(tmp)
        register_csv = workdir / "register.csv"
        queries, warm = timed(
            f"generating {args.learners:,} learners and the searches, in a process of their own",
            lambda: in_a_fresh_process(
                searches_for,
                args.learners,
                args.seed,
                args.queries,
                register_csv if args.loader == "import" else None,
            ),
        )
        results = {}
        for b in backends:
            results[b] = run_backend(b, workdir, register_csv, queries, warm, args)
            report({b: results[b]}, args.learners, args.clients)  # kept if a later step fails
    report(results, args.learners, args.clients)


if __name__ == "__main__":
    sys.exit(main())
