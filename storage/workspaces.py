"""Queries about workspaces as installations: installed, uninstalled, granted, and purged."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import ColumnElement, Table, delete, false, or_, select, update
from sqlalchemy.orm import Session

from storage import queries
from storage.models import Base, GrantedTeam, OutboxMessage, OutboxStatus, Workspace


def installed(
    session: Session, team_id: str, enterprise_id: str | None, name: str | None, now: datetime
) -> bool:
    """Record an install of `team_id`; True when it had been uninstalled (its data comes back)."""
    queries.ensure_workspace(session, team_id, now)
    workspace = session.get(Workspace, team_id, with_for_update=True, populate_existing=True)
    if workspace is None:  # a purge deleted it while this waited for its row: a fresh start
        queries.ensure_workspace(session, team_id, now)
        workspace = session.get(Workspace, team_id, with_for_update=True, populate_existing=True)
    assert workspace is not None
    returned = workspace.uninstalled_at is not None
    if returned:  # what the clock queued meanwhile is stale: the workspace hears only from now on
        session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.team_id == team_id,
                OutboxMessage.status == OutboxStatus.PENDING.value,
                OutboxMessage.created_at >= workspace.uninstalled_at,
            )
            .values(status=OutboxStatus.SKIPPED.value, error="queued while uninstalled", claimed_until=None)
        )
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


def hold_if_uninstalled_before(session: Session, team_id: str, cutoff: datetime) -> datetime | None:
    """When `team_id` was uninstalled, if at or before `cutoff`, its row held till the transaction ends.

    The hold is a write (SQLite takes no row locks, and reads outside a write transaction), so an
    install that would bring the workspace back waits for the caller, on either database.
    """
    held = session.execute(
        update(Workspace)
        .where(Workspace.team_id == team_id, Workspace.uninstalled_at <= cutoff)
        .values(uninstalled_at=Workspace.uninstalled_at)
    )
    if not queries.changed(held):
        return None
    return session.scalar(select(Workspace.uninstalled_at).where(Workspace.team_id == team_id))


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
    """An org-wide install may now answer in these workspaces of the org (and only in granted ones)."""
    queries.ensure_workspace(session, team_id, now)
    session.execute(
        update(Workspace)
        .where(Workspace.team_id == team_id, Workspace.teams_granted_at.is_(None))
        .values(teams_granted_at=now)
    )
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


def is_org(session: Session, team_id: str) -> bool:
    """True when `team_id` is an Enterprise Grid org installed org-wide (its rows are the org's)."""
    return session.scalar(select(Workspace.enterprise_id).where(Workspace.team_id == team_id)) == team_id


def granted_teams(session: Session, team_id: str) -> list[str]:
    """The workspaces an org-wide install was granted, in order."""
    return list(
        session.scalars(
            select(GrantedTeam.slack_team_id)
            .where(GrantedTeam.team_id == team_id)
            .order_by(GrantedTeam.slack_team_id)
        )
    )


def answers_in(session: Session, team_id: str, slack_team_id: str) -> bool:
    """Whether the org-wide install `team_id` answers in its workspace `slack_team_id`.

    Once Slack has said which workspaces were granted, only those (none, after every one was
    revoked); before it ever said, whichever Slack sends requests from. One statement.
    """
    granted = (
        select(GrantedTeam.slack_team_id)
        .where(GrantedTeam.team_id == team_id, GrantedTeam.slack_team_id == slack_team_id)
        .exists()
    )
    answer = session.execute(
        select(or_(Workspace.teams_granted_at.is_(None), granted)).where(Workspace.team_id == team_id)
    ).scalar()
    return True if answer is None else bool(answer)


def purge(session: Session, team_id: str, installed_before: datetime | None = None) -> dict[str, int]:
    """Delete every row of `team_id`, children before parents; rows deleted by table.

    With `installed_before`, tokens of an install made after it (installing again while this
    runs) are kept.

    A table with a `team_id` column loses that team's rows; one without loses the rows that point
    at a parent row of the team. The schema test keeps every table reachable one way or the other.
    """
    counts: dict[str, int] = {}
    for table in reversed(Base.metadata.sorted_tables):
        condition = owned_by(table, team_id)
        if installed_before is not None and "installed_at" in table.c:  # slack-sdk keeps naive UTC
            condition = condition & (
                table.c.installed_at <= installed_before.astimezone(UTC).replace(tzinfo=None)
            )
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
