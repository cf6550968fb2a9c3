"""A made-up UK learner register, to measure the matcher on (searches: ``demo.queries``).

A matcher is only as good as the cases it is measured on, so the register is built the way a
real one is: households share a family name and address, twins share a birthday and differ by
given name, common names (Smith, Patel, Khan, Mohammed) are common and most names are rare,
a few learners share a name and birthday with someone elsewhere, and spellings keep their
accents and apostrophes. The name and place lists are data (``data/names.csv``,
``data/places.csv``), so that they can grow without touching the code.

Pure and deterministic for a seed: no database, no clock (``today`` is passed in).
"""

from __future__ import annotations

import csv
import random
from bisect import bisect
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from functools import cache
from importlib.resources import files
from itertools import accumulate
from operator import attrgetter
from pathlib import Path
from typing import Generic, NamedTuple, TypeVar

from open_lrs.core.text import compact_name, typo_close
from open_lrs.learners.importer import COLUMNS
from open_lrs.learners.rules import UNKNOWN_POSTCODE
from open_lrs.learners.uln import check_digit
from open_lrs.matching.nicknames import are_nicknames, known_names

T = TypeVar("T")
TWIN_RATE = 0.015  # of births
MIDDLE_NAME_RATE = 0.3
PREFERRED_NAME_RATE = 0.06
MARRIED_RATE = 0.25  # of women in their own home, about 10% of adult women
NAMESAKE_RATE = 0.001  # of homes: someone else's name and birthday, elsewhere
UNKNOWN_POSTCODE_RATE = 0.01
# Share of homes; chance of a given name from the English list; region most live in, and how many.
_BACKGROUNDS: dict[str, tuple[float, float, str, float]] = {
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
_UNITS = [  # inward codes: the sector's digit and the two letters a unit may use
    f"{d}{a}{b}" for d in range(10) for a in "ABDEFGHJLNPQRSTUWXYZ" for b in "ABDEFGHJLNPQRSTUWXYZ"
]
_FEMALE_FAMILY = frozenset(("Kaur", "Begum", "Khatun", "Bibi"))
_POLISH_ENDINGS = ("ski", "cki", "zki")


class _Pool(Generic[T]):
    """Items drawn in proportion to their weights (bisection on the running total)."""

    def __init__(self, weighted: Iterable[tuple[T, float]]) -> None:
        pairs = list(weighted)
        self.items = [item for item, _ in pairs]
        self.cum = list(accumulate(w for _, w in pairs))
        self.last = len(self.items) - 1

    def pick(self, rng: random.Random) -> T:
        return self.items[bisect(self.cum, rng.random() * self.cum[-1], hi=self.last)]


_YOUNGER = _Pool(((0, 55), (1, 30), (2, 11), (3, 4)))  # younger brothers and sisters


Area = tuple[str, str, str, tuple[str, ...]]  # area letters, post town, region, districts


@dataclass(frozen=True)
class _Data:
    given: dict[tuple[str, str], _Pool[str]]  # by (background, sex)
    family: dict[str, _Pool[str]]
    stems: list[str]
    suffixes: list[str]
    regions: dict[str, _Pool[Area]]  # "" for the whole UK
    streets: dict[str, list[str]]  # by region, "" for the whole UK
    areas: dict[str, Area]
    backgrounds: _Pool[str]
    ages: _Pool[int]


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
def _data() -> _Data:
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
    return _Data(
        given={(bg, sexes[k]): _Pool(v) for (bg, k), v in lists.items() if k in sexes},
        family={bg: _Pool(v) for (bg, k), v in lists.items() if k == "family"},
        stems=[n for n, _ in lists["english", "family_stem"]],
        suffixes=[n for n, _ in lists["english", "family_suffix"]],
        regions={region: _Pool(areas) for region, areas in by_region.items()},
        areas={a[0]: a for a, _ in by_region[""]},
        streets=_streets(lists),
        backgrounds=_Pool((bg, v[0]) for bg, v in _BACKGROUNDS.items()),
        ages=_Pool((age, _age_weight(age)) for age in range(14, 61)),
    )


folded = cache(compact_name)  # names come from a few thousand; fold each once


@cache
def nicknames_of(folded: str) -> tuple[str, ...]:
    """The table's other forms of a folded given name, sorted so that a seed picks the same."""
    return tuple(sorted(n for n in known_names() if are_nicknames(folded, n)))


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def is_gendered(family: str) -> bool:
    """True for a family name with a man's and a woman's form (Kowalski, Kowalska; Singh, Kaur)."""
    return family in _FEMALE_FAMILY or family.endswith(
        (*_POLISH_ENDINGS, *(e[:-1] + "a" for e in _POLISH_ENDINGS))
    )


def family_for(family: str, sex: str, background: str, rng: random.Random) -> str:
    """A woman's form of the household's family name: Kowalska, Kaur, Begum."""
    if sex != "2":
        return family
    if background == "polish" and family.endswith(_POLISH_ENDINGS):
        return family[:-1] + "a"
    if family == "Singh":
        return "Kaur" if rng.random() < 0.7 else family
    if background == "bangladeshi" and rng.random() < 0.35:
        return "Begum" if rng.random() < 0.75 else "Khatun"
    if background == "pakistani" and rng.random() < 0.1:
        return "Bibi"
    return family


@dataclass(frozen=True, slots=True)
class Person:
    """A learner as the register holds them, plus what the benchmark groups results by."""

    uln: str
    given_name: str
    middle_other_name: str | None
    family_name: str
    preferred_given_name: str | None
    previous_family_name: str | None
    date_of_birth: date
    gender: str
    email: str | None
    postcode: str
    address_line_1: str | None
    address_town: str | None
    household: int
    background: str  # the name lists drawn from, to break results down by


class Household(NamedTuple):
    """What a home's learners share (Person's last fields, in order)."""

    postcode: str
    address_line_1: str
    address_town: str
    number: int
    background: str


class Maker:
    """Draws names, homes and people; one rng, so that one seed gives one population.

    Shared with ``demo.queries`` (strangers and unregistered siblings), not a public API.
    """

    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng, self.today, self.data = rng, today, _data()
        self.ulns: set[str] = set()
        self.adult_born = _years_before(today, 14)
        self.birthdays: dict[int, tuple[int, int]] = {}  # by age: first day, number of days
        for age in range(13, 111):
            first = _years_before(today, age + 1).toordinal() + 1
            self.birthdays[age] = (first, _years_before(today, age).toordinal() - first + 1)

    def born(self, age: int) -> date:
        """A date of birth that makes someone ``age`` today."""
        first, days = self.birthdays[age]
        return date.fromordinal(first + int(self.rng.random() * days))

    def uln(self) -> str:
        """A new valid ULN (``uln.generate_uln``'s draw, at a million a run's speed)."""
        while True:
            stem = str(100_000_000 + int(self.rng.random() * 900_000_000))
            digit = check_digit(stem)
            if digit is not None and (uln := f"{stem}{digit}") not in self.ulns:
                self.ulns.add(uln)
                return uln

    def sex(self) -> str:
        return "1" if self.rng.random() < 0.5 else "2"

    def family_name(self, background: str) -> str:
        rng = self.rng
        if background == "english" and rng.random() < 0.12:
            return rng.choice(self.data.stems) + rng.choice(self.data.suffixes)
        name = self.data.family[background].pick(rng)
        if rng.random() < 0.004:
            other = self.data.family["english"].pick(rng)
            if len(name) + len(other) < 35 and other != name:
                return f"{name}-{other}"
        return name

    def given(
        self, background: str, sex: str, avoid: Sequence[str] = (), *, strict: bool = True
    ) -> str:
        """A given name, not one of ``avoid`` (folded); when ``strict``, usually (as parents
        choose siblings' names) neither a nickname nor a near spelling of one of them."""
        rng = self.rng
        strict = strict and rng.random() < 0.9
        english_chance = _BACKGROUNDS[background][1]
        name = ""
        for _ in range(50):
            pool = "english" if rng.random() < english_chance else background
            name = self.data.given[pool, sex].pick(rng)
            key = folded(name)
            if not any(
                key == a or (strict and (typo_close(key, a) or are_nicknames(key, a)))
                for a in avoid
            ):
                return name
        return name

    def postcode(self, districts: Sequence[str], *, known: bool = False) -> str:
        rng = self.rng
        if not known and rng.random() < UNKNOWN_POSTCODE_RATE:
            return UNKNOWN_POSTCODE
        return f"{rng.choice(districts)} {_UNITS[int(rng.random() * len(_UNITS))]}"

    def home(self, background: str, *, known: bool = False) -> tuple[str, str, str]:
        """Postcode, first line of the address and post town, mostly in the background's region."""
        rng = self.rng
        region, at_home = _BACKGROUNDS[background][2:]
        regions, streets = self.data.regions, self.data.streets
        _, town, region, districts = (
            regions[region] if rng.random() < at_home else regions[""]
        ).pick(rng)
        line = f"{int(rng.random() * 240) + 1} {rng.choice(streets.get(region, streets['']))}"
        return self.postcode(districts, known=known), line, town

    def person(
        self,
        home: Household,
        family: str,
        sex: str,
        born: date,
        *,
        given: str = "",
        previous: str | None = None,
        avoid: Sequence[str] = (),
    ) -> Person:
        rng = self.rng
        given = given or self.given(home.background, sex, avoid)
        key = folded(given)
        middle = None
        if rng.random() < MIDDLE_NAME_RATE:
            middle = self.given(home.background, sex, (key,), strict=False)
            middle = None if len(middle) + len(given) > 34 else middle
        preferred = None
        if rng.random() < PREFERRED_NAME_RATE and (forms := nicknames_of(key)):
            preferred = rng.choice(forms).capitalize()
        email = None
        if rng.random() < 0.2 and (local := f"{key}.{folded(family)}").isascii():
            email = f"{local}{int(rng.random() * 99) + 1}@example.com"
        gender = "9" if rng.random() < 0.005 else sex
        return Person(
            self.uln(), given, middle, family, preferred, previous, born, gender, email, *home
        )

    def household(self, number: int) -> list[Person]:
        """One home's learners: a single adult (with children at college), or siblings."""
        rng = self.rng
        background = self.data.backgrounds.pick(rng)
        family = self.family_name(background)
        home = Household(*self.home(background), number, background)
        age = self.data.ages.pick(rng)
        people: list[Person] = []
        if age >= 25:
            sex, previous = self.sex(), None
            if sex == "2" and rng.random() < MARRIED_RATE:
                previous, family = family, self.family_name(background)
                previous = None if folded(previous) == folded(family) else previous
            surname = family_for(family, sex, background, rng)
            people.append(self.person(home, surname, sex, self.born(age), previous=previous))
            children = rng.choice((1, 1, 2)) if age >= 38 and rng.random() < 0.3 else 0
            age = rng.randint(14, min(age - 20, 24)) if children else age  # eldest child
        else:
            children = 1 + _YOUNGER.pick(rng)
        born, names = self.born(age), list[str]()
        for _ in range(children):
            if born > self.adult_born:  # too young to have a ULN yet
                break
            for _ in range(2 if rng.random() < TWIN_RATE else 1):
                sex = self.sex()
                surname = family_for(family, sex, background, rng)
                child = self.person(home, surname, sex, born, avoid=names)
                names.append(folded(child.given_name))
                people.append(child)
            born += timedelta(days=rng.randint(365, 6 * 365))
        return people

    def namesake(self, number: int, other: Person) -> Person:
        """Someone else with the same name and birthday, living elsewhere."""
        sex = other.gender if other.gender != "9" else self.sex()
        home = Household(*self.home(other.background), number, other.background)
        born, given = other.date_of_birth, other.given_name
        return self.person(home, other.family_name, sex, born, given=given)


def generate_register(
    n: int, *, seed: int, today: date, progress: Callable[[int], None] | None = None
) -> list[Person]:
    """``n`` learners, each with a unique valid ULN; ``progress`` is told the count so far."""
    rng = random.Random(f"register:{seed}")
    maker = Maker(rng, today)
    people: list[Person] = []
    household = reported = 0
    while len(people) < n:
        household += 1
        if people and rng.random() < NAMESAKE_RATE:
            people.append(maker.namesake(household, rng.choice(people)))
        else:
            people.extend(maker.household(household))
        if progress is not None and len(people) - reported >= 10_000:
            reported = len(people)
            progress(reported)
    del people[n:]
    if progress is not None:
        progress(n)
    return people


def write_register_csv(path: Path, people: Iterable[Person]) -> Path:
    """The register in ``lrs learners import`` format, ULNs included."""
    names = {f.name for f in fields(Person)}
    present = [c for c in COLUMNS if c in names]
    slots = [COLUMNS.index(c) for c in present]
    get = attrgetter(*present)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for person in people:
            row = [""] * len(COLUMNS)
            for slot, value in zip(slots, get(person), strict=True):
                row[slot] = "" if value is None else str(value)
            writer.writerow(row)
    return path
