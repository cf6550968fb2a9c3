"""Reads of personal data over HTTP are in the audit log with what the caller got (issue 24):
the learning events and the enrolment summary of a learner who has not agreed to share are
``plr.read WSEC0206``, and each listing of the feed-exceptions queue or of a batch's
exceptions is one row. Checked as an administrator sees them, through the audit-events API."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from open_lrs.core.db import Database
from open_lrs.records import catalogue
from tests.api.conftest import bearer
from tests.batch_files import drain, learner_row, lrs_file, lrs_name
from tests.conftest import OrgFactory
from tests.factories import learner_payload

ENGLISH = "60101037"


@pytest.fixture(autouse=True)
def sample_catalogue(db: Database) -> None:
    catalogue.load(db.unit_of_work(), None, catalogue.sample_entries())


def audited(client: TestClient, admin: str, **query: str) -> list[dict[str, Any]]:
    r = client.get("/api/v1/audit-events", params=query, headers=bearer(admin))
    assert r.status_code == 200, r.text
    events: list[dict[str, Any]] = r.json()["events"]
    return events


def registered(client: TestClient, key: str, **overrides: Any) -> dict[str, Any]:
    body = learner_payload(**{"ability_to_share": "1", **overrides})
    r = client.post("/api/v1/learners", json=body, headers=bearer(key))
    assert r.status_code == 201, r.text
    learner: dict[str, Any] = r.json()["learner"]
    return learner


def test_refused_and_restricted_reads_are_logged_as_answered(
    client: TestClient, make_org: OrgFactory
) -> None:
    provider, key = make_org("provider")
    awarder, awarder_key = make_org("awarding_organisation")
    _, admin = make_org("admin")
    learner = registered(client, key, ability_to_share="2")
    award = {
        "ULN": learner["uln"],
        "GivenName": learner["given_name"],
        "FamilyName": learner["family_name"],
        "SubjectCode": ENGLISH,
        "Grade": "6",
        "AwardDate": "2024-08-22",
        "Status": "F",
    }
    loaded = client.post(
        "/api/v1/achievements", json={"awards": [award]}, headers=bearer(awarder_key)
    )
    assert loaded.json()["loaded"] == 1
    names = {"given_name": learner["given_name"], "family_name": learner["family_name"]}
    base = f"/api/v1/learners/{learner['uln']}"
    for path in ("learning-events", "enrolment-summary"):
        refused = client.get(f"{base}/{path}", params=names, headers=bearer(key))
        assert (refused.status_code, refused.json()["lrs_code"]) == (403, "WSEC0206")
    own = client.get(f"{base}/learning-events", params=names, headers=bearer(awarder_key))
    assert (own.status_code, own.json()["lrs_code"], own.json()["restricted"]) == (
        200,
        "WSRC0004",
        True,
    )
    reads = audited(client, admin, uln=learner["uln"], action="plr.read")
    assert [
        (e["ukprn"], e["outcome"], e["details"]["events"], e["details"]["own_events_shown"])
        for e in reads
    ] == [
        (provider.ukprn, "WSEC0206", 0, False),
        (provider.ukprn, "WSEC0206", 0, False),
        (awarder.ukprn, "WSRC0004", 1, True),
    ]


def test_each_listing_of_feed_or_batch_exceptions_is_one_audit_row(
    client: TestClient, make_org: OrgFactory, db: Database
) -> None:
    provider, key = make_org("provider")
    _, admin = make_org("admin")
    existing = dict(learner_row(0, given_name="Seán", family_name="Murphy"))
    del existing["mis_identifier"]
    assert client.post("/api/v1/learners", json=existing, headers=bearer(key)).status_code == 201
    rows = [learner_row(1, given_name="Sein", family_name="Murphy", postcode="BT9 5AA")]
    batch = client.post(
        "/api/v1/batches",
        files={"file": (lrs_name(provider.ukprn), lrs_file(provider.ukprn, rows), "text/csv")},
        headers=bearer(key),
    ).json()
    drain(db)
    listed = client.get(f"/api/v1/batches/{batch['id']}/exceptions", headers=bearer(key))
    assert len(listed.json()) == 1
    assert client.get("/api/v1/feeds/exceptions", headers=bearer(key)).json() == []

    by_provider = {"ukprn": provider.ukprn}
    [batch_read] = audited(client, admin, action="batch_exceptions.read", **by_provider)
    assert (batch_read["outcome"], batch_read["details"]) == (
        "ok",
        {"batch_id": batch["id"], "learners": 1, "candidates": 1},
    )
    [feed_read] = audited(client, admin, action="feed_exceptions.read", **by_provider)
    assert (feed_read["outcome"], feed_read["details"]) == (
        "ok",
        {"source": None, "feed_load_ids": [], "learners": 0, "candidates": 0},
    )
