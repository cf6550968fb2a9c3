"""Test data: valid learner payloads, unique per call so tests never collide."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from open_lrs.core.settings import Settings

# The matching model version the services are given, as an app or a command reads it from its
# settings (LRS_MATCH_MODEL_VERSION, or the default).
MODEL_VERSION = Settings().match_model_version

_rng = random.Random()
_FIRST_BIRTHDAY, _DAYS = date(1960, 1, 1), (date(2010, 12, 31) - date(1960, 1, 1)).days


def _birthdays() -> Iterator[date]:
    """Every day from 1960 to 2010 once, in random order, then again: two learners made in one
    test run never share a date of birth (18,000 of them would), so the matching engine never
    sees two of them as one person (with names from short lists, a shared birthday could)."""
    while True:
        days = list(range(_DAYS))
        _rng.shuffle(days)
        yield from (_FIRST_BIRTHDAY + timedelta(days=d) for d in days)


_BIRTHDAYS = _birthdays()
GIVEN = [
    "Amelia",
    "Oliver",
    "Siân",
    "Dafydd",
    "Aoife",
    "Oisín",
    "Priya",
    "Arjun",
    "Zofia",
    "Łukasz",
    "Chinedu",
    "Ngozi",
    "João",
    "Beatriz",
    "Emre",
    "Ayşe",
    "Nguyễn",
    "Zoë",
]
FAMILY = [
    "Smith",
    "Jones",
    "O'Neill",
    "Ó Súilleabháin",
    "Patel",
    "Kowalski",
    "Okafor",
    "Silva",
    "Yılmaz",
    "Smith-Jones",
    "MacDonald",
    "Evans",
    "Nowak",
    "Adeyemi",
]
POSTCODES = ["SW1A 1AA", "M1 1AE", "CF10 1EP", "B33 8TH", "LS1 4AP", "EH1 1YZ", "BT1 5GS"]


def learner_payload(**overrides: Any) -> dict[str, Any]:
    """A valid registration body with a random (so practically unique) identity."""
    dob = next(_BIRTHDAYS)
    body: dict[str, Any] = {
        "given_name": _rng.choice(GIVEN),
        "family_name": f"{_rng.choice(FAMILY)}-{_rng.choice(FAMILY)}"[:35]
        if _rng.random() < 0.2
        else _rng.choice(FAMILY),
        "date_of_birth": dob.isoformat(),
        "gender": _rng.choice(["1", "2"]),
        "postcode": _rng.choice(POSTCODES),
        "address_line_1": f"{_rng.randint(1, 300)} High Street",
    }
    body.update(overrides)
    return body
