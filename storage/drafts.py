"""Data access for goal drafts: a goal form kept while its author reads the coaching on it."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from storage import queries
from storage.models import GoalDraft

KEEP_FOR = timedelta(days=1)
KEY = ["team_id", "view_id"]


def save_draft(
    session: Session, team_id: str, view_id: str, user_id: str, purpose: str, values: dict, now: datetime
) -> None:
    """Keep the form's values under its view id, replacing an earlier draft of the same modal.

    Insert-or-ignore then update, so two submits of one modal at once leave one draft, not an error.
    """
    session.execute(delete(GoalDraft).where(GoalDraft.created_at < now - KEEP_FOR))
    row = {"user_id": user_id, "purpose": purpose, "values": values, "created_at": now}
    queries.insert_or_ignore(session, GoalDraft, {"team_id": team_id, "view_id": view_id, **row}, KEY)
    session.execute(
        update(GoalDraft).where(GoalDraft.team_id == team_id, GoalDraft.view_id == view_id).values(**row)
    )


def find_draft(session: Session, team_id: str, view_id: str, user_id: str) -> GoalDraft | None:
    """The person's draft from this modal, if it is still there."""
    return session.scalars(
        select(GoalDraft).where(
            GoalDraft.team_id == team_id, GoalDraft.view_id == view_id, GoalDraft.user_id == user_id
        )
    ).first()


def take_draft(session: Session, team_id: str, view_id: str, user_id: str) -> tuple[str, dict] | None:
    """Delete the person's draft from this modal and return its purpose and values; None if gone.

    The delete comes first and alone decides, so of two clicks at once only one gets the draft.
    """
    row = session.execute(
        delete(GoalDraft)
        .where(GoalDraft.team_id == team_id, GoalDraft.view_id == view_id, GoalDraft.user_id == user_id)
        .returning(GoalDraft.purpose, GoalDraft.values)
    ).first()
    return (row[0], row[1]) if row else None


def forget_drafts(session: Session, team_id: str, user_id: str) -> None:
    """Delete every draft of this person."""
    session.execute(delete(GoalDraft).where(GoalDraft.team_id == team_id, GoalDraft.user_id == user_id))
