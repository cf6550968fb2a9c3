"""The migrations that file the learners already on the register (0002: keys and name counts;
0004: keys again, of version 3; 0010: the home keys of version 4 and the counts of forename
starts), on SQLite and PostgreSQL. They carry frozen copies of the
code, so these check that the copies file and count exactly as the live store does."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, delete, insert, select

from open_lrs.core import migrate
from open_lrs.core.db import Database, make_engine
from open_lrs.demo.population import generate_register
from open_lrs.learners.matching_store import STORE, to_record
from open_lrs.learners.models import Learner
from open_lrs.matching import blocking
from open_lrs.matching.models import LearnerMatchKey, NameFrequency

NOW = datetime(2026, 1, 1, tzinfo=UTC)
# Names that folding, phonetic codes and postcode sectors treat specially.
ODD_NAMES = ["Ó Súilleabháin-O'Neill", "McDonald", "Mc Donald", "李小龍", "Nguyễn Thị", "Ħal Ðoe"]
ODD_POSTCODES = ["ZZ99 9ZZ", "BFPO 12", "GIR 0AA", "M1 1AE"]


def _keys(db: Database, uln: str) -> set[int]:
    with db.unit_of_work() as uow:
        learner_id = uow.session.scalar(select(Learner.id).where(Learner.uln == uln))
        return set(
            uow.session.scalars(
                select(LearnerMatchKey.key).where(LearnerMatchKey.learner_id == learner_id)
            )
        )


def _expected_keys(db: Database, uln: str) -> set[int]:
    with db.unit_of_work() as uow:
        learner = uow.session.scalar(select(Learner).where(Learner.uln == uln))
        return set(blocking.hashed(blocking.record_keys(to_record(learner))))


def test_the_migration_files_learners_already_on_the_register(fresh_database_url: str) -> None:
    engine = make_engine(fresh_database_url)
    migrate.downgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(
            insert(Learner.__table__),
            [
                {
                    "uln": "1234567899",
                    "status": "active",
                    "given_name": "Oisín",
                    "family_name": "Murphy",
                    "date_of_birth": date(2004, 3, 2),
                    "gender": "1",
                    "postcode": "BT9 5AA",
                    "given_name_key": "oisin",
                    "family_name_key": "murphy",
                    "version": 1,
                    "created_at": datetime(2026, 1, 1, tzinfo=UTC),
                    "updated_at": datetime(2026, 1, 1, tzinfo=UTC),
                }
            ],
        )
    migrate.upgrade(engine)
    db = Database(engine)
    assert _keys(db, "1234567899") == _expected_keys(db, "1234567899")
    with engine.begin() as conn:
        assert STORE.rebuild_keys(conn) == 1
    assert _keys(db, "1234567899") == _expected_keys(db, "1234567899")
    engine.dispose()


def _register(count: int) -> list[dict[str, Any]]:
    """``count`` learners at revision 0001, some with odd names or postcodes, some linked."""
    rng = random.Random(5)
    rows = []
    for i, p in enumerate(generate_register(count, seed=5, today=date(2026, 1, 1)), start=1):
        row = {
            "id": i,
            "uln": p.uln,
            "status": "linked" if i % 17 == 0 else "active",
            "master_id": 1 if i % 17 == 0 else None,
            "given_name": p.given_name,
            "family_name": p.family_name,
            "preferred_given_name": p.preferred_given_name,
            "previous_family_name": p.previous_family_name,
            "family_name_at_age_16": rng.choice(ODD_NAMES) if i % 11 == 0 else None,
            "date_of_birth": p.date_of_birth,
            "gender": p.gender,
            "postcode": rng.choice(ODD_POSTCODES) if i % 7 == 0 else p.postcode,
            "given_name_key": "",
            "family_name_key": "",
            "version": 1,
            "created_at": NOW,
            "updated_at": NOW,
        }
        if i % 5 == 0:
            row[rng.choice(["given_name", "family_name"])] = rng.choice(ODD_NAMES)
        rows.append(row)
    return rows


def _filed(engine: Engine) -> tuple[set[Any], set[Any]]:
    with engine.connect() as conn:
        keys = set(conn.execute(select(LearnerMatchKey.key, LearnerMatchKey.learner_id)))
        names = select(NameFrequency.field, NameFrequency.name, NameFrequency.learners)
        return keys, set(conn.execute(names))


def test_the_migrations_file_and_count_as_the_live_store_does(fresh_database_url: str) -> None:
    engine = make_engine(fresh_database_url)
    migrate.downgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(insert(Learner.__table__), _register(300))  # COPY on PostgreSQL
    migrate.upgrade(engine, "0002")
    by_0002 = _filed(engine)
    with engine.begin() as conn:  # 0004 must file every learner again by itself
        conn.execute(delete(LearnerMatchKey))
    migrate.upgrade(engine, "0009")
    by_0004 = _filed(engine)
    migrate.upgrade(engine)  # 0010: the home keys and the counts of forename starts
    by_0010 = _filed(engine)
    with engine.begin() as conn:
        assert STORE.rebuild_keys(conn) == 300
        assert STORE.refresh_frequencies(conn) == 300 - 300 // 17
    live = _filed(engine)
    assert len(live[0]) > 300 * 5
    assert by_0002 == by_0004
    assert by_0004[0] < by_0010[0]
    assert by_0004[1] < by_0010[1]
    assert by_0010 == live
    engine.dispose()
