"""The portal's batch screens in tests: uploading a file through the form, the batch it made,
the page's words and the output file; a batch whose rows wait for a person."""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from open_lrs.batches.columns import COLUMN_TO_FIELD, LEARNER_COLUMNS
from open_lrs.batches.models import Batch
from open_lrs.core.db import Database
from open_lrs.core.security import Actor
from open_lrs.learners import service as learners
from open_lrs.learners.schemas import LearnerRegistration
from open_lrs.organisations.models import Organisation
from tests.batch_files import drain, learner_row, lrs_file, lrs_name
from tests.factories import MODEL_VERSION
from tests.portal.conftest import PortalUser, csrf

# The test client's response (httpx's, or httpx2's in newer Starlette: not imported here).
Response = Any


def upload(
    client: TestClient, name: str, data: bytes, *, follow: bool = True, **form: str
) -> Response:
    """Choose a file on the upload page and send it, with the page's CSRF token."""
    token = csrf(client.get("/batches/upload").text)
    return client.post(
        "/batches/upload",
        data={"csrf_token": token, **form},
        files={"file": (name, data, "text/csv")},
        follow_redirects=follow,
    )


def batch_id_of(response: Response) -> int:
    found = re.fullmatch(r"/batches/([0-9]+)", response.url.path)
    assert found, response.url
    return int(found.group(1))


def batches_of(db: Database, ukprn: str) -> int:
    with db.unit_of_work() as uow:
        org = uow.session.scalar(select(Organisation.id).where(Organisation.ukprn == ukprn))
        return int(
            uow.session.scalar(
                select(func.count()).select_from(Batch).where(Batch.organisation_id == org)
            )
            or 0
        )


def text_of(html: str) -> str:
    """The page's words, tags dropped and spaces squeezed, for asserting sentences."""
    inline = re.sub(r"</?(?:span|a|strong|code)\b[^>]*>", "", html)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", inline)))


def register(db: Database, actor: Actor, **cells: str) -> str:
    body = {k: v for k, v in learner_row(0, **cells).items() if k != "mis_identifier"}
    registration = LearnerRegistration(**body)
    return learners.register(db.unit_of_work(), actor, registration, MODEL_VERSION).learner.uln


def output_rows(client: TestClient, batch_id: int) -> list[dict[str, str]]:
    r = client.get(f"/batches/{batch_id}/output")
    assert r.status_code == 200
    return list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))


def plain_csv(rows: list[dict[str, str]]) -> bytes:
    """A plain CSV file: the header row of learner columns, then the learners."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(LEARNER_COLUMNS)
    for row in rows:
        writer.writerow([row.get(COLUMN_TO_FIELD[c], "") for c in LEARNER_COLUMNS])
    return out.getvalue().encode("utf-8")


def batch_with_exceptions(
    client: TestClient, db: Database, user: PortalUser, actor: Actor
) -> tuple[int, str]:
    """Two rows like a learner on the register (Seán Murphy): both wait for a person."""
    murphy = register(db, actor, given_name="Seán", family_name="Murphy")
    rows = [
        learner_row(1, given_name="Sein", family_name="Murphy", postcode="BT9 5AA"),
        learner_row(2, given_name="Sein", family_name="Murphy", postcode="BT9 5AA"),
    ]
    batch_id = batch_id_of(upload(client, lrs_name(user.ukprn), lrs_file(user.ukprn, rows)))
    drain(db)
    return batch_id, murphy
