"""The portal's batch screens through an HTTP client: uploading a file, following it,
downloading its output, and the output file's name."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from open_lrs.batches import worker
from open_lrs.batches.models import Batch
from open_lrs.core.db import Database
from tests.batch_files import drain, learner_row, lrs_file, lrs_name
from tests.portal.batch_screens import batch_id_of, output_rows, plain_csv, text_of, upload
from tests.portal.conftest import PortalUser, UserFactory, sign_in


def upload_and_see_it_queued(client: TestClient, user: PortalUser) -> int:
    """Upload two learners (one of them without a given name): the batch page says it is
    queued. Returns the batch's id."""
    rows = [learner_row(1, given_name="Priya", family_name="Okafor"), learner_row(2, given_name="")]
    sent = upload(client, lrs_name(user.ukprn), lrs_file(user.ukprn, rows), follow=False)
    assert sent.status_code == 303
    assert re.fullmatch(r"/batches/[0-9]+\?submitted=1", sent.headers["location"])
    page = client.get(sent.headers["location"])
    batch_id = batch_id_of(page)
    words = text_of(page.text)
    assert "govuk-notification-banner--success" in page.text
    assert f"batch {batch_id} is queued" in words
    assert "It will run as soon as a worker is free" in words
    # Fewer than 50 learners: accepted, with a pointer to registering one at a time.
    assert "For fewer than 50 learners you can register them one at a time" in words
    assert 'href="/register"' in page.text
    assert f'data-batch-progress="{batch_id}"' in page.text
    assert 'aria-live="polite"' in page.text
    assert f'<a class="govuk-link" href="/batches/{batch_id}">Refresh</a>' in page.text
    assert "0 of 2 rows done" in words
    assert "Queued" in words
    return batch_id


def check_the_queued_progress(client: TestClient, batch_id: int) -> None:
    """The progress a queued batch reports, not to be cached."""
    progress = client.get(f"/batches/{batch_id}/progress")
    assert progress.headers["cache-control"] == "no-store"
    assert progress.json() | {"started_at": "", "finished_at": ""} == {
        "id": batch_id,
        "status": "queued",
        "status_text": "Queued",
        "status_class": "govuk-tag--grey",
        "rows_done": 0,
        "row_count": 2,
        "totals": {
            "new": 0, "existing": 0, "possible_match": 0, "not_found": 0, "rejected": 0,
            "pending": 2,
        },
        "started_at": "",
        "finished_at": "",
        "finished": False,
    }  # fmt: skip


def check_the_details_are_erased_after_retention(
    client: TestClient, db: Database, batch_id: int
) -> None:
    """Past the retention period the learners' details go, and the page says so."""
    with db.unit_of_work() as uow:
        long_ago = datetime.now(UTC) - timedelta(days=400)
        uow.session.execute(update(Batch).values(finished_at=long_ago))
        uow.commit()
    assert worker.erase_expired(db, 90) == 1
    erased = text_of(client.get(f"/batches/{batch_id}").text)
    assert "The learners' details sent in this file were erased on" in erased
    assert [(r["GivenName"], r["ReturnCode"]) for r in output_rows(client, batch_id)] == [
        ("", "RC001"),
        ("", "RC006"),
    ]


def test_upload_follow_and_download(
    client: TestClient, make_user: UserFactory, db: Database
) -> None:
    user = make_user("registrar")
    sign_in(client, user)
    listed = client.get("/batches")
    assert listed.status_code == 200
    assert 'href="/batches/upload"' in listed.text
    assert "Your organisation has no batches yet" in listed.text

    batch_id = upload_and_see_it_queued(client, user)

    check_the_queued_progress(client, batch_id)

    drain(db)
    done = client.get(f"/batches/{batch_id}/progress").json()
    assert (done["status"], done["rows_done"], done["finished"]) == ("complete", 2, True)
    assert (done["totals"]["new"], done["totals"]["rejected"]) == (1, 1)
    assert re.fullmatch(
        r"[0-9]{1,2} \w+ 20[0-9]{2} at [0-9]{1,2}:[0-9]{2}[ap]m", done["finished_at"]
    )

    page = client.get(f"/batches/{batch_id}")
    words = text_of(page.text)
    assert "2 of 2 rows done" in words
    assert "Complete" in words
    assert "The batch is complete." in words
    assert ">Refresh</a>" not in page.text  # nothing left to wait for
    assert "batch is queued" not in words  # the banner was for the upload only
    assert "For fewer than 50 learners" not in words
    assert "New learners 1" in words
    assert "Rejected 1" in words
    assert f"Finished {done['finished_at']}" in words
    assert f'href="/batches/{batch_id}/output"' in page.text
    assert "exceptions queue (0 waiting)" in words

    r = client.get(f"/batches/{batch_id}/output")
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["cache-control"] == "no-store"
    stem = lrs_name(user.ukprn).rsplit(".", 1)[0]
    assert r.headers["content-disposition"] == f'attachment; filename="{stem}_output.csv"'
    assert [row["ReturnCode"] for row in output_rows(client, batch_id)] == ["RC001", "RC006"]

    listed = text_of(client.get("/batches").text)
    assert f"Batch {batch_id} {lrs_name(user.ukprn)}" in listed
    assert "Complete 2 of 2 rows done 1 new, 1 rejected Finished" in listed
    assert "were erased" not in words

    check_the_details_are_erased_after_retention(client, db, batch_id)


def test_the_list_is_newest_first(client: TestClient, make_user: UserFactory) -> None:
    user = make_user("admin")
    sign_in(client, user)
    first = batch_id_of(upload(client, "spring.csv", plain_csv([learner_row(1)])))
    second = batch_id_of(
        upload(client, "summer.csv", plain_csv([learner_row(2, given_name="Ama")]))
    )
    page = client.get("/batches").text
    assert page.index(f">Batch {second}<") < page.index(f">Batch {first}<")


@pytest.mark.parametrize("name", ["spring intake.csv", 'Nguyễn\'s "file".csv'])
def test_the_output_file_name_survives_any_characters(
    client: TestClient, make_user: UserFactory, name: str
) -> None:
    user = make_user()
    sign_in(client, user)
    batch_id = batch_id_of(upload(client, name, plain_csv([learner_row(1)])))
    r = client.get(f"/batches/{batch_id}/output")
    assert r.status_code == 200
    disposition = r.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="')
    if name.isascii() and '"' not in name:
        assert disposition == f'attachment; filename="{name[:-4]}_output.csv"'
    else:
        assert "filename*=UTF-8''" in disposition
