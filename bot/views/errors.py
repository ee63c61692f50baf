"""What a person is told when mentorbot fails while answering them, and the modal that says it."""

from __future__ import annotations

from slack_sdk.models.blocks import SectionBlock
from slack_sdk.models.views import View

from bot.views.common import mrkdwn

SORRY = (
    "Sorry, something went wrong on my side and nothing was changed. "
    "Please try again in a minute; if it keeps happening, tell your mentorship program's admins."
)
DATABASE_DOWN = (
    "Sorry, I cannot reach my records right now, so nothing was changed. "
    "Please try again in a minute; if it keeps happening, tell your mentorship program's admins."
)


def apology(database_down: bool) -> str:
    """The sentence for a failure: the database being away is worth naming, a bug is not."""
    return DATABASE_DOWN if database_down else SORRY


def apology_modal(text: str) -> View:
    """A small modal carrying `text`; pushed over a form it keeps what the person typed underneath."""
    return View(
        type="modal",
        title="Not saved",
        close="OK",
        blocks=[SectionBlock(text=mrkdwn(text))],
    )
