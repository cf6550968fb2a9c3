"""The batch API over HTTP: upload, progress, output, exceptions and web-service jobs."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from open_lrs.core.db import Database
from tests.api.conftest import bearer
from tests.batch_files import drain, learner_row, lrs_file, lrs_name
from tests.conftest import OrgFactory


def upload(client: TestClient, key: str, name: str, data: bytes, **form: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/batches",
        files={"file": (name, data, "text/csv")},
        data=form,
        headers=bearer(key),
    )


def test_upload_follow_and_download(client: TestClient, make_org: OrgFactory, db: Database) -> None:
    actor, key = make_org("provider")
    rows = [learner_row(1, given_name="Priya", family_name="Okafor"), learner_row(2, given_name="")]
    r = upload(client, key, lrs_name(actor.ukprn), lrs_file(actor.ukprn, rows))
    assert r.status_code == 202, r.text
    status = r.json()
    assert r.headers["location"] == f"/api/v1/batches/{status['id']}"
    assert (status["status"], status["lrs_code"], status["row_count"]) == ("queued", "WSRC0007", 2)
    assert status["totals"]["pending"] == 2
    assert status["runs"] == "as soon as a worker is free"

    drain(db)
    done = client.get(r.headers["location"], headers=bearer(key)).json()
    assert (done["status"], done["lrs_code"], done["rows_done"]) == ("complete", "WSRC0009", 2)
    assert done["totals"]["new"] == 1
    assert done["totals"]["rejected"] == 1
    assert done["codes"] == {"RC001": 1, "RC006": 1}

    out = client.get(f"/api/v1/batches/{status['id']}/output", headers=bearer(key))
    assert out.status_code == 200
    assert out.headers["content-type"].startswith("text/csv")
    assert "_output.csv" in out.headers["content-disposition"]
    parsed = list(csv.DictReader(io.StringIO(out.content.decode("utf-8-sig"))))
    assert [p["ReturnCode"] for p in parsed] == ["RC001", "RC006"]

    listed = client.get("/api/v1/batches", headers=bearer(key)).json()
    assert [b["id"] for b in listed] == [status["id"]]


def test_a_bad_file_is_refused_with_line_and_column(
    client: TestClient, make_org: OrgFactory
) -> None:
    actor, key = make_org("provider")
    bad = lrs_file(actor.ukprn, [learner_row(1, date_of_birth="15/03/2006")])
    r = upload(client, key, lrs_name(actor.ukprn), bad)
    assert r.status_code == 422
    problem = r.json()
    assert problem["code"] == "batch_file_rejected"
    [error] = problem["errors"]
    assert (error["line"], error["column"]) == (2, "DateOfBirth")
    assert "2006-03-15" in error["message"]
    assert client.get("/api/v1/batches", headers=bearer(key)).json() == []


def test_someone_elses_ukprn_and_a_duplicate_are_refused(
    client: TestClient, make_org: OrgFactory
) -> None:
    actor, key = make_org("provider")
    other, _ = make_org("provider")
    r = upload(client, key, lrs_name(other.ukprn), lrs_file(other.ukprn, [learner_row(1)]))
    assert r.status_code == 422
    assert actor.ukprn in r.text
    data = lrs_file(actor.ukprn, [learner_row(1)])
    first = upload(client, key, lrs_name(actor.ukprn), data)
    assert first.status_code == 202
    again = upload(client, key, lrs_name(actor.ukprn), data)
    assert again.status_code == 409
    assert again.json()["code"] == "duplicate_file"
    assert again.json()["batch_id"] == first.json()["id"]
    forced = upload(client, key, lrs_name(actor.ukprn), data, allow_duplicate="true")
    assert forced.status_code == 202
    assert forced.json()["duplicate_of"] == first.json()["id"]


def test_exceptions_over_http(client: TestClient, make_org: OrgFactory, db: Database) -> None:
    actor, key = make_org("provider")
    existing = client.post(
        "/api/v1/learners",
        json={k: v for k, v in learner_row(0, given_name="Seán", family_name="Murphy").items()
              if k != "mis_identifier"},
        headers=bearer(key),
    ).json()["learner"]["uln"]  # fmt: skip
    rows = [learner_row(1, given_name="Sein", family_name="Murphy", postcode="BT9 5AA")]
    batch = upload(client, key, lrs_name(actor.ukprn), lrs_file(actor.ukprn, rows)).json()
    drain(db)
    base = f"/api/v1/batches/{batch['id']}/exceptions"
    [row] = client.get(base, headers=bearer(key)).json()
    assert (row["return_code"], row["candidate_ulns"]) == ("RC004", [existing])
    shown = client.get(f"{base}/0", headers=bearer(key)).json()
    assert shown["candidates"][0]["uln"] == existing
    no_reason = client.post(f"{base}/0/resolution", json={"action": "new"}, headers=bearer(key))
    assert no_reason.status_code == 422
    chosen = client.post(
        f"{base}/0/resolution", json={"action": "choose", "uln": existing}, headers=bearer(key)
    )
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["return_code"] == "RC010"
    again = client.post(
        f"{base}/0/resolution", json={"action": "choose", "uln": existing}, headers=bearer(key)
    )
    assert again.status_code == 409


def test_web_service_jobs(client: TestClient, make_org: OrgFactory, db: Database) -> None:
    _, key = make_org("provider")
    job = client.post(
        "/api/v1/batches/registration-jobs",
        json={
            "job_type": "FUL",
            "learners": [learner_row(1, given_name="Chidi", family_name="Obi")],
        },
        headers=bearer(key),
    )
    assert job.status_code == 202, job.text
    too_many = client.post(
        "/api/v1/batches/registration-jobs",
        json={"learners": [learner_row(n) for n in range(201)]},
        headers=bearer(key),
    )
    assert too_many.status_code == 422
    drain(db)
    [row] = client.get(f"/api/v1/batches/{job.json()['id']}/rows", headers=bearer(key)).json()
    assert row["return_code"] == "RC001"
    assert row["uln"]
    verify = client.post(
        "/api/v1/batches/verification-jobs",
        json={"records": [{"mis_identifier": "X", "uln": row["uln"], "given_name": "Chidi",
                           "family_name": "Obi"}]},
        headers=bearer(key),
    )  # fmt: skip
    assert verify.status_code == 202
    drain(db)
    [checked] = client.get(
        f"/api/v1/batches/{verify.json()['id']}/rows", headers=bearer(key)
    ).json()
    assert (checked["return_code"], checked["uln"]) == ("WSVRC001", row["uln"])


def test_another_organisation_gets_404(client: TestClient, make_org: OrgFactory) -> None:
    actor, key = make_org("provider")
    _, other = make_org("provider")
    batch = upload(client, key, lrs_name(actor.ukprn), lrs_file(actor.ukprn, [learner_row(1)]))
    for path in ("", "/output", "/rows", "/exceptions"):
        r = client.get(f"/api/v1/batches/{batch.json()['id']}{path}", headers=bearer(other))
        assert r.status_code == 404, path
