"""the outbox carries every unprompted message: when its occasion passes, and which are waiting

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A message still unsent at `expires_at` is no longer worth sending (a reminder for a passed
    # deadline); until then a transient Slack refusal is retried, never dropped.
    op.add_column("outbox", sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    # A group DM of three ("users:" and three Slack ids) is longer than one Slack id. On SQLite the
    # batch rebuilds `outbox`, which no other table refers to.
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column(
            "channel",
            type_=sa.String(length=200),
            existing_type=sa.String(length=32),
            existing_nullable=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column(
            "channel",
            type_=sa.String(length=32),
            existing_type=sa.String(length=200),
            existing_nullable=False,
        )
    op.drop_column("outbox", "expires_at")
