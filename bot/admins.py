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
from storage import queries
from storage.db import SessionFactory
from storage.models import Person, Program, Workspace

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
                    | (Workspace.admins_checked_at <= now - CHECK_EVERY)
                )
            )
        )


def _workspace_admins(client: WebClient) -> list[dict]:
    """Every active, human admin or owner, from all pages of users.list."""
    found, cursor = [], None
    while True:
        page = client.users_list(limit=PAGE, cursor=cursor) if cursor else client.users_list(limit=PAGE)
        for user in page.get("members") or []:
            admin = user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner")
            if admin and not user.get("deleted") and not user.get("is_bot"):
                found.append(user)
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return found


def refresh_workspace_admins(session_factory: SessionFactory, client: WebClient, now: datetime) -> int:
    """Learn the workspaces' admins and owners from users.list, at most daily; how many were asked."""
    teams = _due(session_factory, now)
    if not teams:
        return 0
    try:
        admins = _workspace_admins(client)
    except (SlackApiError, OSError, TimeoutError) as error:
        log.warning("could not list the workspace's admins: %s", error)
        with session_factory.begin() as session:
            session.execute(
                update(Workspace)
                .where(Workspace.team_id.in_(teams))
                .values(admins_checked_at=now - CHECK_EVERY + RETRY_AFTER_FAILURE)
            )
        return 0
    with session_factory.begin() as session:
        for team_id in teams:
            # One token serves one workspace; users.list names each member's team.
            mine = [u for u in admins if u.get("team_id", team_id) == team_id]
            _remember(session, team_id, mine, now)
    return len(teams)


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
