"""re-file every learner under the blocking keys of version 3 (family + given + year and
month, and + year and day, instead of family + given + birth year, whose blocks held hundreds
of learners with a common name at national scale)

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

from alembic import op

from open_lrs.matching import store

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    store.rebuild_keys(op.get_bind())


def downgrade() -> None:
    """Re-file under the version-2 keys needs the version-2 code: restore it, then run
    ``lrs match reindex``. Until then searches with a wrong day or month may miss learners."""
