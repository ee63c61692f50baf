"""Queries about workspaces as installations: installed, uninstalled, granted, and purged."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Table, delete, false, select, update
from sqlalchemy.orm import Session

from storage import queries
from storage.models import Base, GrantedTeam, Workspace


def installed(
    session: Session, team_id: str, enterprise_id: str | None, name: str | None, now: datetime
) -> bool:
    """Record an install of `team_id`; True when it had been uninstalled (its data comes back)."""
    queries.ensure_workspace(session, team_id, now)
    workspace = session.get(Workspace, team_id, with_for_update=True, populate_existing=True)
    assert workspace is not None
    returned = workspace.uninstalled_at is not None
    workspace.uninstalled_at = None
    workspace.enterprise_id = enterprise_id or workspace.enterprise_id
    workspace.name = name or workspace.name
    return returned


def uninstalled(session: Session, team_id: str, now: datetime) -> bool:
    """Mark `team_id` uninstalled as of `now` (the first time only); True when this call did."""
    queries.ensure_workspace(session, team_id, now)
    marked = session.execute(
        update(Workspace)
        .where(Workspace.team_id == team_id, Workspace.uninstalled_at.is_(None))
        .values(uninstalled_at=now)
    )
    return bool(queries.changed(marked))


def is_uninstalled(session: Session, team_id: str) -> bool:
    """True when mentorbot was removed from `team_id` and not installed again."""
    return session.scalar(select(Workspace.uninstalled_at).where(Workspace.team_id == team_id)) is not None


def uninstalled_before(session: Session, cutoff: datetime) -> list[str]:
    """Workspaces uninstalled at or before `cutoff`, oldest first."""
    return list(
        session.scalars(
            select(Workspace.team_id)
            .where(Workspace.uninstalled_at.is_not(None), Workspace.uninstalled_at <= cutoff)
            .order_by(Workspace.uninstalled_at)
        )
    )


def grant(session: Session, team_id: str, slack_team_ids: list[str], now: datetime) -> None:
    """An org-wide install may now answer in these workspaces of the org."""
    queries.ensure_workspace(session, team_id, now)
    queries.insert_or_ignore_many(
        session,
        GrantedTeam,
        [{"team_id": team_id, "slack_team_id": t, "granted_at": now} for t in slack_team_ids],
        ["team_id", "slack_team_id"],
    )


def revoke(session: Session, team_id: str, slack_team_ids: list[str]) -> None:
    """An org-wide install may no longer answer in these workspaces."""
    session.execute(
        delete(GrantedTeam).where(
            GrantedTeam.team_id == team_id, GrantedTeam.slack_team_id.in_(slack_team_ids)
        )
    )


def granted_teams(session: Session, team_id: str) -> list[str]:
    """The workspaces an org-wide install was granted, in order."""
    return list(
        session.scalars(
            select(GrantedTeam.slack_team_id)
            .where(GrantedTeam.team_id == team_id)
            .order_by(GrantedTeam.slack_team_id)
        )
    )


def is_granted(session: Session, team_id: str, slack_team_id: str) -> bool:
    """True when the org-wide install `team_id` may answer in `slack_team_id`."""
    return session.get(GrantedTeam, (team_id, slack_team_id)) is not None


def purge(session: Session, team_id: str) -> dict[str, int]:
    """Delete every row of `team_id`, children before parents; rows deleted by table.

    A table with a `team_id` column loses that team's rows; one without loses the rows that point
    at a parent row of the team. The schema test keeps every table reachable one way or the other.
    """
    counts: dict[str, int] = {}
    for table in reversed(Base.metadata.sorted_tables):
        condition = owned_by(table, team_id)
        deleted = queries.changed(session.execute(delete(table).where(condition)))
        if deleted:
            counts[table.name] = deleted
    return counts


def owned_by(table: Table, team_id: str) -> ColumnElement[bool]:
    """The condition picking `table`'s rows that belong to `team_id`."""
    if table.name == "slack_oauth_states":  # not anyone's: a state names no workspace
        return false()
    if "team_id" in table.c:
        if "is_enterprise_install" in table.c:  # slack-sdk's tables: an org's install under its id
            return (table.c.team_id == team_id) | (
                (table.c.enterprise_id == team_id) & table.c.is_enterprise_install.is_(True)
            )
        return table.c.team_id == team_id
    for column in table.c:
        for key in column.foreign_keys:
            parent = key.column.table
            if "team_id" in parent.c:
                return column.in_(select(key.column).where(parent.c.team_id == team_id))
    raise AssertionError(f"{table.name} has neither a team_id nor a parent with one")
