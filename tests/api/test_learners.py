"""Register, read, update and history through the JSON API."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from open_lrs.app import create_app
from open_lrs.core.db import Database
from open_lrs.core.settings import Settings
from open_lrs.learners.uln import is_valid_uln
from tests.api.conftest import bearer
from tests.conftest import OrgFactory
from tests.factories import learner_payload


def test_register_issues_a_valid_uln_and_keeps_real_characters(
    client: TestClient, make_org: OrgFactory
) -> None:
    _, key = make_org("provider")
    body = learner_payload(given_name="Siân", family_name="Ó Súilleabháin", postcode="cf101ep")
    r = client.post("/api/v1/learners", json=body, headers=bearer(key))
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["code"] == "registered"
    assert out["lrs_code"] == "WSRC0005"
    learner = out["learner"]
    assert is_valid_uln(learner["uln"])
    assert learner["given_name"] == "Siân"
    assert learner["family_name"] == "Ó Súilleabháin"
    assert learner["postcode"] == "CF10 1EP"
    assert learner["version"] == 1
    assert learner["status"] == "active"
    assert learner["linked_ulns"] == []
    assert r.headers["x-request-id"]


def test_register_twice_answers_the_existing_uln(client: TestClient, make_org: OrgFactory) -> None:
    _, key = make_org("provider")
    body = learner_payload()
    first = client.post("/api/v1/learners", json=body, headers=bearer(key)).json()
    again = dict(body, given_name=body["given_name"].upper(), postcode=body["postcode"].lower())
    r = client.post("/api/v1/learners", json=again, headers=bearer(key))
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["code"] == "already_registered"
    assert out["lrs_code"] == "WSRC0021"
    assert out["learner"]["uln"] == first["learner"]["uln"]
    assert out["learner"]["given_name"] == body["given_name"]


def test_read_by_uln(client: TestClient, make_org: OrgFactory) -> None:
    _, key = make_org("provider")
    uln = client.post("/api/v1/learners", json=learner_payload(), headers=bearer(key)).json()[
        "learner"
    ]["uln"]
    r = client.get(f"/api/v1/learners/{uln}", headers=bearer(key))
    assert r.status_code == 200
    assert r.json()["code"] == "found"
    assert r.json()["lrs_code"] == "WSRC0004"
    assert r.json()["master_substituted"] is False
    assert r.json()["learner"]["uln"] == uln


def test_unknown_valid_uln_is_404_and_invalid_uln_is_422(
    client: TestClient, make_org: OrgFactory
) -> None:
    _, key = make_org("provider")
    r = client.get("/api/v1/learners/2000000001", headers=bearer(key))
    assert r.status_code == 404
    assert r.json()["code"] == "learner_not_found"
    for bad in ("1234567890", "0123456789", "9999999999", "12345", "abcdefghij"):
        r = client.get(f"/api/v1/learners/{bad}", headers=bearer(key))
        assert r.status_code == 422, bad
        assert r.json()["code"] == "invalid_uln"
        assert r.json()["lrs_code"] == "WSEC0136"


def test_update_with_version_and_history(client: TestClient, make_org: OrgFactory) -> None:
    _, key = make_org("provider")
    learner = client.post(
        "/api/v1/learners", json=learner_payload(postcode="M1 1AE"), headers=bearer(key)
    ).json()["learner"]
    uln = learner["uln"]
    r = client.patch(
        f"/api/v1/learners/{uln}",
        json={"version": 1, "postcode": "ls1 4ap", "preferred_given_name": "Bex"},
        headers=bearer(key),
    )
    assert r.status_code == 200, r.text
    assert r.json()["code"] == "updated"
    assert r.json()["lrs_code"] == "WSRC0006"
    assert r.json()["learner"]["version"] == 2
    assert r.json()["learner"]["postcode"] == "LS1 4AP"

    stale = client.patch(
        f"/api/v1/learners/{uln}", json={"version": 1, "postcode": "B33 8TH"}, headers=bearer(key)
    )
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version"
    assert stale.json()["lrs_code"] == "WSRC0013"
    assert stale.json()["current_version"] == 2

    same = client.patch(
        f"/api/v1/learners/{uln}", json={"version": 2, "postcode": "LS1 4AP"}, headers=bearer(key)
    )
    assert same.json()["code"] == "no_changes"
    assert same.json()["lrs_code"] == "WSRC0020"
    assert same.json()["learner"]["version"] == 2

    history = client.get(f"/api/v1/learners/{uln}/history", headers=bearer(key)).json()
    assert [h["action"] for h in history] == ["registered", "updated"]
    change = history[1]
    assert change["version"] == 2
    assert change["changes"]["postcode"] == {"old": "M1 1AE", "new": "LS1 4AP"}
    assert change["changes"]["preferred_given_name"] == {"old": None, "new": "Bex"}
    assert change["ukprn"] is not None


def test_update_cannot_remove_a_required_field(client: TestClient, make_org: OrgFactory) -> None:
    _, key = make_org("provider")
    uln = client.post("/api/v1/learners", json=learner_payload(), headers=bearer(key)).json()[
        "learner"
    ]["uln"]
    r = client.patch(
        f"/api/v1/learners/{uln}", json={"version": 1, "postcode": None}, headers=bearer(key)
    )
    assert r.status_code == 422
    assert "postcode" in r.text
    r = client.patch(
        f"/api/v1/learners/{uln}",
        json={"version": 1, "verification_type": "999"},
        headers=bearer(key),
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "other_verification_description"
    assert (
        client.get(f"/api/v1/learners/{uln}", headers=bearer(key)).json()["learner"]["version"] == 1
    )


def test_registration_scores_with_the_model_version_of_the_apps_settings(
    db: Database, make_org: OrgFactory
) -> None:
    """The route passes the matching model version of its app's settings, not of the
    process's: an app set to a version with no model file fails its search."""
    _, key = make_org("provider")
    settings = Settings(
        environment="test",
        database_url="sqlite://",
        log_format="json",
        api_key_cache_seconds=0,
        match_model_version="missing",
    )
    with (
        TestClient(create_app(settings, database=db)) as c,
        pytest.raises(FileNotFoundError, match=r"model-vmissing\.json"),
    ):
        c.post("/api/v1/learners", json=learner_payload(), headers=bearer(key))
