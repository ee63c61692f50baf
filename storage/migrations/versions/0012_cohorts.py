"""cohorts: sign-up windows, a midpoint, graduation, completed pairs and closing surveys

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATUSES = "status IN ('active', 'paused', 'ended')"
NEW_STATUSES = "status IN ('active', 'paused', 'ended', 'completed')"
OLD_OPEN = "status <> 'ended'"
NEW_OPEN = "status IN ('active', 'paused')"


def _open_pair_index(where: str) -> None:
    op.create_index(
        "uq_pairs_open_mentor_mentee",
        "pairs",
        ["program_id", "mentor_id", "mentee_id"],
        unique=True,
        sqlite_where=sa.text(where),
        postgresql_where=sa.text(where),
    )


def _copying() -> Literal["always", "auto"]:
    # SQLite changes a CHECK or adds a foreign key only by copying the table (`storage.migrate`
    # holds foreign keys off meanwhile, as SQLite's own procedure for it asks).
    return "always" if op.get_bind().dialect.name == "sqlite" else "auto"


def upgrade() -> None:
    op.create_table(
        "cohorts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("tz", sa.String(length=64), nullable=False),
        sa.Column("signup_opens_on", sa.Date(), nullable=False),
        sa.Column("signup_closes_on", sa.Date(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("graduation_days", sa.Integer(), server_default="7", nullable=False),
        sa.Column("auto_match", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("created_by_user_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("announcement_channel", sa.String(length=32), nullable=True),
        sa.Column("announced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signup_closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("midpoint_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("midpoint_report_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("graduation_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_step_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("signup_opens_on <= signup_closes_on", name=op.f("ck_cohorts_signup_window")),
        sa.CheckConstraint(
            "signup_opens_on <= starts_on AND starts_on < ends_on", name=op.f("ck_cohorts_dates")
        ),
        sa.CheckConstraint(
            "graduation_days >= 1 AND graduation_days <= 30", name=op.f("ck_cohorts_graduation_days")
        ),
        sa.ForeignKeyConstraint(["program_id"], ["programs.id"], name=op.f("fk_cohorts_program_id_programs")),
        sa.ForeignKeyConstraint(
            ["team_id"], ["workspaces.team_id"], name=op.f("fk_cohorts_team_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohorts")),
        sa.UniqueConstraint("program_id", "name", name=op.f("uq_cohorts_program_id_name")),
    )
    op.create_index(op.f("ix_cohorts_program_id"), "cohorts", ["program_id"], unique=False)
    op.create_index(op.f("ix_cohorts_next_step_at"), "cohorts", ["next_step_at"], unique=False)

    op.create_table(
        "cohort_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], name=op.f("fk_cohort_members_cohort_id_cohorts")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_cohort_members_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["workspaces.team_id"], name=op.f("fk_cohort_members_team_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohort_members")),
        sa.UniqueConstraint("cohort_id", "person_id", name=op.f("uq_cohort_members_cohort_id_person_id")),
    )
    op.create_index(op.f("ix_cohort_members_cohort_id"), "cohort_members", ["cohort_id"], unique=False)
    op.create_index(op.f("ix_cohort_members_person_id"), "cohort_members", ["person_id"], unique=False)

    op.create_table(
        "midpoint_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("on_track", sa.String(length=10), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("rating >= 1 AND rating <= 5", name=op.f("ck_midpoint_checks_rating")),
        sa.CheckConstraint("on_track IN ('yes', 'partly', 'no')", name=op.f("ck_midpoint_checks_on_track")),
        sa.ForeignKeyConstraint(["pair_id"], ["pairs.id"], name=op.f("fk_midpoint_checks_pair_id_pairs")),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_midpoint_checks_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["workspaces.team_id"], name=op.f("fk_midpoint_checks_team_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_midpoint_checks")),
        sa.UniqueConstraint("pair_id", "person_id", name=op.f("uq_midpoint_checks_pair_id_person_id")),
    )
    op.create_index(op.f("ix_midpoint_checks_pair_id"), "midpoint_checks", ["pair_id"], unique=False)

    op.create_table(
        "closing_surveys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("what_changed", sa.Text(), nullable=True),
        sa.Column("recommend", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("choice", sa.String(length=10), nullable=True),
        sa.Column("chosen_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "rating IS NULL OR (rating >= 1 AND rating <= 5)", name=op.f("ck_closing_surveys_rating")
        ),
        sa.CheckConstraint(
            "recommend IS NULL OR (recommend >= 0 AND recommend <= 10)",
            name=op.f("ck_closing_surveys_recommend"),
        ),
        sa.CheckConstraint(
            "choice IS NULL OR choice IN ('keep', 'close')", name=op.f("ck_closing_surveys_choice")
        ),
        sa.ForeignKeyConstraint(["pair_id"], ["pairs.id"], name=op.f("fk_closing_surveys_pair_id_pairs")),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_closing_surveys_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["workspaces.team_id"], name=op.f("fk_closing_surveys_team_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_closing_surveys")),
        sa.UniqueConstraint("pair_id", "person_id", name=op.f("uq_closing_surveys_pair_id_person_id")),
    )
    op.create_index(op.f("ix_closing_surveys_pair_id"), "closing_surveys", ["pair_id"], unique=False)

    # A completed pair is history: it no longer blocks the same two from a new pair.
    op.drop_index("uq_pairs_open_mentor_mentee", table_name="pairs")
    with op.batch_alter_table("pairs", recreate=_copying()) as batch_op:
        batch_op.drop_constraint(op.f("ck_pairs_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_pairs_status"), NEW_STATUSES)
        batch_op.add_column(sa.Column("cohort_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(op.f("fk_pairs_cohort_id_cohorts"), "cohorts", ["cohort_id"], ["id"])
        batch_op.create_index(op.f("ix_pairs_cohort_id"), ["cohort_id"], unique=False)
    _open_pair_index(NEW_OPEN)
    with op.batch_alter_table("match_runs", recreate=_copying()) as batch_op:
        batch_op.add_column(sa.Column("cohort_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f("fk_match_runs_cohort_id_cohorts"), "cohorts", ["cohort_id"], ["id"])
    op.add_column("goals", sa.Column("final_rating", sa.String(length=10), nullable=True))
    op.add_column("goals", sa.Column("rated_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("goals", "rated_at")
    op.drop_column("goals", "final_rating")
    with op.batch_alter_table("match_runs", recreate=_copying()) as batch_op:
        batch_op.drop_constraint(op.f("fk_match_runs_cohort_id_cohorts"), type_="foreignkey")
        batch_op.drop_column("cohort_id")
    op.execute("UPDATE pairs SET status = 'ended' WHERE status = 'completed'")
    op.drop_index("uq_pairs_open_mentor_mentee", table_name="pairs")
    with op.batch_alter_table("pairs", recreate=_copying()) as batch_op:
        batch_op.drop_index(op.f("ix_pairs_cohort_id"))
        batch_op.drop_constraint(op.f("fk_pairs_cohort_id_cohorts"), type_="foreignkey")
        batch_op.drop_column("completed_at")
        batch_op.drop_column("cohort_id")
        batch_op.drop_constraint(op.f("ck_pairs_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_pairs_status"), OLD_STATUSES)
    _open_pair_index(OLD_OPEN)
    op.drop_table("closing_surveys")
    op.drop_table("midpoint_checks")
    op.drop_table("cohort_members")
    op.drop_table("cohorts")
