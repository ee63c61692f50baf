"""goal start values and goal drafts

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
    with op.batch_alter_table("goals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("start_value", sa.Float(), server_default="0", nullable=False))

    op.create_table(
        "goal_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("view_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal_drafts")),
        sa.UniqueConstraint("team_id", "view_id", name=op.f("uq_goal_drafts_team_id_view_id")),
    )
    with op.batch_alter_table("goal_drafts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_goal_drafts_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("goal_drafts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_goal_drafts_created_at"))
    op.drop_table("goal_drafts")
    with op.batch_alter_table("goals", schema=None) as batch_op:
        batch_op.drop_column("start_value")
