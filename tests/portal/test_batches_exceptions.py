"""A batch's exceptions in the portal: rows waiting for a person are listed and resolved, and
the output follows."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from open_lrs.core.db import Database
from open_lrs.core.security import Actor
from tests.conftest import OrgFactory
from tests.portal.batch_screens import (
    Response,
    batch_with_exceptions,
    output_rows,
    register,
    text_of,
)
from tests.portal.conftest import UserFactory, csrf, error_summary, sign_in

# Exceptions --------------------------------------------------------------------------------


def post_resolution(client: TestClient, batch_id: int, position: int, **form: str) -> Response:
    page = client.get(f"/batches/{batch_id}/exceptions/{position}")
    return client.post(
        f"/batches/{batch_id}/exceptions/{position}",
        data={"csrf_token": csrf(page.text), **form},
    )


def check_the_queue_lists_both_rows(client: TestClient, batch_id: int) -> None:
    """The batch page links to its exceptions queue, which lists both rows to resolve."""
    base = f"/batches/{batch_id}/exceptions"
    page = client.get(f"/batches/{batch_id}")
    assert "exceptions queue (2 waiting)" in text_of(page.text)
    assert f'href="{base}"' in page.text

    queue = client.get(base)
    assert queue.status_code == 200
    words = text_of(queue.text)
    assert "2 rows waiting for a person" in words
    assert "2 MIS00001 Sein Murphy 1 Resolve" in words
    assert "3 MIS00002 Sein Murphy 1 Resolve" in words
    assert f'href="{base}/0"' in queue.text
    assert f'href="{base}/1"' in queue.text


def check_the_row_page_shows_the_candidate(client: TestClient, batch_id: int, murphy: str) -> None:
    """The first row's page: the row beside the learner on the register it may be."""
    base = f"/batches/{batch_id}/exceptions"
    shown = client.get(f"{base}/0")
    assert shown.status_code == 200
    words = text_of(shown.text)
    assert "Line 2: who is this learner?" in words
    assert "The row in the file (line 2)" in words
    assert "Given name Sein" in words
    assert "Postcode BT9 5AA" in words
    assert f"Seán Murphy, ULN {murphy}" in words
    assert "How they compare" in words  # the match explanation
    assert "In the file On the register" in words  # the row beside the register's copy
    assert "Spelt similarly" in words or "Sounds the same" in words
    assert f'name="candidate" type="radio" value="{murphy}"' in shown.text
    assert "None of these: this is a new learner" in words


def check_wrong_resolutions_are_refused(
    client: TestClient, db: Database, actor: Actor, batch_id: int, murphy: str
) -> None:
    """No choice, a new learner without a reason, a ULN that is not one, and a ULN of
    another learner are each refused, naming the field."""
    nothing = post_resolution(client, batch_id, 0)
    assert nothing.status_code == 400
    assert error_summary(nothing.text) == [
        "Select the learner, or that none of them is this learner"
    ]
    no_reason = post_resolution(client, batch_id, 0, candidate="new", reason="  ")
    assert no_reason.status_code == 400
    assert error_summary(no_reason.text) == ["Reason is required to confirm a new learner"]
    assert 'href="#reason"' in no_reason.text
    assert f"Seán Murphy, ULN {murphy}" in no_reason.text  # the candidates shown again
    bad_uln = post_resolution(client, batch_id, 0, candidate="other", uln="123")
    assert bad_uln.status_code == 400
    [message] = error_summary(bad_uln.text)
    assert message.startswith("ULN")
    assert 'href="#uln"' in bad_uln.text
    stranger = register(db, actor, given_name="Kwame", family_name="Mensah")
    not_them = post_resolution(client, batch_id, 0, candidate="other", uln=stranger)
    assert not_them.status_code == 400
    assert error_summary(not_them.text) == ["ULN does not match the row's learner"]
    assert f'value="{stranger}"' in not_them.text  # kept as typed


def test_exceptions_are_listed_and_resolved_and_the_output_follows(
    client: TestClient, make_user: UserFactory, make_org: OrgFactory, db: Database
) -> None:
    actor, _ = make_org("provider")
    user = make_user("registrar", ukprn=actor.ukprn)
    sign_in(client, user)
    batch_id, murphy = batch_with_exceptions(client, db, user, actor)
    base = f"/batches/{batch_id}/exceptions"

    check_the_queue_lists_both_rows(client, batch_id)
    check_the_row_page_shows_the_candidate(client, batch_id, murphy)
    check_wrong_resolutions_are_refused(client, db, actor, batch_id, murphy)

    chosen = post_resolution(client, batch_id, 0, candidate=murphy)
    assert chosen.status_code == 200
    assert chosen.url.path == base
    words = text_of(chosen.text)
    assert "Line 2 resolved" in words
    assert f"The row is the learner with ULN {murphy}" in words
    assert "1 row waiting for a person" in words
    assert "MIS00001" not in words
    # The banner is shown once.
    assert "Line 2 resolved" not in client.get(base).text

    new = post_resolution(
        client, batch_id, 1, candidate="new", reason="A twin: checked with the family"
    )
    assert new.status_code == 200
    issued = re.search(r"A new learner was registered, with ULN ([0-9]{10})", text_of(new.text))
    assert issued
    assert issued.group(1) != murphy
    assert "No rows are waiting for a person" in new.text

    out = output_rows(client, batch_id)
    assert [(r["ReturnCode"], r["ResultULN"]) for r in out] == [
        ("RC010", murphy),
        ("RC012", issued.group(1)),
    ]
    assert "exceptions queue (0 waiting)" in text_of(client.get(f"/batches/{batch_id}").text)


def test_a_row_someone_already_resolved_says_so(
    client: TestClient, make_user: UserFactory, make_org: OrgFactory, db: Database
) -> None:
    actor, _ = make_org("provider")
    user = make_user("admin", ukprn=actor.ukprn)
    sign_in(client, user)
    batch_id, murphy = batch_with_exceptions(client, db, user, actor)
    path = f"/batches/{batch_id}/exceptions/0"
    token = csrf(client.get(path).text)  # the page opened by both
    first = client.post(path, data={"csrf_token": token, "candidate": murphy})
    assert first.status_code == 200
    late = client.post(
        path, data={"csrf_token": token, "candidate": "new", "reason": "Not the same person"}
    )
    assert late.status_code == 409
    assert "Someone has already resolved this row" in late.text
    assert output_rows(client, batch_id)[0]["ReturnCode"] == "RC010"
    reopened = client.get(path)
    assert reopened.status_code == 409
    assert "This row is not waiting for a person" in reopened.text
    assert client.get(f"/batches/{batch_id}/exceptions/7").status_code == 404  # no such row
    assert client.get(f"/batches/{batch_id}/exceptions/x").status_code == 404
