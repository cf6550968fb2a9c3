"""Verify, retrieve, merge and unmerge, and the merge report, through the JSON API."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.api.conftest import bearer
from tests.conftest import OrgFactory
from tests.factories import learner_payload


def _register(client: TestClient, key: str, **overrides: Any) -> dict[str, Any]:
    r = client.post("/api/v1/learners", json=learner_payload(**overrides), headers=bearer(key))
    assert r.status_code == 201, r.text
    learner: dict[str, Any] = r.json()["learner"]
    return learner


def _verify(client: TestClient, key: str, **body: Any) -> dict[str, Any]:
    r = client.post("/api/v1/learners/verify", json=body, headers=bearer(key))
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


def test_verify_outcomes(client: TestClient, make_org: OrgFactory) -> None:
    _, provider = make_org("provider")
    _, university = make_org("university")
    learner = _register(
        client,
        provider,
        given_name="Siân",
        family_name="O'Neill",
        gender="2",
        date_of_birth="2005-04-01",
        previous_family_name="Jones",
    )
    uln = learner["uln"]

    exact = _verify(client, university, uln=uln, given_name="SIAN", family_name="oneill")
    assert (exact["result"], exact["code"], exact["failure_flags"]) == ("match", "WSVRC001", [])
    assert exact["uln"] == exact["searched_uln"] == uln

    typo = _verify(client, university, uln=uln, given_name="Sain", family_name="O'Neill")
    assert typo["result"] == "similar_match"
    assert typo["code"] == "WSVRC003"
    assert "VRF1" in typo["failure_flags"]

    maiden = _verify(client, university, uln=uln, given_name="Siân", family_name="Jones")
    assert maiden["result"] == "similar_match"
    assert "VRF5" in maiden["failure_flags"]

    wrong_dob = _verify(
        client,
        university,
        uln=uln,
        given_name="Siân",
        family_name="O'Neill",
        date_of_birth="2005-04-02",
        gender="2",
    )
    assert wrong_dob["result"] == "no_match"
    assert wrong_dob["code"] == "WSVRC005"
    assert wrong_dob["failure_flags"] == ["VRF7"]

    wrong_gender = _verify(
        client, university, uln=uln, given_name="Siân", family_name="O'Neill", gender="1"
    )
    assert wrong_gender["failure_flags"] == ["VRF8"]

    stranger = _verify(client, university, uln=uln, given_name="Bob", family_name="Marley")
    assert stranger["result"] == "no_match"
    assert stranger["failure_flags"] == ["VRF1", "VRF2", "VRF3", "VRF4", "VRF5", "VRF6"]

    nobody = _verify(client, university, uln="2000000001", given_name="A", family_name="B")
    assert (nobody["result"], nobody["code"]) == ("not_found", "WSVRC006")

    r = client.post(
        "/api/v1/learners/verify",
        headers=bearer(university),
        json={"uln": "1234567890", "given_name": "A", "family_name": "B"},
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "uln"


def test_retrieve_many(client: TestClient, make_org: OrgFactory) -> None:
    _, provider = make_org("provider")
    _, admin = make_org("admin")
    a = _register(client, provider)["uln"]
    b = _register(client, provider)["uln"]
    client.post(
        "/api/v1/learners/merge",
        headers=bearer(admin),
        json={"master_uln": a, "linked_uln": b, "reason": "same person"},
    )
    ulns = [a, b, "2000000001", "1234567890"] + ["5000000012"] * 196
    r = client.post("/api/v1/learners/retrieve", json={"ulns": ulns}, headers=bearer(provider))
    assert r.status_code == 200
    results = r.json()["results"]
    assert len(results) == 200
    assert results[0] == {
        "uln": a,
        "status": "found",
        "master_uln": a,
        "lrs_code": "WSRC0004",
        "message": None,
    }
    assert results[1]["status"] == "linked"
    assert results[1]["master_uln"] == a
    assert results[2]["status"] == "not_found"
    assert results[3]["status"] == "invalid"
    assert "check digit" in results[3]["message"]
    too_many = client.post(
        "/api/v1/learners/retrieve", json={"ulns": [a] * 201}, headers=bearer(provider)
    )
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["field"] == "ulns"


def _check_the_linked_uln_leads_to_the_master(
    client: TestClient, provider: str, master: dict[str, Any], linked: dict[str, Any]
) -> None:
    """Retrieving or verifying the merged (linked) ULN answers with the master learner."""
    via_linked = client.get(f"/api/v1/learners/{linked['uln']}", headers=bearer(provider)).json()
    assert via_linked["code"] == "master_substituted"
    assert via_linked["lrs_code"] == "WSRC0022"
    assert via_linked["master_substituted"] is True
    assert via_linked["requested_uln"] == linked["uln"]
    assert via_linked["learner"]["uln"] == master["uln"]

    verify = _verify(
        client,
        provider,
        uln=linked["uln"],
        given_name=master["given_name"],
        family_name=master["family_name"],
    )
    assert verify["result"] == "linked_match"
    assert verify["code"] == "WSVRC002"
    assert verify["uln"] == master["uln"]
    # A claim on the merged ULN that does not match is not told the ULN it became.
    stranger = _verify(
        client, provider, uln=linked["uln"], given_name="Zebedee", family_name="Quux"
    )
    assert stranger["result"] == "no_match"
    assert stranger["uln"] == linked["uln"]


def _check_the_history_and_merge_report(
    client: TestClient, provider: str, master: dict[str, Any], linked: dict[str, Any]
) -> None:
    """The linked learner's history and the merge report show the merge and the unmerge."""
    history = client.get(
        f"/api/v1/learners/{linked['uln']}/history", headers=bearer(provider)
    ).json()
    assert [h["action"] for h in history] == ["registered", "merged", "unmerged"]
    assert history[1]["changes"]["master_uln"] == {"old": None, "new": master["uln"]}
    assert history[2]["reason"] == "different people after all"

    report = client.get(
        "/api/v1/reports/merges", params={"since": "2000-01-01T00:00:00Z"}, headers=bearer(provider)
    ).json()["events"]
    mine = [e for e in report if e["linked_uln"] == linked["uln"]]
    assert [e["event"] for e in mine] == ["merged", "unmerged"]
    assert all(e["master_uln"] == master["uln"] for e in mine)
    naive = client.get(
        "/api/v1/reports/merges", params={"since": "2000-01-01T00:00:00"}, headers=bearer(provider)
    )
    assert naive.status_code == 422


def test_merge_and_unmerge_restore_both_learners(client: TestClient, make_org: OrgFactory) -> None:
    _, provider = make_org("provider")
    _, admin = make_org("admin")
    master = _register(client, provider)
    linked = _register(client, provider)
    before = {
        uln: client.get(f"/api/v1/learners/{uln}", headers=bearer(provider)).json()["learner"]
        for uln in (master["uln"], linked["uln"])
    }
    refused = client.post(
        "/api/v1/learners/merge",
        headers=bearer(provider),
        json={"master_uln": master["uln"], "linked_uln": linked["uln"], "reason": "dupe"},
    )
    assert refused.status_code == 403
    assert refused.json()["lrs_code"] == "WSEC0006"

    r = client.post(
        "/api/v1/learners/merge",
        headers=bearer(admin),
        json={"master_uln": master["uln"], "linked_uln": linked["uln"], "reason": "same person"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["master"]["linked_ulns"] == [linked["uln"]]

    _check_the_linked_uln_leads_to_the_master(client, provider, master, linked)

    again = client.post(
        "/api/v1/learners/merge",
        headers=bearer(admin),
        json={"master_uln": master["uln"], "linked_uln": linked["uln"], "reason": "again"},
    )
    assert again.status_code == 409
    into_linked = client.post(
        "/api/v1/learners/merge",
        headers=bearer(admin),
        json={"master_uln": linked["uln"], "linked_uln": master["uln"], "reason": "reverse"},
    )
    assert into_linked.status_code == 409

    r = client.post(
        "/api/v1/learners/unmerge",
        headers=bearer(admin),
        json={"linked_uln": linked["uln"], "reason": "different people after all"},
    )
    assert r.status_code == 200, r.text
    for uln, old in before.items():
        now = client.get(f"/api/v1/learners/{uln}", headers=bearer(provider)).json()
        assert now["code"] == "found"
        personal = {k: v for k, v in now["learner"].items() if k not in ("version", "updated_at")}
        assert personal == {k: v for k, v in old.items() if k not in ("version", "updated_at")}

    _check_the_history_and_merge_report(client, provider, master, linked)


def test_merge_carries_existing_links_and_unmerge_returns_them(
    client: TestClient, make_org: OrgFactory
) -> None:
    _, provider = make_org("provider")
    _, admin = make_org("admin")
    a, b, c = (_register(client, provider)["uln"] for _ in range(3))
    client.post(
        "/api/v1/learners/merge",
        headers=bearer(admin),
        json={"master_uln": b, "linked_uln": c, "reason": "c is b"},
    )
    r = client.post(
        "/api/v1/learners/merge",
        headers=bearer(admin),
        json={"master_uln": a, "linked_uln": b, "reason": "b is a"},
    )
    assert sorted(r.json()["master"]["linked_ulns"]) == sorted([b, c])
    c_now = client.get(f"/api/v1/learners/{c}", headers=bearer(provider)).json()
    assert c_now["learner"]["uln"] == a
    client.post(
        "/api/v1/learners/unmerge",
        headers=bearer(admin),
        json={"linked_uln": b, "reason": "b is not a"},
    )
    assert (
        client.get(f"/api/v1/learners/{c}", headers=bearer(provider)).json()["learner"]["uln"] == b
    )
    assert (
        client.get(f"/api/v1/learners/{a}", headers=bearer(provider)).json()["learner"][
            "linked_ulns"
        ]
        == []
    )
