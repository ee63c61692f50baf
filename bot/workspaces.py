"""A workspace's life as an installation: installed, removed, kept for a while, then deleted.

When mentorbot is uninstalled (or its bot token revoked) nothing more is sent there: letters still
waiting are dropped and its tokens deleted at once. Its programs, people and history are kept for
the retention period (`MENTORBOT_RETENTION_DAYS`, 30 by default) so that installing again brings
everything back; after that, the clock deletes every row of the workspace.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.installs import delete_tokens
from storage import queries
from storage import workspaces as stored
from storage.db import SessionFactory

log = logging.getLogger(__name__)

UNINSTALLED = "uninstalled"


def installed(
    session: Session, team_id: str, enterprise_id: str | None, name: str | None, now: datetime
) -> bool:
    """Record an install of `team_id`; True when it comes back within its retention period."""
    returned = stored.installed(session, team_id, enterprise_id, name, now)
    if returned:
        log.info("%s installed mentorbot again: its data is kept", team_id)
    return returned


def removed(session: Session, team_id: str, now: datetime) -> int:
    """mentorbot was uninstalled from `team_id`: stop sending, delete its tokens; letters dropped."""
    if stored.uninstalled(session, team_id, now):
        log.info("%s uninstalled mentorbot: its data is deleted after the retention period", team_id)
    delete_tokens(session, team_id)
    return queries.skip_pending(session, team_id, UNINSTALLED)


def granted(session: Session, team_id: str, slack_team_ids: list[str], now: datetime) -> None:
    """An org installed org-wide may now answer in these of its workspaces."""
    stored.grant(session, team_id, [t for t in slack_team_ids if isinstance(t, str) and t], now)


def revoked(session: Session, team_id: str, slack_team_ids: list[str]) -> None:
    """An org installed org-wide may no longer answer in these workspaces."""
    stored.revoke(session, team_id, [t for t in slack_team_ids if isinstance(t, str)])


def purge(session: Session, team_id: str, installed_before: datetime | None = None) -> dict[str, int]:
    """Delete every row of `team_id` now, tokens and all; rows deleted by table."""
    counts = stored.purge(session, team_id, installed_before)
    log.info("deleted every row of %s: %s", team_id, counts or "none were left")
    return counts


def purge_expired(session_factory: SessionFactory, now: datetime, retention_days: int) -> list[str]:
    """Delete the workspaces uninstalled more than `retention_days` ago, one transaction each."""
    cutoff = now - timedelta(days=retention_days)
    with session_factory() as session:
        due = stored.uninstalled_before(session, cutoff)
    purged = []
    for team_id in due:
        with session_factory.begin() as session:
            # Held against an install that would bring it back (which takes the row the same way).
            gone_at = stored.hold_if_uninstalled_before(session, team_id, cutoff)
            if gone_at is not None:
                purge(session, team_id, installed_before=gone_at)
                purged.append(team_id)
    return purged
