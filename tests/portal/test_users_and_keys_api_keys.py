"""The API keys screens: an administrator creates a key, shown once, and revokes it."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from open_lrs.core.db import Database
from open_lrs.organisations.models import ApiKey
from tests.portal.conftest import UserFactory, csrf, error_summary, sign_in, submit
from tests.portal.users_and_keys_helpers import shown, table_row, user_id


def test_api_keys_are_created_shown_once_used_and_revoked(
    client: TestClient, make_user: UserFactory, db: Database
) -> None:
    admin = make_user("admin")
    sign_in(client, admin)
    listed = client.get("/api-keys")
    assert listed.status_code == 200
    assert "default" in listed.text  # the organisation's first key
    assert 'href="/api-keys/new"' in listed.text
    r = submit(client, "/api-keys/new", {"name": " "})
    assert r.status_code == 400
    assert error_summary(r.text) == ["Name must be 1 to 100 characters"]
    r = submit(client, "/api-keys/new", {"name": "MIS integration"})
    assert r.status_code == 200
    assert r.headers["cache-control"] == "no-store"
    key = shown(r.text, "api-key")
    assert key.startswith("lrs_")
    assert "It will not be shown again" in r.text
    assert f"Authorization: Bearer {key}" in r.text
    with db.unit_of_work() as uow:
        row = uow.session.scalar(select(ApiKey).where(ApiKey.name == "MIS integration"))
        assert row is not None
        uow.session.expunge(row)
    assert row.created_by_user_id == user_id(db, admin.email)
    listed = client.get("/api-keys").text
    assert key not in listed
    assert f"lrs_{row.prefix}_" in listed
    mis_row = table_row(listed, "MIS integration")
    assert "Never" in mis_row

    api = client.get("/api/v1/batches", headers={"Authorization": f"Bearer {key}"})
    assert api.status_code == 200
    mis_row = table_row(client.get("/api-keys").text, "MIS integration")
    assert "Never" not in mis_row  # last used, now
    assert "Active" in mis_row

    confirm = client.get(f"/api-keys/{row.id}/revoke")
    assert "Are you sure you want to revoke this API key?" in confirm.text
    r = client.post(f"/api-keys/{row.id}/revoke", data={"csrf_token": csrf(confirm.text)})
    assert r.url.path == "/api-keys"
    assert "has been revoked" in r.text
    assert "The API key ‘MIS integration’ has been revoked" in r.text
    mis_row = table_row(r.text, "MIS integration")
    assert "Revoked" in mis_row
    refused = client.get("/api/v1/batches", headers={"Authorization": f"Bearer {key}"})
    assert refused.status_code == 401  # at once, though the key had just been used
    again = client.get(f"/api-keys/{row.id}/revoke")
    assert "This API key has been revoked" in again.text
    assert 'action="/api-keys/' not in again.text
