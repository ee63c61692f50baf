"""Every state-changing button clicked twice, and every state-changing modal submitted twice.

Slack sends a double click as two requests, sometimes at the same instant. Each effect (a status
change, a message to the other person, an alert, a row) must happen once, and the repeat must get
a calm answer instead of the generic apology or an HTTP 500. The list of ids comes from `bot.ids`:
`test_every_id_is_classified` fails when an id is added without saying whether it changes state,
so a new button cannot miss this test.

Each scene says how to click once, how to count its effect, and what the calm answer to the
repeat looks like. The sequential case runs on both databases; the concurrent case (two threads
sending at once) runs where the effect is guarded by the database.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from bot import ids
from bot.app import ListenerPool
from bot.views.insights import NUDGE_PAIR
from storage.db import SessionFactory
from storage.models import (
    Agreement,
    Goal,
    MatchProposal,
    MatchRun,
    OutboxMessage,
    Pair,
    PairFeedback,
    Person,
    Program,
    Pulse,
)
from tests.fakes.slack_api import TEAM_ID, FakeSlack
from tests.fakes.slack_requests import Reply, SlackSender, picked, ticked, typed
from tests.test_checkins import seed_pair

MENTOR, MENTEE, ADMIN = "UMENTOR1", "UMENTEE1", "UPROGADMIN"

# Ids that change state when clicked or submitted. Every one has a scene below, or a reason in
# ELSEWHERE naming the test that covers it.
STATE_CHANGING = {
    "PAIR_PAUSE",
    "PAIR_RESUME",
    "PAIR_END",
    "FIT_ANSWER",
    "DRIFT_ANSWER",
    "PULSE_SCORE",
    "REPAIR",
    "END_CONFIRM",
    "GOALS_BRING",
    "GOALS_CLOSE",
    "INSIGHTS_NUDGE",
    "MATCH_MODAL",
    "FEEDBACK_MODAL",
    "AGREEMENT_MODAL",
}
# State-changing ids whose repeat is covered in the tests of their own feature.
ELSEWHERE = {
    "CHECKIN_MET": "tests/test_checkins.py",
    "CHECKIN_ANSWER_MODAL": "tests/test_checkins.py",
    "REMINDER_ACHIEVED": "tests/test_goals.py",
    "REMINDER_DROP": "tests/test_goals.py",
    "EXTEND_MODAL": "tests/test_goals.py",
    "GOAL_MODAL": "tests/test_goals.py (source_view_id)",
    "GOAL_COACH_MODAL": "tests/test_goals.py (keep it as written, twice)",
    "PROGRESS_MODAL": "tests/test_goals.py",
    "GOAL_CLOSE_MODAL": "tests/test_goals.py",
    "GOAL_FEEDBACK_MODAL": "tests/test_goals.py",
    "JOIN_MODAL": "tests/test_enrollment.py (a re-submit updates the profile)",
    "CONFIG_MODAL": "tests/test_programs.py (a re-submit saves the same settings)",
    "CONNECT_MODAL": "tests/test_connections.py",
    "FORGET_MODAL": "tests/test_connections.py",
    "MEETING_PREP_MODAL": "tests/test_meeting_loop.py (the same agenda again)",
    "MEETING_SKIP": "tests/test_meeting_loop.py (skipped twice: the partner is told once)",
    "MEETING_MOVE_MODAL": "tests/test_meeting_loop.py (moved to the same time twice)",
    "MEETING_NOTES_MODAL": "tests/test_meeting_loop.py (the same action item twice)",
    "ACTION_DONE": "tests/test_meeting_loop.py (done twice, and from outside the pair)",
    "COHORT_MODAL": "tests/test_cohorts.py (the same cohort twice: one cohort)",
    "COHORT_JOIN": "tests/test_cohorts.py (joined twice: told they are in already)",
    "COHORT_MATCH": "tests/test_cohorts.py (a proposal to review; confirming pairs each mentee once)",
    "MIDPOINT_MODAL": "tests/test_cohorts.py (answered twice: one answer, the note sent once)",
    "GRADUATION_GOALS_MODAL": "tests/test_cohorts.py (rated twice: the last rating stands)",
    "CLOSING_MODAL": "tests/test_cohorts.py (answered twice: one survey)",
    "AFTER_KEEP": "tests/test_cohorts.py (chosen twice: one choice)",
    "AFTER_CLOSE": "tests/test_cohorts.py (closed twice: one cancellation)",
    "ASK_MODAL": "tests/test_requests.py (one open request per mentee: the second is refused)",
    "REQUEST_ACCEPT": "tests/test_requests.py (accepted twice at once: one pair)",
    "REQUEST_APPROVE": "tests/test_requests.py (approved twice: one pair)",
    "REQUEST_TALK": "tests/test_requests.py (talk first twice: one group message)",
    "REQUEST_WITHDRAW": "tests/test_requests.py (withdrawn twice: the second is told)",
    "DECLINE_MODAL": "tests/test_requests.py (declined twice: the mentee hears once)",
}
# Buttons and modals that only open, page or refresh something: a repeat does it again, harmlessly.
NOT_STATE_CHANGING = {
    "HOME_PROFILE",
    "HOME_CONNECT",
    "FEEDBACK_OPEN",
    "LIST_MODAL",
    "BROWSE_MODAL",
    "LIST_NEXT",
    "LIST_PREVIOUS",
    "AGREEMENT_OPEN",
    "GOAL_NEW",
    "PROGRESS_OPEN",
    "GOAL_EDIT_OPEN",
    "GOAL_CLOSE_OPEN",
    "GOAL_FEEDBACK_OPEN",
    "CHECKIN_ANSWER_OPEN",
    "REMINDER_EXTEND",
    "INSIGHTS_OPEN",
    "END_KEEP",
    "MEETING_PREP_OPEN",
    "MEETING_MOVE_OPEN",
    "MEETING_NOTES_OPEN",
    "MEETING_QUESTIONS_OPEN",
    "MEETING_QUESTIONS_MODAL",
    "MEETING_HISTORY_OPEN",
    "MEETING_HISTORY_MODAL",
    "COHORT_NEW",
    "COHORT_EDIT",
    "MIDPOINT_OPEN",
    "GRADUATION_GOALS_OPEN",
    "CLOSING_OPEN",
    "HOME_FIND_MENTOR",
    "BROWSE_SKILL",
    "BROWSE_PAGE",
    "BROWSE_ASK",
    "REQUEST_DECLINE",
    "ANSWERED",  # not a control: the block that shows an answer where the buttons were
    "JOINING",  # not a control: what the sign-up form's metadata says it joins
    "ANY_SKILL",  # not a control: the skill filter's "any skill" value
}


def _is_input(name: str) -> bool:
    """Block and action ids of a modal's inputs and the command name: nothing to click."""
    prefixes = (
        *("JOIN_", "CONFIG_", "AGREE_", "GOAL_", "PROGRESS_", "CHECKIN_", "EXTEND_", "CONNECT_"),
        *("PREP_", "MOVE_", "NOTES_", "COHORT_", "MIDPOINT_", "CLOSING_", "ASK_", "DECLINE_"),
    )
    names = {"COMMAND", "VALUE", "MATCH_KEEP", "FEEDBACK_RATING", "FEEDBACK_COMMENT"}
    return name in names | {"ACTION_TEXT", "ACTION_OWNER", "ACTION_DUE"} or (
        name.startswith(prefixes) and not name.endswith(("_MODAL", "_OPEN", "_NEW", "_MET"))
    )


def test_every_id_is_classified() -> None:
    names = {name for name, value in vars(ids).items() if name.isupper() and isinstance(value, str)}
    classified = STATE_CHANGING | set(ELSEWHERE) | NOT_STATE_CHANGING
    unclassified = {name for name in names - classified if not _is_input(name)}
    assert not unclassified, f"say whether these change state, and click them twice here: {unclassified}"
    assert classified <= names, f"gone from bot/ids.py: {classified - names}"
    assert {scene.id_name for scene in SCENES} == STATE_CHANGING, "every state-changing id has a scene"


# -- scenes ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class World:
    """What a scene acts on."""

    slack: SlackSender
    fake: FakeSlack
    db: SessionFactory
    pair_id: int
    listeners: ListenerPool


def texts_to(fake: FakeSlack, channel: str) -> list[str]:
    """Every message text posted to a channel or person, oldest first."""
    return [
        c.args.get("text") or ""
        for c in fake.calls_to("chat.postMessage")
        if c.args.get("channel") == channel
    ]


def count(db: SessionFactory, model: type, *where: object) -> int:
    with db() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


@dataclass(frozen=True)
class Scene:
    """One state-changing id: how to act once, how many times its effect happened, the calm answer."""

    id_name: str
    label: str
    act: Callable[[World], Reply]
    effect: Callable[[World], int]
    calm: Callable[[World, Reply], bool]
    setup: Callable[[World], None] = lambda world: None


def home_click(action_id: str, user_id: str = MENTOR) -> Callable[[World], Reply]:
    return lambda w: w.slack.click(action_id, str(w.pair_id), user_id=user_id, view={"type": "home"})


def dm_says(user_id: str, words: str) -> Callable[[World, Reply], bool]:
    return lambda w, _reply: any(words in text for text in texts_to(w.fake, user_id))


def dms_saying(user_id: str, words: str) -> Callable[[World], int]:
    return lambda w: sum(words in text for text in texts_to(w.fake, user_id))


def set_status(status: str) -> Callable[[World], None]:
    def setup(w: World) -> None:
        with w.db.begin() as session:
            session.get(Pair, w.pair_id).status = status

    return setup


def admin_of_program(w: World) -> None:
    with w.db.begin() as session:
        session.scalars(select(Program)).one().admin_user_ids = [ADMIN]


def pulse_asked(w: World) -> None:
    with w.db.begin() as session:
        pair = session.get(Pair, w.pair_id)
        session.add(
            Pulse(
                team_id=TEAM_ID, pair_id=pair.id, person_id=pair.mentee_id, asked_on=datetime.now(UTC).date()
            )
        )


def pulse_click(w: World) -> Reply:
    with w.db() as session:
        pulse_id = session.scalars(select(Pulse.id)).one()
    return w.slack.click(f"{ids.PULSE_SCORE}_4", str(pulse_id), user_id=MENTEE)


def goals_waiting(w: World) -> None:
    """The pair ended with the mentee's goal open, and the mentee has a new mentor."""
    with w.db.begin() as session:
        old = session.get(Pair, w.pair_id)
        old.status = "ended"
        mentor = Person(team_id=TEAM_ID, user_id="UMENTOR2", tz="UTC")
        session.add(mentor)
        session.flush()
        session.add(
            Pair(team_id=TEAM_ID, program_id=old.program_id, mentor_id=mentor.id, mentee_id=old.mentee_id)
        )
        session.add(
            Goal(
                team_id=TEAM_ID,
                pair_id=old.id,
                owner_id=old.mentee_id,
                specific="Ship the guild talk",
                measure_kind="milestones",
                attainable="Yes",
                realistic="Yes",
                deadline=date(2027, 6, 1),
            )
        )


def goals_click(action_id: str) -> Callable[[World], Reply]:
    def act(w: World) -> Reply:
        with w.db() as session:
            new = session.scalars(select(Pair.id).where(Pair.status == "active")).one()
        return w.slack.click(action_id, str(new), user_id=MENTEE)

    return act


def goals_done(status: str, words: str) -> Callable[[World], int]:
    def effect(w: World) -> int:
        moved = count(
            w.db, Goal, Goal.status == status, Goal.pair_id != w.pair_id if status == "active" else True
        )
        return moved * sum(words in t for t in texts_to(w.fake, MENTEE))

    return effect


def at_risk(w: World) -> None:
    admin_of_program(w)
    with w.db.begin() as session:
        pair = session.get(Pair, w.pair_id)
        pair.unanswered_checkins, pair.at_risk_since = 2, datetime.now(UTC)


def drift_asked(w: World) -> None:
    with w.db.begin() as session:
        pair = session.get(Pair, w.pair_id)
        pair.unanswered_checkins, pair.drift_asked_at = 3, datetime.now(UTC)


def match_run(w: World) -> None:
    admin_of_program(w)
    with w.db.begin() as session:
        session.get(Pair, w.pair_id).status = "ended"
        mentor = session.scalars(select(Person).where(Person.user_id == MENTOR)).one()
        mentee = session.scalars(select(Person).where(Person.user_id == MENTEE)).one()
        program = session.scalars(select(Program)).one()
        run = MatchRun(team_id=TEAM_ID, program_id=program.id, created_by_user_id=ADMIN)
        run.proposals = [MatchProposal(mentor_id=mentor.id, mentee_id=mentee.id, score=1.0, reason="Skills")]
        session.add(run)


def match_submit(w: World) -> Reply:
    with w.db() as session:
        run_id, proposal_id = session.execute(select(MatchProposal.run_id, MatchProposal.id)).one()
    view = {
        "id": "VMATCH",
        "callback_id": ids.MATCH_MODAL,
        "private_metadata": ids.encode_match_metadata(run_id, [proposal_id]),
    }
    return w.slack.submit(view, {f"{ids.MATCH_KEEP}_0": ticked(str(proposal_id))}, user_id=ADMIN)


def feedback_submit(w: World) -> Reply:
    view = {"id": "VFEEDBACK", "callback_id": ids.FEEDBACK_MODAL, "private_metadata": str(w.pair_id)}
    fields = {ids.FEEDBACK_RATING: picked("4"), ids.FEEDBACK_COMMENT: typed("Lovely")}
    return w.slack.submit(view, fields, user_id=MENTEE)


def agreement_submit(w: World) -> Reply:
    view = {"id": "VAGREE", "callback_id": ids.AGREEMENT_MODAL, "private_metadata": str(w.pair_id)}
    fields = {
        ids.AGREE_FREQUENCY: picked("biweekly"),
        ids.AGREE_WEEKDAY: picked("3"),
        ids.AGREE_TIME: {"type": "timepicker", "selected_time": "15:30"},
        ids.AGREE_TZ: typed("Europe/Berlin"),
        ids.AGREE_FORMAT: picked("video"),
        ids.AGREE_LOCATION: typed("Zoom"),
        ids.AGREE_START: {"type": "datepicker", "selected_date": "2027-01-06"},
        ids.AGREE_EXPECTATIONS: typed("We meet every other Thursday and write in between."),
    }
    return w.slack.submit(view, fields, user_id=MENTEE)


def no_pair_agreement(w: World) -> None:
    with w.db.begin() as session:
        session.execute(Agreement.__table__.delete())


def ok_reply(_w: World, reply: Reply) -> bool:
    return reply.status == 200 and "errors" not in reply.body


SCENES = [
    Scene(
        "PAIR_END",
        "end",
        home_click(ids.PAIR_END),
        dms_saying(MENTEE, "has ended"),
        dm_says(MENTOR, "already"),
    ),
    Scene(
        "PAIR_PAUSE",
        "pause",
        home_click(ids.PAIR_PAUSE),
        dms_saying(MENTEE, "paused"),
        dm_says(MENTOR, "already"),
    ),
    Scene(
        "PAIR_RESUME",
        "resume",
        home_click(ids.PAIR_RESUME),
        dms_saying(MENTEE, "resumed"),
        dm_says(MENTOR, "already"),
        setup=set_status("paused"),
    ),
    Scene(
        "FIT_ANSWER",
        "not a fit",
        lambda w: w.slack.click(f"{ids.FIT_ANSWER}_not_fit", str(w.pair_id), user_id=MENTEE),
        dms_saying(ADMIN, "not a good fit"),
        dm_says(MENTEE, "already"),
        setup=admin_of_program,
    ),
    Scene(
        "DRIFT_ANSWER",
        "drift: end it",
        lambda w: w.slack.click(f"{ids.DRIFT_ANSWER}_end", str(w.pair_id), user_id=MENTEE),
        # The answer replaces the question where it was asked; a click from no message is told to the clicker.
        lambda w: count(w.db, Pair, Pair.status == "ended") * dms_saying(MENTEE, "chose")(w),
        dm_says(MENTEE, "already"),
        setup=drift_asked,
    ),
    Scene(
        "PULSE_SCORE",
        "pulse 4",
        pulse_click,
        lambda w: count(w.db, Pulse, Pulse.score == 4) * sum("4 of 5" in t for t in texts_to(w.fake, MENTEE)),
        dm_says(MENTEE, "already"),
        setup=pulse_asked,
    ),
    Scene(
        "REPAIR",
        "end and re-pair",
        lambda w: w.slack.click(ids.REPAIR, str(w.pair_id), user_id=ADMIN),
        lambda w: (
            count(w.db, Pair, Pair.status == "ended")
            * len([t for t in texts_to(w.fake, MENTEE) if "has ended" in t])
        ),
        lambda w, _reply: len(w.fake.calls_to("views.update")) >= 2,
        setup=admin_of_program,
    ),
    Scene(
        "END_CONFIRM",
        "end it, after /mentor end",
        lambda w: w.slack.click(ids.END_CONFIRM, str(w.pair_id), user_id=MENTOR),
        dms_saying(MENTEE, "has ended"),
        dm_says(MENTOR, "already"),
    ),
    Scene(
        "GOALS_BRING",
        "bring my goals",
        goals_click(ids.GOALS_BRING),
        goals_done("active", "moved"),
        dm_says(MENTEE, "Done already"),
        setup=goals_waiting,
    ),
    Scene(
        "GOALS_CLOSE",
        "close my goals",
        goals_click(ids.GOALS_CLOSE),
        goals_done("dropped", "closed"),
        dm_says(MENTEE, "Done already"),
        setup=goals_waiting,
    ),
    Scene(
        "INSIGHTS_NUDGE",
        "nudge",
        home_click(NUDGE_PAIR, ADMIN),
        lambda w: count(w.db, OutboxMessage, OutboxMessage.pair_id == w.pair_id),
        dm_says(ADMIN, "already"),
        setup=at_risk,
    ),
    Scene(
        "MATCH_MODAL",
        "confirm pairs",
        match_submit,
        lambda w: count(w.db, Pair, Pair.status == "active"),
        ok_reply,
        setup=match_run,
    ),
    Scene(
        "FEEDBACK_MODAL",
        "feedback",
        feedback_submit,
        lambda w: count(w.db, PairFeedback),
        ok_reply,
        setup=set_status("ended"),
    ),
    Scene(
        "AGREEMENT_MODAL",
        "agreement",
        agreement_submit,
        lambda w: count(w.db, Agreement),
        ok_reply,
        setup=no_pair_agreement,
    ),
]


def settled(world: World, condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    """Once the listeners that ran after the ack are done, `condition` holds."""
    assert world.listeners.wait_idle(timeout), f"listeners still busy waiting for {what}"
    assert condition(), f"no {what}"


@pytest.fixture
def world(
    slack: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory, listeners: ListenerPool
) -> World:
    pair_id = seed_pair(session_factory, 1, mentee_tz="Europe/Berlin")
    for user_id in (MENTOR, MENTEE, ADMIN):
        fake_slack.add_user(user_id, tz="Europe/Berlin")
    return World(slack, fake_slack, session_factory, pair_id, listeners)


@pytest.mark.parametrize("scene", SCENES, ids=lambda s: s.label)
def test_clicked_twice_in_a_row_takes_effect_once(world: World, scene: Scene) -> None:
    scene.setup(world)

    first = scene.act(world)
    settled(world, lambda: scene.effect(world) >= 1, f"the first {scene.label}")
    again = scene.act(world)
    settled(world, lambda: scene.calm(world, again), f"a calm answer to the second {scene.label}")

    assert (first.status, again.status) == (200, 200)
    assert scene.effect(world) == 1


@pytest.mark.parametrize("scene", SCENES, ids=lambda s: s.label)
def test_clicked_twice_at_once_takes_effect_once(world: World, scene: Scene) -> None:
    scene.setup(world)
    replies: list[Reply] = []
    start = threading.Barrier(2)

    def click() -> None:
        start.wait()
        replies.append(scene.act(world))

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    settled(world, lambda: scene.effect(world) >= 1, f"one {scene.label}")
    calm = f"a calm answer to a {scene.label}"
    settled(world, lambda: any(scene.calm(world, reply) for reply in replies), calm)

    assert [reply.status for reply in replies] == [200, 200]
    assert scene.effect(world) == 1
