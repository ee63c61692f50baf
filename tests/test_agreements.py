"""A pair agrees how it meets: the modal, the summary in their group DM, and the calendar file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar
from sqlalchemy import select

from bot import ids
from storage.db import SessionFactory
from storage.models import Agreement, Pair
from tests.blockkit import assert_valid_view
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import SlackSender, picked, typed

NEXT_WEEK = (datetime.now(UTC) + timedelta(days=7)).date()


def agreement_fields(**overrides: dict) -> dict:
    """A complete agreement: every two weeks on Tuesday 09:30 Berlin time, by video."""
    fields = {
        ids.AGREE_FREQUENCY: picked("biweekly"),
        ids.AGREE_WEEKDAY: picked("1"),
        ids.AGREE_TIME: {"type": "timepicker", "selected_time": "09:30"},
        ids.AGREE_TZ: typed("Europe/Berlin"),
        ids.AGREE_FORMAT: picked("video"),
        ids.AGREE_LOCATION: typed("https://meet.example.com/mia-tom"),
        ids.AGREE_START: {"type": "datepicker", "selected_date": NEXT_WEEK.isoformat()},
        ids.AGREE_EXPECTATIONS: typed("Tom brings a topic each time; Mia answers DMs within a day."),
    }
    return fields | overrides


def open_agreement(slack: SlackSender, fake_slack: FakeSlack, user_id: str) -> dict:
    opened = len(fake_slack.calls_to("views.open"))
    slack.slash("agreement", user_id=user_id)
    return fake_slack.wait_for("views.open", count=opened + 1)[-1].args["view"]


def test_saving_the_agreement_posts_a_summary_and_a_calendar_file(
    paired: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    view = open_agreement(paired, fake_slack, "UTOM")
    assert_valid_view(view)
    tz = next(b for b in view["blocks"] if b.get("block_id") == ids.AGREE_TZ)
    assert tz["element"]["initial_value"] == "Europe/Paris", "defaults to the mentee's zone"

    reply = paired.submit(view, agreement_fields(), user_id="UTOM")

    assert reply.body == ""
    fake_slack.wait_for("files.completeUploadExternal")
    with session_factory() as session:
        dm_channel = session.scalar(select(Pair.dm_channel_id))
        agreement = session.scalars(select(Agreement)).one()
    assert (agreement.frequency, agreement.local_time, agreement.saved_by_user_id) == (
        "biweekly",
        "09:30",
        "UTOM",
    )
    summary = fake_slack.last("chat.postMessage")
    assert summary.args["channel"] == dm_channel
    assert "every two weeks on Tuesday at 09:30" in summary.args["text"]
    (upload,) = [f for f in fake_slack.files.values() if f["channel"] == dm_channel]
    calendar = Calendar.from_ical(upload["content"])
    event = next(c for c in calendar.walk("VEVENT"))
    assert event["RRULE"]["FREQ"] == ["WEEKLY"]
    assert event["RRULE"]["INTERVAL"] == [2]
    assert event["DTSTART"].dt.tzinfo is not None
    assert event["DTSTART"].dt.strftime("%H:%M %a") == "09:30 Tue"
    assert str(event["DTSTART"].params["TZID"]) == "Europe/Berlin"


def test_a_later_change_says_what_changed_and_who_saved_it(
    paired: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    paired.submit(open_agreement(paired, fake_slack, "UTOM"), agreement_fields(), user_id="UTOM")
    fake_slack.wait_for("files.completeUploadExternal")

    view = open_agreement(paired, fake_slack, "UMIA")
    assert "Last saved by <@UTOM>" in str(view["blocks"])
    paired.submit(
        view,
        agreement_fields(
            **{ids.AGREE_FREQUENCY: picked("weekly"), ids.AGREE_TIME: {"selected_time": "16:00"}}
        ),
        user_id="UMIA",
    )

    fake_slack.wait_for("files.completeUploadExternal", count=2)
    change = [c for c in fake_slack.calls_to("chat.postMessage") if "changed" in c.args.get("text", "")]
    assert len(change) == 1
    assert "<@UMIA> changed the how often and time of how you meet" in change[0].args["text"]
    with session_factory() as session:
        agreement = session.scalars(select(Agreement)).one()
    assert (agreement.frequency, agreement.local_time, agreement.saved_by_user_id) == (
        "weekly",
        "16:00",
        "UMIA",
    )


def test_agreement_mistakes_are_shown_on_their_fields(paired: SlackSender, fake_slack: FakeSlack) -> None:
    view = open_agreement(paired, fake_slack, "UTOM")
    yesterday = (datetime.now(UTC) - timedelta(days=2)).date().isoformat()

    answer = paired.submit(
        view,
        agreement_fields(
            **{
                ids.AGREE_TZ: typed("Europe/Atlantis"),
                ids.AGREE_START: {"type": "datepicker", "selected_date": yesterday},
                ids.AGREE_EXPECTATIONS: typed("ok"),
                ids.AGREE_FORMAT: picked(None),
            }
        ),
        user_id="UTOM",
    ).json()

    assert set(answer["errors"]) == {ids.AGREE_TZ, ids.AGREE_START, ids.AGREE_EXPECTATIONS, ids.AGREE_FORMAT}


def test_someone_outside_the_pair_cannot_open_or_save_its_agreement(
    paired: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    view = open_agreement(paired, fake_slack, "UTOM")

    paired.click(ids.AGREEMENT_OPEN, view["private_metadata"], user_id="UTIA")
    crafted = paired.submit(view, agreement_fields(), user_id="UTIA").json()

    told = fake_slack.wait_until("chat.postMessage", lambda call: call.args["channel"] == "UTIA")
    assert "not part of" in told.args["text"]
    assert ids.AGREE_EXPECTATIONS in crafted["errors"]
    with session_factory() as session:
        assert session.scalars(select(Agreement)).all() == []


def test_the_home_tab_shows_the_agreement_and_the_next_meeting(
    paired: SlackSender, fake_slack: FakeSlack
) -> None:
    paired.submit(open_agreement(paired, fake_slack, "UTOM"), agreement_fields(), user_id="UTOM")

    home = fake_slack.wait_until(
        "views.publish",
        lambda call: call.args["user_id"] == "UMIA" and "Next meeting" in str(call.args["view"]),
    ).args["view"]

    assert_valid_view(home)
    assert "every two weeks on Tuesday at 09:30" in str(home["blocks"])
