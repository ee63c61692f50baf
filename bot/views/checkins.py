"""Check-in prompts, the mentor's private nudge, answers, and goal deadline reminders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DatePickerElement,
    HeaderBlock,
    InputBlock,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot import ids
from bot.views.common import clip, context, escape_text, mrkdwn, render, user

MET_LABELS = {"yes": "Yes, we met", "not_yet": "Not yet", "rescheduled": "We rescheduled"}
MAX_GOAL_BUTTONS = 5


@dataclass(frozen=True)
class GoalPrompt:
    """An active goal as a check-in asks about it."""

    goal_id: int
    specific: str
    progress: str  # e.g. "2 of 3 talks"


def checkin_message(
    checkin_id: int, mentor_user_id: str, mentee_user_id: str, goals: list[GoalPrompt]
) -> dict:
    """The check-in posted to the pair's group DM."""
    blocks: list[Block] = [
        HeaderBlock(text="Check-in time"),
        SectionBlock(
            text=mrkdwn(
                f"{user(mentor_user_id)}, {user(mentee_user_id)}: how is your mentorship going?\n"
                "*Did you meet since the last check-in?*"
            )
        ),
        ActionsBlock(
            block_id=f"checkin_met_{checkin_id}",
            elements=[
                ButtonElement(
                    text=label,
                    action_id=ids.encode_checkin_met_action(key),
                    value=ids.encode_checkin_met(checkin_id, key),
                )
                for key, label in MET_LABELS.items()
            ],
        ),
    ]
    if goals:
        lines = "\n".join(
            f"• {escape_text(clip(goal.specific, 150))} ({escape_text(goal.progress)})" for goal in goals
        )
        blocks.append(SectionBlock(text=mrkdwn(f"*How is each goal going?*\n{lines}")))
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text=clip(f"Update: {g.specific}", 75),
                        action_id=ids.encode_progress_open(g.goal_id),
                        value=str(g.goal_id),
                    )
                    for g in goals[:MAX_GOAL_BUTTONS]
                ]
            )
        )
    blocks += [
        SectionBlock(text=mrkdwn("*What is one thing you learned? What is blocking you?*")),
        ActionsBlock(
            elements=[ButtonElement(text="Answer", action_id=ids.CHECKIN_ANSWER_OPEN, value=str(checkin_id))]
        ),
    ]
    return {"text": "Check-in time: did you meet, and how are your goals going?", "blocks": render(blocks)}


def mentor_nudge(mentee_user_id: str, goals: list[GoalPrompt]) -> dict:
    """The mentor's private prompt: questions that ask about progress instead of giving answers."""
    goal_lines = "\n".join(
        f"• {escape_text(clip(goal.specific, 150))} ({escape_text(goal.progress)})" for goal in goals
    )
    questions = (
        "• What did you try since we last spoke, and what happened?\n"
        "• What would make the next step easier?\n"
        "• What are you proud of this time?\n"
        "• Where do you feel stuck, and what have you considered?"
    )
    text = (
        f"Your check-in with {user(mentee_user_id)} is today. Good mentors ask rather than answer; "
        f"some questions to start with:\n{questions}"
    )
    blocks: list[Block] = [SectionBlock(text=mrkdwn(text))]
    if goals:
        blocks.append(SectionBlock(text=mrkdwn(f"*Their goals*\n{goal_lines}")))
    return {"text": text, "blocks": render(blocks)}


def answer_modal(checkin_id: int) -> dict:
    """What a member learned and what blocks them, for one check-in."""
    return View(
        type="modal",
        callback_id=ids.CHECKIN_ANSWER_MODAL,
        title="Check-in",
        submit="Share",
        close="Cancel",
        private_metadata=str(checkin_id),
        blocks=[
            InputBlock(
                block_id=ids.CHECKIN_LEARNED,
                label="One thing you learned",
                optional=True,
                element=PlainTextInputElement(action_id=ids.VALUE, multiline=True, max_length=1000),
            ),
            InputBlock(
                block_id=ids.CHECKIN_BLOCKER,
                label="What is blocking you?",
                optional=True,
                element=PlainTextInputElement(action_id=ids.VALUE, multiline=True, max_length=1000),
            ),
        ],
    ).to_dict()


def met_summary(user_id: str, met: str) -> str:
    """The pair's note when a member answers whether they met."""
    return f"{user(user_id)} answered the check-in: {MET_LABELS.get(met, met).lower()}."


def answer_summary(user_id: str, learned: str | None, blocker: str | None) -> dict:
    """What a member shared at a check-in, for their partner."""
    parts = []
    if learned:
        parts.append(f"*Learned:* {escape_text(clip(learned, 1000))}")
    if blocker:
        parts.append(f"*Blocked by:* {escape_text(clip(blocker, 1000))}")
    text = f"{user(user_id)} shared at the check-in:\n" + "\n".join(parts)
    return {"text": text, "blocks": render([SectionBlock(text=mrkdwn(text))])}


def reminder_message(goal_id: int, specific: str, days_left: int, deadline: date) -> dict:
    """A goal deadline reminder; on the day it asks whether the goal was achieved."""
    if days_left > 1:
        head = f"Your goal is due in {days_left} days ({deadline:%d %b}):"
    elif days_left == 1:
        head = f"Your goal is due tomorrow ({deadline:%d %b}):"
    else:
        head = "Your goal is due today. Did you achieve it?"
    value = str(goal_id)
    blocks: list[Block] = [
        SectionBlock(text=mrkdwn(f"{head}\n*{escape_text(clip(specific, 500))}*")),
        ActionsBlock(
            elements=[
                ButtonElement(text="Achieved", action_id=ids.REMINDER_ACHIEVED, value=value, style="primary"),
                ButtonElement(text="Extend", action_id=ids.REMINDER_EXTEND, value=value),
                ButtonElement(text="Drop it", action_id=ids.REMINDER_DROP, value=value),
            ]
        ),
        context("Record progress any time from my Home tab."),
    ]
    return {"text": f"{head} {escape_text(specific)}", "blocks": render(blocks)}


def extend_modal(goal_id: int, deadline: date, today: date) -> dict:
    """A new deadline for a goal."""
    return View(
        type="modal",
        callback_id=ids.EXTEND_MODAL,
        title="Extend goal",
        submit="Extend",
        close="Cancel",
        private_metadata=str(goal_id),
        blocks=[
            InputBlock(
                block_id=ids.EXTEND_DEADLINE,
                label="New deadline",
                hint=f"Now {deadline:%d %b %Y}; pick a later day within two years.",
                element=DatePickerElement(action_id=ids.VALUE, initial_date=max(deadline, today).isoformat()),
            )
        ],
    ).to_dict()
