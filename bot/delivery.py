"""Sending the outbox: claim due messages under a lease, post them, and record what happened.

The send path decides its own retries (the Web API client it uses has none, so a connection
error is never silently re-posted): a 429 waits for Retry-After, a 5xx or timeout is retried later
with backoff, and a permanent error is recorded for admins and never retried.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.checkins import schedule_due, schedule_goal_reminders, schedule_pulses
from bot.notify import dm
from bot.pairing import member_deactivated
from storage import queries
from storage.db import SessionFactory
from storage.models import OutboxMessage, OutboxStatus, PairStatus

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8
MAX_RETRY_AFTER = 120.0
BATCH = 50
# Errors that no retry can fix; the message is recorded as failed and admins see it.
PERMANENT = {
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "user_not_found",
    "user_disabled",
    "account_inactive",
    "cannot_dm_bot",
    "messages_tab_disabled",
    "invalid_blocks",
    "msg_too_long",
    "no_text",
    "restricted_action",
    "invalid_auth",
    "not_authed",
    "token_revoked",
    "missing_scope",
    "message_not_found",
    "cant_update_message",
    "edit_window_closed",
}
DEACTIVATED = {"user_disabled", "account_inactive", "user_not_found"}


@dataclass(frozen=True)
class Claimed:
    """A message this sender holds the lease on."""

    message_id: int
    team_id: str
    pair_id: int | None
    channel: str
    payload: dict
    attempts: int


def claim(session: Session, now: datetime, limit: int = BATCH) -> list[Claimed]:
    """Take up to `limit` sendable messages under a lease; skips what other senders hold."""
    claimed = []
    for message, pair_status in queries.sendable_messages(session, now, limit):
        if message.pair_id is not None and pair_status != PairStatus.ACTIVE.value:
            message.status = OutboxStatus.SKIPPED.value  # paused or ended pairs get nothing
            message.error = f"pair {pair_status}"
            continue
        message.claimed_until = now + LEASE
        message.attempts += 1
        claimed.append(
            Claimed(
                message.id,
                message.team_id,
                message.pair_id,
                message.channel,
                message.payload,
                message.attempts,
            )
        )
    session.flush()
    return claimed


@dataclass(frozen=True)
class Outcome:
    """What one send attempt came to."""

    sent_ts: str | None = None
    channel: str | None = None
    retry_at: datetime | None = None
    error: str | None = None
    permanent: bool = False


def send(
    client: WebClient, message: Claimed, now: Callable[[], datetime], sleep: Callable[[float], None]
) -> Outcome:
    """Post one message; waits out a short 429 once, defers longer waits and server errors."""
    for _ in range(2):
        try:
            channel = message.channel
            if channel.startswith("users:"):
                channel = client.conversations_open(users=channel.removeprefix("users:"))["channel"]["id"]
            if "ts" in message.payload:  # an edit of a message sent before (a closed check-in)
                response = client.chat_update(channel=channel, **message.payload)
            else:
                response = client.chat_postMessage(channel=channel, **message.payload)
            return Outcome(sent_ts=response.get("ts"), channel=channel)
        except SlackApiError as error:
            code = error.response.get("error") or ""
            status = error.response.status_code
            if status == 429 or code == "ratelimited":
                wait = float(error.response.headers.get("Retry-After", "1") or 1)
                if wait <= MAX_RETRY_AFTER:
                    sleep(wait)
                    continue
                return Outcome(retry_at=now() + timedelta(seconds=wait), error="ratelimited")
            if code in PERMANENT:
                return Outcome(error=code, permanent=True)
            return Outcome(retry_at=_backoff(now(), message.attempts), error=code or f"http {status}")
        except (OSError, TimeoutError) as error:  # the network: the post may or may not have arrived
            return Outcome(retry_at=_backoff(now(), message.attempts), error=type(error).__name__)
    return Outcome(retry_at=_backoff(now(), message.attempts), error="ratelimited")


def _backoff(now: datetime, attempts: int) -> datetime:
    return now + timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


def record(session: Session, message: Claimed, outcome: Outcome, now: datetime) -> str | None:
    """Store the outcome; returns the user id of a deactivated recipient, if that was the error."""
    row = session.get(OutboxMessage, message.message_id, with_for_update=True)
    if row is None:
        return None
    row.claimed_until = None
    if outcome.sent_ts is not None:
        row.status, row.sent_at, row.message_ts, row.error = (
            OutboxStatus.SENT.value,
            now,
            outcome.sent_ts,
            None,
        )
        if outcome.channel and message.pair_id is not None and message.channel.startswith("users:"):
            pair = queries.pair_for_update(session, message.team_id, message.pair_id)
            if pair is not None and pair.dm_channel_id is None:
                pair.dm_channel_id = outcome.channel
        return None
    row.error = (outcome.error or "")[:200]
    if outcome.permanent or row.attempts >= MAX_ATTEMPTS:
        row.status = OutboxStatus.FAILED.value
        log.warning("giving up on message %s to %s: %s", row.key, row.channel, row.error)
        if outcome.error in DEACTIVATED and not row.channel.startswith(("C", "G", "D", "users:")):
            return row.channel
        return None
    row.not_before = outcome.retry_at or _backoff(now, row.attempts)
    return None


@dataclass
class DispatchReport:
    """What one dispatch pass did."""

    checkins: int = 0
    reminders: int = 0
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    deactivated: list[str] = field(default_factory=list)


def dispatch_due(
    session_factory: SessionFactory,
    client: WebClient,
    now: datetime,
    *,
    clock: Callable[[], datetime] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    max_messages: int | None = None,
    admins: Collection[str] = (),
) -> DispatchReport:
    """Schedule everything due at `now`, then send the outbox until nothing sendable is left."""
    report = DispatchReport()
    while True:
        with session_factory.begin() as session:
            scheduled = schedule_due(session, now)
        report.checkins += scheduled
        if scheduled == 0:
            break
    with session_factory.begin() as session:
        report.reminders = schedule_goal_reminders(session, now)
    with session_factory.begin() as session:
        schedule_pulses(session, now)
    current = clock or (lambda: now)
    while max_messages is None or report.sent + report.failed < max_messages:
        with session_factory.begin() as session:
            batch = claim(session, current())
        if not batch:
            break
        for message in batch:
            outcome = send(client, message, current, sleep)
            with session_factory.begin() as session:
                deactivated = record(session, message, outcome, current())
            if outcome.sent_ts:
                report.sent += 1
            elif outcome.permanent:
                report.failed += 1
            else:
                report.deferred += 1
            if deactivated:
                report.deactivated.append(deactivated)
                _pause_deactivated(session_factory, client, message.team_id, deactivated, admins, current())
    return report


def _pause_deactivated(
    session_factory: SessionFactory,
    client: WebClient,
    team_id: str,
    user_id: str,
    admins: Collection[str],
    now: datetime,
) -> None:
    with session_factory.begin() as session:
        gone = member_deactivated(session, team_id, user_id, admins, now)
    for admin in gone.admin_user_ids:
        pairs = ", ".join(f"<@{mentor}> → <@{mentee}>" for mentor, mentee in gone.paused) or "none"
        dm(client, admin, f"<@{user_id}>'s Slack account is deactivated; I paused their pairs ({pairs}).")
