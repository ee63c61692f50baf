"""Sending the outbox: claim due messages under a lease, post them, and record what happened.

The send path decides its own retries (the Web API client it uses has none, so a connection
error is never silently re-posted): a 429 waits for Retry-After, a 5xx or timeout is retried later
with backoff, and a permanent error is recorded for admins and never retried.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.checkins import (
    RENDER,
    advance_meetings,
    restated,
    schedule_due,
    schedule_goal_reminders,
    schedule_pulses,
)
from bot.cohorts import take_cohort_steps
from bot.installs import Speakers, speakers
from bot.notify import deactivation_letters
from bot.outbox import GROUP, PAIR_DM, WHILE_OPEN, Letter, post
from bot.pairing import member_deactivated
from bot.requests import expire_requests
from storage import queries
from storage.db import SessionFactory
from storage.models import OPEN_STATUSES as OPEN
from storage.models import OutboxMessage, OutboxStatus, PairStatus

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
MAX_RETRY_AFTER = 120.0  # a longer Retry-After defers the message instead of holding its lease
WEB_WAIT = 2.0  # a listener thread waits out no longer a Retry-After: the clock sends it later
MAX_BACKOFF = timedelta(minutes=15)  # transient refusals are retried at least this often, forever
BATCH = 50
PACER_BURST_SECONDS = 1  # a workspace may send one second's worth at once after a pause, as Slack allows
FRESH = timedelta(minutes=1)  # a meeting's first post queued this recently is sent as written
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
CANNOT_JOIN = {"method_not_supported_for_channel_type", "is_private", "channel_not_found", "is_archived"}
SENDER_KEYS = {"join", "file", "if_failed", PAIR_DM, RENDER, WHILE_OPEN}  # what the sender reads, not Slack


@dataclass(frozen=True)
class Claimed:
    """A message this sender holds the lease on."""

    message_id: int
    team_id: str
    pair_id: int | None
    channel: str
    payload: dict
    attempts: int


def claim(
    session: Session,
    now: datetime,
    limit: int = BATCH,
    keys: Collection[str] | None = None,
    team_id: str | None = None,
) -> list[Claimed]:
    """Take up to `limit` sendable messages under a lease; skips what other senders hold.

    Each is taken in a conditional UPDATE on its try count (`queries.take_message`), so two senders
    that read the same row never both take it, on PostgreSQL or SQLite.
    """
    claimed = []
    sendable = queries.sendable_messages(session, now, limit, keys, team_id)
    # A meeting's message is written afresh: an edit always, a first post once it has waited (for
    # daytime, for Slack); one queued a moment ago reads as it was written.
    meetings = [
        m.payload
        for m, _ in sendable
        if isinstance(m.payload, dict)
        and RENDER in m.payload
        and ("ts" in m.payload or now - m.created_at > FRESH)
    ]
    fresh = dict(zip((id(p) for p in meetings), restated(session, meetings, now), strict=True))
    for message, pair_status in sendable:
        while_open = isinstance(message.payload, dict) and message.payload.get(WHILE_OPEN)
        open_enough = pair_status in OPEN if while_open else pair_status == PairStatus.ACTIVE.value
        if message.pair_id is not None and not open_enough:
            message.status = OutboxStatus.SKIPPED.value  # paused or ended pairs get nothing
            message.error = f"pair {pair_status}"
            continue
        if message.expires_at is not None and message.expires_at <= now:
            message.status, message.error = OutboxStatus.SKIPPED.value, "its occasion passed"
            continue
        payload = message.payload
        if id(payload) in fresh:  # a meeting's message: as it reads now, not as it was queued
            now_reads = fresh[id(payload)]
            if now_reads is None:
                message.status, message.error = OutboxStatus.SKIPPED.value, "a newer meeting closed it"
                continue
            payload = now_reads
        session.flush()
        if not queries.take_message(session, message.id, message.attempts, now, now + LEASE):
            continue
        claimed.append(
            Claimed(
                message.id,
                message.team_id,
                message.pair_id,
                message.channel,
                payload,
                message.attempts + 1,
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
    lost: bool = False  # another sender holds the message now: nothing was sent, nothing to record


Renew = Callable[[], bool]


def send(
    client: WebClient,
    message: Claimed,
    now: Callable[[], datetime],
    sleep: Callable[[float], None],
    renew: Renew = lambda: True,
    max_wait: float = MAX_RETRY_AFTER,
) -> Outcome:
    """Post one message; waits out a short 429 once, defers longer waits and server errors.

    `renew` is asked before every call that could post: False means this sender's lease ran out
    and another holds the message, so nothing more is sent from here.
    """
    payload = dict(message.payload)
    joined = False
    for _ in range(3):
        if not renew():
            return Outcome(lost=True)
        try:
            channel = message.channel
            if channel.startswith(GROUP):
                channel = client.conversations_open(users=channel.removeprefix(GROUP))["channel"]["id"]
            return _post(client, channel, payload)
        except SlackApiError as error:
            code = error.response.get("error") or ""
            status = error.response.status_code
            if status == 429 or code == "ratelimited":
                wait = float(error.response.headers.get("Retry-After", "1") or 1)
                if wait <= max_wait:
                    sleep(wait)
                    continue
                return Outcome(retry_at=now() + timedelta(seconds=wait), error="ratelimited")
            if code == "not_in_channel" and payload.get("join") and not joined:
                joined = True
                try:
                    client.conversations_join(channel=message.channel)
                    continue
                except SlackApiError as join_error:
                    code = join_error.response.get("error") or code
            if code in PERMANENT or code in CANNOT_JOIN:
                return Outcome(error=code, permanent=True)
            return Outcome(retry_at=backoff(now(), message.attempts), error=code or f"http {status}")
        except (OSError, TimeoutError) as error:  # the network: the post may or may not have arrived
            return Outcome(retry_at=backoff(now(), message.attempts), error=type(error).__name__)
    return Outcome(retry_at=backoff(now(), message.attempts), error="ratelimited")


def _post(client: WebClient, channel: str, payload: dict) -> Outcome:
    arguments = {key: value for key, value in payload.items() if key not in SENDER_KEYS}
    upload = payload.get("file")
    if upload is not None:  # a file, with its words as the comment: one message, not two
        response = client.files_upload_v2(
            channel=channel,
            content=upload["content"],
            filename=upload["filename"],
            title=upload.get("title"),
            initial_comment=upload.get("comment"),
            alt_txt=upload.get("alt_text"),
        )
        files = response.get("files") or [{}]
        return Outcome(sent_ts=str(files[0].get("id") or "file"), channel=channel)
    if "ts" in arguments:  # an edit of a message sent before (a closed check-in)
        response = client.chat_update(channel=channel, **arguments)
    else:
        response = client.chat_postMessage(channel=channel, **arguments)
    return Outcome(sent_ts=response.get("ts"), channel=channel)


def backoff(now: datetime, attempts: int) -> datetime:
    """When to try again after `attempts` transient refusals: doubling from 30 s, at most 15 minutes."""
    return now + min(timedelta(seconds=30 * 2 ** min(attempts - 1, 10)), MAX_BACKOFF)


@dataclass(frozen=True)
class Recorded:
    """What recording an outcome led to: a deactivated recipient, notices of a failure queued."""

    deactivated: str | None = None
    queued: tuple[str, ...] = ()


def record(session: Session, message: Claimed, outcome: Outcome, now: datetime) -> Recorded:
    """Store the outcome of one send.

    Only while this sender still holds the message: a row another sender took is left to it.
    """
    if outcome.lost:
        return Recorded()
    row = session.get(OutboxMessage, message.message_id, with_for_update=True)
    if row is None or row.attempts != message.attempts or row.status != OutboxStatus.PENDING.value:
        return Recorded()
    row.claimed_until = None
    if outcome.sent_ts is not None:
        row.status, row.sent_at, row.message_ts, row.error = (
            OutboxStatus.SENT.value,
            now,
            outcome.sent_ts,
            None,
        )
        pair_id = message.pair_id or message.payload.get(PAIR_DM)
        if outcome.channel and isinstance(pair_id, int) and message.channel.startswith(GROUP):
            pair = queries.pair_for_update(session, message.team_id, pair_id)
            if pair is not None and pair.dm_channel_id is None:
                pair.dm_channel_id = outcome.channel
        return Recorded()
    row.error = (outcome.error or "")[:200]
    if outcome.permanent:
        row.status = OutboxStatus.FAILED.value
        log.warning("giving up on message %s to %s: %s", row.key, row.channel, row.error)
        queued = _tell_of_failure(session, row, now)
        if outcome.error in DEACTIVATED and not row.channel.startswith(("C", "G", "D", GROUP)):
            return Recorded(row.channel, queued)
        return Recorded(queued=queued)
    # Transient (429, 5xx, a timeout): tried again, with capped backoff, until it goes out or its
    # occasion passes; admins see it as waiting in `/mentor list`.
    row.not_before = outcome.retry_at or backoff(now, row.attempts)
    return Recorded()


def _tell_of_failure(session: Session, row: OutboxMessage, now: datetime) -> tuple[str, ...]:
    """Queue the notice a letter asked for in case Slack refused it for good; returns its keys."""
    notice = row.payload.get("if_failed") if isinstance(row.payload, dict) else None
    if not notice:
        return ()
    text = str(notice.get("text") or "").replace("{error}", row.error or "an error")
    letters = [
        Letter(key=f"failed:{row.key}:{user_id}"[:120], kind="failure", to=user_id, payload={"text": text})
        for user_id in notice.get("to") or ()
    ]
    return tuple(post(session, row.team_id, letters, now))


@dataclass
class DispatchReport:
    """What one dispatch pass did."""

    checkins: int = 0
    steps: int = 0  # meetings whose message moved on a step (agenda, reminder, check-in)
    cohort_steps: int = 0  # sign-up, start, midpoint, graduation, end of cohorts
    expired_requests: int = 0  # mentees' requests nobody answered in time
    reminders: int = 0
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    deactivated: list[str] = field(default_factory=list)


def dispatch_due(
    session_factory: SessionFactory,
    client: WebClient | Speakers,
    now: datetime,
    *,
    clock: Callable[[], datetime] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    max_messages: int | None = None,
    admins: Collection[str] = (),
    rate: int | None = None,
    lanes: int = 1,
    pass_seconds: float | None = None,
) -> DispatchReport:
    """Schedule everything due at `now`, then send the outbox until nothing sendable is left.

    `client` speaks for every workspace, or `Speakers` give each its own; each workspace is sent at
    most `rate` messages a minute, over `lanes` threads shared fairly between the workspaces.
    With `pass_seconds`, sending stops after that long (the clock's next look goes on), so that a
    workspace with work newly due is not kept waiting behind another's long backlog.
    """
    report = DispatchReport()
    with session_factory.begin() as session:  # first: a completed pair is asked about no meeting
        report.cohort_steps = take_cohort_steps(session, now, admins)
    with session_factory.begin() as session:  # requests nobody answered in time close, kindly
        report.expired_requests = expire_requests(session, now)

    while True:
        with session_factory.begin() as session:
            scheduled = schedule_due(session, now)
        report.checkins += scheduled
        if scheduled == 0:
            break
    while True:
        with session_factory.begin() as session:
            moved = advance_meetings(session, now)
        report.steps += moved
        if moved == 0:
            break
    with session_factory.begin() as session:
        report.reminders = schedule_goal_reminders(session, now)
    with session_factory.begin() as session:
        schedule_pulses(session, now)
    current = clock or (lambda: now)
    _send_workspaces(
        session_factory,
        speakers(client),
        current,
        sleep,
        report,
        budget=_Budget(max_messages),
        admins=admins,
        rate=rate,
        lanes=lanes,
        deadline=None if pass_seconds is None else time.monotonic() + pass_seconds,
    )
    return report


def deliver(
    session_factory: SessionFactory,
    client: WebClient,
    keys: Collection[str],
    clock: Callable[[], datetime],
    *,
    admins: Collection[str] = (),
) -> DispatchReport:
    """Send now those of the letters just queued under `keys` that may go now; the clock sends the rest.

    What waits for someone's daytime, or for Slack to recover, stays in the outbox.
    """
    report = DispatchReport()
    if keys:
        _send_all(
            session_factory, client, clock, time.sleep, report, keys=keys, admins=admins, max_wait=WEB_WAIT
        )
    return report


def _send_all(
    session_factory: SessionFactory,
    client: WebClient,
    current: Callable[[], datetime],
    sleep: Callable[[float], None],
    report: DispatchReport,
    *,
    keys: Collection[str],
    admins: Collection[str] = (),
    max_wait: float = MAX_RETRY_AFTER,
) -> None:
    """Send the letters of one click with the client that answered it."""
    while True:
        with session_factory.begin() as session:
            batch = claim(session, current(), keys=keys)
        if not batch:
            break
        followers: list[str] = []
        for message in batch:
            _, queued = _send_one(session_factory, client, message, current, sleep, report, admins, max_wait)
            followers.extend(queued)
        if not followers:
            break  # the few letters of one click: what is left waits for the clock
        keys = followers  # an admin told at once that a letter of their click failed


def _send_one(
    session_factory: SessionFactory,
    client: WebClient,
    message: Claimed,
    current: Callable[[], datetime],
    sleep: Callable[[float], None],
    report: DispatchReport,
    admins: Collection[str],
    max_wait: float,
) -> tuple[Outcome, tuple[str, ...]]:
    """Send one claimed message, record it, count it in `report`; what came of it, and notices queued."""
    renew = _renewer(session_factory, message, current)
    outcome = send(client, message, current, sleep, renew, max_wait=max_wait)
    with session_factory.begin() as session:
        recorded = record(session, message, outcome, current())
    if outcome.sent_ts:
        report.sent += 1
    elif outcome.permanent:
        report.failed += 1
    elif not outcome.lost:
        report.deferred += 1
    if recorded.deactivated:
        report.deactivated.append(recorded.deactivated)
        _pause_deactivated(session_factory, message.team_id, recorded.deactivated, admins, current())
    return outcome, recorded.queued


class _Budget:
    """How many more messages one dispatch may send or give up on, shared by its lanes."""

    def __init__(self, limit: int | None) -> None:
        self._left = limit
        self._lock = threading.Lock()

    def take(self, wanted: int) -> int:
        """Up to `wanted` messages' worth of the budget, taken now."""
        with self._lock:
            if self._left is None:
                return wanted
            given = min(wanted, self._left)
            self._left -= given
            return given

    def give_back(self, unused: int) -> None:
        """Return what a lane took and did not spend."""
        with self._lock:
            if self._left is not None:
                self._left += unused


class Pacer:
    """One workspace's sending rate: a token bucket of `rate` messages a minute with a short burst.

    Slack allows short bursts; a burst of a few seconds' worth lets a lane send a batch at once and
    then serve other workspaces while this one refills.
    """

    def __init__(self, rate: int | None, clock: Callable[[], float] = time.monotonic) -> None:
        self._per_second = None if rate is None else rate / 60
        self._capacity = (
            BATCH if rate is None else max(1.0, min(float(BATCH), rate / 60 * PACER_BURST_SECONDS))
        )
        self._clock = clock
        self._tokens = self._capacity
        self._at = clock()
        self._held_until = self._at

    def _refill(self) -> None:
        if self._per_second is None:
            self._tokens = self._capacity
            return
        now = self._clock()
        self._tokens = min(self._capacity, self._tokens + (now - self._at) * self._per_second)
        self._at = now

    def ready_in(self) -> float:
        """Seconds until one message may go."""
        self._refill()
        held = max(0.0, self._held_until - self._clock())
        if self._tokens >= 1 or self._per_second is None:
            return held
        return max(held, (1 - self._tokens) / self._per_second)

    def hold_for(self, seconds: float) -> None:
        """Slack asked this workspace to wait (a 429's Retry-After): nothing goes before then."""
        self._held_until = max(self._held_until, self._clock() + seconds)

    def available(self) -> int:
        """How many messages may go at once now."""
        self._refill()
        return int(self._tokens)

    def spend(self) -> None:
        """One message went (or was tried)."""
        self._refill()
        self._tokens -= 1


def _send_workspaces(
    session_factory: SessionFactory,
    speakers_: Speakers,
    current: Callable[[], datetime],
    sleep: Callable[[float], None],
    report: DispatchReport,
    *,
    budget: _Budget,
    admins: Collection[str],
    rate: int | None,
    lanes: int,
    deadline: float | None,
) -> None:
    """Send every workspace's due messages, each at its own pace, the workspaces dealt out to lanes.

    Within a lane, the workspace that may send soonest goes next, a batch at a time, so one busy
    workspace never holds up the others; each workspace's client has that workspace's token.
    """
    with session_factory() as session:
        teams = queries.sending_teams(session, current())
    if not teams:
        return
    groups = [teams[i :: max(1, lanes)] for i in range(min(max(1, lanes), len(teams)))]
    reports = [DispatchReport() for _ in groups]
    work = [
        functools.partial(
            _lane,
            session_factory,
            speakers_,
            group,
            current,
            sleep,
            lane_report,
            budget,
            admins,
            Pacer,
            rate,
            deadline,
        )
        for group, lane_report in zip(groups, reports, strict=True)
    ]
    if len(work) == 1:
        work[0]()
    else:
        with ThreadPoolExecutor(max_workers=len(work), thread_name_prefix="sender") as pool:
            for future in [pool.submit(job) for job in work]:
                future.result()
    for lane_report in reports:
        report.sent += lane_report.sent
        report.failed += lane_report.failed
        report.deferred += lane_report.deferred
        report.deactivated.extend(lane_report.deactivated)


def _lane(
    session_factory: SessionFactory,
    speakers_: Speakers,
    teams: list[str],
    current: Callable[[], datetime],
    sleep: Callable[[float], None],
    report: DispatchReport,
    budget: _Budget,
    admins: Collection[str],
    pacer: Callable[[int | None], Pacer],
    rate: int | None,
    deadline: float | None,
) -> None:
    """Send the messages of `teams`, always the workspace that may send soonest next."""
    pacers = {team: pacer(rate) for team in teams}
    waiting = list(teams)
    # Alone in its lane a workspace waits out a short 429 at once; beside others it steps aside.
    shared = len(teams) > 1
    max_wait = 0.0 if shared else MAX_RETRY_AFTER
    while waiting and (deadline is None or time.monotonic() < deadline):
        team = min(waiting, key=lambda t: pacers[t].ready_in())
        wait = pacers[team].ready_in()
        if wait > MAX_RETRY_AFTER:  # Slack asked it to wait long: its letters say when, for a later look
            waiting.remove(team)
            continue
        if deadline is not None and time.monotonic() + wait > deadline:
            return
        if wait > 0:
            sleep(wait)
        client = speakers_.client_for(team)
        if client is None:  # no install (yet): its letters wait; uninstalling drops them
            log.warning("not sending to %s: mentorbot has no token for it", team)
            waiting.remove(team)
            continue
        allowed = budget.take(max(1, pacers[team].available()))
        if allowed == 0:
            return
        with session_factory.begin() as session:
            batch = claim(session, current(), limit=allowed, team_id=team)
        budget.give_back(allowed - len(batch))
        if not batch:
            waiting.remove(team)
            continue
        for number, message in enumerate(batch):
            pacers[team].spend()
            outcome, _ = _send_one(session_factory, client, message, current, sleep, report, admins, max_wait)
            if shared and outcome.error == "ratelimited" and outcome.retry_at is not None:
                wait = (outcome.retry_at - current()).total_seconds()
                pacers[team].hold_for(max(1.0, wait))
                _defer(session_factory, batch[number + 1 :], outcome, current(), report)
                break
        waiting.remove(team)  # to the back: of the workspaces that may send now, each in turn
        waiting.append(team)


def _defer(
    session_factory: SessionFactory,
    held: list[Claimed],
    outcome: Outcome,
    now: datetime,
    report: DispatchReport,
) -> None:
    """Give back, unsent, messages claimed for a workspace that Slack just asked to wait."""
    for message in held:
        with session_factory.begin() as session:
            record(session, message, Outcome(retry_at=outcome.retry_at, error="ratelimited"), now)
        report.deferred += 1


def _renewer(session_factory: SessionFactory, message: Claimed, current: Callable[[], datetime]) -> Renew:
    def renew() -> bool:
        now = current()
        with session_factory.begin() as session:
            return queries.renew_message(session, message.message_id, message.attempts, now, now + LEASE)

    return renew


def _pause_deactivated(
    session_factory: SessionFactory,
    team_id: str,
    user_id: str,
    admins: Collection[str],
    now: datetime,
) -> None:

    with session_factory.begin() as session:
        gone = member_deactivated(session, team_id, user_id, admins, now)
        post(session, team_id, deactivation_letters(gone, now), now)
