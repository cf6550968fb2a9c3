"""Matching's tables: filing learners under their blocking keys, reading candidates back, and
counting how common names are. Runs inside the caller's transaction; never commits.

Matching is an engine that the learners package uses, so it must not import the learners'
table back (an import loop, and an engine tied to one caller). What needs that table (reading
candidates, re-filing every learner, counting names, sampling) is a ``Store``, made once at
import time by the package that owns the table (``learners.matching_store``) from the table
and the status that means "active". Its statements are built in its constructor: still once
per process, and a search is still one round trip. What needs only matching's own tables
(filing one learner's keys, reading name counts) stays a plain function.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    FromClause,
    Integer,
    Select,
    String,
    Table,
    bindparam,
    delete,
    func,
    insert,
    literal_column,
    or_,
    select,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from open_lrs.core import bulk
from open_lrs.matching import blocking
from open_lrs.matching.comparisons import START_MIN_LETTERS
from open_lrs.matching.models import TOTAL, LearnerMatchKey, NameFrequency
from open_lrs.matching.normalise import family_key, words
from open_lrs.matching.scoring import (
    START_COUNTED_LETTERS,
    START_FIELD,
    Frequency,
    Query,
    Record,
)

# A search never scores more learners than this, whatever the keys bring back; real searches
# bring back tens. It bounds the cost of a pathological query (the commonest names at once).
MAX_CANDIDATES = 1000
# A kind of key (blocking.KINDS) is common to a search when more learners than this are filed
# under its keys of that kind, all together: a learner found under one such key and under no
# other is not a candidate. On a national register about 2,500 learners share a birth date,
# and a search has a key for each form of its given name (Molly: Mary, Polly, Peggy...) and
# for its date with day and month swapped, so "born that day, called something like Molly" is
# a hundred learners, most sharing nothing else with the search. A learner sharing one key of a
# common kind weighs too little to reach review unless another detail is a near miss as well
# (docs/matching.md, "Common keys").
COMMON = 16
# Below this many learners, name counts say little about how common a name is in the country.
MIN_LEARNERS_FOR_FREQUENCIES = 10_000
FORENAME, FAMILY_NAME = "forename", "family_name"
# What the scorer reads of a learner: Record's fields after its key, in Record's order.
RECORD_FIELDS = tuple(f.name for f in fields(Record))[1:]
_RECORD_WIDTH = 1 + len(RECORD_FIELDS)  # a candidate row's id, then what the scorer reads
_CHUNK = 5000


def values_record(learner_id: int, values: Mapping[str, Any]) -> Record:
    """A learner being inserted (column values by name) as the scorer sees it."""
    fields: dict[str, Any] = {f: values.get(f) for f in RECORD_FIELDS}
    return Record(learner_id, **fields)


def changes_keys(fields: Iterable[str]) -> bool:
    """Whether changing these learner fields changes what matching sees."""
    return not set(RECORD_FIELDS).isdisjoint(fields)


def keys_of(record: Record) -> list[int]:
    """The keys a learner is filed under, hashed."""
    return blocking.hashed(blocking.record_keys(record))


def key_rows(learner_id: int, record: Record) -> list[dict[str, int]]:
    return [{"key": k, "learner_id": learner_id} for k in keys_of(record)]


# PostgreSQL: a learner's keys go in as one array, in one statement (an executemany sends a
# statement per key, which took longer than everything else a registration writes).
_FILE_UNDER_KEYS = insert(LearnerMatchKey).from_select(
    ["key", "learner_id"],
    select(
        func.unnest(bindparam("keys", type_=postgresql.ARRAY(BigInteger))),
        bindparam("learner_id", type_=BigInteger),
    ),
)


def index_learner(session: Session, learner_id: int, record: Record, *, new: bool = False) -> None:
    """File a learner under its keys, replacing any a changed learner had (a new one has
    none, which saves a statement per registration)."""
    if not new:
        session.execute(delete(LearnerMatchKey).where(LearnerMatchKey.learner_id == learner_id))
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(_FILE_UNDER_KEYS, {"keys": keys_of(record), "learner_id": learner_id})
    else:
        bulk.insert_many(conn, LearnerMatchKey, key_rows(learner_id, record))


def index_records(conn: Connection, records: Iterable[Record]) -> None:
    """File many new learners (``record.key`` is the learner id) in bulk, in key order: each
    page of the keys' index is then written once, not once per learner filed on it, which is
    what keeps loading ten million learners from slowing down as the index outgrows memory."""
    rows: list[dict[str, int]] = []
    for record in records:
        assert isinstance(record.key, int)
        rows.extend(key_rows(record.key, record))
    rows.sort(key=lambda row: (row["key"], row["learner_id"]))
    for i in range(0, len(rows), _CHUNK * 5):
        bulk.insert_many(conn, LearnerMatchKey, rows[i : i + _CHUNK * 5])


def first_forename(given_name: str | None) -> str:
    w = words(given_name)
    return w[0] if w else ""


def _name_count(field: str, name: str) -> Any:
    """How many learners have the name bound to ``name`` in ``field``: a scalar subquery."""
    return (
        select(NameFrequency.learners)
        .where(NameFrequency.field == field, NameFrequency.name == bindparam(name))
        .scalar_subquery()
    )


# The lengths of the starts of a forename that are counted: a shared start is the searched
# forename itself or one of its starts, so a search needs the counts of these few.
_STARTS = range(START_MIN_LETTERS, START_COUNTED_LETTERS + 1)


def starts_of(forename: str) -> set[str]:
    """The starts of a folded forename that are counted ("ja", "jam", "jame", "james")."""
    return {forename[:n] for n in _STARTS if len(forename) >= n}


def _counted_names(query: Query) -> dict[str, str]:
    """The names whose counts a search's term-frequency weights need, as bound parameters."""
    forename = first_forename(query.given_name)
    return {
        "name_all": TOTAL,
        "name_forename": forename,
        "name_family": family_key(query.family_name),
        **{f"name_start_{n}": forename[:n] for n in _STARTS},
    }


def _frequency(
    names: Mapping[str, str],
    all_: int | None,
    forename: int | None,
    family: int | None,
    *starts: int | None,
) -> Frequency:
    """The scorer's term frequencies from the counts of the searched names (``names``, from
    ``_counted_names``; ``starts``: of the forename's starts, in ``_STARTS``' order): how common
    each is on the register (share of learners), or None while the register is too small for
    counts to mean much."""
    counts = {
        (FORENAME, names["name_forename"]): forename,
        (FAMILY_NAME, names["name_family"]): family,
    }
    for n, count in zip(_STARTS, starts, strict=False):  # none without a count of all
        counts[START_FIELD, names[f"name_start_{n}"]] = count
    total = all_ or 0

    def frequency(field: str, name: str) -> float | None:
        if total < MIN_LEARNERS_FOR_FREQUENCIES or not name:
            return None
        count = counts.get((field, name))
        if count is None and field == START_FIELD:
            # Starts not counted (yet): the model's own u, not "as rare as can be".
            return None
        return max(count or 0, 1) / total

    return frequency


# The searched names' counts ride along on every candidate row (uncorrelated subqueries,
# computed once), so a search reads its candidates and its term frequencies in one round trip.
_COUNTS = (
    _name_count(FORENAME, "name_all").label("count_all"),
    _name_count(FORENAME, "name_forename").label("count_forename"),
    _name_count(FAMILY_NAME, "name_family").label("count_family"),
    *(_name_count(START_FIELD, f"name_start_{n}").label(f"count_start_{n}") for n in _STARTS),
)
# The search's keys as rows of (key, kind), kind being a number (its place in blocking.KINDS),
# bound as one parameter however many keys there are: the statement's text never changes, so
# it is compiled and prepared once, not once per number of keys (an IN list of parameters
# made a new statement for nearly every search). SQLite reads a JSON array of [key, kind]
# pairs (JSON functions, checked in core.db); PostgreSQL unnests two arrays.
_SEARCHED_PAIRS = func.json_each(bindparam("searched", type_=String)).table_valued(
    "value", name="searched"
)
_SEARCHED_ARRAYS = (
    func.unnest(
        bindparam("searched_keys", type_=postgresql.ARRAY(BigInteger)),
        bindparam("searched_kinds", type_=postgresql.ARRAY(Integer)),
    )
    .table_valued("key", "kind")
    .render_derived(name="searched")
)
_SEARCHED = {
    "sqlite": (
        _SEARCHED_PAIRS,
        func.json_extract(_SEARCHED_PAIRS.c.value, literal_column("'$[0]'"), type_=BigInteger),
        func.json_extract(_SEARCHED_PAIRS.c.value, literal_column("'$[1]'"), type_=Integer),
    ),
    "postgresql": (_SEARCHED_ARRAYS, _SEARCHED_ARRAYS.c.key, _SEARCHED_ARRAYS.c.kind),
}


def _candidate_rows(
    learners: Table, searched: FromClause, key: ColumnElement[int], kind: ColumnElement[int]
) -> Select[Any]:
    """The candidates' rows: the learners filed under the search's keys, each with how many
    learners are filed under the search's keys of the same kind; a learner is a candidate if
    it shares two keys or more with the search, or one of a kind that is not common
    (COMMON). Worked out in the database, from the keys' index alone: only the candidates'
    rows are read. In the order the learners were registered (id), so that candidates the
    scorer cannot tell apart are listed in the same order on every backend (PostgreSQL
    otherwise returns them in whatever order its plan meets them)."""
    hits = (
        select(LearnerMatchKey.learner_id, func.count().over(partition_by=kind).label("sharing"))
        .select_from(searched)
        .join(LearnerMatchKey, LearnerMatchKey.key == key)
        .subquery("hits")
    )
    chosen = (
        select(hits.c.learner_id)
        .group_by(hits.c.learner_id)
        .having(or_(func.count() > 1, func.min(hits.c.sharing) <= COMMON))
        .limit(MAX_CANDIDATES)
    )
    return (
        select(*(learners.c[f] for f in ("id", *RECORD_FIELDS, "status", "master_id")), *_COUNTS)
        .where(learners.c.id.in_(chosen.scalar_subquery()))
        .order_by(learners.c.id)
    )


_NAME_COUNTS = select(*_COUNTS)


@dataclass(frozen=True)
class Candidates:
    """The learners sharing keys with a search, those sharing one key of a common kind aside
    (``COMMON``): rows of the id and what the scorer reads (a Record's values, in its order),
    then status and master_id; and the searched names' frequencies."""

    rows: Sequence[Any]
    frequency: Frequency
    learners: int | None  # on the register when names were last counted; None: no candidates

    def records(self) -> list[Record]:
        """The candidates as the scorer sees them. A row begins with a Record's values, in
        its order (``_candidate_rows``): taken by position, which is a quarter of the time
        taking them by name was, for every candidate of every search."""
        return [Record(*row[:_RECORD_WIDTH]) for row in self.rows]


def _keys_searched(query: Query, dialect: str) -> dict[str, Any]:
    """The parameters of ``_SEARCHED``: the search's keys, hashed, with their kinds."""
    by_kind = blocking.hashed_by_kind(blocking.query_keys(query))
    pairs = [(key, n) for n, kind in enumerate(blocking.KINDS) for key in by_kind[kind]]
    if dialect == "postgresql":
        return {"searched_keys": [k for k, _ in pairs], "searched_kinds": [n for _, n in pairs]}
    return {"searched": json.dumps(pairs)}


def frequencies(session: Session, query: Query) -> Frequency:
    """The searched names' frequencies alone, to score a learner who is not a candidate."""
    names = _counted_names(query)
    return _frequency(names, *session.execute(_NAME_COUNTS, names).one())


def count_keys(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(LearnerMatchKey)) or 0)


class Store:
    """Matching on a register of learners: ``learners`` is its table (with an ``id``, a
    Record's fields by name, ``status`` and ``master_id``), ``active`` the status of the
    learners whose names are counted. Make one per process: the statements are built here."""

    def __init__(self, learners: Table, *, active: str) -> None:
        self.learners = learners
        columns = learners.c
        # Plain rows, not ORM objects: a search may read hundreds, and building objects for
        # them costs more than scoring them.
        self._candidate_rows = {
            dialect: _candidate_rows(learners, *source) for dialect, source in _SEARCHED.items()
        }
        self._records = select(*(columns[f] for f in ("id", *RECORD_FIELDS)))
        self._names = select(
            columns.given_name, columns.preferred_given_name, columns.family_name
        ).where(columns.status == active)
        self._active_ids = select(columns.id).where(columns.status == active)
        self._count = select(func.count()).select_from(learners)

    def candidates(self, session: Session, query: Query) -> Candidates:
        names = _counted_names(query)
        dialect = session.get_bind().dialect.name
        rows = session.execute(
            self._candidate_rows[dialect], {**_keys_searched(query, dialect), **names}
        ).all()
        if not rows:  # nobody to score: how common the names are does not matter
            return Candidates(rows, _frequency(names, None, None, None), None)
        first = rows[0]
        counts = first[-len(_COUNTS) :]  # count_all, count_forename, count_family, the starts
        return Candidates(rows, _frequency(names, *counts), first.count_all)

    def rebuild_keys(self, conn: Connection) -> int:
        """Re-file every learner (after the keys' definition changes). Returns how many."""
        conn.execute(delete(LearnerMatchKey))
        count = 0
        batch: list[Record] = []
        for row in conn.execute(self._records.execution_options(yield_per=_CHUNK)):
            batch.append(Record(*row))  # the id, then a Record's values in its order
            count += 1
            if len(batch) >= _CHUNK:
                index_records(conn, batch)
                batch = []
        index_records(conn, batch)
        bulk.refresh_statistics(conn, LearnerMatchKey)
        return count

    def refresh_frequencies(self, conn: Connection) -> int:
        """Count forenames and family names over the active learners, replacing the old counts.

        A learner counts under their first given name and under the name they prefer: a search
        agrees exactly with either, so how common "Seoras" is must count the Georges known as
        Seoras, or agreeing on it would weigh as if hardly anyone were called that. The starts
        of those names are counted too (``starts_of``): a forename written as its first letters
        weighs by how many learners' names begin with them."""
        forenames: Counter[str] = Counter()
        starts: Counter[str] = Counter()
        families: Counter[str] = Counter()
        total = 0
        result = conn.execute(self._names.execution_options(yield_per=_CHUNK))
        for given, preferred, family in result:
            names = {first_forename(given), first_forename(preferred)}
            forenames.update(names)
            starts.update(set().union(*map(starts_of, names)))
            families[family_key(family)] += 1
            total += 1
        conn.execute(delete(NameFrequency))
        rows = [{"field": FORENAME, "name": TOTAL, "learners": total}]
        for field, counter in (
            (FORENAME, forenames),
            (START_FIELD, starts),
            (FAMILY_NAME, families),
        ):
            rows += [{"field": field, "name": n, "learners": c} for n, c in counter.items() if n]
        bulk.insert_many(conn, NameFrequency, rows)
        bulk.refresh_statistics(conn, NameFrequency)
        return total

    def active_ids(self, session: Session) -> list[int]:
        return list(session.scalars(self._active_ids))

    def records(self, session: Session, ids: Sequence[int]) -> list[Record]:
        """The learners with these ids as the scorer sees them (ids in chunks of 1,000)."""
        records: list[Record] = []
        for part in bulk.chunks(ids, 1000):
            rows = session.execute(self._records.where(self.learners.c.id.in_(part)))
            records.extend(Record(*row) for row in rows)
        return records

    def count(self, session: Session) -> int:
        """How many learners there are, whatever their status."""
        return int(session.scalar(self._count) or 0)
