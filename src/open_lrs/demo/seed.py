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
from open_lrs.core.settings import get_settings
from open_lrs.feeds import service as feeds
from open_lrs.learners import service as learners
from open_lrs.learners.schemas import LearnerPublic, LearnerRegistration
from open_lrs.organisations import service as orgs
from open_lrs.organisations import users
from open_lrs.organisations.models import Organisation, User
from open_lrs.portal.authenticator import seal_totp_secret
from open_lrs.records import catalogue

DEMO_ORGS = (
    ("10000001", "Demo College (provider)", "provider"),
    ("10000002", "Demo Awarding Body", "awarding_organisation"),
    ("10000003", "Demo University", "university"),
    ("10000000", "Open LRS Administrators", "admin"),
)
DEMO_LEARNERS = (
    {"given_name": "Siân", "family_name": "Evans", "date_of_birth": "2008-03-15",
     "gender": "2", "postcode": "CF10 1EP", "address_town": "Cardiff", "ability_to_share": "1"},
    {"given_name": "Oisín", "family_name": "Ó Súilleabháin", "date_of_birth": "2007-11-02",
     "gender": "1", "postcode": "BT1 5GS", "address_town": "Belfast", "ability_to_share": "1"},
    {"given_name": "Priya", "family_name": "Patel", "preferred_given_name": "Pri",
     "date_of_birth": "2009-06-30", "gender": "2", "postcode": "LE1 6RP",
     "address_town": "Leicester", "ability_to_share": "2"},
    {"given_name": "Łukasz", "family_name": "Kowalski", "date_of_birth": "2006-01-20",
     "gender": "1", "postcode": "M1 1AE", "address_town": "Manchester", "ability_to_share": "1"},
)  # fmt: skip
# Achievements from the sample catalogue, by learner (index into DEMO_LEARNERS), loaded as the
# demo awarding body: (subject code, grade, award date).
DEMO_AWARDS = (
    (0, "60101037", "6", "2024-08-22"),  # GCSE English Language
    (0, "60101111", "4", "2024-08-22"),  # GCSE Mathematics
    (0, "H/500/2097", "", "2023-06-30"),  # a unit
    (1, "60101037", "3", "2023-08-24"),
    (2, "60101111", "7", "2025-08-21"),
    (3, "60101037", "C", "2022-08-25"),
)  # fmt: skip


# The demo portal user: a known password and authenticator secret, for the local demo only
# (`lrs demo setup` refuses to run outside development).
DEMO_USER_EMAIL = "demo@college.example"
DEMO_USER_PASSWORD = "demo-portal-password"  # noqa: S105 (printed for the local demo)
DEMO_TOTP_SECRET = "DEMOPORTALDEMOPORTALDEMOPORTAL23"  # noqa: S105


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
    version = get_settings().match_model_version
    registered = []
    for body in DEMO_LEARNERS:
        data = LearnerRegistration.model_validate(body)
        registered.append(learners.register(db.unit_of_work(), college, data, version).learner)
    _seed_records(db, registered, version)
    return result, [learner.uln for learner in registered]


def _seed_records(db: Database, registered: list[LearnerPublic], model_version: str) -> None:
    """The sample catalogue and a few achievements; loading them again changes nothing."""
    catalogue.load(db.unit_of_work(), None, catalogue.sample_entries())
    awarder = orgs.system_actor(db.unit_of_work(), DEMO_ORGS[1][0])
    items = [
        {
            "ULN": registered[who].uln,
            "GivenName": registered[who].given_name,
            "FamilyName": registered[who].family_name,
            "SubjectCode": code,
            "Grade": grade or None,
            "AwardDate": awarded,
            "Status": "F",
        }
        for who, code, grade, awarded in DEMO_AWARDS
    ]
    feeds.load_awards(db.unit_of_work(), awarder, items, model_version)


def seed_portal_user(db: Database) -> str:
    """An administrator of the demo college with the known password and authenticator secret
    (already set up, so the demo signs in with a code at once). Returns the email address."""
    with db.unit_of_work() as uow:
        exists = uow.session.scalar(select(User.id).where(User.email == DEMO_USER_EMAIL))
    if exists is None:
        users.add_user(
            db.unit_of_work(),
            ukprn=DEMO_ORGS[0][0],
            email=DEMO_USER_EMAIL,
            display_name="Demo Registrar",
            role="admin",
            password=DEMO_USER_PASSWORD,
            change_required=False,
        )
    with db.unit_of_work() as uow:
        user = uow.session.scalar(select(User).where(User.email == DEMO_USER_EMAIL))
        assert user is not None
        if user.totp_secret is None:
            user.totp_secret = seal_totp_secret(get_settings(), DEMO_TOTP_SECRET)
            uow.commit()
    return DEMO_USER_EMAIL
