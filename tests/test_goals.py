"""SMART goals as a mentee and mentor use them: setting, validating, progress, feedback, closing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from bot import ids
from bot.forms import cut_to, slack_length, text_size, tidy
from bot.goals import GoalForm, coaching, fraction_between, looks_english, target_measure
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
        ids.GOAL_START: typed(""),
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
    fake_slack.wait_until(  # the mentor sees it on Home, and the pair's check-in lists it
        "views.publish", lambda c: c.args["user_id"] == "UMIA" and "Give three talks" in str(c.args["view"])
    )
    assert not [c for c in fake_slack.calls_to("chat.postMessage") if "goal" in c.args.get("text", "")]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({ids.GOAL_SPECIFIC: typed("")}, ids.GOAL_SPECIFIC, "what you want to accomplish"),
        ({ids.GOAL_SPECIFIC: typed("\x00\x01 \x7f")}, ids.GOAL_SPECIFIC, "what you want to accomplish"),
        ({ids.GOAL_MEASURE_KIND: picked(None)}, ids.GOAL_MEASURE_KIND, "how you will measure"),
        ({ids.GOAL_TARGET: typed("lots")}, ids.GOAL_TARGET, "number you will reach"),
        ({ids.GOAL_TARGET: typed("")}, ids.GOAL_TARGET, "number you will reach"),
        ({ids.GOAL_START: typed("eighty")}, ids.GOAL_START, "where you start"),
        ({ids.GOAL_START: typed("3")}, ids.GOAL_TARGET, "target equals the starting value"),
        ({ids.GOAL_TARGET: typed("0")}, ids.GOAL_TARGET, "target equals the starting value"),
        ({ids.GOAL_UNIT: typed("")}, ids.GOAL_UNIT, "what you are counting"),
        ({ids.GOAL_MEASURE_KIND: picked("milestones")}, ids.GOAL_MILESTONES, "at least one milestone"),
        (
            {
                ids.GOAL_MEASURE_KIND: picked("milestones"),
                ids.GOAL_MILESTONES: typed("\n".join("abcdefghijk")),
            },
            ids.GOAL_MILESTONES,
            "Keep it to 10 milestones",
        ),
        ({ids.GOAL_ATTAINABLE: typed("")}, ids.GOAL_ATTAINABLE, "within your power"),
        ({ids.GOAL_REALISTIC: typed("x" * 1001)}, ids.GOAL_REALISTIC, "under 1000 characters"),
        ({ids.GOAL_REALISTIC: typed("😀" * 501)}, ids.GOAL_REALISTIC, "under 1000 characters"),
        ({ids.GOAL_DEADLINE: day(-1)}, ids.GOAL_DEADLINE, "must be in the future"),
        ({ids.GOAL_DEADLINE: day(0)}, ids.GOAL_DEADLINE, "must be in the future"),
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


# -- the rules, as pure functions ------------------------------------------------------------------


def smart(specific: str, **overrides: object) -> GoalForm:
    """A goal that is fine apart from what the test changes."""
    fields: dict = {
        "specific": specific,
        "measure_kind": "target",
        "target_value": 1.0,
        "target_unit": "certification",
        "milestones": (),
        "attainable": "I run our clusters daily and the company pays for the exam.",
        "realistic": "My manager set aside Friday afternoons for study until June.",
        "deadline": TODAY + timedelta(days=90),
    }
    return GoalForm(**(fields | overrides))


CHINESE_REASON = "我每天在工作中使用Kubernetes，公司支付考试费用。"  # noqa: RUF001


@pytest.mark.parametrize(
    "goal",
    [
        smart("Get CKA certified"),
        smart("在六月前通过CKA认证考试", attainable=CHINESE_REASON, realistic=CHINESE_REASON),
        smart("六月前通过认证", attainable=CHINESE_REASON, realistic=CHINESE_REASON),
        smart("CKA試験に6月までに合格する", attainable=CHINESE_REASON, realistic=CHINESE_REASON),
        smart("اجتياز امتحان شهادة CKA قبل يونيو"),
        smart("Bis Juni die CKA-Prüfung bestehen, mehr als 80 %"),
        smart("Give three talks about our payments platform at the engineering guild"),
        smart("Raise CSAT for the support queue", start_value=82.0, target_value=90.0, target_unit="% CSAT"),
        smart("Cut on-call incidents of the billing service", start_value=12.0, target_value=4.0),
    ],
    ids=lambda goal: goal.specific,
)
def test_clear_goals_in_any_language_need_no_coaching(goal: GoalForm) -> None:
    assert coaching(goal) == []


def test_a_vague_goal_is_coached_with_each_reason() -> None:
    points = coaching(
        smart("Improve my Python skills a lot this spring", target_value=5.0, target_unit="things")
    )

    assert any("“Improve” says which way, not how far" in point for point in points)
    assert any("“a lot” is not a measure" in point for point in points)
    assert any("“things” does not say what you count" in point for point in points)


def test_short_texts_are_coached_in_any_script_but_english_words_judge_english_only() -> None:
    assert coaching(smart("Get better")) != []
    assert any("short" in point for point in coaching(smart("认证")))
    assert any(
        "Attainable is short" in point for point in coaching(smart("Get CKA certified", attainable="ok"))
    )
    # "more" and "things" are English; in German text they are not looked for.
    assert looks_english("Improve my Python skills")
    assert not looks_english("Mehr Sport treiben bis Juni")
    assert not looks_english("在六月前通过CKA认证考试")


def test_text_size_counts_what_people_see_not_words_or_code_points() -> None:
    assert text_size("👩‍👩‍👧") == 1  # one family, five code points
    assert text_size("e\u0301t\u0301e\u0301") == 3  # combining accents belong to their letter
    assert text_size("通过认证") == 8  # a wide letter counts two
    assert text_size("a b  c") == 3
    assert slack_length("😀a") == 3
    assert cut_to("ab😀c", 3) == "ab"
    assert cut_to("ab😀c", 4) == "ab😀"


def test_control_characters_and_overrides_are_stripped_and_what_scripts_need_is_kept() -> None:
    assert tidy("a\x00b\x07c\x1b[31md\u202eevil\u2066x") == "abc[31mdevilx"
    assert tidy("line one\r\nline two\tend") == "line one\nline two end"
    assert tidy("two\nlines", multiline=False) == "two lines"
    hebrew = "\u05e9\u05dc\u05d5\u05dd"
    assert tidy(f"👩\u200d👩\u200d👧 \u200f{hebrew} \ud800") == f"👩\u200d👩\u200d👧 \u200f{hebrew}"


def test_progress_runs_from_the_start_toward_the_target_in_either_direction() -> None:
    assert fraction_between(82, 90, 86) == 0.5  # CSAT 82% -> 90%
    assert fraction_between(12, 4, 8) == 0.5  # incidents 12 -> 4 count down
    assert fraction_between(12, 4, 14) == 0.0
    assert fraction_between(12, 4, 0) == 1.0
    assert fraction_between(0, 3, 2) == pytest.approx(2 / 3)
    assert target_measure(0, 3, 2, "talks") == "2 of 3 talks"
    assert target_measure(12, 4, 8, "incidents") == "8 incidents, from 12 to 4"


# -- coaching in the modal, over HTTP --------------------------------------------------------------

VAGUE = {
    ids.GOAL_SPECIFIC: typed("Improve my Python skills a lot this spring"),
    ids.GOAL_TARGET: typed("5"),
    ids.GOAL_UNIT: typed("things"),
}


def goals(session_factory: SessionFactory) -> list[Goal]:
    with session_factory() as session:
        return list(session.scalars(select(Goal).options(selectinload(Goal.milestones)).order_by(Goal.id)))


def test_a_vague_goal_is_coached_and_kept_as_written_exactly_once(
    paired: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    view = open_goal_form(paired, fake_slack)

    answer = paired.submit(view, goal_fields(**VAGUE), user_id="UTOM").json()

    assert answer["response_action"] == "update"
    coach = answer["view"]
    assert_valid_view(coach)
    assert coach["callback_id"] == ids.GOAL_COACH_MODAL
    assert coach["submit"]["text"] == "Keep it as written"
    shown = str(coach["blocks"])
    assert "“Improve” says which way" in shown
    assert "“a lot”" in shown
    assert "“things”" in shown
    assert ids.GOAL_COACH_EDIT in shown
    assert goal_count(session_factory) == 0

    kept = paired.submit(coach, {}, user_id="UTOM")
    again = paired.submit(coach, {}, user_id="UTOM")

    assert (kept.body, again.body) == ("", "")
    saved = goals(session_factory)
    assert [(g.specific, g.target_value, g.target_unit) for g in saved] == [
        ("Improve my Python skills a lot this spring", 5.0, "things")
    ]
    fake_slack.wait_until(
        "views.publish", lambda c: c.args["user_id"] == "UMIA" and "Improve my Python" in str(c.args["view"])
    )


def test_edit_after_coaching_goes_back_to_the_form_filled_as_it_was(
    paired: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    view = open_goal_form(paired, fake_slack)
    fields = goal_fields(**VAGUE, **{ids.GOAL_START: typed("1"), ids.GOAL_MILESTONES: typed("kept too")})
    coach = paired.submit(view, fields, user_id="UTOM").json()["view"]

    paired.click(ids.GOAL_COACH_EDIT, "edit", user_id="UTOM", view={"type": "modal", "id": "V0MODAL"})
    update = fake_slack.wait_for("views.update")[-1].args
    form = update["view"]

    assert update["view_id"] == "V0MODAL"
    assert_valid_view(form)
    assert form["callback_id"] == ids.GOAL_MODAL
    assert form["private_metadata"] == view["private_metadata"] == coach["private_metadata"]
    by_id = {b.get("block_id"): b["element"] for b in form["blocks"] if b["type"] == "input"}
    for block_id, element in fields.items():
        shown = by_id[block_id]
        if block_id == ids.GOAL_MEASURE_KIND:
            assert shown["initial_option"]["value"] == "target"
        elif block_id == ids.GOAL_DEADLINE:
            assert shown["initial_date"] == element["selected_date"]
        else:
            assert shown.get("initial_value", "") == element["value"], block_id

    sharper = fields | {
        ids.GOAL_SPECIFIC: typed("Ship 5 reviewed pull requests to our Python SDK this spring")
    }
    sharper[ids.GOAL_UNIT] = typed("merged pull requests")
    assert paired.submit(form, sharper, user_id="UTOM").body == ""
    assert [(g.specific, g.start_value, g.current_value) for g in goals(session_factory)] == [
        ("Ship 5 reviewed pull requests to our Python SDK this spring", 1.0, 1.0)
    ]


def test_clear_goals_in_any_language_are_saved_at_once(
    paired: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    for n, specific in enumerate(["Get CKA certified", "在六月前通过CKA认证考试"]):
        view = open_goal_form(paired, fake_slack) | {"id": f"VLANG{n}"}
        reasons = {ids.GOAL_ATTAINABLE: typed(CHINESE_REASON), ids.GOAL_REALISTIC: typed(CHINESE_REASON)}
        fields = goal_fields(**{ids.GOAL_SPECIFIC: typed(specific), ids.GOAL_UNIT: typed("认证")}, **reasons)
        assert paired.submit(view, fields, user_id="UTOM").body == "", specific

    assert [g.specific for g in goals(session_factory)] == ["Get CKA certified", "在六月前通过CKA认证考试"]


# -- start values ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "target", "unit", "now", "measure", "bar"),
    [
        ("82%", "90", "% CSAT", "86", "86 % CSAT, from 82 to 90", "50%"),
        ("12", "4", "incidents a month", "8", "8 incidents a month, from 12 to 4", "50%"),
        ("12", "4", "incidents a month", "13", "13 incidents a month, from 12 to 4", " 0%"),
    ],
)
def test_a_target_goal_counts_from_its_start_up_or_down_wherever_progress_shows(
    paired: SlackSender,
    fake_slack: FakeSlack,
    session_factory: SessionFactory,
    start: str,
    target: str,
    unit: str,
    now: str,
    measure: str,
    bar: str,
) -> None:
    specific = "Bring the support queue of the billing team where it should be"
    fields = {ids.GOAL_START: typed(start), ids.GOAL_TARGET: typed(target), ids.GOAL_UNIT: typed(unit)}
    paired.submit(
        open_goal_form(paired, fake_slack),
        goal_fields(**fields, **{ids.GOAL_SPECIFIC: typed(specific)}),
        user_id="UTOM",
    )
    goal = goals(session_factory)[0]
    assert (goal.start_value, goal.current_value) == (float(start.rstrip("%")), float(start.rstrip("%")))

    paired.click(ids.PROGRESS_OPEN, str(goal.id), user_id="UTOM")
    form = fake_slack.wait_for("views.open", count=2)[-1].args["view"]
    assert f"From {start.rstrip('%')} to {target}" in str(form["blocks"])
    paired.submit(form, {ids.PROGRESS_VALUE: typed(now)}, user_id="UTOM")
    listed = paired.slash("goals", user_id="UTOM").json()["blocks"][0]["text"]["text"]
    home = fake_slack.wait_until(
        "views.publish", lambda call: call.args["user_id"] == "UMIA" and measure in str(call.args["view"])
    )

    assert measure in listed
    assert bar in listed
    assert bar in str(home.args["view"])


# -- what people type, at the limits, shown back -----------------------------------------------------


def limit_text(length: int) -> str:
    """Emoji, right-to-left, zero-width characters, markup and NUL, cut to `length` Slack characters."""
    piece = (
        "👩\u200d👩\u200d👧 \u05e9\u05dc\u05d5\u05dd \u200b & <!channel> <https://evil.example|acme> \x00 "
    )
    text = ""
    while slack_length(tidy(text + piece)) <= length:
        text += piece
    while slack_length(tidy(text)) < length:
        text += "x"
    return text


def test_texts_at_the_limits_survive_the_card_the_messages_and_the_edit_form(
    paired: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    long_text = limit_text(1000)
    milestones = "\n".join(limit_text(200) for _ in range(10))
    fields = goal_fields(
        **{
            ids.GOAL_SPECIFIC: typed(long_text),
            ids.GOAL_MEASURE_KIND: picked("milestones"),
            ids.GOAL_MILESTONES: typed(milestones),
            ids.GOAL_ATTAINABLE: typed(long_text),
            ids.GOAL_REALISTIC: typed(long_text),
        }
    )

    reply = paired.submit(open_goal_form(paired, fake_slack), fields, user_id="UTOM")
    if reply.body:  # coached for its markup words: keep it as written
        reply = paired.submit(reply.json()["view"], {}, user_id="UTOM")

    assert reply.body == ""
    goal = goals(session_factory)[0]
    assert "\x00" not in goal.specific
    assert slack_length(goal.specific) == 1000
    assert len(goal.milestones) == 10
    told = fake_slack.wait_until(
        "views.publish",
        lambda c: c.args["user_id"] == "UMIA" and "&amp; &lt;!channel&gt;" in str(c.args["view"]),
    )
    assert "<!channel>" not in str(told.args["view"])
    listed = paired.slash("goals", user_id="UTOM").json()
    assert_valid_message(listed["blocks"])
    assert "&lt;https://evil.example|acme&gt;" in str(listed["blocks"])
    assert "<!channel>" not in str(listed)

    paired.click(ids.GOAL_EDIT_OPEN, str(goal.id), user_id="UTOM")
    form = fake_slack.wait_for("views.open", count=2)[-1].args["view"]
    assert_valid_view(form)
    by_id = {b.get("block_id"): b["element"] for b in form["blocks"] if b["type"] == "input"}
    assert by_id[ids.GOAL_SPECIFIC]["initial_value"] == goal.specific  # typed text, not entities
    resubmitted = {
        block_id: typed(by_id[block_id].get("initial_value", ""))
        for block_id in (ids.GOAL_SPECIFIC, ids.GOAL_MILESTONES, ids.GOAL_ATTAINABLE, ids.GOAL_REALISTIC)
    }
    changed = goal_fields(
        **resubmitted, **{ids.GOAL_MEASURE_KIND: picked("milestones"), ids.GOAL_DEADLINE: day(91)}
    )
    reply = paired.submit(form, changed, user_id="UTOM")
    if reply.body:
        reply = paired.submit(reply.json()["view"] | {"id": "V0MODAL"}, {}, user_id="UTOM")
    assert reply.body == ""
    with session_factory() as session:
        assert session.get(Goal, goal.id).deadline == TODAY + timedelta(days=91)
        assert [m.text for m in session.get(Goal, goal.id).milestones] == [m.text for m in goal.milestones]
    paired.click(ids.PROGRESS_OPEN, str(goal.id), user_id="UTOM")
    assert_valid_view(fake_slack.wait_for("views.open", count=3)[-1].args["view"])
    paired.open_home("UTOM")
    assert_valid_view(
        fake_slack.wait_until("views.publish", lambda call: call.args["user_id"] == "UTOM").args["view"]
    )


def test_feedback_and_closing_notes_are_cleaned_at_input_and_escaped_when_shown(
    paired: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    paired.submit(open_goal_form(paired, fake_slack), goal_fields(), user_id="UTOM")
    goal_id = goals(session_factory)[0].id
    paired.click(ids.GOAL_FEEDBACK_OPEN, str(goal_id), user_id="UMIA")
    feedback_form = fake_slack.wait_for("views.open", count=2)[-1].args["view"]
    written = "Great <!here> work &\x00 more" + "&" * 1950

    assert paired.submit(feedback_form, {ids.GOAL_FEEDBACK_TEXT: typed(written)}, user_id="UMIA").body == ""
    told = fake_slack.wait_until("chat.postMessage", lambda call: call.args["channel"] == "UTOM")
    assert_valid_message(told.args["blocks"])
    assert "<!here>" not in str(told.args)
    assert "&lt;!here&gt; work &amp; more" in told.args["text"]
    assert str(told.args["blocks"]).count("&amp;") == written.count("&")  # all of it, in pieces

    paired.click(ids.GOAL_CLOSE_OPEN, str(goal_id), user_id="UTOM")
    close_form = fake_slack.wait_for("views.open", count=3)[-1].args["view"]
    note = {ids.GOAL_CLOSE_OUTCOME: picked("achieved"), ids.GOAL_CLOSE_NOTE: typed("Done\x00 \u202eat last")}
    assert paired.submit(close_form, note, user_id="UTOM").body == ""
    with session_factory() as session:
        assert session.scalar(select(GoalFeedback.text)) == written.replace("\x00", "")
        assert session.get(Goal, goal_id).closing_note == "Done at last"
