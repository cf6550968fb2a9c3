"""Who may see and do what on the batch screens: viewers see but cannot upload or resolve,
another organisation finds nothing, and signed-out visitors are sent to sign in."""

from __future__ import annotations

from fastapi.testclient import TestClient

from open_lrs.core.db import Database
from tests.batch_files import learner_row, lrs_file, lrs_name
from tests.conftest import OrgFactory
from tests.portal.batch_screens import batch_with_exceptions, batches_of, output_rows, text_of
from tests.portal.conftest import UserFactory, csrf, sign_in


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient) -> None:
    for path in ("/batches", "/batches/upload", "/batches/1", "/batches/1/exceptions"):
        assert client.get(path).url.path == "/sign-in", path


def test_a_viewer_sees_batches_but_cannot_upload_or_resolve(
    client: TestClient, make_user: UserFactory, make_org: OrgFactory, db: Database
) -> None:
    actor, _ = make_org("provider")
    registrar = make_user("registrar", ukprn=actor.ukprn)
    viewer = make_user("viewer", ukprn=actor.ukprn)
    sign_in(client, registrar)
    batch_id, murphy = batch_with_exceptions(client, db, registrar, actor)
    token = csrf(client.get("/batches").text)
    client.post("/sign-out", data={"csrf_token": token})

    sign_in(client, viewer)
    listed = client.get("/batches")
    assert listed.status_code == 200
    assert f'href="/batches/{batch_id}"' in listed.text
    assert 'href="/batches/upload"' not in listed.text
    assert client.get(f"/batches/{batch_id}").status_code == 200
    assert client.get(f"/batches/{batch_id}/progress").json()["finished"] is True
    assert client.get(f"/batches/{batch_id}/output").status_code == 200

    refused = client.get("/batches/upload")
    assert refused.status_code == 403
    assert "You cannot do this" in refused.text
    token = csrf(client.get("/batches").text)
    data = lrs_file(viewer.ukprn, [learner_row(5, given_name="Ada")])
    sent = client.post(
        "/batches/upload",
        data={"csrf_token": token},
        files={"file": (lrs_name(viewer.ukprn), data, "text/csv")},
    )
    assert sent.status_code == 403
    assert batches_of(db, viewer.ukprn) == 1

    queue = client.get(f"/batches/{batch_id}/exceptions")
    assert queue.status_code == 200
    assert "2 rows waiting for a person" in text_of(queue.text)
    assert f'href="/batches/{batch_id}/exceptions/0"' not in queue.text
    assert client.get(f"/batches/{batch_id}/exceptions/0").status_code == 403
    for form in ({"candidate": murphy}, {"candidate": "new", "reason": "A twin"}, {}):
        r = client.post(f"/batches/{batch_id}/exceptions/0", data={"csrf_token": token, **form})
        assert r.status_code == 403, form
        assert "You cannot do this" in r.text
    assert [r["ReturnCode"] for r in output_rows(client, batch_id)] == ["RC004", "RC004"]


def test_another_organisation_gets_page_not_found(
    client: TestClient, make_user: UserFactory, make_org: OrgFactory, db: Database
) -> None:
    actor, _ = make_org("provider")
    owner = make_user("registrar", ukprn=actor.ukprn)
    sign_in(client, owner)
    batch_id, murphy = batch_with_exceptions(client, db, owner, actor)
    token = csrf(client.get("/batches").text)
    client.post("/sign-out", data={"csrf_token": token})

    stranger = make_user("admin")
    sign_in(client, stranger)
    listed = client.get("/batches")
    assert f"/batches/{batch_id}" not in listed.text
    assert "Your organisation has no batches yet" in listed.text
    base = f"/batches/{batch_id}"
    for path in (
        base,
        f"{base}/progress",
        f"{base}/output",
        f"{base}/exceptions",
        f"{base}/exceptions/0",
    ):
        r = client.get(path)
        assert r.status_code == 404, path
        assert "Page not found" in r.text, path
        assert murphy not in r.text
    token = csrf(client.get("/batches").text)
    for form in ({"candidate": murphy}, {"candidate": "new", "reason": "A twin"}, {}):
        r = client.post(f"{base}/exceptions/0", data={"csrf_token": token, **form})
        assert r.status_code == 404, form
        assert "Page not found" in r.text
    for path in ("/batches/999999999", "/batches/abc", "/batches/-1", "/batches/0",
                 "/batches/99999999999999999999999", "/batches/" + "9" * 5000,
                 f"{base}x/output", f"{base}/exceptions/{'1' * 5000}"):  # fmt: skip
        r = client.get(path)
        assert r.status_code == 404, path
        assert "Page not found" in r.text, path

    # The owner's batch is untouched.
    client.post("/sign-out", data={"csrf_token": token})
    sign_in(client, owner)
    assert [r["ReturnCode"] for r in output_rows(client, batch_id)] == ["RC004", "RC004"]
