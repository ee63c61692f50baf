"""What the clock does each time it looks: a list of jobs, each a function of the instant.

`mentorbot clock` runs them every few seconds and `mentorbot dispatch-due` once; a new periodic
duty is one more entry in `clock_jobs`. Per-pair schedules live in tables (`pairs.next_checkin_at`,
the outbox), so the list stays short and each job finds its own due work in the database.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from slack_sdk import WebClient

from bot.clock import Clock, system_clock
from bot.config import Settings
from bot.delivery import dispatch_due
from bot.installs import Installations, Speakers, forget_expired_states
from bot.report import send_weekly_reports
from bot.workspaces import purge_expired
from storage.db import SessionFactory


@dataclass(frozen=True)
class Done:
    """What one run of a job came to, in one line."""

    line: str
    worked: bool  # something was scheduled or sent (the clock logs only these)


@dataclass(frozen=True)
class Job:
    """A periodic duty of the clock."""

    name: str
    run: Callable[[datetime], Done]


def clock_jobs(
    session_factory: SessionFactory,
    client: WebClient | Speakers,
    settings: Settings,
    *,
    clock: Clock | None = None,
    sleep: Callable[[float], None] = time.sleep,
    installations: Installations | None = None,
    lanes: int = 1,
    pass_seconds: float | None = None,
    purges: bool = True,
) -> list[Job]:
    """The clock's jobs, in order: check-ins, reminders and pulses with the outbox, reports, tokens, purges.

    `clock` gives the time while sending (the system clock for `mentorbot clock`); without it the
    instant the job was run for stands, as for `dispatch-due --at`. `client` speaks for every
    workspace, or `Speakers` (OAuth mode) give each workspace its own token.
    """

    def tokens(now: datetime) -> Done:
        refreshed = installations.refresh_due() if installations is not None else 0
        with session_factory.begin() as session:
            forget_expired_states(session, system_clock())  # slack-sdk dates states on the real clock
        return Done(f"tokens refreshed {refreshed}", refreshed > 0)

    def checkins_and_outbox(now: datetime) -> Done:
        report = dispatch_due(
            session_factory,
            client,
            now,
            clock=clock,
            sleep=sleep,
            admins=settings.admin_user_ids,
            rate=settings.send_rate,
            lanes=lanes,
            pass_seconds=pass_seconds,
        )
        line = (
            f"cohort steps {report.cohort_steps}, "
            f"check-ins {report.checkins}, meeting steps {report.steps}, reminders {report.reminders}, "
            f"sent {report.sent}, "
            f"deferred {report.deferred}, failed {report.failed}"
        )
        worked = (
            report.cohort_steps or report.expired_requests or report.checkins or report.steps or report.sent
        ) or report.failed
        return Done(line, bool(worked))

    def weekly_reports(now: datetime) -> Done:
        sent = send_weekly_reports(session_factory, client, now, settings)
        return Done(f"weekly reports {sent}", sent > 0)

    def deleting(now: datetime) -> Done:
        purged = purge_expired(session_factory, now, settings.retention_days)
        return Done(f"uninstalled workspaces deleted {len(purged)}", bool(purged))

    jobs = [
        Job("check-ins and the outbox", checkins_and_outbox),
        Job("weekly reports", weekly_reports),
        Job("rotating tokens", tokens),
    ]
    # `dispatch-due --at` a future instant must not delete what is still within its retention.
    return [*jobs, Job("deleting uninstalled workspaces", deleting)] if purges else jobs
