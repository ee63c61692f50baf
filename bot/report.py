"""The weekly report: each program's admins get its health and a chart by DM, once per ISO week.

The clock (and `mentorbot dispatch-due`) calls `send_weekly_reports` on every tick. A report is due
for an admin from Monday 09:00 in their time zone (UTC when mentorbot does not know it), and only
between 08:00 and 20:00, like every other message. Recipients are everyone who administers the
program (`bot.admins.program_admins`: its listed admins, MENTORBOT_ADMINS and whoever set it up,
else the workspace's admins and owners, whose zones users.list gives daily); programs with nobody
in them are skipped.

Each (program, admin, ISO week) is recorded in the outbox under the key
`report:<program id>:<admin>:<ISO week>` *before* anything is sent, so two clocks or a restart
never send it twice. The row is held like an outbox lease: it stays `pending`, with `not_before`
far ahead so the outbox sender leaves it alone, and `claimed_until` five minutes ahead; it becomes
`sent` once the summary is posted. A sender that crashes mid-way leaves the lease to run out and
a later tick sends the report; a transient Slack error releases the lease at once, a permanent
one (or too many attempts) marks the row `failed`.
"""

from __future__ import annotations

import io
import logging
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select

from bot.admins import program_admins, refresh_workspace_admins
from bot.config import Settings
from bot.delivery import PERMANENT, backoff
from bot.insights import ProgramHealth, WeekPoint, program_health, weekly_series
from bot.installs import Speakers, speakers
from bot.outcomes import GroupOutcomes, Outcomes, program_outcomes
from bot.views.insights import report_message
from bot.zones import local_time
from storage import insights as store
from storage.db import SessionFactory
from storage.models import OutboxMessage, OutboxStatus, Program

log = logging.getLogger(__name__)

REPORT = "report"
LEASE = timedelta(minutes=5)
HELD = timedelta(days=3650)  # `not_before` of a held report row: the outbox sender never takes it
WEEKS = 8
REPORT_FROM_HOUR = 9  # Monday, local time
DAY_HOURS = range(8, 20)


CHART_SUBTITLE = "Meetings and answered check-ins per week"
COHORTS_SUBTITLE = "Cohorts side by side (% of each cohort's pairs or goals)"
MAX_ALT_TEXT = 1000
MAX_CHART_COHORTS = 6  # the latest ones
# The cohort panel's bars: a label, how to read the share from a cohort, and what "none" means.
COHORT_BARS: tuple[tuple[str, str], ...] = (
    ("Met at least once", "#2eb67d"),
    ("Still going at 90 days", "#4a90d9"),
    ("Completed", "#ecb22e"),
    ("Goals achieved", "#e01e5a"),
)


def cohort_shares(group: GroupOutcomes) -> tuple[tuple[float | None, str], ...]:
    """The cohort panel's four shares of a cohort, each with what to say when there is none."""
    goals = group.goals
    return (
        (group.met_share, "no pairs"),
        (group.survival_at(90).share, "not yet"),
        (group.completion, "still running" if not group.cohort_ended else "no pairs"),
        (goals.achieved_share if goals else None, "not enough answers yet" if goals is None else "no goals"),
    )


def chart_cohorts(outcomes: Outcomes | None) -> tuple[GroupOutcomes, ...]:
    """The cohorts the chart compares: the latest MAX_CHART_COHORTS, earliest first."""
    return outcomes.cohorts[-MAX_CHART_COHORTS:] if outcomes is not None else ()


def chart_title(program_name: str) -> str:
    """The chart's title: the whole program name, wrapped to fit the chart's width, over what it shows."""
    return "\n".join([*textwrap.wrap(program_name, 60, break_long_words=True), CHART_SUBTITLE])


def chart_alt_text(program_name: str, series: Sequence[WeekPoint], outcomes: Outcomes | None = None) -> str:
    """What the chart shows, in words, for people who cannot see it (the upload's alt text)."""
    weeks = "; ".join(
        f"week of {point.week_start:%b} {point.week_start.day}: {point.checkins} sent, "
        f"{point.answered} answered, {point.meetings} met"
        for point in series
    )
    text = f"Bar chart of check-ins for {program_name}, per week. {weeks or 'No weeks yet'}."
    cohorts = chart_cohorts(outcomes)
    if cohorts:
        compared = "; ".join(
            f"{group.name}: "
            + ", ".join(
                f"{label.lower()} {f'{round(value * 100)}%' if value is not None else none}"
                for (label, _), (value, none) in zip(COHORT_BARS, cohort_shares(group), strict=True)
            )
            for group in cohorts
        )
        text = f"Cohorts compared: {compared}. {text}"
    return text if len(text) <= MAX_ALT_TEXT else text[: MAX_ALT_TEXT - 1] + "…"


def chart_png(
    series: Sequence[WeekPoint], title: str = CHART_SUBTITLE, outcomes: Outcomes | None = None
) -> bytes:
    """A bar chart of meetings and answered check-ins per week, as PNG bytes (Agg, no display).

    When the program has cohorts, a second panel below compares them side by side: pairs that met
    at least once, pairs still going at 90 days, pairs completed and goals achieved, in percent.
    """
    # Imported here: only the clock draws charts, and matplotlib takes a while to import.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    cohorts = chart_cohorts(outcomes)
    figure = Figure(figsize=(8, 8) if cohorts else (8, 4), dpi=100)
    FigureCanvasAgg(figure)
    axes, lower = figure.subplots(2, 1) if cohorts else (figure.add_subplot(), None)
    positions = list(range(len(series)))
    width = 0.38
    axes.bar(
        [x - width / 2 for x in positions],
        [point.answered for point in series],
        width,
        label="Answered check-ins",
        color="#4a90d9",
    )
    axes.bar(
        [x + width / 2 for x in positions],
        [point.meetings for point in series],
        width,
        label="Meetings (said they met)",
        color="#2eb67d",
    )
    axes.plot(
        positions,
        [point.checkins for point in series],
        color="#616061",
        marker="o",
        linestyle="--",
        label="Check-ins sent",
    )
    axes.set_xticks(positions, [f"{point.week_start:%b} {point.week_start.day}" for point in series])
    # A young program has few weeks: keep bars as wide as in a full chart instead of filling it.
    axes.set_xlim(-0.6, max(len(series), 4) - 0.4)
    axes.set_xlabel("Week starting (Monday, UTC)")
    axes.set_ylabel("Check-ins")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylim(bottom=0, top=max([1] + [point.checkins for point in series]) * 1.15)
    axes.set_title(title, pad=28)
    axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    if lower is not None:
        _cohort_panel(lower, cohorts, PercentFormatter)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Title": title, "Software": None})
    return buffer.getvalue()


def _cohort_panel(axes: Any, cohorts: Sequence[GroupOutcomes], percent_formatter: Any) -> None:
    """Grouped bars, one group per cohort; a share there is none of reads as a word, not a bar."""
    width = 0.8 / len(COHORT_BARS)
    for n, (label, color) in enumerate(COHORT_BARS):
        offset = (n - (len(COHORT_BARS) - 1) / 2) * width
        for x, group in enumerate(cohorts):
            value, none = cohort_shares(group)[n]
            spot = x + offset
            if value is None:
                axes.text(spot, 2, none, rotation=90, ha="center", va="bottom", fontsize=7, color="#616061")
                continue
            axes.bar(spot, value * 100, width, color=color, label=label if x == 0 else None)
            axes.text(spot, value * 100 + 1, f"{round(value * 100)}", ha="center", va="bottom", fontsize=7)
        if not any(cohort_shares(group)[n][0] is not None for group in cohorts):
            axes.bar(0, 0, width, color=color, label=label)  # still named in the legend
    axes.set_xticks(
        list(range(len(cohorts))),
        ["\n".join(textwrap.wrap(group.name, 18)[:2]) for group in cohorts],
    )
    axes.set_xlim(-0.6, max(len(cohorts), 2) - 0.4)
    axes.set_ylim(0, 112)
    axes.yaxis.set_major_formatter(percent_formatter(xmax=100, decimals=0))
    axes.set_ylabel("Share")
    axes.set_title(COHORTS_SUBTITLE, pad=28)
    axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=4, frameon=False, fontsize=8)
    axes.spines[["top", "right"]].set_visible(False)


def report_due(local: datetime) -> bool:
    """Whether a weekly report may go out at this local time: from Monday 09:00, 08:00-20:00 daily."""
    if local.hour not in DAY_HOURS:
        return False
    return local.weekday() > 0 or local.hour >= REPORT_FROM_HOUR


def iso_week(local: datetime) -> str:
    """The ISO week of a local instant, like 2026-W42."""
    year, week, _ = local.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class _Due:
    program_id: int
    team_id: str
    admin_user_id: str
    key: str
    week: str


def _due_reports(session_factory: SessionFactory, now: datetime, settings: Settings) -> list[_Due]:
    """Reports due now and not yet sent, from a few small queries; nothing is computed or drawn."""
    due: list[_Due] = []
    with session_factory() as session:
        programs = store.open_programs(session)
        recipients = {p.id: program_admins(session, p, settings) for p in programs}
        zones: dict[str, dict[str, str | None]] = {}
        for team_id in {p.team_id for p in programs}:
            everyone = {a for p in programs if p.team_id == team_id for a in recipients[p.id]}
            zones[team_id] = store.zones_of(session, team_id, everyone)
        for program in programs:
            for admin in recipients[program.id]:
                local = local_time(now, zones[program.team_id].get(admin))
                if report_due(local):
                    week = iso_week(local)
                    key = f"{REPORT}:{program.id}:{admin}:{week}"
                    due.append(_Due(program.id, program.team_id, admin, key, week))
        states = store.outbox_states(session, (d.key for d in due))
    # A recorded report is done unless it is still pending with its lease run out (a crashed or
    # deferred attempt); claiming decides between concurrent senders.
    return [d for d in due if d.key not in states or _retryable(*states[d.key], now)]


def _retryable(status: str, claimed_until: datetime | None, now: datetime) -> bool:
    return status == OutboxStatus.PENDING.value and (claimed_until is None or claimed_until < now)


def _claim(session_factory: SessionFactory, due: _Due, payload: dict, now: datetime) -> bool:
    with session_factory.begin() as session:
        if store.claim_key(
            session,
            {
                "team_id": due.team_id,
                "key": due.key,
                "kind": REPORT,
                "pair_id": None,
                "channel": due.admin_user_id,
                "payload": payload,
                "status": OutboxStatus.PENDING.value,
                "not_before": now + HELD,
                "claimed_until": now + LEASE,
                "attempts": 1,
                "created_at": now,
            },
        ):
            return True
        return store.reclaim_key(session, due.key, now, now + LEASE)


def _finish(
    session_factory: SessionFactory, key: str, now: datetime, *, ts: str | None, error: str | None
) -> None:
    with session_factory.begin() as session:
        row = session.scalars(select(OutboxMessage).where(OutboxMessage.key == key).with_for_update()).one()
        row.claimed_until = None
        if ts is not None:
            row.status, row.sent_at, row.message_ts, row.error = OutboxStatus.SENT.value, now, ts, None
            return
        row.error = (error or "")[:200]
        # A transient refusal is tried again, with the outbox's capped backoff (held as the lease),
        # as long as it is still this report's week (the key names the week); only a permanent
        # one gives up.
        if error in PERMANENT:
            row.status = OutboxStatus.FAILED.value
            log.warning("giving up on the weekly report %s: %s", key, error)
        else:
            row.claimed_until = backoff(now, row.attempts)


@dataclass(frozen=True)
class _Report:
    health: ProgramHealth
    outcomes: Outcomes
    message: dict
    png: bytes
    alt_text: str


def _build(session_factory: SessionFactory, program_id: int, now: datetime) -> _Report | None:
    with session_factory() as session:
        program = session.get(Program, program_id)
        if program is None:
            return None
        health = program_health(session, program, now)
        if health.people == 0 and health.pairs == 0:
            return None  # nobody in the program yet: nothing to report
        series = weekly_series(session, program, now, WEEKS)
        outcomes = program_outcomes(session, program, now)
    png = chart_png(series, chart_title(health.program_name), outcomes)
    return _Report(
        health,
        outcomes,
        report_message(health, series, outcomes),
        png,
        chart_alt_text(health.program_name, series, outcomes),
    )


def send_weekly_reports(
    session_factory: SessionFactory, clients: WebClient | Speakers, now: datetime, settings: Settings
) -> int:
    """DM each program's admins its weekly report and chart, once per admin and ISO week; returns how many."""
    refresh_workspace_admins(session_factory, clients, now)  # at most daily: who the workspace's admins are
    built: dict[int, _Report | None] = {}
    sent = 0
    for due in _due_reports(session_factory, now, settings):
        if due.program_id not in built:
            built[due.program_id] = _build(session_factory, due.program_id, now)
        report = built[due.program_id]
        client = speakers(clients).client_for(due.team_id)
        if client is None:  # mentorbot was removed from the workspace
            continue
        if report is None or not _claim(session_factory, due, {"text": report.message["text"]}, now):
            continue
        try:
            channel = client.conversations_open(users=due.admin_user_id)["channel"]["id"]
            ts = _post_report(client, channel, due, report)
        except SlackApiError as error:
            code = error.response.get("error") or f"http {error.response.status_code}"
            _finish(session_factory, due.key, now, ts=None, error=code)
            continue
        except (OSError, TimeoutError) as error:
            _finish(session_factory, due.key, now, ts=None, error=type(error).__name__)
            continue
        _finish(session_factory, due.key, now, ts=ts or "", error=None)
        sent += 1
    return sent


def _post_report(client: WebClient, channel: str, due: _Due, report: _Report) -> str | None:
    """One message: the chart with the report as its comment; the report alone without files:write."""
    try:
        uploaded = client.files_upload_v2(
            channel=channel,
            content=report.png,
            filename=f"mentorbot-{due.week}-program-{due.program_id}.png",
            title=f"{report.health.program_name}: meetings and answered check-ins"
            f"{', cohorts compared' if report.outcomes.cohorts else ''}, {due.week}",
            alt_txt=report.alt_text,
            initial_comment=report.message["comment"],
        )
        return str((uploaded.get("files") or [{}])[0].get("id") or "file")
    except SlackApiError as error:
        if error.response.get("error") not in ("missing_scope", "not_allowed_token_type", "no_permission"):
            raise
        log.warning("weekly chart upload for %s failed: %s", due.key, error.response.get("error"))
    message = {key: value for key, value in report.message.items() if key != "comment"}
    return client.chat_postMessage(channel=channel, **message).get("ts")
