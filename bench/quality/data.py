"""The synthetic UK register and its labelled searches, made by the demo generator (the same
functions behind ``lrs demo generate``) and written as the importer's CSV."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from open_lrs.demo.population import Person, generate_register, write_register_csv
from open_lrs.demo.queries import QueryCase, generate_queries, write_queries_csv


@dataclass(frozen=True)
class Synthetic:
    register: list[Person]
    queries: list[QueryCase]
    register_csv: Path
    queries_csv: Path


def make(learners: int, queries: int, seed: int, today: date, workdir: Path) -> Synthetic:
    started = time.perf_counter()
    register = generate_register(learners, seed=seed, today=today)
    cases = generate_queries(register, queries, seed=seed, today=today)
    register_csv = write_register_csv(workdir / "register.csv", register)
    queries_csv = write_queries_csv(workdir / "queries.csv", cases)
    absent = sum(c.expected_uln is None for c in cases)
    print(
        f"generated {len(register):,} learners and {len(cases):,} searches "
        f"({absent:,} for people not on the register) in {time.perf_counter() - started:.1f} s"
    )
    return Synthetic(register, cases, register_csv, queries_csv)
