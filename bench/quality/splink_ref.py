"""Splink 5 (DuckDB) on the same register and searches: the reference to beat.

Set up the way Splink's documentation recommends: names normalised (lower case, no accents
or punctuation) before linking, Jaro-Winkler levels with term-frequency adjustments on exact
names, u from random sampling, m by EM over two blocking rules (each leaving out the fields it
blocks on), then predictions over blocking rules much like the engine's. Each search's
candidates are then decided by the engine's own rule on match probabilities, at a few
threshold pairs.
"""

from __future__ import annotations

import logging
import math
import re
import time
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import jellyfish
import pandas as pd
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from open_lrs.demo.population import Person
from open_lrs.demo.queries import QueryCase
from quality.outcomes import FALSE_EXACT, Answer, Tally, classify, decide_by_thresholds

THRESHOLDS = ((0.99, 0.5), (0.999, 0.5))  # (auto, review) on match probability
PREDICT_FROM = 0.01  # pairs below this probability are never a candidate
_SPECIAL = str.maketrans("łŁøØđĐıß", "lLoOdDis")
_NOT_LETTER = re.compile(r"[^a-z]")
_UNKNOWN_POSTCODES = {"ZZ99 9ZZ"}
logging.getLogger("splink").setLevel(logging.WARNING)


def fold(name: str | None) -> str | None:
    """Lower case, no accents, letters only (Splink's usual cleaning)."""
    if not name:
        return None
    text = unicodedata.normalize("NFKD", name.translate(_SPECIAL))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return _NOT_LETTER.sub("", text) or None


def _postcode(value: str | None) -> str | None:
    if not value:
        return None
    text = " ".join(value.upper().split())
    if " " not in text and len(text) >= 5:
        text = f"{text[:-3]} {text[-3:]}"
    return None if text in _UNKNOWN_POSTCODES or text.startswith("BF1") else text


def _sound(name: str | None) -> str | None:
    return (jellyfish.metaphone(name) or name) if name else None


def _row(
    uid: str,
    given: str,
    family: str,
    previous: str | None,
    dob: Any,
    gender: str | None,
    postcode: str | None,
) -> dict[str, Any]:
    g, f, pc = fold(given), fold(family), _postcode(postcode)
    return {
        "unique_id": uid,
        "given_name": g,
        "family_name": f,
        "previous_family_name": fold(previous),
        "dob": dob.isoformat(),
        "birth_year": dob.year,
        "gender": gender if gender in ("1", "2") else None,
        "postcode": pc,
        "postcode_sector": pc[:-2] if pc else None,
        "given_sound": _sound(g),
        "family_sound": _sound(f),
    }


def frames(register: Sequence[Person], cases: Sequence[QueryCase]) -> tuple[Any, Any]:
    reg = pd.DataFrame(
        _row(
            p.uln,
            p.given_name,
            p.family_name,
            p.previous_family_name,
            p.date_of_birth,
            p.gender,
            p.postcode,
        )
        for p in register
    )
    qs = pd.DataFrame(
        _row(
            c.query_id,
            c.given_name,
            c.family_name,
            c.previous_family_name,
            c.date_of_birth,
            c.gender,
            c.postcode,
        )
        for c in cases
    )
    return reg, qs


def settings() -> SettingsCreator:
    family = cl.CustomComparison(
        output_column_name="family_name",
        comparison_levels=[
            cll.NullLevel("family_name"),
            cll.ExactMatchLevel("family_name", term_frequency_adjustments=True),
            cll.JaroWinklerLevel("family_name", 0.92),
            cll.JaroWinklerLevel("family_name", 0.88),
            cll.CustomLevel(
                "family_name_l = previous_family_name_r OR previous_family_name_l = family_name_r",
                label_for_charts="previous family name",
            ),
            cll.JaroWinklerLevel("family_name", 0.7),
            cll.ElseLevel(),
        ],
    )
    dob = cl.CustomComparison(
        output_column_name="dob",
        comparison_levels=[
            cll.NullLevel("dob"),
            cll.ExactMatchLevel("dob"),
            cll.CustomLevel(
                "substr(dob_l, 1, 4) = substr(dob_r, 1, 4) "
                "AND substr(dob_l, 6, 2) = substr(dob_r, 9, 2) "
                "AND substr(dob_l, 9, 2) = substr(dob_r, 6, 2)",
                label_for_charts="day and month swapped",
            ),
            cll.LevenshteinLevel("dob", 1),
            cll.AbsoluteDateDifferenceLevel(
                "dob", input_is_string=True, threshold=1, metric="year"
            ),
            cll.ElseLevel(),
        ],
    )
    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="unique_id",
        comparisons=[
            cl.NameComparison("given_name", jaro_winkler_thresholds=[0.92, 0.88, 0.7]),
            family,
            dob,
            cl.PostcodeComparison("postcode"),
            cl.ExactMatch("gender"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("dob"),
            block_on("family_sound", "birth_year"),
            block_on("given_sound", "postcode_sector"),
            block_on("given_sound", "family_sound"),
        ],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )


def weight_of(probability: float) -> float:
    """Splink's match weight for a match probability: log2 of the posterior odds."""
    return math.log2(probability / (1 - probability))


@dataclass
class SplinkResult:
    tallies: list[Tally]
    # query id -> [(uln, match weight)], for sweeping thresholds afterwards
    candidates: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    prior: float = 0.0


def run(
    register: Sequence[Person], cases: Sequence[QueryCase], *, seed: int, u_pairs: float
) -> SplinkResult:
    seconds: dict[str, float] = {}
    reg, qs = frames(register, cases)
    db_api = DuckDBAPI()
    tables = [
        db_api.register(reg, dataset_display_name="register"),
        db_api.register(qs, dataset_display_name="queries"),
    ]
    linker = Linker(tables, settings(), log_level=logging.WARNING)
    started = time.perf_counter()
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "family_name", "dob")], recall=0.5
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=seed)
    print(f"  u from {u_pairs:,.0f} random pairs: {time.perf_counter() - started:.1f} s")
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("given_name", "family_name")
    )
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    seconds["training (prior, u, EM)"] = time.perf_counter() - started
    print(f"  trained in {seconds['training (prior, u, EM)']:.1f} s")
    started = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=PREDICT_FROM)
    df = predictions.as_pandas_dataframe()
    seconds["predicting"] = time.perf_counter() - started
    print(
        f"  predicted {len(df):,} pairs above p={PREDICT_FROM:g} in {seconds['predicting']:.1f} s"
    )
    candidates: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for left, right, w in zip(
        df["unique_id_l"], df["unique_id_r"], df["match_weight"], strict=True
    ):
        query, uln = (left, right) if str(left).startswith("Q") else (right, left)
        candidates[str(query)].append((str(uln), float(w)))
    prior = float(linker._settings_obj._probability_two_random_records_match)
    result = SplinkResult([], dict(candidates), seconds, prior)
    for auto, review in THRESHOLDS:
        name = f"Splink p≥{auto:g}/{review:g}"
        timed = seconds if not result.tallies else None  # timings shown once
        result.tallies.append(
            tally_at(cases, result.candidates, weight_of(auto), weight_of(review), name, timed)
        )
    return result


def at_equal_harm(
    cases: Sequence[QueryCase], result: SplinkResult, false_exact: int, review: float = 0.5
) -> tuple[Tally, float]:
    """Splink with the lowest auto-match weight (on a 0.5-bit grid) at which it makes no more
    false exact matches than ``false_exact``: tuned on the labels, so Splink's best case."""
    chosen: tuple[Tally, float] | None = None
    for step in range(0, 121):
        w = step / 2
        tally = tally_at(cases, result.candidates, w, weight_of(review), "")
        harm = tally.total()[FALSE_EXACT]
        if chosen is None or harm < chosen[0].total()[FALSE_EXACT]:
            chosen = (tally, w)
        if harm <= false_exact:
            chosen = (tally, w)
            break
    assert chosen is not None
    tally, w = chosen
    p = 1 - 1 / (1 + 2**w)
    tally.name = f"Splink at equal harm (w≥{w:g}, p≥{p:.6f})"
    return tally, w


def tally_at(
    cases: Sequence[QueryCase],
    candidates: dict[str, list[tuple[str, float]]],
    auto: float,
    review: float,
    name: str,
    seconds: dict[str, float] | None = None,
) -> Tally:
    """Every search decided by the engine's rule on Splink's match weights."""
    tally = Tally(name, seconds=dict(seconds or {}))
    for case in cases:
        answer: Answer = decide_by_thresholds(candidates.get(case.query_id, []), auto, review)
        tally.add(
            case.scenario, case.expected_uln, classify(case.expected_uln, answer), case.query_id
        )
    return tally
