"""The agreement modal and the summary the pair's group DM gets when it is saved."""

from __future__ import annotations

from datetime import date

from slack_sdk.models.blocks import (
    Block,
    DatePickerElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
    TimePickerElement,
)
from slack_sdk.models.views import View

from bot import ids
from bot.agreements import WEEKDAYS, AgreementForm, AgreementFormData
from bot.enrollment import MEETING_FORMATS
from bot.forms import MAX_LENGTH, fit
from bot.meetings import DEFAULT_PREP_DAYS, DEFAULT_REMINDER_MINUTES, PREP_CHOICES, REMINDER_CHOICES
from bot.programs import CADENCES
from bot.views.common import clip, context, escape_text, mrkdwn, user


def agreement_modal(data: AgreementFormData, today: date) -> dict:
    """How the pair meets: frequency, day, time and zone, format, place, start, expectations."""
    current = data.current
    frequencies = [Option(value=key, text=label.capitalize()) for key, label in CADENCES.items()]
    days = [Option(value=str(i), text=name) for i, name in enumerate(WEEKDAYS)]
    formats = [Option(value=key, text=label) for key, label in MEETING_FORMATS.items()]
    chosen_frequency = current.frequency if current else data.default_frequency
    blocks: list[Block] = [
        SectionBlock(
            text=mrkdwn(
                f"Agree with {user(data.partner_user_id)} how you will meet. Either of you can change it "
                "later; the last save counts and the pair's chat is told what changed."
            )
        ),
        InputBlock(
            block_id=ids.AGREE_FREQUENCY,
            label="How often",
            element=StaticSelectElement(
                action_id=ids.VALUE,
                options=frequencies,
                initial_option=next((o for o in frequencies if o.value == chosen_frequency), None),
            ),
        ),
        InputBlock(
            block_id=ids.AGREE_WEEKDAY,
            label="Day",
            hint="Monthly meetings keep the same place in the month, e.g. the 2nd Tuesday.",
            element=StaticSelectElement(
                action_id=ids.VALUE,
                options=days,
                initial_option=days[current.weekday] if current else None,
            ),
        ),
        InputBlock(
            block_id=ids.AGREE_TIME,
            label="Time",
            element=TimePickerElement(
                action_id=ids.VALUE, initial_time=current.local_time if current else "09:00"
            ),
        ),
        InputBlock(
            block_id=ids.AGREE_TZ,
            label="In the time zone of",
            hint="The mentee's by default. A name like Europe/Berlin.",
            element=PlainTextInputElement(
                action_id=ids.VALUE,
                max_length=MAX_LENGTH[ids.AGREE_TZ],
                initial_value=fit(ids.AGREE_TZ, current.tz if current else data.default_tz),
            ),
        ),
        InputBlock(
            block_id=ids.AGREE_FORMAT,
            label="How you meet",
            element=RadioButtonsElement(
                action_id=ids.VALUE,
                options=formats,
                initial_option=next(
                    (o for o in formats if current and o.value == current.meeting_format), None
                ),
            ),
        ),
        InputBlock(
            block_id=ids.AGREE_LOCATION,
            label="Where or how",
            optional=True,
            hint="A video link, a room, or a channel.",
            element=PlainTextInputElement(
                action_id=ids.VALUE,
                max_length=MAX_LENGTH[ids.AGREE_LOCATION],
                initial_value=fit(ids.AGREE_LOCATION, current.location if current else None),
            ),
        ),
        InputBlock(
            block_id=ids.AGREE_START,
            label="First meeting on or after",
            element=DatePickerElement(
                action_id=ids.VALUE,
                # The saved date stays as it is, even once past: a save moves it only when chosen.
                initial_date=(current.start_date if current else today).isoformat(),
            ),
        ),
        InputBlock(
            block_id=ids.AGREE_EXPECTATIONS,
            label="Expectations",
            hint="What each of you will bring, how to reach each other between meetings, how to cancel.",
            element=PlainTextInputElement(
                action_id=ids.VALUE,
                multiline=True,
                max_length=MAX_LENGTH[ids.AGREE_EXPECTATIONS],
                initial_value=fit(ids.AGREE_EXPECTATIONS, current.expectations if current else None),
            ),
        ),
    ]
    preps = [Option(value=str(key), text=label) for key, label in PREP_CHOICES.items()]
    reminders = [Option(value=str(key), text=label) for key, label in REMINDER_CHOICES.items()]
    prep_days = current.prep_days if current else DEFAULT_PREP_DAYS
    reminder = current.reminder_minutes if current else DEFAULT_REMINDER_MINUTES
    blocks += [
        InputBlock(
            block_id=ids.AGREE_PREP,
            label="When the mentee is asked to prepare",
            optional=True,
            hint="What they add (topics, questions, what went well or was hard) becomes the agenda.",
            element=StaticSelectElement(
                action_id=ids.VALUE,
                options=preps,
                initial_option=next((o for o in preps if o.value == str(prep_days)), preps[0]),
            ),
        ),
        InputBlock(
            block_id=ids.AGREE_REMINDER,
            label="Reminder before each meeting",
            optional=True,
            element=StaticSelectElement(
                action_id=ids.VALUE,
                options=reminders,
                initial_option=next((o for o in reminders if o.value == str(reminder)), reminders[0]),
            ),
        ),
        context(
            "Each meeting has one message in your DM: it asks to prepare, becomes the agenda, reminds "
            "you, and after the meeting asks how it went."
        ),
    ]
    if data.saved_by_user_id:
        blocks.append(context(f"Last saved by {user(data.saved_by_user_id)}."))
    return View(
        type="modal",
        callback_id=ids.AGREEMENT_MODAL,
        title="How we meet",
        submit="Save",
        close="Cancel",
        private_metadata=ids.encode_agreement_metadata(
            ids.AgreementModalTarget(data.pair_id, current.start_date if current else None)
        ),
        blocks=blocks,
    ).to_dict()


def describe_agreement(form: AgreementForm, rhythm: str) -> str:
    """The agreement in one short paragraph of mrkdwn."""
    where = f" at {escape_text(form.location)}" if form.location else ""
    how = MEETING_FORMATS[form.meeting_format].lower()
    return f"*{rhythm}*, by {how}{where}, starting {form.start_date:%d %B %Y}."


def and_list(items: tuple[str, ...]) -> str:
    """Items joined for a sentence: "time", "time and day", "time, day and place"."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def agreement_message(
    form: AgreementForm, rhythm: str, saved_by: str, changes: tuple[str, ...], first_save: bool
) -> str:
    """The group-DM summary of a saved agreement, saying what changed after the first save.

    It is the comment of the calendar file it comes with, so the pair gets one message, not two.
    """
    if first_save:
        headline = f"{user(saved_by)} saved how you will meet:"
    elif changes:
        headline = f"{user(saved_by)} changed the {and_list(changes)} of how you meet:"
    else:
        headline = f"{user(saved_by)} saved your agreement again, unchanged:"
    return (
        f"{headline}\n{describe_agreement(form, rhythm)}\n\n"
        f"*Expectations*\n{clip(escape_text(form.expectations), 2900)}\n\n"
        "_The calendar file adds the meetings to Google, Outlook or Apple calendars._"
    )
