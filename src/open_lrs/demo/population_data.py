"""The data a made-up register is drawn from (``demo.population``): names by background and
sex, places and streets by region, ages, read once from ``data/names.csv`` and
``data/places.csv``, and drawn from in proportion to their weights. Pure."""

from __future__ import annotations

import csv
import random
from bisect import bisect
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from itertools import accumulate
from typing import Generic, TypeVar

T = TypeVar("T")

# Share of homes; chance of a given name from the English list; region most live in, and how many.
BACKGROUNDS: dict[str, tuple[float, float, str, float]] = {
    "english": (560, 1.0, "", 0.0),
    "welsh": (45, 0.35, "wales", 0.85),
    "scottish": (65, 0.4, "scotland", 0.9),
    "irish": (40, 0.3, "ni", 0.5),
    "indian": (40, 0.1, "london", 0.4),
    "pakistani": (40, 0.04, "", 0.0),
    "bangladeshi": (20, 0.04, "london", 0.5),
    "polish": (25, 0.25, "", 0.0),
    "nigerian": (18, 0.3, "london", 0.5),
    "ghanaian": (8, 0.3, "london", 0.55),
    "portuguese": (8, 0.2, "", 0.0),
    "turkish": (7, 0.1, "london", 0.6),
    "chinese": (12, 0.45, "", 0.0),
    "vietnamese": (4, 0.25, "london", 0.4),
    "somali": (6, 0.03, "london", 0.5),
    "romanian": (14, 0.15, "", 0.0),
    "caribbean": (18, 0.5, "london", 0.6),
}
UNITS = [  # inward codes: the sector's digit and the two letters a unit may use
    f"{d}{a}{b}" for d in range(10) for a in "ABDEFGHJLNPQRSTUWXYZ" for b in "ABDEFGHJLNPQRSTUWXYZ"
]


class Pool(Generic[T]):
    """Items drawn in proportion to their weights (bisection on the running total)."""

    def __init__(self, weighted: Iterable[tuple[T, float]]) -> None:
        pairs = list(weighted)
        self.items = [item for item, _ in pairs]
        self.cum = list(accumulate(w for _, w in pairs))
        self.last = len(self.items) - 1

    def pick(self, rng: random.Random) -> T:
        return self.items[bisect(self.cum, rng.random() * self.cum[-1], hi=self.last)]


YOUNGER = Pool(((0, 55), (1, 30), (2, 11), (3, 4)))  # younger brothers and sisters


Area = tuple[str, str, str, tuple[str, ...]]  # area letters, post town, region, districts


@dataclass(frozen=True)
class Data:
    given: dict[tuple[str, str], Pool[str]]  # by (background, sex)
    family: dict[str, Pool[str]]
    stems: list[str]
    suffixes: list[str]
    regions: dict[str, Pool[Area]]  # "" for the whole UK
    streets: dict[str, list[str]]  # by region, "" for the whole UK
    areas: dict[str, Area]
    backgrounds: Pool[str]
    ages: Pool[int]


def _rows(name: str) -> list[dict[str, str]]:
    text = files("open_lrs.demo").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))


def _districts(area: str, spec: str) -> tuple[str, ...]:
    out: list[str] = []
    for token in spec.split(";"):
        low, _, high = token.partition("-")
        out += [f"{area}{i}" for i in range(int(low), int(high) + 1)] if high else [area + token]
    return tuple(out)


def _age_weight(age: int) -> float:
    """A learner register is mostly young: ULNs are issued from 14 and used through college."""
    return 10 if age <= 18 else 6 if age <= 21 else 3 if age <= 25 else 1.2 if age <= 40 else 0.6


def _streets(lists: dict[tuple[str, str], list[tuple[str, float]]]) -> dict[str, list[str]]:
    anywhere = [n for n, _ in lists["uk", "street"]]
    local = {bg: [n for n, _ in names] for (bg, kind), names in lists.items() if kind == "street"}
    return {region: [*anywhere, *names] for region, names in local.items()} | {"": anywhere}


@cache
def data() -> Data:
    lists: dict[tuple[str, str], list[tuple[str, float]]] = defaultdict(list)
    for row in _rows("names.csv"):
        lists[row["background"], row["kind"]].append((row["name"], float(row["weight"])))
    sexes = {"given_male": "1", "given_female": "2"}
    by_region: dict[str, list[tuple[Area, float]]] = defaultdict(list)
    for row in _rows("places.csv"):
        districts = _districts(row["area"], row["districts"])
        area: Area = (row["area"], row["town"], row["region"], districts)
        for region in ("", row["region"]):
            by_region[region].append((area, float(row["weight"])))
    return Data(
        given={(bg, sexes[k]): Pool(v) for (bg, k), v in lists.items() if k in sexes},
        family={bg: Pool(v) for (bg, k), v in lists.items() if k == "family"},
        stems=[n for n, _ in lists["english", "family_stem"]],
        suffixes=[n for n, _ in lists["english", "family_suffix"]],
        regions={region: Pool(areas) for region, areas in by_region.items()},
        areas={a[0]: a for a, _ in by_region[""]},
        streets=_streets(lists),
        backgrounds=Pool((bg, v[0]) for bg, v in BACKGROUNDS.items()),
        ages=Pool((age, _age_weight(age)) for age in range(14, 61)),
    )
