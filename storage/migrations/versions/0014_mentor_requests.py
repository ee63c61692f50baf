"""mentor requests: mentees ask a mentor; programs say how pairs are made

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_REQUEST = "status IN ('pending', 'approving')"
STATUSES = "status IN ('pending', 'approving', 'accepted', 'declined', 'withdrawn', 'expired')"


def upgrade() -> None:
    op.add_column(
        "programs", sa.Column("pairing_mode", sa.String(length=20), server_default="admins", nullable=False)
    )
    op.add_column("programs", sa.Column("request_days", sa.Integer(), server_default="3", nullable=False))
    op.create_table(
        "mentor_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("mentee_id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decline_reason", sa.Text(), nullable=True),
        sa.Column("pair_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(STATUSES, name=op.f("ck_mentor_requests_status")),
        sa.CheckConstraint("mentor_id <> mentee_id", name=op.f("ck_mentor_requests_not_self")),
        sa.ForeignKeyConstraint(
            ["mentee_id"], ["people.id"], name=op.f("fk_mentor_requests_mentee_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["mentor_id"], ["people.id"], name=op.f("fk_mentor_requests_mentor_id_people")
        ),
        sa.ForeignKeyConstraint(["pair_id"], ["pairs.id"], name=op.f("fk_mentor_requests_pair_id_pairs")),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name=op.f("fk_mentor_requests_program_id_programs")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["workspaces.team_id"], name=op.f("fk_mentor_requests_team_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentor_requests")),
    )
    op.create_index(op.f("ix_mentor_requests_program_id"), "mentor_requests", ["program_id"], unique=False)
    op.create_index(op.f("ix_mentor_requests_mentor_id"), "mentor_requests", ["mentor_id"], unique=False)
    op.create_index(
        "ix_mentor_requests_status_expires_at", "mentor_requests", ["status", "expires_at"], unique=False
    )
    op.create_index(
        "uq_mentor_requests_one_open",
        "mentor_requests",
        ["program_id", "mentee_id"],
        unique=True,
        sqlite_where=sa.text(OPEN_REQUEST),
        postgresql_where=sa.text(OPEN_REQUEST),
    )


def downgrade() -> None:
    op.drop_table("mentor_requests")
    with op.batch_alter_table("programs") as batch_op:
        batch_op.drop_column("request_days")
        batch_op.drop_column("pairing_mode")
