"""Whoever runs a program hears it: reports and "not a fit" alerts reach the admin who set it up.

Workspace admins and owners need not list themselves under "Program admins", so the person who
started or configured a program hears its news even when nobody is listed, on their own Monday;
a program nobody set up reaches the workspace's admins, learned from users.list once a day.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot import ids
from bot.app import ListenerPool, create_sending_client
from bot.config import Settings
from bot.delivery import dispatch_due
from bot.report import send_weekly_reports
from storage.db import SessionFactory
from storage.models import Person, Program
from tests.conftest import LISTENER_DEADLINE
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import SlackSender, channel, people, picked, typed
from tests.test_checkins import seed_pair

OWNER = "UOWNER"  # a workspace owner in Los Angeles who sets the program up without listing themselves
MONDAY_MORNING_UTC = datetime(2026, 10, 12, 9, 30, tzinfo=UTC)  # Monday 02:30 in Los Angeles
MONDAY_MORNING_LA = datetime(2026, 10, 12, 16, 30, tzinfo=UTC)  # Monday 09:30 in Los Angeles


def reports_to(fake_slack: FakeSlack, user_id: str) -> list[str]:
    opened = {
        c.response["channel"]["id"]
        for c in fake_slack.calls_to("conversations.open")
        if c.args.get("users") == user_id and c.ok
    }
    return [
        c.args.get("initial_comment") or ""
        for c in fake_slack.calls_to("files.completeUploadExternal")
        if c.args.get("channel_id") in opened | {user_id}
    ]


def configure_as(slack: SlackSender, fake_slack: FakeSlack, user_id: str) -> None:
    slack.slash("config", user_id=user_id)
    view = fake_slack.wait_for("views.open")[-1].args["view"]
    reply = slack.submit(
        view,
        {
            ids.CONFIG_NAME: typed("Mentorship"),
            ids.CONFIG_CHANNEL: channel(None),
            ids.CONFIG_SKILLS: typed("Leadership\nRust"),
            ids.CONFIG_CADENCE: picked("weekly"),
            ids.CONFIG_ADMINS: people(),
        },
        user_id=user_id,
    )
    assert reply.body == "", reply.body


def test_the_owner_who_set_the_program_up_gets_its_alerts_and_its_report_on_their_monday(
    slack: SlackSender,
    fake_slack: FakeSlack,
    session_factory: SessionFactory,
    settings: Settings,
    listeners: ListenerPool,
) -> None:
    pair_id = seed_pair(session_factory, 1, mentee_tz="Europe/Berlin")
    fake_slack.add_user(OWNER, is_owner=True, tz="America/Los_Angeles")
    fake_slack.add_user("UMENTEE1")
    configure_as(slack, fake_slack, OWNER)
    with session_factory() as session:
        program = session.scalars(select(Program)).one()
        assert (program.admin_user_ids, program.configured_by_user_id) == ([], OWNER)

    slack.click(f"{ids.FIT_ANSWER}_not_fit", str(pair_id), user_id="UMENTEE1")
    assert listeners.wait_idle(LISTENER_DEADLINE)
    to_owner = [c for c in fake_slack.calls_to("chat.postMessage") if c.args["channel"] == OWNER]
    assert to_owner == [], "07:00 in Los Angeles (the app's clock reads 15:00 UTC): the alert waits"
    client = create_sending_client(settings)
    dispatch_due(session_factory, client, datetime.now(UTC) + timedelta(days=1))
    alert = fake_slack.wait_until("chat.postMessage", lambda c: c.args["channel"] == OWNER)
    assert "not a good fit" in alert.args["text"]

    assert send_weekly_reports(session_factory, client, MONDAY_MORNING_UTC, settings) == 0, (
        "not yet Monday 09:00"
    )
    assert send_weekly_reports(session_factory, client, MONDAY_MORNING_LA, settings) == 1
    assert send_weekly_reports(session_factory, client, MONDAY_MORNING_LA, settings) == 0, "once a week"
    assert any("Mentorship" in text for text in reports_to(fake_slack, OWNER))


def test_a_program_nobody_set_up_reports_to_the_workspace_admins_listed_daily_from_users_list(
    fake_slack: FakeSlack, session_factory: SessionFactory, settings: Settings
) -> None:
    seed_pair(session_factory, 1, mentee_tz="Europe/Berlin")
    fake_slack.add_user("UADMTOKYO", is_admin=True, tz="Asia/Tokyo")
    fake_slack.add_user("UPLAIN", tz="Asia/Tokyo")
    fake_slack.add_user("UGONEADMIN", is_admin=True, deleted=True)
    fake_slack.add_user("UBOTADMIN", is_admin=True, is_bot=True)
    fake_slack.users_list_page = 1  # every member on its own page: the cursor must be followed
    client = create_sending_client(settings)
    monday_in_tokyo = datetime(2026, 10, 12, 1, 0, tzinfo=UTC)  # Monday 10:00 in Tokyo, Sunday in UTC

    sent = send_weekly_reports(session_factory, client, monday_in_tokyo, settings)
    later = send_weekly_reports(session_factory, client, monday_in_tokyo.replace(hour=3), settings)

    assert (sent, later) == (1, 0)
    assert reports_to(fake_slack, "UADMTOKYO"), "the admin hears on their own Monday"
    assert len(fake_slack.calls_to("users.list")) == len(fake_slack.users), "all pages, and once a day"
    for user_id in ("UPLAIN", "UGONEADMIN", "UBOTADMIN"):
        assert not reports_to(fake_slack, user_id)
    with session_factory() as session:
        admins = session.scalars(select(Person.user_id).where(Person.workspace_admin)).all()
    assert admins == ["UADMTOKYO"]
