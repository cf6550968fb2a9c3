"""Each load from a feed, with its report, and the records a person must match to a learner."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from open_lrs.core.clock import utcnow
from open_lrs.core.db import Base, BigIntPK, UTCDateTime

# Feed exception states.
OPEN, RESOLVED, DISMISSED = "open", "resolved", "dismissed"


class FeedLoad(Base):
    """One file, or one API call, loaded from a feed, with its report."""

    __tablename__ = "feed_loads"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    source: Mapped[str] = mapped_column(String(8))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    user_label: Mapped[str | None] = mapped_column(String(100))
    file_name: Mapped[str | None] = mapped_column(String(255))
    sha256: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    counts: Mapped[dict[str, int]] = mapped_column(JSON)
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)


class FeedException(Base):
    """An award whose learner the machine could not settle: it waits for a person to choose the
    learner (or dismiss it). Holds the identity the feed gave, which is personal data, so it is
    shown only to the organisation that sent it and to administrators."""

    __tablename__ = "feed_exceptions"
    __table_args__ = (
        Index(
            "ix_feed_exceptions_open_key",
            "source",
            "organisation_id",
            "record_key",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    feed_load_id: Mapped[int] = mapped_column(ForeignKey("feed_loads.id"), index=True)
    source: Mapped[str] = mapped_column(String(8))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    record_key: Mapped[str] = mapped_column(String(160))
    line: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    award: Mapped[dict[str, Any]] = mapped_column(JSON)
    candidate_ulns: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    resolved_learner_id: Mapped[int | None] = mapped_column(ForeignKey("learners.id"))
    resolution_reason: Mapped[str | None] = mapped_column(Text)
