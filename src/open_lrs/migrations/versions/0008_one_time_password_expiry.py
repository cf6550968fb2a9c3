"""users: one-time passwords expire; room for sealed authenticator secrets

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
        # A sealed secret (core/sealing.py) is longer than the 32 characters of a plain one.
        batch_op.alter_column(
            "totp_secret", existing_type=sa.String(64), type_=sa.String(255), nullable=True
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
    # The release before cannot open a sealed secret: those users set up their app again.
    users = sa.table("users", sa.column("totp_secret", sa.String(255)))
    op.execute(users.update().where(users.c.totp_secret.like("v1.%")).values(totp_secret=None))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column(
            "totp_secret", existing_type=sa.String(255), type_=sa.String(64), nullable=True
        )
        batch_op.drop_column("password_expires_at")
