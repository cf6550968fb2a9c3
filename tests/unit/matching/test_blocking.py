"""Blocking keys: a search shares a key with the learner it looks for despite the mistakes
each kind of key is meant to survive, and no input crashes the key builders."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from open_lrs.matching import blocking
from open_lrs.matching.scoring import Query, Record

LEARNER = Record(
    key=1,
    given_name="William",
    family_name="Smith-Jones",
    date_of_birth=date(2008, 3, 4),
    gender="1",
    postcode="CF10 1EP",
    previous_family_name="Evans",
    preferred_given_name="Liam",
)
EXACT = Query("William", "Smith-Jones", date(2008, 3, 4), "1", "CF10 1EP")


def shared(query: Query, record: Record = LEARNER) -> set[str]:
    return blocking.record_keys(record) & blocking.query_keys(query)


@pytest.mark.parametrize(
    "query",
    [
        EXACT,
        replace(EXACT, given_name="Bill", postcode="M1 1AE"),  # nickname and moved
        replace(EXACT, given_name="Wiliam", date_of_birth=date(2008, 4, 3)),  # typo, swapped
        replace(EXACT, date_of_birth=date(2009, 3, 4), postcode="LS6 2AB"),  # year off, moved
        replace(EXACT, date_of_birth=date(1998, 3, 4)),  # a wrong decade: same sector
        replace(EXACT, family_name="Okafor"),  # married, same home
        replace(EXACT, family_name="Okafor", postcode="B33 8TH"),  # married and moved
        replace(EXACT, family_name="Evans", postcode="B33 8TH", given_name="Liam"),
        replace(EXACT, family_name="Jones", postcode=None, gender=None),  # one part, no postcode
        replace(EXACT, given_name="Smith-Jones", family_name="William"),  # names swapped
        replace(EXACT, family_name="Smyth-Jones"),  # sounds the same
        replace(EXACT, family_name="Smiht-Jones", date_of_birth=date(1968, 3, 4), postcode=None),
    ],
)
def test_a_search_shares_a_key_with_its_learner(query: Query) -> None:
    assert shared(query)


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        (replace(EXACT, date_of_birth=date(2008, 3, 14), postcode="LS6 2AB"), "fym"),
        (replace(EXACT, date_of_birth=date(2008, 8, 4), postcode="LS6 2AB"), "fyd"),
        (replace(EXACT, date_of_birth=date(2009, 3, 4), postcode="LS6 2AB"), "fgm"),
    ],
)
def test_one_wrong_part_of_the_date_of_birth_and_a_move_still_share_a_key(
    query: Query, kind: str
) -> None:
    assert {k.split("|", 1)[0] for k in shared(query)} == {kind}


def test_someone_else_shares_no_key() -> None:
    other = Query("Priya", "Patel", date(1990, 7, 9), "2", "BT9 5AA")
    assert not shared(other)


def test_keys_are_64_bit_and_stable() -> None:
    hashed = blocking.hashed(blocking.record_keys(LEARNER))
    assert hashed == sorted(set(hashed))
    assert all(-(2**63) <= k < 2**63 for k in hashed)
    assert blocking.hash_key("df|2008-03-04|SM0") == blocking.hash_key("df|2008-03-04|SM0")
    assert blocking.sector("SW1A 1AA") == "SW1A 1"
    assert blocking.sector(None) is None
    assert blocking.sector("ZZ99 9ZZ") is None


def test_a_search_asks_for_a_bounded_number_of_keys() -> None:
    many = Query(
        "Alexander", "Mac Giolla Phádraig Ó Súilleabháin", date(2008, 3, 4), "1", "SW1A 1AA"
    )
    assert len(blocking.query_keys(many)) < 400


names = st.text(max_size=35)


@given(names, names, names, st.dates(min_value=date(1900, 1, 1)), st.text(max_size=12))
def test_any_unicode_never_crashes_the_keys(
    given_name: str, family: str, previous: str, born: date, postcode: str
) -> None:
    record = Record(0, given_name, family, born, None, postcode, previous_family_name=previous)
    query = Query(given_name, family, born, None, postcode, previous)
    assert blocking.record_keys(record) <= blocking.query_keys(query) | blocking.record_keys(record)
    blocking.hashed(blocking.query_keys(query))


@pytest.mark.parametrize(
    ("searched", "registered"),
    [
        ("Stu", "Stuart"),
        ("Ros", "Rosemary"),
        ("Mic", "Michelle"),
        ("Kat", "Kathleen"),
        ("Dec", "Declan"),
        ("Gab", "Gabriel"),
        ("Adv", "Advaith"),
        ("Ghu", "Ghusharib"),
        ("Süm", "Sümerya"),
        ("oJy", "Joy"),
        ("Dn", "Dan"),
        ("eBn", "Ben"),
        ("oTm", "Tom"),
        ("Oi", "Oni"),
    ],
)
def test_a_forename_shortened_or_slipped_is_still_a_candidate(
    searched: str, registered: str
) -> None:
    """Family name, date of birth and home agreeing, the learner shares two keys or more
    with the search, so it is a candidate however common either kind of key is."""
    learner = Record(1, registered, "Evans", date(2008, 3, 4), "1", "CF10 1EP")
    keys = shared(Query(searched, "Evans", date(2008, 3, 4), "1", "CF10 1EP"), learner)
    assert {k.partition("|")[0] for k in keys} >= {"df", "ds", "fp"}


def test_the_home_key_survives_a_new_sound_of_the_given_name_and_a_wrong_birthday() -> None:
    learner = Record(1, "Cerys", "Hughes", date(1980, 2, 25), "2", "CF35 8DY")
    keys = shared(Query("Cery", "Hughes", date(1980, 2, 28), "2", "CF35 8DY"), learner)
    assert {k.partition("|")[0] for k in keys} == {"fp"}
    assert not shared(Query("Cery", "Hughes", date(1980, 2, 28), "2", "ZZ99 9ZZ"), learner)
