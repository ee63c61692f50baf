"""Shared scenes for conversation tests: people who signed up, a pair, a configured program."""

from __future__ import annotations

from typing import Any

import pytest

from bot import ids
from tests.blockkit import assert_valid_view
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import SlackSender, channel, picked, ticked, typed

ADMIN = "UADMIN"


def join_fields(**overrides: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A complete, valid sign-up for a mentee; keyword arguments replace fields by block id."""
    fields = {
        ids.JOIN_ROLE: picked("mentee"),
        ids.JOIN_SKILLS: ticked(),
        ids.JOIN_SKILLS_OTHER: typed(""),
        ids.JOIN_GROWTH: ticked("Public speaking", "Leadership"),
        ids.JOIN_GROWTH_OTHER: typed("Rust, public speaking"),
        ids.JOIN_EXPERIENCE: picked("developing"),
        ids.JOIN_MOTIVATIONS: typed("I want to lead my team's design reviews by spring."),
        ids.JOIN_BACKGROUND: typed("Backend engineer, three years in payments."),
        ids.JOIN_FORMATS: ticked("video", "chat"),
        ids.JOIN_CAPACITY: picked(None),
        ids.JOIN_TZ: typed("Europe/Berlin"),
    }
    fields.update(overrides)
    return fields


def open_join(slack: SlackSender, fake_slack: FakeSlack, user_id: str, text: str = "join") -> dict:
    """Type `/mentor join` and return the modal the bot opened."""
    before = len(fake_slack.calls_to("views.open"))
    assert slack.slash(text, user_id=user_id).status == 200
    return fake_slack.wait_for("views.open", count=before + 1)[-1].args["view"]


@pytest.fixture
def program(slack: SlackSender, fake_slack: FakeSlack) -> SlackSender:
    """A workspace admin, two mentors and three mentees who have all signed up."""
    fake_slack.add_user(ADMIN, is_admin=True)
    for user_id, tz in [("UMIA", "Europe/Berlin"), ("UMAX", "America/New_York")]:
        fake_slack.add_user(user_id, tz=tz)
        enroll(slack, fake_slack, user_id, mentor=True)
    for user_id, tz in [("UTOM", "Europe/Paris"), ("UTIA", "America/Chicago"), ("UTED", "Asia/Tokyo")]:
        fake_slack.add_user(user_id, tz=tz)
        enroll(slack, fake_slack, user_id, mentor=False)
    fake_slack.wait_for("views.publish", count=5)  # each sign-up refreshes that person's Home tab
    fake_slack.reset()
    return slack


def enroll(slack: SlackSender, fake_slack: FakeSlack, user_id: str, *, mentor: bool) -> None:
    """Sign `user_id` up as a mentor of one mentee, or as a mentee."""
    fields = join_fields()
    if mentor:
        fields |= {
            ids.JOIN_ROLE: picked("mentor"),
            ids.JOIN_SKILLS: ticked("Leadership", "Public speaking"),
            ids.JOIN_CAPACITY: picked("1"),
            ids.JOIN_EXPERIENCE: picked("expert"),
        }
    fields[ids.JOIN_TZ] = typed(fake_slack.users[user_id]["tz"])
    reply = slack.submit(open_join(slack, fake_slack, user_id), fields, user_id=user_id)
    assert reply.body == "" or "Welcome to mentoring" in reply.body, reply.body


def configure(slack: SlackSender, fake_slack: FakeSlack, channel_id: str) -> None:
    """The admin sets the program's announcement channel."""
    slack.slash("config", user_id=ADMIN)
    view = fake_slack.wait_for("views.open")[-1].args["view"]
    assert_valid_view(view)
    reply = slack.submit(
        view,
        {
            ids.CONFIG_NAME: typed("Mentorship"),
            ids.CONFIG_CHANNEL: channel(channel_id),
            ids.CONFIG_SKILLS: typed("Leadership\nPublic speaking\nRust"),
            ids.CONFIG_CADENCE: picked("weekly"),
            ids.CONFIG_ADMINS: {"type": "multi_users_select", "selected_users": []},
        },
        user_id=ADMIN,
    )
    assert reply.body == ""


@pytest.fixture
def paired(program: SlackSender, fake_slack: FakeSlack) -> SlackSender:
    """Mia mentors Tom; their kickoff has been posted."""
    program.slash("pair <@UMIA> <@UTOM>", user_id=ADMIN)
    fake_slack.wait_for("views.publish", count=2)
    fake_slack.reset()
    return program
