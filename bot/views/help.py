"""The `/mentor help` message: the subcommands that exist, as an ephemeral reply."""

from __future__ import annotations

from slack_sdk.models.blocks import SectionBlock

from bot.commands import Subcommand
from bot.views.common import context, mrkdwn, render


def help_message(subcommands: list[Subcommand], *, unknown: str | None = None) -> dict:
    """Message kwargs (`text`, `blocks`) listing every subcommand; `unknown` explains a typo first."""
    lines = [
        f"`{sub.example}`: {sub.summary}" + (" _(admins)_" if sub.admin_only else "") for sub in subcommands
    ]
    intro = (
        f"I don't know `/mentor {unknown}`. Here is what I can do:"
        if unknown
        else "*mentorbot* runs this workspace's mentorship program. Here is what I can do:"
    )
    blocks = [
        SectionBlock(text=mrkdwn(intro)),
        SectionBlock(text=mrkdwn("\n".join(lines))),
        context("Open my *Home* tab to see your programs and pairs."),
    ]
    text = intro + "\n" + "\n".join(lines)
    return {"text": text, "blocks": render(blocks)}


def _line(sub: Subcommand) -> str:
    return f"`{sub.example}`: {sub.summary}" + (" _(admins)_" if sub.admin_only else "")


def dm_pointer_message() -> dict:
    """Message kwargs for someone who wrote to the bot: nobody reads this, and where to go instead."""
    text = (
        "Hi! Nobody reads messages sent here, so I can't answer them. "
        "Open my *Home* tab for your programs, pairs and goals, or type `/mentor help` for what I can do."
    )
    return {"text": text, "blocks": render([SectionBlock(text=mrkdwn(text))])}
