"""Forenames shortened to their start ("Stu" for Stuart) or slipped in a short name ("oJy" for
Joy): found, weighed by evidence, and never at a twin's expense (issue 23)."""

from __future__ import annotations

import math
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from open_lrs.demo.population_data import data
from open_lrs.matching import comparisons as cmp
from open_lrs.matching.model import Model, load
from open_lrs.matching.normalise import words
from open_lrs.matching.scoring import START_FIELD, Outcome, Query, Record, decide, score

V3, V2 = load("3"), load("2")
DOB = date(2009, 5, 17)
HOME = "LS6 2AB"
NATIONAL = 10_000_000  # thresholds as on a national register: the hardest to reach


def level(searched: str, given_name: str, preferred: str | None = None) -> cmp.Forename:
    return cmp.compare_forenames(words(searched), words(given_name), (), words(preferred))


@pytest.mark.parametrize(
    ("searched", "registered", "expected"),
    [
        ("Stu", "Stuart", cmp.Forename.PREFIX),
        ("Mic", "Michelle", cmp.Forename.PREFIX),
        ("Dec", "Declan", cmp.Forename.PREFIX),
        ("Adv", "Advaith", cmp.Forename.PREFIX),  # Indian
        ("Ghu", "Ghusharib", cmp.Forename.PREFIX),  # Pakistani
        ("Süm", "Sümerya", cmp.Forename.PREFIX),  # Turkish, accents folded
        ("Sum", "Sümerya", cmp.Forename.PREFIX),  # typed without the accent
        ("Olu", "Oluwaseun", cmp.Forename.PREFIX),  # Nigerian
        ("Stuart", "Stu", cmp.Forename.PREFIX),  # registered under the short form
        ("Kat", "Kathleen", cmp.Forename.SHORT_FORM),  # Kat is a known name in its own right
        ("oJy", "Joy", cmp.Forename.SHORT_EDIT),
        ("Dn", "Dan", cmp.Forename.SHORT_EDIT),
        ("eBn", "Ben", cmp.Forename.SHORT_EDIT),
        ("oTm", "Tom", cmp.Forename.SHORT_EDIT),
        ("Oi", "Oni", cmp.Forename.SHORT_EDIT),  # Yoruba
        ("Ahn", "Anh", cmp.Forename.SHORT_EDIT),  # Vietnamese
        ("Hnu", "Hung", cmp.Forename.DIFFERENT),  # two slips in a short name: someone else
        ("Wie", "Wei", cmp.Forename.SHORT_EDIT),  # Chinese
        ("Tim", "Tom", cmp.Forename.SHORT_EDIT),  # weak: see the twins below
        # Not a start: one letter is an initial, a shared first letter is nothing.
        ("T", "Thomas", cmp.Forename.INITIAL),
        ("Thomas", "Tobias", cmp.Forename.DIFFERENT),
        ("Ella", "Emma", cmp.Forename.DIFFERENT),
        ("Mohammed", "Mo", cmp.Forename.NICKNAME),  # the table still comes first
    ],
)
def test_forename_levels_for_starts_and_short_slips(
    searched: str, registered: str, expected: cmp.Forename
) -> None:
    assert level(searched, registered) is expected


def test_a_start_of_the_preferred_name_counts() -> None:
    assert level("Olu", "Babajide", preferred="Oluwaseun") is cmp.Forename.PREFIX
    assert cmp.shared_start("olu", ["babajide", "oluwaseun"]) == "olu"
    assert cmp.shared_start("s", ["stuart"]) == ""  # an initial, not a start
    assert cmp.shared_start("stuart", ["stu", "st"]) == "stu"  # the longest


def _learner(given_name: str, key: object = 1, gender: str = "1", **other: str) -> Record:
    return Record(key, given_name, "Okafor", DOB, gender, HOME, **other)


def _search(given_name: str, gender: str = "1") -> Query:
    return Query(given_name, "Okafor", DOB, gender, HOME)


def _decide(query: Query, register: list[Record], *, model: Model = V3, frequency=None):  # type: ignore[no-untyped-def]
    def share(field: str, name: str) -> float | None:
        return frequency(field, name) if frequency else None

    return decide(query, register, model, share, learners=NATIONAL if frequency else None)


def test_version_2_still_misses_them_and_version_3_does_not() -> None:
    for searched, registered in (("Stu", "Stuart"), ("oJy", "Joy"), ("Ghu", "Ghusharib")):
        register = [_learner(registered)]
        assert _decide(_search(searched), register, model=V2).outcome is Outcome.NO_MATCH
        assert _decide(_search(searched), register).outcome is not Outcome.NO_MATCH


def _starts(shares: dict[str, float]):  # type: ignore[no-untyped-def]
    """A register's counts: how common each start is; names are as rare as can be."""

    def frequency(field: str, name: str) -> float | None:
        return shares.get(name, 0.01) if field == START_FIELD else 1e-7

    return frequency


def test_a_start_weighs_by_how_common_it_is() -> None:
    """On a national register "Jo" starts one forename in twenty, "Ghu" two in a million."""
    jo = _decide(_search("Jo"), [_learner("Joanna", gender="2")], frequency=_starts({"jo": 0.06}))
    ghu = _decide(_search("Ghu"), [_learner("Ghusharib")], frequency=_starts({"ghu": 0.000002}))
    jo_forename, ghu_forename = jo.matches[0].explanation[0], ghu.matches[0].explanation[0]
    assert jo_forename.agreement == ghu_forename.agreement == "prefix"
    assert jo_forename.weight == round(math.log2(0.02 / 0.06), 2)
    assert ghu_forename.weight == round(math.log2(0.02 / 0.000002), 2)
    # A rare start with everything else agreeing is matched; a common one goes to a person.
    assert ghu.outcome is Outcome.EXACT_MATCH
    assert jo.outcome is Outcome.POSSIBLE_MATCHES


def test_a_short_slip_is_never_matched_without_a_person() -> None:
    for searched, registered in (("oJy", "Joy"), ("Dn", "Dan"), ("Oi", "Oni")):
        found = _decide(_search(searched), [_learner(registered)])
        assert found.outcome is Outcome.POSSIBLE_MATCHES
        assert found.matches[0].explanation[0].agreement == "short_edit"


@pytest.mark.parametrize(
    ("unregistered", "registered", "genders"),
    [
        ("Ella", "Ellie", ("2", "2")),  # sound alike: phonetic, too little to tell twins apart
        ("Jo", "Joe", ("2", "1")),  # a nickname, but a girl and a boy
        ("Tim", "Tom", ("1", "1")),  # a short slip
        ("Ava", "Eva", ("2", "2")),
        ("Jo", "Joanna", ("2", "2")),  # a start of two letters
        ("Thomas", "Tobias", ("1", "1")),  # only the first letter: different
        ("Ella", "Emma", ("2", "2")),
    ],
)
def test_an_unregistered_twin_is_never_matched_to_the_registered_one(
    unregistered: str, registered: str, genders: tuple[str, str]
) -> None:
    for frequency in (None, _starts({})):
        found = _decide(
            _search(unregistered, genders[0]),
            [_learner(registered, gender=genders[1])],
            frequency=frequency,
        )
        assert found.outcome in (Outcome.NO_MATCH, Outcome.POSSIBLE_MATCHES)


def test_the_registered_twin_is_still_found_when_the_other_is_on_the_register_too() -> None:
    register = [_learner("Ellie", 1, "2"), _learner("Ella", 2, "2")]
    found = _decide(_search("Ellie", "2"), register)
    assert found.outcome is Outcome.EXACT_MATCH
    assert found.matches[0].record.key == 1


_NAMES = sorted(
    {name for (_, _), pool in data().given.items() for name in pool.items if len(name) >= 5}
)


@settings(max_examples=300, deadline=None)
@given(
    registered=st.one_of(
        st.sampled_from(_NAMES),
        st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzéöşłñ"), min_size=5, max_size=14),
    ),
    length=st.integers(min_value=3, max_value=12),
    share=st.one_of(st.none(), st.floats(min_value=1e-6, max_value=0.3)),
    gender=st.sampled_from(["1", "2"]),
)
def test_any_start_of_three_letters_or_more_is_never_no_match(
    registered: str, length: int, share: float | None, gender: str
) -> None:
    """Family name, date of birth, gender and postcode agree: a forename that is the start of
    the registered one, however common that start is on a national register, is never
    answered ``no_match``."""
    first = words(registered)[0] if words(registered) else ""
    start = registered.split()[0].split("-")[0][:length]
    if len(first) <= length or len(words(start)) != 1 or not first.startswith(words(start)[0]):
        return
    frequency = None if share is None else _starts({words(start)[0][:6]: share})
    found = _decide(
        _search(start.capitalize(), gender),
        [_learner(registered, gender=gender)],
        frequency=frequency,
    )
    assert found.outcome is not Outcome.NO_MATCH


def test_a_forename_missing_on_either_side_is_still_missing_not_different() -> None:
    """Only the new levels fall back to ``different`` under a model without them."""
    found = score(Query("", "Okafor", DOB, "1", HOME), _learner("Joy"), V3, lambda f, n: None)
    assert found.explanation[0].agreement == "missing"
    assert not found.ruled_out


@pytest.mark.parametrize(
    ("searched", "registered"),
    [
        ("Epha", "Efa"),  # Welsh
        ("Katy", "Katie"),
        ("Kalum", "Callum"),
        ("Hana", "Hannah"),
        ("Nil", "Neel"),  # Indian
        ("Li", "Lee"),
    ],
)
def test_spellings_of_one_sound_sound_alike(searched: str, registered: str) -> None:
    """Spelt differently, said the same: kept (a sound-alike goes to a person), not ruled out."""
    assert level(searched, registered) in (cmp.Forename.PHONETIC, cmp.Forename.SIMILAR)
    assert level("Lola", "Lily") is cmp.Forename.DIFFERENT  # one sound code, two names
