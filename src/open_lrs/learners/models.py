"""The learner record, its change history and the merges between ULNs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from open_lrs.core.clock import utcnow
from open_lrs.core.db import Base, BigIntPK, UTCDateTime

ACTIVE = "active"
LINKED = "linked"

# The personal fields a caller may set, in LRS order. One list, used by the API schemas, the
# importer and the history so that a new field is added in one place.
PERSONAL_FIELDS: tuple[str, ...] = (
    "title",
    "given_name",
    "middle_other_name",
    "family_name",
    "preferred_given_name",
    "previous_family_name",
    "family_name_at_age_16",
    "date_of_birth",
    "place_of_birth",
    "gender",
    "address_line_1",
    "address_line_2",
    "address_town",
    "address_county_or_city",
    "postcode",
    "date_of_address_capture",
    "school_at_age_16",
    "email",
    "nationality",
    "scottish_candidate_number",
    "verification_type",
    "other_verification_description",
    "ability_to_share",
    "notes",
)


class Learner(Base):
    __tablename__ = "learners"
    __table_args__ = (Index("ix_learners_dob_family_key", "date_of_birth", "family_name_key"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    uln: Mapped[str] = mapped_column(String(10), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=ACTIVE)
    master_id: Mapped[int | None] = mapped_column(ForeignKey("learners.id"), index=True)

    title: Mapped[str | None] = mapped_column(String(35))
    given_name: Mapped[str] = mapped_column(String(35))
    middle_other_name: Mapped[str | None] = mapped_column(String(35))
    family_name: Mapped[str] = mapped_column(String(35))
    preferred_given_name: Mapped[str | None] = mapped_column(String(35))
    previous_family_name: Mapped[str | None] = mapped_column(String(35))
    family_name_at_age_16: Mapped[str | None] = mapped_column(String(35))
    date_of_birth: Mapped[date] = mapped_column(Date)
    place_of_birth: Mapped[str | None] = mapped_column(String(35))
    gender: Mapped[str] = mapped_column(String(1))
    address_line_1: Mapped[str | None] = mapped_column(String(50))
    address_line_2: Mapped[str | None] = mapped_column(String(50))
    address_town: Mapped[str | None] = mapped_column(String(50))
    address_county_or_city: Mapped[str | None] = mapped_column(String(50))
    postcode: Mapped[str] = mapped_column(String(9))
    date_of_address_capture: Mapped[date | None] = mapped_column(Date)
    school_at_age_16: Mapped[str | None] = mapped_column(String(254))
    email: Mapped[str | None] = mapped_column(String(254))
    nationality: Mapped[str | None] = mapped_column(String(3))
    scottish_candidate_number: Mapped[str | None] = mapped_column(String(9))
    verification_type: Mapped[str | None] = mapped_column(String(3))
    other_verification_description: Mapped[str | None] = mapped_column(String(255))
    ability_to_share: Mapped[str | None] = mapped_column(String(1))
    notes: Mapped[str | None] = mapped_column(Text)

    # Folded comparison keys (never shown): the duplicate check and, later, matching use them.
    given_name_key: Mapped[str] = mapped_column(String(70))
    family_name_key: Mapped[str] = mapped_column(String(70))

    version: Mapped[int] = mapped_column(Integer, default=1)
    registered_by_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    def personal_data(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in PERSONAL_FIELDS}


class LearnerHistory(Base):
    """One row per change to a learner: who, when, and each field's old and new value."""

    __tablename__ = "learner_history"
    __table_args__ = (UniqueConstraint("learner_id", "version"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    user_label: Mapped[str | None] = mapped_column(String(100))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)


class LearnerMerge(Base):
    """A merge of ``linked`` into ``master``, and its undoing."""

    __tablename__ = "learner_merges"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    master_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), index=True)
    linked_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), index=True)
    # Learners that were linked to ``linked`` and were re-pointed to ``master``.
    carried_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(Text)
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    merged_by_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    unmerged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    unmerged_by_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    unmerge_reason: Mapped[str | None] = mapped_column(Text)
