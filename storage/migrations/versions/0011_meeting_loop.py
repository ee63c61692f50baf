"""the meeting loop: preparation, stages of a meeting's message, notes and action items

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STAGES = "stage IN ('prep', 'soon', 'checkin', 'skipped')"


def upgrade() -> None:
    # Plain ADD COLUMN throughout: on SQLite a batch would rebuild `pairs` and `checkins`, which
    # rows elsewhere refer to.
    op.add_column("pairs", sa.Column("next_meeting_at", sa.DateTime(timezone=True), nullable=True))
    # Until now a pair's card was posted at the meeting itself: the meeting due is the one it was for.
    op.execute("UPDATE pairs SET next_meeting_at = next_checkin_at")
    op.add_column("agreements", sa.Column("prep_days", sa.Integer(), server_default="1", nullable=False))
    op.add_column(
        "agreements", sa.Column("reminder_minutes", sa.Integer(), server_default="60", nullable=False)
    )
    if op.get_bind().dialect.name == "sqlite":
        # SQLite takes a CHECK only as part of the column it adds.
        op.execute(
            "ALTER TABLE checkins ADD COLUMN stage VARCHAR(10) DEFAULT 'checkin' NOT NULL "
            f"CONSTRAINT ck_checkins_stage CHECK ({STAGES})"
        )
    else:
        op.add_column(
            "checkins", sa.Column("stage", sa.String(length=10), server_default="checkin", nullable=False)
        )
        op.create_check_constraint(op.f("ck_checkins_stage"), "checkins", STAGES)
    for column in (
        sa.Column("next_step_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("moved_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("skipped_by_user_id", sa.String(length=32), nullable=True),
        sa.Column("prepared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("prep_topics", sa.Text(), nullable=True),
        sa.Column("prep_questions", sa.Text(), nullable=True),
        sa.Column("prep_went_well", sa.Text(), nullable=True),
        sa.Column("prep_hard", sa.Text(), nullable=True),
        sa.Column("mentor_questions", sa.JSON(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("notes_by_user_id", sa.String(length=32), nullable=True),
        sa.Column("notes_at", sa.DateTime(timezone=True), nullable=True),
    ):
        op.add_column("checkins", column)
    op.create_index(op.f("ix_checkins_next_step_at"), "checkins", ["next_step_at"], unique=False)

    op.create_table(
        "action_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("checkin_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.Column("late_shown_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["checkin_id"], ["checkins.id"], name=op.f("fk_action_items_checkin_id_checkins")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["people.id"], name=op.f("fk_action_items_created_by_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["done_by_id"], ["people.id"], name=op.f("fk_action_items_done_by_id_people")
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["people.id"], name=op.f("fk_action_items_owner_id_people")),
        sa.ForeignKeyConstraint(["pair_id"], ["pairs.id"], name=op.f("fk_action_items_pair_id_pairs")),
        sa.ForeignKeyConstraint(
            ["team_id"], ["workspaces.team_id"], name=op.f("fk_action_items_team_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_items")),
    )
    op.create_index(op.f("ix_action_items_pair_id"), "action_items", ["pair_id"], unique=False)

    op.create_table(
        "private_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("checkin_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["checkin_id"], ["checkins.id"], name=op.f("fk_private_notes_checkin_id_checkins")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_private_notes_person_id_people")),
        sa.ForeignKeyConstraint(
            ["team_id"], ["workspaces.team_id"], name=op.f("fk_private_notes_team_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_private_notes")),
        sa.UniqueConstraint("checkin_id", "person_id", name=op.f("uq_private_notes_checkin_id_person_id")),
    )
    op.create_index(op.f("ix_private_notes_checkin_id"), "private_notes", ["checkin_id"], unique=False)
    op.create_index(op.f("ix_private_notes_person_id"), "private_notes", ["person_id"], unique=False)


def downgrade() -> None:
    op.drop_table("private_notes")
    op.drop_table("action_items")
    op.drop_index(op.f("ix_checkins_next_step_at"), table_name="checkins")
    with op.batch_alter_table("checkins") as batch:
        for name in (
            "notes_at",
            "notes_by_user_id",
            "notes",
            "mentor_questions",
            "prep_hard",
            "prep_went_well",
            "prep_questions",
            "prep_topics",
            "prepared_at",
            "skipped_by_user_id",
            "moved_to",
            "next_step_at",
            "stage",
        ):
            batch.drop_column(name)
    op.drop_column("agreements", "reminder_minutes")
    op.drop_column("agreements", "prep_days")
    op.drop_column("pairs", "next_meeting_at")
