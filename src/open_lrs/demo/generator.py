"""Generated registers of made-up learners, for benchmarks, demos and tests.

Deterministic for a seed. Names cover the spread a UK register holds (Welsh, Irish, Scottish,
South Asian, West African, Polish, Vietnamese...), with accents, apostrophes and hyphens, so
that imports are exercised on real-looking text; about half the rows carry a ULN, as an
existing register's export would, and the rest are issued one on import.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from open_lrs.learners.importer import COLUMNS
from open_lrs.learners.uln import generate_uln

GIVEN_FEMALE = (
    "Amelia",
    "Olivia",
    "Isla",
    "Siân",
    "Ffion",
    "Cerys",
    "Aoife",
    "Niamh",
    "Saoirse",
    "Priya",
    "Ananya",
    "Aisha",
    "Fatima",
    "Zofia",
    "Małgorzata",
    "Ngozi",
    "Chiamaka",
    "Thảo",
    "Linh",
    "Zoë",
    "Chloé",
    "Eilidh",
    "Mhairi",
    "Ayşe",
    "Beatriz",
    "Mary-Jane",
)
GIVEN_MALE = (
    "Oliver",
    "George",
    "Harry",
    "Dafydd",
    "Rhys",
    "Gruffudd",
    "Oisín",
    "Seán",
    "Ciarán",
    "Arjun",
    "Mohammed",
    "Yusuf",
    "Łukasz",
    "Wojciech",
    "Chinedu",
    "Oluwaseun",
    "Minh",
    "Huy",
    "Callum",
    "Ruaridh",
    "Emre",
    "João",
    "Jean-Luc",
    "Kwame",
    "Tomás",
    "Eóin",
)
FAMILY = (
    "Smith",
    "Jones",
    "Williams",
    "Taylor",
    "Brown",
    "Davies",
    "Evans",
    "Thomas",
    "Roberts",
    "O'Neill",
    "Ó Súilleabháin",
    "Mac Giolla Phádraig",
    "MacDonald",
    "McLeod",
    "Murphy",
    "Patel",
    "Khan",
    "Begum",
    "Ahmed",
    "Singh",
    "Kowalski",
    "Wiśniewska",
    "Nowak",
    "Okafor",
    "Adeyemi",
    "Mensah",
    "Nguyễn",
    "Trần",
    "Smith-Jones",
    "Yılmaz",
    "D'Souza",
    "Ap Rhys",
    "Ní Bhriain",
    "Fitzgerald",
    "García",
    "Müller",
    "Ødegård",
)
AREAS = (
    "SW1A",
    "EC1A",
    "W1A",
    "N1",
    "E14",
    "SE10",
    "M1",
    "M14",
    "B33",
    "B1",
    "LS1",
    "LS6",
    "CF10",
    "CF24",
    "SA1",
    "LL57",
    "BT1",
    "BT9",
    "EH1",
    "G1",
    "AB10",
    "L1",
    "NE1",
    "S1",
    "NG7",
    "LE1",
    "OX1",
    "CB2",
    "BS1",
    "PL4",
    "EX4",
    "YO1",
    "HU1",
    "DN55",
    "CR2",
    "TR1",
)
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
TOWNS = (
    "London",
    "Manchester",
    "Birmingham",
    "Leeds",
    "Cardiff",
    "Swansea",
    "Belfast",
    "Edinburgh",
    "Glasgow",
    "Liverpool",
    "Newcastle",
    "Leicester",
    "Oxford",
    "Bristol",
)
STREETS = ("High Street", "Station Road", "Church Lane", "Heol y Castell", "Victoria Road",
           "Mill Lane", "Park Avenue", "Bóthar na Trá")  # fmt: skip


def _postcode(rng: random.Random) -> str:
    letters = rng.choice(INWARD_LETTERS) + rng.choice(INWARD_LETTERS)
    return f"{rng.choice(AREAS)} {rng.randint(0, 9)}{letters}"


def generate_learners(
    n: int, *, seed: int, uln_fraction: float = 0.5, today: date | None = None
) -> Iterator[dict[str, Any]]:
    """``n`` learners as import rows (columns of ``importer.COLUMNS``; blanks as "")."""
    rng = random.Random(seed)
    today = today or date.today()
    used: set[str] = set()
    for _ in range(n):
        gender = rng.choice("12")
        given = rng.choice(GIVEN_MALE if gender == "1" else GIVEN_FEMALE)
        family = rng.choice(FAMILY)
        age_days = rng.randint(14 * 365, 70 * 365)
        row: dict[str, Any] = dict.fromkeys(COLUMNS, "")
        if rng.random() < uln_fraction:
            uln = generate_uln(rng)
            while uln in used:
                uln = generate_uln(rng)
            used.add(uln)
            row["uln"] = uln
        row.update(
            given_name=given,
            family_name=family,
            date_of_birth=(today - timedelta(days=age_days)).isoformat(),
            gender=gender,
            postcode=_postcode(rng),
            address_line_1=f"{rng.randint(1, 250)} {rng.choice(STREETS)}",
            address_town=rng.choice(TOWNS),
        )
        if rng.random() < 0.3:
            row["middle_other_name"] = rng.choice(GIVEN_MALE + GIVEN_FEMALE)
        if rng.random() < 0.1 and gender == "2":
            row["previous_family_name"] = rng.choice(FAMILY)
        if rng.random() < 0.2:
            row["email"] = f"learner{rng.randint(1, 10**9)}@example.ac.uk"
        if rng.random() < 0.5:
            row["ability_to_share"] = rng.choice("012")
        yield row


def write_csv(path: Path, n: int, *, seed: int, uln_fraction: float = 0.5) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(generate_learners(n, seed=seed, uln_fraction=uln_fraction))
    return path
