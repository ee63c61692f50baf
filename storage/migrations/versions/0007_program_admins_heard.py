"""who hears a program: the person who configured it, and the workspace's admins from users.list

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("configured_by_user_id", sa.String(length=32), nullable=True))
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("workspace_admin", sa.Boolean(), server_default=sa.text("false"), nullable=False)
        )
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.add_column(sa.Column("admins_checked_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.drop_column("admins_checked_at")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("workspace_admin")
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.drop_column("configured_by_user_id")
