"""Benchmark: how search latency grows with the register, both sizes measured in one run.

    .venv/bin/python bench/matching_scaling.py \\
        --small 1000000=sqlite:////var/tmp/reg/match_1000000_1.sqlite3 \\
        --large 10000000=sqlite:////var/tmp/reg/match_10000000_1.sqlite3

Two registers loaded before by the same generator and seed (``matching_speed.py --keep``),
each given as LEARNERS=URL. Both are locked in memory for the whole run. Then, pass after
pass, each register is measured as ``matching_speed.py`` measures one: in-process (the search
service as the API calls it, in a Python process started for it, 1,000 searches to warm
and 2,000 labelled searches timed), then over HTTP with one client (``lrs serve --workers
2``). The order alternates (small, large; then large, small...), so that whatever else the
machine does falls on both sizes alike. Prints each pass, the median of each figure over the
passes, and the ratios, larger over smaller.

Why a benchmark of its own: the target is a ratio (the latency at ten million within 1.5
times that at a million), and two runs of ``matching_speed.py`` minutes apart differ by a
fifth on this shared machine from one run to the next, as much as the margin measured.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from matching_speed import (
    Server,
    hold_in_memory,
    in_a_fresh_process,
    in_process,
    load,
    search_body,
    searches_for,
)

from open_lrs.core.db import Database
from open_lrs.demo.queries import QueryCase
from open_lrs.organisations import service as orgs

PERCENTILES = ("p50", "p95", "p99")


def register_arg(text: str) -> tuple[int, str]:
    learners, sep, url = text.partition("=")
    if not sep or not learners.isdigit() or not url:
        raise argparse.ArgumentTypeError(f"{text!r}: give LEARNERS=URL")
    return int(learners), url


def _searches_in_process(
    url: str, key: str, queries: Sequence[QueryCase], warm: Sequence[QueryCase]
) -> dict[str, Any]:
    db = Database.from_url(url)
    try:
        return in_process(db, key, queries, warm)
    finally:
        db.engine.dispose()


def _over_http(url: str, key: str, queries: Sequence[QueryCase], warm: Sequence[QueryCase]) -> Any:
    server = Server(url, workers=2)
    try:
        path = "/api/v1/learners/search"
        load(server.base, key, path, [search_body(q) for q in warm], clients=2)
        return load(server.base, key, path, [search_body(q) for q in queries], clients=1)
    finally:
        server.stop()


def _api_key(url: str) -> str:
    created = orgs.create_organisation(
        Database.from_url(url).unit_of_work(),
        name="Scaling Bench College",
        ukprn=f"1{random.randrange(10**7):07}",
        kind="provider",
    )
    assert created.api_key
    return created.api_key


def _row(label: str, figures: dict[str, dict[str, float]]) -> str:
    cells = [f"{figures[w][p]:7.2f}" for w in ("in_process", "http") for p in PERCENTILES]
    return f"{label:28} {' '.join(cells[:3])}    {' '.join(cells[3:])}"


def _ratios(small: dict[str, dict[str, float]], large: dict[str, dict[str, float]]) -> str:
    parts = []
    for what, name in (("in_process", "in-process"), ("http", "HTTP, 1 client")):
        r = " / ".join(f"{large[what][p] / small[what][p]:.2f}" for p in PERCENTILES)
        parts.append(f"{name} {r}")
    return "; ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=register_arg, required=True, help="LEARNERS=URL")
    parser.add_argument("--large", type=register_arg, required=True, help="LEARNERS=URL")
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--pg-data",
        type=Path,
        default=Path(os.environ.get("LRS_PG_DATA", "/var/tmp/open-lrs-pg")),  # noqa: S108 postgres.sh's
        help="PostgreSQL's data directory, to lock its files in memory (as matching_speed.py)",
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    registers = {"small": args.small, "large": args.large}
    searches = {}
    for size, (learners, _) in registers.items():
        print(f"generating the searches for {learners:,} learners...", flush=True)
        searches[size] = in_a_fresh_process(searches_for, learners, args.seed, args.queries, None)
    held = []
    try:
        for _, url in registers.values():
            pinned, _report = hold_in_memory(url, args.pg_data)
            held.append(pinned)
        keys = {size: _api_key(url) for size, (_, url) in registers.items()}
        passes: dict[str, list[dict[str, dict[str, float]]]] = {"small": [], "large": []}
        print(f"{'':28} {'in-process p50, p95, p99':>23}    {'HTTP, 1 client p50, p95, p99':>23}")
        for n in range(args.passes):
            for size in ("small", "large") if n % 2 == 0 else ("large", "small"):
                learners, url = registers[size]
                queries, warm = searches[size]
                figures = {
                    "in_process": in_a_fresh_process(
                        _searches_in_process, url, keys[size], queries, warm
                    ),
                    "http": _over_http(url, keys[size], queries, warm),
                }
                passes[size].append(figures)
                print(_row(f"pass {n + 1}, {learners:,} learners", figures), flush=True)
        medians = {
            size: {
                what: {p: statistics.median(f[what][p] for f in runs) for p in PERCENTILES}
                for what in ("in_process", "http")
            }
            for size, runs in passes.items()
        }
        for size in ("small", "large"):
            print(_row(f"median, {registers[size][0]:,} learners", medians[size]))
        print("ratio larger / smaller, p50 / p95 / p99:")
        for n, (small, large) in enumerate(zip(passes["small"], passes["large"], strict=True)):
            print(f"  pass {n + 1}: {_ratios(small, large)}")
        print(f"  of the medians: {_ratios(medians['small'], medians['large'])}")
    finally:
        for pinned in held:
            if pinned:
                pinned.release()


if __name__ == "__main__":
    main()
