"""who hears a program: the person who configured it, and the workspace's admins from users.list

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN: on SQLite a batch would rebuild `people`, which rows elsewhere refer to.
    op.add_column("programs", sa.Column("configured_by_user_id", sa.String(length=32), nullable=True))
    op.add_column(
        "people", sa.Column("workspace_admin", sa.Boolean(), server_default=sa.text("false"), nullable=False)
    )
    op.add_column("workspaces", sa.Column("admins_checked_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("workspaces", "admins_checked_at")
    op.drop_column("people", "workspace_admin")
    op.drop_column("programs", "configured_by_user_id")
