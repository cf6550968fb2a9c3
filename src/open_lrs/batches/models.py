"""Batches and their rows: the work queue lives in the register's own database.

A batch is queued whole when its file is accepted; workers then claim its pending rows a chunk
at a time and record each row's outcome in the same transaction as the registrations it made,
so a worker killed half-way loses nothing and repeats nothing: the chunk it held is rolled back
and claimed again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from open_lrs.core.db import Base, BigIntPK, UTCDateTime

# Batch kinds and sources.
REGISTRATION, VERIFICATION = "registration", "verification"
FILE, WEB_SERVICE = "file", "web_service"
# Job types as the LRS web service names them: FUL registers, CHK only looks learners up.
FULL, CHECK = "FUL", "CHK"

# Batch statuses.
QUEUED, RUNNING, COMPLETE = "queued", "running", "complete"
# Row states: waiting for a worker, answered, or waiting for a person (an exception).
PENDING, DONE, EXCEPTION = "pending", "done", "exception"


class Batch(Base):
    __tablename__ = "batches"
    __table_args__ = (
        Index("ix_batches_runnable", "status", "run_after"),
        Index("ix_batches_organisation_sha256", "organisation_id", "sha256"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    user_label: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))
    job_type: Mapped[str] = mapped_column(String(3))
    file_name: Mapped[str | None] = mapped_column(String(255))
    file_format: Mapped[str | None] = mapped_column(String(8))
    file_version: Mapped[str | None] = mapped_column(String(50))
    sha256: Mapped[str | None] = mapped_column(String(64))
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"))
    status: Mapped[str] = mapped_column(String(16))
    row_count: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    run_after: Mapped[datetime] = mapped_column(UTCDateTime)
    run_reason: Mapped[str] = mapped_column(String(300), default="now")
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the personal data submitted in the rows was erased (``retention``).
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class BatchRow(Base):
    __tablename__ = "batch_rows"
    __table_args__ = (
        UniqueConstraint("batch_id", "position"),
        Index("ix_batch_rows_claim", "batch_id", "state", "claim_order"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"))
    position: Mapped[int] = mapped_column(Integer)
    # Workers claim rows in this order: by date of birth (``processing.claim_orders``).
    claim_order: Mapped[int] = mapped_column(Integer)
    line: Mapped[int | None] = mapped_column(Integer)
    mis_identifier: Mapped[str | None] = mapped_column(String(50))
    # The row as submitted: cells by our field names, strings as they were in the file.
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default=PENDING)
    return_code: Mapped[str | None] = mapped_column(String(10))
    message: Mapped[str | None] = mapped_column(String(500))
    uln: Mapped[str | None] = mapped_column(String(10))
    learner_id: Mapped[int | None] = mapped_column(ForeignKey("learners.id"))
    # Possible matches' ULNs for an exception; verification flags for a verify batch.
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(100))
