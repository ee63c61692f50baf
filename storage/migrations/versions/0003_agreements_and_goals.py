"""agreements and goals

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("frequency", sa.String(length=10), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("local_time", sa.String(length=5), nullable=False),
        sa.Column("tz", sa.String(length=64), nullable=False),
        sa.Column("meeting_format", sa.String(length=10), nullable=False),
        sa.Column("location", sa.String(length=500), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("expectations", sa.Text(), nullable=True),
        sa.Column("saved_by_user_id", sa.String(length=32), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "frequency IN ('weekly', 'biweekly', 'monthly')", name=op.f("ck_agreements_frequency")
        ),
        sa.CheckConstraint("weekday >= 0 AND weekday <= 6", name=op.f("ck_agreements_weekday")),
        sa.ForeignKeyConstraint(["pair_id"], ["pairs.id"], name=op.f("fk_agreements_pair_id_pairs")),
        sa.ForeignKeyConstraint(
            ["team_id"], ["workspaces.team_id"], name=op.f("fk_agreements_team_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreements")),
        sa.UniqueConstraint("pair_id", name=op.f("uq_agreements_pair_id")),
    )
    op.create_table(
        "goals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("specific", sa.Text(), nullable=False),
        sa.Column("measure_kind", sa.String(length=10), nullable=False),
        sa.Column("target_value", sa.Float(), nullable=True),
        sa.Column("target_unit", sa.String(length=60), nullable=True),
        sa.Column("current_value", sa.Float(), nullable=False),
        sa.Column("attainable", sa.Text(), nullable=False),
        sa.Column("realistic", sa.Text(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("closing_note", sa.Text(), nullable=True),
        sa.Column("source_view_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("measure_kind IN ('target', 'milestones')", name=op.f("ck_goals_measure_kind")),
        sa.CheckConstraint(
            "status IN ('active', 'achieved', 'missed', 'dropped')", name=op.f("ck_goals_status")
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["people.id"], name=op.f("fk_goals_owner_id_people")),
        sa.ForeignKeyConstraint(["pair_id"], ["pairs.id"], name=op.f("fk_goals_pair_id_pairs")),
        sa.ForeignKeyConstraint(
            ["team_id"], ["workspaces.team_id"], name=op.f("fk_goals_team_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goals")),
        sa.UniqueConstraint("source_view_id", name=op.f("uq_goals_source_view_id")),
    )
    with op.batch_alter_table("goals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_goals_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_goals_pair_id"), ["pair_id"], unique=False)

    op.create_table(
        "goal_milestones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["goal_id"], ["goals.id"], name=op.f("fk_goal_milestones_goal_id_goals")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal_milestones")),
    )
    with op.batch_alter_table("goal_milestones", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_goal_milestones_goal_id"), ["goal_id"], unique=False)

    op.create_table(
        "goal_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("milestones_done", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["people.id"], name=op.f("fk_goal_updates_author_id_people")),
        sa.ForeignKeyConstraint(["goal_id"], ["goals.id"], name=op.f("fk_goal_updates_goal_id_goals")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal_updates")),
    )
    with op.batch_alter_table("goal_updates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_goal_updates_goal_id"), ["goal_id"], unique=False)

    op.create_table(
        "goal_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("update_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["people.id"], name=op.f("fk_goal_feedback_author_id_people")),
        sa.ForeignKeyConstraint(["goal_id"], ["goals.id"], name=op.f("fk_goal_feedback_goal_id_goals")),
        sa.ForeignKeyConstraint(
            ["update_id"], ["goal_updates.id"], name=op.f("fk_goal_feedback_update_id_goal_updates")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal_feedback")),
    )
    with op.batch_alter_table("goal_feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_goal_feedback_goal_id"), ["goal_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("goal_feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_goal_feedback_goal_id"))

    op.drop_table("goal_feedback")
    with op.batch_alter_table("goal_updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_goal_updates_goal_id"))

    op.drop_table("goal_updates")
    with op.batch_alter_table("goal_milestones", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_goal_milestones_goal_id"))

    op.drop_table("goal_milestones")
    with op.batch_alter_table("goals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_goals_pair_id"))
        batch_op.drop_index(batch_op.f("ix_goals_owner_id"))

    op.drop_table("goals")
    op.drop_table("agreements")
