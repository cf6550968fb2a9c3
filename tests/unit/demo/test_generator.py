"""The generated registers used by benchmarks and the demo are valid and deterministic."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from open_lrs.demo.generator import generate_learners, write_csv
from open_lrs.learners.importer import COLUMNS
from open_lrs.learners.schemas import LearnerCreate
from open_lrs.learners.uln import is_valid_uln


def test_rows_are_valid_learners_with_unique_ulns() -> None:
    rows = list(generate_learners(2000, seed=3, today=date.today()))
    ulns = [r["uln"] for r in rows if r["uln"]]
    assert 800 < len(ulns) < 1200
    assert len(set(ulns)) == len(ulns)
    assert all(is_valid_uln(u) for u in ulns)
    for r in rows:
        LearnerCreate.model_validate({k: v for k, v in r.items() if v and k != "uln"})


def test_deterministic_for_a_seed(tmp_path: Path) -> None:
    a = write_csv(tmp_path / "a.csv", 50, seed=9).read_text(encoding="utf-8")
    b = write_csv(tmp_path / "b.csv", 50, seed=9).read_text(encoding="utf-8")
    assert a == b
    with (tmp_path / "a.csv").open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        assert tuple(next(reader)) == COLUMNS
        assert sum(1 for _ in reader) == 50
