"""users: one-time passwords expire

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 10:12:41.530219
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

import open_lrs.core.db

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "password_expires_at", open_lrs.core.db.UTCDateTime(timezone=True), nullable=True
            )
        )
    # One-time passwords given out before this release expire as a new one would: 7 days on.
    users = sa.table(
        "users",
        sa.column("password_change_required", sa.Boolean()),
        sa.column("password_expires_at", open_lrs.core.db.UTCDateTime(timezone=True)),
    )
    op.execute(
        users.update()
        .where(users.c.password_change_required == sa.true())
        .values(password_expires_at=datetime.now(UTC) + timedelta(days=7))
    )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("password_expires_at")
