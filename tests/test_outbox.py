"""The outbox under faults: long Slack outages lose nothing, and senders never send a message twice."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.app import create_sending_client
from bot.config import Settings
from bot.delivery import LEASE, MAX_BACKOFF, dispatch_due
from storage import queries
from storage.db import SessionFactory
from storage.models import CheckIn, OutboxMessage, Pair
from tests.conftest import TestDatabase
from tests.fakes.slack_api import FakeSlack
from tests.test_checkins import checkins_sent, run_clock, seed_pair

DUE = datetime(2026, 10, 6, 7, 0, tzinfo=UTC)  # 09:00 in Berlin, a Tuesday


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
    assert statuses(session_factory) == {"pending": 6}  # three check-ins and three nudges, none given up
    with session_factory() as session:
        program_id = session.scalars(select(Pair.program_id)).first()
        assert queries.undelivered(session, program_id) == [("waiting", "internal_error", 6)]
        retried = session.scalars(select(OutboxMessage.attempts)).all()
    assert min(retried) > 8  # more tries than the old limit of eight, and still waiting

    fake_slack.recover()
    run_clock(
        session_factory, sender, fake_slack, DUE + timedelta(hours=2), DUE + timedelta(hours=3), MAX_BACKOFF
    )

    assert Counter(channel for channel, _ in checkins_sent(fake_slack)) == {
        f"GPAIR{n:05d}": 1 for n in range(3)
    }
    assert statuses(session_factory) == {"sent": 6}


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
    nudges = [c for c in fake_slack.calls_to("chat.postMessage") if c.ok and c.args["channel"] == "UMENTOR1"]
    assert len(nudges) == 1
    assert statuses(session_factory) == {"sent": 2}


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
    nudged = Counter(
        c.args["channel"]
        for c in fake_slack.calls_to("chat.postMessage")
        if c.ok and c.args["channel"].startswith("UMENTOR")
    )
    assert nudged == {f"UMENTOR{n}": 1 for n in range(30)}
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(CheckIn)) == 30
    assert statuses(session_factory) == {"sent": 60}
