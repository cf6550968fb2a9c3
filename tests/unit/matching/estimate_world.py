"""A made-up register for estimating m and u: the generator's learners with varied names, searches
for some of them as someone might type them, and the candidate pairs a search retrieves."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta

from open_lrs.demo.generator import generate_learners
from open_lrs.matching import estimate as est
from open_lrs.matching.model import load
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


def make_world(*, varied: bool) -> World:
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


def u_from_random_pairs(world: World, n: int) -> est.Probabilities:
    """u from ``n`` pairs of a search and a learner drawn at random."""
    rng = random.Random(4)
    return est.estimate_u(
        (rng.choice(world.searches), rng.choice(world.register)) for _ in range(n)
    )


def truth(pairs: list[Candidate]) -> tuple[float, est.Probabilities, est.Probabilities]:
    m, u = est.estimate_from_labels((c.vector, c.is_match) for c in pairs)
    return sum(c.is_match for c in pairs) / len(pairs), m, u
