"""Telling people about pairs in Slack: the channel announcement, the group DM, status notices.

These run after the database transaction commits, so a Slack failure never undoes a pair; they
return what went wrong in words an admin can act on instead of raising.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.agreements import Cancellation
from bot.calendar import CalendarFile
from bot.pairing import NewPair, StatusChange
from bot.views.common import escape_text
from bot.views.pairing import announcement_message, ended_message, kickoff_message, status_notice

log = logging.getLogger(__name__)

CANNOT_JOIN = {"method_not_supported_for_channel_type", "is_private", "channel_not_found", "is_archived"}


def announce(client: WebClient, new: NewPair) -> str | None:
    """Post the pair in the program channel; joins a public channel first if it must."""
    channel = new.announce_channel_id
    if not channel:
        return (
            f"{escape_text(new.program_name)} has no announcement channel, "
            "so the new pair was not announced: "
            "choose one with `/mentor config`."
        )
    message = announcement_message(new.mentor_user_id, new.mentee_user_id, new.program_name)
    try:
        client.chat_postMessage(channel=channel, **message)
        return None
    except SlackApiError as error:
        if error.response.get("error") != "not_in_channel":
            return _channel_problem(channel, error)
    try:
        client.conversations_join(channel=channel)
        client.chat_postMessage(channel=channel, **message)
    except SlackApiError as error:
        return _channel_problem(channel, error)
    return None


def _channel_problem(channel: str, error: SlackApiError) -> str:
    code = error.response.get("error")
    if code in CANNOT_JOIN or code == "not_in_channel":
        return (
            f"I could not announce the new pair in <#{channel}> ({code}): if it is a private channel, "
            f"invite me there with `/invite @mentorbot`, or choose another channel with `/mentor config`."
        )
    log.warning("announcement in %s failed: %s", channel, code)
    return f"I could not announce the new pair in <#{channel}> ({code})."


def introduce(client: WebClient, new: NewPair) -> str | None:
    """Open the group DM with mentor and mentee and post the kickoff; returns its channel id."""
    try:
        opened = client.conversations_open(users=f"{new.mentor_user_id},{new.mentee_user_id}")
        channel = opened["channel"]["id"]
        message = kickoff_message(
            new.pair_id,
            new.mentor_user_id,
            new.mentee_user_id,
            new.program_name,
            new.reason,
            new.default_cadence,
            stories=(new.mentor_story, new.mentee_story),
        )
        client.chat_postMessage(channel=channel, **message)
    except SlackApiError as error:
        log.warning("introducing pair %s failed: %s", new.pair_id, error.response.get("error"))
        return None
    return channel


def tell_status(client: WebClient, change: StatusChange) -> None:
    """Tell both members that their pair was paused, resumed or ended; ending asks for feedback."""
    for member, partner in (
        (change.mentor_user_id, change.mentee_user_id),
        (change.mentee_user_id, change.mentor_user_id),
    ):
        if change.action == "end":
            message = ended_message(change.pair_id, partner, change.by_user_id)
        else:
            message = {"text": status_notice(change.action, change.by_user_id, partner)}
        try:
            client.chat_postMessage(channel=member, **message)
        except SlackApiError as error:
            log.warning(
                "could not tell %s about pair %s: %s", member, change.pair_id, error.response.get("error")
            )
    if change.cancellation is not None:
        share_cancellation(client, change.cancellation)


def share_cancellation(client: WebClient, cancellation: Cancellation) -> None:
    """Post the file that cancels an ended pair's meetings in its group DM, best effort."""
    try:
        channel = pair_channel(
            client, cancellation.dm_channel_id, cancellation.mentor_user_id, cancellation.mentee_user_id
        )
    except SlackApiError as error:
        log.warning("could not open pair %s's DM: %s", cancellation.pair_id, error.response.get("error"))
        return
    share_calendar_file(client, channel, cancellation.calendar)


def dm(client: WebClient, user_id: str, text: str) -> None:
    """A plain direct message from the bot, best effort."""
    try:
        client.chat_postMessage(channel=user_id, text=text)
    except SlackApiError as error:
        log.warning("could not message %s: %s", user_id, error.response.get("error"))


def pair_channel(
    client: WebClient, dm_channel_id: str | None, mentor_user_id: str, mentee_user_id: str
) -> str:
    """The pair's group DM: the one on record, or opened now."""
    if dm_channel_id:
        return dm_channel_id
    return client.conversations_open(users=f"{mentor_user_id},{mentee_user_id}")["channel"]["id"]


def share_agreement(client: WebClient, channel: str, message: dict, calendar: CalendarFile) -> None:
    """Post the agreement summary in the pair's DM with its calendar file."""
    client.chat_postMessage(channel=channel, **message)
    share_calendar_file(client, channel, calendar)


def share_calendar_file(client: WebClient, channel: str, calendar: CalendarFile) -> None:
    """Upload a calendar file to a channel, best effort: what was said stands without it."""
    try:
        client.files_upload_v2(
            channel=channel,
            content=calendar.content,
            filename=calendar.filename,
            title=calendar.title,
            initial_comment=calendar.comment,
        )
    except SlackApiError as error:
        # Without files:write (an app installed before this feature) the summary still stands.
        log.warning("calendar upload to %s failed: %s", channel, error.response.get("error"))
