"""The outbox under faults: long Slack outages lose nothing, and senders never send a message twice."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.app import ListenerPool, create_sending_client
from bot.config import Settings
from bot.delivery import LEASE, MAX_BACKOFF, dispatch_due
from bot.outbox import Letter, group, post
from storage import queries
from storage.db import SessionFactory
from storage.models import CheckIn, OutboxMessage, Pair
from tests.conftest import LISTENER_DEADLINE, TestDatabase
from tests.fakes.slack_api import TEAM_ID, FakeSlack
from tests.fakes.slack_requests import SlackSender
from tests.scenarios import ADMIN, configure
from tests.test_checkins import checkins_sent, run_clock, seed_pair

# The clock looks a few hours after Tuesday's 09:00 meeting in Berlin: its check-in is due.
DUE = datetime(2026, 10, 6, 11, 0, tzinfo=UTC)


def statuses(session_factory: SessionFactory) -> Counter[str]:
    with session_factory() as session:
        return Counter(session.scalars(select(OutboxMessage.status)))


def test_two_hours_of_refusals_lose_nothing_and_each_message_goes_once_slack_recovers(
    session_factory: SessionFactory, fake_slack: FakeSlack, settings: Settings
) -> None:
    sender = create_sending_client(settings)
    for n in range(3):
        seed_pair(session_factory, n, mentee_tz="Europe/Berlin")
    fake_slack.fail_next("chat.postMessage", status=503, times=10_000)

    run_clock(session_factory, sender, fake_slack, DUE, DUE + timedelta(hours=2), timedelta(minutes=5))

    assert checkins_sent(fake_slack) == []
    assert statuses(session_factory) == {"pending": 3}  # three check-ins, none given up
    with session_factory() as session:
        program_id = session.scalars(select(Pair.program_id)).first()
        assert queries.undelivered(session, program_id) == [("waiting", "internal_error", 3)]
        retried = session.scalars(select(OutboxMessage.attempts)).all()
    assert min(retried) > 8  # more tries than the old limit of eight, and still waiting

    fake_slack.recover()
    run_clock(
        session_factory, sender, fake_slack, DUE + timedelta(hours=2), DUE + timedelta(hours=3), MAX_BACKOFF
    )

    assert Counter(channel for channel, _ in checkins_sent(fake_slack)) == {
        f"GPAIR{n:05d}": 1 for n in range(3)
    }
    assert statuses(session_factory) == {"sent": 3}


def test_a_sender_that_waits_out_retry_after_past_its_lease_does_not_send_what_another_sent(
    session_factory: SessionFactory, fake_slack: FakeSlack, settings: Settings
) -> None:
    seed_pair(session_factory, 1, mentee_tz="Europe/Berlin")
    dispatch_due(session_factory, create_sending_client(settings), DUE, max_messages=0)  # queued only
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=100)
    clock = {"now": DUE}
    second = create_sending_client(settings)

    def slow_wait(_seconds: float) -> None:
        # While the first sender waits, its lease runs out and a second sender takes the message.
        clock["now"] = DUE + LEASE + timedelta(minutes=1)
        dispatch_due(session_factory, second, clock["now"], sleep=lambda _s: None)

    dispatch_due(
        session_factory, create_sending_client(settings), DUE, clock=lambda: clock["now"], sleep=slow_wait
    )

    assert len(checkins_sent(fake_slack)) == 1
    assert len([c for c in fake_slack.calls_to("chat.postMessage") if c.ok]) == 1
    assert statuses(session_factory) == {"sent": 1}


def test_three_senders_on_one_database_send_each_message_once(
    database: TestDatabase, session_factory: SessionFactory, fake_slack: FakeSlack, settings: Settings
) -> None:
    """The web process, the clock and `dispatch-due` may all send at once, on SQLite as on PostgreSQL."""
    for n in range(30):
        seed_pair(session_factory, n, mentee_tz="Europe/Berlin")
    dispatch_due(session_factory, create_sending_client(settings), DUE, max_messages=0)
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1, times=6)
    start = threading.Barrier(3)

    def sender() -> None:
        client = create_sending_client(settings)
        start.wait()
        dispatch_due(session_factory, client, DUE, sleep=lambda _s: None)

    senders = [threading.Thread(target=sender, daemon=True) for _ in range(3)]
    for thread in senders:
        thread.start()
    for thread in senders:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in senders)
    dispatch_due(session_factory, create_sending_client(settings), DUE + LEASE + timedelta(minutes=1))

    delivered = Counter(channel for channel, _ in checkins_sent(fake_slack))
    assert delivered == {f"GPAIR{n:05d}": 1 for n in range(30)}
    assert len([c for c in fake_slack.calls_to("chat.postMessage") if c.ok]) == 30
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(CheckIn)) == 30
    assert statuses(session_factory) == {"sent": 30}


class SettableClock:
    """The app's clock in these tests: an instant the test moves."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


NIGHT_IN_EUROPE = datetime(2026, 12, 1, 22, 30, tzinfo=UTC)  # 23:30 in Berlin and Paris
NEXT_MORNING = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)  # 08:00 in Berlin and Paris


@pytest.fixture
def app_clock() -> SettableClock:
    return SettableClock(datetime(2026, 12, 1, 14, 0, tzinfo=UTC))


def test_an_admin_who_pairs_at_night_is_answered_at_once_and_the_pair_hears_in_its_morning(
    program: SlackSender,
    fake_slack: FakeSlack,
    session_factory: SessionFactory,
    settings: Settings,
    listeners: ListenerPool,
    app_clock: SettableClock,
) -> None:
    fake_slack.add_channel("CPROGRAM", bot_is_member=True)
    configure(program, fake_slack, "CPROGRAM")
    app_clock.now = NIGHT_IN_EUROPE

    program.slash("pair <@UMIA> <@UTOM>", user_id=ADMIN)

    answer = fake_slack.wait_for("response_url")[-1]
    assert "Paired <@UMIA> (mentor) with <@UTOM> (mentee)" in answer.args["text"]
    assert listeners.wait_idle(LISTENER_DEADLINE)
    assert fake_slack.calls_to("chat.postMessage") == [], "neither the kickoff nor the announcement at night"
    assert fake_slack.calls_to("conversations.open") == []

    dispatch_due(session_factory, create_sending_client(settings), NEXT_MORNING - timedelta(minutes=1))
    assert fake_slack.calls_to("chat.postMessage") == [], "07:59 is still night"
    dispatch_due(session_factory, create_sending_client(settings), NEXT_MORNING)

    posts = fake_slack.calls_to("chat.postMessage")
    assert sorted(call.args["channel"] for call in posts if call.ok) == sorted(
        ["CPROGRAM", fake_slack.calls_to("conversations.open")[0].response["channel"]["id"]]
    )
    with session_factory() as session:
        assert session.scalar(select(Pair.dm_channel_id)), "the group DM is remembered once it is opened"


def test_a_pause_at_night_reaches_the_partner_in_their_morning_and_the_one_who_paused_at_once(
    paired: SlackSender,
    fake_slack: FakeSlack,
    session_factory: SessionFactory,
    settings: Settings,
    listeners: ListenerPool,
    app_clock: SettableClock,
) -> None:
    app_clock.now = NIGHT_IN_EUROPE

    paired.slash("pause", user_id="UTOM")

    assert "your mentorship is paused" in fake_slack.wait_for("response_url")[-1].args["text"]
    assert listeners.wait_idle(LISTENER_DEADLINE)
    assert fake_slack.calls_to("chat.postMessage") == []
    dispatch_due(session_factory, create_sending_client(settings), NEXT_MORNING)
    (notice,) = fake_slack.calls_to("chat.postMessage")
    assert notice.args["channel"] == "UMIA"
    assert notice.args["text"] == "<@UTOM> paused your mentorship."


def test_an_introduction_slack_refused_for_a_while_is_sent_once_when_it_recovers(
    program: SlackSender,
    fake_slack: FakeSlack,
    session_factory: SessionFactory,
    settings: Settings,
    listeners: ListenerPool,
    app_clock: SettableClock,
) -> None:
    fake_slack.fail_next("conversations.open", status=503, times=3)

    program.slash("pair <@UMIA> <@UTOM>", user_id=ADMIN)

    assert "I am introducing them now" in fake_slack.wait_for("response_url")[-1].args["text"]
    assert listeners.wait_idle(LISTENER_DEADLINE)
    assert not [c for c in fake_slack.calls_to("chat.postMessage") if c.ok and c.args["channel"] != ADMIN]
    with session_factory() as session:
        (kickoff,) = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "kickoff")).all()
        assert (kickoff.status, kickoff.error) == ("pending", "internal_error")

    later = app_clock.now
    for _ in range(4):  # the clock's passes while Slack recovers
        later += MAX_BACKOFF
        dispatch_due(session_factory, create_sending_client(settings), later)

    kickoffs = [
        c
        for c in fake_slack.calls_to("chat.postMessage")
        if c.ok and "Meet your mentorship partner" in str(c.args.get("blocks"))
    ]
    assert len(kickoffs) == 1
    assert statuses(session_factory)["pending"] == 0


def test_a_group_dm_of_three_real_slack_ids_fits_in_the_outbox(session_factory: SessionFactory) -> None:
    seed_pair(session_factory, 1, mentee_tz="Europe/Berlin")  # the workspace the row belongs to
    three = group("U0123456789", "U0123456790", "U0123456791")  # Slack ids run to 11 characters
    with session_factory.begin() as session:
        post(session, TEAM_ID, [Letter(key="introduction:1", kind="introduction", to=three, payload={})], DUE)

    with session_factory() as session:
        assert session.scalars(select(OutboxMessage.channel)).all() == [three]


def test_forget_me_drops_what_waits_to_be_sent_about_them(
    paired: SlackSender,
    fake_slack: FakeSlack,
    session_factory: SessionFactory,
    settings: Settings,
    listeners: ListenerPool,
    app_clock: SettableClock,
) -> None:
    app_clock.now = NIGHT_IN_EUROPE
    paired.slash("pause", user_id="UTOM")  # Mia hears in her morning that Tom paused
    assert listeners.wait_idle(LISTENER_DEADLINE)
    paired.slash("forget-me", user_id="UTOM")
    confirm = fake_slack.wait_for("views.open")[-1].args["view"]
    assert paired.submit(confirm, {}, user_id="UTOM").body == ""
    assert listeners.wait_idle(LISTENER_DEADLINE)

    dispatch_due(session_factory, create_sending_client(settings), NEXT_MORNING)

    to_mia = [c.args["text"] for c in fake_slack.calls_to("chat.postMessage") if c.args["channel"] == "UMIA"]
    assert to_mia == [
        "Your mentorship partner has left mentoring, so your mentorship has ended. Thank you for it!"
    ]
    with session_factory() as session:
        payloads = session.scalars(select(OutboxMessage.payload)).all()
    assert not [p for p in payloads if "UTOM" in str(p)], "no word of them is kept in the outbox"
