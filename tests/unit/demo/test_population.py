"""The synthetic register and its labelled searches: valid, deterministic, and realistic where
the matcher is measured (households, twins, namesakes, and each kind of mistake)."""

from __future__ import annotations

import csv
import random
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date
from itertools import combinations
from pathlib import Path

import pytest
from rapidfuzz.distance import OSA, Levenshtein
from typer.testing import CliRunner

from open_lrs.cli import app
from open_lrs.core.clock import today
from open_lrs.core.postcodes import UNKNOWN_POSTCODE
from open_lrs.core.text import compact_name
from open_lrs.demo.mistakes import strip_accents, typo
from open_lrs.demo.population import Person, generate_register, is_gendered, write_register_csv
from open_lrs.demo.queries import (
    ABSENT_SCENARIOS,
    SCENARIOS,
    QueryCase,
    generate_queries,
    read_queries_csv,
    write_queries_csv,
)
from open_lrs.learners.importer import COLUMNS
from open_lrs.learners.rules import age_on
from open_lrs.learners.schemas import LearnerCreate
from open_lrs.learners.search_schemas import SearchRequest
from open_lrs.learners.uln import is_valid_uln
from open_lrs.matching.nicknames import are_nicknames

TODAY = today()  # the schemas check ages against the real clock
LEARNERS, QUERIES = 5000, 2000


@pytest.fixture(scope="module")
def register() -> list[Person]:
    return generate_register(LEARNERS, seed=7, today=TODAY)


@pytest.fixture(scope="module")
def cases(register: list[Person]) -> list[QueryCase]:
    return generate_queries(register, QUERIES, seed=7, today=TODAY)


def _homes(register: list[Person]) -> dict[int, list[Person]]:
    homes: dict[int, list[Person]] = defaultdict(list)
    for p in register:
        homes[p.household].append(p)
    return homes


def test_deterministic_for_a_seed(register: list[Person], cases: list[QueryCase]) -> None:
    assert generate_register(LEARNERS, seed=7, today=TODAY) == register
    assert generate_queries(register, QUERIES, seed=7, today=TODAY) == cases
    assert generate_register(200, seed=8, today=TODAY) != register[:200]


def test_every_learner_imports_with_a_unique_valid_uln(
    register: list[Person], tmp_path: Path
) -> None:
    path = write_register_csv(tmp_path / "register.csv", register)
    with path.open(encoding="utf-8", newline="") as source:
        reader = csv.DictReader(source)
        assert tuple(reader.fieldnames or ()) == COLUMNS
        rows = list(reader)
    assert len(rows) == LEARNERS
    ulns = [row["uln"] for row in rows]
    assert len(set(ulns)) == LEARNERS
    assert all(is_valid_uln(uln) for uln in ulns)
    for row in rows:
        LearnerCreate.model_validate({k: v for k, v in row.items() if v and k != "uln"})


def test_names_and_places_look_like_a_uk_register(register: list[Person]) -> None:
    families = Counter(p.family_name for p in register)
    given = Counter(p.given_name for p in register)
    assert len({p.background for p in register}) >= 15
    assert families.most_common(1)[0][0] in ("Smith", "Jones", "Williams")
    assert {"Patel", "Khan"} <= set(families)
    assert len(families) > 500
    assert len(given) > 500
    assert sum(count == 1 for count in families.values()) > 100  # many rare names
    assert any(not name.isascii() for name in families)
    assert any("'" in name for name in families)
    assert any("-" in name for name in families)
    assert len({p.postcode.split()[0] for p in register}) > 300
    assert 0.002 < sum(p.postcode == UNKNOWN_POSTCODE for p in register) / LEARNERS < 0.03
    assert 0.25 < sum(bool(p.middle_other_name) for p in register) / LEARNERS < 0.35
    assert any(p.preferred_given_name for p in register)
    assert {p.gender for p in register} == {"1", "2", "9"}
    ages = [age_on(p.date_of_birth, TODAY) for p in register]
    assert min(ages) >= 14
    assert max(ages) <= 60
    assert sum(age <= 25 for age in ages) / LEARNERS > 0.6
    women = [p for p in register if p.gender == "2" and age_on(p.date_of_birth, TODAY) >= 18]
    assert 0.05 < sum(bool(p.previous_family_name) for p in women) / len(women) < 0.16


def test_households_share_a_name_and_address_and_twins_differ_by_given_name(
    register: list[Person],
) -> None:
    homes = _homes(register)
    twins = []
    for home in homes.values():
        assert len({(p.postcode, p.address_line_1, p.address_town) for p in home}) == 1
        # Kowalski and Kowalska, Singh and Kaur: one family, two forms of its name
        assert len({p.family_name for p in home if not is_gendered(p.family_name)}) <= 1
        for a, b in combinations(home, 2):
            gap = abs((a.date_of_birth - b.date_of_birth).days)
            assert gap == 0 or gap >= 365
            if gap == 0:
                twins.append((a, b))
    assert len(twins) >= 20
    assert all(compact_name(a.given_name) != compact_name(b.given_name) for a, b in twins)
    assert any(a.family_name == b.family_name and a.gender == b.gender for a, b in twins)
    assert sum(len(home) > 1 for home in homes.values()) > 200


def test_every_scenario_is_well_represented(cases: list[QueryCase]) -> None:
    counts = Counter(case.scenario for case in cases)
    assert set(counts) == set(SCENARIOS)
    assert min(counts.values()) >= 0.02 * QUERIES
    assert sum(case.expected_uln is None for case in cases) == QUERIES // 10
    assert len({case.query_id for case in cases}) == QUERIES


def test_every_search_is_one_the_api_accepts(cases: list[QueryCase]) -> None:
    for case in cases:
        SearchRequest.model_validate(
            {
                "given_name": case.given_name,
                "family_name": case.family_name,
                "date_of_birth": case.date_of_birth.isoformat(),
                "gender": case.gender,
                "postcode": case.postcode,
                "previous_family_name": case.previous_family_name,
            }
        )


def _searched(q: QueryCase) -> tuple[object, ...]:
    return (
        q.given_name,
        q.family_name,
        q.date_of_birth,
        q.gender,
        q.postcode,
        q.previous_family_name,
    )


def _digits_differ(a: date, b: date) -> int:
    return sum(x != y for x, y in zip(a.isoformat(), b.isoformat(), strict=True))


def _one_edit(a: str, b: str) -> bool:
    return len(compact_name(b)) >= 4 and OSA.distance(compact_name(a), compact_name(b)) == 1


def _married(q: QueryCase, p: Person) -> bool:
    if q.previous_family_name:  # married since: the new name, and the old as previous
        return q.previous_family_name == p.family_name and q.family_name != p.family_name
    return p.previous_family_name is not None and q.family_name == p.previous_family_name


_MISTAKE: dict[str, Callable[[QueryCase, Person], bool]] = {
    "exact_copy": lambda q, p: (
        (q.given_name, q.family_name, q.date_of_birth, q.gender, q.postcode)
        == (p.given_name, p.family_name, p.date_of_birth, p.gender, p.postcode)
    ),
    "formatting": lambda q, p: (
        (q.given_name, q.family_name) != (p.given_name, p.family_name)
        and q.date_of_birth == p.date_of_birth
    ),
    "typo_given": lambda q, p: _one_edit(q.given_name, p.given_name),
    "typo_family": lambda q, p: _one_edit(q.family_name, p.family_name),
    "nickname": lambda q, p: are_nicknames(compact_name(q.given_name), compact_name(p.given_name)),
    "shortened_given": lambda q, p: (
        2 <= len(q.given_name) <= 4 and p.given_name.startswith(q.given_name)
    ),
    "short_name_slip": lambda q, p: (
        2 <= len(p.given_name) <= 4
        and len(p.given_name) - len(q.given_name) in (0, 1)
        and OSA.distance(q.given_name, p.given_name) == 1
    ),
    "other_spelling": lambda q, p: (
        0 < Levenshtein.distance(compact_name(q.given_name), compact_name(p.given_name)) <= 2
    ),
    "middle_name_only": lambda q, p: q.given_name == p.middle_other_name,
    "given_with_middle": lambda q, p: q.given_name == f"{p.given_name} {p.middle_other_name}",
    "dob_day_month_swapped": lambda q, p: (
        (q.date_of_birth.day, q.date_of_birth.month) == (p.date_of_birth.month, p.date_of_birth.day)
        and p.date_of_birth.day != p.date_of_birth.month
    ),
    "dob_one_digit": lambda q, p: _digits_differ(q.date_of_birth, p.date_of_birth) == 1,
    "dob_year_off_by_one": lambda q, p: (
        abs(q.date_of_birth.year - p.date_of_birth.year) == 1
        and (q.date_of_birth.month, q.date_of_birth.day)
        == (p.date_of_birth.month, p.date_of_birth.day)
    ),
    "moved": lambda q, p: (q.postcode or "").split()[0] != p.postcode.split()[0],
    "married": _married,
    "missing_postcode": lambda q, p: (
        q.postcode in (None, UNKNOWN_POSTCODE) and p.postcode != UNKNOWN_POSTCODE
    ),
    "missing_gender": lambda q, p: q.gender in (None, "9") and p.gender in ("1", "2"),
    "names_swapped": lambda q, p: (q.given_name, q.family_name) == (p.family_name, p.given_name),
}


def test_searches_for_registered_learners_make_the_named_mistake(
    register: list[Person], cases: list[QueryCase]
) -> None:
    by_uln = {p.uln: p for p in register}
    homes = _homes(register)
    twins = 0
    for case in cases:
        if case.expected_uln is None:
            continue
        p = by_uln[case.expected_uln]
        if case.scenario in _MISTAKE:
            assert _MISTAKE[case.scenario](case, p), (case, p)
        elif case.scenario == "twin_or_sibling":
            assert len(homes[p.household]) > 1
            assert case.date_of_birth == p.date_of_birth
            assert compact_name(case.given_name) == compact_name(p.given_name)
            twins += sum(o.date_of_birth == p.date_of_birth for o in homes[p.household]) > 1
        else:
            assert case.scenario == "combined"
            learner = (p.given_name, p.family_name, p.date_of_birth, p.gender, p.postcode, None)
            assert _searched(case) != learner
    assert twins > 10


def test_searches_for_absent_people_match_nobody_exactly(
    register: list[Person], cases: list[QueryCase]
) -> None:
    on_register = {
        (compact_name(p.given_name), compact_name(p.family_name), p.date_of_birth) for p in register
    }
    by_name: dict[tuple[str, str], list[Person]] = defaultdict(list)
    by_address: dict[tuple[str, str], list[Person]] = defaultdict(list)
    for p in register:
        by_name[p.given_name, p.family_name].append(p)
        by_address[p.family_name, p.postcode].append(p)
    for case in cases:
        key = (compact_name(case.given_name), compact_name(case.family_name), case.date_of_birth)
        assert (case.scenario in ABSENT_SCENARIOS) == (case.expected_uln is None)
        if case.expected_uln is not None:
            continue
        assert key not in on_register, case
        if case.scenario == "sibling_not_registered":
            family = by_address[case.family_name, str(case.postcode)]
            assert family, case
            assert all(compact_name(p.given_name) != key[0] for p in family)
        elif case.scenario == "namesake_not_registered":
            namesakes = by_name[case.given_name, case.family_name]
            assert any(p.postcode != case.postcode for p in namesakes), case


def test_query_csv_round_trips(cases: list[QueryCase], tmp_path: Path) -> None:
    path = write_queries_csv(tmp_path / "queries.csv", cases)
    assert read_queries_csv(path) == cases
    assert any(case.given_name != case.given_name.strip() for case in cases)  # kept as typed


def test_a_typo_is_one_slip_in_a_name_long_enough_to_have_one() -> None:
    rng = random.Random(1)
    assert typo(rng, "Ann") is None
    slips = {typo(rng, "O'Sullivan") for _ in range(200)} - {None}
    assert len(slips) > 20
    assert all(_one_edit(slip, "O'Sullivan") for slip in slips if slip)


def test_accents_dropped_as_a_plain_keyboard_would() -> None:
    assert strip_accents("Siân Łukasz Nguyễn Ó Súilleabháin") == "Sian Lukasz Nguyen O Suilleabhain"
    assert strip_accents("Yılmaz Søren Müller-Çelik") == "Yilmaz Soren Muller-Celik"


def test_cli_writes_the_register_and_searches(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    args = ["demo", "generate", "--learners", "800", "--queries", "300", "--seed", "3"]
    result = CliRunner().invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "twin_or_sibling" in result.output
    assert f"lrs learners import {out / 'register.csv'} --ukprn <UKPRN>" in result.output
    with (out / "register.csv").open(encoding="utf-8", newline="") as source:
        assert sum(1 for _ in csv.DictReader(source)) == 800
    assert len(read_queries_csv(out / "queries.csv")) == 300
    again = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "again")])
    assert again.exit_code == 0
    assert (tmp_path / "again" / "queries.csv").read_bytes() == (out / "queries.csv").read_bytes()


def test_cli_refuses_a_register_too_small_for_every_scenario(tmp_path: Path) -> None:
    args = ["demo", "generate", "--learners", "1", "--queries", "100", "--out", str(tmp_path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert "too small" in result.output
    assert not (tmp_path / "register.csv").exists()
