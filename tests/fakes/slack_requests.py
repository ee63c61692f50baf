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

    def __init__(self, url: str, signing_secret: str = SIGNING_SECRET, team_id: str = TEAM_ID) -> None:
        self.url = url
        self.team_id = team_id
        self._verifier = SignatureVerifier(signing_secret)
        self._ids = itertools.count(1)

    def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        """POST `body` signed for `timestamp` (now by default); `signature` overrides the real one."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        request = urllib.request.Request(self.url, data=body.encode(), method="POST")
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
                return Reply(response.status, response.read().decode(), time.perf_counter() - started)
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read().decode(), time.perf_counter() - started)

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
                "response_url": "https://hooks.slack.invalid/commands/T0MENTOR/1/abc",
                "trigger_id": f"{next(self._ids)}.1.trigger",
            }
        )

    def slash(self, text: str, *, user_id: str = "UALICE", **kwargs: Any) -> Reply:
        """Type `/mentor {text}` as `user_id`."""
        return self.post(
            self.command_body(text, user_id=user_id), "application/x-www-form-urlencoded", **kwargs
        )

    def event(self, event: dict[str, Any], *, retry_num: int | None = None, **kwargs: Any) -> Reply:
        """Deliver an Events API callback; `retry_num` marks it as Slack's retry."""
        envelope = {
            "token": "legacy-verification-token",
            "team_id": self.team_id,
            "api_app_id": "AMENTORBOT",
            "event": {"event_ts": f"{time.time():.6f}", **event},
            "type": "event_callback",
            "event_id": f"Ev{next(self._ids):08d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": self.team_id, "user_id": "UMENTORBOT", "is_bot": True}],
        }
        headers = dict(kwargs.pop("headers", {}) or {})
        if retry_num is not None:
            headers |= {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        return self.post(json.dumps(envelope), "application/json", headers=headers, **kwargs)

    def open_home(self, user_id: str = "UALICE") -> Reply:
        """The person opens the bot's Home tab."""
        return self.event({"type": "app_home_opened", "user": user_id, "channel": "D0HOME", "tab": "home"})

    def interaction(self, payload: dict[str, Any], **kwargs: Any) -> Reply:
        """Deliver a block action or view submission payload, form-encoded as Slack does."""
        body = urlencode({"payload": json.dumps({"team": {"id": self.team_id}, **payload})})
        return self.post(body, "application/x-www-form-urlencoded", **kwargs)
