"""Labelled searches of a generated register: the mistakes people make, and the people who
are not there.

Each search is made from one register learner (or from someone deliberately absent) by one
kind of mistake, named by its scenario, so that a benchmark can say not just how often the
matcher is right but which mistakes it survives. Scenarios are allotted by quota, not drawn,
so that every one is represented even in a small run.

Pure and deterministic for a seed.
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import astuple, dataclass, fields
from datetime import date, timedelta
from pathlib import Path

from open_lrs.core.text import compact_name
from open_lrs.demo.mistakes import GROUPS, MISTAKES, SIBLING_MISTAKES, Draft, outward
from open_lrs.demo.population import Maker, Person, is_gendered
from open_lrs.learners import rules
from open_lrs.learners.rules import NAME_MAX_LENGTH

# Relative frequency among searches for learners who are on the register.
PRESENT_SCENARIOS: dict[str, float] = {
    "exact_copy": 18,
    "formatting": 7,
    "typo_given": 6,
    "typo_family": 6,
    "nickname": 5,
    "shortened_given": 3,
    "short_name_slip": 3,
    "other_spelling": 3,
    "middle_name_only": 3,
    "given_with_middle": 3,
    "dob_day_month_swapped": 3,
    "dob_one_digit": 4,
    "dob_year_off_by_one": 3,
    "moved": 8,
    "married": 4,
    "missing_postcode": 4,
    "missing_gender": 3,
    "names_swapped": 3,
    "combined": 7,
    "twin_or_sibling": 5,
}
# Relative frequency among searches for people who are not (expected_uln is None).
ABSENT_SCENARIOS: dict[str, float] = {
    "sibling_not_registered": 3,
    "not_on_register": 4,
    "namesake_not_registered": 3,
}
SCENARIOS = (*PRESENT_SCENARIOS, *ABSENT_SCENARIOS)
_ATTEMPTS = 5_000


@dataclass(frozen=True, slots=True)
class QueryCase:
    """A search as a provider would send it, with the answer it should get (None: nobody)."""

    query_id: str
    scenario: str
    expected_uln: str | None
    given_name: str
    family_name: str
    date_of_birth: date
    gender: str | None
    postcode: str | None
    previous_family_name: str | None


QUERY_COLUMNS = tuple(f.name for f in fields(QueryCase))


class _Register:
    """The register indexed for making searches: by birthday, and its households."""

    def __init__(self, people: Sequence[Person]) -> None:
        self.people = people
        self.by_dob: dict[date, list[Person]] = defaultdict(list)
        homes: dict[int, list[Person]] = defaultdict(list)
        for p in people:
            self.by_dob[p.date_of_birth].append(p)
            homes[p.household].append(p)
        self.homes = homes
        self.siblings = [p for home in homes.values() if len(home) > 1 for p in home]
        self.twins = [p for p in self.siblings if _has_twin(p, homes[p.household])]

    def holds(self, d: Draft) -> bool:
        """True when someone registered has this (folded) name and date of birth."""
        key = (compact_name(d.given), compact_name(d.family))
        return any(
            (compact_name(p.given_name), compact_name(p.family_name)) == key
            for p in self.by_dob.get(d.dob, ())
        )


def _has_twin(p: Person, home: Iterable[Person]) -> bool:
    return any(o.date_of_birth == p.date_of_birth and o is not p for o in home)


def _present(m: Maker, reg: _Register, scenario: str) -> tuple[str | None, Draft] | None:
    rng = m.rng
    names: Sequence[str] = () if scenario == "exact_copy" else (scenario,)
    if scenario == "twin_or_sibling":
        if not reg.siblings:
            return None
        p = rng.choice(reg.twins if reg.twins and rng.random() < 0.5 else reg.siblings)
        names = () if rng.random() < 0.5 else (rng.choice(SIBLING_MISTAKES),)
    else:
        p = rng.choice(reg.people)
    if scenario == "combined":
        names = sorted((rng.choice(g) for g in rng.sample(GROUPS, 2)), key="formatting".__eq__)
    d = Draft.of(p)
    return (p.uln, d) if all(MISTAKES[name](m, d, p) for name in names) else None


def _sibling_not_registered(m: Maker, reg: _Register) -> Draft | None:
    """A brother or sister at the same address (perhaps a twin) who is not registered."""
    p = m.rng.choice(reg.people)
    if p.previous_family_name:
        return None
    sex = p.gender if p.gender in ("1", "2") else m.sex()
    if not is_gendered(p.family_name) and m.rng.random() < 0.5:
        sex = "2" if sex == "1" else "1"
    home = reg.homes[p.household]
    avoid = [compact_name(n) for o in home for n in (o.given_name, o.middle_other_name) if n]
    born = p.date_of_birth
    if m.rng.random() < 0.6:
        born += timedelta(days=m.rng.choice((-1, 1)) * m.rng.randint(365, 6 * 365))
    if born == p.date_of_birth and m.rng.random() < 0.4:  # a twin whose name starts alike
        given = m.given_like(p.background, sex, p.given_name)
    else:
        given = m.given(p.background, sex, avoid)
    if compact_name(given) in avoid:
        return None
    return Draft(given, p.family_name, born, sex, p.postcode)


def _not_on_register(m: Maker, reg: _Register) -> Draft | None:
    return Draft.of(m.rng.choice(m.household(0)))


def _namesake_not_registered(m: Maker, reg: _Register) -> Draft | None:
    """Someone with a registered learner's name, born on a day that no slip of the pen
    turns into theirs, and living in another district."""
    p = m.rng.choice(reg.people)
    born, b = m.born(m.data.ages.pick(m.rng)), p.date_of_birth
    differs = (born.year != b.year) + (born.month != b.month) + (born.day != b.day)
    if differs < 2 or (born.month, born.day) == (b.day, b.month):
        return None
    postcode = m.home(p.background)[0]
    if outward(postcode) == outward(p.postcode):
        return None
    return Draft(p.given_name, p.family_name, born, p.gender, postcode)


_ABSENT: dict[str, Callable[[Maker, _Register], Draft | None]] = {
    "sibling_not_registered": _sibling_not_registered,
    "not_on_register": _not_on_register,
    "namesake_not_registered": _namesake_not_registered,
}


def _valid(d: Draft, today: date) -> bool:
    """A search the API would accept (names as typed, before any cleaning, count)."""
    try:
        for name in (d.given, d.family, d.previous):
            if name is not None and (len(name) > NAME_MAX_LENGTH or not rules.name(name)):
                return False
        rules.date_of_birth(d.dob, today=today)
        return d.postcode is None or bool(rules.postcode(d.postcode))
    except ValueError:
        return False


def _quotas(n: int, absent_fraction: float) -> list[str]:
    """Each scenario's share of ``n``, rounded so that the counts add up (largest remainder)."""
    shares: dict[str, float] = {}
    for weights, part in (
        (PRESENT_SCENARIOS, 1 - absent_fraction),
        (ABSENT_SCENARIOS, absent_fraction),
    ):
        total = sum(weights.values())
        shares.update({s: n * part * w / total for s, w in weights.items()})
    counts = {s: int(v) for s, v in shares.items()}
    by_remainder = sorted(shares, key=lambda s: counts[s] - shares[s])
    for s in by_remainder[: n - sum(counts.values())]:
        counts[s] += 1
    return [s for s in SCENARIOS for _ in range(counts[s])]


def generate_queries(
    register: Sequence[Person],
    n: int,
    *,
    seed: int,
    today: date,
    absent_fraction: float = 0.1,
) -> list[QueryCase]:
    """``n`` labelled searches of ``register``, in shuffled order (ids Q000001...)."""
    if not 0 <= absent_fraction <= 1:
        raise ValueError("absent_fraction must be between 0 and 1")
    rng = random.Random(f"queries:{seed}")
    maker, reg = Maker(rng, today), _Register(register)
    slots = _quotas(n, absent_fraction)
    rng.shuffle(slots)
    cases: list[QueryCase] = []
    for number, scenario in enumerate(slots, 1):
        for _ in range(_ATTEMPTS):
            made: tuple[str | None, Draft] | None
            if scenario in _ABSENT:
                d = _ABSENT[scenario](maker, reg)
                made = (None, d) if d is not None and not reg.holds(d) else None
            else:
                made = _present(maker, reg, scenario)
            if made is not None and _valid(made[1], today):
                break
        else:
            raise ValueError(f"the register is too small to make a {scenario} search")
        uln, d = made
        cases.append(QueryCase(f"Q{number:06d}", scenario, uln, *astuple(d)))
    return cases


def write_queries_csv(path: Path, cases: Iterable[QueryCase]) -> Path:
    """One row per search, blank for None, so that other tools can run the benchmark."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(QUERY_COLUMNS)
        for case in cases:
            writer.writerow(
                "" if v is None else str(v) for v in map(case.__getattribute__, QUERY_COLUMNS)
            )
    return path


def read_queries_csv(path: Path) -> list[QueryCase]:
    """Searches written by ``write_queries_csv``; a blank cell is None."""
    with path.open(encoding="utf-8-sig", newline="") as source:
        return [
            QueryCase(
                query_id=row["query_id"],
                scenario=row["scenario"],
                expected_uln=row["expected_uln"] or None,
                given_name=row["given_name"],
                family_name=row["family_name"],
                date_of_birth=date.fromisoformat(row["date_of_birth"]),
                gender=row["gender"] or None,
                postcode=row["postcode"] or None,
                previous_family_name=row["previous_family_name"] or None,
            )
            for row in csv.DictReader(source)
        ]
