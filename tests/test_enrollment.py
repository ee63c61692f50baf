"""Joining, editing a profile and leaving, as people do it in Slack."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from bot import ids
from storage.db import SessionFactory
from storage.models import Pair, Profile
from tests.blockkit import assert_valid_view
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import SlackSender, picked, ticked, typed
from tests.scenarios import join_fields, open_join


def profiles(session_factory: SessionFactory) -> list[Profile]:
    with session_factory() as session:
        return list(session.scalars(select(Profile).order_by(Profile.id)))


def test_join_opens_the_signup_form_with_the_slack_time_zone(
    slack: SlackSender, fake_slack: FakeSlack
) -> None:
    fake_slack.add_user("UALICE", tz="America/Chicago")

    view = open_join(slack, fake_slack, "UALICE")

    assert_valid_view(view)
    assert view["callback_id"] == ids.JOIN_MODAL
    tz_block = next(b for b in view["blocks"] if b.get("block_id") == ids.JOIN_TZ)
    assert tz_block["element"]["initial_value"] == "America/Chicago"
    skills = next(b for b in view["blocks"] if b.get("block_id") == ids.JOIN_GROWTH)
    assert {"Public speaking", "Leadership"} <= {o["value"] for o in skills["element"]["options"]}


def test_signing_up_stores_the_profile_and_signing_up_again_updates_it(
    slack: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    fake_slack.add_user("UALICE")
    view = open_join(slack, fake_slack, "UALICE")

    first = slack.submit(view, join_fields(), user_id="UALICE")
    second = slack.submit(
        view,
        join_fields(
            **{
                ids.JOIN_ROLE: picked("both"),
                ids.JOIN_SKILLS: ticked("Testing"),
                ids.JOIN_CAPACITY: picked("2"),
            }
        ),
        user_id="UALICE",
    )

    assert first.status == 200
    assert first.json()["response_action"] == "update"
    assert "Welcome to mentoring!" in json.dumps(first.json()["view"]), "the form says welcome: no DM"
    assert (second.status, second.body) == (200, ""), "an edit closes the form"
    (profile,) = profiles(session_factory)
    assert profile.role == "both"
    assert profile.growth_areas == ["Public speaking", "Leadership", "Rust"]
    assert profile.skills == ["Testing"]
    assert profile.mentor_capacity == 2
    assert profile.meeting_formats == ["video", "chat"]
    assert profile.tz_override is None
    assert fake_slack.calls_to("chat.postMessage") == []


def test_signup_mistakes_are_shown_on_their_fields_and_nothing_is_saved(
    slack: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    fake_slack.add_user("UBOB")
    view = open_join(slack, fake_slack, "UBOB")

    reply = slack.submit(
        view,
        join_fields(
            **{
                ids.JOIN_ROLE: picked("mentor"),
                ids.JOIN_MOTIVATIONS: typed("grow"),
                ids.JOIN_FORMATS: ticked(),
                ids.JOIN_TZ: typed("Mars/Olympus_Mons"),
                ids.JOIN_SKILLS_OTHER: typed("x" * 70),
            }
        ),
        user_id="UBOB",
    )

    answer = reply.json()
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {
        ids.JOIN_MOTIVATIONS,
        ids.JOIN_FORMATS,
        ids.JOIN_TZ,
        ids.JOIN_SKILLS_OTHER,
        ids.JOIN_CAPACITY,
    }
    assert "Europe/Berlin" in answer["errors"][ids.JOIN_TZ]
    assert profiles(session_factory) == []


def test_a_region_name_is_not_a_time_zone(slack: SlackSender, fake_slack: FakeSlack) -> None:
    fake_slack.add_user("UBOB")
    view = open_join(slack, fake_slack, "UBOB")

    answer = slack.submit(view, join_fields(**{ids.JOIN_TZ: typed("Europe")}), user_id="UBOB").json()

    assert set(answer["errors"]) == {ids.JOIN_TZ}


def test_a_mentor_must_offer_a_skill_and_say_how_many_mentees(
    slack: SlackSender, fake_slack: FakeSlack
) -> None:
    fake_slack.add_user("UBOB")
    view = open_join(slack, fake_slack, "UBOB")

    answer = slack.submit(view, join_fields(**{ids.JOIN_ROLE: picked("mentor")}), user_id="UBOB").json()

    assert set(answer["errors"]) == {ids.JOIN_SKILLS, ids.JOIN_CAPACITY}


def test_choosing_no_role_is_an_error(slack: SlackSender, fake_slack: FakeSlack) -> None:
    fake_slack.add_user("UBOB")
    view = open_join(slack, fake_slack, "UBOB")

    answer = slack.submit(view, join_fields(**{ids.JOIN_ROLE: picked(None)}), user_id="UBOB").json()

    assert "mentor, a mentee, or both" in answer["errors"][ids.JOIN_ROLE]


def test_profile_reopens_the_form_with_saved_answers(slack: SlackSender, fake_slack: FakeSlack) -> None:
    fake_slack.add_user("UALICE")
    view = open_join(slack, fake_slack, "UALICE")
    slack.submit(view, join_fields(**{ids.JOIN_TZ: typed("Asia/Tokyo")}), user_id="UALICE")

    edit = open_join(slack, fake_slack, "UALICE", "profile")

    assert edit["title"]["text"] == "Your mentoring profile"
    by_id = {b.get("block_id"): b for b in edit["blocks"]}
    assert by_id[ids.JOIN_TZ]["element"]["initial_value"] == "Asia/Tokyo"
    assert by_id[ids.JOIN_ROLE]["element"]["initial_option"]["value"] == "mentee"
    assert by_id[ids.JOIN_GROWTH_OTHER]["element"]["initial_value"] == "Rust"


def test_bots_and_deactivated_people_cannot_join(slack: SlackSender, fake_slack: FakeSlack) -> None:
    fake_slack.add_user("UGONE", deleted=True)

    slack.slash("join", user_id="UGONE")

    (reply,) = fake_slack.wait_for("response_url")
    assert "Only active members" in reply.args["text"]
    assert fake_slack.calls_to("views.open") == []


def test_joining_an_unknown_program_lists_the_real_ones(slack: SlackSender, fake_slack: FakeSlack) -> None:
    fake_slack.add_user("UALICE")

    slack.slash("join Astronauts", user_id="UALICE")

    reply = fake_slack.wait_for("response_url")[0].args["text"]
    assert "no program called “Astronauts”" in reply
    assert "“Mentorship”" in reply


def test_leaving_ends_open_pairs_tells_the_partner_and_keeps_history(
    slack: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    fake_slack.add_user("UMENTOR", is_admin=True)
    fake_slack.add_user("UMENTEE")
    view = open_join(slack, fake_slack, "UMENTOR")
    slack.submit(
        view,
        join_fields(
            **{
                ids.JOIN_ROLE: picked("mentor"),
                ids.JOIN_SKILLS: ticked("Leadership"),
                ids.JOIN_CAPACITY: picked("1"),
            }
        ),
        user_id="UMENTOR",
    )
    slack.submit(open_join(slack, fake_slack, "UMENTEE"), join_fields(), user_id="UMENTEE")
    slack.slash("pair <@UMENTOR|mentor> <@UMENTEE|mentee>", user_id="UMENTOR")
    fake_slack.wait_for("conversations.open")

    slack.slash("leave", user_id="UMENTEE")

    told = fake_slack.wait_for("response_url", count=2)[-1].args["text"]
    assert "You have left Mentorship" in told
    assert "Your 1 open pair ended" in told
    partner_notes = [
        c.args["text"] for c in fake_slack.calls_to("chat.postMessage") if c.args["channel"] == "UMENTOR"
    ]
    assert any("<@UMENTEE> has left Mentorship" in text for text in partner_notes)
    with session_factory() as session:
        assert session.scalar(select(Pair.status)) == "ended"
        assert session.scalar(select(func.count()).select_from(Profile)) == 2
        left = session.scalar(select(Profile).where(Profile.left_at.is_not(None)))
    assert left is not None
