"""Demo data for `make run`: a demo college, an admin organisation, and a few learners.

Keys are shown once by design; for the local demo they are also kept in ``var/demo-keys.json``
(readable only by you) so that every `make run` can print them again. Refused outside
development.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from open_lrs.core.db import Database
from open_lrs.learners import service as learners
from open_lrs.learners.schemas import LearnerRegistration
from open_lrs.organisations import service as orgs
from open_lrs.organisations.models import Organisation

DEMO_ORGS = (
    ("10000001", "Demo College (provider)", "provider"),
    ("10000002", "Demo Awarding Body", "awarding_organisation"),
    ("10000003", "Demo University", "university"),
    ("10000000", "Open LRS Administrators", "admin"),
)
DEMO_LEARNERS = (
    {"given_name": "Siân", "family_name": "Evans", "date_of_birth": "2008-03-15",
     "gender": "2", "postcode": "CF10 1EP", "address_town": "Cardiff"},
    {"given_name": "Oisín", "family_name": "Ó Súilleabháin", "date_of_birth": "2007-11-02",
     "gender": "1", "postcode": "BT1 5GS", "address_town": "Belfast"},
    {"given_name": "Priya", "family_name": "Patel", "preferred_given_name": "Pri",
     "date_of_birth": "2009-06-30", "gender": "2", "postcode": "LE1 6RP",
     "address_town": "Leicester"},
    {"given_name": "Łukasz", "family_name": "Kowalski", "date_of_birth": "2006-01-20",
     "gender": "1", "postcode": "M1 1AE", "address_town": "Manchester"},
)  # fmt: skip


@dataclass(frozen=True)
class DemoOrg:
    ukprn: str
    name: str
    kind: str
    api_key: str | None


def _load_keys(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _save_keys(path: Path, keys: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(keys, fh, indent=2)


def seed(db: Database, keys_path: Path) -> tuple[list[DemoOrg], list[str]]:
    """Create what is missing; return the demo organisations (with keys) and learner ULNs."""
    keys = _load_keys(keys_path)
    result = []
    for ukprn, name, kind in DEMO_ORGS:
        with db.unit_of_work() as uow:
            exists = uow.session.scalar(select(Organisation.id).where(Organisation.ukprn == ukprn))
        if exists is None:
            created = orgs.create_organisation(
                db.unit_of_work(), name=name, ukprn=ukprn, kind=kind, key_name="demo"
            )
            keys[ukprn] = created.api_key
        elif ukprn not in keys:
            keys[ukprn] = orgs.add_key(db.unit_of_work(), ukprn=ukprn, name="demo").api_key
        result.append(DemoOrg(ukprn, name, kind, keys.get(ukprn)))
    _save_keys(keys_path, keys)

    college = orgs.system_actor(db.unit_of_work(), DEMO_ORGS[0][0])
    ulns = []
    for body in DEMO_LEARNERS:
        data = LearnerRegistration.model_validate(body)
        ulns.append(learners.register(db.unit_of_work(), college, data).learner.uln)
    return result, ulns
