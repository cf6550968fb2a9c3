"""The PLR and feeds over HTTP: loading awards as JSON and CSV, reading a learner's events
and enrolment summary, the WSEC codes, challenges and the feed-exceptions queue."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from open_lrs.core.db import Database
from open_lrs.records import catalogue
from tests.api.conftest import bearer
from tests.conftest import OrgFactory
from tests.factories import learner_payload

ENGLISH, MATHS = "60101037", "60101111"


@pytest.fixture(autouse=True)
def sample_catalogue(db: Database) -> None:
    catalogue.load(db.unit_of_work(), None, catalogue.sample_entries())


def registered(client: TestClient, key: str, **overrides: Any) -> dict[str, Any]:
    r = client.post(
        "/api/v1/learners",
        json=learner_payload(**{"ability_to_share": "1", **overrides}),
        headers=bearer(key),
    )
    assert r.status_code == 201, r.text
    learner: dict[str, Any] = r.json()["learner"]
    return learner


def names(learner: dict[str, Any]) -> dict[str, str]:
    return {"given_name": learner["given_name"], "family_name": learner["family_name"]}


def achievement(learner: dict[str, Any], **overrides: str | None) -> dict[str, str | None]:
    return {
        "ULN": learner["uln"],
        "GivenName": learner["given_name"],
        "FamilyName": learner["family_name"],
        "SubjectCode": ENGLISH,
        "Grade": "6",
        "AwardDate": "2024-08-22",
        "Status": "F",
        **overrides,
    }


def test_load_then_read_full_and_brief(client: TestClient, make_org: OrgFactory) -> None:
    _, provider = make_org("provider")
    _, awarder = make_org("awarding_organisation")
    learner = registered(client, provider)
    r = client.post(
        "/api/v1/achievements",
        json={"awards": [achievement(learner), achievement(learner, SubjectCode=MATHS)]},
        headers=bearer(awarder),
    )
    assert r.status_code == 200, r.text
    assert (r.json()["loaded"], r.json()["rejected"]) == (2, 0)

    url = f"/api/v1/learners/{learner['uln']}/learning-events"
    full = client.get(url, params=names(learner), headers=bearer(provider))
    assert full.status_code == 200, full.text
    body = full.json()
    assert (body["lrs_code"], body["found_uln"], body["restricted"]) == (
        "WSRC0004",
        learner["uln"],
        False,
    )
    assert {e["subject_code"] for e in body["events"]} == {ENGLISH, MATHS}
    assert body["events"][0]["awarding_organisation_ukprn"] is not None
    brief = client.get(url, params={**names(learner), "form": "BRIEF"}, headers=bearer(provider))
    assert "awarding_organisation_ukprn" not in brief.json()["events"][0]
    only_maths = client.get(
        url,
        params={**names(learner), "qualification_type": "GCSE", "level": "2"},
        headers=bearer(provider),
    )
    assert len(only_maths.json()["events"]) == 2

    summary = client.get(
        f"/api/v1/learners/{learner['uln']}/enrolment-summary",
        params=names(learner),
        headers=bearer(provider),
    )
    assert summary.status_code == 200, summary.text
    assert summary.json()["english"]["gcse_grade_4_or_above"] is True
    assert summary.json()["highest_level_label"] == "Level 2"


def test_wrong_names_and_no_consent_answer_their_lrs_codes(
    client: TestClient, make_org: OrgFactory
) -> None:
    _, provider = make_org("provider")
    _, awarder = make_org("awarding_organisation")
    learner = registered(client, provider, ability_to_share="2")
    client.post(
        "/api/v1/achievements", json={"awards": [achievement(learner)]}, headers=bearer(awarder)
    )
    url = f"/api/v1/learners/{learner['uln']}/learning-events"
    wrong = client.get(
        url, params={"given_name": "Zebedee", "family_name": "Quux"}, headers=bearer(provider)
    )
    assert (wrong.status_code, wrong.json()["lrs_code"]) == (403, "WSEC0208")
    refused = client.get(url, params=names(learner), headers=bearer(provider))
    assert (refused.status_code, refused.json()["lrs_code"]) == (403, "WSEC0206")
    own = client.get(url, params=names(learner), headers=bearer(awarder))
    assert own.status_code == 200
    assert own.json()["restricted"] is True
    missing = client.get(url, headers=bearer(provider))
    assert missing.status_code == 422
    assert {e["field"] for e in missing.json()["errors"]} == {"given_name", "family_name"}
    # A university may read (with consent); it may not load awards.
    _, university = make_org("university")
    denied = client.post(
        "/api/v1/achievements", json={"awards": [achievement(learner)]}, headers=bearer(university)
    )
    assert (denied.status_code, denied.json()["lrs_code"]) == (403, "WSEC0006")


def test_a_csv_file_of_awards_and_a_rejected_file(client: TestClient, make_org: OrgFactory) -> None:
    _, provider = make_org("provider")
    _, awarder = make_org("awarding_organisation")
    learner = registered(client, provider)
    csv_text = (
        "ULN,GivenName,FamilyName,SubjectCode,Grade,AwardDate,Status\r\n"
        f"{learner['uln']},{learner['given_name']},{learner['family_name']},{MATHS},7,"
        "2024-08-22,F\r\n"
        f"{learner['uln']},{learner['given_name']},{learner['family_name']},{ENGLISH},Q,"
        "2024-08-22,F\r\n"
    )
    r = client.post(
        "/api/v1/feeds/awards",
        files={"file": ("awards.csv", csv_text.encode(), "text/csv")},
        headers=bearer(awarder),
    )
    assert r.status_code == 200, r.text
    report = r.json()
    assert (report["loaded"], report["rejected"]) == (1, 1)
    assert report["problems"][0]["line"] == 3
    assert report["problems"][0]["code"] == "invalid_grade"

    bad = client.post(
        "/api/v1/feeds/awards",
        files={"file": ("awards.csv", b"Nothing,Like,This\r\n1,2,3\r\n", "text/csv")},
        headers=bearer(awarder),
    )
    assert bad.status_code == 422
    assert bad.json()["code"] == "feed_file_rejected"
    assert bad.json()["errors"]


def test_challenge_and_confirm(client: TestClient, make_org: OrgFactory) -> None:
    _, provider = make_org("provider")
    _, awarder = make_org("awarding_organisation")
    learner = registered(client, provider)
    client.post(
        "/api/v1/achievements", json={"awards": [achievement(learner)]}, headers=bearer(awarder)
    )
    url = f"/api/v1/learners/{learner['uln']}/learning-events"
    event = client.get(url, params=names(learner), headers=bearer(provider)).json()["events"][0]
    raised = client.post(
        f"{url}/{event['id']}/challenges",
        json={**names(learner), "reason": "The learner's certificate says grade 7"},
        headers=bearer(provider),
    )
    assert raised.status_code == 201, raised.text
    listed = client.get("/api/v1/data-challenges", headers=bearer(awarder)).json()
    assert [c["id"] for c in listed] == [raised.json()["id"]]
    # Only the organisation that sent the event answers.
    refused = client.post(
        f"/api/v1/data-challenges/{raised.json()['id']}/confirm",
        json={"note": "Checked"},
        headers=bearer(provider),
    )
    assert refused.status_code == 403
    confirmed = client.post(
        f"/api/v1/data-challenges/{raised.json()['id']}/confirm",
        json={"note": "Checked against the marks: grade 6 stands"},
        headers=bearer(awarder),
    )
    assert confirmed.json()["resolution"] == "confirmed"
    after = client.get(url, params=names(learner), headers=bearer(provider)).json()["events"][0]
    assert after["under_data_challenge"] == "N"


def test_feed_exceptions_list_and_dismiss(client: TestClient, make_org: OrgFactory) -> None:
    _, provider = make_org("provider")
    _, awarder = make_org("awarding_organisation")
    _, other_awarder = make_org("awarding_organisation")
    learner = registered(client, provider)
    client.post(
        "/api/v1/achievements",
        json={"awards": [achievement(learner, FamilyName="Someone-Else")]},
        headers=bearer(awarder),
    )
    waiting = client.get("/api/v1/feeds/exceptions", headers=bearer(awarder)).json()
    assert [w["reason"] for w in waiting] == ["uln_not_verified"]
    # Another organisation sees none of it: it holds personal data.
    assert client.get("/api/v1/feeds/exceptions", headers=bearer(other_awarder)).json() == []
    hidden = client.post(
        f"/api/v1/feeds/exceptions/{waiting[0]['id']}/dismiss",
        json={"reason": "Not ours to dismiss"},
        headers=bearer(other_awarder),
    )
    assert hidden.status_code == 404
    gone = client.post(
        f"/api/v1/feeds/exceptions/{waiting[0]['id']}/dismiss",
        json={"reason": "Sent in error: a test record"},
        headers=bearer(awarder),
    )
    assert gone.status_code == 204
    assert client.get("/api/v1/feeds/exceptions", headers=bearer(awarder)).json() == []
    # Sent again unchanged, it stays dismissed; changed, it waits again.
    same = client.post(
        "/api/v1/achievements",
        json={"awards": [achievement(learner, FamilyName="Someone-Else")]},
        headers=bearer(awarder),
    )
    assert (same.json()["unchanged"], same.json()["unmatched"]) == (1, 0)
    changed = client.post(
        "/api/v1/achievements",
        json={"awards": [achievement(learner, FamilyName="Someone-Else", Grade="7")]},
        headers=bearer(awarder),
    )
    assert changed.json()["unmatched"] == 1
