"""Secrets the service must read back (an authenticator's TOTP key) kept sealed at rest: AES-256
in GCM mode under a key derived from LRS_SECRET_KEY with HKDF-SHA256, one derived key per
purpose. A copy of the database, or a backup, without the secret key opens none of them.

A sealed value is ``v1.`` and the URL-safe base64 of a 96-bit random nonce and the ciphertext
with its tag; the purpose is bound in as associated data, so a value cannot be moved from one
use to another. A value without the prefix was stored before sealing existed and is read as it
is (callers seal it again when they next use it).
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "v1."
NONCE_BYTES = 12


class SealBroken(Exception):
    """A sealed value that this secret key cannot open: sealed under another LRS_SECRET_KEY,
    or altered."""


def _cipher(secret_key: str, purpose: str) -> AESGCM:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=f"open-lrs|{purpose}".encode()
    ).derive(secret_key.encode("utf-8"))
    return AESGCM(key)


def seal(plaintext: str, secret_key: str, purpose: str) -> str:
    nonce = os.urandom(NONCE_BYTES)
    sealed = _cipher(secret_key, purpose).encrypt(nonce, plaintext.encode(), purpose.encode())
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def is_sealed(stored: str) -> bool:
    return stored.startswith(PREFIX)


def unseal(stored: str, secret_key: str, purpose: str) -> str:
    """The plaintext of a sealed value (or a value stored before sealing, as it is)."""
    if not is_sealed(stored):
        return stored
    try:
        raw = base64.urlsafe_b64decode(stored[len(PREFIX) :])
        nonce, sealed = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
        return _cipher(secret_key, purpose).decrypt(nonce, sealed, purpose.encode()).decode()
    except (InvalidTag, ValueError) as exc:
        raise SealBroken(f"a sealed {purpose} cannot be opened with this LRS_SECRET_KEY") from exc
