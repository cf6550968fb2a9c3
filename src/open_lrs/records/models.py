"""The catalogue of qualifications and units, learners' learning events and data challenges.

Events are append-only. A correction, or a final result after a provisional one, is a new row
that supersedes the old; the old row keeps its content and only gains the time it was
superseded, so a learner's history shows both.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from open_lrs.core.clock import utcnow
from open_lrs.core.db import Base, BigIntPK, UTCDateTime

QUALIFICATION, UNIT = "qualification", "unit"


class CatalogueEntry(Base):
    """One version of a qualification or unit. Reloading the catalogue adds a version when an
    entry changes; events keep pointing at the version they were loaded with."""

    __tablename__ = "catalogue_entries"
    __table_args__ = (
        UniqueConstraint("code", "version"),
        Index(
            "ix_catalogue_entries_current_code",
            "code",
            unique=True,
            sqlite_where=text("current = 1"),
            postgresql_where=text("current"),
        ),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    code: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer)
    current: Mapped[bool] = mapped_column(Boolean)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(255))
    qualification_type: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(2))
    credits: Mapped[int | None] = mapped_column(Integer)
    guided_learning_hours: Mapped[int | None] = mapped_column(Integer)
    awarding_organisation_code: Mapped[str | None] = mapped_column(String(20))
    awarding_organisation_name: Mapped[str | None] = mapped_column(String(200))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LearningEvent(Base):
    __tablename__ = "learning_events"
    __table_args__ = (
        Index(
            "ix_learning_events_current_key",
            "source",
            "organisation_id",
            "record_key",
            unique=True,
            sqlite_where=text("superseded_at IS NULL"),
            postgresql_where=text("superseded_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), index=True)
    feed_load_id: Mapped[int] = mapped_column(ForeignKey("feed_loads.id"), index=True)
    source: Mapped[str] = mapped_column(String(8))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    record_key: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(16))
    catalogue_entry_id: Mapped[int] = mapped_column(ForeignKey("catalogue_entries.id"))
    subject_code: Mapped[str] = mapped_column(String(20))
    subject_title: Mapped[str] = mapped_column(String(255))
    qualification_type: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(2))
    credits: Mapped[int | None] = mapped_column(Integer)
    grade: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(1))
    awarding_organisation_ukprn: Mapped[str | None] = mapped_column(String(8))
    awarding_organisation_name: Mapped[str | None] = mapped_column(String(200))
    provider_ukprn: Mapped[str | None] = mapped_column(String(8))
    award_date: Mapped[date | None] = mapped_column(Date)
    participation_start: Mapped[date | None] = mapped_column(Date)
    participation_end: Mapped[date | None] = mapped_column(Date)
    language: Mapped[str | None] = mapped_column(String(35))
    collection_type: Mapped[str | None] = mapped_column(String(8))
    return_number: Mapped[str | None] = mapped_column(String(8))
    content_hash: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("learning_events.id"))
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DataChallenge(Base):
    """A dispute of an event, open until the organisation that sent it confirms or corrects."""

    __tablename__ = "data_challenges"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("learning_events.id"), index=True)
    raised_by_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    raised_by: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolution: Mapped[str | None] = mapped_column(String(16))
    resolution_note: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
