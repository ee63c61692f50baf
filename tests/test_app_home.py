"""Opening the Home tab publishes each person's dashboard."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.db import SessionFactory
from storage.models import Pair, Person, Profile, Program, Role, Workspace
from tests.blockkit import assert_valid_view
from tests.fakes.slack_api import TEAM_ID, FakeSlack
from tests.fakes.slack_requests import SlackSender


def test_newcomer_sees_a_welcome(slack: SlackSender, fake_slack: FakeSlack) -> None:
    reply = slack.open_home("UNEWBIE")

    assert reply.status == 200
    call = fake_slack.wait_for("views.publish")[0]
    assert call.args["user_id"] == "UNEWBIE"
    view = call.args["view"]
    assert_valid_view(view)
    shown = str(view["blocks"])
    assert "Welcome, <@UNEWBIE>" in shown
    assert "/mentor help" in shown


def test_member_sees_programs_and_pairs(
    slack: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    since = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    with session_factory.begin() as session:
        session.add(Workspace(team_id=TEAM_ID))
        session.flush()
        program = Program(team_id=TEAM_ID, name="New engineers", is_default=True)
        mentor = Person(team_id=TEAM_ID, user_id="UMENTOR")
        mentee = Person(team_id=TEAM_ID, user_id="UMENTEE")
        session.add_all([program, mentor, mentee])
        session.flush()
        session.add(Profile(team_id=TEAM_ID, program_id=program.id, person_id=mentee.id, role=Role.MENTEE))
        session.add(
            Pair(
                team_id=TEAM_ID,
                program_id=program.id,
                mentor_id=mentor.id,
                mentee_id=mentee.id,
                created_at=since,
            )
        )

    slack.open_home("UMENTEE")

    view = fake_slack.wait_for("views.publish")[0].args["view"]
    assert_valid_view(view)
    shown = str(view["blocks"])
    assert "*New engineers*: mentee" in shown
    assert "Your mentor <@UMENTOR>, active since" in shown
    assert "2026-11-02" in shown
    assert "Welcome" not in shown


def test_messages_tab_publishes_nothing(slack: SlackSender, fake_slack: FakeSlack) -> None:
    slack.event({"type": "app_home_opened", "user": "UALICE", "channel": "D0HOME", "tab": "messages"})
    slack.slash("help")  # a later request, so the event listener has certainly run

    assert fake_slack.calls_to("views.publish") == []


def test_a_rate_limited_publish_waits_and_retries(slack: SlackSender, fake_slack: FakeSlack) -> None:
    fake_slack.fail_next("views.publish", status=429, retry_after=1)

    slack.open_home("UALICE")

    first, second = fake_slack.wait_for("views.publish", count=2, timeout=10)
    assert second.at - first.at >= 0.9
    assert second.args["user_id"] == "UALICE"


def test_a_slack_outage_does_not_stop_the_bot(slack: SlackSender, fake_slack: FakeSlack) -> None:
    fake_slack.fail_next("views.publish", status=503)

    slack.open_home("UALICE")
    fake_slack.wait_for("views.publish")
    slack.open_home("UALICE")

    assert len(fake_slack.wait_for("views.publish", count=2)) == 2
    assert slack.slash("help").status == 200
