"""Splink 5 on FEBRL4, the reference: the settings of Splink's FEBRL4 example (names with
term frequencies on the full name, date of birth, street number, postcode), without the
social security number; and a second model that adds the address line and suburb in its
place. F1 at the best threshold on the labels, over all scored pairs and one-to-one."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from quality.linkage import Scores, best, evaluate, one_to_one

logging.getLogger("splink").setLevel(logging.WARNING)
FIELDS = (
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
)  # never soc_sec_id


def prepare(frame: Any) -> Any:
    df = frame.reset_index()[["rec_id", *FIELDS]].copy()
    for column in FIELDS:
        df[column] = df[column].astype("string").str.strip().replace("", None)
    df["name_concat"] = df["given_name"].fillna("") + " " + df["surname"].fillna("")
    return df


def settings(with_address: bool) -> SettingsCreator:
    comparisons = [
        cl.ForenameSurnameComparison(
            "given_name", "surname", forename_surname_concat_col_name="name_concat"
        ),
        cl.DateOfBirthComparison(
            "date_of_birth",
            input_is_string=True,
            datetime_format="%Y%m%d",
            invalid_dates_as_null=True,
        ),
        cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
        cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(
            term_frequency_adjustments=True
        ),
    ]
    if with_address:
        comparisons += [
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.7]),
            cl.JaroWinklerAtThresholds("suburb", [0.9, 0.7]),
        ]
    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="rec_id",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "surname"),
            block_on("date_of_birth"),
            block_on("surname", "postcode"),
            block_on("given_name", "postcode"),
            block_on("street_number", "postcode"),
            block_on("address_1"),
            block_on("address_2"),
        ],
        retain_matching_columns=False,
    )


@dataclass
class FebrlSplink:
    name: str
    pairs: int
    blocking_recall: float
    best_pairwise: Scores
    best_one_to_one: Scores
    at_half: Scores  # one-to-one at match probability 0.5: Splink's own prior, no labels
    seconds: dict[str, float]


def run(
    frame_a: Any, frame_b: Any, truth: set[tuple[str, str]], *, with_address: bool, seed: int
) -> FebrlSplink:
    db_api = DuckDBAPI()
    tables = [
        db_api.register(prepare(frame_a), dataset_display_name="a"),
        db_api.register(prepare(frame_b), dataset_display_name="b"),
    ]
    linker = Linker(tables, settings(with_address), log_level=logging.WARNING)
    started = time.perf_counter()
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname", "date_of_birth")], recall=0.6
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=seed)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("given_name", "surname")
    )
    trained = time.perf_counter() - started
    started = time.perf_counter()
    df = linker.inference.predict().as_pandas_dataframe()
    predicted = time.perf_counter() - started
    scored: list[tuple[float, str, str]] = []
    for left, right, weight in zip(df["rec_id_l"], df["rec_id_r"], df["match_weight"], strict=True):
        a, b = (left, right) if str(left).endswith("-org") else (right, left)
        scored.append((float(weight), str(a), str(b)))
    grid = [t / 4 for t in range(-80, 200)]
    pairwise = max(
        (evaluate([(a, b) for w, a, b in scored if w >= t], truth, t) for t in grid),
        key=lambda s: s.f1,
    )
    found = {(a, b) for _, a, b in scored}
    name = "Splink, example settings" + (" + address line, suburb" if with_address else "")
    return FebrlSplink(
        name,
        len(scored),
        len(found & truth) / len(truth),
        pairwise,
        best(scored, truth, grid),
        evaluate(one_to_one(scored, 0.0), truth, 0.0),
        {"training (prior, u, EM)": trained, "predicting": predicted},
    )
