from __future__ import annotations

from pathlib import Path

from open_lrs.core.logging import MASK, mask_pii, mask_text
from open_lrs.core.security import (
    digest_key,
    hash_password,
    key_matches,
    new_api_key,
    split_key,
    verify_password,
)
from open_lrs.organisations.docs import permissions_markdown
from open_lrs.organisations.permissions import MATRIX, Action, Kind, is_allowed

ROOT = Path(__file__).resolve().parents[3]


def test_mask_pii_masks_personal_keys_and_uln_runs() -> None:
    event = {
        "event": "x",
        "given_name": "Siân",
        "path": "/api/v1/learners/1234567899/history",
        "nested": {"postcode": "SW1A 1AA", "count": 3},
        "list": ["5000000012", 7],
        "count": 2,
    }
    out = mask_pii(None, "info", dict(event))
    assert out["given_name"] == MASK
    assert out["path"] == "/api/v1/learners/**********/history"
    assert out["nested"] == {"postcode": MASK, "count": 3}
    assert out["list"] == ["**********", 7]
    assert out["count"] == 2
    assert mask_text("id 12345678901 stays") == "id 12345678901 stays"


def test_api_keys_are_random_and_only_their_digest_matches() -> None:
    a, b = new_api_key(), new_api_key()
    assert a.plaintext != b.plaintext
    assert a.prefix != b.prefix
    assert split_key(a.plaintext) == a.prefix
    assert a.digest == digest_key(a.plaintext)
    assert a.plaintext not in a.digest
    assert key_matches(a.plaintext, a.digest)
    assert not key_matches(b.plaintext, a.digest)
    for bad in ("", "lrs_", "lrs_short_x", "abc_" + a.prefix + "_x", a.prefix):
        assert split_key(bad) is None


def test_passwords_use_argon2() -> None:
    stored = hash_password("correct horse battery staple")
    assert stored.startswith("$argon2id$")
    assert verify_password("correct horse battery staple", stored)
    assert not verify_password("wrong", stored)


def test_permission_matrix() -> None:
    assert is_allowed("university", Action.LEARNER_VERIFY)
    assert not is_allowed("university", Action.LEARNER_REGISTER)
    assert not is_allowed("university", Action.LEARNER_READ)
    assert not is_allowed("no-such-kind", Action.LEARNER_VERIFY)
    assert MATRIX[Kind.ADMIN] == frozenset(Action)
    for kind in Kind:
        assert Action.LEARNER_VERIFY in MATRIX[kind]
        if kind is not Kind.ADMIN:
            assert Action.LEARNER_MERGE not in MATRIX[kind]
            assert Action.AUDIT_READ not in MATRIX[kind]


def test_permissions_doc_is_generated_from_the_matrix() -> None:
    assert (ROOT / "docs" / "permissions.md").read_text(encoding="utf-8") == permissions_markdown()
