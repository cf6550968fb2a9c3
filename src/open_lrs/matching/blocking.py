"""Blocking keys: which learners a search looks at, so that it reads a few rows, not millions.

Every learner is filed under a handful of keys; a search asks for the keys its details could
share with the learner it looks for, and scores only the learners filed under them. Each key
survives different mistakes, so that together they miss a learner only when most of the
details are wrong:

==========================================  ===================================================
key                                         still finds the learner when...
==========================================  ===================================================
date of birth + family name's sound         the given name is a nickname, a middle name or
                                            misspelt; they moved. Also filed under previous
                                            family names and each part of a double-barrelled
                                            name: married, or known by one part.
family sound + given sound + year and      the day of birth is wrong
month of birth
family sound + given sound + year and day   the month of birth is wrong
of birth
date of birth + postcode sector             married and the family name changed, nickname
date of birth + given name's sound          married and moved
family sound + given sound + postcode       the date of birth is wrong beyond its year
sector
family sound + given sound + day and month  the year of birth is wrong by any amount
given sound + postcode sector               the family name is misspelt (another sound) and
                                            the date of birth is wrong, at the same address
family sound + postcode (the home)          the given name is misspelt into another sound *and*
                                            the date of birth is wrong: "Cery" for Cerys, born
                                            the 25th, not the 28th (version 4)
==========================================  ===================================================

Year and month, and year and day, replaced one key on the birth year alone (version 3): at
national scale a common name in one year is hundreds of learners (Mohammed Ali, born 2011),
and scoring them all made the slowest searches ten times slower than the median.

A search also tries its given name as the family name (names written the wrong way round),
the day and month swapped, and every form of its given name in the nickname table.

A kind of key that many learners share (a birth date and a common forename's sound, on a
national register) finds a learner only together with another key: ``store.COMMON``.

Keys are 64-bit hashes of text such as ``df|2008-03-14|SM0``: small to index on both SQLite and
PostgreSQL, and a rare collision only adds a candidate that the scorer then sees is someone
else.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date

from open_lrs.core.postcodes import postcode_parts, postcode_sector
from open_lrs.matching.dates import with_swapped
from open_lrs.matching.nicknames import forms_of
from open_lrs.matching.normalise import family_key, phonetic, words
from open_lrs.matching.scoring import Query, Record

# Changing the keys needs a migration that re-files every learner under them, with its own
# frozen copy of the new keys (as 0004 has); ``lrs match reindex`` re-files with this code.


# The kinds of key, as their text begins (``df|2008-03-14|SM0``).
KINDS = ("df", "dg", "ds", "gs", "fgm", "fym", "fyd", "fgs", "fp")


def hash_key(text: str) -> int:
    """A signed 64-bit integer (fits BIGINT) for a key's text."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), signed=True)


def family_sounds(name: str | None) -> set[str]:
    """The sound of the whole family name and, for a name of several parts, of each part."""
    if not name:
        return set()
    sounds = {phonetic(family_key(name))}
    parts = [w for w in words(name) if len(w) > 2]
    if len(parts) > 1:
        sounds.update(phonetic(family_key(p)) for p in parts)
    return sounds - {""}


def given_sounds(*names: str | None) -> set[str]:
    return {phonetic(w[0]) for n in names if (w := words(n))} - {""}


def sector(postcode: str | None) -> str | None:
    """The sector of a canonical postcode (``SW1A 1``); none for unknown (ZZ99) and BFPO."""
    return postcode_sector(postcode) if postcode else None


def home(postcode: str | None) -> str | None:
    """A canonical postcode that is an address (none for unknown, ZZ99, and BFPO)."""
    return postcode if postcode and postcode_parts(postcode) else None


def _keys(
    dates: Iterable[date],
    family: set[str],
    given: set[str],
    area: str | None,
    *,
    dob_family: set[str] | None = None,
    postcode: str | None = None,
) -> set[str]:
    keys: set[str] = set()
    dates = list(dates)
    if postcode:
        keys.update(f"fp|{f}|{postcode}" for f in (dob_family or family))
    for d in dates:
        keys.update(f"df|{d.isoformat()}|{f}" for f in (dob_family or family))
        keys.update(f"dg|{d.isoformat()}|{g}" for g in given)
        if area:
            keys.add(f"ds|{d.isoformat()}|{area}")
    if area:
        keys.update(f"gs|{g}|{area}" for g in given)
    for f in family:
        for g in given:
            for d in dates:
                keys.add(f"fgm|{f}|{g}|{d.month:02}-{d.day:02}")
                keys.add(f"fym|{f}|{g}|{d.year}-{d.month:02}")
                keys.add(f"fyd|{f}|{g}|{d.year}-{d.day:02}")
            if area:
                keys.add(f"fgs|{f}|{g}|{area}")
    return keys


def record_keys(record: Record) -> set[str]:
    """The keys a learner on the register is filed under."""
    family = family_sounds(record.family_name)
    earlier = family_sounds(record.previous_family_name) | family_sounds(
        record.family_name_at_age_16
    )
    return _keys(
        [record.date_of_birth],
        family,
        given_sounds(record.given_name, record.preferred_given_name),
        sector(record.postcode),
        dob_family=family | earlier,
        postcode=home(record.postcode),
    )


def query_keys(query: Query) -> set[str]:
    """The keys under which the learner searched for may be filed."""
    given_words = words(query.given_name)
    given = {phonetic(form) for w in given_words[:1] for form in forms_of(w)} - {""}
    family = family_sounds(query.family_name) | family_sounds(query.previous_family_name)
    keys = _keys(
        with_swapped(query.date_of_birth),
        family,
        given,
        sector(query.postcode),
        postcode=home(query.postcode),
    )
    # Names the wrong way round: the given name searched for is the learner's family name.
    swapped_family = family_sounds(query.given_name)
    swapped_given = given_sounds(query.family_name)
    keys |= _keys([query.date_of_birth], swapped_family, swapped_given, None)
    return keys


def hashed(keys: Iterable[str]) -> list[int]:
    return sorted({hash_key(k) for k in keys})


def hashed_by_kind(keys: Iterable[str]) -> dict[str, list[int]]:
    """A search's keys, hashed, by kind (every kind, none for a kind it has no key of)."""
    by_kind: dict[str, set[int]] = {kind: set() for kind in KINDS}
    for key in keys:
        by_kind[key.partition("|")[0]].add(hash_key(key))
    return {kind: sorted(hashes) for kind, hashes in by_kind.items()}
