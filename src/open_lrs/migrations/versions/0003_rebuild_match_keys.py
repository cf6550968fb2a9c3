"""re-file every learner under the blocking keys of version 2 (adds family + given + day and
month, which survives any wrong year of birth, and given + postcode sector)

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing: 0004 re-files every learner under the current keys, and doing it here as well
    would only double the time a large register takes to upgrade."""


def downgrade() -> None:
    """The version-1 keys are a subset: the extra keys only add candidates. Nothing to undo."""
