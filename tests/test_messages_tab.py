"""The Messages tab: read-only in the manifest, and a DM that arrives anyway gets one pointer a day."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from bot.app import ListenerPool
from bot.inbox import Inbox
from tests.conftest import LISTENER_DEADLINE
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import SlackSender

MANIFEST = Path(__file__).resolve().parents[1] / "manifest.json"


def dm(text: str = "hello?", user: str = "UTOM", **extra: object) -> dict:
    """A `message.im` event as Slack sends it when a person writes to the bot."""
    return {"type": "message", "channel_type": "im", "channel": "D0TOM", "user": user, "text": text} | extra


def pointers(fake_slack: FakeSlack, listeners: ListenerPool) -> list[str]:
    assert listeners.wait_idle(LISTENER_DEADLINE)
    return [c.args["channel"] for c in fake_slack.calls_to("chat.postMessage")]


def test_the_messages_tab_is_read_only_but_stays_on_so_bot_dms_work() -> None:
    app_home = json.loads(MANIFEST.read_text())["features"]["app_home"]

    assert app_home["messages_tab_enabled"] is True
    assert app_home["messages_tab_read_only_enabled"] is True


def test_a_dm_gets_one_pointer_to_the_home_tab(
    slack: SlackSender, fake_slack: FakeSlack, listeners: ListenerPool
) -> None:
    reply = slack.event(dm())

    assert reply.status == 200
    assert pointers(fake_slack, listeners) == ["D0TOM"]
    text = fake_slack.last("chat.postMessage").args["text"]
    assert "Home" in text
    assert "/mentor help" in text


def test_more_dms_the_same_day_and_slacks_retries_get_nothing_more(
    slack: SlackSender, fake_slack: FakeSlack, listeners: ListenerPool
) -> None:
    replies = [
        slack.event(dm("one")),
        slack.event(dm("two")),
        slack.event(dm("are you there?", user="UTIA", channel="D0TIA"), event_id="Ev0TIA"),
        slack.event(dm("are you there?", user="UTIA", channel="D0TIA"), event_id="Ev0TIA", retry_num=1),
    ]

    assert [r.status for r in replies] == [200] * 4
    assert pointers(fake_slack, listeners) == ["D0TOM", "D0TIA"]


def test_bot_messages_edits_and_other_subtypes_get_no_answer(
    slack: SlackSender, fake_slack: FakeSlack, listeners: ListenerPool
) -> None:
    events = [
        dm(bot_id="B0OTHER"),
        dm(subtype="message_changed", message={"text": "edited"}),
        dm(subtype="message_deleted"),
        dm(subtype="bot_message"),
        {"type": "message", "channel_type": "channel", "channel": "C0GENERAL", "user": "UTOM", "text": "hi"},
        {"type": "message", "channel_type": "im", "channel": "D0TOM", "text": "no user"},
    ]

    replies = [slack.event(event) for event in events]

    assert [r.status for r in replies] == [200] * len(events)
    assert pointers(fake_slack, listeners) == []


def test_a_retry_that_crosses_midnight_is_still_the_same_event() -> None:
    inbox = Inbox()
    before, after = datetime(2026, 12, 1, 23, 59, tzinfo=UTC), datetime(2026, 12, 2, 0, 1, tzinfo=UTC)

    assert inbox.should_answer("Ev1", "T0MENTOR", dm(), before)
    assert not inbox.should_answer("Ev1", "T0MENTOR", dm(), after)
    assert inbox.should_answer("Ev2", "T0MENTOR", dm(), after)
