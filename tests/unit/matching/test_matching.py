"""The matching engine's pure parts: normalisation, comparisons, the model and decisions."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from open_lrs.matching import comparisons as cmp
from open_lrs.matching.dates import DateAgreement, compare_dates, with_swapped
from open_lrs.matching.model import Model, load
from open_lrs.matching.nicknames import are_nicknames, known_names
from open_lrs.matching.normalise import family_key, phonetic, words
from open_lrs.matching.scoring import Outcome, Query, Record, decide, score

MODEL = load()
DOB = date(2008, 3, 4)


def no_frequencies(_field: str, _value: str) -> float | None:
    return None


def test_family_key_spells_mc_as_mac() -> None:
    assert family_key("McDonald") == family_key("Mac Donald") == "macdonald"
    assert family_key("O'Neill") == "oneill"
    assert family_key(None) == ""


def test_words_and_phonetics() -> None:
    assert words("Mary-Jane") == ("mary", "jane")
    assert words(None) == ()
    assert phonetic("dafydd") == phonetic("david")
    assert phonetic("李小龍") == "李小龍"  # no English code for Chinese: only equal to itself


@pytest.mark.parametrize(
    ("a", "b"),
    [("bill", "william"), ("dai", "david"), ("sian", "jane"), ("peggy", "margaret"),
     ("liam", "william"), ("gosia", "malgorzata"), ("mo", "mohammed")],
)  # fmt: skip
def test_nicknames(a: str, b: str) -> None:
    assert are_nicknames(a, b)
    assert are_nicknames(b, a)


def test_not_nicknames() -> None:
    assert not are_nicknames("william", "william")
    assert not are_nicknames("william", "harry")
    assert not are_nicknames("unknownname", "william")
    assert {"alex", "william", "dai"} <= known_names()


@pytest.mark.parametrize(
    ("query", "record", "level"),
    [
        (DOB, DOB, DateAgreement.EXACT),
        (date(2008, 4, 3), DOB, DateAgreement.SWAPPED),
        (date(2008, 3, 5), DOB, DateAgreement.ONE_DIGIT),
        (date(2009, 3, 4), DOB, DateAgreement.ONE_DIGIT),  # 2008 vs 2009: one digit
        (date(2010, 3, 4), date(2009, 3, 4), DateAgreement.YEAR_OFF_BY_ONE),
        (date(1999, 12, 31), DOB, DateAgreement.DIFFERENT),
        (None, DOB, DateAgreement.MISSING),
    ],
)
def test_date_agreement(query: date | None, record: date, level: DateAgreement) -> None:
    assert compare_dates(query, record) is level


@pytest.mark.parametrize(
    ("query", "given", "middle", "preferred", "level"),
    [
        ("William", "William", None, None, cmp.Forename.EXACT),
        ("Mary Jane", "Mary-Jane", None, None, cmp.Forename.EXACT),
        ("Pri", "Priya", None, "Pri", cmp.Forename.EXACT),
        ("Bill", "William", None, None, cmp.Forename.NICKNAME),
        ("Wiliam", "William", None, None, cmp.Forename.SIMILAR),
        ("Shevaun", "Siobhan", None, None, cmp.Forename.NICKNAME),
        ("Stephen", "Steven", None, None, cmp.Forename.NICKNAME),
        ("Geoffrey", "Jeffrey", None, None, cmp.Forename.PHONETIC),
        ("James", "William", "James", None, cmp.Forename.MIDDLE),
        ("Olivia Rose", "Rose", None, None, cmp.Forename.MIDDLE),
        ("Liam", "Thomas", "William", None, cmp.Forename.MIDDLE),
        ("W", "William", None, None, cmp.Forename.INITIAL),
        ("Harry", "William", None, None, cmp.Forename.DIFFERENT),
        ("Ana", "Ann", None, None, cmp.Forename.PHONETIC),
    ],
)
def test_forename_levels(
    query: str, given: str, middle: str | None, preferred: str | None, level: cmp.Forename
) -> None:
    assert cmp.compare_forenames(words(query), words(given), words(middle), words(preferred)) is (
        level
    )


def test_forename_missing() -> None:
    assert cmp.compare_forenames((), ("ann",)) is cmp.Forename.MISSING


@pytest.mark.parametrize(
    ("query", "previous", "family", "earlier", "level"),
    [
        ("MacDonald", None, "McDonald", (), cmp.FamilyName.EXACT),
        ("Jones", None, "O'Neill", ("Jones",), cmp.FamilyName.PREVIOUS),
        ("O'Neill", "Jones", "Jones", (), cmp.FamilyName.PREVIOUS),
        ("Smyth", None, "Smith", (), cmp.FamilyName.SIMILAR),
        ("Smith", None, "Smith-Jones", (), cmp.FamilyName.PART),
        ("Patel", None, "Kowalski", (), cmp.FamilyName.DIFFERENT),
    ],
)
def test_family_name_levels(
    query: str,
    previous: str | None,
    family: str,
    earlier: tuple[str, ...],
    level: cmp.FamilyName,
) -> None:
    assert cmp.compare_family_names(query, previous, family, earlier) is level


def test_phonetic_family_name() -> None:
    assert cmp.compare_family_names("Philips", None, "Fillips", ()) is cmp.FamilyName.PHONETIC


@pytest.mark.parametrize(
    ("query", "record", "level"),
    [
        ("SW1A 1AA", "SW1A 1AA", cmp.Postcode.EXACT),
        ("SW1A 1AB", "SW1A 1AA", cmp.Postcode.SECTOR),
        ("SW1A 2AA", "SW1A 1AA", cmp.Postcode.DISTRICT),
        ("M1 1AE", "SW1A 1AA", cmp.Postcode.DIFFERENT),
        ("ZZ99 9ZZ", "SW1A 1AA", cmp.Postcode.MISSING),
        (None, "SW1A 1AA", cmp.Postcode.MISSING),
        ("BFPO 12", "BFPO 12", cmp.Postcode.MISSING),
    ],
)
def test_postcode_levels(query: str | None, record: str, level: cmp.Postcode) -> None:
    assert cmp.compare_postcodes(query, record) is level


def test_gender_levels() -> None:
    assert cmp.compare_genders("1", "1") is cmp.Gender.EXACT
    assert cmp.compare_genders("1", "2") is cmp.Gender.DIFFERENT
    assert cmp.compare_genders("9", "2") is cmp.Gender.MISSING
    assert cmp.compare_genders(None, "2") is cmp.Gender.MISSING


def test_model_weights_and_term_frequency() -> None:
    assert MODEL.weight("gender", "missing") == 0.0
    common = MODEL.weight("family_name", "exact", frequency=0.01)
    rare = MODEL.weight("family_name", "exact", frequency=0.00001)
    assert rare > MODEL.weight("family_name", "exact") > common
    assert MODEL.weight("postcode", "exact", frequency=0.5) == MODEL.weight("postcode", "exact")
    assert MODEL.weight("forename", "different") < -6


def test_model_refuses_bad_parameters() -> None:
    good = {"version": "x", "thresholds": {"auto_match": 2, "review": 1}, "fields": {}}
    assert Model.from_dict(good).version == "x"
    with pytest.raises(ValueError, match="review threshold"):
        Model.from_dict({**good, "thresholds": {"auto_match": 1, "review": 2}})
    with pytest.raises(ValueError, match=r"f\.l: m and u"):
        Model.from_dict({**good, "fields": {"f": {"l": [0, 0.5]}}})


def test_thresholds_rise_with_the_register_beyond_the_size_they_were_chosen_for() -> None:
    assert MODEL.register_size == 100_000
    base = (MODEL.auto_match, MODEL.review)
    assert MODEL.thresholds(None) == MODEL.thresholds(100_000) == base
    assert MODEL.thresholds(5_000) == base  # never below the values chosen
    assert MODEL.thresholds(1_000_000) == (base[0] + 3.32, base[1] + 3.32)
    assert MODEL.thresholds(10_000_000) == (base[0] + 6.64, base[1] + 6.64)
    unsized = Model.from_dict(
        {"version": "x", "thresholds": {"auto_match": 2, "review": 1}, "fields": {}}
    )
    assert unsized.thresholds(10_000_000) == (2, 1)
    for bad in (0, -5, "many", 1.5, True):
        with pytest.raises(ValueError, match="register_size"):
            Model.from_dict(
                {
                    "version": "x",
                    "thresholds": {"auto_match": 2, "review": 1, "register_size": bad},
                    "fields": {},
                }
            )


def test_the_same_evidence_is_shown_on_a_small_register_and_not_on_a_national_one() -> None:
    """Same forename, date of birth and gender; another family name, no postcode: on a large
    register many strangers share that much, so it no longer reaches the review threshold."""
    stranger = Record(7, "Aoife", "Brennan", DOB, "2", None)
    query = Query("Aoife", "Kowalczyk", DOB, "2")
    found = score(query, stranger, MODEL, no_frequencies).score
    assert MODEL.review <= found < MODEL.thresholds(10_000_000)[1]
    small = decide(query, [stranger], MODEL, no_frequencies, learners=50_000)
    assert small.outcome is Outcome.POSSIBLE_MATCHES
    assert (small.auto_match, small.review) == (MODEL.auto_match, MODEL.review)
    national = decide(query, [stranger], MODEL, no_frequencies, learners=10_000_000)
    assert national.outcome is Outcome.NO_MATCH
    assert national.review == MODEL.review + 6.64


WILLIAM = Record(1, "William", "Smith", DOB, "1", "SW1A 1AA", middle_other_name="James")
TWIN = Record(2, "Harry", "Smith", DOB, "1", "SW1A 1AA")
SIAN = Record(3, "Siân", "O'Neill", date(2007, 1, 2), "2", "CF10 1EP", previous_family_name="Jones")
REGISTER = [WILLIAM, TWIN, SIAN]


def _decide(query: Query, register: list[Record] = REGISTER) -> tuple[str, list[object]]:
    d = decide(query, register, MODEL, no_frequencies)
    return d.outcome.code, [s.record.key for s in d.matches]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (Query("William", "Smith", DOB, "1", "SW1A 1AA"), ("exact_match", [1])),
        (Query("Bill", "Smith", DOB, "1", "SW1A 1AA"), ("exact_match", [1])),
        # Known by a middle name: found, but a person confirms (a twin may bear that name).
        (Query("James", "Smith", DOB, "1", "SW1A 1AA"), ("possible_matches", [1])),
        (Query("Harry", "Smith", DOB, "1", "SW1A 1AA"), ("exact_match", [2])),
        (Query("George", "Smith", DOB, "1", "SW1A 1AA"), ("no_match", [])),  # a sibling
        (Query("Smith", "William", DOB), ("exact_match", [1])),  # names swapped
        (Query("Sian", "Jones", date(2007, 1, 2), "2", "M1 1AE"), ("exact_match", [3])),
        (Query("Sain", "Jones", date(2007, 1, 2), "2", "M1 1AE"), ("possible_matches", [3])),
        (Query("Wiliam", "Smith", date(2008, 4, 3), "1", "SW1A 2AB"), ("possible_matches", [1])),
        (Query("Ann", "Lee", date(1990, 1, 1)), ("no_match", [])),
    ],
)
def test_decisions(query: Query, expected: tuple[str, list[object]]) -> None:
    assert _decide(query) == expected


def test_common_namesake_elsewhere_is_not_an_exact_match() -> None:
    khan = Record(9, "Mohammed", "Khan", DOB, "1", "B1 1AA")
    common = {"forename": {"mohammed": 0.02}, "family_name": {"khan": 0.005}}

    def frequency(field: str, value: str) -> float | None:
        return common[field].get(value)

    query = Query("Mohammed", "Khan", DOB, "1", "LS1 4AP")
    decision = decide(query, [khan], MODEL, frequency)
    assert decision.outcome is Outcome.POSSIBLE_MATCHES


def test_two_strong_candidates_go_to_a_person() -> None:
    copy = Record(4, "William", "Smith", DOB, "1", "SW1A 1AA")
    code, keys = _decide(Query("William", "Smith", DOB, "1", "SW1A 1AA"), [WILLIAM, copy])
    assert code == "possible_matches"
    assert set(keys) == {1, 4}


def test_more_than_ten_plausible_is_too_many() -> None:
    many = [Record(i, "Ann", "Lee", DOB, "2", None) for i in range(11)]
    assert _decide(Query("Ann", "Lee", DOB, "2"), many) == ("too_many_matches", [])
    assert Outcome.TOO_MANY.lrs_code == "WSRC0002"


def test_explanation_names_every_field() -> None:
    scored = score(Query("Bill", "Smith", DOB, "1", "SW1A 1AA"), WILLIAM, MODEL, no_frequencies)
    assert [(p.field, p.agreement) for p in scored.explanation] == [
        ("forename", "nickname"),
        ("family_name", "exact"),
        ("date_of_birth", "exact"),
        ("postcode", "exact"),
        ("gender", "exact"),
    ]
    assert scored.score == pytest.approx(sum(p.weight for p in scored.explanation))
    assert scored.explanation[0].searched == "Bill"
    assert scored.explanation[0].found == "William"


names = st.text(max_size=35)


@given(names, names, names, names, st.dates(), st.dates())
def test_any_unicode_never_crashes_the_engine(
    g1: str, f1: str, g2: str, f2: str, d1: date, d2: date
) -> None:
    query = Query(g1, f1, d1, "1", None, f2)
    record = Record(0, g2, f2, d2, "2", "SW1A 1AA", middle_other_name=g1)
    decision = decide(query, [record], MODEL, no_frequencies)
    assert decision.outcome in set(Outcome)


def test_a_typo_in_a_short_first_word_of_a_two_word_forename_is_similar() -> None:
    assert cmp.compare_forenames(words("Msn Yee"), words("Man Yee")) is cmp.Forename.SIMILAR
    assert cmp.compare_forenames(words("Har Risn"), words("Harrison")) is cmp.Forename.SIMILAR
    # One letter changed in a name of three is a short-name slip (weak), not a typo.
    assert cmp.compare_forenames(words("Man"), words("Max")) is cmp.Forename.SHORT_EDIT


def test_names_swapped_with_another_birth_date_are_weighed_not_ruled_out() -> None:
    swapped = score(Query("Smith", "William", date(2001, 7, 9)), WILLIAM, MODEL, no_frequencies)
    assert not swapped.ruled_out
    other = score(Query("William", "Smyth", date(2001, 7, 9)), WILLIAM, MODEL, no_frequencies)
    assert other.ruled_out


def test_a_date_and_its_swap() -> None:
    assert with_swapped(date(2007, 3, 2)) == (date(2007, 3, 2), date(2007, 2, 3))
    assert with_swapped(date(2007, 3, 13)) == (date(2007, 3, 13),)  # no 13th month
    assert with_swapped(date(2007, 3, 3)) == (date(2007, 3, 3),)  # the same date
