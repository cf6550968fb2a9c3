"""Benchmark: batch files of 5,000 learners against a large register, as workers process them.

    .venv/bin/python bench/batch.py                              # 1,000,000 learners
    .venv/bin/python bench/batch.py --learners 100000 --backends sqlite

For each backend: a fresh database holding the generated register (``demo.population``,
loaded as ``matching_speed --loader direct`` does), then 5,000-row files in the LRS portal
format, each submitted as ``POST /api/v1/batches`` submits it and processed by real
``lrs worker --drain`` processes: one worker on SQLite; one, then two, on PostgreSQL. A file
holds what a September intake holds: 55% learners already registered (a tenth of them
with their ULN, some under a nickname), 45% people new to the register, among them a few
sent twice. Printed: rows per second, time from upload to a complete output file, and each
worker's peak memory (VmHWM, sampled from /proc). PostgreSQL: set LRS_BENCH_POSTGRES_URL.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from import_learners import LRS, fresh_database
from matching_speed import TODAY, direct_load

from open_lrs.batches import service
from open_lrs.batches.columns import COLUMN_TO_FIELD, LEARNER_COLUMNS, LRS_PREFIX
from open_lrs.core.db import Database
from open_lrs.core.settings import get_settings
from open_lrs.demo.population import Person, generate_register
from open_lrs.organisations import service as orgs

UKPRN = "10000002"
NICKNAMES = {"William": "Bill", "Robert": "Bob", "Elizabeth": "Beth", "Margaret": "Peggy"}


def row_of(p: Person, n: int, rng: random.Random, *, known: bool) -> dict[str, str]:
    row = {
        "mis_identifier": f"STU{n:06}",
        "given_name": p.given_name,
        "middle_other_name": p.middle_other_name or "",
        "family_name": p.family_name,
        "date_of_birth": p.date_of_birth.isoformat(),
        "gender": p.gender,
        "postcode": p.postcode,
        "address_line_1": p.address_line_1 or "",
        "email": p.email or "",
    }
    if known and rng.random() < 0.1:
        row["uln"] = p.uln
    elif known and rng.random() < 0.1:
        row["given_name"] = NICKNAMES.get(p.given_name, p.given_name)
    return row


def intake(
    register: list[Person], newcomers: list[Person], rng: random.Random
) -> list[dict[str, str]]:
    known = [row_of(p, i, rng, known=True) for i, p in enumerate(rng.sample(register, 2750))]
    new = [row_of(p, 10_000 + i, rng, known=False) for i, p in enumerate(newcomers[:2200])]
    again = [{**r, "mis_identifier": r["mis_identifier"] + "B"} for r in new[:50]]
    rows = known + new + again
    rng.shuffle(rows)
    return rows


def lrs_file(rows: list[dict[str, str]], stamp: str) -> tuple[str, bytes]:
    import csv
    import io

    name = f"LRB_{UKPRN}_{stamp}.CSV"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*LRS_PREFIX, *LEARNER_COLUMNS])
    for i, row in enumerate(rows):
        prefix = ["1.0", name, UKPRN, str(len(rows))] if i == 0 else ["", "", "", ""]
        writer.writerow([*prefix, *(row.get(COLUMN_TO_FIELD[c], "") for c in LEARNER_COLUMNS)])
    return name, out.getvalue().encode("utf-8")


class PeakMemory(threading.Thread):
    """A worker's peak resident memory, read from /proc while it runs (VmHWM). wait4's
    ru_maxrss would count the pages of this process, which forked it, holding a million
    learners."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.path = Path(f"/proc/{pid}/status")
        self.peak_kb = 0
        self.running = True
        self.start()

    def run(self) -> None:
        while self.running:
            try:
                for line in self.path.read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        self.peak_kb = max(self.peak_kb, int(line.split()[1]))
            except (FileNotFoundError, ProcessLookupError):
                return
            time.sleep(0.1)

    def stop(self) -> float:
        self.running = False
        self.join()
        return self.peak_kb / 1024


def run_batch(url: str, name: str, data: bytes, workers: int) -> dict[str, Any]:
    db = Database.from_url(url)
    actor = orgs.system_actor(db.unit_of_work(), UKPRN)
    started = time.perf_counter()
    windows = get_settings().batch_windows()
    batch = service.submit_file(db.unit_of_work(), actor, data, filename=name, windows=windows)
    queued = time.perf_counter() - started
    env = {**os.environ, "LRS_DATABASE_URL": url, "LRS_LOG_LEVEL": "WARNING"}
    children = [
        subprocess.Popen(
            [*LRS, "worker", "--drain"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    samplers = [PeakMemory(child.pid) for child in children]
    for child in children:
        if child.wait() != 0:
            raise SystemExit("a worker failed")
    peaks = [sampler.stop() for sampler in samplers]
    processed = time.perf_counter() - started
    _, output = service.output_file(db.unit_of_work(), actor, batch.id)
    to_output = time.perf_counter() - started
    progress = service.progress(db.unit_of_work(), actor, batch.id)
    db.engine.dispose()
    assert progress.batch.status == "complete", progress.batch.status
    return {
        "rows": batch.row_count,
        "queued_s": queued,
        "processed_s": processed,
        "to_output_s": to_output,
        "rows_per_s": batch.row_count / (processed - queued),
        "peak_mb": max(peaks),
        "codes": dict(sorted(Counter(progress.codes).items())),
        "output_kb": len(output) / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    rng = random.Random(args.seed)
    t = time.perf_counter()
    register = generate_register(args.learners, seed=args.seed, today=TODAY)
    print(f"generated {len(register):,} learners in {time.perf_counter() - t:.1f} s", flush=True)
    ulns = {p.uln for p in register}
    newcomers = [
        p for p in generate_register(9_000, seed=args.seed + 500, today=TODAY) if p.uln not in ulns
    ]
    files = [
        lrs_file(intake(register, newcomers[i * 2200 : (i + 1) * 2200], rng), f"0{i + 1}0920260900")
        for i in range(3)
    ]
    results: list[tuple[str, int, dict[str, Any]]] = []
    with tempfile.TemporaryDirectory(prefix="lrs-batch-bench-") as tmp:
        for backend in backends:
            url, drop = fresh_database(backend, Path(tmp))
            try:
                t = time.perf_counter()
                direct_load(url, register)
                print(f"{backend}: register loaded in {time.perf_counter() - t:.1f} s", flush=True)
                setup_db = Database.from_url(url)
                orgs.create_organisation(
                    setup_db.unit_of_work(), name="Bench College", ukprn=UKPRN, kind="provider"
                )
                setup_db.engine.dispose()
                plan = [1] if backend == "sqlite" else [1, 2]
                for i, workers in enumerate(plan):
                    name, data = files[i]
                    result = run_batch(url, name, data, workers)
                    print(f"  {workers} worker(s): {result}", flush=True)
                    results.append((backend, workers, result))
            finally:
                drop()
    print()
    print(f"5,000-row batch files against {args.learners:,} learners (one run each)")
    print(f"{'backend':<11}{'workers':>8}{'rows/s':>9}{'to output s':>13}{'peak MB':>9}  codes")
    for backend, workers, r in results:
        print(
            f"{backend:<11}{workers:>8}{r['rows_per_s']:>9.0f}{r['to_output_s']:>13.1f}"
            f"{r['peak_mb']:>9.0f}  {r['codes']}"
        )
    pg = {w: r["rows_per_s"] for b, w, r in results if b == "postgresql"}
    if 1 in pg and 2 in pg:
        print(f"PostgreSQL: 2 workers / 1 worker = {pg[2] / pg[1]:.2f}x")


if __name__ == "__main__":
    sys.exit(main())
