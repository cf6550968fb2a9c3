"""re-file every learner under the blocking keys of version 3 (family + given + year and
month, and + year and day, instead of family + given + birth year, whose blocks held hundreds
of learners with a common name at national scale)

Revision ID: 0004
Revises: 0003

Self-contained: the keys are worked out by a frozen copy, below, of the code that defined
version 3, not by importing ``matching``. A migration must do forever what it did when it was
written, on the schema of its own revision: the live code moves on (the next version of the
keys comes with a migration of its own), and importing it would have this one file learners
under keys it never knew, or fail when a name it used is moved. Only libraries are imported.
"""

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from typing import Any

import jellyfish
import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    _rebuild_keys(op.get_bind())


def downgrade() -> None:
    """Re-file under the version-2 keys needs the version-2 code: restore it, then run
    ``lrs match reindex``. Until then searches with a wrong day or month may miss learners."""


# --- Frozen copy of the version-3 blocking keys and of re-filing learners under them. -------
# From matching.blocking, matching.normalise, core.text (name folding), core.postcodes (the
# sector), matching.store (re-filing) and core.bulk (the insert) as they were when this
# migration was made self-contained. Do not "fix" or share it: it must file learners exactly
# as it always has.

_CHUNK = 5000
_LEARNERS = sa.table(
    "learners",
    sa.column("id", sa.BigInteger),
    sa.column("status", sa.String),
    sa.column("given_name", sa.String),
    sa.column("preferred_given_name", sa.String),
    sa.column("family_name", sa.String),
    sa.column("previous_family_name", sa.String),
    sa.column("family_name_at_age_16", sa.String),
    sa.column("date_of_birth", sa.Date),
    sa.column("postcode", sa.String),
)
_MATCH_KEYS = sa.table(
    "learner_match_keys", sa.column("key", sa.BigInteger), sa.column("learner_id", sa.BigInteger)
)
_FOLD_SPECIAL = str.maketrans(
    {
        "ø": "o",
        "Ø": "o",
        "ł": "l",
        "Ł": "l",
        "ß": "ss",
        "ẞ": "ss",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "Ð": "d",
        "þ": "th",
        "Þ": "th",
        "ı": "i",
        "ħ": "h",
        "Ħ": "h",
    }
)
_APOSTROPHE_RE = re.compile("['\u2019\u2018\u02bc`\u00b4]")
_NOT_LETTER_RE = re.compile(r"[^\w]|[\d_]")
_SPACES_RE = re.compile(r"\s+")
_UNKNOWN_POSTCODE = "ZZ99 9ZZ"


@lru_cache(maxsize=1 << 17)
def _fold(value: str) -> str:
    value = unicodedata.normalize("NFKC", value).translate(_FOLD_SPECIAL)
    value = "".join(
        ch for ch in unicodedata.normalize("NFKD", value) if not unicodedata.combining(ch)
    )
    value = value.casefold().translate(_FOLD_SPECIAL)
    value = _APOSTROPHE_RE.sub("", value)
    value = _NOT_LETTER_RE.sub(" ", value)
    return _SPACES_RE.sub(" ", value).strip()


def _words(name: str | None) -> list[str]:
    folded = _fold(name) if name else ""
    return folded.split(" ") if folded else []


@lru_cache(maxsize=1 << 16)
def _family_key(name: str | None) -> str:
    key = _fold(name).replace(" ", "") if name else ""
    return "mac" + key[2:] if key.startswith("mc") else key


@lru_cache(maxsize=1 << 16)
def _phonetic(word: str) -> str:
    if not word.isascii() or not word.isalpha():
        return word
    return jellyfish.metaphone(word) or jellyfish.nysiis(word) or word


def _family_sounds(name: str | None) -> set[str]:
    if not name:
        return set()
    sounds = {_phonetic(_family_key(name))}
    parts = [w for w in _words(name) if len(w) > 2]
    if len(parts) > 1:
        sounds.update(_phonetic(_family_key(p)) for p in parts)
    return sounds - {""}


def _given_sounds(*names: str | None) -> set[str]:
    return {_phonetic(w[0]) for n in names if (w := _words(n))} - {""}


def _sector(postcode: str | None) -> str | None:
    if not postcode or postcode == _UNKNOWN_POSTCODE or postcode.startswith("BFPO"):
        return None
    outward, _, inward = postcode.partition(" ")
    return f"{outward} {inward[0]}" if inward else None


def _record_keys(learner: Any) -> set[str]:
    """The keys a learner is filed under (version 3), as text."""
    family = _family_sounds(learner.family_name)
    dob_family = (
        family
        | _family_sounds(learner.previous_family_name)
        | _family_sounds(learner.family_name_at_age_16)
    )
    given = _given_sounds(learner.given_name, learner.preferred_given_name)
    area = _sector(learner.postcode)
    d: date = learner.date_of_birth
    keys = {f"df|{d.isoformat()}|{f}" for f in dob_family}
    keys.update(f"dg|{d.isoformat()}|{g}" for g in given)
    if area:
        keys.add(f"ds|{d.isoformat()}|{area}")
        keys.update(f"gs|{g}|{area}" for g in given)
    for f in family:
        for g in given:
            keys.add(f"fgm|{f}|{g}|{d.month:02}-{d.day:02}")
            keys.add(f"fym|{f}|{g}|{d.year}-{d.month:02}")
            keys.add(f"fyd|{f}|{g}|{d.year}-{d.day:02}")
            if area:
                keys.add(f"fgs|{f}|{g}|{area}")
    return keys


def _hash_key(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), signed=True)


def _insert(conn: sa.Connection, table: sa.TableClause, rows: list[dict[str, Any]]) -> None:
    """COPY on PostgreSQL (200 rows or more), an executemany INSERT otherwise."""
    if not rows:
        return
    if conn.dialect.name != "postgresql" or len(rows) < 200:
        conn.execute(sa.insert(table), rows)
        return
    columns = list(rows[0])
    quoted = ", ".join(conn.dialect.identifier_preparer.quote(c) for c in columns)
    raw: Any = conn.connection.dbapi_connection
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY {table.name} ({quoted}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row([row[c] for c in columns])


def _analyze(conn: sa.Connection, table: sa.TableClause) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text(f"ANALYZE {table.name}"))


def _file_learners(conn: sa.Connection, learners: list[Any]) -> None:
    """File a chunk of learners in key order (each index page written once, not per learner)."""
    rows = [
        {"key": key, "learner_id": learner.id}
        for learner in learners
        for key in sorted({_hash_key(k) for k in _record_keys(learner)})
    ]
    rows.sort(key=lambda row: (row["key"], row["learner_id"]))
    for i in range(0, len(rows), _CHUNK * 5):
        _insert(conn, _MATCH_KEYS, rows[i : i + _CHUNK * 5])


def _rebuild_keys(conn: sa.Connection) -> None:
    """Re-file every learner under the version-3 keys."""
    conn.execute(sa.delete(_MATCH_KEYS))
    chunk: list[Any] = []
    for learner in conn.execute(sa.select(_LEARNERS).execution_options(yield_per=_CHUNK)):
        chunk.append(learner)
        if len(chunk) >= _CHUNK:
            _file_learners(conn, chunk)
            chunk = []
    _file_learners(conn, chunk)
    _analyze(conn, _MATCH_KEYS)
