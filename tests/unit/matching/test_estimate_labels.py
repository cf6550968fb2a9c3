"""Estimating m and u from labelled pairs, the refusals, and EM's output always being
probabilities."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from open_lrs.matching import estimate as est
from open_lrs.matching.model import Model
from tests.unit.matching.estimate_world import FIELDS, START


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

    # forename: 11 levels, 4 matches seen; 3 exact, 1 nickname
    assert m["forename"]["exact"] == pytest.approx((3 + h) / (4 + 11 * h))
    assert m["forename"]["nickname"] == pytest.approx((1 + h) / (4 + 11 * h))
    assert m["forename"]["swapped"] == pytest.approx(h / (4 + 11 * h))  # never seen, not 0
    assert m["date_of_birth"]["exact"] == pytest.approx((3 + h) / (4 + 5 * h))
    # one match has no postcode: 3 compared over 4 levels
    assert m["postcode"]["exact"] == pytest.approx((2 + h) / (3 + 4 * h))
    assert m["gender"]["exact"] == pytest.approx((3 + h) / (3 + 2 * h))
    assert u["forename"]["different"] == pytest.approx((2 + h) / (3 + 11 * h))
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
