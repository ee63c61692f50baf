"""Check-ins on each pair's cadence, driven by a controlled clock against the fake Slack."""

from __future__ import annotations

import json
import threading
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from bot import ids
from bot.agreements import AgreementForm, form_from, save_agreement
from bot.app import create_sending_client
from bot.cadence import occurrences
from bot.config import Settings
from bot.delivery import claim, dispatch_due
from bot.goals import GoalForm, create_goal
from storage import queries
from storage.db import SessionFactory
from storage.models import CheckIn, Goal, OutboxMessage, Pair, Person, Profile, Program, Workspace
from tests.conftest import TestDatabase
from tests.fakes.slack_api import TEAM_ID, Call, FakeSlack
from tests.fakes.slack_requests import SlackSender, typed

START = datetime(
    2026, 9, 21, 0, 0, tzinfo=UTC
)  # a Monday before Sydney's, Europe's and America's DST changes


def seed_pair(
    session_factory: SessionFactory,
    n: int,
    *,
    mentee_tz: str,
    mentor_tz: str | None = None,
    frequency: str = "weekly",
    weekday: int = 1,
    local_time: str = "09:00",
    start: date = date(2026, 10, 5),
    now: datetime = START,
) -> int:
    """A mentor and mentee paired, with an agreement saved at `now`; returns the pair id."""
    with session_factory.begin() as session:
        if session.get(Workspace, TEAM_ID) is None:
            session.add(Workspace(team_id=TEAM_ID))
            session.flush()
            session.add(
                Program(team_id=TEAM_ID, name="Mentorship", is_default=True, skills=[], admin_user_ids=[])
            )
            session.flush()
        program = session.scalars(select(Program)).first()
        mentor = Person(team_id=TEAM_ID, user_id=f"UMENTOR{n}", tz=mentor_tz or mentee_tz)
        mentee = Person(team_id=TEAM_ID, user_id=f"UMENTEE{n}", tz=mentee_tz)
        session.add_all([mentor, mentee])
        session.flush()
        for person, role in ((mentor, "mentor"), (mentee, "mentee")):
            session.add(
                Profile(
                    team_id=TEAM_ID, program_id=program.id, person_id=person.id, role=role, mentor_capacity=3
                )
            )
        pair = Pair(
            team_id=TEAM_ID,
            program_id=program.id,
            mentor_id=mentor.id,
            mentee_id=mentee.id,
            dm_channel_id=f"GPAIR{n:05d}",
            created_at=now,
        )
        session.add(pair)
        session.flush()
        form = AgreementForm(
            frequency, weekday, local_time, mentee_tz, "video", None, start, "We meet and we talk."
        )
        assert save_agreement(session, TEAM_ID, pair.id, mentee.user_id, form, now) is not None
        return pair.id


@pytest.fixture
def sender(settings: Settings):
    return create_sending_client(settings)


MEETING_TEXTS = ("Your next meeting", "Your meeting", "Check-in time")
AFTER_MEETING = timedelta(hours=4)  # a 09:00 meeting's check-in is due at 12:45, in daytime


def checkins_sent(fake: FakeSlack) -> list[tuple[str, datetime]]:
    """(pair channel, instant sent) of every meeting's message as first posted, whatever its step."""
    return [
        (call.args["channel"], call.sent_at)
        for call in fake.calls_to("chat.postMessage")
        if call.ok and call.args.get("text", "").startswith(MEETING_TEXTS)
    ]


def checkin_edits(fake: FakeSlack) -> list[tuple[str, datetime]]:
    """(pair channel, instant) of every edit that turned a meeting's message into its check-in."""
    return [
        (call.args["channel"], call.sent_at)
        for call in fake.calls_to("chat.update")
        if call.ok and call.args.get("text", "").startswith("Check-in time")
    ]


def working_day_before(day: date) -> date:
    """The Monday-to-Friday day before `day`."""
    day -= timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def run_clock(
    session_factory, client, fake: FakeSlack, start: datetime, end: datetime, step: timedelta
) -> None:
    """Tick the clock from `start` to `end`, stamping each Slack call with the tick's instant.

    The pairs answer every check-in right away, as engaged pairs do, so silence never pauses them.
    """
    moment = start
    while moment < end:
        fake.now = moment
        dispatch_due(session_factory, client, moment, sleep=lambda _s: None)
        with session_factory.begin() as session:
            session.execute(update(CheckIn).where(CheckIn.answered_at.is_(None)).values(answered_at=moment))
        moment += step


@pytest.mark.parametrize(
    ("tz", "frequency", "weekday"),
    [
        ("Europe/Berlin", "weekly", 1),
        ("America/New_York", "biweekly", 3),
        ("Australia/Sydney", "monthly", 1),
        ("Asia/Kolkata", "weekly", 0),
    ],
)
def test_each_meeting_is_prepared_the_working_day_before_and_checked_in_after_it_ends_across_dst(
    session_factory: SessionFactory, fake_slack: FakeSlack, sender, tz: str, frequency: str, weekday: int
) -> None:
    pair_id = seed_pair(
        session_factory, 1, mentee_tz=tz, frequency=frequency, weekday=weekday, start=date(2026, 9, 23)
    )
    end = START + timedelta(
        weeks=7
    )  # Sydney springs forward on 4 Oct, Europe falls back 25 Oct, America 1 Nov
    step = timedelta(minutes=30) if tz == "Asia/Kolkata" else timedelta(hours=1)  # 09:00 IST is 03:30 UTC

    run_clock(session_factory, sender, fake_slack, START, end, step)

    with session_factory() as session:
        pair = session.get(Pair, pair_id)
        cadence = form_from(queries.agreement_for(session, pair_id)).cadence
    zone = ZoneInfo(tz)
    meetings = occurrences(cadence, START, end + timedelta(days=40))
    prepared = [
        datetime.combine(working_day_before(m.astimezone(zone).date()), time(9, 0), tzinfo=zone).astimezone(
            UTC
        )
        for m in meetings
    ]
    sent = [at for _, at in checkins_sent(fake_slack)]
    assert sent == [at for at in prepared if at < end - step], "one message a meeting, the working day before"
    assert all(at.astimezone(zone).strftime("%H:%M") == "09:00" for at in sent)
    # Kolkata meets on Mondays: the message of 9 November's meeting goes on Friday 6 November.
    assert (
        len(sent) == {"Europe/Berlin": 6, "America/New_York": 4, "Australia/Sydney": 2, "Asia/Kolkata": 7}[tz]
    )
    edits = [at for _, at in checkin_edits(fake_slack)]
    assert len(edits) == len([m for m in meetings if m < end - timedelta(hours=4)])
    for meeting, edited in zip(meetings, edits, strict=False):
        # 45 minutes of meeting and three hours after it: 12:45 local, on the first tick after.
        assert (
            meeting + timedelta(hours=3, minutes=45)
            <= edited
            < meeting + timedelta(hours=3, minutes=45) + step
        )
    assert pair.next_checkin_at is not None


def test_after_downtime_a_pair_gets_one_catch_up_not_a_flood(
    session_factory: SessionFactory, fake_slack: FakeSlack, sender
) -> None:
    pair_id = seed_pair(session_factory, 1, mentee_tz="Europe/Berlin")
    back = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # Monday: four weekly meetings were missed

    dispatch_due(session_factory, sender, back)
    dispatch_due(session_factory, sender, back + timedelta(hours=1))

    (sent,) = fake_slack.calls_to("chat.postMessage")
    assert "Tue 03 Nov at 09:00" in json.dumps(sent.args["blocks"]), "tomorrow's meeting, not the missed ones"
    with session_factory() as session:
        pair = session.get(Pair, pair_id)
        assert pair.next_meeting_at == datetime(2026, 11, 10, 8, 0, tzinfo=UTC)
        assert pair.next_checkin_at == datetime(2026, 11, 9, 8, 0, tzinfo=UTC)  # Monday 09:00 in Berlin


def test_nothing_is_sent_at_night_for_the_recipient(
    session_factory: SessionFactory, fake_slack: FakeSlack, sender
) -> None:
    seed_pair(
        session_factory, 1, mentee_tz="Europe/Berlin", mentor_tz="America/Los_Angeles", local_time="09:00"
    )
    due = datetime(2026, 10, 6, 7, 0, tzinfo=UTC)  # 09:00 in Berlin is midnight in Los Angeles

    run_clock(session_factory, sender, fake_slack, due, due + timedelta(hours=20), timedelta(minutes=30))

    (_, checkin_at) = checkins_sent(fake_slack)[0]
    assert checkin_at.astimezone(ZoneInfo("America/Los_Angeles")).hour == 8
    # The group DM waits for a moment that is daytime for both: 08:00 in Los Angeles is 17:00 in Berlin.
    assert checkin_at.astimezone(ZoneInfo("Europe/Berlin")).strftime("%H:%M") == "17:00"


def test_rate_limits_and_server_errors_still_deliver_every_checkin_once(
    session_factory: SessionFactory, fake_slack: FakeSlack, sender
) -> None:
    for n in range(6):
        seed_pair(session_factory, n, mentee_tz="Europe/Berlin")
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1, times=2)
    fake_slack.fail_next("chat.postMessage", status=503, times=3)
    due = datetime(2026, 10, 6, 7, 0, tzinfo=UTC)

    run_clock(session_factory, sender, fake_slack, due, due + timedelta(hours=3), timedelta(minutes=5))

    delivered = Counter(channel for channel, _ in checkins_sent(fake_slack))
    assert delivered == {f"GPAIR{n:05d}": 1 for n in range(6)}
    with session_factory() as session:
        assert (
            session.scalar(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status != "sent")
            )
            == 0
        )


def test_a_sender_that_crashed_mid_send_leaves_nothing_lost(
    session_factory: SessionFactory, fake_slack: FakeSlack, sender
) -> None:
    seed_pair(session_factory, 1, mentee_tz="Europe/Berlin")
    due = datetime(2026, 10, 6, 7, 0, tzinfo=UTC)
    dispatch_due(session_factory, sender, due, max_messages=0)  # schedules, sends nothing
    with session_factory.begin() as session:
        assert len(claim(session, due)) == 1  # a sender claims the check-in... and dies

    dispatch_due(session_factory, sender, due + timedelta(minutes=1))
    assert checkins_sent(fake_slack) == []  # the lease still holds
    dispatch_due(session_factory, sender, due + timedelta(minutes=6))

    assert len(checkins_sent(fake_slack)) == 1


def test_a_permanent_error_is_recorded_and_not_retried(
    session_factory: SessionFactory, fake_slack: FakeSlack, sender
) -> None:
    seed_pair(session_factory, 1, mentee_tz="Europe/Berlin")
    fake_slack.add_channel("GPAIR00001", private=True)  # the bot was removed from the pair's DM
    due = datetime(2026, 10, 6, 7, 0, tzinfo=UTC)

    run_clock(session_factory, sender, fake_slack, due, due + timedelta(hours=2), timedelta(minutes=10))

    attempts = [c for c in fake_slack.calls_to("chat.postMessage") if c.args["channel"] == "GPAIR00001"]
    assert len(attempts) == 1
    with session_factory() as session:
        failed = session.scalars(select(OutboxMessage).where(OutboxMessage.status == "failed")).one()
    assert failed.error == "not_in_channel"


def test_paused_pairs_get_nothing_and_resumed_ones_start_again(
    session_factory: SessionFactory, fake_slack: FakeSlack, sender
) -> None:
    pair_id = seed_pair(session_factory, 1, mentee_tz="Europe/Berlin")
    with session_factory.begin() as session:
        pair = session.get(Pair, pair_id)
        pair.status, pair.next_checkin_at = "paused", None

    run_clock(session_factory, sender, fake_slack, START, START + timedelta(weeks=2), timedelta(hours=1))

    assert checkins_sent(fake_slack) == []


def test_two_clocks_at_once_send_each_checkin_once(
    database: TestDatabase, session_factory: SessionFactory, fake_slack: FakeSlack, settings: Settings
) -> None:
    for n in range(40):
        seed_pair(session_factory, n, mentee_tz="Europe/Berlin")
    due = datetime(2026, 10, 6, 7, 0, tzinfo=UTC)
    clocks = [
        threading.Thread(
            target=dispatch_due, args=(session_factory, create_sending_client(settings), due), daemon=True
        )
        for _ in range(2)
    ]

    for clock in clocks:
        clock.start()
    for clock in clocks:
        clock.join(timeout=60)

    delivered = Counter(channel for channel, _ in checkins_sent(fake_slack))
    assert delivered == {f"GPAIR{n:05d}": 1 for n in range(40)}
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(CheckIn)) == 40


def checkin_posts(fake: FakeSlack) -> list[Call]:
    """Every delivered check-in prompt, oldest first."""
    return [
        call
        for call in fake.calls_to("chat.postMessage")
        if call.ok and "Check-in time" in call.args.get("text", "")
    ]


def buttons(message: dict) -> list[str]:
    """The action ids of every button a message shows now."""
    return [
        element["action_id"]
        for block in message["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def shown(message: dict) -> str:
    """All the text a message shows now, blocks included."""
    return json.dumps(message["blocks"])


def test_members_answer_the_checkin_and_silence_twice_marks_the_pair_at_risk(
    session_factory: SessionFactory, fake_slack: FakeSlack, sender, slack: SlackSender
) -> None:
    pair_id = seed_pair(session_factory, 1, mentee_tz="Europe/Berlin")
    weeks = [datetime(2026, 10, 6, 7, 0, tzinfo=UTC) + AFTER_MEETING + timedelta(weeks=w) for w in range(3)]
    fake_slack.add_user("UMENTEE1")
    for moment in weeks:
        dispatch_due(session_factory, sender, moment)
    with session_factory() as session:
        assert session.get(Pair, pair_id).at_risk_since is not None
        checkin_id = session.scalar(select(CheckIn.id).order_by(CheckIn.due_at.desc()))
    latest = checkin_posts(fake_slack)[-1]

    slack.press(fake_slack.message_of(latest), f"{ids.CHECKIN_MET}_yes", user_id="UMENTEE1")
    fake_slack.wait_until("views.publish", lambda c: c.args["user_id"] == "UMENTEE1")
    crafted = slack.submit(
        {"callback_id": ids.CHECKIN_ANSWER_MODAL, "private_metadata": str(checkin_id)},
        {ids.CHECKIN_LEARNED: typed("How to run a design review")},
        user_id="UOUTSIDER",
    ).json()
    shared = slack.submit(
        {"callback_id": ids.CHECKIN_ANSWER_MODAL, "private_metadata": str(checkin_id)},
        {ids.CHECKIN_LEARNED: typed("How to run a <!channel> design review"), ids.CHECKIN_BLOCKER: typed("")},
        user_id="UMENTEE1",
    )

    assert "not part of" in crafted["errors"][ids.CHECKIN_LEARNED]
    assert shared.body == ""
    fake_slack.wait_until("chat.update", lambda c: "design review" in json.dumps(c.args))
    message = fake_slack.message_of(latest)
    assert "<@UMENTEE1>: yes, we met; learned: How to run a &lt;!channel&gt; design review" in shown(message)
    assert "answered the check-in" not in str([c.args for c in fake_slack.calls_to("chat.postMessage")])
    assert not any("shared at the check-in" in c.args.get("text", "") for c in fake_slack.calls)
    with session_factory() as session:
        pair = session.get(Pair, pair_id)
        checkin = session.get(CheckIn, checkin_id)
    assert (pair.at_risk_since, pair.unanswered_checkins) == (None, 0)
    assert checkin.met == "yes"


def test_goal_deadline_reminders_come_once_each_and_the_due_day_asks_for_the_outcome(
    session_factory: SessionFactory, fake_slack: FakeSlack, sender, slack: SlackSender
) -> None:
    pair_id = seed_pair(session_factory, 1, mentee_tz="Europe/Berlin")
    deadline = date(2026, 10, 20)
    with session_factory.begin() as session:
        create_goal(
            session,
            TEAM_ID,
            pair_id,
            "UMENTEE1",
            GoalForm(
                "Give three talks at the guild this autumn",
                "target",
                3,
                "talks",
                (),
                "x" * 20,
                "y" * 20,
                deadline,
            ),
            "V1",
            START,
        )
    days = [datetime(2026, 10, d, 10, 0, tzinfo=UTC) for d in (12, 13, 19, 19, 20, 20)]

    for moment in days:
        dispatch_due(session_factory, sender, moment)

    reminders = [
        c.args["text"]
        for c in fake_slack.calls_to("chat.postMessage")
        if c.ok and c.args["channel"] == "UMENTEE1"
    ]
    assert [text.split(":")[0].split("?")[0] for text in reminders] == [
        "Your goal is due in 7 days (20 Oct)",
        "Your goal is due today. Did you achieve it",
    ], "no reminder the day before: the check-ins say how many days are left"
    (due_day,) = [
        c for c in fake_slack.calls_to("chat.postMessage") if "Did you achieve it" in c.args.get("text", "")
    ]
    slack.press(fake_slack.message_of(due_day), ids.REMINDER_ACHIEVED, user_id="UMENTEE1")
    fake_slack.wait_until("views.publish", lambda c: c.args["user_id"] == "UMENTEE1")
    reminder = fake_slack.message_of(due_day)
    assert buttons(reminder) == [], "the answer replaces the buttons"
    assert "Marked achieved" in shown(reminder)
    assert "Give three talks" in shown(reminder)
    to_mentee = [c for c in fake_slack.calls_to("chat.postMessage") if c.args["channel"] == "UMENTEE1"]
    assert len(to_mentee) == 2, "no message of thanks besides"
    with session_factory() as session:
        assert session.scalar(select(Goal.status)) == "achieved"


def test_a_goal_whose_deadline_passed_is_marked_missed_and_both_hear_once_in_their_daytime(
    session_factory: SessionFactory, fake_slack: FakeSlack, sender
) -> None:
    pair_id = seed_pair(session_factory, 1, mentee_tz="Europe/Berlin", mentor_tz="America/New_York")
    form = GoalForm(
        "Give three talks at the guild", "target", 3, "talks", (), "x" * 20, "y" * 20, date(2026, 10, 20)
    )
    with session_factory.begin() as session:
        create_goal(session, TEAM_ID, pair_id, "UMENTEE1", form, "V1", START)

    def missed_notes() -> list[tuple[str, datetime | None]]:
        return [
            (c.args["channel"], c.args["text"])
            for c in fake_slack.calls_to("chat.postMessage")
            if c.ok and "marked it missed" in c.args.get("text", "")
        ]

    night = datetime(2026, 10, 21, 3, 0, tzinfo=UTC)  # 05:00 in Berlin, 23:00 in New York
    dispatch_due(session_factory, sender, night)
    with session_factory() as session:
        assert session.scalar(select(Goal.status)) == "missed"
    assert missed_notes() == []

    dispatch_due(session_factory, sender, datetime(2026, 10, 21, 6, 30, tzinfo=UTC))  # 08:30 Berlin
    assert [channel for channel, _ in missed_notes()] == ["UMENTEE1"]
    dispatch_due(session_factory, sender, datetime(2026, 10, 21, 12, 30, tzinfo=UTC))  # 08:30 New York
    dispatch_due(session_factory, sender, datetime(2026, 10, 22, 12, 30, tzinfo=UTC))

    notes = missed_notes()
    assert [channel for channel, _ in notes] == ["UMENTEE1", "UMENTOR1"]
    assert "your goal *Give three talks at the guild*" in notes[0][1]
    assert "<@UMENTOR1>" in notes[0][1]
    assert "<@UMENTEE1>'s goal" in notes[1][1]


def test_goals_of_paused_or_ended_pairs_are_not_marked_missed_nor_anyone_told(
    session_factory: SessionFactory, fake_slack: FakeSlack, sender
) -> None:
    for n, status in ((1, "paused"), (2, "ended")):
        pair_id = seed_pair(session_factory, n, mentee_tz="Europe/Berlin")
        form = GoalForm(
            "Give three talks at the guild", "target", 3, "talks", (), "x" * 20, "y" * 20, date(2026, 10, 20)
        )
        with session_factory.begin() as session:
            create_goal(session, TEAM_ID, pair_id, f"UMENTEE{n}", form, f"V{n}", START)
            session.execute(update(Pair).where(Pair.id == pair_id).values(status=status))

    dispatch_due(session_factory, sender, datetime(2026, 10, 22, 10, 0, tzinfo=UTC))

    with session_factory() as session:
        assert session.scalars(select(Goal.status)).all() == ["active", "active"]
    assert not [c for c in fake_slack.calls_to("chat.postMessage") if "missed" in c.args.get("text", "")]


def test_the_first_checkin_asks_the_mentor_about_what_the_mentee_hopes_to_get(
    session_factory: SessionFactory, fake_slack: FakeSlack, sender
) -> None:
    pair_id = seed_pair(session_factory, 1, mentee_tz="Europe/Berlin")
    with session_factory.begin() as session:
        mentee_id = session.get(Pair, pair_id).mentee_id
        profile = session.scalars(select(Profile).where(Profile.person_id == mentee_id)).one()
        profile.motivations = "Lead my team's design reviews <!here>"
    due = datetime(2026, 10, 6, 7, 0, tzinfo=UTC) + AFTER_MEETING  # no questions were chosen before it

    dispatch_due(session_factory, sender, due)
    dispatch_due(session_factory, sender, due + timedelta(weeks=1))

    first, second = (json.dumps(c.args["blocks"], ensure_ascii=False) for c in checkin_posts(fake_slack))
    assert "<@UMENTOR1>, good mentors ask rather than answer." in first
    assert "<@UMENTEE1> hopes to get: “Lead my team's design reviews &lt;!here&gt;”" in first
    assert "hopes to get" not in second, "the first check-in only"
