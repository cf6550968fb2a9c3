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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from functools import cache
from operator import attrgetter
from pathlib import Path
from typing import NamedTuple, TypeVar

from open_lrs.core.postcodes import UNKNOWN_POSTCODE
from open_lrs.core.text import compact_name, typo_close
from open_lrs.demo.population_data import BACKGROUNDS, UNITS, YOUNGER, data
from open_lrs.learners.importer import COLUMNS
from open_lrs.learners.uln import check_digit
from open_lrs.matching.nicknames import are_nicknames, known_names

T = TypeVar("T")
TWIN_RATE = 0.015  # of births
TWINS_ALIKE_RATE = 0.4  # twins whose names start alike: Ella and Ellie, Jo and Joel
MIDDLE_NAME_RATE = 0.3
PREFERRED_NAME_RATE = 0.06
MARRIED_RATE = 0.25  # of women in their own home, about 10% of adult women
NAMESAKE_RATE = 0.001  # of homes: someone else's name and birthday, elsewhere
UNKNOWN_POSTCODE_RATE = 0.01
_FEMALE_FAMILY = frozenset(("Kaur", "Begum", "Khatun", "Bibi"))
_POLISH_ENDINGS = ("ski", "cki", "zki")


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
        self.rng, self.today, self.data = rng, today, data()
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
        english_chance = BACKGROUNDS[background][1]
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

    def given_like(self, background: str, sex: str, other: str) -> str:
        """A given name that starts with the same two letters as ``other`` but is another name,
        not a nickname or near spelling of it (twins: Ella and Ellie, Isla and Isabel), or
        any other given name where there is none."""
        key = folded(other)
        pool = "english" if self.rng.random() < BACKGROUNDS[background][1] else background
        like = [
            name
            for name in self.data.given[pool, sex].items
            if (k := folded(name))[:2] == key[:2]
            and k != key
            and not typo_close(k, key)
            and not are_nicknames(k, key)
        ]
        return self.rng.choice(like) if like else self.given(background, sex, (key,))

    def postcode(self, districts: Sequence[str], *, known: bool = False) -> str:
        rng = self.rng
        if not known and rng.random() < UNKNOWN_POSTCODE_RATE:
            return UNKNOWN_POSTCODE
        return f"{rng.choice(districts)} {UNITS[int(rng.random() * len(UNITS))]}"

    def home(self, background: str, *, known: bool = False) -> tuple[str, str, str]:
        """Postcode, first line of the address and post town, mostly in the background's region."""
        rng = self.rng
        region, at_home = BACKGROUNDS[background][2:]
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
            children = 1 + YOUNGER.pick(rng)
        born, names = self.born(age), list[str]()
        for _ in range(children):
            if born > self.adult_born:  # too young to have a ULN yet
                break
            twin: Person | None = None
            for _ in range(2 if rng.random() < TWIN_RATE else 1):
                sex = self.sex()
                surname = family_for(family, sex, background, rng)
                given = ""
                if twin is not None and rng.random() < TWINS_ALIKE_RATE:
                    given = self.given_like(background, sex, twin.given_name)
                child = self.person(home, surname, sex, born, given=given, avoid=names)
                names.append(folded(child.given_name))
                people.append(child)
                twin = child
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
