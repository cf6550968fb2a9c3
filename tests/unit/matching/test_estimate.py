"""Estimating m and u: EM over a made-up register's candidate pairs recovers the truth."""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from open_lrs.demo.generator import generate_learners
from open_lrs.matching import estimate as est
from open_lrs.matching.model import Model, load
from open_lrs.matching.normalise import family_key
from open_lrs.matching.scoring import Record

START = load()
FIELDS = ("forename", "family_name", "date_of_birth", "postcode", "gender")
NICKNAMES = {"Oliver": "Ollie", "George": "Georgie", "Dafydd": "Dai", "Harry": "Hal",
             "Isla": "Izzy", "Mhairi": "Mary", "Seán": "John", "Mohammed": "Mo"}  # fmt: skip
OTHER_AREAS = ("N1", "M1", "B1", "LS6", "CF10")
ONSETS = ("b", "br", "d", "dr", "f", "g", "gr", "h", "k", "l", "m", "n", "p", "r", "s", "st",
          "t", "tr", "v", "w", "z", "ch", "sh", "th")  # fmt: skip
VOWELS = ("a", "e", "i", "o", "u", "ai", "ea", "ou", "y")
CODAS = ("", "n", "r", "s", "l", "m", "th", "ck", "nd")
SUFFIXES = ("", "son", "ley", "wood", "ton", "field", "ham", "ski", "ova", "ez")


def _names(rng: random.Random, size: int, suffixes: tuple[str, ...]) -> list[str]:
    """``size`` distinct made-up names such as Bravoth or Dreaminley; about one in three
    followed by another spelling of it, as a register has Jon and John, Smith and Smyth."""
    names: dict[str, None] = {}
    while len(names) < size:
        stem = "".join(rng.choice(ONSETS) + rng.choice(VOWELS) for _ in range(2))
        name = (stem + rng.choice(CODAS) + rng.choice(suffixes)).capitalize()
        names[name] = None
        if rng.random() < 0.3:
            names[name + "e" if name[-1] not in "aeiouy" else name + "h"] = None
    return list(names)


def _common_first(names: list[str]) -> list[float]:
    """Weights that make a few names common and most rare, as on a real register."""
    return [1 / math.sqrt(rank + 1) for rank in range(len(names))]


def _register(n: int = 300, *, varied: bool = True) -> list[Record]:
    """The generator's learners; ``varied``: with names from far bigger pools than its own
    few dozen (in which sharing a family name is common, and weak evidence)."""
    rng = random.Random(5)
    given_names = [*NICKNAMES, *_names(rng, 200, ("",))]
    family_names = _names(rng, 600, SUFFIXES)
    rows = list(generate_learners(n, seed=5, today=date(2025, 1, 1)))
    if varied:
        for row in rows:
            row["given_name"] = rng.choices(given_names, _common_first(given_names))[0]
            row["family_name"] = rng.choices(family_names, _common_first(family_names))[0]
    return [
        Record(
            key=i,
            given_name=row["given_name"],
            family_name=row["family_name"],
            date_of_birth=date.fromisoformat(row["date_of_birth"]),
            gender=row["gender"],
            postcode=row["postcode"],
            middle_other_name=row["middle_other_name"] or None,
            previous_family_name=row["previous_family_name"] or None,
        )
        for i, row in enumerate(rows)
    ]


def _typo(name: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(name) - 2)
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def _forename(p: Record, rng: random.Random) -> str:
    r = rng.random()
    if r < 0.08 and len(p.given_name) > 4:
        return _typo(p.given_name, rng)
    if r < 0.16 and p.given_name in NICKNAMES:
        return NICKNAMES[p.given_name]
    if r < 0.20 and p.middle_other_name:
        return p.middle_other_name
    if r < 0.24:
        return p.given_name[0]
    return p.given_name


def _family(p: Record, rng: random.Random) -> str:
    r = rng.random()
    if r < 0.05 and len(p.family_name) > 4:
        return _typo(p.family_name, rng)
    if r < 0.10 and p.previous_family_name:
        return p.previous_family_name
    return p.family_name


def _dob(d: date, rng: random.Random) -> date:
    r = rng.random()
    if r < 0.04 and d.day <= 12 and d.day != d.month:
        return date(d.year, d.day, d.month)
    if r < 0.08 and d.day < 28 and d.day % 10 != 9:
        return d + timedelta(days=1)  # one digit
    if r < 0.12 and (d.month, d.day) != (2, 29):
        return d.replace(year=d.year + 1)
    return d


def _postcode(postcode: str, rng: random.Random) -> str | None:
    r = rng.random()
    if r < 0.15:
        return f"{rng.choice(OTHER_AREAS)} {rng.randint(0, 9)}AB"  # moved away
    if r < 0.25:
        return postcode[:-2] + ("ZZ" if not postcode.endswith("ZZ") else "YY")  # next door
    if r < 0.32:
        return None
    return postcode


def _search_for(p: Record, rng: random.Random) -> Record:
    """The details someone types when searching for ``p``: nicknames, typos, a move..."""
    return Record(
        key=("search", p.key),
        given_name=_forename(p, rng),
        family_name=_family(p, rng),
        date_of_birth=_dob(p.date_of_birth, rng),
        gender=p.gender if rng.random() > 0.05 else "9",
        postcode=_postcode(p.postcode or "", rng),
    )


def _outward(postcode: str | None) -> str | None:
    return postcode.split()[0] if postcode else None


@dataclass(frozen=True)
class Candidate:
    vector: dict[str, str]
    is_match: bool
    same_family: bool
    same_area: bool


@dataclass(frozen=True)
class World:
    register: list[Record]
    searches: list[Record]
    candidates: list[Candidate]

    def pairs(self, *, same_family: bool = False, same_area: bool = False) -> list[Candidate]:
        return [
            c
            for c in self.candidates
            if (not same_family or c.same_family) and (not same_area or c.same_area)
        ]


def _world(*, varied: bool) -> World:
    """300 learners; 200 searches for some of them, blocked on the same date of birth, family
    name or postcode district (a mix of matches and non-matches, as a search retrieves)."""
    rng = random.Random(11)
    register = _register(varied=varied)
    searches = [_search_for(p, rng) for p in rng.sample(register, 200)]
    candidates = []
    for s in searches:
        for p in register:
            same_family = family_key(s.family_name) == family_key(p.family_name)
            same_area = _outward(s.postcode) is not None and _outward(s.postcode) == _outward(
                p.postcode
            )
            if same_family or same_area or s.date_of_birth == p.date_of_birth:
                vector = est.comparison_vector(s, p)
                candidates.append(Candidate(vector, s.key[1] == p.key, same_family, same_area))
    return World(register, searches, candidates)


@pytest.fixture(scope="module")
def world() -> World:
    return _world(varied=True)


def _random_u(world: World, n: int) -> est.Probabilities:
    """u from ``n`` pairs of a search and a learner drawn at random."""
    rng = random.Random(4)
    return est.estimate_u(
        (rng.choice(world.searches), rng.choice(world.register)) for _ in range(n)
    )


def _truth(pairs: list[Candidate]) -> tuple[float, est.Probabilities, est.Probabilities]:
    m, u = est.estimate_from_labels((c.vector, c.is_match) for c in pairs)
    return sum(c.is_match for c in pairs) / len(pairs), m, u


def test_comparison_vector_reads_the_levels_a_search_sees() -> None:
    search = Record("s", "Bill", "Smith", date(2008, 4, 3), "1", "SW1A 1AB")
    learner = Record(1, "William", "Smith", date(2008, 3, 4), "2", "SW1A 1AA")
    assert est.comparison_vector(search, learner) == {
        "forename": "nickname",
        "family_name": "exact",
        "date_of_birth": "swapped",
        "postcode": "same_sector",
        "gender": "different",
    }
    unknown = Record("s", "Bill", "Smith", date(2008, 4, 3), "9", None)
    vector = est.comparison_vector(unknown, learner)
    assert (vector["postcode"], vector["gender"]) == ("missing", "missing")


@pytest.fixture(scope="module")
def random_u(world: World) -> est.Probabilities:
    return _random_u(world, 5000)


@pytest.fixture(scope="module")
def sessions(world: World, random_u: est.Probabilities) -> list[est.EmResult]:
    """Splink's way: u fixed, one EM session per blocking rule, leaving out the field the
    rule compared (its agreement was forced by the blocking, not earned)."""
    return [
        est.estimate_em(
            [c.vector for c in world.pairs(**{rule: True})],
            START,
            fix_u=random_u,
            fields=[f for f in FIELDS if f != blocked],
        )
        for blocked, rule in (("family_name", "same_family"), ("postcode", "same_area"))
    ]


def test_em_recovers_the_split_of_candidate_pairs(world: World) -> None:
    true_lambda, true_m, true_u = _truth(world.candidates)
    assert 1500 < len(world.candidates) < 3000
    assert 0.05 < true_lambda < 0.15

    result = est.estimate_em([c.vector for c in world.candidates], START)

    assert result.converged
    assert result.iterations < 50
    assert result.log_likelihood_history[-1] > result.log_likelihood_history[0]
    assert result.estimated_fields == FIELDS
    assert result.lambda_ == pytest.approx(true_lambda, abs=0.005)
    assert result.m["date_of_birth"]["exact"] > 0.8
    assert result.u["date_of_birth"]["exact"] < 0.01
    for field, level in [
        ("forename", "exact"),
        ("forename", "similar"),
        ("forename", "initial"),
        ("family_name", "exact"),
        ("date_of_birth", "exact"),
        ("date_of_birth", "one_digit"),
        ("postcode", "exact"),
        ("postcode", "different"),
        ("gender", "exact"),
    ]:
        assert result.m[field][level] == pytest.approx(true_m[field][level], abs=0.02)
        assert result.u[field][level] == pytest.approx(true_u[field][level], abs=0.01)


def test_u_from_random_pairs(world: World) -> None:
    rng = random.Random(3)
    pairs = [(rng.choice(world.register), rng.choice(world.register)) for _ in range(3000)]
    u = est.estimate_u(pairs)

    families = Counter(family_key(p.family_name) for p in world.register)
    n = len(world.register)
    same_family = sum(c * (c - 1) for c in families.values()) / (n * (n - 1))
    assert u["family_name"]["exact"] == pytest.approx(same_family, abs=0.003)
    assert u["gender"]["exact"] == pytest.approx(0.5, abs=0.03)
    assert u["date_of_birth"]["exact"] < 0.001
    assert u["forename"]["different"] > 0.95
    for field, levels in START.probabilities.items():
        assert set(u[field]) == set(levels)
        assert all(p > 0 for p in u[field].values())
        assert sum(u[field].values()) == pytest.approx(1)
    themselves = [(p, p) for p in world.register[:50]]
    assert est.estimate_u(pairs + themselves) == u  # a record with itself says nothing


def test_m_from_one_session_per_blocking_rule(
    world: World, random_u: est.Probabilities, sessions: list[est.EmResult]
) -> None:
    _, true_m, _ = _truth(world.candidates)
    for (blocked, rule), session in zip(
        (("family_name", "same_family"), ("postcode", "same_area")), sessions, strict=True
    ):
        assert session.converged
        assert session.lambda_ == pytest.approx(_truth(world.pairs(**{rule: True}))[0], abs=0.01)
        assert blocked not in session.estimated_fields
        assert session.m[blocked] == pytest.approx(est.model_probabilities(START)[0][blocked])
        assert session.u == random_u
    m = est.combine_m(sessions)
    assert m["family_name"] == sessions[1].m["family_name"]  # the one session that estimated it
    assert m["date_of_birth"]["exact"] > 0.8
    for field, level in [
        ("forename", "exact"),
        ("forename", "similar"),
        ("family_name", "exact"),
        ("date_of_birth", "exact"),
        ("postcode", "exact"),
        ("gender", "exact"),
    ]:
        assert m[field][level] == pytest.approx(true_m[field][level], abs=0.02)


def test_fixed_u_with_the_blocking_field_compared_goes_wrong() -> None:
    """With the generator's few dozen family names, candidates blocked on the family name
    share it far more often than random pairs do: compared with u from random pairs, that
    agreement passes for evidence of a match and EM calls nearly every candidate one."""
    world = _world(varied=False)
    pairs = [c.vector for c in world.pairs(same_family=True)]
    true_lambda = _truth(world.pairs(same_family=True))[0]
    u = _random_u(world, 3000)
    wrong = est.estimate_em(pairs, START, fix_u=u)
    right = est.estimate_em(pairs, START, fix_u=u, fields=set(FIELDS) - {"family_name"})
    assert true_lambda < 0.2
    assert wrong.lambda_ > 0.9
    assert right.lambda_ == pytest.approx(true_lambda, abs=0.01)


def test_an_estimate_is_a_model_file(
    random_u: est.Probabilities, sessions: list[est.EmResult]
) -> None:
    data = est.to_model_dict(
        est.combine_m(sessions),
        random_u,
        version="2",
        thresholds={"auto_match": 26, "review": 12},
        term_frequency_fields=["forename", "family_name"],
        note="EM on a made-up register",
    )
    model = Model.from_dict(json.loads(json.dumps(data)))

    assert list(data) == ["version", "note", "thresholds", "term_frequency_fields", "fields"]
    assert data["thresholds"] == {"auto_match": 26.0, "review": 12.0}
    assert model.version == "2"
    assert model.term_frequency_fields == {"forename", "family_name"}
    for field, levels in START.probabilities.items():  # same levels, same order, swapped kept
        assert list(model.probabilities[field]) == list(levels)
        assert data["fields"][field]["swapped" if "swapped" in levels else "different"][1] > 0
    for field in ("forename", "family_name"):
        exact, similar, different = (
            model.weight(field, lv) for lv in ("exact", "similar", "different")
        )
        assert exact > similar > 0 > different
    dob = [model.weight("date_of_birth", lv) for lv in ("exact", "one_digit", "different")]
    assert dob[0] > dob[1] > 0 > dob[2]
    assert model.weight("postcode", "exact") > model.weight("postcode", "same_sector") > 0


def _v(forename: str, family: str, dob: str, postcode: str, gender: str) -> dict[str, str]:
    return dict(zip(FIELDS, (forename, family, dob, postcode, gender), strict=True))


def test_estimate_from_labels_counts_and_smooths() -> None:
    labelled = [
        (_v("exact", "exact", "exact", "exact", "exact"), True),
        (_v("exact", "exact", "exact", "different", "exact"), True),
        (_v("nickname", "exact", "exact", "missing", "missing"), True),
        (_v("exact", "previous_family_name", "one_digit", "exact", "exact"), True),
        (_v("different", "exact", "different", "same_district", "exact"), False),
        (_v("different", "different", "different", "different", "different"), False),
        (_v("initial", "exact", "exact", "different", "missing"), False),
    ]
    m, u = est.estimate_from_labels(labelled)
    h = est.PSEUDO_COUNT

    # forename: 8 levels, 4 matches seen; 3 exact, 1 nickname
    assert m["forename"]["exact"] == pytest.approx((3 + h) / (4 + 8 * h))
    assert m["forename"]["nickname"] == pytest.approx((1 + h) / (4 + 8 * h))
    assert m["forename"]["swapped"] == pytest.approx(h / (4 + 8 * h))  # never seen, not 0
    assert m["date_of_birth"]["exact"] == pytest.approx((3 + h) / (4 + 5 * h))
    # one match has no postcode: 3 compared over 4 levels
    assert m["postcode"]["exact"] == pytest.approx((2 + h) / (3 + 4 * h))
    assert m["gender"]["exact"] == pytest.approx((3 + h) / (3 + 2 * h))
    assert u["forename"]["different"] == pytest.approx((2 + h) / (3 + 8 * h))
    assert u["family_name"]["exact"] == pytest.approx((2 + h) / (3 + 7 * h))
    assert u["gender"]["different"] == pytest.approx((1 + h) / (2 + 2 * h))
    for probabilities in (m, u):
        for field in FIELDS:
            assert all(p > 0 for p in probabilities[field].values())
            assert sum(probabilities[field].values()) == pytest.approx(1)


def test_a_field_never_compared_keeps_the_start() -> None:
    data = {
        "version": "x",
        "thresholds": {"auto_match": 26, "review": 12},
        "fields": {
            **{f: {lv: list(mu) for lv, mu in ls.items()} for f, ls in START.probabilities.items()},
            "nationality": {"exact": [0.9, 0.2], "different": [0.1, 0.8]},
        },
    }
    start = Model.from_dict(data)
    vectors = [_v("exact", "exact", "exact", "exact", "exact"), _v(*["different"] * 5)] * 20
    result = est.estimate_em(vectors, start)
    assert result.m["nationality"] == pytest.approx({"exact": 0.9, "different": 0.1})
    assert result.u["nationality"] == pytest.approx({"exact": 0.2, "different": 0.8})
    assert "nationality" not in result.estimated_fields
    m, u = est.estimate_from_labels([(vectors[0], True)], model=start)
    assert m["nationality"] == pytest.approx({"exact": 0.9, "different": 0.1})
    assert u == est.model_probabilities(start)[1]  # no non-match labelled: kept


def test_refusals() -> None:
    with pytest.raises(ValueError, match="not in the model"):
        est.estimate_from_labels([({"forename": "cousin"}, True)])
    with pytest.raises(ValueError, match="fields not in the model"):
        est.estimate_from_labels([({"shoe_size": "exact"}, True)])
    with pytest.raises(ValueError, match="pseudo-count"):
        est.estimate_from_labels([], pseudo_count=0)
    with pytest.raises(ValueError, match="at least one"):
        est.estimate_em([], START)
    with pytest.raises(ValueError, match="fields not in the model"):
        est.estimate_em([{}], START, fields=["shoe_size"])
    with pytest.raises(ValueError, match="probability > 0"):
        est.estimate_em([{}], START, fix_u={"gender": {"exact": 1.0}})
    with pytest.raises(ValueError, match="no EM sessions"):
        est.combine_m([])
    m, u = est.estimate_from_labels([])
    del m["forename"]["swapped"]
    args = {"version": "2", "term_frequency_fields": (), "note": ""}
    with pytest.raises(ValueError, match=r"absent \['forename.swapped'\]"):
        est.to_model_dict(m, u, thresholds={"auto_match": 26, "review": 12}, **args)
    with pytest.raises(ValueError, match="review threshold"):
        est.to_model_dict(u, u, thresholds={"auto_match": 10, "review": 12}, **args)
    with pytest.raises(ValueError, match="term frequency"):
        est.to_model_dict(
            u,
            u,
            thresholds={"auto_match": 26, "review": 12},
            **{**args, "term_frequency_fields": ["x"]},
        )


def test_compare_weights_lists_every_level() -> None:
    m, u = est.estimate_from_labels([(_v(*["exact"] * 5), True), (_v(*["different"] * 5), False)])
    data = est.to_model_dict(
        m,
        u,
        version="2",
        thresholds={"auto_match": 20, "review": 10},
        term_frequency_fields=(),
        note="",
    )
    new = Model.from_dict(data)
    rows = est.compare_weights(START, new)
    assert {(f, lv) for f, lv, _, _ in rows} == {
        (f, lv) for f, ls in START.probabilities.items() for lv in ls
    }
    for field, level, old_w, new_w in rows:
        assert old_w == START.weight(field, level)
        assert new_w == new.weight(field, level)


LEVELS = {f: [*START.probabilities[f], "missing"] for f in FIELDS}
vectors = st.lists(
    st.fixed_dictionaries({f: st.sampled_from(ls) for f, ls in LEVELS.items()}),
    min_size=1,
    max_size=60,
)


@settings(max_examples=60, deadline=None)
@given(vectors, st.booleans())
def test_em_gives_probabilities(vectors: list[dict[str, str]], fixed: bool) -> None:
    fix_u = est.model_probabilities(START)[1] if fixed else None
    result = est.estimate_em(vectors, START, max_iterations=20, fix_u=fix_u)
    assert 0 < result.lambda_ < 1
    assert len(result.log_likelihood_history) == result.iterations + 1
    for probabilities in (result.m, result.u):
        for levels in probabilities.values():
            assert math.isclose(sum(levels.values()), 1, rel_tol=1e-9)
            assert all(0 < p < 1 for p in levels.values())


def test_a_bad_start_finds_a_wrong_split(world: World) -> None:
    """EM finds a local optimum: started from a model with m and u the wrong way round, it
    calls the non-matches the matches. Hence: start from the previous model."""
    upside_down = Model(
        "x",
        START.auto_match,
        START.review,
        {f: {lv: (u, m) for lv, (m, u) in ls.items()} for f, ls in START.probabilities.items()},
        START.term_frequency_fields,
    )
    true_lambda = _truth(world.candidates)[0]
    result = est.estimate_em([c.vector for c in world.candidates], upside_down, lambda_start=0.5)
    assert result.lambda_ == pytest.approx(1 - true_lambda, abs=0.01)
    assert result.m["date_of_birth"]["exact"] < 0.01
