"""The second factor of signing in to the portal: an authenticator app's codes, or one of
ten recovery codes. No database: ``auth`` keeps what these make, and asks these questions as a
sign-in moves through its stages.

An authenticator's secret is sealed at rest with a key derived from LRS_SECRET_KEY
(core/sealing.py); a code works once (its time step must come after the last one used);
recovery codes are random enough that a fast digest is safe to keep, like API keys.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

import pyotp

from open_lrs.core import sealing
from open_lrs.core.clock import utcnow
from open_lrs.core.settings import Settings

ISSUER = "Open LRS"
TOTP_PURPOSE = "totp-secret"  # authenticator secrets are sealed at rest (core/sealing.py)
RECOVERY_CODES = 10
TOTP_STEP_SECONDS = 30


def seal_totp_secret(settings: Settings, secret: str) -> str:
    """An authenticator secret as it is stored."""
    return sealing.seal(secret, settings.secret_key.get_secret_value(), TOTP_PURPOSE)


def unseal_totp_secret(settings: Settings, stored: str) -> str:
    return sealing.unseal(stored, settings.secret_key.get_secret_value(), TOTP_PURPOSE)


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def matching_step(secret: str, code: str, last_step: int | None) -> int | None:
    """The time step whose code ``code`` is (this one or either neighbour, for clock drift),
    provided it is later than the last one used: a code works once."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now_step = int(utcnow().timestamp()) // TOTP_STEP_SECONDS
    for step in (now_step - 1, now_step, now_step + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def recovery_digest(code: str) -> str:
    return hashlib.sha256("".join(code.split()).replace("-", "").lower().encode()).hexdigest()


def new_recovery_codes() -> list[str]:
    """Ten codes of 80 random bits each, in groups a person can copy: like API keys, random
    enough that a fast digest is safe to keep."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(alphabet) for _ in range(16))
        codes.append("-".join(raw[i : i + 4] for i in range(0, 16, 4)))
    return codes
