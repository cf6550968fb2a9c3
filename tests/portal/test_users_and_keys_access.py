"""The Users and API keys screens are an administrator's, for their own organisation only:
refused to registrars and viewers, not found to other organisations, and never without the
form's CSRF token."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from open_lrs.core.db import Database
from open_lrs.organisations import service
from open_lrs.organisations.models import ApiKey, User
from tests.portal.conftest import PortalUser, UserFactory, csrf, sign_in
from tests.portal.users_and_keys_helpers import another_browser, stored, user_id

# Every page and form of these screens: those of the lists, of one user, of one key.
LIST_PAGES = ["/users", "/users/invite", "/api-keys", "/api-keys/new"]
LIST_FORMS = ["/users/invite", "/api-keys/new"]


def user_pages(ref: int) -> list[str]:
    return [f"/users/{ref}", f"/users/{ref}/deactivate", f"/users/{ref}/reset-sign-in"]


def user_forms(ref: int) -> list[str]:
    return [
        f"/users/{ref}/{what}" for what in ("role", "deactivate", "reactivate", "reset-sign-in")
    ]


def key_page(ref: int) -> str:
    return f"/api-keys/{ref}/revoke"


def _pages(user_ref: int, key_ref: int) -> tuple[list[str], list[str]]:
    gets = [*LIST_PAGES, *user_pages(user_ref), key_page(key_ref)]
    posts = [*LIST_FORMS, *user_forms(user_ref), key_page(key_ref)]
    return gets, posts


FORM = {"email": "new.person@example.org", "display_name": "New", "role": "viewer", "name": "K"}


def _nothing_changed(db: Database, target: PortalUser, key_id: int, keys_before: int) -> None:
    person = stored(db, target.email)
    assert person.active
    assert person.role == target.role
    assert person.totp_secret is not None
    with db.unit_of_work() as uow:
        key = uow.session.get(ApiKey, key_id)
        assert key is not None
        assert key.revoked_at is None
        assert len(uow.session.scalars(select(ApiKey.id)).all()) == keys_before
        assert uow.session.scalar(select(User.id).where(User.email == FORM["email"])) is None


def _key_of(db: Database, ukprn: str) -> int:
    return service.list_keys(db.unit_of_work(), ukprn=ukprn)[0].id


def _count_keys(db: Database) -> int:
    with db.unit_of_work() as uow:
        return len(uow.session.scalars(select(ApiKey.id)).all())


@pytest.mark.parametrize("role", ["registrar", "viewer"])
def test_registrars_and_viewers_cannot_manage_users_or_keys(
    client: TestClient, make_user: UserFactory, db: Database, role: str
) -> None:
    admin = make_user("admin")
    sign_in(another_browser(client), admin)  # so that their authenticator is set up
    someone = make_user(role, ukprn=admin.ukprn)
    sign_in(client, someone)
    home = client.get("/").text
    assert 'href="/users"' not in home
    assert 'href="/api-keys"' not in home
    key_id = _key_of(db, admin.ukprn)
    keys_before = _count_keys(db)
    token = csrf(home)
    gets, posts = _pages(user_id(db, admin.email), key_id)
    for path in gets:
        r = client.get(path)
        assert r.status_code == 403, path
        assert "You cannot do this" in r.text
    for path in posts:
        r = client.post(path, data={"csrf_token": token, **FORM})
        assert r.status_code == 403, path
        assert "You cannot do this" in r.text
    _nothing_changed(db, admin, key_id, keys_before)


def test_another_organisations_admin_gets_not_found_and_sees_nothing_of_it(
    client: TestClient, make_user: UserFactory, db: Database
) -> None:
    theirs = make_user("admin")
    sign_in(another_browser(client), theirs)
    their_colleague = make_user("viewer", ukprn=theirs.ukprn)
    their_key = service.list_keys(db.unit_of_work(), ukprn=theirs.ukprn)[0]
    admin = make_user("admin")
    sign_in(client, admin)
    keys_before = _count_keys(db)
    user_list = client.get("/users").text
    assert theirs.email not in user_list
    assert their_colleague.email not in user_list
    key_list = client.get("/api-keys").text
    assert their_key.prefix not in key_list
    token = csrf(client.get("/").text)
    for target in (theirs, their_colleague):
        for path in user_pages(user_id(db, target.email)):
            r = client.get(path)
            assert r.status_code == 404, path
            assert "Page not found" in r.text
            assert target.email not in r.text
        for path in user_forms(user_id(db, target.email)):
            r = client.post(path, data={"csrf_token": token, "role": "viewer"})
            assert r.status_code == 404, path
    r = client.get(key_page(their_key.id))
    assert r.status_code == 404
    assert "Page not found" in r.text
    r = client.post(key_page(their_key.id), data={"csrf_token": token})
    assert r.status_code == 404
    _nothing_changed(db, theirs, their_key.id, keys_before)
    colleague = stored(db, their_colleague.email)
    assert colleague.active
    assert colleague.role == "viewer"
    assert not colleague.password_change_required  # their sign-in was not reset


def test_ids_that_cannot_be_ids_are_not_found(client: TestClient, make_user: UserFactory) -> None:
    sign_in(client, make_user("admin"))
    for path in ("/users/abc", "/users/-1", "/users/99999999999999999999", "/api-keys/x/revoke"):
        r = client.get(path)
        assert r.status_code == 404, path
        assert "Page not found" in r.text


def test_the_forms_need_their_csrf_token(
    client: TestClient, make_user: UserFactory, db: Database
) -> None:
    admin = make_user("admin")
    other = make_user("registrar", ukprn=admin.ukprn)
    sign_in(another_browser(client), other)
    sign_in(client, admin)
    key_id = _key_of(db, admin.ukprn)
    keys_before = _count_keys(db)
    _, posts = _pages(user_id(db, other.email), key_id)
    for path in posts:
        for data in ({**FORM}, {"csrf_token": "forged", **FORM}):
            r = client.post(path, data=data)
            assert r.status_code == 400, path
            assert "Your form has expired" in r.text
    _nothing_changed(db, other, key_id, keys_before)
