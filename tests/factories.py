"""Test data: valid learner payloads, unique per call so tests never collide."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

_rng = random.Random()
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
    dob = date(_rng.randint(1960, 2010), _rng.randint(1, 12), _rng.randint(1, 28))
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
