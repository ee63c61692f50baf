"""SMART goal modals, progress and closing forms, and goal lists with progress bars."""

from __future__ import annotations

from datetime import date

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    DatePickerElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot import ids
from bot.forms import MAX_LENGTH, fit
from bot.goals import GoalCard, GoalForm
from bot.views.common import clip, context, escape_text, mrkdwn, plural, render, user


def goal_modal(
    pair_id: int, mentor_user_id: str, today: date, *, editing: tuple[int, GoalForm] | None = None
) -> dict:
    """A SMART goal, new or being edited: one field per letter, each explained in its hint."""
    current = editing[1] if editing else None
    kinds = [
        Option(value="target", text="A number to reach (e.g. 3 talks, 80% coverage)"),
        Option(value="milestones", text="A checklist of milestones"),
    ]
    blocks: list[Block] = [
        SectionBlock(
            text=mrkdwn(
                f"Set a goal to work on with {user(mentor_user_id)}. Good goals are *S*pecific, "
                "*M*easurable, *A*ttainable, *R*ealistic and *T*ime-bound."
            )
        ),
        _text(
            ids.GOAL_SPECIFIC,
            "Specific: what exactly will you accomplish?",
            "What, for whom, where.",
            True,
            initial=current.specific if current else None,
        ),
        InputBlock(
            block_id=ids.GOAL_MEASURE_KIND,
            label="Measurable: how will you know?",
            hint="Fill in the target and unit, or the milestones, below.",
            element=RadioButtonsElement(
                action_id=ids.VALUE,
                options=kinds,
                initial_option=next((k for k in kinds if current and k.value == current.measure_kind), None),
            ),
        ),
        _text(
            ids.GOAL_TARGET,
            "Target number",
            "Only for a number to reach, e.g. 3.",
            False,
            optional=True,
            initial=f"{current.target_value:g}" if current and current.target_value else None,
        ),
        _text(
            ids.GOAL_UNIT,
            "Unit",
            "What you count, e.g. talks or % test coverage.",
            False,
            optional=True,
            initial=current.target_unit if current else None,
        ),
        _text(
            ids.GOAL_MILESTONES,
            "Milestones, one per line",
            "Only for a checklist; at most 10.",
            True,
            optional=True,
            initial="\n".join(current.milestones) if current else None,
        ),
        _text(
            ids.GOAL_ATTAINABLE,
            "Attainable: why is it within your power?",
            "What you already have, and what resources or help you need.",
            True,
            initial=current.attainable if current else None,
        ),
        _text(
            ids.GOAL_REALISTIC,
            "Realistic: why now, alongside your work?",
            "How it fits your role and your time these months.",
            True,
            initial=current.realistic if current else None,
        ),
        InputBlock(
            block_id=ids.GOAL_DEADLINE,
            label="Time-bound: deadline",
            hint="In the future and within two years.",
            element=DatePickerElement(
                action_id=ids.VALUE, initial_date=current.deadline.isoformat() if current else None
            ),
        ),
    ]
    return View(
        type="modal",
        callback_id=ids.GOAL_MODAL,
        title="Change goal" if editing else "New SMART goal",
        submit="Save" if editing else "Set goal",
        close="Cancel",
        private_metadata=ids.encode_goal_metadata(
            ids.GoalModalTarget(goal_id=editing[0]) if editing else ids.GoalModalTarget(pair_id=pair_id)
        ),
        blocks=blocks,
    ).to_dict()


def _text(
    block_id: str,
    label: str,
    hint: str,
    multiline: bool,
    *,
    optional: bool = False,
    initial: str | None = None,
) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=label,
        hint=hint,
        optional=optional,
        element=PlainTextInputElement(
            action_id=ids.VALUE,
            multiline=multiline,
            max_length=MAX_LENGTH[block_id],
            initial_value=fit(block_id, initial),
        ),
    )


def progress_bar(fraction: float, width: int = 10) -> str:
    """A text progress bar, e.g. ▰▰▰▱▱▱▱▱▱▱ 30%."""
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return "▰" * filled + "▱" * (width - filled) + f" {round(fraction * 100)}%"


def goal_line(card: GoalCard) -> str:
    """One goal in mrkdwn: what, progress, and time left."""
    if card.status != "active":
        when = card.status
    elif card.days_left < 0:
        when = f"overdue by {plural(-card.days_left, 'day')}"
    else:
        when = f"{plural(card.days_left, 'day')} left"
    return (
        f"*{escape_text(clip(card.specific, 200))}*\n"
        f"{progress_bar(card.fraction)} · {escape_text(card.measure)} · {when}"
    )


def progress_modal(card: GoalCard) -> dict:
    """Record progress toward a goal: a new value or ticked milestones, and a note."""
    blocks: list[Block] = [SectionBlock(text=mrkdwn(goal_line(card)))]
    if card.measure_kind == "target":
        blocks.append(
            InputBlock(
                block_id=ids.PROGRESS_VALUE,
                label="Where are you now?",
                element=PlainTextInputElement(
                    action_id=ids.VALUE,
                    max_length=MAX_LENGTH[ids.PROGRESS_VALUE],
                    initial_value=fit(ids.PROGRESS_VALUE, f"{card.current_value:g}"),
                ),
            )
        )
    else:
        options = [Option(value=str(m.milestone_id), text=clip(m.text, 75)) for m in card.milestones]
        done = [o for o, m in zip(options, card.milestones, strict=True) if m.done]
        blocks.append(
            InputBlock(
                block_id=ids.PROGRESS_MILESTONES,
                label="Milestones done",
                optional=True,
                element=CheckboxesElement(
                    action_id=ids.VALUE, options=options[:10], initial_options=done[:10] or None
                ),
            )
        )
    blocks.append(
        InputBlock(
            block_id=ids.PROGRESS_NOTE,
            label="What happened since last time?",
            optional=True,
            element=PlainTextInputElement(action_id=ids.VALUE, multiline=True, max_length=1000),
        )
    )
    return View(
        type="modal",
        callback_id=ids.PROGRESS_MODAL,
        title="Progress update",
        submit="Save",
        close="Cancel",
        private_metadata=str(card.goal_id),
        blocks=blocks,
    ).to_dict()


def close_goal_modal(card: GoalCard) -> dict:
    """End a goal as achieved or dropped, with a closing note."""
    outcomes = [Option(value="achieved", text="Achieved"), Option(value="dropped", text="Dropped")]
    return View(
        type="modal",
        callback_id=ids.GOAL_CLOSE_MODAL,
        title="Close goal",
        submit="Close goal",
        close="Cancel",
        private_metadata=str(card.goal_id),
        blocks=[
            SectionBlock(text=mrkdwn(goal_line(card))),
            InputBlock(
                block_id=ids.GOAL_CLOSE_OUTCOME,
                label="How did it end?",
                element=RadioButtonsElement(action_id=ids.VALUE, options=outcomes),
            ),
            InputBlock(
                block_id=ids.GOAL_CLOSE_NOTE,
                label="Closing note",
                optional=True,
                element=PlainTextInputElement(action_id=ids.VALUE, multiline=True, max_length=1000),
            ),
        ],
    ).to_dict()


def goal_feedback_modal(card: GoalCard) -> dict:
    """The mentor's written feedback on a goal and its latest progress."""
    return View(
        type="modal",
        callback_id=ids.GOAL_FEEDBACK_MODAL,
        title="Feedback on a goal",
        submit="Send",
        close="Cancel",
        private_metadata=str(card.goal_id),
        blocks=[
            SectionBlock(text=mrkdwn(goal_line(card))),
            InputBlock(
                block_id=ids.GOAL_FEEDBACK_TEXT,
                label="Your feedback",
                hint="Ask about progress and name what went well; honest and kind beats easy answers.",
                element=PlainTextInputElement(action_id=ids.VALUE, multiline=True, max_length=2000),
            ),
        ],
    ).to_dict()


def goals_message(cards: list[GoalCard], limit: int = 20) -> dict:
    """`/mentor goals`: the caller's goals with progress, as an ephemeral reply."""
    if not cards:
        text = "You have no goals yet. Mentees set them with `/mentor goal`."
        return {"text": text, "blocks": render([SectionBlock(text=mrkdwn(text))])}
    blocks: list[Block] = [SectionBlock(text=mrkdwn(goal_line(card))) for card in cards[:limit]]
    if len(cards) > limit:
        blocks.append(context(f"…and {len(cards) - limit} more."))
    return {"text": f"Your {plural(len(cards), 'goal')}", "blocks": render(blocks)}


def feedback_dm(mentor_user_id: str, card: GoalCard, text: str) -> dict:
    """The mentee's DM carrying the mentor's feedback on a goal."""
    intro = f"{user(mentor_user_id)} gave you feedback on your goal:"
    blocks: list[Block] = [
        SectionBlock(text=mrkdwn(f"{intro}\n{goal_line(card)}")),
        SectionBlock(text=mrkdwn(f">{escape_text(clip(text, 2800))}")),
    ]
    return {"text": f"{intro} {escape_text(text)}", "blocks": render(blocks)}
