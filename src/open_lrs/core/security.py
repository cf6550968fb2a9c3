"""API keys and passwords.

API keys are 256-bit random secrets, so a fast SHA-256 digest is as safe to store as a slow
password hash and costs microseconds per request; only the digest and a short public prefix
(used to find the row) are stored. Passwords, which people choose, use Argon2id.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError

KEY_SCHEME = "lrs"
PREFIX_BYTES = 6


@dataclass(frozen=True)
class NewApiKey:
    plaintext: str
    prefix: str
    digest: str


@dataclass(frozen=True)
class Actor:
    """Who is calling: the organisation, and the key or user acting for it."""

    organisation_id: int
    organisation_kind: str
    ukprn: str
    api_key_id: int | None = None
    user_id: int | None = None
    user_label: str | None = None
    # A portal user's role (organisations.permissions.Role), which narrows what the kind allows.
    role: str | None = None

    @property
    def label(self) -> str:
        """Who acted, in words, for a record that a person reads (never a secret)."""
        if self.user_label:
            return self.user_label
        if self.api_key_id is not None:
            return f"API key {self.api_key_id} of UKPRN {self.ukprn}"
        return f"UKPRN {self.ukprn}"


def digest_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def new_api_key() -> NewApiKey:
    prefix = secrets.token_hex(PREFIX_BYTES)
    plaintext = f"{KEY_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    return NewApiKey(plaintext=plaintext, prefix=prefix, digest=digest_key(plaintext))


def split_key(plaintext: str) -> str | None:
    """The lookup prefix of a well-formed key, or None for anything else."""
    parts = plaintext.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_SCHEME or len(parts[1]) != PREFIX_BYTES * 2:
        return None
    return parts[1]


def key_matches(plaintext: str, stored_digest: str) -> bool:
    return hmac.compare_digest(digest_key(plaintext), stored_digest)


_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, stored_hash: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except VerificationError:
        return False
