"""Check-in prompts, the mentor's private nudge, answers, and goal deadline reminders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    DatePickerElement,
    HeaderBlock,
    InputBlock,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot import ids
from bot.views.common import clip, context, escape_text, escaped, mrkdwn, render, time_phrase, user

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
    behind: bool = False  # less done than the time gone by toward the deadline asks for


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
class Agenda:
    """What the mentee prepared for a meeting (every part optional)."""

    topics: str | None = None
    questions: str | None = None
    went_well: str | None = None
    hard: str | None = None

    @property
    def empty(self) -> bool:
        """True when the mentee added nothing."""
        return not any((self.topics, self.questions, self.went_well, self.hard))


@dataclass(frozen=True)
class ActionLine:
    """An open action item as a meeting's message lists it."""

    item_id: int
    text: str
    owner_user_id: str
    due_on: date | None = None
    late: bool = False  # its date has passed
    call_out: bool = False  # the first message to show it late: it names the owner


@dataclass(frozen=True)
class CheckinCard:
    """A meeting as its one message in the pair's group DM shows it, at the stage it is at."""

    checkin_id: int
    due_on: date  # the mentee's local day
    mentor: MemberAnswer
    mentee: MemberAnswer
    goals: tuple[GoalPrompt, ...] = ()
    closed: bool = False
    first: bool = False  # the pair's first check-in: it carries the questions a good mentor asks
    hopes: str = ""  # what the mentee wrote they hope to get, for the first check-in's questions
    stage: str = "checkin"  # prep | soon | checkin | skipped (storage.models.MeetingStage)
    starts: str = ""  # when the meeting starts, in words, e.g. "Tue 09 Mar at 09:00 (Europe/Berlin)"
    agenda: Agenda | None = None  # None: the mentee has not prepared
    prepares: bool = True  # the pair asks the mentee to prepare
    reminds: bool = True  # the pair wants a reminder shortly before
    last_blocker: tuple[str, str] | None = None  # (user id, text) reported at the last check-in
    actions: tuple[ActionLine, ...] = ()
    moved_to: str | None = None  # the new time in words, when the meeting was moved
    skipped_by: str | None = None  # the user id of the member who skipped it
    has_questions: bool = False  # questions were chosen for the mentor
    notes: str | None = None  # the pair's shared notes
    started: bool = False  # the meeting's time has come (the check-in follows after it ends)
    starts_at: datetime | None = None  # when it starts (or was moved to), for each reader's own clock

    @property
    def members(self) -> tuple[MemberAnswer, MemberAnswer]:
        """Mentor first, then mentee."""
        return self.mentor, self.mentee


def _answer_line(answer: MemberAnswer) -> str:
    parts = [MET_LABELS.get(answer.met, answer.met).lower() if answer.met else "has not said whether you met"]
    if answer.learned:
        parts.append(f"learned: {escaped(answer.learned, 600)}")
    if answer.blocker:
        parts.append(f"blocked by: {escaped(answer.blocker, 600)}")
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
    if card.stage == "skipped":
        return _skipped(card)
    if card.stage in ("prep", "soon"):
        return _before_meeting(card)
    mentor, mentee = card.mentor, card.mentee
    answered = any(answer.met or answer.shared for answer in card.members)
    when = f"your meeting of {_when(card)}" if card.starts else "your mentorship"
    question = "*Did you meet?*" if card.starts else "*Did you meet since the last check-in?*"
    blocks: list[Block] = [
        HeaderBlock(text="Check-in time"),
        SectionBlock(
            text=mrkdwn(f"{user(mentor.user_id)}, {user(mentee.user_id)}: how was {when}?\n{question}")
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
    if card.agenda is not None and not card.agenda.empty:
        blocks.append(context(clip(f"On the agenda: {_agenda_lines(card.agenda)}", 3000)))
    blocks += _action_blocks(card)
    if card.starts:
        blocks += _notes_blocks(card)
    if card.first and not card.has_questions:
        hopes = (
            f" {user(mentee.user_id)} hopes to get: “{escaped(card.hopes, 300)}”; ask what a first "
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


MEETING_EVENT = "mentorbot_meeting"


def meeting_metadata(pair_id: int, starts_at: datetime) -> dict:
    """Slack message metadata naming the meeting a message is about, for apps that read it."""
    return {
        "event_type": MEETING_EVENT,
        "event_payload": {"pair_id": pair_id, "starts_at": starts_at.isoformat()},
    }


MENTOR_QUESTIONS = (
    "What did you try since we last spoke, and what happened? What would make the next step easier? "
    "What are you proud of this time? Where do you feel stuck, and what have you considered?"
)


def _when(card: CheckinCard) -> str:
    return f"{card.starts} (moved to {card.moved_to})" if card.moved_to else card.starts


def _before_meeting(card: CheckinCard) -> dict:
    """The meeting's message before it starts: the preparation asked for, then the agenda."""
    mentor, mentee = card.mentor.user_id, card.mentee.user_id
    soon = card.stage == "soon" or card.started
    head = "Your meeting" if card.started else "Your meeting is coming up" if soon else "Your next meeting"
    meet = "met at" if card.started else "meet"
    blocks: list[Block] = [
        HeaderBlock(text=head),
        SectionBlock(
            text=mrkdwn(
                f"{user(mentor)} and {user(mentee)} {meet} *{escape_text(_when(card))}*"
                + (f" ({time_phrase(card.starts_at)} your time)." if card.starts_at else ".")
            )
        ),
    ]
    agenda = card.agenda
    if agenda is not None and not agenda.empty:
        blocks.append(SectionBlock(text=mrkdwn(f"*Agenda from {user(mentee)}*\n{_agenda_lines(agenda)}")))
    elif soon or not card.prepares:
        blocks.append(SectionBlock(text=mrkdwn("*Agenda:* nothing was added; start from the goals below.")))
    else:
        blocks.append(
            SectionBlock(
                text=mrkdwn(
                    f"{user(mentee)}, what would you like to talk about? Add your topics and questions, "
                    "and what went well or was hard since last time: they become the agenda."
                )
            )
        )
    if card.goals:
        lines = "\n".join(_goal_line(goal) for goal in card.goals)
        blocks.append(SectionBlock(text=mrkdwn(f"*Goals*\n{lines}")))
    if card.last_blocker is not None:
        who, text = card.last_blocker
        blocks.append(SectionBlock(text=mrkdwn(f"*Blocked last time* ({user(who)}): {escaped(text, 500)}")))
    blocks += _action_blocks(card)
    buttons = []
    if not soon and card.prepares:
        label = "Change the agenda" if agenda is not None else "Prepare"
        buttons.append(
            ButtonElement(
                text=label, action_id=ids.MEETING_PREP_OPEN, value=str(card.checkin_id), style="primary"
            )
        )
    if card.has_questions:
        buttons.append(
            ButtonElement(
                text="Mentor: questions to ask",
                action_id=ids.MEETING_QUESTIONS_OPEN,
                value=str(card.checkin_id),
            )
        )
    buttons.append(
        ButtonElement(text="Meeting notes", action_id=ids.MEETING_NOTES_OPEN, value=str(card.checkin_id))
    )
    if not card.started:
        buttons += [
            ButtonElement(
                text="Skip this one",
                action_id=ids.MEETING_SKIP,
                value=str(card.checkin_id),
                confirm=ConfirmObject(
                    title="Skip this meeting?",
                    text="Your partner is told, and I ask nothing about this meeting afterwards.",
                    confirm="Skip it",
                    deny="Keep it",
                ),
            ),
            ButtonElement(
                text="Moved to another time", action_id=ids.MEETING_MOVE_OPEN, value=str(card.checkin_id)
            ),
        ]
    blocks.append(ActionsBlock(block_id=f"meeting_{card.checkin_id}", elements=buttons))
    if card.started:
        blocks.append(context("I ask how it went a few hours after it ends. Notes can go in now."))
    elif soon and card.reminds:
        blocks.append(context("Reminder: it starts soon. I ask how it went a few hours after it ends."))
    elif card.has_questions:
        blocks.append(
            context(f"{user(mentor)}: questions chosen for this meeting are behind the button, for you only.")
        )
    text = f"{head}: {_when(card)}"
    return {"text": text, "blocks": render(blocks)}


def _agenda_lines(agenda: Agenda) -> str:
    parts = (
        ("To talk about", agenda.topics),
        ("Questions for the mentor", agenda.questions),
        ("Went well", agenda.went_well),
        ("Hard", agenda.hard),
    )
    return "\n".join(f"• _{label}:_ {escaped(text, 600)}" for label, text in parts if text)


def _action_blocks(card: CheckinCard) -> list[Block]:
    """Open action items, each with its Done button; a late one names its owner the first time."""
    blocks: list[Block] = []
    if not card.actions:
        return blocks
    blocks.append(SectionBlock(text=mrkdwn("*Open action items*")))
    for item in card.actions[:MAX_ACTION_LINES]:
        due = f", by {item.due_on:%a %d %b}" if item.due_on else ""
        late = " — *late*" if item.late else ""
        owner = user(item.owner_user_id)
        line = f"• {escaped(item.text, 300)} ({owner}{due}){late}"
        if item.call_out:
            line += f"\n      {owner}, this was due {item.due_on:%a %d %b}: done, or still on?"
        blocks.append(
            SectionBlock(
                text=mrkdwn(line),
                accessory=ButtonElement(
                    text="Done", action_id=ids.encode_action_done(item.item_id), value=str(item.item_id)
                ),
            )
        )
    if len(card.actions) > MAX_ACTION_LINES:
        blocks.append(context(f"And {len(card.actions) - MAX_ACTION_LINES} more on my Home tab."))
    return blocks


def _notes_blocks(card: CheckinCard) -> list[Block]:
    blocks: list[Block] = []
    if card.notes:
        blocks.append(SectionBlock(text=mrkdwn(f"*Notes*\n{escaped(card.notes, 1500)}")))
    blocks.append(
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="Meeting notes", action_id=ids.MEETING_NOTES_OPEN, value=str(card.checkin_id)
                )
            ]
        )
    )
    blocks.append(
        context("Notes and action items you add show here for both of you; private notes only for you.")
    )
    return blocks


def _skipped(card: CheckinCard) -> dict:
    who = user(card.skipped_by) if card.skipped_by else "One of you"
    text = f"*Meeting of {escape_text(card.starts)}: skipped* by {who}. Nothing to check in on this time."
    blocks: list[Block] = [SectionBlock(text=mrkdwn(text)), *_action_blocks(card)]
    return {"text": f"Meeting of {card.starts} skipped", "blocks": render(blocks)}


MAX_ACTION_LINES = 8


def paused_for_silence() -> dict:
    """What the drift question turns into when nobody answered it by the next check-in."""
    text = "Nobody answered, so I paused your mentorship. Resume it any time from my Home tab."
    return {"text": text, "blocks": render([SectionBlock(text=mrkdwn(text))])}


def _closed_checkin(card: CheckinCard) -> dict:
    if card.stage == "skipped":
        who = user(card.skipped_by) if card.skipped_by else "one of you"
        text = f"*Meeting of {card.due_on:%a %d %b}:* skipped by {who}."
        return {
            "text": f"Meeting of {card.due_on:%d %b} (skipped)",
            "blocks": render([SectionBlock(text=mrkdwn(text))]),
        }
    if card.stage in ("prep", "soon"):
        text = f"*Meeting of {card.due_on:%a %d %b}*: a newer meeting's message came before it was held."
        return {
            "text": f"Meeting of {card.due_on:%d %b} (closed)",
            "blocks": render([SectionBlock(text=mrkdwn(text))]),
        }
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
    pace = "" if goal.days_left is None else ", behind schedule" if goal.behind else ", on track"
    line = f"• {escaped(goal.specific, 150)} ({escape_text(goal.progress)}{_due_soon(goal.days_left)}{pace})"
    if goal.note:
        line += f"\n      _Latest:_ {escaped(goal.note, 300)}"
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
        SectionBlock(text=mrkdwn(f"{head}\n*{escaped(specific, 500)}*")),
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
