"""HTTP mode: a WSGI application serving Slack at `/slack/events` and `/healthz`, under gunicorn.

In OAuth mode it also serves Bolt's install flow at `/slack/install` and `/slack/oauth_redirect`.

Requests reach Bolt only once they are well formed: a readable UTF-8 body, signature headers of
the shape Slack sends, and a body that parses into an object. Anything else is answered 400 or
401 with one log line, because Bolt would answer such requests with a 500 and a traceback.
"""

from __future__ import annotations

import gc
import json
import logging
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from gunicorn.app.base import BaseApplication
from slack_bolt import App, BoltRequest
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from sqlalchemy import Engine

from storage.db import database_answers

SLACK_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
# /healthz answers within this many seconds even when the database hangs.
HEALTH_DEADLINE = 1.5
# Slack's own payloads are a few kilobytes; a modal with every field at its limit stays far below this.
MAX_BODY_BYTES = 1 << 20

WsgiApp = Callable[[dict, Callable], Iterable[bytes]]

log = logging.getLogger(__name__)


class BadRequest(Exception):
    """The request cannot be from Slack as sent; `status` is 400 or 401."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


def create_wsgi_app(app: App, engine: Engine) -> WsgiApp:
    """Route `/healthz` to a database check and `/slack/events` to Bolt, refusing malformed requests."""
    health = _HealthCheck(engine)

    def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO"), environ.get("REQUEST_METHOD")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            healthy = health.answers()
            body = json.dumps({"ok": healthy, "database": "up" if healthy else "down"})
            return _answer(start_response, 200 if healthy else 503, body, "application/json")
        flow = app.oauth_flow
        if flow is not None and method == "GET" and path in (flow.install_path, flow.redirect_uri_path):
            # Bolt's install flow: the "Add to Slack" page, and Slack's redirect back after consent.
            page = BoltRequest(
                body="", query=environ.get("QUERY_STRING", ""), headers=WsgiHttpRequest(environ).get_headers()
            )
            handle = flow.handle_installation if path == flow.install_path else flow.handle_callback
            answer = handle(page)
            wsgi = WsgiHttpResponse(status=answer.status, headers=answer.headers, body=answer.body)
            start_response(wsgi.status, wsgi.get_headers())
            return wsgi.get_body()
        if path != SLACK_PATH or method != "POST":
            return _answer(start_response, 404, "Not Found")
        try:
            request = slack_request(environ)
        except BadRequest as refused:
            log.warning("refused a request to %s (%d): %s", SLACK_PATH, refused.status, refused)
            return _answer(start_response, refused.status, str(refused))
        response = app.dispatch(request)
        wsgi = WsgiHttpResponse(status=response.status, headers=response.headers, body=response.body)
        start_response(wsgi.status, wsgi.get_headers())
        return wsgi.get_body()

    return application


def slack_request(environ: dict) -> BoltRequest:
    """Read a request to `/slack/events` into a `BoltRequest`, or raise `BadRequest` saying why not."""
    headers = WsgiHttpRequest(environ).get_headers()
    timestamp = str(headers.get("x-slack-request-timestamp") or "")
    if not (timestamp.isascii() and timestamp.isdigit()):
        raise BadRequest(401, "X-Slack-Request-Timestamp is not a number of seconds")
    if not str(headers.get("x-slack-signature") or "").startswith("v0="):
        raise BadRequest(401, "X-Slack-Signature is missing or not a v0 signature")
    text = _body_text(environ)
    try:
        request = BoltRequest(body=text, query=environ.get("QUERY_STRING", ""), headers=headers)
    except Exception as error:  # Bolt parses before it verifies; whatever it trips on is bad input
        raise BadRequest(400, f"the body does not parse ({type(error).__name__})") from None
    if not isinstance(request.body, dict):
        raise BadRequest(400, "the body is not an object")
    problem = shape_problem(request.body)
    if problem:
        raise BadRequest(400, problem)
    return request


# Where Bolt's routing and mentorbot's listeners read a payload, and the JSON type Slack puts there.
_STRINGS = (
    "type",
    "command",
    "callback_id",
    "action_id",
    "block_id",
    "value",
    "private_metadata",
    "team_id",
    "user_id",
    "trigger_id",
    "response_url",
)
# In each of a click's actions Slack gives the button's label as an object, {"type": "plain_text", ...}.
_ACTION_STRINGS = tuple(key for key in _STRINGS if key != "text")
_OBJECTS = ("view", "event", "message", "container", "state")
_LISTS = ("actions", "authorizations")


def shape_problem(body: dict, strings: tuple[str, ...] = _STRINGS) -> str | None:
    """Why `body` cannot be a payload Slack sent, judged where Bolt reads it; None when it can be."""
    for key in strings:
        if body.get(key) is not None and not isinstance(body[key], str):
            return f"{key} is not a string"
    for key in _OBJECTS:
        if key in body and not isinstance(body[key], dict):
            return f"{key} is not an object"
    for key in _LISTS:
        if key not in body:
            continue
        if not isinstance(body[key], list) or not all(isinstance(item, dict) for item in body[key]):
            return f"{key} is not a list of objects"
        inner = _ACTION_STRINGS if key == "actions" else _STRINGS
        if problem := next(filter(None, (shape_problem(item, inner) for item in body[key])), None):
            return f"{key}: {problem}"
    # A button's `text` is a text object, a message's a string; both are what Slack sends.
    for key in ("team", "user", "channel", "enterprise", "text"):
        if body.get(key) is not None and not isinstance(body[key], str | dict):
            return f"{key} is neither a string nor an object"
    for key in _OBJECTS:
        if isinstance(body.get(key), dict) and (problem := shape_problem(body[key])):
            return f"{key}: {problem}"
    return None


def _body_text(environ: dict) -> str:
    if "wsgi.input" not in environ:
        return ""
    raw_length = str(environ.get("CONTENT_LENGTH") or "0")
    if not raw_length.isdigit():
        raise BadRequest(400, "Content-Length is not a number")
    length = int(raw_length)
    if length > MAX_BODY_BYTES:
        raise BadRequest(400, f"the body is over {MAX_BODY_BYTES} bytes")
    try:
        return environ["wsgi.input"].read(length).decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest(400, "the body is not UTF-8") from None


def _answer(
    start_response: Callable, status: int, body: str, content_type: str = "text/plain"
) -> list[bytes]:
    response = WsgiHttpResponse(
        status=status, headers={"content-type": [f"{content_type};charset=utf-8"]}, body=body
    )
    start_response(response.status, response.get_headers())
    return list(response.get_body())


class _HealthCheck:
    """The database check behind `/healthz`, run on its own thread so a hung database cannot hold it."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        # One thread: while a check hangs, later requests wait on that same check instead of
        # piling up new connections to a database that is not answering.
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="healthz")
        self._running: Future[bool] | None = None

    def answers(self) -> bool:
        """True when the database answered a trivial query within `HEALTH_DEADLINE` seconds."""
        running = self._running
        if running is None or running.done():
            running = self._running = self._pool.submit(database_answers, self._engine)
        try:
            return running.result(timeout=HEALTH_DEADLINE)
        except FutureTimeout:
            return False


class GunicornServer(BaseApplication):
    """gunicorn run from Python, building the WSGI app inside each worker after it forks.

    Building per worker keeps database connections and Bolt's listener threads out of the fork.
    """

    def __init__(self, build: Callable[[], WsgiApp], *, port: int, workers: int, log_level: str) -> None:
        self._build = build
        self._options = {
            "bind": f"0.0.0.0:{port}",
            "workers": workers,
            "worker_class": "gthread",
            "threads": 8,
            "timeout": 30,
            "graceful_timeout": 20,
            "accesslog": "-",
            "loglevel": log_level.lower(),
            "preload_app": False,
        }
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> WsgiApp:
        app = self._build()
        # Everything built so far lives as long as the worker: keep it out of the garbage
        # collector's full passes, which otherwise stall every thread of a busy worker.
        gc.collect()
        gc.freeze()
        return app
