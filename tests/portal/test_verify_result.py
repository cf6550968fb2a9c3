"""The verify result page says what did not match, in the sentences of docs/verification.md."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

from fastapi.testclient import TestClient

from open_lrs.core.db import Database
from open_lrs.learners import service as learners
from open_lrs.learners.schemas import LearnerRegistration
from tests.conftest import OrgFactory
from tests.factories import MODEL_VERSION, learner_payload
from tests.portal.conftest import UserFactory, sign_in, submit


def _what_did_not_match(html: str) -> list[str]:
    assert "What did not match" in html
    items = html.split('govuk-list--bullet">', 1)[1].split("</ul>", 1)[0]
    return [unescape(i) for i in re.findall(r"<li>(.*?)</li>", items)]


def _verify(client: TestClient, uln: str, given: str, family: str, born: date) -> str:
    r = submit(
        client,
        "/verify",
        {
            "uln": uln,
            "given_name": given,
            "family_name": family,
            "date_of_birth-day": str(born.day),
            "date_of_birth-month": str(born.month),
            "date_of_birth-year": str(born.year),
        },
    )
    assert r.status_code == 200, r.text
    return r.text


def test_a_mismatch_says_what_did_not_match(
    client: TestClient, db: Database, make_org: OrgFactory, make_user: UserFactory
) -> None:
    provider, _ = make_org("provider")
    payload = learner_payload(
        given_name="Siân", family_name="O'Neill", previous_family_name="Jones", gender="2"
    )
    uln = learners.register(
        db.unit_of_work(), provider, LearnerRegistration.model_validate(payload), MODEL_VERSION
    ).learner.uln
    born = date.fromisoformat(payload["date_of_birth"])
    sign_in(client, make_user("viewer", "university"))

    swapped = _verify(client, uln, "O'Neill", "Siân", born + timedelta(days=1))
    assert "The ULN does not belong to a learner with these details" in swapped
    assert "Result code WSVRC005 (VRF1, VRF5, VRF6, VRF7)." in swapped
    assert _what_did_not_match(swapped) == [
        "The given name is not the learner's given name or preferred given name",
        "The family name is not the learner's family name",
        "The family name is not the learner's previous family name, or they do not have one",
        "The date of birth is not the learner's date of birth",
    ]

    misspelt = _verify(client, uln, "Jnoes", "Sain", born)
    assert "Result code WSVRC003 (VRF1, VRF2, VRF3, VRF4, VRF5, VRF6)." in misspelt
    assert _what_did_not_match(misspelt) == [
        "The given name is not the learner's given name or preferred given name",
        "The given name is not the learner's family name",
        "The given name is not the learner's previous family name, or they do not have one",
        "The family name is not the learner's given name",
        "The family name is not the learner's family name",
        "The family name is not the learner's previous family name, or they do not have one",
    ]

    matched = _verify(client, uln, "SIAN", "oneill", born)
    assert "The ULN belongs to this learner" in matched
    assert "What did not match" not in matched
