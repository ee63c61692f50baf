"""Who hears a program's weekly report and its alerts, and the daily look at the workspace's admins.

A program's reports and "not a fit" alerts go to everyone who administers it: its listed admins,
MENTORBOT_ADMINS, and whoever started it or last saved its settings (often a workspace admin who
never listed themselves, since workspace admins need not be). Workspace admins and owners who never
touched a program are not sent every program's report (in a large workspace most of them are IT
staff); they hear it when the program has nobody else, so a program's news always reaches someone.

Slack has no "who are the admins" call: users.list (rate tier 2, paginated with cursors) says it
for each member. The clock asks at most once a day per workspace and keeps the answer on `people`
(`workspace_admin`, and each admin's time zone, so their report comes on their own Monday).
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.installs import Speakers, speakers
from storage import queries
from storage.db import SessionFactory
from storage.models import Person, Program, Workspace
from storage.workspaces import granted_teams, is_org

log = logging.getLogger(__name__)

CHECK_EVERY = timedelta(days=1)
RETRY_AFTER_FAILURE = timedelta(hours=1)
PAGE = 200  # users.list: Slack recommends no more than 200 a page


def program_admins(session: Session, program: Program, settings: Settings) -> tuple[str, ...]:
    """Everyone who hears the program's reports and alerts, in a stable order."""
    return heard_by(session, program, settings.admin_user_ids)


def heard_by(session: Session, program: Program, configured: Collection[str]) -> tuple[str, ...]:
    """`program_admins`, for a caller that has the configured admins (MENTORBOT_ADMINS) at hand."""
    heard = [*(program.admin_user_ids or []), *sorted(configured)]
    if program.configured_by_user_id:
        heard.append(program.configured_by_user_id)
    if not heard:
        heard = list(
            session.scalars(
                select(Person.user_id)
                .where(
                    Person.team_id == program.team_id,
                    Person.workspace_admin,
                    Person.deactivated_at.is_(None),
                    Person.forgotten_at.is_(None),
                )
                .order_by(Person.user_id)
            )
        )
    return tuple(dict.fromkeys(heard))


def _due(session_factory: SessionFactory, now: datetime) -> list[str]:
    with session_factory() as session:
        return list(
            session.scalars(
                select(Workspace.team_id).where(
                    (Workspace.admins_checked_at.is_(None))
                    | (Workspace.admins_checked_at <= now - CHECK_EVERY),
                    Workspace.uninstalled_at.is_(None),
                )
            )
        )


def _workspace_admins(client: WebClient, slack_team_id: str | None = None) -> list[dict]:
    """Every active, human admin or owner, from all pages of users.list (of one workspace of an org)."""
    found: list[dict] = []
    cursor = None
    while True:
        page = client.users_list(limit=PAGE, cursor=cursor or None, team_id=slack_team_id)
        for user in page.get("members") or []:
            admin = user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner")
            if admin and not user.get("deleted") and not user.get("is_bot"):
                found.append(user)
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return found


def refresh_workspace_admins(
    session_factory: SessionFactory, clients: WebClient | Speakers, now: datetime
) -> int:
    """Learn each workspace's admins and owners from users.list, at most daily; how many were asked.

    Each workspace is asked with its own token; an org installed org-wide, in each workspace it was
    granted (users.list wants the workspace there).
    """
    asked = 0
    for team_id in _due(session_factory, now):
        client = speakers(clients).client_for(team_id)
        if client is None:
            continue
        with session_factory() as session:
            org = is_org(session, team_id)
            where = granted_teams(session, team_id) if org else [None]
        if not where:
            continue  # an org that has granted no workspace yet: its admins' flags stay as they are
        try:
            admins = [user for slack_team in where for user in _workspace_admins(client, slack_team)]
        except (SlackApiError, OSError, TimeoutError) as error:
            log.warning("could not list the admins of %s: %s", team_id, error)
            with session_factory.begin() as session:
                session.execute(
                    update(Workspace)
                    .where(Workspace.team_id == team_id)
                    .values(admins_checked_at=now - CHECK_EVERY + RETRY_AFTER_FAILURE)
                )
            continue
        with session_factory.begin() as session:
            # One token serves one workspace (or one org); users.list names each member's team.
            mine = [u for u in admins if org or u.get("team_id", team_id) == team_id]
            _remember(session, team_id, mine, now)
        asked += 1
    return asked


def _remember(session: Session, team_id: str, admins: list[dict], now: datetime) -> None:
    ids = [user["id"] for user in admins]
    session.execute(
        update(Person)
        .where(Person.team_id == team_id, Person.workspace_admin, Person.user_id.not_in(ids))
        .values(workspace_admin=False)
    )
    for user in admins:
        known = queries.find_person(session, team_id, user["id"])
        if known is not None and known.forgotten_at is not None:
            continue  # forgotten people are not learned again
        person = queries.upsert_person(session, team_id, user["id"], now, name=None, tz=user.get("tz"))
        person.workspace_admin = True
    workspace = session.get(Workspace, team_id)
    if workspace is not None:
        workspace.admins_checked_at = now
