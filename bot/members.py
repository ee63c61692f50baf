"""Who someone is in Slack: name, time zone, admin rights, and whether they can take part."""

from __future__ import annotations

import re
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

# Slack escapes mentions in slash-command text as <@U123> or <@U123|name> (should_escape).
MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


@dataclass(frozen=True)
class Member:
    """The parts of a Slack user mentorbot uses."""

    user_id: str
    name: str
    tz: str | None
    is_admin: bool
    is_bot: bool
    deleted: bool

    @property
    def can_take_part(self) -> bool:
        """Bots and deactivated accounts cannot be mentors or mentees."""
        return not (self.is_bot or self.deleted)


def fetch_member(client: WebClient, user_id: str) -> Member | None:
    """Look the user up with users.info; None when Slack does not know them."""
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as error:
        if error.response.get("error") in ("user_not_found", "user_not_visible"):
            return None
        raise
    profile = user.get("profile") or {}
    return Member(
        user_id=user_id,
        name=profile.get("display_name") or user.get("real_name") or user.get("name") or user_id,
        tz=user.get("tz"),
        is_admin=bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner")),
        is_bot=bool(user.get("is_bot")) or user_id == "USLACKBOT",
        deleted=bool(user.get("deleted")),
    )


def mentioned_user_ids(text: str) -> list[str]:
    """The user ids mentioned in slash-command text, in order."""
    return MENTION.findall(text)
