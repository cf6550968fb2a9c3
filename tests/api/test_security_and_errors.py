"""Authentication, permissions, bad input, the audit log and personal data in logs."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from open_lrs.audit.models import AuditEvent
from open_lrs.core.db import Database
from open_lrs.learners.models import Learner
from open_lrs.organisations import service as orgs
from tests.api.conftest import bearer
from tests.conftest import OrgFactory
from tests.factories import learner_payload


def _count_learners(db: Database) -> int:
    with db.unit_of_work() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(Learner)) or 0)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer lrs_000000000000_nope"},
        {"Authorization": "Bearer x" * 40},
    ],
)
def test_missing_or_wrong_key_is_401_problem(client: TestClient, headers: dict[str, str]) -> None:
    r = client.get("/api/v1/learners/1234567899", headers=headers)
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert r.json()["code"] == "unauthenticated"
    assert r.json()["lrs_code"] == "WSEC0005"


def test_revoked_key_stops_working(client: TestClient, make_org: OrgFactory, db: Database) -> None:
    actor, key = make_org("provider")
    assert client.get("/api/v1/learners/2000000001", headers=bearer(key)).status_code == 404
    keys = orgs.list_keys(db.unit_of_work(), ukprn=actor.ukprn)
    orgs.revoke_key(db.unit_of_work(), ukprn=actor.ukprn, key_id=keys[0].id)
    assert client.get("/api/v1/learners/2000000001", headers=bearer(key)).status_code == 401
    assert orgs.list_keys(db.unit_of_work(), ukprn=actor.ukprn)[0].last_used_at is not None


def test_a_revoked_key_stops_working_once_the_server_forgets_it(
    client: TestClient, make_org: OrgFactory, db: Database
) -> None:
    """A server process remembers an authenticated key for LRS_API_KEY_CACHE_SECONDS."""
    now = [1000.0]
    cache = client.app.state.actor_cache  # type: ignore[attr-defined]
    cache.seconds, cache.clock = 5.0, lambda: now[0]
    actor, key = make_org("provider")
    assert client.get("/api/v1/learners/2000000001", headers=bearer(key)).status_code == 404
    keys = orgs.list_keys(db.unit_of_work(), ukprn=actor.ukprn)
    orgs.revoke_key(db.unit_of_work(), ukprn=actor.ukprn, key_id=keys[0].id)
    now[0] += 4.9
    assert client.get("/api/v1/learners/2000000001", headers=bearer(key)).status_code == 404
    now[0] += 0.1
    assert client.get("/api/v1/learners/2000000001", headers=bearer(key)).status_code == 401


@pytest.mark.parametrize(
    ("kind", "method", "path", "allowed"),
    [
        ("university", "POST", "/api/v1/learners", False),
        ("university", "GET", "/api/v1/learners/2000000001", False),
        ("careers_service", "GET", "/api/v1/learners/2000000001", False),
        ("awarding_organisation", "POST", "/api/v1/learners", False),
        ("awarding_organisation", "GET", "/api/v1/learners/2000000001", True),
        ("school", "POST", "/api/v1/learners", True),
        ("provider", "GET", "/api/v1/audit-events", False),
        ("admin", "GET", "/api/v1/audit-events", True),
    ],
)
def test_permission_matrix_is_enforced(
    client: TestClient, make_org: OrgFactory, kind: str, method: str, path: str, allowed: bool
) -> None:
    _, key = make_org(kind)
    body = learner_payload() if method == "POST" else None
    r = client.request(method, path, json=body, headers=bearer(key))
    if allowed:
        assert r.status_code in (200, 201, 404), r.text
    else:
        assert r.status_code == 403
        assert r.json()["code"] == "forbidden"
        assert r.json()["lrs_code"] == "WSEC0006"


BAD_FIELDS: list[tuple[str, dict[str, Any], str]] = [
    ("malformed date", {"date_of_birth": "15/03/2006"}, "date_of_birth"),
    ("impossible date", {"date_of_birth": "2008-02-30"}, "date_of_birth"),
    ("future date", {"date_of_birth": "2999-01-01"}, "date_of_birth"),
    ("too young", {"date_of_birth": "2020-01-01"}, "date_of_birth"),
    ("too old", {"date_of_birth": "1900-01-01"}, "date_of_birth"),
    ("datetime not date", {"date_of_birth": "2006-03-15T00:00:00"}, "date_of_birth"),
    ("over-long name", {"given_name": "A" * 36}, "given_name"),
    ("punctuation only", {"family_name": "'-."}, "family_name"),
    ("digits in name", {"family_name": "Sm1th"}, "family_name"),
    ("control characters", {"given_name": "Ann\u0000e"}, "given_name"),
    ("newline in name", {"given_name": "Ann\ne"}, "given_name"),
    ("unknown gender", {"gender": "3"}, "gender"),
    ("gender as number", {"gender": 1}, "gender"),
    ("invalid postcode", {"postcode": "NOT A POSTCODE"}, "postcode"),
    ("bad email", {"email": "no-at-sign"}, "email"),
    ("unknown field", {"shoe_size": "9"}, "shoe_size"),
    ("bad verification type", {"verification_type": "8"}, "verification_type"),
    ("over-long notes", {"notes": "x" * 4001}, "notes"),
    ("bad scottish number", {"scottish_candidate_number": "12345"}, "scottish_candidate_number"),
]


@pytest.mark.parametrize(("label", "change", "field"), BAD_FIELDS, ids=[b[0] for b in BAD_FIELDS])
def test_bad_input_names_the_field_and_writes_nothing(
    client: TestClient,
    make_org: OrgFactory,
    db: Database,
    label: str,
    change: dict[str, Any],
    field: str,
) -> None:
    _, key = make_org("provider")
    before = _count_learners(db)
    r = client.post("/api/v1/learners", json=learner_payload(**change), headers=bearer(key))
    assert r.status_code == 422, (label, r.text)
    problem = r.json()
    assert problem["code"] == "validation_error"
    assert field in [e["field"] for e in problem["errors"]], problem
    assert all(e["message"] for e in problem["errors"])
    assert _count_learners(db) == before


def test_missing_mandatory_fields_is_insufficient_data(
    client: TestClient, make_org: OrgFactory
) -> None:
    _, key = make_org("provider")
    r = client.post("/api/v1/learners", json={"given_name": "Ann"}, headers=bearer(key))
    assert r.status_code == 422
    assert r.json()["code"] == "insufficient_data"
    assert r.json()["lrs_code"] == "WSRC0015"
    assert {e["field"] for e in r.json()["errors"]} == {
        "family_name",
        "date_of_birth",
        "gender",
        "postcode",
    }


@pytest.mark.parametrize("body", ['["a list"]', '"text"', "42", "{not json", ""])
def test_body_that_is_not_an_object(client: TestClient, make_org: OrgFactory, body: str) -> None:
    _, key = make_org("provider")
    r = client.post(
        "/api/v1/learners",
        content=body,
        headers={**bearer(key), "Content-Type": "application/json"},
    )
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"


def test_ten_megabyte_body_is_refused(client: TestClient, make_org: OrgFactory) -> None:
    _, key = make_org("provider")
    big = json.dumps(learner_payload(notes="x" * 10_000_000))
    r = client.post(
        "/api/v1/learners", content=big, headers={**bearer(key), "Content-Type": "application/json"}
    )
    assert r.status_code == 413
    assert r.json()["code"] == "payload_too_large"


def test_chunked_body_over_the_limit_is_refused(client: TestClient, make_org: OrgFactory) -> None:
    _, key = make_org("provider")

    def chunks() -> Any:
        for _ in range(20):
            yield b" " * 100_000

    r = client.post(
        "/api/v1/learners",
        content=chunks(),
        headers={**bearer(key), "Content-Type": "application/json"},
    )
    assert r.status_code == 413


def test_every_read_and_write_is_audited(
    client: TestClient, make_org: OrgFactory, db: Database
) -> None:
    provider_actor, provider = make_org("provider")
    _, admin = make_org("admin")
    uln = client.post("/api/v1/learners", json=learner_payload(), headers=bearer(provider)).json()[
        "learner"
    ]["uln"]
    read = client.get(
        f"/api/v1/learners/{uln}", headers={**bearer(provider), "X-Request-ID": "req-12345"}
    )
    assert read.headers["x-request-id"] == "req-12345"
    client.post(
        "/api/v1/learners/verify",
        headers=bearer(provider),
        json={"uln": uln, "given_name": "X", "family_name": "Y"},
    )
    r = client.get("/api/v1/audit-events", params={"uln": uln}, headers=bearer(admin))
    assert r.status_code == 200
    events = r.json()["events"]
    assert [e["action"] for e in events] == ["learner.register", "learner.read", "learner.verify"]
    assert {e["ukprn"] for e in events} == {provider_actor.ukprn}
    assert events[1]["request_id"] == "req-12345"
    assert events[2]["outcome"] == "WSVRC005"
    with db.unit_of_work() as uow:
        assert uow.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "audit.read")
        )


def test_personal_data_never_reaches_the_logs(
    client: TestClient, make_org: OrgFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    _, key = make_org("provider")
    body = learner_payload(given_name="Zebedee", family_name="Quixotic", postcode="EH1 1YZ")
    uln = client.post("/api/v1/learners", json=body, headers=bearer(key)).json()["learner"]["uln"]
    client.get(f"/api/v1/learners/{uln}", headers=bearer(key))
    client.post("/api/v1/learners", json=dict(body, date_of_birth="bad"), headers=bearer(key))
    logs = capsys.readouterr().err
    assert '"request"' in logs or "request" in logs
    for secret in ("Zebedee", "Quixotic", "EH1 1YZ", uln, key, body["date_of_birth"]):
        assert secret not in logs


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"


def test_unknown_route_is_a_problem(client: TestClient) -> None:
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
