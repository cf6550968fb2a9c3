"""A staff user's signed-in session in the portal, kept on the server: the browser holds only
a random token. Kept with the users it belongs to, so that removing a user or resetting their
sign-in (``users``) ends their sessions; the portal (``portal.auth``) opens and moves them on."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from open_lrs.core.clock import utcnow
from open_lrs.core.db import Base, BigIntPK, UTCDateTime

# A session moves through these stages; only SIGNED_IN reaches the learner screens.
CHANGE_PASSWORD = "change_password"  # noqa: S105 (a stage name, not a password)
SET_UP_TOTP = "set_up_totp"
SECOND_FACTOR = "second_factor"
SIGNED_IN = "signed_in"


class PortalSession(Base):
    __tablename__ = "portal_sessions"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    # SHA-256 of the cookie's 256-bit token: a copy of the table opens nobody's session.
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    stage: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The answers of a journey in progress (a registration's pages), cleared when it ends.
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
