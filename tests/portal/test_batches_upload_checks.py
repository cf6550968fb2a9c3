"""Uploading a batch file through the portal: refused whole with every problem named, for
another UKPRN, missing, empty, too large, a duplicate, or without the form's CSRF token."""

from __future__ import annotations

from fastapi.testclient import TestClient

from open_lrs.app import create_app
from open_lrs.core.db import Database
from open_lrs.core.settings import Settings
from tests.batch_files import learner_row, lrs_file, lrs_name
from tests.conftest import OrgFactory
from tests.portal.batch_screens import batch_id_of, batches_of, text_of, upload
from tests.portal.conftest import UserFactory, csrf, error_summary, sign_in


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
