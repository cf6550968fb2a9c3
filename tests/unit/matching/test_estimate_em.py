"""Estimating m and u: EM over a made-up register's candidate pairs recovers the truth."""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import date

import pytest

from open_lrs.matching import estimate as est
from open_lrs.matching.model import Model
from open_lrs.matching.normalise import family_key
from open_lrs.matching.scoring import Record
from tests.unit.matching.estimate_world import (
    FIELDS,
    START,
    World,
    make_world,
    truth,
    u_from_random_pairs,
)


@pytest.fixture(scope="module")
def world() -> World:
    return make_world(varied=True)


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
    return u_from_random_pairs(world, 5000)


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
    true_lambda, true_m, true_u = truth(world.candidates)
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
    _, true_m, _ = truth(world.candidates)
    for (blocked, rule), session in zip(
        (("family_name", "same_family"), ("postcode", "same_area")), sessions, strict=True
    ):
        assert session.converged
        assert session.lambda_ == pytest.approx(truth(world.pairs(**{rule: True}))[0], abs=0.01)
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
    world = make_world(varied=False)
    pairs = [c.vector for c in world.pairs(same_family=True)]
    true_lambda = truth(world.pairs(same_family=True))[0]
    u = u_from_random_pairs(world, 3000)
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

    assert list(data) == [
        "version",
        "note",
        "thresholds",
        "term_frequency_fields",
        "start_frequency_levels",
        "fields",
    ]
    # The sibling threshold and the levels weighed by a start's frequency come from the start.
    assert data["thresholds"] == {"auto_match": 26.0, "review": 12.0, "sibling": START.sibling}
    assert model.version == "2"
    assert model.term_frequency_fields == {"forename", "family_name"}
    assert model.start_frequency_levels == START.start_frequency_levels == {"short_form", "prefix"}
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
    true_lambda = truth(world.candidates)[0]
    result = est.estimate_em([c.vector for c in world.candidates], upside_down, lambda_start=0.5)
    assert result.lambda_ == pytest.approx(1 - true_lambda, abs=0.01)
    assert result.m["date_of_birth"]["exact"] < 0.01
