"""Answers edit the message they answer: check-ins, fit, drift and pulse questions, reminders.

Each check-in is one message in the pair's group DM; a click edits it to show who answered what,
the next check-in closes it, and a late click on a closed one is refused to the clicker alone.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select

from bot import ids
from bot.app import create_sending_client
from bot.clock import Clock
from bot.config import Settings
from bot.delivery import dispatch_due
from storage.db import SessionFactory
from storage.models import CheckIn, CheckInAnswer, Goal, Pair, Pulse
from tests.fakes.slack_api import BOT_TOKEN, Call, FakeSlack
from tests.fakes.slack_requests import SlackSender, typed
from tests.test_checkins import buttons, checkin_posts, seed_pair, shown
from tests.test_goals import goal_fields

# The clock looks a few hours after Tuesday's 09:00 meeting in Berlin: its check-in is due.
DUE = datetime(2026, 10, 6, 11, 0, tzinfo=UTC)
MENTOR, MENTEE = "UMENTOR1", "UMENTEE1"
MET_YES, MET_NOT_YET, MET_RESCHEDULED = (f"{ids.CHECKIN_MET}_{key}" for key in ids.CHECKIN_MET_ANSWERS)


@pytest.fixture
def app_clock() -> Clock:
    """The app lives in the days of these check-ins: from two hours after the first is due."""
    started, at = datetime.now(UTC), DUE + timedelta(hours=2)
    return lambda: at + (datetime.now(UTC) - started)


@pytest.fixture
def pair_id(session_factory: SessionFactory, fake_slack: FakeSlack) -> int:
    for user_id in (MENTOR, MENTEE):
        fake_slack.add_user(user_id)
    return seed_pair(session_factory, 1, mentee_tz="Europe/Berlin")


@pytest.fixture
def sender(settings: Settings) -> WebClient:
    return create_sending_client(settings)


def as_posted(call: Call) -> dict[str, Any]:
    """A message as it was first posted, whatever edits came since (what a stale client shows)."""
    blocks = call.args.get("blocks")
    return {
        "channel": call.response["channel"],
        "ts": call.response["ts"],
        "text": call.args.get("text"),
        "blocks": json.loads(blocks) if isinstance(blocks, str) else blocks,
    }


def posts(fake: FakeSlack, channel: str | None = None) -> list[Call]:
    """Successful chat.postMessage calls, to `channel` if given."""
    return [c for c in fake.calls_to("chat.postMessage") if c.ok and channel in (None, c.args["channel"])]


def answers(session_factory: SessionFactory, checkin_id: int) -> dict[int, str | None]:
    with session_factory() as session:
        rows = session.scalars(select(CheckInAnswer).where(CheckInAnswer.checkin_id == checkin_id))
        return {row.person_id: row.met for row in rows}


def share(slack: SlackSender, checkin_id: int, user_id: str, learned: str, blocker: str = "") -> None:
    reply = slack.submit(
        {"callback_id": ids.CHECKIN_ANSWER_MODAL, "private_metadata": str(checkin_id)},
        {ids.CHECKIN_LEARNED: typed(learned), ids.CHECKIN_BLOCKER: typed(blocker)},
        user_id=user_id,
    )
    assert reply.body == "", reply.body


def test_answers_edit_the_checkin_and_nobody_gets_a_note_about_them(
    session_factory: SessionFactory,
    fake_slack: FakeSlack,
    sender: WebClient,
    slack: SlackSender,
    pair_id: int,
) -> None:
    dispatch_due(session_factory, sender, DUE)
    (checkin,) = checkin_posts(fake_slack)
    with session_factory() as session:
        checkin_id = session.scalar(select(CheckIn.id))

    slack.press(fake_slack.message_of(checkin), MET_YES, user_id=MENTEE)
    fake_slack.wait_until("views.publish", lambda c: c.args["user_id"] == MENTEE)
    slack.press(fake_slack.message_of(checkin), MET_NOT_YET, user_id=MENTOR)
    fake_slack.wait_until("views.publish", lambda c: c.args["user_id"] == MENTOR)
    share(slack, checkin_id, MENTEE, "Design reviews go better with an agenda", "No time for the talk")
    share(slack, checkin_id, MENTOR, "Tom prefers written feedback")
    fake_slack.wait_until("chat.update", lambda c: "written feedback" in json.dumps(c.args))

    message = fake_slack.message_of(checkin)
    assert f"<@{MENTEE}>: yes, we met; learned: Design reviews go better with an agenda" in shown(message)
    assert "blocked by: No time for the talk" in shown(message)
    assert f"<@{MENTOR}>: not yet; learned: Tom prefers written feedback" in shown(message)
    assert buttons(message) == [ids.MEETING_NOTES_OPEN], (
        "both answered everything: the answers replace the buttons, and notes can still be added"
    )
    assert [c.args["channel"] for c in posts(fake_slack, checkin.args["channel"])] == [
        checkin.args["channel"]
    ], "the group DM holds the one check-in message, edited"
    assert len(posts(fake_slack)) == 1, "the check-in is the only message: the fit question is ephemeral"
    asked = [
        c.args["user"] for c in fake_slack.calls_to("chat.postEphemeral") if "good fit" in c.args["text"]
    ]
    assert asked == [MENTEE], "asked of the member who said they met, where they said it"


def test_the_next_checkin_closes_the_last_and_a_late_click_changes_nothing(
    session_factory: SessionFactory,
    fake_slack: FakeSlack,
    sender: WebClient,
    slack: SlackSender,
    pair_id: int,
) -> None:
    dispatch_due(session_factory, sender, DUE)
    (first,) = checkin_posts(fake_slack)
    slack.press(fake_slack.message_of(first), MET_YES, user_id=MENTEE)
    fake_slack.wait_until("views.publish", lambda c: c.args["user_id"] == MENTEE)

    dispatch_due(session_factory, sender, DUE + timedelta(weeks=1))
    second = checkin_posts(fake_slack)[-1]
    slack.press(fake_slack.message_of(second), MET_NOT_YET, user_id=MENTEE)
    fake_slack.wait_until("chat.update", lambda c: c.args["ts"] == second.response["ts"])
    stale = as_posted(first)  # a client that never saw the close still shows the buttons
    slack.press(stale, MET_RESCHEDULED, user_id=MENTEE)
    refused = fake_slack.wait_until("chat.postEphemeral", lambda c: "is closed" in c.args["text"])
    slack.press(stale, ids.CHECKIN_ANSWER_OPEN, user_id=MENTEE)
    refused_form = fake_slack.wait_until(
        "chat.postEphemeral", lambda c: "is closed" in c.args["text"] and c is not refused
    )

    closed = fake_slack.message_of(first)
    assert buttons(closed) == [], "the next check-in closed this one"
    assert "Closed" in shown(closed)
    assert f"<@{MENTEE}>: yes, we met" in shown(closed)
    assert f"<@{MENTOR}>: no answer yet" in shown(closed)
    assert "is closed" in refused.args["text"]
    assert refused.args["channel"] == first.response["channel"]
    assert "is closed" in refused_form.args["text"]
    assert fake_slack.calls_to("views.open") == []
    with session_factory() as session:
        first_id, second_id = session.scalars(select(CheckIn.id).order_by(CheckIn.due_at)).all()
    assert list(answers(session_factory, first_id).values()) == ["yes"]
    assert list(answers(session_factory, second_id).values()) == ["not_yet"]
    assert "good mentors ask rather than answer" in json.dumps(first.args["blocks"]), "it coaches the mentor"
    assert "good mentors ask" not in shown(fake_slack.message_of(second)), "the first one only"
    assert posts(fake_slack, MENTOR) == [], "no separate nudge"


def test_yes_we_met_clicked_twice_takes_effect_once_and_the_repeat_is_answered_calmly(
    session_factory: SessionFactory,
    fake_slack: FakeSlack,
    sender: WebClient,
    slack: SlackSender,
    pair_id: int,
) -> None:
    dispatch_due(session_factory, sender, DUE)
    (checkin,) = checkin_posts(fake_slack)
    message = fake_slack.message_of(checkin)
    before = len(posts(fake_slack))

    double = [
        threading.Thread(target=slack.press, args=(message, MET_YES), kwargs={"user_id": MENTEE})
        for _ in range(2)
    ]
    for click in double:
        click.start()
    for click in double:
        click.join(timeout=30)
    fake_slack.wait_until("chat.postEphemeral", lambda c: "good fit" in c.args["text"])  # once, privately
    slack.press(message, MET_YES, user_id=MENTEE)  # and once more, later, from the same old view
    again = fake_slack.wait_until(
        "chat.postEphemeral",
        lambda c: c.args["user"] == MENTEE and "Noted already" in c.args["text"],
    )

    assert posts(fake_slack)[before:] == [], "no note about the answer, no DM"
    asked = [
        c.args["user"] for c in fake_slack.calls_to("chat.postEphemeral") if "good fit" in c.args["text"]
    ]
    assert asked == [MENTEE], "the fit question once, to the one who said they met"
    assert again.args["channel"] == checkin.response["channel"]
    assert f"<@{MENTEE}>: yes, we met" in shown(fake_slack.message_of(checkin))
    with session_factory() as session:
        checkin_id = session.scalar(select(CheckIn.id))
    assert list(answers(session_factory, checkin_id).values()) == ["yes"]


def test_fit_drift_and_pulse_answers_replace_the_buttons_instead_of_thanking(
    session_factory: SessionFactory,
    fake_slack: FakeSlack,
    sender: WebClient,
    slack: SlackSender,
    pair_id: int,
) -> None:
    dispatch_due(session_factory, sender, DUE)
    with session_factory.begin() as session:
        session.get(Pair, pair_id).next_pulse_at = DUE
    dispatch_due(session_factory, sender, DUE + timedelta(hours=1))  # the pulse opens: nothing is sent
    posted = len(posts(fake_slack))
    checkin = checkin_posts(fake_slack)[0]
    slack.press(fake_slack.message_of(checkin), MET_YES, user_id=MENTEE)
    # Right where the mentee answered, and for them alone: is it a good fit, and the pulse.
    fit = fake_slack.wait_until("chat.postEphemeral", lambda c: "good fit" in c.args["text"])
    pulse = fake_slack.wait_until("chat.postEphemeral", lambda c: "Quick pulse" in c.args["text"])
    assert {fit.args["user"], pulse.args["user"]} == {MENTEE}
    assert fit.args["channel"] == pulse.args["channel"] == checkin.response["channel"]
    assert len(posts(fake_slack)) == posted, "no DM for either question"
    slack.press(fake_slack.ephemeral_of(fit), f"{ids.FIT_ANSWER}_good", user_id=MENTEE)
    fit_now = fake_slack.wait_until("response_url", lambda c: "Good fit" in c.args.get("text", "")).args
    slack.press(fake_slack.ephemeral_of(pulse), f"{ids.PULSE_SCORE}_4", user_id=MENTEE)
    pulse_now = fake_slack.wait_until("response_url", lambda c: "4 of 5" in c.args.get("text", "")).args
    assert fit_now["replace_original"] is True
    assert pulse_now["replace_original"] is True
    slack.press(fake_slack.message_of(checkin), MET_YES, user_id=MENTOR)
    fake_slack.wait_until(
        "chat.postEphemeral", lambda c: c.args["user"] == MENTOR and "good fit" in c.args["text"]
    )
    for week in range(1, 5):  # three silent check-ins bring the drift question
        dispatch_due(session_factory, sender, DUE + timedelta(weeks=week, hours=3))
    drift = fake_slack.wait_until("chat.postMessage", lambda c: "keep going, pause" in c.args["text"])
    slack.press(fake_slack.message_of(drift), f"{ids.DRIFT_ANSWER}_pause", user_id=MENTOR)
    fake_slack.wait_until("chat.update", lambda c: c.args["ts"] == drift.response["ts"])
    fake_slack.wait_for("views.publish", count=3)

    drift_now = fake_slack.message_of(drift)
    assert buttons(drift_now) == []
    assert "You answered privately: *Good fit*" in fit_now["text"]
    assert "You answered *4 of 5*" in pulse_now["text"]
    assert f"<@{MENTOR}> chose: *pause for now*" in shown(drift_now)
    thanks = [c for c in posts(fake_slack) if "Thank" in c.args["text"] or "chose" in c.args["text"]]
    assert thanks == []
    with session_factory() as session:
        assert 4 in session.scalars(select(Pulse.score)).all()
        assert session.get(Pair, pair_id).status == "paused"


def test_a_refused_answer_is_told_to_the_clicker_alone(
    session_factory: SessionFactory,
    fake_slack: FakeSlack,
    sender: WebClient,
    slack: SlackSender,
    pair_id: int,
) -> None:
    dispatch_due(session_factory, sender, DUE)
    (checkin,) = checkin_posts(fake_slack)

    slack.press(fake_slack.message_of(checkin), MET_YES, user_id="UOUTSIDER")

    refused = fake_slack.wait_until("chat.postEphemeral", lambda c: c.args["user"] == "UOUTSIDER")
    assert "not part of" in refused.args["text"]
    assert fake_slack.message_of(checkin)["edits"] == 0


def test_the_fake_slack_edits_only_messages_it_has_and_checks_their_blocks(fake_slack: FakeSlack) -> None:
    client = WebClient(token=BOT_TOKEN, base_url=fake_slack.base_url)
    posted = client.chat_postMessage(channel="GPAIR", text="hello", blocks=[])

    with pytest.raises(SlackApiError) as unknown:
        client.chat_update(channel="GPAIR", ts="1.1", text="x")
    with pytest.raises(SlackApiError) as bad:
        client.chat_update(channel="GPAIR", ts=posted["ts"], blocks=[{"type": "section", "text": {}}])
    fake_slack.calls.clear()  # the refused blocks were the point; the fixture's check is for mentorbot
    client.chat_update(channel="GPAIR", ts=posted["ts"], text="edited")

    assert unknown.value.response["error"] == "message_not_found"
    assert bad.value.response["error"] == "invalid_blocks"
    assert fake_slack.message("GPAIR", posted["ts"])["text"] == "edited"
    assert fake_slack.message("GPAIR", posted["ts"])["edits"] == 1


@pytest.mark.parametrize("answer", ids.CHECKIN_MET_ANSWERS)
def test_a_met_button_value_round_trips(answer: str) -> None:
    assert ids.decode_checkin_met(ids.encode_checkin_met(42, answer)) == (42, answer)


@pytest.mark.parametrize("value", ["", "42", "x:yes", "42:maybe", "-1:yes", "42:yes:no"])
def test_a_met_button_value_that_is_not_ours_decodes_to_none(value: str) -> None:
    assert ids.decode_checkin_met(value) is None


def test_a_new_goal_and_its_progress_show_in_the_open_checkin_for_both_without_a_message(
    session_factory: SessionFactory,
    fake_slack: FakeSlack,
    sender: WebClient,
    slack: SlackSender,
    pair_id: int,
) -> None:
    dispatch_due(session_factory, sender, DUE)
    (checkin,) = checkin_posts(fake_slack)
    at = (checkin.response["channel"], checkin.response["ts"])
    posted = len(posts(fake_slack))

    slack.slash("goal", user_id=MENTEE)
    form = fake_slack.wait_for("views.open")[-1].args["view"]
    assert slack.submit(form, goal_fields(), user_id=MENTEE).body == ""
    fake_slack.wait_until(
        "chat.update", lambda c: (c.args["channel"], c.args["ts"]) == at and "Give three talks" in str(c.args)
    )
    with session_factory() as session:
        goal_id = session.scalars(select(Goal.id)).one()
    slack.click(ids.PROGRESS_OPEN, str(goal_id), user_id=MENTEE)
    progress = fake_slack.wait_for("views.open", count=2)[-1].args["view"]
    answer = {ids.PROGRESS_VALUE: typed("1"), ids.PROGRESS_NOTE: typed("Booked the first talk <!channel>")}
    assert slack.submit(progress, answer, user_id=MENTEE).body == ""

    fake_slack.wait_until("chat.update", lambda c: "Booked the first talk" in str(c.args))
    now_shown = shown(fake_slack.message(*at))
    assert "1 of 3 talks" in now_shown
    assert "Booked the first talk &lt;!channel&gt;" in now_shown
    assert len(posts(fake_slack)) == posted, "no message of its own: the check-in both see shows it"
