"""SMART goals as a mentee and mentor use them: setting, validating, progress, feedback, closing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot import ids
from storage.db import SessionFactory
from storage.models import Goal, GoalFeedback, GoalUpdate
from tests.blockkit import assert_valid_message, assert_valid_view
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import SlackSender, picked, ticked, typed

TODAY = datetime.now(UTC).date()


def day(offset: int) -> dict:
    return {"type": "datepicker", "selected_date": (TODAY + timedelta(days=offset)).isoformat()}


def goal_fields(**overrides: dict) -> dict:
    """Give three talks at the engineering guild within three months."""
    fields = {
        ids.GOAL_SPECIFIC: typed("Give three talks about our payments platform at the engineering guild"),
        ids.GOAL_MEASURE_KIND: picked("target"),
        ids.GOAL_TARGET: typed("3"),
        ids.GOAL_UNIT: typed("talks"),
        ids.GOAL_MILESTONES: typed(""),
        ids.GOAL_ATTAINABLE: typed("I know the system well; I need slots on the guild agenda."),
        ids.GOAL_REALISTIC: typed("The guild meets monthly and my team supports it."),
        ids.GOAL_DEADLINE: day(90),
    }
    return fields | overrides


def open_goal_form(slack: SlackSender, fake_slack: FakeSlack, user_id: str = "UTOM") -> dict:
    opened = len(fake_slack.calls_to("views.open"))
    slack.slash("goal", user_id=user_id)
    return fake_slack.wait_for("views.open", count=opened + 1)[-1].args["view"]


def goal_count(session_factory: SessionFactory) -> int:
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(Goal))


def test_the_mentee_sets_a_smart_goal_once_even_when_the_submit_repeats(
    paired: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    view = open_goal_form(paired, fake_slack)
    assert_valid_view(view)
    assert "Specific" in str(view["blocks"])
    assert "Time-bound" in str(view["blocks"])

    first = paired.submit(view, goal_fields(), user_id="UTOM")
    retry = paired.submit(view, goal_fields(), user_id="UTOM")

    assert (first.body, retry.body) == ("", "")
    assert goal_count(session_factory) == 1
    told = fake_slack.wait_until(
        "chat.postMessage", lambda call: "set a new goal" in call.args.get("text", "")
    )
    assert "Give three talks" in told.args["text"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({ids.GOAL_SPECIFIC: typed("")}, ids.GOAL_SPECIFIC, "exactly what you want"),
        ({ids.GOAL_SPECIFIC: typed("get better at stuff")}, ids.GOAL_SPECIFIC, "Make it specific"),
        ({ids.GOAL_MEASURE_KIND: picked(None)}, ids.GOAL_MEASURE_KIND, "how you will measure"),
        ({ids.GOAL_TARGET: typed("-2")}, ids.GOAL_TARGET, "greater than zero"),
        ({ids.GOAL_TARGET: typed("lots")}, ids.GOAL_TARGET, "greater than zero"),
        ({ids.GOAL_UNIT: typed("")}, ids.GOAL_UNIT, "what you are counting"),
        ({ids.GOAL_MEASURE_KIND: picked("milestones")}, ids.GOAL_MILESTONES, "at least one milestone"),
        ({ids.GOAL_ATTAINABLE: typed("sure")}, ids.GOAL_ATTAINABLE, "Say a little more"),
        ({ids.GOAL_REALISTIC: typed("x" * 1001)}, ids.GOAL_REALISTIC, "under 1000 characters"),
        ({ids.GOAL_DEADLINE: day(-1)}, ids.GOAL_DEADLINE, "must be in the future"),
        ({ids.GOAL_DEADLINE: day(800)}, ids.GOAL_DEADLINE, "within two years"),
        ({ids.GOAL_DEADLINE: {"selected_date": None}}, ids.GOAL_DEADLINE, "Pick a deadline"),
    ],
)
def test_a_goal_that_is_not_smart_is_refused_on_its_field(
    paired: SlackSender,
    fake_slack: FakeSlack,
    session_factory: SessionFactory,
    overrides: dict,
    field: str,
    message: str,
) -> None:
    view = open_goal_form(paired, fake_slack)

    answer = paired.submit(view, goal_fields(**overrides), user_id="UTOM").json()

    assert answer["response_action"] == "errors"
    assert field in answer["errors"]
    assert message in answer["errors"][field]
    assert goal_count(session_factory) == 0


def test_only_the_mentee_of_the_pair_can_set_its_goals(
    paired: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    view = open_goal_form(paired, fake_slack)

    paired.slash("goal", user_id="UMIA")
    mentor_told = fake_slack.wait_for("response_url")[-1].args["text"]
    crafted = paired.submit(view, goal_fields(), user_id="UTIA").json()

    assert "set by mentees" in mentor_told
    assert "not part of" in crafted["errors"][ids.GOAL_SPECIFIC]
    assert goal_count(session_factory) == 0


def test_progress_feedback_and_closing_a_milestone_goal(
    paired: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    view = open_goal_form(paired, fake_slack)
    paired.submit(
        view,
        goal_fields(
            **{
                ids.GOAL_SPECIFIC: typed("Ship the retry queue for card payments to production"),
                ids.GOAL_MEASURE_KIND: picked("milestones"),
                ids.GOAL_MILESTONES: typed(
                    "- Design review\n- Load test\n\n- Roll out to 10%\n- Roll out to all"
                ),
            }
        ),
        user_id="UTOM",
    )
    with session_factory() as session:
        goal = session.scalars(select(Goal)).one()
        milestone_ids = [m.id for m in goal.milestones]
    assert [m.text for m in goal.milestones] == [
        "Design review",
        "Load test",
        "Roll out to 10%",
        "Roll out to all",
    ]

    paired.click(ids.PROGRESS_OPEN, str(goal.id), user_id="UTOM")
    form = fake_slack.wait_for("views.open", count=2)[-1].args["view"]
    assert_valid_view(form)
    paired.submit(
        form,
        {
            ids.PROGRESS_MILESTONES: ticked(str(milestone_ids[0]), str(milestone_ids[1])),
            ids.PROGRESS_NOTE: typed("Done"),
        },
        user_id="UTOM",
    )
    mentor_update = paired.submit(form, {ids.PROGRESS_MILESTONES: ticked()}, user_id="UMIA").json()

    paired.click(ids.GOAL_FEEDBACK_OPEN, str(goal.id), user_id="UMIA")
    feedback_form = fake_slack.wait_for("views.open", count=3)[-1].args["view"]
    paired.submit(feedback_form, {ids.GOAL_FEEDBACK_TEXT: typed("Great load-test write-up!")}, user_id="UMIA")
    feedback = fake_slack.wait_until("chat.postMessage", lambda call: call.args["channel"] == "UTOM")
    mentee_feedback = paired.submit(
        feedback_form, {ids.GOAL_FEEDBACK_TEXT: typed("Self praise")}, user_id="UTOM"
    )

    paired.click(ids.GOAL_CLOSE_OPEN, str(goal.id), user_id="UTOM")
    close_form = fake_slack.wait_for("views.open", count=4)[-1].args["view"]
    closed = paired.submit(
        close_form,
        {ids.GOAL_CLOSE_OUTCOME: picked("achieved"), ids.GOAL_CLOSE_NOTE: typed("Live!")},
        user_id="UTOM",
    )
    again = paired.submit(close_form, {ids.GOAL_CLOSE_OUTCOME: picked("dropped")}, user_id="UTOM").json()

    assert "Progress is the mentee's" in mentor_update["errors"][ids.PROGRESS_NOTE]
    assert "Great load-test write-up!" in feedback.args["text"]
    assert "2 of 4 milestones" in str(feedback.args["blocks"])
    assert_valid_message(feedback.args["blocks"] if isinstance(feedback.args["blocks"], list) else [])
    assert "comes from the mentor" in mentee_feedback.json()["errors"][ids.GOAL_FEEDBACK_TEXT]
    assert closed.body == ""
    assert "achieved already" in again["errors"][ids.GOAL_CLOSE_OUTCOME]
    with session_factory() as session:
        goal = session.scalars(select(Goal)).one()
        updates = session.scalars(select(GoalUpdate)).all()
        notes = session.scalars(select(GoalFeedback.text)).all()
    assert (goal.status, goal.closing_note) == ("achieved", "Live!")
    assert [u.note for u in updates] == ["Done"]
    assert notes == ["Great load-test write-up!"]


def test_a_target_goal_tracks_its_value_and_the_goals_list_shows_progress(
    paired: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    paired.submit(open_goal_form(paired, fake_slack), goal_fields(), user_id="UTOM")
    with session_factory() as session:
        goal_id = session.scalar(select(Goal.id))
    paired.click(ids.PROGRESS_OPEN, str(goal_id), user_id="UTOM")
    form = fake_slack.wait_for("views.open", count=2)[-1].args["view"]

    bad = paired.submit(form, {ids.PROGRESS_VALUE: typed("two")}, user_id="UTOM").json()
    paired.submit(form, {ids.PROGRESS_VALUE: typed("2")}, user_id="UTOM")
    listed = paired.slash("goals", user_id="UTOM").json()

    assert ids.PROGRESS_VALUE in bad["errors"]
    assert "2 of 3 talks" in listed["blocks"][0]["text"]["text"]
    assert "▰▰▰▰▰▰▰▱▱▱ 67%" in listed["blocks"][0]["text"]["text"]
    assert (
        "89 days left" in listed["blocks"][0]["text"]["text"]
        or "90 days left" in listed["blocks"][0]["text"]["text"]
    )
    outsider = paired.slash("goals", user_id="UTIA").json()
    assert "no goals yet" in outsider["text"]


def test_home_for_someone_with_many_goals_stays_valid(
    paired: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    for n in range(6):
        view = open_goal_form(paired, fake_slack)
        view["id"] = f"V{n}"
        paired.submit(view, goal_fields(**{ids.GOAL_DEADLINE: day(30 + n)}), user_id="UTOM")

    paired.open_home("UTOM")
    home = fake_slack.wait_until(
        "views.publish",
        lambda call: call.args["user_id"] == "UTOM" and "3 more goals" in str(call.args["view"]),
    ).args["view"]

    assert_valid_view(home)
    assert goal_count(session_factory) == 6
    assert "3 more goals: `/mentor goals`" in str(home["blocks"])


def test_the_mentee_changes_a_goal_and_the_change_is_kept_in_its_history(
    paired: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    paired.submit(open_goal_form(paired, fake_slack), goal_fields(), user_id="UTOM")
    with session_factory() as session:
        goal_id = session.scalar(select(Goal.id))

    paired.click(ids.GOAL_EDIT_OPEN, str(goal_id), user_id="UTOM")
    form = fake_slack.wait_for("views.open", count=2)[-1].args["view"]
    assert_valid_view(form)
    by_id = {b.get("block_id"): b for b in form["blocks"]}
    assert by_id[ids.GOAL_TARGET]["element"]["initial_value"] == "3"
    changed = paired.submit(
        form, goal_fields(**{ids.GOAL_TARGET: typed("4"), ids.GOAL_DEADLINE: day(120)}), user_id="UTOM"
    )
    by_mentor = paired.submit(form, goal_fields(**{ids.GOAL_TARGET: typed("9")}), user_id="UMIA").json()

    assert changed.body == ""
    assert "Only the mentee" in by_mentor["errors"][ids.GOAL_SPECIFIC]
    with session_factory() as session:
        goal = session.get(Goal, goal_id)
        history = session.scalars(select(GoalUpdate.note)).all()
    assert (goal.target_value, goal.deadline) == (4.0, TODAY + timedelta(days=120))
    assert len(history) == 1
    assert "target: 3 → 4" in history[0]
    assert "deadline:" in history[0]


def test_crafted_forms_for_someone_elses_goal_change_nothing(
    paired: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    paired.submit(open_goal_form(paired, fake_slack), goal_fields(), user_id="UTOM")
    with session_factory() as session:
        goal_id = str(session.scalar(select(Goal.id)))

    progress = paired.submit(
        {"callback_id": ids.PROGRESS_MODAL, "private_metadata": goal_id},
        {ids.PROGRESS_VALUE: typed("3")},
        user_id="UTIA",
    ).json()
    close = paired.submit(
        {"callback_id": ids.GOAL_CLOSE_MODAL, "private_metadata": goal_id},
        {ids.GOAL_CLOSE_OUTCOME: picked("dropped")},
        user_id="UTIA",
    ).json()
    feedback = paired.submit(
        {"callback_id": ids.GOAL_FEEDBACK_MODAL, "private_metadata": goal_id},
        {ids.GOAL_FEEDBACK_TEXT: typed("Hijacked")},
        user_id="UTIA",
    ).json()
    paired.click(ids.PROGRESS_OPEN, goal_id, user_id="UTIA")

    assert "not part of" in progress["errors"][ids.PROGRESS_NOTE]
    assert "not part of" in close["errors"][ids.GOAL_CLOSE_OUTCOME]
    assert "not part of" in feedback["errors"][ids.GOAL_FEEDBACK_TEXT]
    told = fake_slack.wait_until("chat.postMessage", lambda call: call.args["channel"] == "UTIA")
    assert "not part of" in told.args["text"]
    with session_factory() as session:
        goal = session.get(Goal, int(goal_id))
        assert (goal.status, goal.current_value) == ("active", 0.0)
        assert session.scalar(select(func.count()).select_from(GoalFeedback)) == 0
