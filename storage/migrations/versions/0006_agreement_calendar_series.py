"""agreements: the calendar series' UID and sequence

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("calendar_uid", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("calendar_sequence", sa.Integer(), server_default="0", nullable=False))
    # Files shared before this carried the UID pair-<id>@mentorbot: keeping it for those agreements
    # lets their next file update the series people already have instead of adding a second one.
    op.execute("UPDATE agreements SET calendar_uid = 'pair-' || CAST(pair_id AS VARCHAR) || '@mentorbot'")
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.alter_column("calendar_uid", existing_type=sa.String(length=255), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.drop_column("calendar_sequence")
        batch_op.drop_column("calendar_uid")
