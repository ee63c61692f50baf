"""initial schema: workspaces, programs, people, profiles, pairs

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "workspaces",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_workspaces")),
    )
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("display_name", sa.String(length=255), nullable=True),
        sa.Column("tz", sa.String(length=64), nullable=True),
        sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["workspaces.team_id"], name=op.f("fk_people_team_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("team_id", "user_id", name=op.f("uq_people_team_id_user_id")),
    )
    op.create_table(
        "programs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("announce_channel_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["team_id"], ["workspaces.team_id"], name=op.f("fk_programs_team_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programs")),
        sa.UniqueConstraint("team_id", "name", name=op.f("uq_programs_team_id_name")),
    )
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_programs_team_id"), ["team_id"], unique=False)
        batch_op.create_index(
            "uq_programs_one_default_per_team",
            ["team_id"],
            unique=True,
            sqlite_where=sa.text("is_default"),
            postgresql_where=sa.text("is_default"),
        )

    op.create_table(
        "pairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("mentee_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("match_reason", sa.Text(), nullable=True),
        sa.Column("created_by_user_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('active', 'paused', 'ended')", name=op.f("ck_pairs_status")),
        sa.CheckConstraint("mentor_id <> mentee_id", name=op.f("ck_pairs_not_self")),
        sa.ForeignKeyConstraint(["mentee_id"], ["people.id"], name=op.f("fk_pairs_mentee_id_people")),
        sa.ForeignKeyConstraint(["mentor_id"], ["people.id"], name=op.f("fk_pairs_mentor_id_people")),
        sa.ForeignKeyConstraint(["program_id"], ["programs.id"], name=op.f("fk_pairs_program_id_programs")),
        sa.ForeignKeyConstraint(
            ["team_id"], ["workspaces.team_id"], name=op.f("fk_pairs_team_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pairs")),
    )
    with op.batch_alter_table("pairs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pairs_mentee_id"), ["mentee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pairs_mentor_id"), ["mentor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pairs_team_id"), ["team_id"], unique=False)
        batch_op.create_index(
            "uq_pairs_open_mentor_mentee",
            ["program_id", "mentor_id", "mentee_id"],
            unique=True,
            sqlite_where=sa.text("status <> 'ended'"),
            postgresql_where=sa.text("status <> 'ended'"),
        )

    op.create_table(
        "profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("mentor_capacity", sa.Integer(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("growth_areas", sa.JSON(), nullable=False),
        sa.Column("interests", sa.JSON(), nullable=False),
        sa.Column("meeting_formats", sa.JSON(), nullable=False),
        sa.Column("experience_level", sa.String(length=20), nullable=True),
        sa.Column("motivations", sa.Text(), nullable=True),
        sa.Column("background", sa.Text(), nullable=True),
        sa.Column("tz_override", sa.String(length=64), nullable=True),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('mentor', 'mentee', 'both')", name=op.f("ck_profiles_role")),
        sa.CheckConstraint(
            "mentor_capacity >= 0 AND mentor_capacity <= 20", name=op.f("ck_profiles_mentor_capacity")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_profiles_person_id_people")),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name=op.f("fk_profiles_program_id_programs")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["workspaces.team_id"], name=op.f("fk_profiles_team_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_profiles")),
        sa.UniqueConstraint("program_id", "person_id", name=op.f("uq_profiles_program_id_person_id")),
    )
    with op.batch_alter_table("profiles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_profiles_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_profiles_program_id"), ["program_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("profiles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_profiles_program_id"))
        batch_op.drop_index(batch_op.f("ix_profiles_person_id"))

    op.drop_table("profiles")
    with op.batch_alter_table("pairs", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_pairs_open_mentor_mentee",
            sqlite_where=sa.text("status <> 'ended'"),
            postgresql_where=sa.text("status <> 'ended'"),
        )
        batch_op.drop_index(batch_op.f("ix_pairs_team_id"))
        batch_op.drop_index(batch_op.f("ix_pairs_mentor_id"))
        batch_op.drop_index(batch_op.f("ix_pairs_mentee_id"))

    op.drop_table("pairs")
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_programs_one_default_per_team",
            sqlite_where=sa.text("is_default"),
            postgresql_where=sa.text("is_default"),
        )
        batch_op.drop_index(batch_op.f("ix_programs_team_id"))

    op.drop_table("programs")
    op.drop_table("people")
    op.drop_table("workspaces")
