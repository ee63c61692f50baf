"""The meeting loop over HTTP with a controlled clock: prepare, agenda, reminder, check-in, follow-up.

Each meeting has one message in the pair's group DM. It is posted the working day before (the
mentee is asked to prepare), edited into the final agenda and reminder shortly before, and into
the check-in a few hours after the meeting ends. The clock runs every half hour; people click the
buttons of the messages as they read now and submit the forms the bot opened.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient
from sqlalchemy import select, update

from bot import ids
from bot.app import create_sending_client
from bot.config import Settings
from bot.delivery import dispatch_due
from bot.goals import GoalForm, create_goal
from bot.questions import default_bank
from storage.db import SessionFactory
from storage.models import ActionItem, CheckIn, CheckInAnswer, Goal, Pair, PrivateNote, Profile
from tests.fakes.slack_api import TEAM_ID, Call, FakeSlack
from tests.fakes.slack_requests import SlackSender, picked, typed
from tests.test_checkins import seed_pair

MENTOR, MENTEE, OUTSIDER = "UMENTOR1", "UMENTEE1", "UOUTSIDER"
BERLIN, LONDON = ZoneInfo("Europe/Berlin"), ZoneInfo("Europe/London")
MONDAY = datetime(2026, 10, 12, 0, 0, tzinfo=UTC)  # Europe falls back on Sunday 25 October
STEP = timedelta(minutes=30)


class MovingClock:
    """The app's clock, set by the test as its simulated time moves on."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def app_clock() -> MovingClock:
    return MovingClock(MONDAY)


@pytest.fixture
def sender(settings: Settings) -> WebClient:
    return create_sending_client(settings)


@pytest.fixture
def pair_id(session_factory: SessionFactory, fake_slack: FakeSlack) -> int:
    """A weekly pair meeting Tuesdays at 10:00 in Berlin from 13 October; the mentor is in London."""
    for user_id in (MENTOR, MENTEE, OUTSIDER):
        fake_slack.add_user(user_id)
    return seed_pair(
        session_factory,
        1,
        mentee_tz="Europe/Berlin",
        mentor_tz="Europe/London",
        local_time="10:00",
        start=date(2026, 10, 13),
    )


class Loop:
    """The clock and the people of one test."""

    def __init__(
        self, db: SessionFactory, sender: WebClient, fake: FakeSlack, slack: SlackSender, clock: MovingClock
    ) -> None:
        self.db, self.sender, self.fake, self.slack, self.clock = db, sender, fake, slack, clock
        self.by_clock: list[Call] = []  # what the clock sent, as opposed to answers to clicks

    def run_until(self, end: datetime) -> None:
        """Tick the clock every half hour up to `end`."""
        moment = self.clock.now
        while moment < end:
            self.at(moment)
            before = len(self.fake.calls)
            dispatch_due(self.db, self.sender, moment, sleep=lambda _s: None)
            self.by_clock += self.fake.calls[before:]
            moment += STEP
        self.at(end)

    def at(self, moment: datetime) -> None:
        self.clock.now = self.fake.now = moment

    def cards(self) -> dict[datetime, Call]:
        """Each meeting's message as first posted, by the meeting it is about (its metadata)."""
        found = {}
        for call in self.fake.calls_to("chat.postMessage"):
            metadata = call.args.get("metadata")
            metadata = json.loads(metadata) if isinstance(metadata, str) else metadata
            if call.ok and metadata and metadata.get("event_type") == "mentorbot_meeting":
                found[datetime.fromisoformat(metadata["event_payload"]["starts_at"])] = call
        return found

    def edits(self, card: Call) -> list[Call]:
        """The clock's edits of a meeting's message (the listeners' edits answer clicks)."""
        return [
            c
            for c in self.by_clock
            if c.method == "chat.update" and c.ok and c.args.get("ts") == card.response["ts"]
        ]

    def now_reads(self, card: Call) -> dict[str, Any]:
        return self.fake.message_of(card)

    def press(self, card: Call, action_id: str, user_id: str) -> None:
        before = len(self.fake.calls)
        self.slack.press(self.now_reads(card), action_id, user_id=user_id)
        self.fake.wait(lambda: len(self.fake.calls) > before, f"{action_id} to be handled")

    def press_as_posted(self, card: Call, action_id: str, user_id: str) -> None:
        """Click a button of the message as it was first posted: a stale copy, or a replayed click."""
        blocks = card.args.get("blocks")
        message = {
            "channel": card.response["channel"],
            "ts": card.response["ts"],
            "blocks": json.loads(blocks) if isinstance(blocks, str) else blocks,
        }
        before = len(self.fake.calls)
        self.slack.press(message, action_id, user_id=user_id)
        self.fake.wait(lambda: len(self.fake.calls) > before, f"{action_id} to be handled")

    def open_form(self, card: Call, action_id: str, user_id: str) -> dict[str, Any]:
        opened = len(self.fake.calls_to("views.open"))
        self.slack.press(self.now_reads(card), action_id, user_id=user_id)
        return self.fake.wait_for("views.open", count=opened + 1)[-1].args["view"]

    def submit(self, view: dict[str, Any], fields: dict[str, Any], user_id: str, changes: str) -> None:
        """Submit a form and wait until the meeting's message shows `changes`."""
        reply = self.slack.submit(view, fields, user_id=user_id)
        assert reply.body == "", reply.body
        self.fake.wait_until("chat.update", lambda c: changes in json.dumps(c.args))

    def answer(self, card: Call, user_id: str = MENTEE, met: str = "yes") -> None:
        published = len(self.fake.calls_to("views.publish"))
        self.slack.press(self.now_reads(card), f"{ids.CHECKIN_MET}_{met}", user_id=user_id)
        self.fake.wait(lambda: len(self.fake.calls_to("views.publish")) > published, "the answer to be saved")


@pytest.fixture
def loop(
    session_factory: SessionFactory,
    sender: WebClient,
    fake_slack: FakeSlack,
    slack: SlackSender,
    app_clock: MovingClock,
    pair_id: int,
) -> Loop:
    return Loop(session_factory, sender, fake_slack, slack, app_clock)


def buttons(message: dict[str, Any]) -> list[str]:
    """Every button of a message as it reads now, accessories included."""
    found = []
    for block in message.get("blocks") or []:
        for element in [*(block.get("elements") or []), block.get("accessory") or {}]:
            if element.get("type") == "button":
                found.append(element["action_id"])
    return found


def text_of(message: dict[str, Any]) -> str:
    return json.dumps(message.get("blocks"), ensure_ascii=False)


def daytime(moment: datetime, *zones: ZoneInfo) -> bool:
    return all(8 <= moment.astimezone(zone).hour < 20 for zone in zones)


def tuesdays(first: date, count: int) -> list[datetime]:
    """Meetings at 10:00 in Berlin on `count` Tuesdays from `first`, as UTC instants."""
    return [
        datetime.combine(
            first + timedelta(weeks=n), datetime.min.time().replace(hour=10), tzinfo=BERLIN
        ).astimezone(UTC)
        for n in range(count)
    ]


def test_six_weeks_across_a_clock_change_give_one_prompt_agenda_reminder_and_checkin_per_meeting(
    loop: Loop, session_factory: SessionFactory, pair_id: int
) -> None:
    meetings = tuesdays(date(2026, 10, 13), 6)  # 13 Oct ... 17 Nov; 27 Oct is after the clock change

    # Week 1: the card comes on Monday; the mentee prepares; after the meeting she says they met.
    loop.run_until(meetings[0] - timedelta(hours=20))
    first = loop.cards()[meetings[0]]
    prep = loop.open_form(first, ids.MEETING_PREP_OPEN, MENTEE)
    loop.submit(prep, {ids.PREP_TOPICS: typed("Feedback on my roadmap talk")}, MENTEE, "roadmap talk")
    loop.run_until(meetings[0] + timedelta(hours=6))
    loop.answer(first)

    # Week 2: the mentor skips the meeting from its message.
    loop.run_until(meetings[1] - timedelta(hours=20))
    second = loop.cards()[meetings[1]]
    loop.press(second, ids.MEETING_SKIP, MENTOR)
    loop.fake.wait_until(
        "chat.postMessage", lambda c: c.args["channel"] == MENTEE and "skipped" in c.args["text"]
    )
    loop.press_as_posted(second, ids.MEETING_SKIP, MENTOR)  # clicked again on a stale copy

    # Week 3 (after the clock change): nobody prepares; the check-in is answered.
    loop.run_until(meetings[2] + timedelta(hours=6))
    third = loop.cards()[meetings[2]]
    loop.answer(third)

    # Week 4: the mentee pauses on Friday and resumes on Wednesday, after that week's meeting.
    loop.run_until(meetings[3] - timedelta(days=4))
    loop.slack.click(ids.PAIR_PAUSE, str(pair_id), user_id=MENTEE)
    loop.fake.wait(lambda: _status(session_factory, pair_id) == "paused", "the pause")
    loop.run_until(meetings[3] + timedelta(days=1))
    loop.slack.click(ids.PAIR_RESUME, str(pair_id), user_id=MENTEE)
    loop.fake.wait(lambda: _status(session_factory, pair_id) == "active", "the resume")

    # Weeks 5 and 6: as agreed.
    for meeting in meetings[4:]:
        loop.run_until(meeting + timedelta(hours=6))
        loop.answer(loop.cards()[meeting])
    loop.run_until(meetings[5] + timedelta(days=5))  # up to Sunday: next Tuesday's card is not due yet

    cards = loop.cards()
    held = [meetings[0], meetings[2], meetings[4], meetings[5]]
    assert sorted(cards) == sorted([*held, meetings[1]]), "one message a meeting; none while paused"
    for meeting, card in cards.items():
        posted = card.sent_at
        assert posted is not None
        assert daytime(posted, BERLIN, LONDON), f"{meeting}: posted at night"
        # Monday, the working day before the Tuesday meeting, at the meeting's hour in Berlin.
        assert posted.astimezone(BERLIN).date() == meeting.astimezone(BERLIN).date() - timedelta(days=1)
        assert posted.astimezone(BERLIN).hour == 10
        assert "at 10:00 (Europe/Berlin)" in text_of(card.args)
    for meeting in held:
        edits = loop.edits(cards[meeting])
        reminders = [e for e in edits if e.args["text"].startswith("Your meeting is coming up")]
        checkins = [e for e in edits if e.args["text"].startswith("Check-in time")]
        assert len(reminders) == 1, f"{meeting}: {[e.args['text'] for e in edits]}"
        assert len(checkins) == 1, f"{meeting}: {[e.args['text'] for e in edits]}"
        (reminder,), (checkin,) = reminders, checkins
        assert reminder.sent_at == meeting - timedelta(hours=1), "an hour before: the agenda is final"
        assert ids.MEETING_SKIP in json.dumps(reminder.args)
        assert ids.MEETING_MOVE_OPEN in json.dumps(reminder.args)
        assert checkin.sent_at is not None
        assert checkin.sent_at >= meeting + timedelta(minutes=45)
        assert checkin.sent_at < meeting + timedelta(hours=5)
        assert daytime(checkin.sent_at, BERLIN, LONDON)
        assert "Agenda" in json.dumps(reminder.args)
    first_reminder = next(e for e in loop.edits(cards[meetings[0]]) if "coming up" in e.args["text"])
    assert "Feedback on my roadmap talk" in json.dumps(first_reminder.args)
    third_reminder = next(e for e in loop.edits(cards[meetings[2]]) if "coming up" in e.args["text"])
    assert "nothing was added" in json.dumps(third_reminder.args)
    skipped = loop.edits(cards[meetings[1]])
    assert not any(e.args["text"].startswith(("Your meeting is coming up", "Check-in time")) for e in skipped)
    assert "skipped" in text_of(loop.now_reads(cards[meetings[1]]))
    told = [
        c
        for c in loop.fake.calls_to("chat.postMessage")
        if c.args["channel"] == MENTEE and "skipped" in c.args["text"]
    ]
    assert len(told) == 1, "the partner is told once; the one who skipped is not"
    assert not [
        c
        for c in loop.fake.calls_to("chat.postMessage")
        if c.args["channel"] == MENTOR and "skipped" in c.args["text"]
    ]
    with session_factory() as session:
        skipped_row = session.scalars(select(CheckIn).where(CheckIn.due_at == meetings[1])).one()
        assert (skipped_row.stage, skipped_row.met) == ("skipped", "skipped")
        assert session.get(Pair, pair_id).unanswered_checkins == 0, (
            "a skipped meeting is not an unanswered one"
        )


def _status(session_factory: SessionFactory, pair_id: int) -> str:
    with session_factory() as session:
        return session.get(Pair, pair_id).status


def _mentor_questions(loop: Loop, card: Call) -> list[str]:
    view = loop.open_form(card, ids.MEETING_QUESTIONS_OPEN, MENTOR)
    assert view["callback_id"] == ids.MEETING_QUESTIONS_MODAL
    lines = next(b for b in view["blocks"] if b["type"] == "section" and "•" in b["text"]["text"])["text"][
        "text"
    ]
    return [line.split(":*", 1)[1].strip() for line in lines.splitlines()]


def test_the_mentors_questions_follow_the_pair_and_differ_from_week_to_week(
    loop: Loop, session_factory: SessionFactory, pair_id: int
) -> None:
    with session_factory.begin() as session:
        mentee = session.get(Pair, pair_id).mentee
        profile = session.scalars(select(Profile).where(Profile.person_id == mentee.id)).one()
        profile.motivations, profile.experience_level = (
            "I want to lead my team's design reviews",
            "developing",
        )
    meetings = tuesdays(date(2026, 10, 13), 3)
    bank = {q.id: q for q in default_bank().questions}
    first_texts = {q.text for q in bank.values() if "first" in q.when}

    loop.run_until(meetings[0] - timedelta(hours=20))
    first = loop.cards()[meetings[0]]
    week1 = _mentor_questions(loop, first)
    before = len(loop.fake.calls_to("chat.postEphemeral"))
    loop.slack.press(loop.now_reads(first), ids.MEETING_QUESTIONS_OPEN, user_id=MENTEE)
    refused = loop.fake.wait_for("chat.postEphemeral", count=before + 1)[-1]
    assert "for your mentor" in refused.args["text"], "the mentee never sees the mentor's questions"

    # After the first meeting the mentee reports a blocker; a goal falls behind schedule.
    loop.run_until(meetings[0] + timedelta(hours=6))
    loop.answer(first)
    with session_factory() as session:
        checkin_id = session.scalars(select(CheckIn.id).where(CheckIn.due_at == meetings[0])).one()
    reply = loop.slack.submit(
        {"callback_id": ids.CHECKIN_ANSWER_MODAL, "private_metadata": str(checkin_id)},
        {
            ids.CHECKIN_LEARNED: typed("Reviews need an agenda"),
            ids.CHECKIN_BLOCKER: typed("No slot at the architecture guild"),
        },
        user_id=MENTEE,
    )
    assert reply.body == ""
    loop.fake.wait_until("chat.update", lambda c: "architecture guild" in json.dumps(c.args))
    with session_factory.begin() as session:
        form = GoalForm(
            "Run three design reviews for the platform team",
            "target",
            3,
            "reviews",
            (),
            "x" * 20,
            "y" * 20,
            date(2026, 11, 10),
        )
        create_goal(session, TEAM_ID, pair_id, MENTEE, form, "V1", MONDAY - timedelta(days=30))
        session.execute(update(Goal).values(created_at=MONDAY - timedelta(days=30)))

    loop.run_until(meetings[1] - timedelta(hours=20))
    week2 = _mentor_questions(loop, loop.cards()[meetings[1]])
    loop.run_until(meetings[1] + timedelta(hours=6))
    loop.answer(loop.cards()[meetings[1]])
    loop.run_until(meetings[2] - timedelta(hours=20))
    week3 = _mentor_questions(loop, loop.cards()[meetings[2]])

    assert 3 <= len(week1) <= 4
    assert 3 <= len(week2) <= 4
    assert 3 <= len(week3) <= 4
    assert set(week1) & first_texts, "the first meeting asks about expectations and goals"
    assert any("architecture guild" in q for q in week2), "the blocker reported is asked about"
    assert any("Run three design reviews" in q for q in week2 + week3), (
        "a goal behind schedule is asked about"
    )
    assert not set(week1) & set(week2), "no question twice within four meetings"
    assert not set(week2) & set(week3), "no question twice within four meetings"
    assert all(q.endswith("?") for q in week1 + week2 + week3)


def test_an_action_item_shows_in_the_next_agenda_and_checkin_until_done_and_done_is_safe(
    loop: Loop, session_factory: SessionFactory
) -> None:
    meetings = tuesdays(date(2026, 10, 13), 3)
    loop.run_until(meetings[0] + timedelta(hours=6))
    first = loop.cards()[meetings[0]]
    loop.answer(first)
    notes = loop.open_form(first, ids.MEETING_NOTES_OPEN, MENTOR)
    fields = {
        ids.NOTES_SHARED: typed("We agreed the talk outline"),
        ids.encode_action_row(ids.ACTION_TEXT, 0): typed("Book a slot at the guild (act-7731)"),
        ids.encode_action_row(ids.ACTION_OWNER, 0): picked("mentee"),
        ids.encode_action_row(ids.ACTION_DUE, 0): {"type": "datepicker", "selected_date": "2026-10-16"},
        ids.NOTES_PRIVATE: typed("She seemed tired (private-5521)"),
    }
    loop.submit(notes, fields, MENTOR, "act-7731")
    loop.submit(notes, fields, MENTOR, "act-7731")  # the form submitted twice
    with session_factory() as session:
        (item,) = session.scalars(select(ActionItem)).all()
        assert session.scalars(select(PrivateNote.text)).all() == ["She seemed tired (private-5521)"]
    assert "private-5521" not in json.dumps([c.args for c in loop.fake.calls if c.method != "views.open"])

    loop.run_until(meetings[1] - timedelta(hours=20))
    second = loop.cards()[meetings[1]]
    assert "act-7731" in text_of(second.args), "the next agenda lists the open item"
    assert "late" in text_of(second.args)
    assert f"<@{MENTEE}>, this was due" in text_of(second.args)
    loop.run_until(meetings[1] + timedelta(hours=6))
    checkin = next(e for e in loop.edits(second) if e.args["text"].startswith("Check-in time"))
    assert "act-7731" in json.dumps(checkin.args), "and so does the check-in"

    message = loop.now_reads(second)
    before = len(loop.fake.calls_to("chat.postEphemeral"))
    loop.slack.press(
        message, ids.encode_action_done(item.id), user_id=OUTSIDER
    )  # the button of someone else's pair
    loop.fake.wait_for("chat.postEphemeral", count=before + 1)
    with session_factory() as session:
        assert session.get(ActionItem, item.id).done_at is None, "an outsider changes nothing"
    loop.slack.press(message, ids.encode_action_done(item.id), user_id=MENTEE)
    loop.fake.wait(lambda: "act-7731" not in text_of(loop.now_reads(second)), "the item to leave the message")
    loop.slack.press(message, ids.encode_action_done(item.id), user_id=MENTOR)  # a stale copy, clicked again
    again = loop.fake.wait_for("chat.postEphemeral", count=before + 2)[-1]
    assert "Already done" in again.args["text"]
    with session_factory() as session:
        done = session.get(ActionItem, item.id)
        assert done.done_at is not None
        assert done.done_by_id == session.get(Pair, done.pair_id).mentee_id

    loop.run_until(meetings[2] - timedelta(hours=20))
    third = loop.cards()[meetings[2]]
    assert "act-7731" not in text_of(third.args), "done items leave the agenda"


def test_nobody_outside_the_pair_sees_its_words(
    loop: Loop, session_factory: SessionFactory, settings: Settings, pair_id: int
) -> None:
    from bot.report import send_weekly_reports

    admin = "UPROGADMIN"
    loop.fake.add_user(admin)
    with session_factory.begin() as session:
        program = session.get(Pair, pair_id)
        from storage.models import Program

        prog = session.get(Program, program.program_id)
        prog.admin_user_ids, prog.configured_by_user_id = [admin], admin
    meetings = tuesdays(date(2026, 10, 13), 1)
    loop.run_until(meetings[0] - timedelta(hours=20))
    card = loop.cards()[meetings[0]]
    prep = loop.open_form(card, ids.MEETING_PREP_OPEN, MENTEE)
    secret = {"topic": "zx-topic-1", "question": "zx-question-2", "well": "zx-well-3", "hard": "zx-hard-4"}
    loop.submit(
        prep,
        {
            ids.PREP_TOPICS: typed(secret["topic"]),
            ids.PREP_QUESTIONS: typed(secret["question"]),
            ids.PREP_WENT_WELL: typed(secret["well"]),
            ids.PREP_HARD: typed(secret["hard"]),
        },
        MENTEE,
        secret["topic"],
    )
    loop.run_until(meetings[0] + timedelta(hours=6))
    loop.answer(card)
    notes = loop.open_form(card, ids.MEETING_NOTES_OPEN, MENTEE)
    loop.submit(
        notes,
        {
            ids.NOTES_SHARED: typed("zx-notes-5"),
            ids.encode_action_row(ids.ACTION_TEXT, 0): typed("zx-action-6"),
            ids.NOTES_PRIVATE: typed("zx-private-7"),
        },
        MENTEE,
        "zx-notes-5",
    )
    seen_by_admin_before = len(loop.fake.calls)
    loop.slack.open_home(admin)
    loop.fake.wait_until("views.publish", lambda c: c.args["user_id"] == admin)
    loop.slack.slash("list", user_id=admin)
    loop.slack.slash("export", user_id=admin)
    loop.fake.wait(
        lambda: any(f["filename"].startswith("checkins") for f in loop.fake.files.values()), "the export"
    )
    send_weekly_reports(session_factory, loop.sender, datetime(2026, 10, 19, 14, 0, tzinfo=UTC), settings)

    admin_dms = {
        c.response["channel"]["id"]
        for c in loop.fake.calls_to("conversations.open")
        if c.ok and c.args.get("users") == admin
    }
    to_admin = [
        c.args
        for c in loop.fake.calls[seen_by_admin_before:]
        if c.method == "response_url"
        or {admin, *admin_dms} & {c.args.get("user_id"), c.args.get("channel"), c.args.get("channel_id")}
    ]
    admin_saw = json.dumps(to_admin, ensure_ascii=False)
    files = b"".join(f["content"] for f in loop.fake.files.values())
    assert "Meetings prepared" in admin_saw, "admins see the counts"
    assert "Weekly report" in admin_saw, "the weekly report was sent and is searched too"
    assert "1 of 1" in admin_saw, "one meeting, prepared"
    for word in (*secret.values(), "zx-notes-5", "zx-action-6", "zx-private-7"):
        assert word not in admin_saw, word
        assert word.encode() not in files, word
    with session_factory() as session:
        assert session.scalar(select(CheckInAnswer.id)) is not None


def test_forget_me_takes_the_agendas_notes_and_action_items_a_person_wrote(
    loop: Loop, session_factory: SessionFactory
) -> None:
    meetings = tuesdays(date(2026, 10, 13), 1)
    loop.run_until(meetings[0] - timedelta(hours=20))
    card = loop.cards()[meetings[0]]
    prep = loop.open_form(card, ids.MEETING_PREP_OPEN, MENTEE)
    loop.submit(prep, {ids.PREP_TOPICS: typed("fm-topic")}, MENTEE, "fm-topic")
    loop.run_until(meetings[0] + timedelta(hours=6))
    loop.answer(card)
    notes = loop.open_form(card, ids.MEETING_NOTES_OPEN, MENTEE)
    fields = {
        ids.NOTES_SHARED: typed("fm-notes"),
        ids.encode_action_row(ids.ACTION_TEXT, 0): typed("fm-action"),
        ids.NOTES_PRIVATE: typed("fm-private"),
    }
    loop.submit(notes, fields, MENTEE, "fm-notes")

    opened = len(loop.fake.calls_to("views.open"))
    loop.slack.slash("forget-me", user_id=MENTEE)
    confirm = loop.fake.wait_for("views.open", count=opened + 1)[-1].args["view"]
    assert confirm["callback_id"] == ids.FORGET_MODAL
    assert loop.slack.submit(confirm, {}, user_id=MENTEE).body == ""
    loop.fake.wait_until(
        "chat.postMessage", lambda c: c.args["channel"] == MENTOR and "has ended" in c.args["text"]
    )

    with session_factory() as session:
        meeting = session.scalars(select(CheckIn)).one()
        assert (meeting.prep_topics, meeting.notes, meeting.mentor_questions) == (None, None, None)
        assert session.scalars(select(ActionItem.text)).all() == ["(forgotten)"]
        assert session.scalars(select(PrivateNote)).all() == []


def test_a_moved_meeting_is_reminded_and_checked_in_at_its_new_time_and_the_partner_hears_once(
    loop: Loop, session_factory: SessionFactory
) -> None:
    (meeting,) = tuesdays(date(2026, 10, 13), 1)
    loop.run_until(meeting - timedelta(hours=20))
    card = loop.cards()[meeting]
    move = loop.open_form(card, ids.MEETING_MOVE_OPEN, MENTEE)
    assert move["callback_id"] == ids.MEETING_MOVE_MODAL
    past = {
        ids.MOVE_DATE: {"type": "datepicker", "selected_date": "2026-10-12"},
        ids.MOVE_TIME: {"type": "timepicker", "selected_time": "09:00"},
    }
    refused = loop.slack.submit(move, past, user_id=MENTEE).json()
    assert "still to come" in json.dumps(refused["errors"])
    wednesday = {
        ids.MOVE_DATE: {"type": "datepicker", "selected_date": "2026-10-14"},
        ids.MOVE_TIME: {"type": "timepicker", "selected_time": "15:00"},
    }
    loop.submit(move, wednesday, MENTEE, "moved to Wed 14 Oct at 15:00")
    assert loop.slack.submit(move, wednesday, user_id=MENTEE).body == ""  # the same move again

    moved = datetime(2026, 10, 14, 13, 0, tzinfo=UTC)  # 15:00 in Berlin
    loop.run_until(moved + timedelta(hours=6))

    edits = loop.edits(card)
    (reminder,) = [e for e in edits if e.args["text"].startswith("Your meeting is coming up")]
    (checkin,) = [e for e in edits if e.args["text"].startswith("Check-in time")]
    assert reminder.sent_at == moved - timedelta(hours=1), "an hour before the new time, not the old"
    assert checkin.sent_at is not None
    assert checkin.sent_at >= moved + timedelta(hours=3, minutes=45), "after the moved meeting ended"
    told = [
        c
        for c in loop.fake.calls_to("chat.postMessage")
        if c.args["channel"] == MENTOR and "moved" in c.args["text"]
    ]
    assert len(told) == 1, "the partner hears once, the one who moved it never"
    assert "15:00" in told[0].args["text"] or "14:00" in told[0].args["text"]  # in the mentor's own zone
    assert not [
        c
        for c in loop.fake.calls_to("chat.postMessage")
        if c.args["channel"] == MENTEE and "moved" in c.args["text"]
    ]


def test_home_shows_the_next_agenda_the_mentors_questions_to_the_mentor_only_and_open_action_items(
    loop: Loop, session_factory: SessionFactory, pair_id: int
) -> None:
    meetings = tuesdays(date(2026, 10, 13), 2)
    loop.run_until(meetings[0] + timedelta(hours=6))
    first = loop.cards()[meetings[0]]
    loop.answer(first)
    notes = loop.open_form(first, ids.MEETING_NOTES_OPEN, MENTEE)
    loop.submit(
        notes,
        {ids.encode_action_row(ids.ACTION_TEXT, 0): typed("Draft the outline (home-81)")},
        MENTEE,
        "home-81",
    )
    loop.run_until(meetings[1] - timedelta(hours=20))
    second = loop.cards()[meetings[1]]
    prep = loop.open_form(second, ids.MEETING_PREP_OPEN, MENTEE)
    loop.submit(prep, {ids.PREP_TOPICS: typed("Stakeholder maps (home-82)")}, MENTEE, "home-82")

    def home(user_id: str) -> str:
        def theirs() -> list[Call]:
            return [c for c in loop.fake.calls_to("views.publish") if c.args["user_id"] == user_id]

        if user_id == MENTEE:  # the agenda's own Home update comes first
            loop.fake.wait(
                lambda: "home-82" in json.dumps([c.args for c in theirs()[-1:]]), "the agenda on Home"
            )
        published = len(theirs())
        loop.slack.open_home(user_id)
        loop.fake.wait(lambda: len(theirs()) > published, f"{user_id}'s Home")
        return json.dumps(theirs()[-1].args["view"], ensure_ascii=False)

    mentor, mentee = home(MENTOR), home(MENTEE)
    with session_factory() as session:
        chosen = session.scalars(select(CheckIn.mentor_questions).where(CheckIn.due_at == meetings[1])).one()
    assert chosen
    assert all(q["text"][:40] in mentor for q in chosen), "the mentor's Home lists the questions"
    assert not any(q["text"][:40] in mentee for q in chosen), "the mentee's does not"
    for view in (mentor, mentee):
        assert "home-81" in view
        assert "home-82" in view
        assert ids.ACTION_DONE in view
        assert ids.MEETING_HISTORY_OPEN in view
        assert ids.MEETING_NOTES_OPEN in view

    opened = len(loop.fake.calls_to("views.open"))
    loop.slack.click(ids.MEETING_HISTORY_OPEN, str(pair_id), user_id=MENTEE)
    history = json.dumps(
        loop.fake.wait_for("views.open", count=opened + 1)[-1].args["view"], ensure_ascii=False
    )
    assert history.index("Tue 20 Oct") < history.index("Tue 13 Oct"), "newest first"
    assert "home-81" in history
    assert "home-82" in history
    loop.slack.click(ids.MEETING_HISTORY_OPEN, str(pair_id), user_id=OUTSIDER)
    refusal = loop.fake.wait_until("chat.postMessage", lambda c: c.args["channel"] == OUTSIDER)
    assert "not part of" in refusal.args["text"]
    assert len(loop.fake.calls_to("views.open")) == opened + 1, "no history for someone outside the pair"


def test_a_pair_paused_and_resumed_before_its_meeting_still_gets_its_reminder_and_checkin(
    loop: Loop, session_factory: SessionFactory, pair_id: int
) -> None:
    (meeting,) = tuesdays(date(2026, 10, 13), 1)
    loop.run_until(meeting - timedelta(hours=20))
    card = loop.cards()[meeting]
    loop.slack.click(ids.PAIR_PAUSE, str(pair_id), user_id=MENTEE)
    loop.fake.wait(lambda: _status(session_factory, pair_id) == "paused", "the pause")
    loop.run_until(meeting - timedelta(minutes=30))  # the reminder's time passes while paused
    assert loop.edits(card) == []
    loop.slack.click(ids.PAIR_RESUME, str(pair_id), user_id=MENTEE)
    loop.fake.wait(lambda: _status(session_factory, pair_id) == "active", "the resume")
    loop.run_until(meeting + timedelta(hours=6))

    steps = [e.args["text"].split(":")[0] for e in loop.edits(card)]
    assert steps == ["Your meeting is coming up", "Check-in time"]
    assert len(loop.cards()) == 1, "no second message for the same meeting"


def test_changing_the_agreement_moves_the_meeting_whose_message_is_out_instead_of_sending_another(
    loop: Loop, session_factory: SessionFactory
) -> None:
    (tuesday,) = tuesdays(date(2026, 10, 13), 1)
    loop.run_until(tuesday - timedelta(hours=20))
    card = loop.cards()[tuesday]
    prep = loop.open_form(card, ids.MEETING_PREP_OPEN, MENTEE)
    loop.submit(prep, {ids.PREP_TOPICS: typed("Keep me (agreed-41)")}, MENTEE, "agreed-41")

    # Monday afternoon: they agree to meet on Thursdays instead, from this week.
    opened = len(loop.fake.calls_to("views.open"))
    loop.slack.slash("agreement", user_id=MENTEE)
    view = loop.fake.wait_for("views.open", count=opened + 1)[-1].args["view"]
    fields = {
        ids.AGREE_FREQUENCY: picked("weekly"),
        ids.AGREE_WEEKDAY: picked("3"),
        ids.AGREE_TIME: {"type": "timepicker", "selected_time": "10:00"},
        ids.AGREE_TZ: typed("Europe/Berlin"),
        ids.AGREE_FORMAT: picked("video"),
        ids.AGREE_START: {"type": "datepicker", "selected_date": "2026-10-13"},
        ids.AGREE_EXPECTATIONS: typed("We meet and we talk, on Thursdays now."),
    }
    assert loop.slack.submit(view, fields, user_id=MENTEE).body == ""
    thursday = datetime(2026, 10, 15, 8, 0, tzinfo=UTC)
    # Wait for the edit as Slack received it, so that it is not taken for one of the clock's.
    loop.fake.wait_until("chat.update", lambda c: "Thu 15 Oct" in json.dumps(c.args))
    loop.run_until(thursday + timedelta(hours=6))

    assert list(loop.cards()) == [tuesday], "one message for the meeting, not a second"
    steps = [(e.args["text"].split(":")[0], e.sent_at) for e in loop.edits(card)]
    assert ("Your meeting is coming up", thursday - timedelta(hours=1)) in steps
    assert not [at for _, at in steps if at is not None and at < thursday - timedelta(hours=1)], (
        "nothing on Tuesday"
    )
    assert "agreed-41" in text_of(loop.now_reads(card)), "what the mentee prepared stays"
    assert text_of(loop.now_reads(card)).count("Check-in time") <= 1
    assert loop.now_reads(card)["text"].startswith("Check-in time")


def test_notes_saved_over_a_partners_newer_notes_are_refused_and_nothing_is_lost(
    loop: Loop, session_factory: SessionFactory
) -> None:
    (meeting,) = tuesdays(date(2026, 10, 13), 1)
    loop.run_until(meeting + timedelta(hours=6))
    card = loop.cards()[meeting]
    mentors_form = loop.open_form(card, ids.MEETING_NOTES_OPEN, MENTOR)
    mentees_form = loop.open_form(card, ids.MEETING_NOTES_OPEN, MENTEE)
    loop.submit(mentees_form, {ids.NOTES_SHARED: typed("Her notes (stale-1)")}, MENTEE, "stale-1")

    reply = loop.slack.submit(mentors_form, {ids.NOTES_SHARED: typed("His notes (stale-2)")}, user_id=MENTOR)

    assert "changed the notes" in reply.json()["errors"][ids.NOTES_SHARED]
    with session_factory() as session:
        assert session.scalars(select(CheckIn.notes)).one() == "Her notes (stale-1)"
    again = loop.open_form(card, ids.MEETING_NOTES_OPEN, MENTOR)
    loop.submit(
        again, {ids.NOTES_SHARED: typed("Her notes (stale-1), and mine (stale-3)")}, MENTOR, "stale-3"
    )


def test_a_paused_pairs_meeting_can_no_longer_be_prepared_skipped_or_moved(
    loop: Loop, session_factory: SessionFactory, pair_id: int
) -> None:
    (meeting,) = tuesdays(date(2026, 10, 13), 1)
    loop.run_until(meeting - timedelta(hours=20))
    card = loop.cards()[meeting]
    loop.slack.click(ids.PAIR_PAUSE, str(pair_id), user_id=MENTEE)
    loop.fake.wait(lambda: _status(session_factory, pair_id) == "paused", "the pause")

    before = len(loop.fake.calls_to("chat.postEphemeral"))
    loop.slack.press(loop.now_reads(card), ids.MEETING_SKIP, user_id=MENTOR)
    refusal = loop.fake.wait_for("chat.postEphemeral", count=before + 1)[-1]

    assert "paused" in refusal.args["text"]
    with session_factory() as session:
        assert session.scalars(select(CheckIn.stage)).one() == "prep"


def _save_agreement(loop: Loop, weekday: str, expectations: str) -> None:
    opened = len(loop.fake.calls_to("views.open"))
    loop.slack.slash("agreement", user_id=MENTEE)
    view = loop.fake.wait_for("views.open", count=opened + 1)[-1].args["view"]
    fields = {
        ids.AGREE_FREQUENCY: picked("weekly"),
        ids.AGREE_WEEKDAY: picked(weekday),
        ids.AGREE_TIME: {"type": "timepicker", "selected_time": "10:00"},
        ids.AGREE_TZ: typed("Europe/Berlin"),
        ids.AGREE_FORMAT: picked("video"),
        ids.AGREE_START: {"type": "datepicker", "selected_date": "2026-10-13"},
        ids.AGREE_EXPECTATIONS: typed(expectations),
    }
    published = len(loop.fake.calls_to("views.publish"))
    assert loop.slack.submit(view, fields, user_id=MENTEE).body == ""
    loop.fake.wait(lambda: len(loop.fake.calls_to("views.publish")) >= published + 2, "both Homes")


def test_saving_the_agreement_again_after_it_moved_the_meeting_sends_no_second_message(
    loop: Loop, session_factory: SessionFactory, pair_id: int
) -> None:
    (tuesday,) = tuesdays(date(2026, 10, 13), 1)
    loop.run_until(tuesday - timedelta(hours=20))
    _save_agreement(loop, "3", "We meet on Thursdays from now on.")
    _save_agreement(loop, "3", "We meet on Thursdays, and we bring one question each.")
    loop.run_until(datetime(2026, 10, 15, 14, 0, tzinfo=UTC))

    assert list(loop.cards()) == [tuesday], "one message for the meeting"
    with session_factory() as session:
        assert session.get(Pair, pair_id).unanswered_checkins == 0
        assert len(session.scalars(select(CheckIn)).all()) == 1


def test_changing_only_what_each_brings_keeps_a_meeting_a_member_moved(
    loop: Loop, session_factory: SessionFactory
) -> None:
    (tuesday,) = tuesdays(date(2026, 10, 13), 1)
    loop.run_until(tuesday - timedelta(hours=20))
    card = loop.cards()[tuesday]
    move = loop.open_form(card, ids.MEETING_MOVE_OPEN, MENTOR)
    wednesday = {
        ids.MOVE_DATE: {"type": "datepicker", "selected_date": "2026-10-14"},
        ids.MOVE_TIME: {"type": "timepicker", "selected_time": "16:00"},
    }
    loop.submit(move, wednesday, MENTOR, "moved to Wed 14 Oct at 16:00")
    _save_agreement(loop, "1", "We meet on Tuesdays and we bring one question each.")
    loop.run_until(datetime(2026, 10, 14, 21, 0, tzinfo=UTC))

    assert list(loop.cards()) == [tuesday]
    with session_factory() as session:
        assert session.scalars(select(CheckIn.moved_to)).one() == datetime(2026, 10, 14, 14, 0, tzinfo=UTC)
    steps = [e.args["text"].split(":")[0] for e in loop.edits(card)]
    assert steps == ["Your meeting is coming up", "Check-in time"]


def test_a_form_that_left_the_shared_notes_alone_saves_the_rest_and_keeps_the_partners_notes(
    loop: Loop, session_factory: SessionFactory
) -> None:
    (meeting,) = tuesdays(date(2026, 10, 13), 1)
    loop.run_until(meeting + timedelta(hours=6))
    card = loop.cards()[meeting]
    mentors_form = loop.open_form(card, ids.MEETING_NOTES_OPEN, MENTOR)
    mentees_form = loop.open_form(card, ids.MEETING_NOTES_OPEN, MENTEE)
    loop.submit(mentees_form, {ids.NOTES_SHARED: typed("Her notes (keep-1)")}, MENTEE, "keep-1")

    loop.submit(
        mentors_form,
        {
            ids.NOTES_SHARED: typed(""),
            ids.encode_action_row(ids.ACTION_TEXT, 0): typed("Send the deck (keep-2)"),
        },
        MENTOR,
        "keep-2",
    )

    with session_factory() as session:
        assert session.scalars(select(CheckIn.notes)).one() == "Her notes (keep-1)"
        assert session.scalars(select(ActionItem.text)).all() == ["Send the deck (keep-2)"]
