"""Our engine, end to end: a fresh database, the register imported as ``lrs learners import``
does it (blocking keys filed, names counted), then every search through
``learners.search.find`` exactly as the API runs it."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from open_lrs.core import migrate
from open_lrs.core.db import Database, drop_database, make_engine
from open_lrs.core.settings import get_settings
from open_lrs.demo.queries import QueryCase
from open_lrs.learners.importer import import_learners
from open_lrs.learners.matching_store import STORE, to_record
from open_lrs.learners.models import Learner
from open_lrs.learners.search import Found, current_model, find
from open_lrs.matching import store
from open_lrs.matching.scoring import Outcome, Query, Scored, score
from open_lrs.organisations import service as orgs
from quality.outcomes import (
    FALSE_EXACT,
    FROM_API,
    NO_MATCH,
    REVIEW_NO_TRUTH,
    REVIEW_TRUTH,
    TOO_MANY_,
    Answer,
    Tally,
    classify,
)

NOT_RESOLVED = (NO_MATCH, REVIEW_NO_TRUTH, REVIEW_TRUTH, TOO_MANY_)
KEEP_DIAGNOSES = 400  # per category: enough to see patterns, few enough to stay quick


@dataclass(frozen=True)
class Diagnosis:
    """Why a search went wrong: what was answered, and how the right learner scored."""

    case: QueryCase
    category: str
    answered: tuple[Scored, ...]
    truth: Scored | None  # the right learner scored against the search (if on the register)
    truth_retrieved: bool  # whether blocking brought the right learner back at all


@dataclass
class OursResult:
    tally: Tally
    diagnoses: dict[str, list[Diagnosis]] = field(default_factory=dict)
    # query id -> plausible candidates (ULN, score), None for "too many": to sweep thresholds
    candidates: dict[str, list[tuple[str, float, bool]] | None] = field(default_factory=dict)
    model_version: str = ""
    auto_match: float = 0.0
    review: float = 0.0


@contextmanager
def fresh_database(workdir: Path, postgres_url: str | None) -> Iterator[str]:
    """A migrated empty database: SQLite in ``workdir``, or a throw-away database created on
    the PostgreSQL server of ``postgres_url`` and dropped afterwards."""
    if postgres_url is None:
        url = f"sqlite:///{workdir / 'quality.sqlite3'}"
    else:
        name = f"lrs_quality_{uuid.uuid4().hex[:10]}"
        admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    try:
        yield url
    finally:
        if postgres_url is not None:
            drop_database(admin, name)
            admin.dispose()


def to_query(case: QueryCase) -> Query:
    return Query(
        given_name=case.given_name,
        family_name=case.family_name,
        date_of_birth=case.date_of_birth,
        gender=case.gender,
        postcode=case.postcode,
        previous_family_name=case.previous_family_name,
    )


def answer_of(found: Found) -> Answer:
    learners = found.learners()
    return Answer(
        FROM_API[found.decision.outcome.code],
        tuple(master.uln for _, _, master in learners),
        learners[0][0].score if learners else None,
    )


def _diagnose(session: Session, case: QueryCase, category: str, found: Found) -> Diagnosis:
    query = to_query(case)
    truth = truth_retrieved = None
    if case.expected_uln is not None:
        learner = session.scalar(select(Learner).where(Learner.uln == case.expected_uln))
        if learner is not None:
            model = current_model(get_settings().match_model_version)
            truth = score(query, to_record(learner), model, store.frequencies(session, query))
            retrieved = STORE.candidates(session, query).rows
            truth_retrieved = any(c.id == learner.id for c in retrieved)
    return Diagnosis(case, category, found.decision.matches, truth, bool(truth_retrieved))


def _import(db: Database, csv_path: Path) -> float:
    created = orgs.create_organisation(
        db.unit_of_work(), name="Quality bench admins", ukprn="10000000", kind="admin"
    )
    actor = orgs.authenticate(db.unit_of_work(), created.api_key)
    started = time.perf_counter()
    with csv_path.open(encoding="utf-8", newline="") as source:
        report = import_learners(db.unit_of_work(), actor, source, source_name=csv_path.name)
    seconds = time.perf_counter() - started
    if report.rejected:
        first = report.errors[:3]
        raise SystemExit(f"import rejected {report.rejected} rows, e.g. {first}")
    print(f"  imported {report.loaded:,} learners (keys filed, names counted) in {seconds:.1f} s")
    return seconds


def run(
    url: str,
    register_csv: Path,
    cases: list[QueryCase],
    progress: Callable[[int, int, float], None],
) -> OursResult:
    engine = make_engine(url)
    db = Database(engine)
    try:
        tally = Tally("ours")
        tally.seconds["import (keys, name counts)"] = _import(db, register_csv)
        model = current_model(get_settings().match_model_version)
        result = OursResult(tally, {}, {}, model.version, model.auto_match, model.review)
        started = time.perf_counter()
        with db.session_factory() as session:
            for n, case in enumerate(cases, 1):
                found = find(session, to_query(case), model)
                result.candidates[case.query_id] = (
                    None
                    if found.decision.outcome is Outcome.TOO_MANY
                    else [
                        (m.uln, scored.score, scored.can_auto_match)
                        for scored, _, m in found.learners()
                    ]
                )
                category = classify(case.expected_uln, answer_of(found))
                tally.add(case.scenario, case.expected_uln, category, case.query_id)
                wrong = category == FALSE_EXACT or (
                    category in NOT_RESOLVED if case.expected_uln else category != NO_MATCH
                )
                kept = result.diagnoses.setdefault(category, [])
                if wrong and len(kept) < KEEP_DIAGNOSES:
                    kept.append(_diagnose(session, case, category, found))
                if n % 1000 == 0 or n == len(cases):
                    session.rollback()  # a read-only transaction; let SQLite's WAL move on
                    progress(n, len(cases), time.perf_counter() - started)
        tally.seconds["searching"] = time.perf_counter() - started
        return result
    finally:
        engine.dispose()
