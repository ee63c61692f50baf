"""The meeting loop's forms and notices: preparing, moving, notes and action items, the mentor's
questions, a pair's history, and the partner's note of a skip or a move."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from slack_sdk.models.blocks import (
    Block,
    DatePickerElement,
    DividerBlock,
    InputBlock,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
    TimePickerElement,
)
from slack_sdk.models.views import View

from bot import ids
from bot.forms import MAX_LENGTH, fit
from bot.views.checkins import Agenda
from bot.views.common import clip, context, escape_text, escaped, mrkdwn, render, user
from bot.zones import local_time

STAGE_LABELS = {"goal": "Goal", "reality": "Reality", "options": "Options", "way_forward": "Way forward"}
MAX_HISTORY_BLOCKS = 95  # a modal takes 100


def _text_input(
    block_id: str,
    label: str,
    initial: str | None,
    *,
    placeholder: str,
    multiline: bool = True,
    limit_of: str | None = None,
) -> InputBlock:
    """An optional text field; `limit_of` names the field whose limit it takes (default its own)."""
    limit = limit_of or block_id
    return InputBlock(
        block_id=block_id,
        label=label,
        optional=True,
        element=PlainTextInputElement(
            action_id=ids.VALUE,
            multiline=multiline,
            max_length=MAX_LENGTH[limit],
            initial_value=fit(limit, initial),
            placeholder=placeholder,
        ),
    )


def prep_modal(checkin_id: int, mentor_user_id: str, agenda: Agenda) -> dict:
    """The mentee's preparation: what to talk about, questions, what went well and what was hard."""
    return View(
        type="modal",
        callback_id=ids.MEETING_PREP_MODAL,
        title="Prepare",
        submit="Save the agenda",
        close="Cancel",
        private_metadata=str(checkin_id),
        blocks=[
            SectionBlock(
                text=mrkdwn(
                    "Everything is optional. What you add becomes the agenda in your DM with "
                    f"{user(mentor_user_id)}."
                )
            ),
            _text_input(
                ids.PREP_TOPICS,
                "What do you want to talk about?",
                agenda.topics,
                placeholder="Topics, in a few words",
            ),
            _text_input(
                ids.PREP_QUESTIONS,
                "Your questions for your mentor",
                agenda.questions,
                placeholder="What you would like their view on",
            ),
            _text_input(
                ids.PREP_WENT_WELL,
                "What went well since last time?",
                agenda.went_well,
                placeholder="A win, however small",
            ),
            _text_input(ids.PREP_HARD, "What was hard?", agenda.hard, placeholder="Where you got stuck"),
        ],
    ).to_dict()


def move_modal(checkin_id: int, current: datetime, tz: str) -> dict:
    """The new time of one meeting, read in the agreement's zone."""
    local = local_time(current, tz)
    return View(
        type="modal",
        callback_id=ids.MEETING_MOVE_MODAL,
        title="Move this meeting",
        submit="Move it",
        close="Cancel",
        private_metadata=str(checkin_id),
        blocks=[
            InputBlock(
                block_id=ids.MOVE_DATE,
                label="New day",
                element=DatePickerElement(action_id=ids.VALUE, initial_date=local.date().isoformat()),
            ),
            InputBlock(
                block_id=ids.MOVE_TIME,
                label=f"New time ({tz})",
                element=TimePickerElement(action_id=ids.VALUE, initial_time=f"{local:%H:%M}"),
            ),
            context("Only this meeting moves; the others stay as agreed. Your partner is told."),
        ],
    ).to_dict()


def notes_modal(
    checkin_id: int,
    starts: str,
    mentor_user_id: str,
    mentee_user_id: str,
    shared: str | None,
    private: str | None,
    version: int,
) -> dict:
    """Shared notes, up to three action items (what, who, by when) and a note only the writer sees.

    `version` is the shared notes' version the form opens with: a save over a newer one is refused.
    """
    owners = [Option(value="mentee", text="The mentee"), Option(value="mentor", text="The mentor")]
    blocks: list[Block] = [
        SectionBlock(
            text=mrkdwn(
                f"Meeting of {escape_text(starts)} with {user(mentor_user_id)} and {user(mentee_user_id)}."
            )
        ),
        _text_input(
            ids.NOTES_SHARED, "Notes for both of you", shared, placeholder="What you talked about and agreed"
        ),
    ]
    for row in range(ids.ACTION_ROWS):
        blocks += [
            _text_input(
                ids.encode_action_row(ids.ACTION_TEXT, row),
                f"Action item {row + 1}: what",
                None,
                placeholder="One thing to do before next time",
                multiline=False,
                limit_of=ids.ACTION_TEXT,
            ),
            InputBlock(
                block_id=ids.encode_action_row(ids.ACTION_OWNER, row),
                label="Who",
                optional=True,
                element=StaticSelectElement(action_id=ids.VALUE, options=owners, initial_option=owners[0]),
            ),
            InputBlock(
                block_id=ids.encode_action_row(ids.ACTION_DUE, row),
                label="By when",
                optional=True,
                element=DatePickerElement(action_id=ids.VALUE),
            ),
        ]
    blocks += [
        DividerBlock(),
        _text_input(
            ids.NOTES_PRIVATE, "Private notes: only you ever see these", private, placeholder="For yourself"
        ),
    ]
    return View(
        type="modal",
        callback_id=ids.MEETING_NOTES_MODAL,
        title="Meeting notes",
        submit="Save",
        close="Cancel",
        private_metadata=ids.encode_notes_metadata(checkin_id, version),
        blocks=blocks,
    ).to_dict()


def questions_modal(mentee_user_id: str, questions: list[dict], hopes: str = "") -> dict:
    """The mentor's questions for this meeting, read only; chosen for this mentee and this meeting."""
    lines = "\n".join(
        f"• *{STAGE_LABELS.get(q.get('stage', ''), 'Ask')}:* {escape_text(clip(str(q.get('text', '')), 400))}"
        for q in questions
    )
    blocks: list[Block] = []
    if hopes:
        blocks.append(
            SectionBlock(text=mrkdwn(f"{user(mentee_user_id)} hopes to get: “{escaped(hopes, 600)}”"))
        )
    blocks += [
        SectionBlock(text=mrkdwn(lines or "No questions were chosen for this meeting.")),
        context("Ask, then listen: the answers are theirs to find. Only you see these."),
    ]
    return View(
        type="modal",
        callback_id=ids.MEETING_QUESTIONS_MODAL,
        title="Questions to ask",
        close="Close",
        blocks=blocks,
    ).to_dict()


@dataclass(frozen=True)
class HistoryEntry:
    """One meeting of the pair as its history shows it."""

    starts: str
    status: str
    agenda: Agenda | None
    notes: str | None
    private: str | None
    actions: tuple[tuple[str, str, date | None, bool], ...]


def history_modal(partner_user_id: str, meetings: list[HistoryEntry]) -> dict:
    """A pair's meetings, newest first: agendas, notes, action items, and the reader's private notes."""
    blocks: list[Block] = [
        SectionBlock(text=mrkdwn(f"Your meetings with {user(partner_user_id)}, newest first."))
    ]
    if not meetings:
        blocks.append(context("No meetings yet."))
    for meeting in meetings:
        part: list[Block] = [
            DividerBlock(),
            SectionBlock(text=mrkdwn(f"*{escape_text(meeting.starts)}* — {meeting.status}")),
        ]
        if meeting.agenda is not None and not meeting.agenda.empty:
            part.append(SectionBlock(text=mrkdwn("*Agenda*\n" + _agenda(meeting.agenda))))
        if meeting.notes:
            part.append(SectionBlock(text=mrkdwn(f"*Notes*\n{escaped(meeting.notes, 2500)}")))
        if meeting.actions:
            lines = "\n".join(
                f"• {'~' if done else ''}{escaped(text, 300)}{'~' if done else ''} ({user(owner)}"
                f"{f', by {due:%d %b}' if due else ''}{', done' if done else ''})"
                for text, owner, due, done in meeting.actions
            )
            part.append(SectionBlock(text=mrkdwn(f"*Action items*\n{lines}")))
        if meeting.private:
            part.append(context(f"Your private note: {escaped(meeting.private, 1500)}"))
        if len(blocks) + len(part) > MAX_HISTORY_BLOCKS:
            blocks.append(context("Older meetings do not fit here."))
            break
        blocks += part
    return View(
        type="modal",
        callback_id=ids.MEETING_HISTORY_MODAL,
        title="Our meetings",
        close="Close",
        blocks=blocks,
    ).to_dict()


def _agenda(agenda: Agenda) -> str:
    parts = (
        ("To talk about", agenda.topics),
        ("Questions", agenda.questions),
        ("Went well", agenda.went_well),
        ("Hard", agenda.hard),
    )
    return "\n".join(f"• _{label}:_ {escaped(text, 600)}" for label, text in parts if text)


def skipped_notice(user_id: str, starts: str) -> dict:
    """The partner's note that a member skipped a meeting."""
    text = f"{user(user_id)} skipped your meeting of {starts}. Nothing to check in on this time."
    return {"text": text, "blocks": render([SectionBlock(text=mrkdwn(text))])}


def moved_notice(user_id: str, was: str, now: str) -> dict:
    """The partner's note that a member moved a meeting to another time."""
    text = f"{user(user_id)} moved your meeting of {was} to *{now}* (your time)."
    return {"text": text, "blocks": render([SectionBlock(text=mrkdwn(text))])}
