"""file every learner under the home key of version 4 (family name's sound + postcode), and
count how many learners' forenames start with each of their first 2 to 6 letters

Revision ID: 0010
Revises: 0009

Version 4 of the blocking keys adds one kind, ``fp``: a search whose given name is misspelt
into another sound *and* whose date of birth is wrong still finds a learner at home. The
other kinds are unchanged, so only the new keys are added. The counts of forename starts
(``name_frequencies`` rows of field ``forename_start``) weigh a forename written as its first
letters ("Stu" for Stuart) by how common those letters are; ``lrs match frequencies``
refreshes them with the other counts.

Self-contained, as 0004 is: the keys and counts are worked out by a frozen copy of the code
that defined them, not by importing ``matching``. Only libraries are imported.
"""

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import jellyfish
import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    conn = op.get_bind()
    _file_homes(conn)
    _count_starts(conn)


def downgrade() -> None:
    """The home keys are 64-bit hashes among the others and cannot be told apart: run
    ``lrs match reindex`` with the code of version 3 to drop them. The start counts go."""
    op.get_bind().execute(sa.delete(_NAMES).where(_NAMES.c.field == _START_FIELD))


# --- Frozen copy of the version-4 home key and of the counts of forename starts. ----------
# From matching.blocking, matching.normalise, core.text (name folding), core.postcodes,
# matching.store and core.bulk as they were when this migration was written. Do not "fix" or
# share it: it must file and count exactly as it always has.

_CHUNK = 5000
_START_FIELD = "forename_start"
_STARTS = range(2, 7)
_LEARNERS = sa.table(
    "learners",
    sa.column("id", sa.BigInteger),
    sa.column("status", sa.String),
    sa.column("given_name", sa.String),
    sa.column("preferred_given_name", sa.String),
    sa.column("family_name", sa.String),
    sa.column("previous_family_name", sa.String),
    sa.column("family_name_at_age_16", sa.String),
    sa.column("postcode", sa.String),
)
_MATCH_KEYS = sa.table(
    "learner_match_keys", sa.column("key", sa.BigInteger), sa.column("learner_id", sa.BigInteger)
)
_NAMES = sa.table(
    "name_frequencies",
    sa.column("field", sa.String),
    sa.column("name", sa.String),
    sa.column("learners", sa.Integer),
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


def _home(postcode: str | None) -> str | None:
    if not postcode or postcode == _UNKNOWN_POSTCODE or postcode.startswith("BFPO"):
        return None
    _, _, inward = postcode.partition(" ")
    return postcode if inward else None


def _home_keys(learner: Any) -> set[str]:
    """The version-4 home keys of a learner, as text."""
    postcode = _home(learner.postcode)
    if postcode is None:
        return set()
    families = (
        _family_sounds(learner.family_name)
        | _family_sounds(learner.previous_family_name)
        | _family_sounds(learner.family_name_at_age_16)
    )
    return {f"fp|{f}|{postcode}" for f in families}


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


def _file_homes(conn: sa.Connection) -> None:
    """Add every learner's home keys, a chunk at a time, in key order."""
    chunk: list[Any] = []
    for learner in conn.execute(sa.select(_LEARNERS).execution_options(yield_per=_CHUNK)):
        chunk.append(learner)
        if len(chunk) >= _CHUNK:
            _file(conn, chunk)
            chunk = []
    _file(conn, chunk)
    _analyze(conn, _MATCH_KEYS)


def _file(conn: sa.Connection, learners: list[Any]) -> None:
    rows = [
        {"key": key, "learner_id": learner.id}
        for learner in learners
        for key in sorted({_hash_key(k) for k in _home_keys(learner)})
    ]
    rows.sort(key=lambda row: (row["key"], row["learner_id"]))
    for i in range(0, len(rows), _CHUNK * 5):
        _insert(conn, _MATCH_KEYS, rows[i : i + _CHUNK * 5])


def _first_forename(name: str | None) -> str:
    words = _words(name)
    return words[0] if words else ""


def _count_starts(conn: sa.Connection) -> None:
    """Count, over the active learners, the starts of their forename and preferred name."""
    starts: Counter[str] = Counter()
    names = sa.select(_LEARNERS.c.given_name, _LEARNERS.c.preferred_given_name).where(
        _LEARNERS.c.status == "active"
    )
    for given, preferred in conn.execute(names.execution_options(yield_per=_CHUNK)):
        forenames = {_first_forename(given), _first_forename(preferred)}
        starts.update({f[:n] for f in forenames for n in _STARTS if len(f) >= n})
    conn.execute(sa.delete(_NAMES).where(_NAMES.c.field == _START_FIELD))
    rows = [{"field": _START_FIELD, "name": n, "learners": c} for n, c in starts.items() if n]
    for i in range(0, len(rows), _CHUNK * 5):
        _insert(conn, _NAMES, rows[i : i + _CHUNK * 5])
    _analyze(conn, _NAMES)
