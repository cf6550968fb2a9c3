"""Benchmark: in-process searches of whichever ``open_lrs`` is on the path, on a kept register,
to compare two versions of the code alternately (runs of the full speed benchmark minutes
apart differ by a fifth or more on a shared machine; this takes 20 seconds a run).

    # the code before, from a worktree; then this tree; alternately, several times
    PYTHONPATH=/path/to/worktree/src .venv/bin/python bench/search_ab.py URL before
    .venv/bin/python bench/search_ab.py URL after

URL is a register kept by ``matching_speed.py --keep`` (it must hold a provider). Searches:
3,000 learners of the register as registered (1,000 to warm the caches, 2,000 timed), through
the search service as the API calls it (audit rows and commit included). Trees before
``cc4cb5e`` had the search in ``open_lrs.matching.service``; both are found.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import select, text

from open_lrs.core.db import Database
from open_lrs.core.security import Actor
from open_lrs.organisations.models import Organisation

_ROWS = text(
    "SELECT given_name, family_name, date_of_birth, gender, postcode FROM learners "
    "ORDER BY id LIMIT 3000 OFFSET 500000"
)


def _service() -> tuple[Callable[..., Any], Any]:
    try:
        from open_lrs.learners import search
        from open_lrs.learners.search_schemas import SearchRequest

        return (lambda uow, actor, r: search.search(uow, actor, r, "2")), SearchRequest
    except ImportError:  # the code before cc4cb5e
        from open_lrs.matching.schemas import SearchRequest  # type: ignore[import-not-found]

        from open_lrs.matching import service  # type: ignore[attr-defined]

        return service.search, SearchRequest


def main() -> None:
    url, label = sys.argv[1], sys.argv[2]
    db = Database.from_url(url)
    with db.engine.connect() as conn:
        rows = conn.execute(_ROWS).all()
    with db.unit_of_work() as uow:
        found = uow.session.execute(
            select(Organisation.id, Organisation.ukprn).where(Organisation.kind == "provider")
        ).first()
    assert found is not None, "the register needs a provider"
    actor = Actor(organisation_id=found[0], organisation_kind="provider", ukprn=found[1])
    search, request = _service()
    requests = [
        request(given_name=g, family_name=f, date_of_birth=d, gender=s or None, postcode=p)
        for g, f, d, s, p in rows
    ]
    for r in requests[:1000]:
        search(db.unit_of_work(), actor, r)
    latencies = []
    for r in requests[1000:]:
        started = time.perf_counter()
        search(db.unit_of_work(), actor, r)
        latencies.append(time.perf_counter() - started)
    latencies.sort()
    p95, p99 = (1000 * latencies[int(q * len(latencies))] for q in (0.95, 0.99))
    print(f"{label} p50 {1000 * statistics.median(latencies):.3f} p95 {p95:.3f} p99 {p99:.3f}")
    db.engine.dispose()


if __name__ == "__main__":
    main()
