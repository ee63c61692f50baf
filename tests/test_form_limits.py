"""Whatever a form accepts, it opens again with: limits at input match limits at output.

Every form is submitted at its maximum, in text with emoji (two UTF-16 units each, as Slack
counts), right-to-left script, zero-width characters and a NUL byte, then opened again; the
fake Slack refuses an initial value longer than its input's max_length, as Slack does.
"""

from __future__ import annotations

from sqlalchemy import select

from bot import ids
from storage.db import SessionFactory
from storage.models import Goal
from tests.blockkit import assert_valid_view
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import SlackSender, picked, typed
from tests.scenarios import ADMIN, join_fields, open_join
from tests.test_agreements import agreement_fields, open_agreement
from tests.test_goals import goal_fields, open_goal_form

WORDS = "Ready 😀 to grow: שלום עולם\u200b\u200d and more. "


def units(text: str) -> int:
    """Length as Slack counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def at_most(limit: int, words: str = WORDS) -> str:
    """Text of exactly `limit` UTF-16 units (or one less, not to split an emoji), with a NUL in it."""
    text = "\x00"
    for character in words * (limit // len(words) + 2):
        if units(text + character) > limit:
            break
        text += character
    return text


def typed_back(text: str) -> str:
    """What mentorbot keeps of it: the NUL gone, the ends trimmed."""
    return text.replace("\x00", "").strip()


def initial(view: dict, block_id: str) -> str | None:
    block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
    return block["element"].get("initial_value")


def max_length(view: dict, block_id: str) -> int:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)["element"]["max_length"]


def test_the_profile_form_opens_again_with_everything_it_accepted(
    program: SlackSender, fake_slack: FakeSlack
) -> None:
    form = open_join(program, fake_slack, "UTOM")
    # Ten short-separated items fit the field as typed, but not as the form shows them again.
    squeezed = ",".join(f"{n}" + "x" * 58 for n in range(10))
    assert units(squeezed) <= max_length(form, ids.JOIN_GROWTH_OTHER)
    refused = program.submit(
        form, join_fields(**{ids.JOIN_GROWTH_OTHER: typed(squeezed)}), user_id="UTOM"
    ).json()
    assert ids.JOIN_GROWTH_OTHER in refused["errors"]

    items = ", ".join(f"{n} 😀 שלום" + "y" * 40 for n in range(10))
    fields = {
        ids.JOIN_GROWTH_OTHER: typed(items),
        ids.JOIN_MOTIVATIONS: typed(at_most(max_length(form, ids.JOIN_MOTIVATIONS))),
        ids.JOIN_BACKGROUND: typed(at_most(max_length(form, ids.JOIN_BACKGROUND))),
    }
    assert program.submit(form, join_fields(**fields), user_id="UTOM").body == ""

    again = open_join(program, fake_slack, "UTOM")
    assert_valid_view(again)
    for block_id, element in fields.items():
        assert initial(again, block_id) == typed_back(element["value"]), block_id


def test_agreement_goal_and_program_forms_open_again_at_their_maximum(
    paired: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    form = open_agreement(paired, fake_slack, "UTOM")
    agreed = {
        ids.AGREE_LOCATION: typed(at_most(max_length(form, ids.AGREE_LOCATION))),
        ids.AGREE_EXPECTATIONS: typed(at_most(max_length(form, ids.AGREE_EXPECTATIONS))),
    }
    assert paired.submit(form, agreement_fields(**agreed), user_id="UTOM").body == ""
    again = open_agreement(paired, fake_slack, "UMIA")
    assert_valid_view(again)
    for block_id, element in agreed.items():
        assert initial(again, block_id) == typed_back(element["value"]), block_id

    goal_form = open_goal_form(paired, fake_slack)
    goal = {
        ids.GOAL_SPECIFIC: typed("Give talks " + at_most(max_length(goal_form, ids.GOAL_SPECIFIC) - 11)),
        ids.GOAL_UNIT: typed(at_most(max_length(goal_form, ids.GOAL_UNIT))),
        ids.GOAL_ATTAINABLE: typed(at_most(max_length(goal_form, ids.GOAL_ATTAINABLE))),
        ids.GOAL_REALISTIC: typed(at_most(max_length(goal_form, ids.GOAL_REALISTIC))),
    }
    assert paired.submit(goal_form, goal_fields(**goal), user_id="UTOM").body == ""
    with session_factory() as session:
        goal_id = session.scalars(select(Goal.id)).one()
    before = len(fake_slack.calls_to("views.open"))
    paired.click(ids.GOAL_EDIT_OPEN, str(goal_id), user_id="UTOM")
    edit = fake_slack.wait_for("views.open", count=before + 1)[-1].args["view"]
    assert_valid_view(edit)
    for block_id, element in goal.items():
        assert initial(edit, block_id) == typed_back(element["value"]), block_id

    before = len(fake_slack.calls_to("views.open"))
    paired.slash("config", user_id=ADMIN)
    settings = fake_slack.wait_for("views.open", count=before + 1)[-1].args["view"]
    name = at_most(max_length(settings, ids.CONFIG_NAME), "Mentoría 😀 שלום ")
    skills = "\n".join(f"Skill {n} 😀 שלום\u200b" for n in range(100))
    answer = paired.submit(
        settings,
        {
            ids.CONFIG_NAME: typed(name),
            ids.CONFIG_SKILLS: typed(skills),
            ids.CONFIG_CADENCE: picked("weekly"),
            ids.CONFIG_PULSE: picked("4"),
        },
        user_id=ADMIN,
    )
    assert answer.body == "", answer.body
    before = len(fake_slack.calls_to("views.open"))
    paired.slash("config", user_id=ADMIN)
    reopened = fake_slack.wait_for("views.open", count=before + 1)[-1].args["view"]
    assert_valid_view(reopened)
    assert initial(reopened, ids.CONFIG_NAME) == " ".join(typed_back(name).split())
    assert initial(reopened, ids.CONFIG_SKILLS) == skills
