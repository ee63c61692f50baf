"""The introduction modal and message, the skill directory reply, and the forget-me confirmation."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    Block,
    InputBlock,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot import ids
from bot.connections import ConnectTarget, Found
from bot.views.common import clip, context, escape_text, mrkdwn, render, user


def connect_modal(target: ConnectTarget) -> dict:
    """Why the mentor introduces someone to their mentee, and who joins the conversation.

    Opened from App Home the mentor has not named anyone yet, so the modal asks whom to introduce.
    """
    who = [
        Option(value="three", text="All three of us"),
        Option(value="two", text="Just my mentee and them"),
    ]
    person = target.person_user_id or None
    blocks: list[Block] = []
    if person:
        intro = f"Introduce {user(person)} to your mentee {user(target.mentee_user_id)}."
        blocks.append(SectionBlock(text=mrkdwn(intro)))
    else:
        blocks += [
            SectionBlock(text=mrkdwn(f"Introduce someone to your mentee {user(target.mentee_user_id)}.")),
            InputBlock(
                block_id=ids.CONNECT_PERSON,
                label="Whom do you introduce?",
                element=UserSelectElement(action_id=ids.VALUE),
            ),
        ]
    return View(
        type="modal",
        callback_id=ids.CONNECT_MODAL,
        title="Introduce someone",
        submit="Introduce",
        close="Cancel",
        private_metadata=ids.encode_connect_metadata(ids.ConnectModalTarget(target.pair_id, person)),
        blocks=[
            *blocks,
            InputBlock(
                block_id=ids.CONNECT_REASON,
                label="Why should they meet?",
                element=PlainTextInputElement(action_id=ids.VALUE, multiline=True, max_length=1000),
            ),
            InputBlock(
                block_id=ids.CONNECT_QUESTION,
                label="What might your mentee ask them?",
                optional=True,
                element=PlainTextInputElement(action_id=ids.VALUE, multiline=True, max_length=1000),
            ),
            InputBlock(
                block_id=ids.CONNECT_WHO,
                label="Who is in the conversation?",
                element=RadioButtonsElement(action_id=ids.VALUE, options=who, initial_option=who[0]),
            ),
        ],
    ).to_dict()


def introduction_message(target: ConnectTarget, reason: str, question: str | None) -> dict:
    """The introduction posted in the new group conversation."""
    text = (
        f"{user(target.mentor_user_id)} would like to introduce {user(target.mentee_user_id)} "
        f"to {user(target.person_user_id)}.\n*Why:* {escape_text(clip(reason, 1000))}"
    )
    if question:
        text += f"\n*{user(target.mentee_user_id)} might ask:* {escape_text(clip(question, 1000))}"
    blocks: list[Block] = [
        SectionBlock(text=mrkdwn(text)),
        context("A short call or a few messages is plenty. Thank you for helping!"),
    ]
    return {"text": text, "blocks": render(blocks)}


def found_message(skill: str, found: list[Found]) -> dict:
    """`/mentor find` results."""
    if not found:
        text = (
            f"Nobody in your programs offers “{escape_text(clip(skill, 60))}” yet "
            "(or they asked not to be introduced)."
        )
        return {"text": text, "blocks": render([SectionBlock(text=mrkdwn(text))])}
    lines = [f"• {user(f.user_id)} ({f.role}): {escape_text(', '.join(f.matching))}" for f in found]
    text = f"People who offer “{escape_text(clip(skill, 60))}”:\n" + "\n".join(lines)
    blocks: list[Block] = [
        SectionBlock(text=mrkdwn(clip(text, 2900))),
        context("Mentors: `/mentor connect @person` introduces one of them to your mentee."),
    ]
    return {"text": text, "blocks": render(blocks)}


def forget_modal() -> dict:
    """Confirm forgetting: what goes and what stays."""
    return View(
        type="modal",
        callback_id=ids.FORGET_MODAL,
        title="Forget me",
        submit="Forget me",
        close="Cancel",
        blocks=[
            SectionBlock(
                text=mrkdwn(
                    "This deletes your profile and everything you wrote to mentorbot (goals, answers, "
                    "feedback, comments), ends your open mentorships (your partners are told), and keeps "
                    "only anonymous counts in the program's figures. *It cannot be undone.*"
                )
            )
        ],
    ).to_dict()
