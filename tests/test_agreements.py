"""A pair agrees how it meets: the modal, the summary in their group DM, and the calendar file."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import vobject
from icalendar import Calendar
from sqlalchemy import select, text

from bot import ids
from bot.app import ListenerPool
from storage.db import SessionFactory, create_db_engine, create_session_factory
from storage.migrate import upgrade
from storage.models import Agreement, Pair
from tests.blockkit import assert_valid_view
from tests.conftest import LISTENER_DEADLINE
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import SlackSender, picked, typed
from tests.test_checkins import seed_pair
from tests.test_pairing import confirm_end, last_question

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
    assert fake_slack.calls_to("chat.postMessage") == [], "the summary is the calendar file's comment"
    (upload,) = [f for f in fake_slack.files.values() if f["channel"] == dm_channel]
    assert "every two weeks on Tuesday at 09:30" in upload["comment"]
    assert "*Expectations*" in upload["comment"]
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
    change = [f["comment"] for f in fake_slack.files.values() if "changed" in (f["comment"] or "")]
    assert len(change) == 1
    assert "<@UMIA> changed the how often and time of how you meet" in change[0]
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


def calendar_files(fake_slack: FakeSlack, channel: str) -> list[dict]:
    """The calendar files uploaded to `channel`, oldest first."""
    return [f for f in fake_slack.files.values() if f["channel"] == channel and f["content"] is not None]


def test_every_file_updates_one_series_with_a_rising_sequence_and_ending_the_pair_cancels_it(
    paired: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory, listeners: ListenerPool
) -> None:
    paired.submit(open_agreement(paired, fake_slack, "UTOM"), agreement_fields(), user_id="UTOM")
    fake_slack.wait_for("files.completeUploadExternal")
    paired.submit(open_agreement(paired, fake_slack, "UMIA"), agreement_fields(), user_id="UMIA")
    assert listeners.wait_idle(LISTENER_DEADLINE)
    assert len(fake_slack.calls_to("files.completeUploadExternal")) == 1, "the same agreement again: no post"
    changed = agreement_fields(**{ids.AGREE_TIME: {"type": "timepicker", "selected_time": "16:00"}})
    paired.submit(open_agreement(paired, fake_slack, "UMIA"), changed, user_id="UMIA")
    fake_slack.wait_for("files.completeUploadExternal", count=2)

    paired.slash("end", user_id="UMIA")
    confirm_end(paired, fake_slack, "UMIA", last_question(fake_slack))

    fake_slack.wait_for("files.completeUploadExternal", count=3)
    with session_factory() as session:
        dm_channel = session.scalar(select(Pair.dm_channel_id))
    assert dm_channel
    files = calendar_files(fake_slack, dm_channel)
    read = [vobject.readOne(f["content"].decode()) for f in files]
    (uid,) = {calendar.vevent.uid.value for calendar in read}
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}@mentorbot", uid)
    # Saving the same agreement again changes nothing; changing the time is a new version.
    assert [c.vevent.sequence.value for c in read] == ["0", "1", "2"]
    assert [c.method.value for c in read] == ["PUBLISH", "PUBLISH", "CANCEL"]
    assert [c.vevent.status.value for c in read] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]
    assert {c.vevent.summary.value for c in read} == {"Mentoring: Person UMIA & Person UTOM"}
    assert [f"{c.vevent.dtstart.value:%H:%M}" for c in read] == ["09:30", "16:00", "16:00"]
    assert files[-1]["title"] == "Remove our meetings from your calendar"
    cancel = fake_slack.last("files.completeUploadExternal")
    assert "This mentorship has ended" in cancel.args["initial_comment"]


def test_each_agreement_has_its_own_series(
    paired: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    paired.slash("pair <@UMAX> <@UTIA>", user_id="UADMIN")
    fake_slack.wait_for("conversations.open", count=1)
    paired.submit(open_agreement(paired, fake_slack, "UTOM"), agreement_fields(), user_id="UTOM")
    paired.submit(open_agreement(paired, fake_slack, "UTIA"), agreement_fields(), user_id="UTIA")
    fake_slack.wait_for("files.completeUploadExternal", count=2)

    with session_factory() as session:
        uids = session.scalars(select(Agreement.calendar_uid)).all()

    assert len(set(uids)) == 2
    assert not any(uid.startswith("pair-") for uid in uids)


def test_an_agreement_from_before_calendar_series_keeps_the_uid_its_file_carried(
    empty_database_url: str,
) -> None:
    engine = create_db_engine(empty_database_url)
    upgrade(engine, "0005")
    with engine.begin() as connection:
        for statement in (
            "INSERT INTO workspaces (team_id, created_at) VALUES ('T1', CURRENT_TIMESTAMP)",
            "INSERT INTO programs (id, team_id, name, is_default, created_at) "
            "VALUES (1, 'T1', 'Mentorship', true, CURRENT_TIMESTAMP)",
            "INSERT INTO people (id, team_id, user_id, created_at, updated_at) "
            "VALUES (1, 'T1', 'UMIA', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP), "
            "(2, 'T1', 'UTOM', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
            "INSERT INTO pairs (id, team_id, program_id, mentor_id, mentee_id, status, created_at) "
            "VALUES (7, 'T1', 1, 1, 2, 'active', CURRENT_TIMESTAMP)",
            "INSERT INTO agreements (team_id, pair_id, frequency, weekday, local_time, tz, meeting_format, "
            "start_date, saved_by_user_id, saved_at) VALUES ('T1', 7, 'weekly', 1, '09:00', 'Europe/Berlin', "
            "'video', '2026-03-02', 'UMIA', CURRENT_TIMESTAMP)",
        ):
            connection.execute(text(statement))

    upgrade(engine)

    with create_session_factory(engine)() as session:
        agreement = session.scalars(select(Agreement)).one()
        assert (agreement.calendar_uid, agreement.calendar_sequence) == ("pair-7@mentorbot", 0)
    engine.dispose()


def test_a_silent_pair_that_chooses_to_end_gets_the_cancellation_in_its_dm(
    session_factory: SessionFactory, fake_slack: FakeSlack, slack: SlackSender
) -> None:
    pair_id = seed_pair(session_factory, 1, mentee_tz="Europe/Berlin")
    with session_factory() as session:
        uid = session.scalar(select(Agreement.calendar_uid))

    slack.click(f"{ids.DRIFT_ANSWER}_end", str(pair_id), user_id="UMENTOR1")

    fake_slack.wait_for("files.completeUploadExternal")
    (cancel,) = calendar_files(fake_slack, "GPAIR00001")
    read = vobject.readOne(cancel["content"].decode())
    assert (read.method.value, read.vevent.uid.value, read.vevent.status.value) == (
        "CANCEL",
        uid,
        "CANCELLED",
    )
    assert read.vevent.sequence.value == "1"


def test_leaving_the_program_cancels_the_pairs_meetings(
    paired: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    paired.submit(open_agreement(paired, fake_slack, "UTOM"), agreement_fields(), user_id="UTOM")
    fake_slack.wait_for("files.completeUploadExternal")

    paired.slash("leave", user_id="UTOM")

    fake_slack.wait_for("files.completeUploadExternal", count=2)
    with session_factory() as session:
        dm_channel = session.scalar(select(Pair.dm_channel_id))
    agreed, cancelled = (
        vobject.readOne(f["content"].decode()) for f in calendar_files(fake_slack, dm_channel)
    )
    assert cancelled.method.value == "CANCEL"
    assert cancelled.vevent.uid.value == agreed.vevent.uid.value
    assert int(cancelled.vevent.sequence.value) > int(agreed.vevent.sequence.value)


def test_forget_me_cancels_the_pairs_meetings_without_the_forgotten_name(
    paired: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    paired.submit(open_agreement(paired, fake_slack, "UTOM"), agreement_fields(), user_id="UTOM")
    fake_slack.wait_for("files.completeUploadExternal")
    opened = len(fake_slack.calls_to("views.open"))
    paired.slash("forget-me", user_id="UTOM")
    confirm = fake_slack.wait_for("views.open", count=opened + 1)[-1].args["view"]

    assert paired.submit(confirm, {}, user_id="UTOM").body == ""

    fake_slack.wait_for("files.completeUploadExternal", count=2)
    with session_factory() as session:
        dm_channel = session.scalar(select(Pair.dm_channel_id))
    published, cancelled = (
        vobject.readOne(f["content"].decode()) for f in calendar_files(fake_slack, dm_channel)
    )
    assert cancelled.method.value == "CANCEL"
    assert cancelled.vevent.uid.value == published.vevent.uid.value
    assert int(cancelled.vevent.sequence.value) > int(published.vevent.sequence.value)
    assert "UTOM" not in cancelled.vevent.summary.value
    assert cancelled.vevent.summary.value == "Mentoring: Person UMIA & your mentee"
