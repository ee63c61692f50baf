"""Answering where the question was asked: edit the clicked message, or tell the clicker alone.

A click on a message's button is answered by editing that message (`chat.update`), so an answer
costs nobody a new message; what only the clicker needs to hear (a refusal, "noted already") is
ephemeral in the same conversation. Both are best effort: a Slack failure is logged, never raised,
because the answer is already stored.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.inputs import ActionInput, MessageAt
from bot.views.common import answered

log = logging.getLogger(__name__)


def update_message(client: WebClient, at: MessageAt, message: dict) -> bool:
    """Show `message` in place of the one at `at`; False when Slack refused."""
    try:
        client.chat_update(channel=at.channel, ts=at.ts, **message)
    except SlackApiError as error:
        log.warning("could not update message %s in %s: %s", at.ts, at.channel, error.response.get("error"))
        return False
    return True


def tell_clicker(client: WebClient, click: ActionInput, text: str) -> None:
    """Say `text` to the person who clicked and nobody else: ephemeral where they clicked."""
    try:
        if click.message is not None:
            client.chat_postEphemeral(channel=click.message.channel, user=click.user_id, text=text)
        else:
            client.chat_postMessage(channel=click.user_id, text=text)
    except SlackApiError as error:
        log.warning("could not answer %s: %s", click.user_id, error.response.get("error"))


def show_answer(client: WebClient, click: ActionInput, answer: str) -> None:
    """`answer` in place of the clicked message's buttons; said to the clicker if there is no message."""
    if click.is_ephemeral and click.response_url:  # only the clicker sees it: replace it for them
        try:
            sent = WebhookClient(click.response_url, timeout=5).send(text=answer, replace_original=True)
        except OSError as error:
            log.warning("could not answer %s in place: %s", click.user_id, error)
            return
        if sent.status_code != 200:  # an expired response URL (after 30 minutes), say
            log.warning(
                "could not answer %s in place: HTTP %s %s", click.user_id, sent.status_code, sent.body
            )
        return
    if click.message is None:
        tell_clicker(client, click, answer)
        return
    update_message(client, click.message, answered(list(click.message_blocks), click.message_text, answer))


def ask_privately(client: WebClient, channel: str, user_id: str, message: dict) -> None:
    """A question only `user_id` sees, in the conversation where they just answered (ephemeral)."""
    try:
        client.chat_postEphemeral(channel=channel, user=user_id, **message)
    except SlackApiError as error:
        log.warning("could not ask %s privately: %s", user_id, error.response.get("error"))
