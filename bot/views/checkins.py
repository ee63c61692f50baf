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
    note: str | None = None  # what the mentee wrote with their newest progress update
    days_left: int | None = None  # to the deadline, in the mentee's days


@dataclass(frozen=True)
class MemberAnswer:
    """What one member has said at a check-in so far (None: not yet)."""

    user_id: str
    met: str | None = None
    learned: str | None = None
    blocker: str | None = None

    @property
    def shared(self) -> bool:
        """True once the member has said what they learned or what blocks them."""
        return bool(self.learned or self.blocker)


@dataclass(frozen=True)
class CheckinCard:
    """A check-in as its one message in the pair's group DM shows it: the question and the answers."""

    checkin_id: int
    due_on: date  # the mentee's local day
    mentor: MemberAnswer
    mentee: MemberAnswer
    goals: tuple[GoalPrompt, ...] = ()
    closed: bool = False
    first: bool = False  # the pair's first check-in: it carries the questions a good mentor asks
    hopes: str = ""  # what the mentee wrote they hope to get, for the first check-in's questions

    @property
    def members(self) -> tuple[MemberAnswer, MemberAnswer]:
        """Mentor first, then mentee."""
        return self.mentor, self.mentee


def _answer_line(answer: MemberAnswer) -> str:
    parts = [MET_LABELS.get(answer.met, answer.met).lower() if answer.met else "has not said whether you met"]
    if answer.learned:
        parts.append(f"learned: {escape_text(clip(answer.learned, 600))}")
    if answer.blocker:
        parts.append(f"blocked by: {escape_text(clip(answer.blocker, 600))}")
    if not answer.met and not answer.shared:
        parts = ["no answer yet"]
    return f"• {user(answer.user_id)}: " + "; ".join(parts)


def _answers(card: CheckinCard) -> str:
    return "\n".join(_answer_line(answer) for answer in card.members)


def checkin_message(card: CheckinCard) -> dict:
    """The check-in in the pair's group DM, as it reads now: answers replace buttons as they come.

    One message per check-in: answering edits it, so the partner reads the answer where they
    would answer themselves, and nobody gets a separate note. Once the next check-in is posted
    this one shows only its answers.
    """
    if card.closed:
        return _closed_checkin(card)
    mentor, mentee = card.mentor, card.mentee
    answered = any(answer.met or answer.shared for answer in card.members)
    blocks: list[Block] = [
        HeaderBlock(text="Check-in time"),
        SectionBlock(
            text=mrkdwn(
                f"{user(mentor.user_id)}, {user(mentee.user_id)}: how is your mentorship going?\n"
                "*Did you meet since the last check-in?*"
            )
        ),
    ]
    if not (mentor.met and mentee.met):
        blocks.append(
            ActionsBlock(
                block_id=f"checkin_met_{card.checkin_id}",
                elements=[
                    ButtonElement(
                        text=label,
                        action_id=ids.encode_checkin_met_action(key),
                        value=ids.encode_checkin_met(card.checkin_id, key),
                    )
                    for key, label in MET_LABELS.items()
                ],
            )
        )
    if card.goals:
        lines = "\n".join(_goal_line(goal) for goal in card.goals)
        blocks.append(SectionBlock(text=mrkdwn(f"*How is each goal going?*\n{lines}")))
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text=clip(f"Update: {g.specific}", 75),
                        action_id=ids.encode_progress_open(g.goal_id),
                        value=str(g.goal_id),
                    )
                    for g in card.goals[:MAX_GOAL_BUTTONS]
                ]
            )
        )
    if not (mentor.shared and mentee.shared):
        blocks += [
            SectionBlock(text=mrkdwn("*What is one thing you learned? What is blocking you?*")),
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text="Answer", action_id=ids.CHECKIN_ANSWER_OPEN, value=str(card.checkin_id)
                    )
                ]
            ),
        ]
    if answered:
        blocks.append(SectionBlock(text=mrkdwn(f"*Answers so far*\n{_answers(card)}")))
    if card.first:
        hopes = (
            f" {user(mentee.user_id)} hopes to get: “{escape_text(clip(card.hopes, 300))}”; ask what a first "
            "step toward it would be."
            if card.hopes
            else ""
        )
        blocks.append(
            context(
                f"{user(mentor.user_id)}, good mentors ask rather than answer.{hopes} Some questions to "
                f"start with: {MENTOR_QUESTIONS}"
            )
        )
    return {"text": "Check-in time: did you meet, and how are your goals going?", "blocks": render(blocks)}


MENTOR_QUESTIONS = (
    "What did you try since we last spoke, and what happened? What would make the next step easier? "
    "What are you proud of this time? Where do you feel stuck, and what have you considered?"
)


def paused_for_silence() -> dict:
    """What the drift question turns into when nobody answered it by the next check-in."""
    text = "Nobody answered, so I paused your mentorship. Resume it any time from my Home tab."
    return {"text": text, "blocks": render([SectionBlock(text=mrkdwn(text))])}


def _closed_checkin(card: CheckinCard) -> dict:
    text = f"*Check-in of {card.due_on:%a %d %b}*\n{_answers(card)}"
    blocks: list[Block] = [
        SectionBlock(text=mrkdwn(text)),
        context("Closed: a newer check-in came, so answers go there now."),
    ]
    return {"text": f"Check-in of {card.due_on:%d %b} (closed)", "blocks": render(blocks)}


def already_answered(met: str | None) -> str:
    """The calm reply to a click that repeats the member's answer."""
    said = MET_LABELS.get(met or "", "your answer").lower()
    return f"Noted already: {said}. The check-in shows it to your partner."


def nudge_answered(user_id: str, met: str) -> dict:
    """An admin's nudge once a member has answered it: the answer instead of the buttons."""
    text = f"{user(user_id)} answered the check-in: {MET_LABELS.get(met, met).lower()}. Thank you!"
    return {"text": text, "blocks": render([SectionBlock(text=mrkdwn(text))])}


def goal_closed(outcome: str) -> str:
    """What a goal reminder shows once its goal is closed from it."""
    if outcome == "achieved":
        return "*Marked achieved.* Well done for closing it!"
    return "*Dropped.* Closing a goal that no longer fits is progress too."


def _due_soon(days_left: int | None) -> str:
    if days_left is None or not 0 <= days_left <= DUE_SOON_DAYS:
        return ""
    return (
        ", due today"
        if days_left == 0
        else ", due tomorrow"
        if days_left == 1
        else f", due in {days_left} days"
    )


DUE_SOON_DAYS = 14


def _goal_line(goal: GoalPrompt) -> str:
    line = (
        f"• {escape_text(clip(goal.specific, 150))} ({escape_text(goal.progress)}{_due_soon(goal.days_left)})"
    )
    if goal.note:
        line += f"\n      _Latest:_ {escape_text(clip(goal.note, 300))}"
    return line


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
