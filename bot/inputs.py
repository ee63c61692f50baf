"""Typed inputs for button clicks and modal submissions, parsed once from Slack's payload.

`parse_inputs` is a Bolt middleware: it puts an `ActionInput` (block actions) or a `Submission`
(view submissions) into the request context, and Bolt hands context entries to listeners by
parameter name, so a listener asks for `action_input: ActionInput` or `submission: Submission`
instead of reading `body`. Parsing never raises: a payload missing parts gives empty strings.

`ActionInput` is the one typed click: besides who clicked what, it carries the clicked message
(where it is, its blocks and text, whether it is ephemeral) for answering in place (`bot.inplace`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.forms import FormState


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _dicts(value: Any) -> tuple[dict[str, Any], ...]:
    return tuple(item for item in value if isinstance(item, dict)) if isinstance(value, list) else ()


# Set in Bolt's context by the OAuth mode's middleware: an org-wide install is the org's world. With
# one bot token every workspace stays its own world, as before, however the app was installed.
ORG_WORLDS = "mentorbot_org_worlds"
# The workspace a request's envelope names (bot.installs.note_request_team puts it in the context).
REQUEST_TEAM = "mentorbot_request_team"


def tenant_of(team_id: str | None, enterprise_id: str | None, is_enterprise_install: Any) -> str:
    """Whose world a request belongs to: the org for an org-wide Grid install, else the workspace.

    An org installed org-wide is one world, so that a person in several of its workspaces is one
    person; Slack sends `is_enterprise_install` as a boolean, or as "true" in a slash command.
    """
    if is_enterprise_install in (True, "true") and enterprise_id:
        return enterprise_id
    return team_id or enterprise_id or ""


def context_tenant(context: dict[str, Any]) -> str:
    """The world of an event, from Bolt's context."""
    org_wide = context.get("is_enterprise_install") and context.get(ORG_WORLDS)
    # An org-wide install's events name no workspace in their authorizations: the envelope does.
    team = context.get("team_id") or context.get(REQUEST_TEAM)
    return tenant_of(team, context.get("enterprise_id"), org_wide)


def _team_and_user(
    body: dict[str, Any], view: dict[str, Any] | None = None, *, org: bool = False
) -> tuple[str, str]:
    """The world (the payload's team, else the view's, else the user's; an org's) and the user."""
    user = _dict(body.get("user"))
    team = (
        _str(_dict(body.get("team")).get("id"))
        or _str((view or {}).get("team_id"))
        or _str(user.get("team_id"))
    )
    enterprise = _str(_dict(body.get("enterprise")).get("id")) or _str(body.get("enterprise_id"))
    return tenant_of(team, enterprise, org and body.get("is_enterprise_install")), _str(user.get("id"))


@dataclass(frozen=True)
class MessageAt:
    """Where a message is: its conversation and timestamp."""

    channel: str
    ts: str


@dataclass(frozen=True)
class ActionInput:
    """A click on a button (or a choice in a select) in a message, a modal or App Home."""

    team_id: str
    user_id: str
    action_id: str
    value: str
    trigger_id: str
    view_id: str  # the modal or Home view clicked in; empty for a message
    view_hash: str
    view_type: str
    private_metadata: str
    container_type: str  # "message" or "view": what the button was on
    channel_id: str  # the message's channel; empty for a view
    message_ts: str
    message_blocks: tuple[dict[str, Any], ...]  # the clicked message's blocks as Slack sent them
    message_text: str
    is_ephemeral: bool  # the button was on a message only the clicker sees (Slack sends no blocks)
    response_url: str

    @property
    def message(self) -> MessageAt | None:
        """Where the clicked message is; None when the button was on a view (Home tab, modal)."""
        if self.container_type != "message" or not self.channel_id or not self.message_ts:
            return None
        return MessageAt(self.channel_id, self.message_ts)

    @classmethod
    def from_body(cls, body: dict[str, Any], *, org: bool = False) -> ActionInput:
        """Read the first action of a `block_actions` payload (`org`: org-wide installs are worlds)."""
        team_id, user_id = _team_and_user(body, org=org)
        actions = body.get("actions")
        action = _dict(actions[0]) if isinstance(actions, list) and actions else {}
        selected = _dict(action.get("selected_option"))
        view = _dict(body.get("view"))
        container = _dict(body.get("container"))
        message = _dict(body.get("message"))
        return cls(
            team_id=team_id,
            user_id=user_id,
            action_id=_str(action.get("action_id")),
            value=_str(action.get("value")) or _str(selected.get("value")),
            trigger_id=_str(body.get("trigger_id")),
            view_id=_str(view.get("id")),
            view_hash=_str(view.get("hash")),
            view_type=_str(view.get("type")),
            private_metadata=_str(view.get("private_metadata")),
            container_type=_str(container.get("type")),
            channel_id=_str(container.get("channel_id")) or _str(_dict(body.get("channel")).get("id")),
            message_ts=_str(container.get("message_ts")) or _str(message.get("ts")),
            message_blocks=_dicts(message.get("blocks")),
            message_text=_str(message.get("text")),
            is_ephemeral=bool(container.get("is_ephemeral")),
            response_url=_str(body.get("response_url")),
        )


@dataclass(frozen=True)
class Submission:
    """A modal submitted: who, which modal, its private_metadata and its fields."""

    team_id: str
    user_id: str
    callback_id: str
    private_metadata: str
    view_id: str
    trigger_id: str
    values: dict[str, Any]

    @property
    def state(self) -> FormState:
        """The submitted fields, read by block id."""
        return FormState(self.values)

    @classmethod
    def from_body(cls, body: dict[str, Any], *, org: bool = False) -> Submission:
        """Read a `view_submission` payload (`org`: org-wide installs are worlds)."""
        view = _dict(body.get("view"))
        team_id, user_id = _team_and_user(body, view, org=org)
        return cls(
            team_id=team_id,
            user_id=user_id,
            callback_id=_str(view.get("callback_id")),
            private_metadata=_str(view.get("private_metadata")),
            view_id=_str(view.get("id")),
            trigger_id=_str(body.get("trigger_id")),
            values=_dict(_dict(view.get("state")).get("values")),
        )


def parse_inputs(body: dict[str, Any], context: dict[str, Any], next: Callable[[], None]) -> None:
    """Bolt middleware: give block actions an `action_input` and submissions a `submission`."""
    kind = body.get("type") if isinstance(body, dict) else None
    org = bool(context.get(ORG_WORLDS))
    if kind == "block_actions":
        context["action_input"] = ActionInput.from_body(body, org=org)
    elif kind == "view_submission":
        context["submission"] = Submission.from_body(body, org=org)
    next()
