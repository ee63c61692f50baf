"""exclusions: people someone would rather not be paired with

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exclusions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("excluded_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("person_id <> excluded_id", name=op.f("ck_exclusions_not_self")),
        sa.ForeignKeyConstraint(
            ["excluded_id"], ["people.id"], name=op.f("fk_exclusions_excluded_id_people")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_exclusions_person_id_people")),
        sa.ForeignKeyConstraint(
            ["team_id"], ["workspaces.team_id"], name=op.f("fk_exclusions_team_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exclusions")),
        sa.UniqueConstraint("person_id", "excluded_id", name=op.f("uq_exclusions_person_id_excluded_id")),
    )
    op.create_index(op.f("ix_exclusions_team_id"), "exclusions", ["team_id"], unique=False)
    op.create_index(op.f("ix_exclusions_person_id"), "exclusions", ["person_id"], unique=False)
    op.create_index(op.f("ix_exclusions_excluded_id"), "exclusions", ["excluded_id"], unique=False)


def downgrade() -> None:
    op.drop_table("exclusions")
