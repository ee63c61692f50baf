"""Program settings and new programs, as admins change them in Slack."""

from __future__ import annotations

from sqlalchemy import select

from bot import ids
from storage.db import SessionFactory
from storage.models import Program
from tests.blockkit import assert_valid_view
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import SlackSender, channel, people, picked, typed

ADMIN = "UADMIN"


def settings_fields(**overrides: dict) -> dict:
    fields = {
        ids.CONFIG_NAME: typed("Mentorship"),
        ids.CONFIG_CHANNEL: channel("CPROGRAM"),
        ids.CONFIG_SKILLS: typed("Leadership\nRust\nrust\n\nPublic speaking"),
        ids.CONFIG_CADENCE: picked("monthly"),
        ids.CONFIG_PULSE: picked("6"),
        ids.CONFIG_ADMINS: people("UHELPER"),
    }
    return fields | overrides


def open_settings(slack: SlackSender, fake_slack: FakeSlack, text: str = "config") -> dict:
    """Type `/mentor config ...` as the admin and return the modal that opens."""
    opened = len(fake_slack.calls_to("views.open"))
    slack.slash(text, user_id=ADMIN)
    return fake_slack.wait_for("views.open", count=opened + 1)[-1].args["view"]


def test_admin_changes_settings_and_new_admins_can_use_them(
    slack: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    fake_slack.add_user(ADMIN, is_owner=True)
    fake_slack.add_user("UHELPER")
    view = open_settings(slack, fake_slack)
    assert_valid_view(view)

    reply = slack.submit(view, settings_fields(), user_id=ADMIN)

    assert reply.body == ""
    with session_factory() as session:
        program = session.scalars(select(Program)).one()
    assert program.skills == ["Leadership", "Rust", "Public speaking"]
    assert (program.announce_channel_id, program.default_cadence) == ("CPROGRAM", "monthly")
    assert program.admin_user_ids == ["UHELPER"]
    assert program.pulse_every_weeks == 6
    slack.slash("list", user_id="UHELPER")
    assert fake_slack.wait_for("views.open", count=2)[-1].args["view"]["callback_id"] == ids.LIST_MODAL


def test_settings_mistakes_are_shown_on_their_fields(slack: SlackSender, fake_slack: FakeSlack) -> None:
    fake_slack.add_user(ADMIN, is_admin=True)
    view = open_settings(slack, fake_slack)

    answer = slack.submit(
        view,
        settings_fields(**{ids.CONFIG_NAME: typed("x"), ids.CONFIG_SKILLS: typed(" \n ")}),
        user_id=ADMIN,
    ).json()

    assert set(answer["errors"]) == {ids.CONFIG_NAME, ids.CONFIG_SKILLS}


def test_a_second_program_cannot_take_the_first_ones_name(
    slack: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    fake_slack.add_user(ADMIN, is_admin=True)
    open_settings(slack, fake_slack)  # creates the default program
    view = open_settings(slack, fake_slack, "config new Leadership 2027")

    answer = slack.submit(view, settings_fields(), user_id=ADMIN).json()

    assert "already called “Mentorship”" in answer["errors"][ids.CONFIG_NAME]
    with session_factory() as session:
        assert sorted(session.scalars(select(Program.name))) == ["Leadership 2027", "Mentorship"]


def test_people_who_are_not_admins_cannot_open_or_submit_settings(
    slack: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    fake_slack.add_user(ADMIN, is_admin=True)
    fake_slack.add_user("UMALLORY")
    view = open_settings(slack, fake_slack)

    slack.slash("config", user_id="UMALLORY")
    crafted = slack.submit(
        view, settings_fields(**{ids.CONFIG_NAME: typed("Pwned")}), user_id="UMALLORY"
    ).json()

    assert "Only program admins" in fake_slack.wait_for("response_url")[0].args["text"]
    assert "Only program admins" in crafted["errors"][ids.CONFIG_NAME]
    with session_factory() as session:
        assert session.scalar(select(Program.name)) == "Mentorship"


def test_a_slack_failure_mid_command_gets_an_apology_and_the_bot_keeps_going(
    slack: SlackSender, fake_slack: FakeSlack
) -> None:
    fake_slack.add_user(ADMIN, is_admin=True)
    fake_slack.fail_next("users.info", status=500)

    slack.slash("config", user_id=ADMIN)

    assert "something went wrong on my side" in fake_slack.wait_for("response_url")[0].args["text"]
    assert open_settings(slack, fake_slack)["callback_id"] == ids.CONFIG_MODAL


def test_program_names_match_whatever_their_case_and_script(
    slack: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    fake_slack.add_user(ADMIN, is_admin=True)
    open_settings(slack, fake_slack, "config new Équipe Ωmega")

    view = open_settings(slack, fake_slack, "config équipe ωMEGA")

    assert view["blocks"][0]["element"]["initial_value"] == "Équipe Ωmega"
