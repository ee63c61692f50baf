"""A cohort from sign-up to graduation over HTTP, with a controlled clock.

An admin creates a twelve-week cohort in its form; sign-up opens with a Join button in the
program's channel; people join (one click with a profile from before, the sign-up form without);
matching runs on the first day; halfway each member gets a private check and admins the totals;
a week before the end each pair re-rates its goals and answers a closing survey; at the end the
pairs are completed, thanked, and choose to keep meeting or to close. Then nothing more is sent
to them. The next cohort is joined from the last message with one click and matches everyone
with someone new.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from bot import ids
from bot.app import create_sending_client
from bot.config import Settings
from bot.delivery import dispatch_due
from bot.goals import GoalForm, create_goal
from storage.db import SessionFactory
from storage.models import ClosingSurvey, Cohort, CohortMember, Goal, MidpointCheck, Pair, Person, Profile
from storage.models import Program as ProgramRow
from tests.fakes.slack_api import TEAM_ID, Call, FakeSlack
from tests.fakes.slack_requests import SlackSender, picked, ticked, typed
from tests.scenarios import ADMIN, configure, enroll, join_fields, open_join
from tests.test_agreements import agreement_fields
from tests.test_meeting_loop import MovingClock

CHANNEL = "CPROGRAM"
MENTORS = ("UMIA", "UMAX")
MENTEES = ("UTOM", "UTIA")
START = datetime(2027, 1, 4, 6, 0, tzinfo=UTC)  # a Monday; Berlin is UTC+1 all winter
STEP = timedelta(hours=3)


@pytest.fixture
def app_clock() -> MovingClock:
    return MovingClock(START)


@pytest.fixture
def sender(settings: Settings) -> WebClient:
    return create_sending_client(settings)


def day(text: str) -> dict[str, Any]:
    return {"type": "datepicker", "selected_date": text}


class Program:
    """The clock, the people and what they see, for one test."""

    def __init__(
        self, db: SessionFactory, sender: WebClient, fake: FakeSlack, slack: SlackSender, clock: MovingClock
    ) -> None:
        self.db, self.sender, self.fake, self.slack, self.clock = db, sender, fake, slack, clock
        self.by_clock: list[Call] = []
        self.answered: set[tuple[str, str]] = set()
        self.new_value = ""  # the "New cohort" button's value, once the admin has seen it

    def run_until(self, end: datetime) -> None:
        """Tick the clock every three hours; after each tick the mentees say they met, as people do."""
        moment = self.clock.now
        while moment < end:
            self.clock.now = self.fake.now = moment
            before = len(self.fake.calls)
            dispatch_due(self.db, self.sender, moment, sleep=lambda _s: None)
            self.by_clock += self.fake.calls[before:]
            self.say_we_met()
            moment += STEP
        self.clock.now = self.fake.now = end

    def say_we_met(self) -> None:
        """The mentee answers "yes, we met" on each meeting's check-in as it comes."""
        yes = ids.encode_checkin_met_action("yes")
        with self.fake._lock:
            asking = [m for key, m in self.fake.messages.items() if yes in _buttons(m["blocks"])]
        with self.db() as session:
            mentees = {p.dm_channel_id: p.mentee.user_id for p in session.scalars(select(Pair))}
        for message in asking:
            key = (message["channel"], message["ts"])
            if key in self.answered or message["channel"] not in mentees:
                continue
            self.answered.add(key)
            updates = len(self.fake.calls_to("chat.update"))
            self.slack.press(message, yes, user_id=mentees[message["channel"]])
            self.fake.wait_for("chat.update", count=updates + 1)

    def posts_with(self, action_id: str, calls: list[Call] | None = None) -> list[Call]:
        """The clock's new messages that carry a button `action_id`."""
        return [
            c
            for c in (self.by_clock if calls is None else calls)
            if c.method == "chat.postMessage" and c.ok and action_id in _buttons(c.args.get("blocks"))
        ]

    def press(self, call: Call, action_id: str, user_id: str) -> None:
        before = len(self.fake.calls)
        reply = self.slack.press(self.fake.message_of(call), action_id, user_id=user_id)
        assert reply.status == 200
        self.fake.wait(lambda: len(self.fake.calls) > before, f"{action_id} to be handled")

    def opened(self, count_before: int) -> dict:
        return self.fake.wait_for("views.open", count=count_before + 1)[-1].args["view"]

    def create_cohort(self, name: str, opens: str, closes: str, starts: str, ends: str) -> None:
        """The admin adds a cohort through `/mentor cohort` and its form."""
        form = self.cohort_form()
        reply = self.slack.submit(
            form,
            {
                ids.COHORT_NAME: typed(name),
                ids.COHORT_SIGNUP_OPENS: day(opens),
                ids.COHORT_SIGNUP_CLOSES: day(closes),
                ids.COHORT_STARTS: day(starts),
                ids.COHORT_ENDS: day(ends),
                ids.COHORT_GRADUATION_DAYS: picked("7"),
                ids.COHORT_AUTO_MATCH: ticked(ids.COHORT_AUTO_MATCH),
            },
            user_id=ADMIN,
        )
        assert reply.body == "", reply.body

    def cohort_form(self) -> dict:
        """The admin types `/mentor cohort` and clicks "New cohort": the empty form."""
        answered = len(self.fake.responses())
        assert self.slack.slash("cohort", user_id=ADMIN).status == 200
        self.fake.wait(lambda: len(self.fake.responses()) > answered, "the cohort list")
        listing = self.fake.responses()[-1]
        new = next(
            e
            for b in listing["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e["action_id"] == ids.COHORT_NEW
        )
        views = len(self.fake.calls_to("views.open"))
        self.slack.click(ids.COHORT_NEW, new["value"], user_id=ADMIN)
        self.new_value = new["value"]
        return self.opened(views)

    def join_from(self, message: Call, user_id: str, *, mentor: bool | None = None) -> None:
        """Click Join on `message`; without a profile, fill in the sign-up form it opens."""
        views = len(self.fake.calls_to("views.open"))
        ephemerals = len(self.fake.calls_to("chat.postEphemeral"))
        self.slack.press(self.fake.message_of(message), ids.COHORT_JOIN, user_id=user_id)
        if mentor is None:
            told = self.fake.wait_for("chat.postEphemeral", count=ephemerals + 1)[-1]
            assert told.args["user"] == user_id
            assert "You are in" in told.args["text"]
            return
        form = self.opened(views)
        fields = join_fields()
        if mentor:
            fields |= {
                ids.JOIN_ROLE: picked("mentor"),
                ids.JOIN_SKILLS: ticked("Leadership", "Public speaking"),
                ids.JOIN_CAPACITY: picked("1"),
                ids.JOIN_EXPERIENCE: picked("expert"),
            }
        fields[ids.JOIN_TZ] = typed(self.fake.users[user_id]["tz"])
        assert "Welcome" in self.slack.submit(form, fields, user_id=user_id).body

    def submit_opened(self, call: Call, action_id: str, user_id: str, fields: dict) -> None:
        views = len(self.fake.calls_to("views.open"))
        edits = len(self.fake.calls_to("chat.update"))
        self.press(call, action_id, user_id)
        reply = self.slack.submit(self.opened(views), fields, user_id=user_id)
        assert reply.body == "", reply.body
        self.fake.wait_for("chat.update", count=edits + 1)  # the message it came from, updated in place

    def mia_and_tom_join_winter(self) -> Call:
        """Winter 2027 (12 weeks from 11 January) opens sign-up; Mia (with her profile) and Tom
        (signing up) join from its announcement, which is returned."""
        self.create_cohort("Winter 2027", "2027-01-04", "2027-01-10", "2027-01-11", "2027-04-05")
        self.run_until(datetime(2027, 1, 4, 12, 0, tzinfo=UTC))
        [announcement] = self.posts_with(ids.COHORT_JOIN)
        self.join_from(announcement, "UMIA")
        self.join_from(announcement, "UTOM", mentor=False)
        return announcement

    def cohort_id(self, name: str) -> int:
        with self.db() as session:
            found = session.scalar(select(Cohort.id).where(Cohort.name == name))
            assert found is not None
            return found

    def pairs(self) -> list[Pair]:
        with self.db() as session:
            return list(session.scalars(select(Pair).order_by(Pair.id)))


def _buttons(blocks: Any) -> set[str]:
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks or []
    found = set()
    for block in blocks:
        for element in [*(block.get("elements") or []), block.get("accessory") or {}]:
            if isinstance(element, dict) and element.get("type") == "button":
                found.add(element["action_id"])
    return found


def _user_of(session_factory: SessionFactory, person_id: int) -> str:
    with session_factory() as session:
        person = session.get(Person, person_id)
        assert person is not None
        return person.user_id


@pytest.fixture
def program(
    session_factory: SessionFactory,
    sender: WebClient,
    fake_slack: FakeSlack,
    slack: SlackSender,
    app_clock: MovingClock,
) -> Program:
    fake_slack.now = START
    fake_slack.add_user(ADMIN, is_admin=True, tz="Europe/Berlin")
    for user_id, tz in [("UMIA", "Europe/Berlin"), ("UMAX", "Europe/London")]:
        fake_slack.add_user(user_id, tz=tz)
    for user_id, tz in [("UTOM", "Europe/Paris"), ("UTIA", "Europe/Berlin")]:
        fake_slack.add_user(user_id, tz=tz)
    fake_slack.add_channel(CHANNEL, bot_is_member=True)
    configure(slack, fake_slack, CHANNEL)
    enroll(slack, fake_slack, "UMIA", mentor=True)  # a profile from before any cohort
    return Program(session_factory, sender, fake_slack, slack, app_clock)


def test_a_twelve_week_cohort_from_sign_up_to_graduation_and_the_next_one(
    program: Program, session_factory: SessionFactory, fake_slack: FakeSlack
) -> None:
    program.create_cohort("Winter 2027", "2027-01-04", "2027-01-10", "2027-01-11", "2027-04-05")

    # Sign-up opens at 09:00 in the admin's zone: one announcement with a Join button.
    program.run_until(datetime(2027, 1, 4, 12, 0, tzinfo=UTC))
    [announcement] = program.posts_with(ids.COHORT_JOIN)
    assert announcement.args["channel"] == CHANNEL
    program.join_from(announcement, "UMIA")  # one click: her profile stays as it was
    program.join_from(announcement, "UMAX", mentor=True)
    program.join_from(announcement, "UTOM", mentor=False)
    views = len(fake_slack.calls_to("views.open"))
    fields = join_fields() | {ids.JOIN_TZ: typed("Europe/Berlin")}
    program.slack.submit(open_join(program.slack, fake_slack, "UTIA"), fields, user_id="UTIA")  # /mentor join
    assert len(fake_slack.calls_to("views.open")) == views + 1
    program.join_from(announcement, "UMIA")  # again: she is told she is in already
    assert "already" in fake_slack.last("chat.postEphemeral").args["text"]
    with session_factory() as session:
        assert session.scalar(select(Cohort.name)) == "Winter 2027"
        assert len(session.scalars(select(CohortMember)).all()) == 4
    fake_slack.wait_until(  # her Home says which cohort she is in
        "views.publish",
        lambda c: (
            c.args["user_id"] == "UMIA" and "in Winter 2027 (11 January to 5 April)" in json.dumps(c.args)
        ),
    )

    # Sign-up closes (the announcement now says so, in place); on the first day matching runs.
    program.run_until(datetime(2027, 1, 11, 12, 0, tzinfo=UTC))
    now_reads = fake_slack.message_of(announcement)
    assert "has closed: 4 people joined" in now_reads["text"] + json.dumps(now_reads["blocks"])
    assert ids.COHORT_JOIN not in _buttons(now_reads["blocks"])
    pairs = program.pairs()
    assert len(pairs) == 2
    assert {p.cohort_id for p in pairs} == {program.cohort_id("Winter 2027")}
    first = {_user_of(session_factory, p.mentee_id): _user_of(session_factory, p.mentor_id) for p in pairs}
    started = [c for c in program.by_clock if c.method == "chat.postMessage" and c.args["channel"] == ADMIN]
    assert any("made and introduced 2 pairs" in c.args["text"] for c in started)

    # Each pair agrees to meet weekly, and each mentee sets a goal.
    for mentee in MENTEES:
        opened = len(fake_slack.calls_to("views.open"))
        program.slack.slash("agreement", user_id=mentee)
        form = program.opened(opened)
        reply = program.slack.submit(
            form,
            agreement_fields(
                **{
                    ids.AGREE_FREQUENCY: picked("weekly"),
                    ids.AGREE_START: day("2027-01-12"),
                    ids.AGREE_TIME: {"type": "timepicker", "selected_time": "10:00"},
                }
            ),
            user_id=mentee,
        )
        assert reply.body == "", reply.body
    with session_factory.begin() as session:
        for pair in session.scalars(select(Pair)):
            user = _user_of(session_factory, pair.mentee_id)
            form = GoalForm(
                f"Lead three design reviews ({user})",
                "target",
                3,
                "reviews",
                (),
                "time",
                "team",
                date(2027, 6, 30),
            )
            assert create_goal(session, TEAM_ID, pair.id, user, form, f"V{pair.id}", program.clock.now)

    # Halfway (22 February): each member privately, once; three of four answer, one with a note.
    program.run_until(datetime(2027, 2, 23, 12, 0, tzinfo=UTC))
    checks = program.posts_with(ids.MIDPOINT_OPEN)
    assert sorted(c.args["channel"] for c in checks) == sorted(MENTORS + MENTEES)
    by_member = {c.args["channel"]: c for c in checks}
    for user_id, rating, note in [
        ("UTOM", "4", ""),
        ("UMIA", "5", ""),
        ("UTIA", "2", "We keep missing each other."),
    ]:
        program.submit_opened(
            by_member[user_id],
            ids.MIDPOINT_OPEN,
            user_id,
            {
                ids.MIDPOINT_RATING: picked(rating),
                ids.MIDPOINT_ON_TRACK: picked("partly"),
                ids.MIDPOINT_NOTE: typed(note),
            },
        )
        assert "Change my answer" in json.dumps(fake_slack.message_of(by_member[user_id])["blocks"])
    note = fake_slack.wait_until(
        "chat.postMessage",
        lambda c: c.args["channel"] == ADMIN and "wrote to the admins" in (c.args["text"] or ""),
    )
    assert "We keep missing each other." in note.args["text"]
    with session_factory() as session:
        assert len(session.scalars(select(MidpointCheck)).all()) == 3

    # Three days later admins get the totals: three answers are too few for an average.
    program.run_until(datetime(2027, 2, 26, 12, 0, tzinfo=UTC))
    [report] = [
        c
        for c in program.by_clock
        if c.method == "chat.postMessage"
        and c.args["channel"] == ADMIN
        and "Midpoint of" in (c.args["text"] or "")
    ]
    report_text = json.dumps(report.args["blocks"])
    assert "3 of 4 members answered" in report_text
    assert "from five answers" in report_text
    assert "We keep missing" not in report_text  # the note went to admins as its writer asked, not in totals
    # Three people answered: flagging the pair with a low rating would say who gave it.
    assert "No pair needs attention." in report_text
    assert ids.INSIGHTS_NUDGE not in _buttons(report.args["blocks"])

    # A week before the end: one message per pair to re-rate goals and answer the closing survey.
    program.run_until(datetime(2027, 3, 30, 12, 0, tzinfo=UTC))
    graduations = program.posts_with(ids.CLOSING_OPEN)
    assert len(graduations) == 2
    assert all(ids.GRADUATION_GOALS_OPEN in _buttons(c.args["blocks"]) for c in graduations)
    pair_of_tom = next(c for c in graduations if "UTOM" in c.args["text"] + json.dumps(c.args["blocks"]))
    views = len(fake_slack.calls_to("views.open"))
    program.press(pair_of_tom, ids.GRADUATION_GOALS_OPEN, "UTOM")
    goals_form = program.opened(views)
    goals_block = goals_form["blocks"][0]["block_id"]
    edits = len(fake_slack.calls_to("chat.update"))
    assert program.slack.submit(goals_form, {goals_block: picked("achieved")}, user_id="UTOM").body == ""
    fake_slack.wait_for("chat.update", count=edits + 1)
    assert "Goals re-rated: 1 of 1" in json.dumps(fake_slack.message_of(pair_of_tom)["blocks"])
    survey = {
        ids.CLOSING_RATING: picked("5"),
        ids.CLOSING_CHANGED: typed("I run design reviews on my own now."),
        ids.CLOSING_RECOMMEND: picked("9"),
    }
    for user_id in ("UTOM", first["UTOM"]):
        program.submit_opened(pair_of_tom, ids.CLOSING_OPEN, user_id, survey)
    with session_factory() as session:
        assert session.scalars(select(Goal.final_rating)).all().count("achieved") == 1
        assert len(session.scalars(select(ClosingSurvey)).all()) == 2

    # The next cohort is set up before this one ends, so the last message can offer it.
    program.create_cohort("Spring 2027", "2027-04-05", "2027-04-11", "2027-04-12", "2027-07-05")

    # The end: each pair completed and thanked once; one pair keeps meeting, the other closes.
    program.run_until(datetime(2027, 4, 5, 12, 0, tzinfo=UTC))
    completions = program.posts_with(ids.AFTER_KEEP)
    assert len(completions) == 2
    assert {p.status for p in program.pairs()} == {"completed"}
    assert all(p.next_checkin_at is None for p in program.pairs())
    done_tom = next(c for c in completions if "UTOM" in json.dumps(c.args["blocks"]))
    done_tia = next(c for c in completions if c is not done_tom)
    edits = len(fake_slack.calls_to("chat.update"))
    for user_id in ("UTOM", first["UTOM"]):
        program.press(done_tom, ids.AFTER_KEEP, user_id)
    fake_slack.wait_for("chat.update", count=edits + 2)
    uploads = len(fake_slack.calls_to("files.completeUploadExternal"))
    program.press(done_tia, ids.AFTER_CLOSE, "UTIA")
    fake_slack.wait_for("files.completeUploadExternal", count=uploads + 1)  # the meetings leave calendars
    assert "keeps meeting" in json.dumps(fake_slack.message_of(done_tom)["blocks"])

    # Exactly one of each per pair or member, across the whole cohort.
    assert len(program.posts_with(ids.MIDPOINT_OPEN)) == 4
    assert (
        len(program.posts_with(ids.CLOSING_OPEN, [c for c in program.by_clock if c not in completions])) == 2
    )
    assert len(program.posts_with(ids.AFTER_KEEP)) == 2

    # Both mentees join the next cohort from their last message, with one click, keeping profiles.
    with session_factory() as session:
        profile_before = {
            p.person_id: (p.role, list(p.growth_areas), p.motivations)
            for p in session.scalars(select(Profile))
        }
    [spring] = [
        c
        for c in program.posts_with(ids.COHORT_JOIN)
        if c is not announcement and c.args["channel"] == CHANNEL
    ]
    program.join_from(done_tom, "UTOM")
    program.join_from(done_tia, "UTIA")
    for mentor in MENTORS:
        program.join_from(spring, mentor)
    with session_factory() as session:
        assert {
            p.person_id: (p.role, list(p.growth_areas), p.motivations)
            for p in session.scalars(select(Profile))
        } == profile_before

    # Completed pairs hear nothing more: not the clock, not a meeting, not a reminder.
    group_dms = {p.dm_channel_id for p in program.pairs()}
    heard_before = len(program.by_clock)
    program.run_until(datetime(2027, 4, 12, 12, 0, tzinfo=UTC))
    later = program.by_clock[heard_before:]
    to_old_pairs = [
        c
        for c in later
        if c.method in ("chat.postMessage", "chat.update", "files.completeUploadExternal")
        and c.args.get("channel") in group_dms
    ]
    assert to_old_pairs == []

    # Spring's matching pairs every mentee with someone new.
    spring_pairs = [p for p in program.pairs() if p.cohort_id == program.cohort_id("Spring 2027")]
    assert len(spring_pairs) == 2
    second = {
        _user_of(session_factory, p.mentee_id): _user_of(session_factory, p.mentor_id) for p in spring_pairs
    }
    assert all(second[mentee] != first[mentee] for mentee in MENTEES)
    # Tia's goal was never re-rated, so it is still open: she alone is asked whether to bring it along.
    assert [c.args["channel"] for c in program.posts_with(ids.GOALS_BRING)] == ["UTIA"]


def test_without_auto_matching_admins_review_the_cohorts_pairs_on_its_first_day(
    program: Program, session_factory: SessionFactory, fake_slack: FakeSlack
) -> None:
    program.create_cohort("Winter 2027", "2027-01-04", "2027-01-10", "2027-01-11", "2027-04-05")
    with session_factory.begin() as session:
        cohort = session.scalars(select(Cohort)).one()
        cohort.auto_match = False
    enroll(program.slack, fake_slack, "UMAX", mentor=True)  # in the program before sign-up: not in the cohort
    program.run_until(datetime(2027, 1, 4, 12, 0, tzinfo=UTC))
    [announcement] = program.posts_with(ids.COHORT_JOIN)
    program.join_from(announcement, "UMIA")
    program.join_from(announcement, "UTOM", mentor=False)

    program.run_until(datetime(2027, 1, 11, 12, 0, tzinfo=UTC))
    assert program.pairs() == []
    [prompt] = program.posts_with(ids.COHORT_MATCH)
    assert prompt.args["channel"] == ADMIN
    assert "1 mentor and 1 mentee signed up" in json.dumps(prompt.args["blocks"])

    # Someone who is not an admin is refused, and nothing is proposed.
    views = len(fake_slack.calls_to("views.open"))
    program.press(prompt, ids.COHORT_MATCH, "UTOM")
    refused = fake_slack.wait_for("views.update")[-1].args["view"]
    assert "Only the program's admins" in json.dumps(refused)

    updates = len(fake_slack.calls_to("views.update"))
    program.press(prompt, ids.COHORT_MATCH, ADMIN)
    assert len(fake_slack.wait_for("views.open", count=views + 2)) == views + 2
    review = fake_slack.wait_for("views.update", count=updates + 1)[-1].args["view"]
    options = [o for b in review["blocks"] if b["type"] == "input" for o in b["element"]["options"]]
    assert len(options) == 1, "only the cohort's mentor is proposed, not everyone in the program"
    reply = program.slack.submit(review, {f"{ids.MATCH_KEEP}_0": ticked(options[0]["value"])}, user_id=ADMIN)
    assert reply.status == 200
    [pair] = program.pairs()
    assert pair.cohort_id == cohort.id
    assert _user_of(session_factory, pair.mentor_id) == "UMIA"


def test_mistakes_in_the_cohort_form_are_shown_on_their_fields(
    program: Program, session_factory: SessionFactory, fake_slack: FakeSlack
) -> None:
    form = program.cohort_form()
    assert "open-ended" in json.dumps(fake_slack.responses()[-1]["blocks"])

    reply = program.slack.submit(
        form,
        {
            ids.COHORT_NAME: typed("  "),
            ids.COHORT_SIGNUP_OPENS: day("2027-01-04"),
            ids.COHORT_SIGNUP_CLOSES: day("2027-01-10"),
            ids.COHORT_STARTS: day("2027-01-11"),
            ids.COHORT_ENDS: {"type": "datepicker", "selected_date": None},
            ids.COHORT_GRADUATION_DAYS: picked("7"),
        },
        user_id=ADMIN,
    )
    assert set(reply.json()["errors"]) == {ids.COHORT_NAME, ids.COHORT_ENDS}

    too_short = {
        ids.COHORT_NAME: typed("Sprint"),
        ids.COHORT_SIGNUP_OPENS: day("2027-01-04"),
        ids.COHORT_SIGNUP_CLOSES: day("2027-01-10"),
        ids.COHORT_STARTS: day("2027-01-11"),
        ids.COHORT_ENDS: day("2027-01-18"),
        ids.COHORT_GRADUATION_DAYS: picked("7"),
    }
    assert set(program.slack.submit(form, too_short, user_id=ADMIN).json()["errors"]) == {ids.COHORT_ENDS}
    in_the_past = too_short | {ids.COHORT_SIGNUP_OPENS: day("2026-12-01"), ids.COHORT_ENDS: day("2027-03-01")}
    assert set(program.slack.submit(form, in_the_past, user_id=ADMIN).json()["errors"]) == {
        ids.COHORT_SIGNUP_OPENS
    }

    # Someone who is not an admin cannot open the form, nor submit it.
    fake_slack.add_user("UEVE")
    ephemerals = len(fake_slack.calls_to("chat.postEphemeral")) + len(fake_slack.calls_to("chat.postMessage"))
    program.slack.click(ids.COHORT_NEW, program.new_value, user_id="UEVE")
    fake_slack.wait(
        lambda: (
            len(fake_slack.calls_to("chat.postEphemeral")) + len(fake_slack.calls_to("chat.postMessage"))
            > ephemerals
        ),
        "the refusal",
    )
    valid = too_short | {ids.COHORT_ENDS: day("2027-03-01")}
    assert ids.COHORT_NAME in program.slack.submit(form, valid, user_id="UEVE").json()["errors"]
    assert program.slack.submit(form, valid, user_id=ADMIN).body == ""
    again = program.slack.submit(form, valid, user_id=ADMIN)  # a repeated submit makes no second cohort
    assert "has a cohort called" in again.json()["errors"][ids.COHORT_NAME]
    with session_factory() as session:
        assert session.scalars(select(Cohort.name)).all() == ["Sprint"]


def test_crafted_clicks_on_someone_elses_cohort_pair_change_nothing(
    program: Program, session_factory: SessionFactory, fake_slack: FakeSlack
) -> None:
    program.mia_and_tom_join_winter()
    program.run_until(datetime(2027, 1, 11, 12, 0, tzinfo=UTC))
    [pair] = program.pairs()
    fake_slack.add_user("UEVE")
    enroll(program.slack, fake_slack, "UEVE", mentor=False)

    ephemerals = len(fake_slack.calls_to("chat.postEphemeral")) + len(fake_slack.calls_to("chat.postMessage"))
    for action_id in (ids.MIDPOINT_OPEN, ids.CLOSING_OPEN, ids.GRADUATION_GOALS_OPEN, ids.AFTER_KEEP):
        program.slack.click(action_id, str(pair.id), user_id="UEVE")
    fake_slack.wait(
        lambda: (
            len(fake_slack.calls_to("chat.postEphemeral")) + len(fake_slack.calls_to("chat.postMessage"))
            >= ephemerals + 4
        ),
        "four refusals",
    )
    midpoint = {
        "callback_id": ids.MIDPOINT_MODAL,
        "private_metadata": ids.encode_pair_message(pair.id, None, None),
    }
    answer = {
        ids.MIDPOINT_RATING: picked("1"),
        ids.MIDPOINT_ON_TRACK: picked("no"),
        ids.MIDPOINT_NOTE: typed(""),
    }
    assert program.slack.submit(midpoint, answer, user_id="UEVE").json()["errors"]
    closing = {
        "callback_id": ids.CLOSING_MODAL,
        "private_metadata": ids.encode_pair_message(pair.id, None, None),
    }
    survey = {
        ids.CLOSING_RATING: picked("1"),
        ids.CLOSING_RECOMMEND: picked("0"),
        ids.CLOSING_CHANGED: typed(""),
    }
    assert program.slack.submit(closing, survey, user_id="UEVE").json()["errors"]
    # The pair's own mentee cannot choose what comes after before the cohort has ended.
    program.slack.click(ids.AFTER_CLOSE, str(pair.id), user_id="UTOM")
    told = fake_slack.wait_until(
        "chat.postMessage", lambda c: c.args["channel"] == "UTOM" and "ends" in c.args["text"]
    )
    assert "when the cohort ends" in told.args["text"]
    with session_factory() as session:
        assert session.scalars(select(MidpointCheck)).all() == []
        assert session.scalars(select(ClosingSurvey)).all() == []
        assert session.get(Pair, pair.id).status == "active"


def test_joining_after_sign_up_closed_is_refused_kindly(program: Program, fake_slack: FakeSlack) -> None:
    program.create_cohort("Winter 2027", "2027-01-04", "2027-01-10", "2027-01-11", "2027-04-05")
    program.run_until(datetime(2027, 1, 4, 12, 0, tzinfo=UTC))
    [announcement] = program.posts_with(ids.COHORT_JOIN)
    stale = program.fake.message_of(announcement)  # as someone saw it before sign-up closed
    program.run_until(datetime(2027, 1, 11, 12, 0, tzinfo=UTC))

    program.slack.press(stale, ids.COHORT_JOIN, user_id="UMIA")
    told = fake_slack.wait_for("chat.postEphemeral")[-1]
    assert "closed on Sunday 10 January" in told.args["text"]


def test_answers_and_choices_given_twice_count_once(
    program: Program, session_factory: SessionFactory, fake_slack: FakeSlack
) -> None:
    program.mia_and_tom_join_winter()
    program.run_until(datetime(2027, 1, 11, 12, 0, tzinfo=UTC))
    [pair] = program.pairs()
    opened = len(fake_slack.calls_to("views.open"))
    program.slack.slash("agreement", user_id="UTOM")
    reply = program.slack.submit(
        program.opened(opened), agreement_fields(**{ids.AGREE_START: day("2027-01-12")}), user_id="UTOM"
    )
    assert reply.body == "", reply.body
    with session_factory.begin() as session:
        form = GoalForm(
            "Lead three design reviews", "target", 3, "reviews", (), "time", "team", date(2027, 3, 31)
        )
        assert create_goal(session, TEAM_ID, pair.id, "UTOM", form, "VGOAL", program.clock.now)
        goal_id = session.scalars(select(Goal.id)).one()
    metadata = ids.encode_pair_message(pair.id, None, None)

    midpoint = {"callback_id": ids.MIDPOINT_MODAL, "private_metadata": metadata}
    answer = {
        ids.MIDPOINT_RATING: picked("3"),
        ids.MIDPOINT_ON_TRACK: picked("yes"),
        ids.MIDPOINT_NOTE: typed("Hi"),
    }
    with session_factory.begin() as session:  # the mentor runs the program too: the note is not for her
        found = session.get(ProgramRow, pair.program_id)
        assert found is not None
        found.admin_user_ids = ["UMIA"]
    for _ in range(2):
        assert program.slack.submit(midpoint, answer, user_id="UTOM").body == ""
    goals = {"callback_id": ids.GRADUATION_GOALS_MODAL, "private_metadata": metadata}
    rated = {ids.encode_goal_rating(goal_id): picked("partly")}
    assert (
        "at graduation"
        in program.slack.submit(goals, rated, user_id="UTOM").json()["errors"][
            ids.encode_goal_rating(goal_id)
        ]
    )
    program.run_until(datetime(2027, 3, 29, 12, 0, tzinfo=UTC))
    assert "talked it over" in json.dumps(program.slack.submit(goals, rated, user_id="UMIA").json())
    for rating in ("achieved", "achieved", "partly"):  # the last rating stands: the goal opens again
        rated = {ids.encode_goal_rating(goal_id): picked(rating)}
        assert program.slack.submit(goals, rated, user_id="UTOM").body == ""
    with session_factory() as session:
        assert [(g.final_rating, g.status) for g in session.scalars(select(Goal))] == [("partly", "active")]
    assert (
        program.slack.submit(
            goals, {ids.encode_goal_rating(goal_id): picked("achieved")}, user_id="UTOM"
        ).body
        == ""
    )
    closing = {"callback_id": ids.CLOSING_MODAL, "private_metadata": metadata}
    survey = {
        ids.CLOSING_RATING: picked("4"),
        ids.CLOSING_RECOMMEND: picked("8"),
        ids.CLOSING_CHANGED: typed(""),
    }
    for _ in range(2):
        assert program.slack.submit(closing, survey, user_id="UTOM").body == ""
    program.run_until(datetime(2027, 4, 5, 12, 0, tzinfo=UTC))
    uploads = len(fake_slack.calls_to("files.completeUploadExternal"))
    for user_id in ("UTOM", "UTOM", "UMIA"):
        program.slack.click(ids.AFTER_CLOSE, str(pair.id), user_id=user_id)
    program.slack.click(ids.AFTER_KEEP, str(pair.id), user_id="UMIA")  # she changes her mind
    program.slack.click(ids.AFTER_KEEP, str(pair.id), user_id="UMIA")
    fake_slack.wait_for("files.completeUploadExternal", count=uploads + 1)
    program.run_until(datetime(2027, 4, 5, 15, 0, tzinfo=UTC))  # anything still waiting goes out now

    notes = [
        c for c in fake_slack.calls_to("chat.postMessage") if "wrote to the admins" in (c.args["text"] or "")
    ]
    assert [c.args["channel"] for c in notes] == [ADMIN]  # once, and never to the partner
    assert len(fake_slack.calls_to("files.completeUploadExternal")) == uploads + 1
    with session_factory() as session:
        assert [(m.rating, m.on_track) for m in session.scalars(select(MidpointCheck))] == [(3, "yes")]
        assert [(g.final_rating, g.status) for g in session.scalars(select(Goal))] == [
            ("achieved", "achieved")
        ]
        surveys = {s.person_id: (s.rating, s.choice) for s in session.scalars(select(ClosingSurvey))}
        mentee = session.scalar(select(Person.id).where(Person.user_id == "UTOM"))
        mentor = session.scalar(select(Person.id).where(Person.user_id == "UMIA"))
    assert surveys == {mentee: (4, "close"), mentor: (None, "keep")}


def test_a_pair_paused_at_the_end_is_completed_with_the_others_and_asked_to_look_back(
    program: Program, session_factory: SessionFactory, fake_slack: FakeSlack
) -> None:
    program.mia_and_tom_join_winter()
    program.run_until(datetime(2027, 1, 11, 12, 0, tzinfo=UTC))
    answered = len(fake_slack.responses())
    program.slack.slash("pause", user_id="UTOM")
    fake_slack.wait(lambda: len(fake_slack.responses()) > answered, "the pause")

    program.run_until(datetime(2027, 2, 26, 12, 0, tzinfo=UTC))
    [report] = [c for c in program.by_clock if "Midpoint of" in (c.args.get("text") or "")]
    assert ids.INSIGHTS_NUDGE in _buttons(report.args["blocks"])  # paused: worth a look

    program.run_until(datetime(2027, 4, 5, 12, 0, tzinfo=UTC))

    [pair] = program.pairs()
    assert pair.status == "completed"
    completions = program.posts_with(ids.AFTER_KEEP)
    graduations = [c for c in program.posts_with(ids.CLOSING_OPEN) if c not in completions]
    assert (len(graduations), len(completions)) == (1, 1)  # graduation reached the paused pair too
    assert program.posts_with(ids.MIDPOINT_OPEN) == []  # nobody is asked how a paused pair goes


def test_join_puts_people_in_the_cohort_they_clicked_and_join_adds_a_returning_member(
    program: Program, session_factory: SessionFactory, fake_slack: FakeSlack
) -> None:
    program.create_cohort("Engineering", "2027-01-04", "2027-01-10", "2027-01-11", "2027-04-05")
    program.create_cohort("Sales", "2027-01-04", "2027-01-12", "2027-01-13", "2027-04-07")
    program.run_until(datetime(2027, 1, 4, 12, 0, tzinfo=UTC))
    sales = next(c for c in program.posts_with(ids.COHORT_JOIN) if "Sales" in c.args["text"])

    program.join_from(sales, "UTOM", mentor=False)  # no profile: the sign-up form, then Sales
    views = len(fake_slack.calls_to("views.open"))
    program.slack.slash("join", user_id="UMIA")  # a profile from before: `/mentor join` joins too
    program.slack.submit(program.opened(views), join_fields(), user_id="UMIA")
    program.slack.slash("profile", user_id="UMAX")  # (UMAX has no profile: the form signs him up)

    with session_factory() as session:
        joined = {
            (user, cohort)
            for user, cohort in session.execute(
                select(Person.user_id, Cohort.name)
                .join(CohortMember, CohortMember.person_id == Person.id)
                .join(Cohort, Cohort.id == CohortMember.cohort_id)
            )
        }
    assert joined == {("UTOM", "Sales"), ("UMIA", "Engineering")}


def test_a_form_that_names_another_message_updates_nothing_but_its_own(
    program: Program, session_factory: SessionFactory, fake_slack: FakeSlack
) -> None:
    announcement = program.mia_and_tom_join_winter()
    program.run_until(datetime(2027, 1, 11, 12, 0, tzinfo=UTC))
    [pair] = program.pairs()
    edits = len(fake_slack.calls_to("chat.update"))

    forged = ids.encode_pair_message(pair.id, CHANNEL, announcement.response["ts"])  # the channel's post
    midpoint = {"callback_id": ids.MIDPOINT_MODAL, "private_metadata": forged}
    answer = {
        ids.MIDPOINT_RATING: picked("3"),
        ids.MIDPOINT_ON_TRACK: picked("yes"),
        ids.MIDPOINT_NOTE: typed(""),
    }
    assert program.slack.submit(midpoint, answer, user_id="UTOM").body == ""

    assert len(fake_slack.calls_to("chat.update")) == edits
    assert ids.COHORT_JOIN not in _buttons(fake_slack.message_of(announcement)["blocks"])  # closed, as it was


def test_a_clock_away_from_before_the_start_to_after_the_midpoint_still_starts_the_cohort(
    program: Program, session_factory: SessionFactory, fake_slack: FakeSlack
) -> None:
    program.mia_and_tom_join_winter()

    back = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)  # the clock was down from 5 January
    program.clock.now = fake_slack.now = back
    program.run_until(back + STEP)

    [pair] = program.pairs()
    assert pair.cohort_id == program.cohort_id("Winter 2027")
    assert program.posts_with(ids.MIDPOINT_OPEN) == []  # its midpoint passed while the clock was away


def test_changing_a_cohort_while_sign_up_is_open_edits_its_announcement_in_place(
    program: Program, session_factory: SessionFactory, fake_slack: FakeSlack
) -> None:
    program.create_cohort("Winter 2027", "2027-01-04", "2027-01-10", "2027-01-11", "2027-04-05")
    program.run_until(datetime(2027, 1, 4, 12, 0, tzinfo=UTC))
    [announcement] = program.posts_with(ids.COHORT_JOIN)
    answered = len(fake_slack.responses())
    program.slack.slash("cohort", user_id=ADMIN)
    fake_slack.wait(lambda: len(fake_slack.responses()) > answered, "the cohort list")
    change = next(
        b["accessory"]
        for b in fake_slack.responses()[-1]["blocks"]
        if b.get("accessory", {}).get("action_id")
    )
    assert change["action_id"] == ids.COHORT_EDIT
    views = len(fake_slack.calls_to("views.open"))
    program.slack.click(ids.COHORT_EDIT, change["value"], user_id=ADMIN)
    form = program.opened(views)
    ends = next(b for b in form["blocks"] if b.get("block_id") == ids.COHORT_ENDS)
    assert ends["element"]["initial_date"] == "2027-04-05"
    posts = len(fake_slack.calls_to("chat.postMessage"))

    reply = program.slack.submit(
        form,
        {
            ids.COHORT_NAME: typed("Winter 2027"),
            ids.COHORT_SIGNUP_OPENS: day("2027-01-04"),
            ids.COHORT_SIGNUP_CLOSES: day("2027-01-14"),
            ids.COHORT_STARTS: day("2027-01-18"),
            ids.COHORT_ENDS: day("2027-04-12"),
            ids.COHORT_GRADUATION_DAYS: picked("7"),
        },
        user_id=ADMIN,
    )
    assert reply.body == ""

    fake_slack.wait_until("chat.update", lambda c: c.args.get("ts") == announcement.response["ts"])
    now_reads = json.dumps(fake_slack.message_of(announcement)["blocks"])
    assert "Monday 12 April" in now_reads
    assert "Thursday 14 January" in now_reads
    assert len(fake_slack.calls_to("chat.postMessage")) == posts  # edited, not posted again


def test_a_sign_up_form_saved_after_its_cohort_closed_keeps_the_profile_and_says_so(
    program: Program, session_factory: SessionFactory, fake_slack: FakeSlack
) -> None:
    program.create_cohort("Winter 2027", "2027-01-04", "2027-01-10", "2027-01-11", "2027-04-05")
    program.create_cohort("Spring 2027", "2027-01-04", "2027-03-01", "2027-03-08", "2027-06-07")
    program.run_until(datetime(2027, 1, 4, 12, 0, tzinfo=UTC))
    winter = next(c for c in program.posts_with(ids.COHORT_JOIN) if "Winter" in c.args["text"])
    views = len(fake_slack.calls_to("views.open"))
    program.slack.press(program.fake.message_of(winter), ids.COHORT_JOIN, user_id="UTOM")
    form = program.opened(views)  # Tom fills it in slowly: Winter's sign-up closes meanwhile
    program.run_until(datetime(2027, 1, 11, 12, 0, tzinfo=UTC))

    reply = program.slack.submit(form, join_fields() | {ids.JOIN_TZ: typed("Europe/Paris")}, user_id="UTOM")

    assert "Sign-up for Winter 2027 closed before you saved" in reply.body
    with session_factory() as session:
        assert session.scalars(select(CohortMember)).all() == []  # not slipped into Spring instead
        assert len(session.scalars(select(Profile)).all()) == 2  # Mia's from before, and Tom's
