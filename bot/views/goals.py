"""SMART goal modals, progress and closing forms, and goal lists with progress bars."""

from __future__ import annotations

from datetime import date

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
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
from bot.goals import (
    GOAL_TEXT_FIELDS,
    MAX_MILESTONES,
    MAX_NUMBER,
    MEASURE_MILESTONES,
    MEASURE_TARGET,
    GoalCard,
)
from bot.views.common import MAX_BLOCKS_MESSAGE, clip, context, escape_text, mrkdwn, render, user


def goal_modal(
    mentor_user_id: str,
    *,
    pair_id: int | None = None,
    goal_id: int | None = None,
    initial: dict[str, str] | None = None,
) -> dict:
    """A SMART goal, new for `pair_id` or an edit of `goal_id`: one field per letter, each explained.

    `initial` fills the fields by block id (see `bot.goals.form_values` and `typed_values`).
    """
    filled = initial or {}
    kinds = [
        Option(value=MEASURE_TARGET, text="A number to reach (e.g. 3 talks, 80% coverage)"),
        Option(value=MEASURE_MILESTONES, text="A checklist of milestones"),
    ]
    chosen = filled.get(ids.GOAL_MEASURE_KIND)
    deadline = filled.get(ids.GOAL_DEADLINE) or None
    blocks: list[Block] = [
        SectionBlock(
            text=mrkdwn(
                f"Set a goal to work on with {user(mentor_user_id)}. Good goals are *S*pecific, "
                "*M*easurable, *A*ttainable, *R*ealistic and *T*ime-bound."
            )
        ),
        _text(
            ids.GOAL_SPECIFIC, "Specific: what exactly will you accomplish?", "What, for whom, where.", filled
        ),
        InputBlock(
            block_id=ids.GOAL_MEASURE_KIND,
            label="Measurable: how will you know?",
            hint="Fill in the start, target and unit, or the milestones, below.",
            element=RadioButtonsElement(
                action_id=ids.VALUE,
                options=kinds,
                initial_option=next((k for k in kinds if k.value == chosen), None),
            ),
        ),
        _text(
            ids.GOAL_START,
            "Starting value",
            "Where you are today, e.g. 82 for CSAT 82% → 90%, or 12 for incidents 12 → 4. Empty: 0.",
            filled,
            optional=True,
        ),
        _text(
            ids.GOAL_TARGET,
            "Target number",
            "The number you will reach, e.g. 3; below the start, it counts down.",
            filled,
            optional=True,
        ),
        _text(ids.GOAL_UNIT, "Unit", "What you count, e.g. talks or % test coverage.", filled, optional=True),
        _text(
            ids.GOAL_MILESTONES,
            "Milestones, one per line",
            f"Only for a checklist; at most {MAX_MILESTONES}.",
            filled,
            optional=True,
        ),
        _text(
            ids.GOAL_ATTAINABLE,
            "Attainable: why is it within your power?",
            "What you already have, and what resources or help you need.",
            filled,
        ),
        _text(
            ids.GOAL_REALISTIC,
            "Realistic: why now, alongside your work?",
            "How it fits your role and your time these months.",
            filled,
        ),
        InputBlock(
            block_id=ids.GOAL_DEADLINE,
            label="Time-bound: deadline",
            hint="In the future and within two years.",
            element=DatePickerElement(action_id=ids.VALUE, initial_date=deadline),
        ),
    ]
    editing = goal_id is not None
    purpose = (
        ids.encode_goal_metadata(ids.GoalModalTarget(goal_id=goal_id))
        if goal_id is not None
        else ids.encode_goal_metadata(ids.GoalModalTarget(pair_id=pair_id or 0))
    )
    return View(
        type="modal",
        callback_id=ids.GOAL_MODAL,
        title="Change goal" if editing else "New SMART goal",
        submit="Save" if editing else "Set goal",
        close="Cancel",
        private_metadata=purpose,
        blocks=blocks,
    ).to_dict()


def _text(
    block_id: str, label: str, hint: str, filled: dict[str, str], *, optional: bool = False
) -> InputBlock:
    # One limit per field, the same one the rules apply, so what is saved always fits back in.
    limit = GOAL_TEXT_FIELDS[block_id]
    initial = filled.get(block_id) or None
    return InputBlock(
        block_id=block_id,
        label=label,
        hint=hint,
        optional=optional,
        element=PlainTextInputElement(
            action_id=ids.VALUE,
            multiline=limit > MAX_NUMBER * 4,
            max_length=limit,
            initial_value=initial,
        ),
    )


def goal_coaching_modal(specific: str, points: tuple[str, ...], purpose: str) -> dict:
    """Why a goal reads vague, with a way to keep it as written and a way back to the form."""
    reasons = "\n".join(f"• {point}" for point in points)
    return View(
        type="modal",
        callback_id=ids.GOAL_COACH_MODAL,
        title="Before you save",
        submit="Keep it as written",
        close="Cancel",
        private_metadata=purpose,
        blocks=[
            SectionBlock(text=mrkdwn(f"*{escape_text(clip(specific, 500))}*")),
            SectionBlock(text=mrkdwn(f"This may be hard to track as written:\n{reasons}")),
            SectionBlock(
                text=mrkdwn(
                    "A goal with a number or a finish line is easier to see progress on, and to "
                    "celebrate. Edit it, or keep it as written if it says what you mean."
                ),
                accessory=ButtonElement(text="Edit", action_id=ids.GOAL_COACH_EDIT, value="edit"),
            ),
        ],
    ).to_dict()


def goal_not_saved_modal(message: str) -> dict:
    """Why a goal kept as written could not be saved after all."""
    return View(
        type="modal",
        callback_id=ids.GOAL_COACH_MODAL,
        title="Goal not saved",
        close="Close",
        blocks=[SectionBlock(text=mrkdwn(message))],
    ).to_dict()


def progress_bar(fraction: float, width: int = 10) -> str:
    """A text progress bar, e.g. ▰▰▰▱▱▱▱▱▱▱ 30%."""
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return "▰" * filled + "▱" * (width - filled) + f" {round(fraction * 100)}%"


def goal_line(card: GoalCard) -> str:
    """One goal in mrkdwn: what, progress, and time left."""
    if card.status != "active":
        when = card.status
    elif card.days_left < 0:
        when = f"overdue by {-card.days_left} days"
    else:
        when = f"{card.days_left} days left" if card.days_left != 1 else "1 day left"
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
                hint=f"From {card.start_value:g} to {card.target_value or 0:g}.",
                element=PlainTextInputElement(
                    action_id=ids.VALUE, max_length=MAX_NUMBER, initial_value=f"{card.current_value:g}"
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
    return {"text": f"Your {len(cards)} goal(s)", "blocks": render(blocks)}


def feedback_dm(mentor_user_id: str, card: GoalCard, text: str) -> dict:
    """The mentee's DM carrying the mentor's feedback on a goal."""
    intro = f"{user(mentor_user_id)} gave you feedback on your goal:"
    blocks: list[Block] = [
        SectionBlock(text=mrkdwn(f"{intro}\n{goal_line(card)}")),
        *(SectionBlock(text=mrkdwn(_quoted(piece))) for piece in _pieces(text)),
    ]
    return {"text": f"{intro} {escape_text(clip(text, 300))}", "blocks": render(blocks[:MAX_BLOCKS_MESSAGE])}


# Escaping can make a text five times longer (& -> &amp;): pieces of this many characters always
# fit a section's 3,000, so feedback of any accepted length is shown whole.
QUOTE_PIECE = 500


def _pieces(text: str) -> list[str]:
    return [text[i : i + QUOTE_PIECE] for i in range(0, len(text), QUOTE_PIECE)]


def _quoted(text: str) -> str:
    return "\n".join(f">{escape_text(line)}" for line in text.splitlines() or [""])


def missed_goal_message(specific: str, deadline: date, partner_user_id: str, *, for_mentee: bool) -> dict:
    """The note that a goal's deadline passed and it was marked missed, kind to both members."""
    what = escape_text(clip(specific, 300))
    if for_mentee:
        text = (
            f"The deadline of your goal *{what}* ({deadline:%d %b %Y}) has passed, so I marked it missed. "
            f"That happens to everyone: talking over what got in the way with {user(partner_user_id)} "
            "is often the most useful part. Set a new goal whenever you are ready with `/mentor goal`."
        )
    else:
        text = (
            f"The deadline of {user(partner_user_id)}'s goal *{what}* ({deadline:%d %b %Y}) has passed, "
            "so I marked it missed. A good moment to ask, kindly, what got in the way and what they "
            "would like to try next."
        )
    return {"text": text, "blocks": render([SectionBlock(text=mrkdwn(text))])}
