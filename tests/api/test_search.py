"""Finding learners by demographics, and registration that searches first, through the API."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.api.conftest import bearer
from tests.conftest import OrgFactory
from tests.factories import MODEL_VERSION

SEARCH = "/api/v1/learners/search"


def person(**overrides: Any) -> dict[str, Any]:
    body = {
        "given_name": "William",
        "family_name": "Szymańska",
        "date_of_birth": "2007-03-04",
        "gender": "1",
        "postcode": "CF10 1EP",
    }
    body.update(overrides)
    return body


def register(client: TestClient, key: str, **overrides: Any) -> dict[str, Any]:
    r = client.post("/api/v1/learners", json=person(**overrides), headers=bearer(key))
    assert r.status_code == 201, r.text
    learner: dict[str, Any] = r.json()["learner"]
    return learner


def search(client: TestClient, key: str, **overrides: Any) -> dict[str, Any]:
    r = client.post(SEARCH, json=person(**overrides), headers=bearer(key))
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


def levels(match: dict[str, Any]) -> dict[str, str]:
    return {e["field"]: e["agreement"] for e in match["explanation"]}


def test_the_same_details_are_an_exact_match_with_an_explanation(
    client: TestClient, make_org: OrgFactory
) -> None:
    _, key = make_org("provider")
    learner = register(client, key)
    out = search(client, key, given_name="WILLIAM", postcode="cf101ep")
    assert out["code"] == "exact_match"
    assert out["lrs_code"] == "WSRC0004"
    assert out["model_version"] == MODEL_VERSION
    # A register this small decides by the model's own thresholds.
    assert out["thresholds"] == {"auto_match": 24.0, "review": 12.0}
    [match] = out["matches"]
    assert match["uln"] == learner["uln"]
    assert match["matched_uln"] == learner["uln"]
    assert match["master_substituted"] is False
    assert match["learner"]["given_name"] == "William"
    assert levels(match) == {
        "forename": "exact",
        "family_name": "exact",
        "date_of_birth": "exact",
        "postcode": "exact",
        "gender": "exact",
    }
    assert match["score"] == round(sum(e["weight"] for e in match["explanation"]), 2)
    forename = match["explanation"][0]
    assert (forename["searched"], forename["found"]) == ("WILLIAM", "William")


def test_nickname_typo_swapped_date_and_marriage_still_find_the_learner(
    client: TestClient, make_org: OrgFactory
) -> None:
    _, key = make_org("provider")
    learner = register(client, key, gender="2", given_name="Margaret", family_name="Jones")
    cases = [
        ({"given_name": "Peggy"}, "forename", "nickname"),
        ({"family_name": "Jnoes"}, "family_name", "similar"),
        ({"date_of_birth": "2007-04-03"}, "date_of_birth", "swapped"),
        (
            {"family_name": "O'Brien", "previous_family_name": "Jones"},
            "family_name",
            "previous_family_name",
        ),
        ({"given_name": "Jones", "family_name": "Margaret"}, "forename", "swapped"),
    ]
    for change, field, level in cases:
        base = {"gender": "2", "given_name": "Margaret", "family_name": "Jones"}
        out = search(client, key, **{**base, **change})
        assert out["code"] in ("exact_match", "possible_matches"), change
        assert out["matches"][0]["uln"] == learner["uln"], change
        assert levels(out["matches"][0])[field] == level, change


def test_twins_are_told_apart_and_an_unregistered_sibling_is_no_match(
    client: TestClient, make_org: OrgFactory
) -> None:
    _, key = make_org("provider")
    twins = {
        name: register(client, key, given_name=name, family_name="Okafor", gender="2")
        for name in ("Chiamaka", "Ngozi")
    }
    for name, learner in twins.items():
        out = search(client, key, given_name=name, family_name="Okafor", gender="2")
        assert out["code"] == "exact_match"
        assert [m["uln"] for m in out["matches"]] == [learner["uln"]]
    sister = search(client, key, given_name="Adaeze", family_name="Okafor", gender="2")
    assert sister == {
        "code": "no_match",
        "lrs_code": "WSRC0001",
        "model_version": MODEL_VERSION,
        "thresholds": {"auto_match": 24.0, "review": 12.0},
        "matches": [],
    }


def test_a_linked_learner_is_answered_by_its_master(
    client: TestClient, make_org: OrgFactory
) -> None:
    _, key = make_org("provider")
    _, admin = make_org("admin")
    master = register(client, key, given_name="Dafydd", family_name="Evans")
    # Registered twice: the second time someone confirmed a new learner by mistake.
    linked = register(
        client,
        key,
        given_name="Dafydd",
        family_name="Evans-Price",
        postcode="SA1 1AA",
        confirm_new=True,
        reason="thought to be a different Dafydd",
    )
    merged = client.post(
        "/api/v1/learners/merge",
        headers=bearer(admin),
        json={"master_uln": master["uln"], "linked_uln": linked["uln"], "reason": "same"},
    )
    assert merged.status_code == 200, merged.text
    out = search(client, key, given_name="Dafydd", family_name="Evans-Price", postcode="SA1 1AA")
    assert out["code"] == "exact_match"
    [match] = out["matches"]
    assert match["uln"] == master["uln"]
    assert match["matched_uln"] == linked["uln"]
    assert match["master_substituted"] is True
    assert match["learner"]["linked_ulns"] == [linked["uln"]]


def test_more_than_ten_plausible_learners_is_too_many(
    client: TestClient, make_org: OrgFactory
) -> None:
    _, key = make_org("provider")
    names = ["Jack", "James", "Jacob", "Joseph", "Joshua", "Jamal", "Jay", "Jude", "Jasper"]
    names += ["Jonah", "Jesse"]
    for name in names:
        register(client, key, given_name=name, family_name="Nowak")
    out = search(client, key, given_name="J", family_name="Nowak")
    assert out == {
        "code": "too_many_matches",
        "lrs_code": "WSRC0002",
        "model_version": MODEL_VERSION,
        "thresholds": {"auto_match": 24.0, "review": 12.0},
        "matches": [],
    }
    narrowed = search(client, key, given_name="Jasper", family_name="Nowak")
    assert narrowed["code"] == "exact_match"


def test_missing_mandatory_details_are_insufficient_data(
    client: TestClient, make_org: OrgFactory
) -> None:
    _, key = make_org("provider")
    r = client.post(
        SEARCH,
        json={"given_name": "Mohammed", "family_name": "Khan", "date_of_birth": " "},
        headers=bearer(key),
    )
    assert r.status_code == 422
    problem = r.json()
    assert problem["code"] == "insufficient_data"
    assert problem["lrs_code"] == "WSRC0015"
    assert [e["field"] for e in problem["errors"]] == ["date_of_birth"]
    assert "date of birth" in problem["detail"]
    r = client.post(SEARCH, json={"postcode": "SW1A 1AA"}, headers=bearer(key))
    assert [e["field"] for e in r.json()["errors"]] == [
        "given_name",
        "family_name",
        "date_of_birth",
    ]
    bad = client.post(SEARCH, json=person(date_of_birth="15/03/2006"), headers=bearer(key))
    assert bad.status_code == 422
    assert bad.json()["code"] == "validation_error"
    assert bad.json()["errors"][0]["field"] == "date_of_birth"


def test_search_is_for_registrars_and_is_audited_per_learner_shown(
    client: TestClient, make_org: OrgFactory
) -> None:
    _, key = make_org("provider")
    _, university = make_org("university")
    _, admin = make_org("admin")
    learner = register(client, key, given_name="Aoife", family_name="Ní Bhriain", gender="2")
    refused = client.post(SEARCH, json=person(), headers=bearer(university))
    assert refused.status_code == 403
    search(client, key, given_name="Aoife", family_name="Ni Bhriain", gender="2")
    events = client.get(
        "/api/v1/audit-events",
        params={"uln": learner["uln"], "action": "learner.search"},
        headers=bearer(admin),
    ).json()
    assert [(e["action"], e["outcome"]) for e in events["events"]] == [
        ("learner.search", "WSRC0004")
    ]


def test_registration_stops_at_possible_matches_until_confirmed_with_a_reason(
    client: TestClient, make_org: OrgFactory
) -> None:
    _, key = make_org("provider")
    _, admin = make_org("admin")
    existing = register(client, key, given_name="Seán", family_name="Murphy")
    # Same family name and date of birth, a typo'd forename, moved: maybe the same person.
    maybe = person(given_name="Sein", family_name="Murphy", postcode="BT9 5AA")
    r = client.post("/api/v1/learners", json=maybe, headers=bearer(key))
    assert r.status_code == 409, r.text
    problem = r.json()
    assert problem["code"] == "possible_matches"
    assert problem["lrs_code"] == "WSRC0003"
    assert [m["uln"] for m in problem["matches"]] == [existing["uln"]]
    assert problem["matches"][0]["explanation"]

    no_reason = client.post(
        "/api/v1/learners", json={**maybe, "confirm_new": True}, headers=bearer(key)
    )
    assert no_reason.status_code == 422
    assert "reason" in no_reason.text

    confirmed = client.post(
        "/api/v1/learners",
        json={**maybe, "confirm_new": True, "reason": "Different parents; checked passport"},
        headers=bearer(key),
    )
    assert confirmed.status_code == 201, confirmed.text
    new_uln = confirmed.json()["learner"]["uln"]
    assert new_uln != existing["uln"]
    events = client.get(
        "/api/v1/audit-events",
        params={"uln": new_uln, "action": "learner.register"},
        headers=bearer(admin),
    ).json()["events"]
    [event] = events
    assert event["details"]["confirmed_new"] is True
    assert event["details"]["candidate_ulns"] == [existing["uln"]]
    assert event["details"]["reason"] == "Different parents; checked passport"
    history = client.get(f"/api/v1/learners/{new_uln}/history", headers=bearer(key)).json()
    assert history[0]["reason"] == "Different parents; checked passport"


def test_registration_with_no_match_issues_and_an_exact_match_answers_the_learner(
    client: TestClient, make_org: OrgFactory
) -> None:
    _, key = make_org("provider")
    first = register(client, key, given_name="Priya", family_name="Patel", gender="2")
    again = client.post(
        "/api/v1/learners",
        json=person(given_name="priya", family_name="PATEL", gender="2", confirm_new=True,
                    reason="ignored: this is certainly the same learner"),
        headers=bearer(key),
    )  # fmt: skip
    assert again.status_code == 200
    assert again.json()["code"] == "already_registered"
    assert again.json()["learner"]["uln"] == first["uln"]
    twin = client.post(
        "/api/v1/learners",
        json=person(given_name="Ananya", family_name="Patel", gender="2"),
        headers=bearer(key),
    )
    assert twin.status_code == 201
    assert twin.json()["learner"]["uln"] != first["uln"]
