"""The portal's exceptions queue shows the rows' learners by name with their candidates, and is
audited as one ``batch_exceptions.read`` row a page, by the same service call the API makes
(issue 24)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from open_lrs.audit.models import AuditEvent
from open_lrs.batches.exceptions import BATCH_EXCEPTIONS_READ
from open_lrs.core.db import Database
from tests.conftest import OrgFactory
from tests.portal.batch_screens import batch_with_exceptions, text_of
from tests.portal.conftest import UserFactory, sign_in


def test_the_queue_page_is_one_audit_row_naming_the_user(
    client: TestClient, make_user: UserFactory, make_org: OrgFactory, db: Database
) -> None:
    actor, _ = make_org("provider")
    user = make_user("registrar", ukprn=actor.ukprn)
    sign_in(client, user)
    batch_id, _ = batch_with_exceptions(client, db, user, actor)

    page = client.get(f"/batches/{batch_id}/exceptions")
    assert page.status_code == 200
    assert "2 MIS00001 Sein Murphy 1" in text_of(page.text)
    with db.unit_of_work() as uow:
        rows = uow.session.execute(
            select(AuditEvent.user_label, AuditEvent.outcome, AuditEvent.details).where(
                AuditEvent.action == BATCH_EXCEPTIONS_READ,
                AuditEvent.organisation_id == actor.organisation_id,
            )
        ).all()
    assert [(outcome, details) for _, outcome, details in rows] == [
        ("ok", {"batch_id": batch_id, "learners": 2, "candidates": 1})
    ]
    assert rows[0].user_label is not None
