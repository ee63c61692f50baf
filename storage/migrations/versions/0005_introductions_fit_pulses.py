"""introductions, fit answers, pulses, opt-outs

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fit_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.String(length=10), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("answer IN ('good', 'deciding', 'not_fit')", name=op.f("ck_fit_answers_answer")),
        sa.ForeignKeyConstraint(["pair_id"], ["pairs.id"], name=op.f("fk_fit_answers_pair_id_pairs")),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_fit_answers_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fit_answers")),
        sa.UniqueConstraint("pair_id", "person_id", name=op.f("uq_fit_answers_pair_id_person_id")),
    )
    with op.batch_alter_table("fit_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fit_answers_pair_id"), ["pair_id"], unique=False)

    op.create_table(
        "introductions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("question", sa.Text(), nullable=True),
        sa.Column("with_mentor", sa.Boolean(), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["pair_id"], ["pairs.id"], name=op.f("fk_introductions_pair_id_pairs")),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_introductions_person_id_people")),
        sa.ForeignKeyConstraint(
            ["team_id"], ["workspaces.team_id"], name=op.f("fk_introductions_team_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_introductions")),
    )
    with op.batch_alter_table("introductions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_introductions_pair_id"), ["pair_id"], unique=False)

    op.create_table(
        "pulses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("asked_on", sa.Date(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("score IS NULL OR (score >= 1 AND score <= 5)", name=op.f("ck_pulses_score")),
        sa.ForeignKeyConstraint(["pair_id"], ["pairs.id"], name=op.f("fk_pulses_pair_id_pairs")),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_pulses_person_id_people")),
        sa.ForeignKeyConstraint(
            ["team_id"], ["workspaces.team_id"], name=op.f("fk_pulses_team_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pulses")),
        sa.UniqueConstraint(
            "pair_id", "person_id", "asked_on", name=op.f("uq_pulses_pair_id_person_id_asked_on")
        ),
    )
    with op.batch_alter_table("pulses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pulses_pair_id"), ["pair_id"], unique=False)

    with op.batch_alter_table("pairs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("drift_asked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("fit_asked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("next_pulse_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_pairs_next_pulse_at"), ["next_pulse_at"], unique=False)

    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("no_introductions", sa.Boolean(), server_default=sa.text("(false)"), nullable=False)
        )
        batch_op.add_column(sa.Column("forgotten_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pulse_every_weeks", sa.Integer(), server_default="4", nullable=False))
        batch_op.add_column(
            sa.Column("export_free_text", sa.Boolean(), server_default=sa.text("(false)"), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.drop_column("export_free_text")
        batch_op.drop_column("pulse_every_weeks")

    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("forgotten_at")
        batch_op.drop_column("no_introductions")

    with op.batch_alter_table("pairs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pairs_next_pulse_at"))
        batch_op.drop_column("next_pulse_at")
        batch_op.drop_column("fit_asked_at")
        batch_op.drop_column("drift_asked_at")

    with op.batch_alter_table("pulses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pulses_pair_id"))

    op.drop_table("pulses")
    with op.batch_alter_table("introductions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_introductions_pair_id"))

    op.drop_table("introductions")
    with op.batch_alter_table("fit_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fit_answers_pair_id"))

    op.drop_table("fit_answers")
