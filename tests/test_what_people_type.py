"""What people type reaches Slack as they typed it: no live mass mention, no disguised link.

Every free-text field is filled through the real forms over HTTP with a mass mention, an
ampersand and a link whose label pretends to be another URL; then everything the fake Slack
received, and everything mentorbot answered over HTTP, is scanned for Slack's control syntax.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot import ids
from bot.app import create_sending_client
from bot.config import Settings
from bot.delivery import dispatch_due
from storage.db import SessionFactory
from storage.models import CheckIn, Pair
from tests.fakes.slack_api import RESPONSE_URL, FakeSlack
from tests.fakes.slack_requests import Reply, SlackSender, channel, picked, ticked, typed
from tests.scenarios import ADMIN, join_fields, open_join

EVIL = "<!channel> & <https://evil.example|https://acme.slack.com/x>"
ESCAPED = "&lt;!channel&gt; &amp; &lt;https://evil.example|https://acme.slack.com/x&gt;"
# Slack's control syntax that only mentorbot itself may write: mass mentions and links.
LIVE = re.compile(r"<!(?:channel|here|everyone)\b|<https?://evil")


def _mrkdwn(node: Any) -> Iterator[str]:
    """Every mrkdwn string in a Block Kit structure; plain_text and input values are shown as is."""
    if isinstance(node, list):
        for item in node:
            yield from _mrkdwn(item)
    elif isinstance(node, dict):
        if node.get("type") == "mrkdwn":
            yield str(node.get("text") or "")
            return
        if node.get("type") == "plain_text":
            return
        for key, value in node.items():
            if key not in ("initial_value", "value", "private_metadata", "placeholder"):
                yield from _mrkdwn(value)


def _loaded(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "[{":
        return json.loads(value)
    return value


def parsed_texts(args: dict[str, Any]) -> Iterator[str]:
    """What Slack parses for mentions and links in one message, view or reply."""
    for key in ("text", "initial_comment"):
        if isinstance(args.get(key), str):
            yield args[key]
    yield from _mrkdwn(_loaded(args.get("blocks")) or [])
    view = _loaded(args.get("view"))
    if isinstance(view, dict):
        yield from _mrkdwn(view.get("blocks") or [])


class Recorder:
    """A SlackSender's replies kept, since an ack can carry a message too."""

    def __init__(self, slack: SlackSender) -> None:
        self.slack = slack
        self.replies: list[Reply] = []

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.slack, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            reply = method(*args, **kwargs)
            self.replies.append(reply)
            return reply

        return call


def everything_parsed(fake: FakeSlack, replies: list[Reply]) -> list[str]:
    """Each text Slack would parse, from every call the fake received and every HTTP answer."""
    texts = [text for call in fake.calls for text in parsed_texts(call.args)]
    for reply in replies:
        body = reply.json() if reply.body.startswith("{") else {}
        texts += parsed_texts(body)
    return texts


def view_opened(fake: FakeSlack, before: int) -> dict:
    return fake.wait_for("views.open", count=before + 1)[-1].args["view"]


def test_nothing_anyone_types_pings_everyone_or_disguises_a_link(
    slack: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory, settings: Settings
) -> None:
    bot = Recorder(slack)
    fake_slack.add_user(ADMIN, is_admin=True)
    fake_slack.add_channel("C0ANNOUNCE", bot_is_member=True)
    for user_id in ("UMIA", "UTOM", "UMAX"):
        fake_slack.add_user(user_id, tz="Europe/Berlin")

    # The admin names the program and its skills.
    bot.slash("config", user_id=ADMIN)
    config = fake_slack.wait_for("views.open")[-1].args["view"]
    assert (
        bot.submit(
            config,
            {
                ids.CONFIG_NAME: typed(f"Program {EVIL}"),
                ids.CONFIG_CHANNEL: channel("C0ANNOUNCE"),
                ids.CONFIG_SKILLS: typed(f"Leadership\n{EVIL}"),
                ids.CONFIG_CADENCE: picked("weekly"),
                ids.CONFIG_ADMINS: {"type": "multi_users_select", "selected_users": []},
            },
            user_id=ADMIN,
        ).body
        == ""
    )

    # Two mentors and a mentee sign up, writing the same words everywhere they can.
    for user_id, role in (("UMIA", "mentor"), ("UMAX", "mentor"), ("UTOM", "mentee")):
        fields = join_fields(
            **{
                ids.JOIN_ROLE: picked(role),
                ids.JOIN_SKILLS: ticked("Leadership"),
                ids.JOIN_SKILLS_OTHER: typed(f"Rust, {EVIL}"),
                ids.JOIN_GROWTH: ticked("Leadership"),
                ids.JOIN_GROWTH_OTHER: typed(EVIL),
                ids.JOIN_CAPACITY: picked("2"),
                ids.JOIN_MOTIVATIONS: typed(f"Motivations {EVIL}"),
                ids.JOIN_BACKGROUND: typed(f"Background {EVIL}"),
            }
        )
        joined = bot.submit(open_join(slack, fake_slack, user_id), fields, user_id=user_id).json()
        assert joined["response_action"] == "update", "welcomed on the form itself"

    # Matching proposes Mia or Max for Tom with the shared skill as the reason; the admin confirms.
    bot.slash("match", user_id=ADMIN)
    review = fake_slack.wait_for("views.update")[-1].args["view"]
    first = next(b for b in review["blocks"] if b.get("block_id") == f"{ids.MATCH_KEEP}_0")
    keep = first["element"]["options"][0]["value"]
    confirmed = bot.submit(review, {f"{ids.MATCH_KEEP}_0": ticked(keep)}, user_id=ADMIN).json()
    assert "Confirmed 1 new pair" in str(confirmed["view"])
    fake_slack.wait_until("chat.postMessage", lambda c: "Meet your mentorship partner" in str(c.args))
    with session_factory() as session:
        pair = session.scalars(select(Pair)).one()
        pair_id, mentor = pair.id, pair.mentor.user_id
    other = "UMAX" if mentor == "UMIA" else "UMIA"

    # They agree where to meet and what to expect.
    before = len(fake_slack.calls_to("views.open"))
    bot.click(ids.AGREEMENT_OPEN, str(pair_id), user_id="UTOM")
    agreement = view_opened(fake_slack, before)
    today = datetime.now(UTC).date()
    assert (
        bot.submit(
            agreement,
            {
                ids.AGREE_FREQUENCY: picked("weekly"),
                ids.AGREE_WEEKDAY: picked(str(today.weekday())),
                ids.AGREE_TIME: {"type": "timepicker", "selected_time": "10:00"},
                ids.AGREE_TZ: typed("Europe/Berlin"),
                ids.AGREE_FORMAT: picked("video"),
                ids.AGREE_LOCATION: typed(f"Location {EVIL}"),
                ids.AGREE_START: {"type": "datepicker", "selected_date": today.isoformat()},
                ids.AGREE_EXPECTATIONS: typed(f"Expectations {EVIL}"),
            },
            user_id="UTOM",
        ).body
        == ""
    )

    # Tom sets a goal counted in a unit he typed.
    before = len(fake_slack.calls_to("views.open"))
    bot.click(ids.GOAL_NEW, str(pair_id), user_id="UTOM")
    goal_form = view_opened(fake_slack, before)
    assert (
        bot.submit(
            goal_form,
            {
                ids.GOAL_SPECIFIC: typed(f"Give three talks at the engineering guild {EVIL}"),
                ids.GOAL_MEASURE_KIND: picked("target"),
                ids.GOAL_TARGET: typed("3"),
                ids.GOAL_UNIT: typed("<!here> talks"),
                ids.GOAL_MILESTONES: typed(""),
                ids.GOAL_ATTAINABLE: typed(f"I know the system well; I need slots on the agenda. {EVIL}"),
                ids.GOAL_REALISTIC: typed(f"The guild meets monthly and my team supports it. {EVIL}"),
                ids.GOAL_DEADLINE: {"selected_date": (today + timedelta(days=60)).isoformat()},
            },
            user_id="UTOM",
        ).body
        == ""
    )
    bot.slash("goals", user_id="UTOM")

    # The meeting comes and goes, its check-in asks, and Tom answers what he learned and what blocks him.
    sender = create_sending_client(settings)
    with session_factory() as session:
        due = session.get(Pair, pair_id).next_checkin_at
    assert due is not None
    moment = due.replace(tzinfo=UTC) if due.tzinfo is None else due
    for _ in range(48):
        dispatch_due(session_factory, sender, moment, sleep=lambda _s: None)
        with session_factory() as session:
            checkin_id = session.scalar(select(CheckIn.id).where(CheckIn.stage == "checkin"))
        if checkin_id is not None:
            break
        moment += timedelta(hours=1)
    assert checkin_id is not None
    assert (
        bot.submit(
            {"callback_id": ids.CHECKIN_ANSWER_MODAL, "private_metadata": str(checkin_id)},
            {ids.CHECKIN_LEARNED: typed(f"Learned {EVIL}"), ids.CHECKIN_BLOCKER: typed(f"Blocker {EVIL}")},
            user_id="UTOM",
        ).body
        == ""
    )
    # The answer is shown in the check-in message itself, which is edited in place.
    fake_slack.wait_until("chat.update", lambda c: "Learned" in str(c.args))

    # The mentor introduces Tom to the other mentor.
    before = len(fake_slack.calls_to("views.open"))
    bot.slash(f"connect <@{other}>", user_id=mentor)
    connect = view_opened(fake_slack, before)
    assert (
        bot.submit(
            connect,
            {
                ids.CONNECT_REASON: typed(f"Reason {EVIL}"),
                ids.CONNECT_QUESTION: typed(f"Question {EVIL}"),
                ids.CONNECT_WHO: picked("three"),
            },
            user_id=mentor,
        ).body
        == ""
    )
    fake_slack.wait_until("chat.postMessage", lambda c: "would like to introduce" in c.args.get("text", ""))

    # Searches, names that match nothing, lists and everyone's Home tab.
    for text, user_id in ((f"find {EVIL}", mentor), ("find channel", mentor), (f"join {EVIL}", "UTOM")):
        before = len(fake_slack.responses())
        if bot.slash(text, user_id=user_id).body == "":
            fake_slack.wait_for(RESPONSE_URL, count=before + 1)
    before = len(fake_slack.calls_to("views.open"))
    bot.slash("list", user_id=ADMIN)
    fake_slack.wait_for("views.open", count=before + 1)
    for user_id in (ADMIN, "UMIA", "UMAX", "UTOM"):
        before = len(fake_slack.calls_to("views.publish"))
        bot.open_home(user_id)
        fake_slack.wait_for("views.publish", count=before + 1)

    texts = everything_parsed(fake_slack, bot.replies)
    live = sorted({match.group(0) for text in texts for match in LIVE.finditer(text)})
    assert not live, f"user text reached Slack as live syntax: {live}"
    shown = "\n".join(texts)
    for label in (
        "Program",
        "Motivations",
        "Background",
        "Location",
        "Expectations",
        "Learned",
        "Blocker",
        "Reason",
        "Question",
    ):
        assert f"{label} {ESCAPED}" in shown, f"{label} was never shown, so the scan proves nothing"
    assert f"Give three talks at the engineering guild {ESCAPED}" in shown
    assert "&lt;!here&gt; talks" in shown


def test_partners_see_what_each_wrote_at_sign_up_in_the_kickoff_and_on_home(
    paired: SlackSender, fake_slack: FakeSlack
) -> None:
    fake_slack.reset()
    paired.slash("pair <@UMAX> <@UTIA>", user_id=ADMIN)
    kickoff = fake_slack.wait_until(
        "chat.postMessage", lambda c: "Meet your mentorship partner" in str(c.args.get("blocks"))
    )
    shown = "\n".join(parsed_texts(kickoff.args))
    for member in ("UMAX", "UTIA"):
        assert f"*About <@{member}>*\n*Hopes to get:* I want to lead my team's design reviews" in shown
    assert "*Background:* Backend engineer, three years in payments." in shown

    paired.open_home("UMAX")
    home = fake_slack.wait_until("views.publish", lambda c: c.args["user_id"] == "UMAX")
    partner = "\n".join(parsed_texts(home.args))
    assert "They hope to get: I want to lead my team's design reviews by spring." in partner
    assert "Their background: Backend engineer, three years in payments." in partner
