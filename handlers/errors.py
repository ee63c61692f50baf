"""The one error handler, and the guarantee that an `ack()` once sent reaches Slack.

A failure is logged (with the traceback, or one line when the database is away) and the person is
told to try again: in the HTTP answer itself when the listener failed before `ack()` (a pushed
modal over a form, an ephemeral reply to a command), otherwise through the response URL, or a
modal opened with the interaction's trigger.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from slack_bolt import Ack, App, BoltContext, BoltResponse, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.views.errors import apology, apology_modal
from storage.db import describe_unavailable, is_unavailable

log = logging.getLogger(__name__)


class SentAck(Ack):
    """An `ack` that, once called, stays called.

    When a listener raises after `ack()`, Bolt's thread runner sets `ack.response` back to None
    (slack_bolt/listener/thread_runner.py). The request thread polls `ack.response` every 10 ms, so
    a listener that fails within those few milliseconds (a database that refuses at once) wipes the
    ack before it is read: the request waits out Slack's 3 s and answers 404, and Slack shows the
    person an error though the listener had acknowledged.
    """

    def __setattr__(self, name: str, value: object) -> None:
        if name == "response" and value is None and getattr(self, "response", None) is not None:
            return
        super().__setattr__(name, value)


def register(app: App, deps: Deps) -> None:
    """Install the ack guard and the app-wide error handler."""

    @app.middleware
    def keep_acks_sent(context: BoltContext, next: Callable[[], None]) -> None:
        context["ack"] = SentAck()
        next()

    @app.error
    def on_error(
        error: Exception, body: dict, respond: Respond, client: WebClient, response: BoltResponse | None
    ) -> BoltResponse | None:
        kind = _kind(body)
        database_down = is_unavailable(error)
        if database_down:
            log.error("database unavailable while answering %s: %s", kind, describe_unavailable(error))
        else:
            log.error("listener failed on %s", kind, exc_info=error)
        text = apology(database_down)
        if response is None:
            # The listener had acknowledged: Slack has its answer, so say it another way.
            _tell(body, respond, client, text)
            return None
        # Nothing was acknowledged yet: this becomes the HTTP answer, and Slack needs a 2xx.
        if kind == "view_submission":
            return _json({"response_action": "push", "view": apology_modal(text).to_dict()})
        if kind == "command":
            return _json({"response_type": "ephemeral", "text": text})
        _tell(body, respond, client, text)
        return BoltResponse(status=200, body="")


def _kind(body: dict) -> str:
    if body.get("command"):
        return "command"
    return str(body.get("type") or "request")


def _json(answer: dict) -> BoltResponse:
    return BoltResponse(status=200, body=json.dumps(answer), headers={"content-type": "application/json"})


def _tell(body: dict, respond: Respond, client: WebClient, text: str) -> None:
    """Best effort: the failure is already logged, and Slack itself may be what failed."""
    try:
        if body.get("response_url"):
            respond(text=text, response_type="ephemeral", replace_original=False)
        elif body.get("trigger_id") and _kind(body) in ("block_actions", "view_submission"):
            client.views_open(trigger_id=body["trigger_id"], view=apology_modal(text))
    except Exception:
        log.warning("could not tell the person about the failure", exc_info=True)
