"""Admin insights: a program's health on the Home tab, one-click actions, and the weekly report.

A seeded program with pairs, check-ins, goals and pulses must give exactly the figures the
definitions in `bot/insights.py` say, on SQLite and PostgreSQL, from aggregate queries; admins
must never see what a pair wrote, on any surface they can reach.
"""

from __future__ import annotations

import io
import json
import threading
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import event, select

from bot import ids
from bot.app import create_sending_client
from bot.config import Settings
from bot.delivery import dispatch_due
from bot.goals import GoalCard
from bot.home import Enrollment, HomeSnapshot, PairSummary
from bot.insights import AtRiskPair, ProgramHealth, WeekPoint, program_health, weekly_series
from bot.report import LEASE, chart_png, send_weekly_reports
from bot.views.common import MAX_BLOCKS_VIEW
from bot.views.home import home_view
from bot.views.insights import NUDGE_PAIR
from storage import insights as store
from storage.db import SessionFactory
from storage.models import (
    Agreement,
    CheckIn,
    CheckInAnswer,
    Goal,
    GoalFeedback,
    GoalMilestone,
    GoalUpdate,
    Introduction,
    OutboxMessage,
    Pair,
    PairFeedback,
    Person,
    Profile,
    Program,
    Pulse,
    Workspace,
)
from tests.blockkit import assert_valid_message, assert_valid_view
from tests.conftest import TestDatabase
from tests.fakes.slack_api import BOT_TOKEN, TEAM_ID, FakeSlack
from tests.fakes.slack_requests import SIGNING_SECRET, SlackSender
from tests.test_cli import base_env, run
from tests.test_clock_cli import seeded_database
from tests.test_pairing import blocks_of

PROGRAM_ADMIN = "UPROGADMIN"  # in the program's own admin list
CONFIG_ADMIN = "UCONFADMIN"  # in MENTORBOT_ADMINS
WORKSPACE_ADMIN = "UWSADMIN"  # a Slack workspace admin
SECRET = "SECRET"  # every private text seeded below carries it
MONDAY = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # ISO week 2026-W45
CHART = Path("/tmp/mentorbot-weekly-chart.png")


@pytest.fixture
def settings(fake_slack: FakeSlack, database: TestDatabase) -> Settings:
    """The shared settings, with one admin configured in MENTORBOT_ADMINS."""
    return Settings(
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        database_url=database.url,
        slack_api_url=fake_slack.base_url,
        admin_user_ids=frozenset({CONFIG_ADMIN}),
    )


@dataclass(frozen=True)
class Seeded:
    program_id: int
    other_program_id: int
    at_risk: int  # UM1 mentors UE1, active, three check-ins unanswered
    paused: int  # UM1 mentors UE2 (flagged at risk before it was paused)
    ended: int  # UM2 mentored UE3
    active: int  # UM2 mentors UE4
    latest_at_risk_checkin: int


def seed_program(session_factory: SessionFactory, now: datetime, *, private_texts: bool = True) -> Seeded:
    """Mentorship (admin UPROGADMIN): 3 mentors (one deactivated), 1 both, 4 mentees, 4 pairs.

    Check-ins `k` weeks before `now`: the at-risk pair k=4 (answered "not yet"), 3, 2, 1 (not
    answered); the active pair k=6, 5, 4 (yes), 3 (rescheduled), 2 (not yet), 1 (not answered); the
    ended pair k=9, 8, 7 (yes). Another program's pair has two answered check-ins that must not count.
    Every free text a member could write carries SECRET.
    """
    today = now.date()
    secret = (lambda what: f"{SECRET}-{what}-TEXT") if private_texts else (lambda what: f"plain {what}")
    with session_factory.begin() as session:
        session.add(Workspace(team_id=TEAM_ID))
        session.flush()
        program = Program(
            team_id=TEAM_ID,
            name="Mentorship",
            is_default=True,
            skills=[],
            admin_user_ids=[PROGRAM_ADMIN],
            created_at=now - timedelta(weeks=12),
        )
        other = Program(team_id=TEAM_ID, name="Other", skills=[], admin_user_ids=[])
        session.add_all([program, other])
        session.flush()
        people: dict[str, Person] = {}
        for user_id in ("UM1", "UM2", "UM3", "UM4", "UB1", "UE1", "UE2", "UE3", "UE4", "UE5", "UX1", "UX2"):
            people[user_id] = Person(team_id=TEAM_ID, user_id=user_id, tz="UTC")
        people["UM3"].deactivated_at = now - timedelta(days=3)
        people[CONFIG_ADMIN] = Person(team_id=TEAM_ID, user_id=CONFIG_ADMIN, tz="America/Los_Angeles")
        session.add_all(people.values())
        session.flush()

        def enroll(user_id: str, role: str, capacity: int = 1, *, left: bool = False, into=program) -> None:
            session.add(
                Profile(
                    team_id=TEAM_ID,
                    program_id=into.id,
                    person_id=people[user_id].id,
                    role=role,
                    mentor_capacity=capacity,
                    motivations=secret("PROFILE-MOTIVATION"),
                    background=secret("PROFILE-BACKGROUND"),
                    left_at=now - timedelta(days=1) if left else None,
                )
            )

        enroll("UM1", "mentor", 2)
        enroll("UM2", "mentor", 1)
        enroll("UM3", "mentor", 3)  # deactivated: counted as a person, offers no capacity
        enroll("UM4", "mentor", 2, left=True)
        enroll("UB1", "both", 1)
        for user_id in ("UE1", "UE2", "UE3", "UE4"):
            enroll(user_id, "mentee")
        enroll("UE5", "mentee", left=True)
        enroll("UX1", "mentor", into=other)
        enroll("UX2", "mentee", into=other)

        def pair(mentor: str, mentee: str, status: str, into=program, **extra) -> Pair:
            row = Pair(
                team_id=TEAM_ID,
                program_id=into.id,
                mentor_id=people[mentor].id,
                mentee_id=people[mentee].id,
                status=status,
                created_at=now - timedelta(weeks=12),
                match_reason="Shared skills: Leadership",
                **extra,
            )
            session.add(row)
            session.flush()
            return row

        at_risk = pair(
            "UM1",
            "UE1",
            "active",
            dm_channel_id="GPAIR1",
            unanswered_checkins=3,
            at_risk_since=now - timedelta(weeks=1),
        )
        paused = pair("UM1", "UE2", "paused", at_risk_since=now - timedelta(weeks=2))
        ended = pair("UM2", "UE3", "ended", ended_at=now - timedelta(weeks=6))
        active = pair("UM2", "UE4", "active", dm_channel_id="GPAIR4")
        elsewhere = pair("UX1", "UX2", "active", into=other)

        def checkin(of: Pair, weeks_ago: int, met: str | None = None, answered: bool = True) -> CheckIn:
            due = now - timedelta(weeks=weeks_ago)
            row = CheckIn(
                team_id=TEAM_ID,
                pair_id=of.id,
                due_at=due,
                created_at=due,
                met=met if answered else None,
                answered_at=due + timedelta(hours=2) if answered else None,
            )
            session.add(row)
            session.flush()
            if answered:
                session.add(
                    CheckInAnswer(
                        checkin_id=row.id,
                        person_id=of.mentee_id,
                        met=met,
                        learned=secret("ANSWER-LEARNED"),
                        blocker=secret("ANSWER-BLOCKER"),
                        answered_at=due + timedelta(hours=2),
                    )
                )
            return row

        checkin(at_risk, 4, "not_yet")
        latest = None
        for weeks_ago in (3, 2, 1):
            latest = checkin(at_risk, weeks_ago, answered=False)
        for weeks_ago, met in ((6, "yes"), (5, "yes"), (4, "yes"), (3, "rescheduled"), (2, "not_yet")):
            checkin(active, weeks_ago, met)
        checkin(active, 1, answered=False)
        for weeks_ago in (9, 8, 7):
            checkin(ended, weeks_ago, "yes")
        checkin(elsewhere, 1, "yes")
        checkin(elsewhere, 2, "yes")

        def goal(of: Pair, status: str, deadline: date) -> Goal:
            row = Goal(
                team_id=TEAM_ID,
                pair_id=of.id,
                owner_id=of.mentee_id,
                specific=secret("GOAL-SPECIFIC"),
                measure_kind="milestones",
                attainable=secret("GOAL-ATTAINABLE"),
                realistic=secret("GOAL-REALISTIC"),
                deadline=deadline,
                status=status,
                closing_note=secret("GOAL-CLOSING") if status != "active" else None,
            )
            session.add(row)
            session.flush()
            session.add(GoalMilestone(goal_id=row.id, position=0, text=secret("GOAL-MILESTONE")))
            update = GoalUpdate(goal_id=row.id, author_id=of.mentee_id, note=secret("GOAL-UPDATE"))
            session.add(update)
            session.flush()
            session.add(
                GoalFeedback(
                    goal_id=row.id, update_id=update.id, author_id=of.mentor_id, text=secret("GOAL-FB")
                )
            )
            return row

        goal(at_risk, "active", today + timedelta(days=30))
        goal(at_risk, "active", today - timedelta(days=3))  # overdue
        goal(active, "active", today)  # due today: not overdue yet
        goal(active, "achieved", today - timedelta(days=10))
        goal(active, "missed", today - timedelta(days=20))  # overdue
        goal(active, "dropped", today + timedelta(days=5))
        goal(ended, "achieved", today - timedelta(weeks=7))
        goal(elsewhere, "missed", today - timedelta(days=1))

        def pulse(of: Pair, person: int, score: int | None, days_ago: int) -> None:
            session.add(
                Pulse(
                    team_id=TEAM_ID,
                    pair_id=of.id,
                    person_id=person,
                    asked_on=today - timedelta(days=days_ago),
                    score=score,
                    comment=secret("PULSE-COMMENT") if score else None,
                    answered_at=now - timedelta(days=days_ago) if score else None,
                )
            )

        pulse(at_risk, at_risk.mentee_id, 2, 10)
        pulse(active, active.mentor_id, 4, 10)
        pulse(active, active.mentee_id, 5, 10)
        pulse(active, active.mentee_id, None, 3)  # asked, not answered
        pulse(elsewhere, elsewhere.mentee_id, 1, 3)
        session.add(
            PairFeedback(
                team_id=TEAM_ID,
                pair_id=ended.id,
                person_id=ended.mentee_id,
                rating=4,
                comment=secret("FEEDBACK"),
            )
        )
        session.add(
            Agreement(
                team_id=TEAM_ID,
                pair_id=at_risk.id,
                frequency="weekly",
                weekday=1,
                local_time="09:00",
                tz="UTC",
                meeting_format="video",
                location=secret("AGREEMENT-LOCATION"),
                start_date=today - timedelta(weeks=12),
                expectations=secret("AGREEMENT-EXPECTATIONS"),
                saved_by_user_id="UE1",
            )
        )
        session.add(
            Introduction(
                team_id=TEAM_ID,
                pair_id=active.id,
                person_id=people["UM1"].id,
                reason=secret("INTRO-REASON"),
                question=secret("INTRO-QUESTION"),
            )
        )
        assert latest is not None
        return Seeded(program.id, other.id, at_risk.id, paused.id, ended.id, active.id, latest.id)


def _health(session_factory: SessionFactory, program_id: int, now: datetime) -> ProgramHealth:
    with session_factory() as session:
        return program_health(session, session.get(Program, program_id), now)


def test_program_health_gives_the_seeded_figures(session_factory: SessionFactory) -> None:
    seeded = seed_program(session_factory, MONDAY)

    health = _health(session_factory, seeded.program_id, MONDAY)

    assert (health.program_name, health.mentors, health.mentees, health.both) == ("Mentorship", 3, 4, 1)
    # UE3 (their pair ended) and UB1 wait; UM1 and UM2 are full, UM3 is deactivated, UB1 has one place.
    assert (health.unpaired_mentees, health.free_mentor_capacity, health.mentors_with_room) == (2, 1, 1)
    assert (health.pairs_active, health.pairs_paused, health.pairs_ended) == (2, 1, 1)
    assert (health.checkins, health.checkins_answered, health.met_yes) == (13, 9, 6)
    assert health.answered_share == pytest.approx(9 / 13)
    assert health.met_share == pytest.approx(6 / 9)
    assert (health.goals_set, health.goals_active, health.goals_achieved, health.goals_overdue) == (
        7,
        3,
        2,
        2,
    )
    assert (health.pulse_answers, health.pulse_average) == (3, pytest.approx(11 / 3))
    assert health.at_risk_count == 1, "a paused pair is not at risk"
    (at_risk,) = health.at_risk
    assert (at_risk.pair_id, at_risk.mentor_user_id, at_risk.mentee_user_id, at_risk.unanswered) == (
        seeded.at_risk,
        "UM1",
        "UE1",
        3,
    )
    assert at_risk.since == MONDAY - timedelta(weeks=1)

    other = _health(session_factory, seeded.other_program_id, MONDAY)
    assert (other.people, other.checkins, other.met_yes, other.goals_overdue, other.pulse_average) == (
        2,
        2,
        2,
        1,
        1.0,
    )


def test_an_empty_program_has_zeros_and_no_shares(session_factory: SessionFactory) -> None:
    with session_factory.begin() as session:
        session.add(Workspace(team_id=TEAM_ID))
        session.flush()
        program = Program(team_id=TEAM_ID, name="Empty", is_default=True, skills=[], admin_user_ids=[])
        session.add(program)
        session.flush()
        program_id = program.id

    health = _health(session_factory, program_id, MONDAY)

    assert (health.people, health.pairs, health.checkins, health.goals_set, health.free_mentor_capacity) == (
        0,
        0,
        0,
        0,
        0,
    )
    assert (health.answered_share, health.met_share, health.pulse_average) == (None, None, None)


def test_weekly_series_counts_checkins_per_iso_week_on_both_databases(
    session_factory: SessionFactory,
) -> None:
    seeded = seed_program(session_factory, MONDAY)
    with session_factory.begin() as session:
        for due in (
            datetime(2026, 11, 1, 23, 59, 59, tzinfo=UTC),  # a Sunday night: the week of Oct 26
            datetime(2026, 11, 2, 0, 0, tzinfo=UTC),  # Monday midnight: this week
            datetime(2026, 9, 13, 23, 0, tzinfo=UTC),  # before the eight weeks shown
            datetime(2026, 11, 9, 9, 0, tzinfo=UTC),  # next week
        ):
            session.add(CheckIn(team_id=TEAM_ID, pair_id=seeded.active, due_at=due, created_at=due))

    with session_factory() as session:
        series = weekly_series(session, session.get(Program, seeded.program_id), MONDAY)

    starts = [date(2026, 9, 14) + timedelta(weeks=n) for n in range(8)]
    assert [p.week_start for p in series] == starts
    assert all(p.week_start.weekday() == 0 for p in series)
    assert [(p.checkins, p.answered, p.meetings) for p in series] == [
        (1, 1, 1),  # 7 weeks ago: the ended pair
        (1, 1, 1),
        (1, 1, 1),
        (2, 2, 1),  # 4 weeks ago: "not yet" and "yes"
        (2, 1, 0),
        (2, 1, 0),
        (3, 0, 0),  # last week: two unanswered, and Sunday night's
        (1, 0, 0),  # this week: Monday midnight's
    ]


def test_weekly_series_starts_in_the_week_the_program_was_set_up(session_factory: SessionFactory) -> None:
    seeded = seed_program(session_factory, MONDAY)
    with session_factory.begin() as session:
        session.get(Program, seeded.program_id).created_at = datetime(2026, 10, 15, 9, 0, tzinfo=UTC)

    with session_factory() as session:
        series = weekly_series(session, session.get(Program, seeded.program_id), MONDAY)

    assert [p.week_start for p in series] == [
        date(2026, 10, 12),
        date(2026, 10, 19),
        date(2026, 10, 26),
        MONDAY.date(),
    ]


def test_insights_are_a_few_aggregate_queries_that_never_read_private_columns(
    session_factory: SessionFactory, database: TestDatabase
) -> None:
    seeded = seed_program(session_factory, MONDAY)
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement.lower())

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        with session_factory() as session:
            program = session.get(Program, seeded.program_id)
            statements.clear()
            program_health(session, program, MONDAY)
            weekly_series(session, program, MONDAY)
    finally:
        event.remove(database.engine, "before_cursor_execute", record)

    assert len(statements) <= 10, statements
    reading_checkins = [s for s in statements if "from checkins" in s or "join checkins" in s]
    assert len(reading_checkins) == 2
    assert all("count(" in s for s in reading_checkins), "check-ins are counted in SQL, never loaded"
    for private in ("checkin_answers", "pair_feedback", "goal_updates", "goal_feedback", "introductions"):
        assert all(private not in s for s in statements)
    for column in (
        "specific",
        "learned",
        "blocker",
        "comment",
        "expectations",
        "closing_note",
        "motivations",
        "prep_topics",
        "prep_questions",
        "prep_went_well",
        "prep_hard",
        "notes",
        "mentor_questions",
        "action_items.text",
        "private_notes",
    ):
        assert all(column not in s for s in statements), column


def test_admin_home_shows_program_health_with_one_click_actions(
    slack: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    seeded = seed_program(session_factory, datetime.now(UTC))
    fake_slack.add_user(PROGRAM_ADMIN)
    fake_slack.add_user(WORKSPACE_ADMIN, is_admin=True)
    fake_slack.add_user("UE1")

    slack.open_home(PROGRAM_ADMIN)
    slack.open_home(WORKSPACE_ADMIN)
    slack.open_home("UE1")

    views = {c.args["user_id"]: c.args["view"] for c in fake_slack.wait_for("views.publish", count=3)}
    for view in views.values():
        assert_valid_view(view)
    admin = str(views[PROGRAM_ADMIN]["blocks"])
    assert views[PROGRAM_ADMIN]["blocks"][0]["text"]["text"] == "Program health", "admins see it on top"
    for figure in (
        "3 mentors · 4 mentees · 1 both",
        "2 mentees · room for 1 more with 1 mentor",
        "2 active · 1 paused · 1 ended",
        "69% (9 of 13)",
        "67% of answers (6 of 9)",
        "7 set · 2 achieved · 2 overdue",
        "3.7 of 5 (3 answers)",
        "<@UM1> → <@UE1>: 3 check-ins unanswered in a row",
    ):
        assert figure in admin, figure
    assert "*Other*" not in admin, "a program admin sees only their programs"
    actions = {
        e["action_id"]: e["value"]
        for b in views[PROGRAM_ADMIN]["blocks"]
        if b["type"] == "actions" and b.get("block_id", "").startswith("insights_")
        for e in b["elements"]
    }
    assert actions == {
        NUDGE_PAIR: str(seeded.at_risk),
        ids.PAIR_PAUSE: str(seeded.at_risk),
        ids.PAIR_END: str(seeded.at_risk),
    }
    assert "*Other*" in str(views[WORKSPACE_ADMIN]["blocks"]), "workspace admins see every program"
    assert "Program health" not in str(views["UE1"]["blocks"])
    assert "Your mentor <@UM1>" in str(views["UE1"]["blocks"])


def test_an_admin_nudges_an_at_risk_pair_once_a_day_and_one_click_answers_it(
    slack: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory, settings: Settings
) -> None:
    seeded = seed_program(session_factory, datetime.now(UTC))
    for user_id in (PROGRAM_ADMIN, "UE1", "UE4"):
        fake_slack.add_user(user_id)

    slack.click(NUDGE_PAIR, str(seeded.at_risk), user_id=PROGRAM_ADMIN, view={"type": "home"})
    note = fake_slack.wait_until("chat.postMessage", lambda c: c.args["channel"] == PROGRAM_ADMIN)
    slack.click(NUDGE_PAIR, str(seeded.at_risk), user_id=PROGRAM_ADMIN, view={"type": "home"})
    again = fake_slack.wait_until(
        "chat.postMessage", lambda c: c.args["channel"] == PROGRAM_ADMIN and "already" in c.args["text"]
    )
    slack.click(NUDGE_PAIR, str(seeded.active), user_id="UE4", view={"type": "home"})
    outsider = fake_slack.wait_until("chat.postMessage", lambda c: c.args["channel"] == "UE4")

    assert "I will nudge <@UM1> and <@UE1> in their DM" in note.args["text"]
    assert "were nudged today already" in again.args["text"]
    assert "Only program admins can nudge" in outsider.args["text"]
    fake_slack.wait_until("chat.postMessage", lambda c: c.args["channel"] == "GPAIR1")  # daytime: at once
    dispatch_due(session_factory, create_sending_client(settings), datetime.now(UTC) + timedelta(days=1))
    with session_factory() as session:
        (queued,) = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "admin_nudge")).all()
    assert (queued.pair_id, queued.channel, queued.status) == (seeded.at_risk, "GPAIR1", "sent")

    (nudge,) = [c for c in fake_slack.calls_to("chat.postMessage") if c.args["channel"] == "GPAIR1"]
    blocks = (
        json.loads(nudge.args["blocks"]) if isinstance(nudge.args["blocks"], str) else nudge.args["blocks"]
    )
    assert_valid_message(blocks)
    assert f"program admin <@{PROGRAM_ADMIN}> is checking in" in nudge.args["text"]
    met = {e["action_id"]: e["value"] for b in blocks if b["type"] == "actions" for e in b["elements"]}
    assert met[f"{ids.CHECKIN_MET}_yes"] == f"{seeded.latest_at_risk_checkin}:yes"

    slack.click(f"{ids.CHECKIN_MET}_yes", met[f"{ids.CHECKIN_MET}_yes"], user_id="UE1", message=nudge.args)
    fake_slack.wait_until("views.publish", lambda c: c.args["user_id"] == "UE1")
    with session_factory() as session:
        pair = session.get(Pair, seeded.at_risk)
    assert (pair.at_risk_since, pair.unanswered_checkins) == (None, 0)


def test_an_admin_pauses_and_ends_pairs_from_the_home_tab(
    slack: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    seeded = seed_program(session_factory, datetime.now(UTC))
    fake_slack.add_user(PROGRAM_ADMIN)

    slack.click(ids.PAIR_PAUSE, str(seeded.at_risk), user_id=PROGRAM_ADMIN, view={"type": "home"})
    fake_slack.wait_until("chat.postMessage", lambda c: "paused your mentorship" in c.args.get("text", ""))
    slack.click(ids.PAIR_END, str(seeded.active), user_id=PROGRAM_ADMIN, view={"type": "home"})
    fake_slack.wait_until("chat.postMessage", lambda c: "has ended" in c.args.get("text", ""))

    with session_factory() as session:
        assert session.get(Pair, seeded.at_risk).status == "paused"
        assert session.get(Pair, seeded.active).status == "ended"
    health = _health(session_factory, seeded.program_id, datetime.now(UTC))
    assert (health.pairs_active, health.pairs_paused, health.pairs_ended, health.at_risk_count) == (
        0,
        2,
        2,
        0,
    )


def _posted_to(fake_slack: FakeSlack, user_id: str) -> list:
    """The reports shared in the person's DM: each one chart with the report as its comment."""
    opened = [c for c in fake_slack.calls_to("conversations.open") if c.args["users"] == user_id]
    channels = {c.response["channel"]["id"] for c in opened}
    return [
        c for c in fake_slack.calls_to("files.completeUploadExternal") if c.args["channel_id"] in channels
    ]


def test_weekly_report_dms_each_admin_once_per_iso_week_in_their_daytime(
    session_factory: SessionFactory, fake_slack: FakeSlack, settings: Settings
) -> None:
    seeded = seed_program(session_factory, MONDAY)
    client = create_sending_client(settings)

    early = send_weekly_reports(session_factory, client, MONDAY.replace(hour=8, minute=30), settings)
    first = send_weekly_reports(session_factory, client, MONDAY, settings)
    again = send_weekly_reports(session_factory, client, MONDAY + timedelta(hours=1), settings)
    # 09:00 in Los Angeles: the configured admin gets both programs' reports.
    west = send_weekly_reports(session_factory, client, MONDAY + timedelta(hours=7), settings)
    friday = send_weekly_reports(session_factory, client, MONDAY + timedelta(days=4, hours=7), settings)
    next_week = send_weekly_reports(session_factory, client, MONDAY + timedelta(weeks=1, hours=7), settings)

    assert (early, first, again, west, friday, next_week) == (0, 1, 0, 2, 0, 3)
    (report,) = _posted_to(fake_slack, PROGRAM_ADMIN)[:1]
    assert report.ok
    assert fake_slack.calls_to("chat.postMessage") == [], "the report is the chart's comment: one message"
    comment = report.args["initial_comment"]
    assert comment.startswith(
        "Weekly report for Mentorship: 2 active pairs, 69% of check-ins answered, 1 at risk."
    )
    assert "*Recent weeks* (meetings, answered check-ins)" in comment
    assert "*At risk*" in comment
    assert len(_posted_to(fake_slack, CONFIG_ADMIN)) == 4
    files = list(fake_slack.files.values())
    assert len(files) == 6
    assert all(f["content"].startswith(b"\x89PNG\r\n\x1a\n") for f in files)
    assert files[0]["channel"] == report.args["channel_id"]
    assert files[0]["filename"].startswith("mentorbot-2026-W45-program-")
    uploads = fake_slack.calls_to("files.getUploadURLExternal")
    assert len(uploads) == 6
    assert all(call.args.get("alt_txt", "").startswith("Bar chart of check-ins for ") for call in uploads)
    assert "week of Nov 2: " in uploads[0].args["alt_txt"]
    with session_factory() as session:
        rows = session.execute(
            select(OutboxMessage.key, OutboxMessage.status).where(OutboxMessage.kind == "report")
        ).all()
    assert len(rows) == 6
    assert (f"report:{seeded.program_id}:{PROGRAM_ADMIN}:2026-W45", "sent") in rows
    assert {status for _, status in rows} == {"sent"}


def test_a_report_that_failed_or_whose_sender_crashed_is_sent_once_later(
    session_factory: SessionFactory, fake_slack: FakeSlack, settings: Settings
) -> None:
    seeded = seed_program(session_factory, MONDAY)
    client = create_sending_client(settings)
    # A sender claimed the Other program's report for the configured admin and died.
    key = f"report:{seeded.other_program_id}:{CONFIG_ADMIN}:2026-W45"
    west = MONDAY + timedelta(hours=7)
    with session_factory.begin() as session:
        assert store.claim_key(
            session,
            {
                "team_id": TEAM_ID,
                "key": key,
                "kind": "report",
                "channel": CONFIG_ADMIN,
                "payload": {"text": "report"},
                "status": "pending",
                "not_before": west + timedelta(days=3650),
                "claimed_until": west + LEASE,
                "attempts": 1,
                "created_at": west,
            },
        )
    fake_slack.fail_next("files.completeUploadExternal", status=503)

    at_once = send_weekly_reports(session_factory, client, west, settings)
    retried = send_weekly_reports(session_factory, client, west + timedelta(minutes=1), settings)
    after_lease = send_weekly_reports(session_factory, client, west + timedelta(minutes=6), settings)
    later = send_weekly_reports(session_factory, client, west + timedelta(hours=2), settings)

    assert (at_once, retried, after_lease, later) == (1, 1, 1, 0)
    dispatch_due(session_factory, client, west + timedelta(hours=3))  # the outbox sender leaves reports be
    reports = [
        c
        for c in fake_slack.calls_to("files.completeUploadExternal")
        if c.ok and c.args.get("initial_comment", "").startswith("Weekly report")
    ]
    assert len(reports) == 3


def test_two_clocks_at_once_send_each_report_once(
    database: TestDatabase, session_factory: SessionFactory, fake_slack: FakeSlack, settings: Settings
) -> None:
    if database.kind != "postgresql":
        pytest.skip("SQLite deployments run one clock")
    seed_program(session_factory, MONDAY)
    west = MONDAY + timedelta(hours=7)
    counts: list[int] = []

    def clock() -> None:
        counts.append(send_weekly_reports(session_factory, create_sending_client(settings), west, settings))

    threads = [threading.Thread(target=clock) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(counts) == 3
    assert sum(1 for c in fake_slack.calls_to("files.completeUploadExternal") if c.ok) == 3
    assert len(fake_slack.files) == 3, "each report once: its chart with the report as the comment"


def test_the_chart_is_a_real_png_of_the_seeded_weeks(session_factory: SessionFactory) -> None:
    seeded = seed_program(session_factory, MONDAY)
    with session_factory() as session:
        series = weekly_series(session, session.get(Program, seeded.program_id), MONDAY)

    png = chart_png(series, "Mentorship: meetings and answered check-ins per week")
    CHART.write_bytes(png)  # look at it: /tmp/mentorbot-weekly-chart.png

    image = Image.open(io.BytesIO(png))
    assert (image.format, image.size) == ("PNG", (800, 400))
    colors = {color: count for count, color in image.convert("RGB").getcolors(maxcolors=1 << 20)}
    answered, meetings = colors.get((0x4A, 0x90, 0xD9), 0), colors.get((0x2E, 0xB6, 0x7D), 0)
    # Bars are as tall as their counts: 9 answered and 6 meetings over the eight weeks (+ the legend).
    assert answered > meetings > 0
    assert chart_png([WeekPoint(date(2026, 11, 2))]).startswith(b"\x89PNG")


def test_nothing_an_admin_can_reach_shows_a_pairs_private_contents(
    slack: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory, settings: Settings
) -> None:
    now = datetime.now(UTC)
    seeded = seed_program(session_factory, now)
    with session_factory() as session:
        private = [
            *session.scalars(select(Goal.specific)),
            *session.scalars(select(CheckInAnswer.learned)),
            *session.scalars(select(PairFeedback.comment)),
            *session.scalars(select(Pulse.comment).where(Pulse.comment.is_not(None))),
        ]
    assert len(private) > 10
    assert all(SECRET in text for text in private), "the seed holds private texts"
    for user_id in (PROGRAM_ADMIN, WORKSPACE_ADMIN):
        fake_slack.add_user(user_id, is_admin=user_id == WORKSPACE_ADMIN)

    # Every admin surface: the Home tab, /mentor list, a nudge, the export (as programs have it by
    # default, without free text), and the weekly report with its chart.
    slack.open_home(PROGRAM_ADMIN)
    slack.open_home(WORKSPACE_ADMIN)
    slack.slash("list", user_id=PROGRAM_ADMIN)
    slack.click(NUDGE_PAIR, str(seeded.at_risk), user_id=PROGRAM_ADMIN, view={"type": "home"})
    slack.slash("export", user_id=PROGRAM_ADMIN)
    fake_slack.wait_for("views.publish", count=3)  # two opened, one refreshed after the nudge
    fake_slack.wait_for("views.open")
    fake_slack.wait_for("files.completeUploadExternal", count=5)  # the export's CSV files
    # Tuesday 18:00 UTC of this week: daytime for the admins in UTC and in Los Angeles.
    tuesday = datetime.combine(now.date() - timedelta(days=now.weekday() - 1), datetime.min.time(), UTC)
    sent = send_weekly_reports(
        session_factory, create_sending_client(settings), tuesday + timedelta(hours=18), settings
    )

    assert sent == 3
    methods = {c.method for c in fake_slack.calls}
    assert {"views.publish", "views.open", "chat.postMessage", "files.completeUploadExternal"} <= methods
    for call in fake_slack.calls:  # nothing reached the pairs themselves: every call served an admin
        assert SECRET not in json.dumps(call.args), f"{call.method} to an admin shows private text"
    files = list(fake_slack.files.values())
    assert any(b"UM1" in f["content"] for f in files if f["filename"].endswith(".csv")), "the export has rows"
    assert sorted(f["filename"].rsplit(".", 1)[-1] for f in files) == ["csv"] * 5 + ["png"] * 3
    for stored in files:
        assert SECRET.encode() not in stored["content"], stored["filename"]
        assert SECRET not in f"{stored['filename']} {stored['title']}"
        if stored["filename"].endswith(".png"):
            assert SECRET not in json.dumps(Image.open(io.BytesIO(stored["content"])).info, default=str)
    with session_factory() as session:
        payloads = session.scalars(select(OutboxMessage.payload).where(OutboxMessage.kind == "report"))
        assert all(SECRET not in json.dumps(p) for p in payloads)


def _many_pairs_snapshot(health: tuple[ProgramHealth, ...]) -> HomeSnapshot:
    now = datetime(2026, 11, 2, tzinfo=UTC)
    goals = tuple(
        GoalCard(
            goal_id=g,
            specific="Give a 20-minute talk at the guild",
            status="active",
            fraction=0.5,
            measure="1 of 2 talks",
            deadline=date(2026, 12, 1),
            days_left=29,
            is_owner=True,
            is_mentor=False,
            partner_user_id="UPARTNER",
        )
        for g in range(5)
    )
    pairs = tuple(
        PairSummary(
            pair_id=i, role="mentee", partner_user_id=f"U{i:05d}", status="active", since=now, goals=goals
        )
        for i in range(300)
    )
    return HomeSnapshot(
        user_id="UBUSY", enrollments=(Enrollment("Leadership", "mentee"),), pairs=pairs, health=health
    )


def _health_with_at_risk(program_id: int, at_risk: int) -> ProgramHealth:
    since = datetime(2026, 10, 1, tzinfo=UTC)
    return ProgramHealth(
        program_id=program_id,
        program_name=f"Program {program_id} " + "x" * 70,
        as_of=since,
        pairs_active=at_risk,
        at_risk_count=at_risk,
        at_risk=tuple(AtRiskPair(p, f"UMENTOR{p}", f"UMENTEE{p}", 4, since) for p in range(min(at_risk, 25))),
    )


@pytest.mark.parametrize(("programs", "at_risk"), [(1, 200), (12, 25), (150, 3)])
def test_the_home_tab_of_a_busy_admin_stays_within_100_blocks(programs: int, at_risk: int) -> None:
    health = tuple(_health_with_at_risk(n, at_risk) for n in range(1, programs + 1))

    busy = home_view(_many_pairs_snapshot(health), [])
    quiet = home_view(HomeSnapshot(user_id="UADMIN", health=health), [])

    for view in (busy, quiet):
        assert_valid_view(view)
        assert len(view["blocks"]) <= MAX_BLOCKS_VIEW
        assert view["blocks"][0]["text"]["text"] == "Program health"
        assert "more at-risk pair" in str(view["blocks"]) or "more program" in str(view["blocks"])
    assert "and 292 more pairs" in str(busy["blocks"]), "the member's own pairs are still summarised"
    nudges = [e for b in quiet["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert nudges, "with room to spare, at-risk pairs get their buttons"


def test_settings_admins_and_program_admins_see_health_without_a_slack_lookup(
    session_factory: SessionFactory, settings: Settings
) -> None:
    seed_program(session_factory, MONDAY)
    from bot.insights import administered_programs

    with session_factory() as session:
        configured = administered_programs(session, TEAM_ID, CONFIG_ADMIN, settings)
        own = administered_programs(session, TEAM_ID, PROGRAM_ADMIN, settings)
        member = administered_programs(session, TEAM_ID, "UE1", replace(settings, admin_user_ids=frozenset()))

    assert [p.name for p in configured] == ["Mentorship", "Other"]
    assert [p.name for p in own] == ["Mentorship"]
    assert member == []


def test_dispatch_due_sends_the_weekly_report_once(tmp_path: Path, fake_slack: FakeSlack) -> None:
    env = base_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_API_URL=fake_slack.base_url,
        DATABASE_URL=seeded_database(tmp_path),
        MENTORBOT_ADMINS=CONFIG_ADMIN,
    )

    first = run(["dispatch-due", "--at", "2026-10-06T10:00:00Z"], env, tmp_path)
    again = run(["dispatch-due", "--at", "2026-10-06T11:00:00Z"], env, tmp_path)

    assert first.stdout.strip().splitlines()[-1] == "weekly reports 1", first.stderr
    assert "weekly reports" not in again.stdout, again.stderr
    (upload,) = fake_slack.files.values()
    assert upload["content"].startswith(b"\x89PNG")
    assert upload["filename"] == "mentorbot-2026-W41-program-1.png"


def test_goals_of_ended_pairs_and_forgotten_people_are_not_counted_overdue(
    session_factory: SessionFactory,
) -> None:
    seeded = seed_program(session_factory, MONDAY)
    before = _health(session_factory, seeded.program_id, MONDAY).goals_overdue
    late = MONDAY.date() - timedelta(days=5)
    with session_factory.begin() as session:
        ended = session.get(Pair, seeded.ended)
        paused = session.get(Pair, seeded.paused)
        session.get(Person, paused.mentee_id).forgotten_at = MONDAY
        for pair, status in ((ended, "active"), (ended, "missed"), (paused, "active"), (paused, "missed")):
            session.add(
                Goal(
                    team_id=TEAM_ID,
                    pair_id=pair.id,
                    owner_id=pair.mentee_id,
                    specific="(forgotten)",
                    measure_kind="milestones",
                    attainable="",
                    realistic="",
                    deadline=late,
                    status=status,
                )
            )

    after = _health(session_factory, seeded.program_id, MONDAY)

    assert before == 2
    assert after.goals_overdue == 2
    assert after.goals_set == 11


def test_without_files_write_the_weekly_report_still_goes_as_a_message(
    session_factory: SessionFactory, fake_slack: FakeSlack, settings: Settings
) -> None:
    seed_program(session_factory, MONDAY)
    fake_slack.fail_next("files.getUploadURLExternal", error="missing_scope", times=10)

    sent = send_weekly_reports(session_factory, create_sending_client(settings), MONDAY, settings)

    assert sent == 1
    (report,) = _messages_to(fake_slack, PROGRAM_ADMIN)
    assert report.args["text"].startswith("Weekly report for Mentorship")
    assert_valid_message(blocks_of(report))


def _messages_to(fake_slack: FakeSlack, user_id: str) -> list:
    opened = [c for c in fake_slack.calls_to("conversations.open") if c.args["users"] == user_id]
    channels = {c.response["channel"]["id"] for c in opened}
    return [c for c in fake_slack.calls_to("chat.postMessage") if c.ok and c.args["channel"] in channels]
