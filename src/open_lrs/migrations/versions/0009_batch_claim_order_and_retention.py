"""batches: rows claimed by date of birth; personal data erased after the retention period

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 01:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import open_lrs.core.db

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("erased_at", open_lrs.core.db.UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("batch_rows", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claim_order", sa.Integer(), nullable=True))
    # Rows already queued keep being claimed in file order.
    rows = sa.table("batch_rows", sa.column("claim_order", sa.Integer()), sa.column("position"))
    op.execute(rows.update().values(claim_order=rows.c.position))
    with op.batch_alter_table("batch_rows", schema=None) as batch_op:
        batch_op.alter_column("claim_order", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_index("ix_batch_rows_claim")
        batch_op.create_index(
            "ix_batch_rows_claim", ["batch_id", "state", "claim_order"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("batch_rows", schema=None) as batch_op:
        batch_op.drop_index("ix_batch_rows_claim")
        batch_op.create_index(
            "ix_batch_rows_claim", ["batch_id", "state", "position"], unique=False
        )
        batch_op.drop_column("claim_order")
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.drop_column("erased_at")
