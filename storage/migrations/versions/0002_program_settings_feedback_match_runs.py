"""programs settings, pair feedback, match runs

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "match_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("created_by_user_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name=op.f("fk_match_runs_program_id_programs")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["workspaces.team_id"], name=op.f("fk_match_runs_team_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_runs")),
    )
    with op.batch_alter_table("match_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_match_runs_program_id"), ["program_id"], unique=False)

    op.create_table(
        "match_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("mentee_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('proposed', 'confirmed', 'dropped')", name=op.f("ck_match_proposals_status")
        ),
        sa.ForeignKeyConstraint(
            ["mentee_id"], ["people.id"], name=op.f("fk_match_proposals_mentee_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["mentor_id"], ["people.id"], name=op.f("fk_match_proposals_mentor_id_people")
        ),
        sa.ForeignKeyConstraint(["pair_id"], ["pairs.id"], name=op.f("fk_match_proposals_pair_id_pairs")),
        sa.ForeignKeyConstraint(
            ["run_id"], ["match_runs.id"], name=op.f("fk_match_proposals_run_id_match_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_proposals")),
        sa.UniqueConstraint("run_id", "mentee_id", name=op.f("uq_match_proposals_run_id_mentee_id")),
    )
    with op.batch_alter_table("match_proposals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_match_proposals_run_id"), ["run_id"], unique=False)

    op.create_table(
        "pair_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("rating >= 1 AND rating <= 5", name=op.f("ck_pair_feedback_rating")),
        sa.ForeignKeyConstraint(["pair_id"], ["pairs.id"], name=op.f("fk_pair_feedback_pair_id_pairs")),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_pair_feedback_person_id_people")),
        sa.ForeignKeyConstraint(
            ["team_id"], ["workspaces.team_id"], name=op.f("fk_pair_feedback_team_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pair_feedback")),
        sa.UniqueConstraint("pair_id", "person_id", name=op.f("uq_pair_feedback_pair_id_person_id")),
    )
    with op.batch_alter_table("pair_feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pair_feedback_pair_id"), ["pair_id"], unique=False)

    with op.batch_alter_table("pairs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ended_by_user_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("dm_channel_id", sa.String(length=32), nullable=True))

    with op.batch_alter_table("programs", schema=None) as batch_op:
        # Existing programs start with an empty skill list, no extra admins and every two weeks.
        batch_op.add_column(sa.Column("skills", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch_op.add_column(
            sa.Column("admin_user_ids", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.add_column(
            sa.Column("default_cadence", sa.String(length=10), nullable=False, server_default="biweekly")
        )


def downgrade() -> None:
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.drop_column("default_cadence")
        batch_op.drop_column("admin_user_ids")
        batch_op.drop_column("skills")

    with op.batch_alter_table("pairs", schema=None) as batch_op:
        batch_op.drop_column("dm_channel_id")
        batch_op.drop_column("ended_by_user_id")

    with op.batch_alter_table("pair_feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pair_feedback_pair_id"))

    op.drop_table("pair_feedback")
    with op.batch_alter_table("match_proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_match_proposals_run_id"))

    op.drop_table("match_proposals")
    with op.batch_alter_table("match_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_match_runs_program_id"))

    op.drop_table("match_runs")
