"""Changing a learner's details in the portal: a save sends only what the person changed, so
after a version conflict saving again never puts back the other person's change (issue 24,
defect 1: a postcode changed by one registrar was put back by the other)."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

from fastapi.testclient import TestClient

from open_lrs.core.db import Database
from open_lrs.learners import service as learners
from open_lrs.learners.schemas import LearnerRegistration, LearnerUpdate
from tests.conftest import OrgFactory
from tests.factories import MODEL_VERSION
from tests.portal.batch_screens import text_of
from tests.portal.conftest import UserFactory, csrf, sign_in

_INPUT = re.compile(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"')


def _form(html: str) -> dict[str, str]:
    """Every named input of the page with its value, as the browser would send them."""
    return {name: unescape(value) for name, value in _INPUT.findall(html)}


def registered(db: Database, make_org: OrgFactory) -> tuple[str, object]:
    actor = make_org("provider")[0]
    registration = LearnerRegistration(
        given_name="Morwenna",
        family_name="Trelawny",
        date_of_birth=date(2006, 8, 21),
        gender="2",
        postcode="CF10 1EP",
    )
    return learners.register(
        db.unit_of_work(), actor, registration, MODEL_VERSION
    ).learner.uln, actor


def test_saving_again_after_a_conflict_keeps_the_other_persons_change(
    client: TestClient, db: Database, make_org: OrgFactory, make_user: UserFactory
) -> None:
    uln, other = registered(db, make_org)
    sign_in(client, make_user())
    page = client.get(f"/learners/{uln}/edit").text
    # Meanwhile someone else moves the learner to Truro.
    learners.update(db.unit_of_work(), other, uln, LearnerUpdate(version=1, postcode="TR1 2AB"))

    form = _form(page) | {"preferred_given_name": "Wenna"}
    conflict = client.post(f"/learners/{uln}/edit", data=form)
    assert conflict.status_code == 409
    words = text_of(conflict.text)
    assert "Someone else changed this record" in words
    assert "Postcode TR1 2AB TR1 2AB" in words  # on the record now, and in the form
    assert "Preferred given name (blank) Wenna" in words  # theirs, and yours
    again = _form(conflict.text)
    assert again["postcode"] == "TR1 2AB"  # the newest value, not the one first loaded
    assert again["preferred_given_name"] == "Wenna"  # what this person typed

    saved = client.post(f"/learners/{uln}/edit", data={**again, "csrf_token": csrf(conflict.text)})
    assert saved.status_code == 200
    learner = learners.read(db.unit_of_work(), other, uln).learner
    assert (learner.postcode, learner.preferred_given_name) == ("TR1 2AB", "Wenna")


def test_a_field_left_alone_is_not_sent(
    client: TestClient, db: Database, make_org: OrgFactory, make_user: UserFactory
) -> None:
    """Without a conflict too, the change recorded is the field changed and no other."""
    uln, other = registered(db, make_org)
    sign_in(client, make_user())
    form = _form(client.get(f"/learners/{uln}/edit").text)
    form |= {"email": "morwenna@example.org"}
    assert client.post(f"/learners/{uln}/edit", data=form).status_code == 200
    history = learners.history(db.unit_of_work(), other, uln)
    latest = max(history, key=lambda h: h.version)
    assert set(latest.changes) == {"email"}
