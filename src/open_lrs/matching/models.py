"""What matching keeps in the database: each learner's blocking keys and how common names are."""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from open_lrs.core.db import Base, BigIntPK

# The name under which a field's total number of learners is kept in ``name_frequencies``.
TOTAL = ""


class LearnerMatchKey(Base):
    """One blocking key of one learner (``matching.blocking``). The primary key (key, learner)
    is the index a search reads; on SQLite the table is that index (WITHOUT ROWID)."""

    __tablename__ = "learner_match_keys"
    __table_args__ = {"sqlite_with_rowid": False}  # noqa: RUF012

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    learner_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("learners.id"), primary_key=True, autoincrement=False, index=True
    )


class NameFrequency(Base):
    """How many active learners have a forename (first given name) or family name, folded,
    and whose forename starts with each of its first 2 to 6 letters (field
    ``forename_start``); the row named ``TOTAL`` holds the number counted. Rebuilt by
    ``lrs match frequencies``."""

    __tablename__ = "name_frequencies"

    field: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(70), primary_key=True)
    learners: Mapped[int] = mapped_column(Integer)
