"""Requests to mentorbot signed exactly as Slack signs them, sent over real HTTP.

Slack signs `v0:{timestamp}:{raw body}` with HMAC-SHA256 and the app's signing secret; Bolt
refuses anything unsigned, wrongly signed or more than five minutes old.
"""

from __future__ import annotations

import itertools
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from tests.fakes.slack_api import TEAM_ID

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@dataclass(frozen=True)
class Reply:
    """What mentorbot answered over HTTP."""

    status: int
    body: str
    elapsed: float

    def json(self) -> dict[str, Any]:
        """The body as JSON; an empty body (a bare ack) is an empty dict."""
        return json.loads(self.body) if self.body else {}


class SlackSender:
    """Sends slash commands, events and interactions to one mentorbot URL."""

    def __init__(
        self,
        url: str,
        signing_secret: str = SIGNING_SECRET,
        team_id: str = TEAM_ID,
        response_url: str = "https://hooks.slack.invalid/commands/T0MENTOR/1/abc",
        *,
        enterprise_id: str | None = None,
        org_wide: bool = False,
    ) -> None:
        """`enterprise_id` and `org_wide` send as a workspace of an Enterprise Grid org does."""
        self.url = url
        self.response_url = response_url
        self.team_id = team_id
        self.enterprise_id = enterprise_id
        self.org_wide = org_wide
        self._verifier = SignatureVerifier(signing_secret)
        self._ids = itertools.count(1)

    def post(
        self,
        body: str | bytes,
        content_type: str,
        *,
        timestamp: int | str | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        """POST `body` signed for `timestamp` (now by default); `signature` overrides the real one.

        A `bytes` body is sent as it is (it may not even be UTF-8), so it needs a `signature`.
        """
        ts = str(int(time.time()) if timestamp is None else timestamp)
        data = body if isinstance(body, bytes) else body.encode()
        request = urllib.request.Request(self.url, data=data, method="POST")
        request.add_header("Content-Type", content_type)
        request.add_header("X-Slack-Request-Timestamp", ts)
        request.add_header(
            "X-Slack-Signature", signature or self._verifier.generate_signature(timestamp=ts, body=body)
        )
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return Reply(
                    response.status, response.read().decode(errors="replace"), time.perf_counter() - started
                )
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read().decode(errors="replace"), time.perf_counter() - started)

    def command_body(self, text: str, *, user_id: str, command: str = "/mentor") -> str:
        """The form body Slack sends for a slash command."""
        return urlencode(
            {
                "token": "legacy-verification-token",
                "team_id": self.team_id,
                "team_domain": "mentorbot-test",
                "channel_id": "C0GENERAL",
                "channel_name": "general",
                "user_id": user_id,
                "user_name": user_id.lower(),
                "command": command,
                "text": text,
                "api_app_id": "AMENTORBOT",
                "response_url": self.response_url,
                "trigger_id": f"{next(self._ids)}.1.trigger",
                **(
                    {"enterprise_id": self.enterprise_id, "is_enterprise_install": str(self.org_wide).lower()}
                    if self.enterprise_id
                    else {}
                ),
            }
        )

    def slash(self, text: str, *, user_id: str = "UALICE", **kwargs: Any) -> Reply:
        """Type `/mentor {text}` as `user_id`."""
        return self.post(
            self.command_body(text, user_id=user_id), "application/x-www-form-urlencoded", **kwargs
        )

    def event(
        self,
        event: dict[str, Any],
        *,
        retry_num: int | None = None,
        event_id: str | None = None,
        **kwargs: Any,
    ) -> Reply:
        """Deliver an Events API callback; `retry_num` marks it as Slack's retry of `event_id`."""
        envelope = {
            "token": "legacy-verification-token",
            "team_id": self.team_id,
            "api_app_id": "AMENTORBOT",
            "event": {"event_ts": f"{time.time():.6f}", **event},
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(self._ids):08d}",
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "team_id": None if self.org_wide else self.team_id,
                    "enterprise_id": self.enterprise_id,
                    "user_id": "UMENTORBOT",
                    "is_bot": True,
                    "is_enterprise_install": self.org_wide,
                }
            ],
        }
        if self.enterprise_id:
            envelope |= {"enterprise_id": self.enterprise_id, "is_enterprise_install": self.org_wide}
        headers = dict(kwargs.pop("headers", {}) or {})
        if retry_num is not None:
            headers |= {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        return self.post(json.dumps(envelope), "application/json", headers=headers, **kwargs)

    def open_home(self, user_id: str = "UALICE") -> Reply:
        """The person opens the bot's Home tab."""
        return self.event({"type": "app_home_opened", "user": user_id, "channel": "D0HOME", "tab": "home"})

    def submit(
        self, view: dict[str, Any], fields: dict[str, dict[str, Any]], *, user_id: str = "UALICE"
    ) -> Reply:
        """Submit a modal the bot opened, with `fields` filled in (see `typed`, `picked`, ...)."""
        submitted = {
            "id": view.get("id", "V0MODAL"),
            "team_id": self.team_id,
            "type": "modal",
            "callback_id": view.get("callback_id"),
            "private_metadata": view.get("private_metadata", ""),
            "hash": "1.hash",
            "state": {"values": state_values(fields)},
        }
        payload = {
            "type": "view_submission",
            "user": {"id": user_id, "team_id": self.team_id},
            "view": submitted,
            "api_app_id": "AMENTORBOT",
            "trigger_id": f"{next(self._ids)}.1.trigger",
        }
        return self.interaction(payload)

    def click(
        self,
        action_id: str,
        value: str = "",
        *,
        user_id: str = "UALICE",
        view: dict[str, Any] | None = None,
        message: dict[str, Any] | None = None,
    ) -> Reply:
        """Click a button on a view (Home tab or modal) or on a message."""
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user_id, "team_id": self.team_id},
            "api_app_id": "AMENTORBOT",
            "trigger_id": f"{next(self._ids)}.1.trigger",
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": "b",
                    "value": value,
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Button", "emoji": True},  # as Slack sends it
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        if view is not None:
            payload["view"] = {"id": "V0VIEW", "hash": "1.hash", "type": view.get("type", "home"), **view}
            payload["container"] = {"type": "view", "view_id": payload["view"]["id"]}
        if message is not None:
            payload["message"] = message
            payload["channel"] = {"id": "D0BOTDM"}
            payload["container"] = {"type": "message", "message_ts": "1.1", "channel_id": "D0BOTDM"}
        return self.interaction(payload)

    def press(
        self, message: dict[str, Any], action_id: str, *, user_id: str, value: str | None = None
    ) -> Reply:
        """Click the button `action_id` on a posted message as it reads now (see FakeSlack.message).

        Fails the test when the message has no such button (an answered or closed one, say); the
        button's own value is sent unless `value` replaces it, as a replayed request would.
        """
        buttons = {
            element["action_id"]: element.get("value", "")
            for block in message.get("blocks") or []
            for element in [
                *(block.get("elements", []) if block.get("type") == "actions" else []),
                *([block["accessory"]] if block.get("type") == "section" and block.get("accessory") else []),
            ]
            if element.get("type") == "button"
        }
        assert action_id in buttons, f"no {action_id} button on the message; it has {sorted(buttons)}"
        channel_id, ts = message["channel"], message["ts"]
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user_id, "team_id": self.team_id},
            "api_app_id": "AMENTORBOT",
            "trigger_id": f"{next(self._ids)}.1.trigger",
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": "b",
                    "value": buttons[action_id] if value is None else value,
                    "type": "button",
                }
            ],
            "message": {"ts": ts, "text": message.get("text"), "blocks": message.get("blocks")},
            "channel": {"id": channel_id},
            "container": {"type": "message", "message_ts": ts, "channel_id": channel_id},
            "response_url": self.response_url,
        }
        if message.get("ephemeral"):  # Slack sends no message for a button on an ephemeral one
            del payload["message"]
            payload["container"]["is_ephemeral"] = True
        return self.interaction(payload)

    def interaction(self, payload: dict[str, Any], **kwargs: Any) -> Reply:
        """Deliver a block action or view submission payload, form-encoded as Slack does."""
        grid = (
            {"enterprise": {"id": self.enterprise_id}, "is_enterprise_install": self.org_wide}
            if self.enterprise_id
            else {}
        )
        body = urlencode({"payload": json.dumps({"team": {"id": self.team_id}, **grid, **payload})})
        return self.post(body, "application/x-www-form-urlencoded", **kwargs)


# -- what people type into modals, in the shape Slack reports it in view.state.values ------------


def typed(text: str) -> dict[str, Any]:
    """A plain text input."""
    return {"type": "plain_text_input", "value": text}


def picked(value: str | None) -> dict[str, Any]:
    """A static select or radio group; None leaves it unchosen."""
    return {"type": "static_select", "selected_option": {"value": value} if value is not None else None}


def ticked(*values: str) -> dict[str, Any]:
    """A multi-select or checkbox group."""
    return {"type": "checkboxes", "selected_options": [{"value": value} for value in values]}


def channel(channel_id: str | None) -> dict[str, Any]:
    """A conversation select."""
    return {"type": "conversations_select", "selected_conversation": channel_id}


def people(*user_ids: str) -> dict[str, Any]:
    """A multi-user select."""
    return {"type": "multi_users_select", "selected_users": list(user_ids)}


def state_values(fields: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """`view.state.values` for `{block_id: element state}`; every input uses action_id "value"."""
    return {block_id: {"value": element} for block_id, element in fields.items()}
