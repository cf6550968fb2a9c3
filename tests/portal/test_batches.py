"""The portal's batch screens through an HTTP client: uploading a file (refused whole, a
duplicate, a small file), following it, downloading its output, resolving its exceptions, and
who may see and do what."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from open_lrs.app import create_app
from open_lrs.batches import worker
from open_lrs.batches.columns import COLUMN_TO_FIELD, LEARNER_COLUMNS
from open_lrs.batches.models import Batch
from open_lrs.core.db import Database
from open_lrs.core.security import Actor
from open_lrs.core.settings import Settings
from open_lrs.learners import service as learners
from open_lrs.learners.schemas import LearnerRegistration
from open_lrs.organisations.models import Organisation
from tests.batch_files import drain, learner_row, lrs_file, lrs_name
from tests.conftest import OrgFactory
from tests.factories import MODEL_VERSION
from tests.portal.conftest import PortalUser, UserFactory, csrf, error_summary, sign_in

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


def test_upload_follow_and_download(
    client: TestClient, make_user: UserFactory, db: Database
) -> None:
    user = make_user("registrar")
    sign_in(client, user)
    listed = client.get("/batches")
    assert listed.status_code == 200
    assert 'href="/batches/upload"' in listed.text
    assert "Your organisation has no batches yet" in listed.text

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

    # Past the retention period the learners' details go, and the page says so.
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


def test_the_list_is_newest_first(client: TestClient, make_user: UserFactory) -> None:
    user = make_user("admin")
    sign_in(client, user)
    first = batch_id_of(upload(client, "spring.csv", _plain([learner_row(1)])))
    second = batch_id_of(upload(client, "summer.csv", _plain([learner_row(2, given_name="Ama")])))
    page = client.get("/batches").text
    assert page.index(f">Batch {second}<") < page.index(f">Batch {first}<")


def _plain(rows: list[dict[str, str]]) -> bytes:
    """A plain CSV file: the header row of learner columns, then the learners."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(LEARNER_COLUMNS)
    for row in rows:
        writer.writerow([row.get(COLUMN_TO_FIELD[c], "") for c in LEARNER_COLUMNS])
    return out.getvalue().encode("utf-8")


def test_a_rejected_file_lists_every_problem_by_line_and_column_and_queues_nothing(
    client: TestClient, make_user: UserFactory, db: Database
) -> None:
    user = make_user()
    sign_in(client, user)
    bad = lrs_file(
        user.ukprn,
        [
            learner_row(1, date_of_birth="15/03/2006"),
            learner_row(2),
            learner_row(3, uln="1.23457E+09"),
        ],
    )
    r = upload(client, lrs_name(user.ukprn), bad)
    assert r.status_code == 422
    problems = error_summary(r.text)
    assert len(problems) == 2
    assert problems[0].startswith("Line 2, column DateOfBirth: 15/03/2006 is not YYYY-MM-DD")
    assert "2006-03-15" in problems[0]
    assert problems[1].startswith("Line 4, column ULN: 1.23457E+09 is in scientific notation")
    words = text_of(r.text)
    assert "2 problems were found, so no learner in the file was registered" in words
    assert 'class="govuk-file-upload govuk-file-upload--error"' in r.text
    assert batches_of(db, user.ukprn) == 0
    assert "Your organisation has no batches yet" in client.get("/batches").text


def test_a_file_for_another_ukprn_is_refused_with_the_reason(
    client: TestClient, make_user: UserFactory, make_org: OrgFactory, db: Database
) -> None:
    user = make_user()
    other, _ = make_org("provider")
    sign_in(client, user)
    r = upload(client, lrs_name(other.ukprn), lrs_file(other.ukprn, [learner_row(1)]))
    assert r.status_code == 422
    assert any(user.ukprn in p for p in error_summary(r.text))
    assert batches_of(db, user.ukprn) == 0


def test_no_file_or_an_empty_file_is_asked_for_again(
    client: TestClient, make_user: UserFactory, db: Database
) -> None:
    user = make_user()
    sign_in(client, user)
    token = csrf(client.get("/batches/upload").text)
    nothing = client.post("/batches/upload", data={"csrf_token": token})
    assert nothing.status_code == 400
    assert error_summary(nothing.text) == ["Select a file to upload"]
    assert 'href="#file"' in nothing.text
    # What a browser sends when no file was chosen: a part with an empty file name.
    unchosen = client.post(
        "/batches/upload",
        data={"csrf_token": token},
        files={"file": ("", b"", "application/octet-stream")},
    )
    assert unchosen.status_code == 400
    assert error_summary(unchosen.text) == ["Select a file to upload"]
    empty = upload(client, lrs_name(user.ukprn), b"")
    assert empty.status_code == 400
    assert error_summary(empty.text) == ["The selected file is empty"]
    assert batches_of(db, user.ukprn) == 0


def test_a_file_over_the_upload_limit_is_refused(
    db: Database, portal_settings: Settings, make_user: UserFactory
) -> None:
    settings = portal_settings.model_copy(update={"max_upload_bytes": 1024})
    user = make_user()
    with TestClient(create_app(settings, database=db), raise_server_exceptions=False) as client:
        sign_in(client, user)
        assert "no larger than 1KB" in client.get("/batches/upload").text
        rows = [learner_row(n, notes="x" * 200) for n in range(10)]
        r = upload(client, lrs_name(user.ukprn), lrs_file(user.ukprn, rows))
        assert r.status_code == 400
        assert error_summary(r.text) == ["The selected file must be smaller than 1KB"]
    assert batches_of(db, user.ukprn) == 0


def test_a_full_file_of_5000_learners_over_a_mebibyte_is_accepted(
    client: TestClient, make_user: UserFactory, db: Database
) -> None:
    """Larger than the 1 MiB that other requests may be: the upload limit applies."""
    user = make_user()
    sign_in(client, user)
    rows = [learner_row(n, notes="x" * 160) for n in range(5000)]
    data = lrs_file(user.ukprn, rows)
    assert len(data) > 1024 * 1024
    r = upload(client, lrs_name(user.ukprn), data)
    assert r.status_code == 200, r.text[:500]
    assert r.url.path.startswith("/batches/")
    assert batches_of(db, user.ukprn) == 1


def test_a_duplicate_file_names_the_first_batch_and_can_be_sent_again(
    client: TestClient, make_user: UserFactory, db: Database
) -> None:
    user = make_user()
    sign_in(client, user)
    data = lrs_file(user.ukprn, [learner_row(1, given_name="Ngozi", family_name="Eze")])
    first = batch_id_of(upload(client, lrs_name(user.ukprn), data))
    again = upload(client, lrs_name(user.ukprn), data)
    assert again.status_code == 409
    assert error_summary(again.text) == [f"The selected file was uploaded before, as batch {first}"]
    assert f'<a class="govuk-link" href="/batches/{first}">batch {first}</a>' in again.text
    assert 'name="allow_duplicate" type="checkbox" value="true"' in again.text
    assert "Process it again anyway" in again.text
    assert batches_of(db, user.ukprn) == 1

    forced = upload(client, lrs_name(user.ukprn), data, allow_duplicate="true")
    assert forced.status_code == 200
    second = batch_id_of(forced)
    assert second != first
    assert f"The same file was uploaded before, as batch {first}" in text_of(forced.text)
    assert batches_of(db, user.ukprn) == 2


def test_fifty_learners_or_more_get_no_pointer_to_one_at_a_time(
    client: TestClient, make_user: UserFactory
) -> None:
    user = make_user()
    sign_in(client, user)
    rows = [learner_row(n, given_name=f"Learner{'abcdefghij'[n % 10]}") for n in range(50)]
    page = upload(client, lrs_name(user.ukprn), lrs_file(user.ukprn, rows))
    assert page.status_code == 200, error_summary(page.text)
    assert "batch" in page.url.path
    assert "is queued" in page.text
    assert "For fewer than 50 learners" not in page.text


def test_the_upload_form_needs_its_csrf_token(
    client: TestClient, make_user: UserFactory, db: Database
) -> None:
    user = make_user()
    sign_in(client, user)
    r = client.post(
        "/batches/upload",
        files={"file": (lrs_name(user.ukprn), lrs_file(user.ukprn, [learner_row(1)]), "text/csv")},
    )
    assert r.status_code == 400
    assert "Your form has expired" in r.text
    forged = client.post(
        "/batches/upload",
        data={"csrf_token": "0" * 64},
        files={"file": (lrs_name(user.ukprn), lrs_file(user.ukprn, [learner_row(1)]), "text/csv")},
    )
    assert forged.status_code == 400
    assert batches_of(db, user.ukprn) == 0


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient) -> None:
    for path in ("/batches", "/batches/upload", "/batches/1", "/batches/1/exceptions"):
        assert client.get(path).url.path == "/sign-in", path


# Exceptions --------------------------------------------------------------------------------


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


def post_resolution(client: TestClient, batch_id: int, position: int, **form: str) -> Response:
    page = client.get(f"/batches/{batch_id}/exceptions/{position}")
    return client.post(
        f"/batches/{batch_id}/exceptions/{position}",
        data={"csrf_token": csrf(page.text), **form},
    )


def test_exceptions_are_listed_and_resolved_and_the_output_follows(
    client: TestClient, make_user: UserFactory, make_org: OrgFactory, db: Database
) -> None:
    actor, _ = make_org("provider")
    user = make_user("registrar", ukprn=actor.ukprn)
    sign_in(client, user)
    batch_id, murphy = batch_with_exceptions(client, db, user, actor)
    base = f"/batches/{batch_id}/exceptions"

    page = client.get(f"/batches/{batch_id}")
    assert "exceptions queue (2 waiting)" in text_of(page.text)
    assert f'href="{base}"' in page.text

    queue = client.get(base)
    assert queue.status_code == 200
    words = text_of(queue.text)
    assert "2 rows waiting for a person" in words
    assert "2 MIS00001 Sein Murphy 1 Resolve" in words
    assert "3 MIS00002 Sein Murphy 1 Resolve" in words
    assert f'href="{base}/0"' in queue.text
    assert f'href="{base}/1"' in queue.text

    shown = client.get(f"{base}/0")
    assert shown.status_code == 200
    words = text_of(shown.text)
    assert "Line 2: who is this learner?" in words
    assert "The row in the file (line 2)" in words
    assert "Given name Sein" in words
    assert "Postcode BT9 5AA" in words
    assert f"Seán Murphy, ULN {murphy}" in words
    assert "How they compare" in words  # the match explanation
    assert "In the file On the register" in words  # the row beside the register's copy
    assert "Spelt similarly" in words or "Sounds the same" in words
    assert f'name="candidate" type="radio" value="{murphy}"' in shown.text
    assert "None of these: this is a new learner" in words

    nothing = post_resolution(client, batch_id, 0)
    assert nothing.status_code == 400
    assert error_summary(nothing.text) == [
        "Select the learner, or that none of them is this learner"
    ]
    no_reason = post_resolution(client, batch_id, 0, candidate="new", reason="  ")
    assert no_reason.status_code == 400
    assert error_summary(no_reason.text) == ["Reason is required to confirm a new learner"]
    assert 'href="#reason"' in no_reason.text
    assert f"Seán Murphy, ULN {murphy}" in no_reason.text  # the candidates shown again
    bad_uln = post_resolution(client, batch_id, 0, candidate="other", uln="123")
    assert bad_uln.status_code == 400
    [message] = error_summary(bad_uln.text)
    assert message.startswith("ULN")
    assert 'href="#uln"' in bad_uln.text
    stranger = register(db, actor, given_name="Kwame", family_name="Mensah")
    not_them = post_resolution(client, batch_id, 0, candidate="other", uln=stranger)
    assert not_them.status_code == 400
    assert error_summary(not_them.text) == ["ULN does not match the row's learner"]
    assert f'value="{stranger}"' in not_them.text  # kept as typed

    chosen = post_resolution(client, batch_id, 0, candidate=murphy)
    assert chosen.status_code == 200
    assert chosen.url.path == base
    words = text_of(chosen.text)
    assert "Line 2 resolved" in words
    assert f"The row is the learner with ULN {murphy}" in words
    assert "1 row waiting for a person" in words
    assert "MIS00001" not in words
    # The banner is shown once.
    assert "Line 2 resolved" not in client.get(base).text

    new = post_resolution(
        client, batch_id, 1, candidate="new", reason="A twin: checked with the family"
    )
    assert new.status_code == 200
    issued = re.search(r"A new learner was registered, with ULN ([0-9]{10})", text_of(new.text))
    assert issued
    assert issued.group(1) != murphy
    assert "No rows are waiting for a person" in new.text

    out = output_rows(client, batch_id)
    assert [(r["ReturnCode"], r["ResultULN"]) for r in out] == [
        ("RC010", murphy),
        ("RC012", issued.group(1)),
    ]
    assert "exceptions queue (0 waiting)" in text_of(client.get(f"/batches/{batch_id}").text)


def test_a_row_someone_already_resolved_says_so(
    client: TestClient, make_user: UserFactory, make_org: OrgFactory, db: Database
) -> None:
    actor, _ = make_org("provider")
    user = make_user("admin", ukprn=actor.ukprn)
    sign_in(client, user)
    batch_id, murphy = batch_with_exceptions(client, db, user, actor)
    path = f"/batches/{batch_id}/exceptions/0"
    token = csrf(client.get(path).text)  # the page opened by both
    first = client.post(path, data={"csrf_token": token, "candidate": murphy})
    assert first.status_code == 200
    late = client.post(
        path, data={"csrf_token": token, "candidate": "new", "reason": "Not the same person"}
    )
    assert late.status_code == 409
    assert "Someone has already resolved this row" in late.text
    assert output_rows(client, batch_id)[0]["ReturnCode"] == "RC010"
    reopened = client.get(path)
    assert reopened.status_code == 409
    assert "This row is not waiting for a person" in reopened.text
    assert client.get(f"/batches/{batch_id}/exceptions/7").status_code == 404  # no such row
    assert client.get(f"/batches/{batch_id}/exceptions/x").status_code == 404


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


@pytest.mark.parametrize("name", ["spring intake.csv", 'Nguyễn\'s "file".csv'])
def test_the_output_file_name_survives_any_characters(
    client: TestClient, make_user: UserFactory, name: str
) -> None:
    user = make_user()
    sign_in(client, user)
    batch_id = batch_id_of(upload(client, name, _plain([learner_row(1)])))
    r = client.get(f"/batches/{batch_id}/output")
    assert r.status_code == 200
    disposition = r.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="')
    if name.isascii() and '"' not in name:
        assert disposition == f'attachment; filename="{name[:-4]}_output.csv"'
    else:
        assert "filename*=UTF-8''" in disposition
