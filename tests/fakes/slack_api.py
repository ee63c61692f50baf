"""A fake Slack Web API served over real HTTP, for tests and benchmarks.

Point a real `slack_sdk.WebClient` at `FakeSlack.base_url` (mentorbot reads it from SLACK_API_URL).
The fake checks the bearer token, records every call, answers the way Slack answers, refuses
invalid Block Kit with `invalid_blocks`, and can be told to answer the next calls with a 429
(with Retry-After) or a 5xx. With `rate_limits=RateLimits(...)` (off by default) it also applies
Slack's limits on chat.postMessage, about one message a second per channel with a short burst and
a workspace-wide cap per minute, answering 429 with a whole-second Retry-After as Slack does;
`posted` keeps the channel and text of every successful post, cheaply, for benchmarks.
`hold(method, when=...)` makes matching calls hang (no answer at all, as when Slack is slow) until
the test releases them, the hold's own timeout passes, or the fake stops.
`chat.update` edits a message the fake accepted (checked like a post; `message_not_found` for a
channel and ts it never answered), and `message(channel, ts)` reads a message's current state.
`apps.connections.open` takes the App-Level token instead of the bot token and hands out
`socket_url` (set it to a running `tests.fakes.socket_mode.FakeSocketMode`'s url).

Beside its one workspace (`token`, `team_id`) the fake can install more through `oauth.v2.access`,
as Slack's OAuth flow does: `approve(FakeWorkspace(...))` is a person clicking "Allow" and gives the
code Slack would redirect with; the exchange checks the client id and secret, takes each code once,
and hands out that workspace's own bot token (with a refresh token and expiry when the workspace
rotates tokens; a refresh token works once). Each call records the workspace its token speaks for
(`Call.team`); a person or channel of another workspace is not found, as in Slack, and such calls
are kept in `crossed`. `uninstall(team)` revokes a workspace's tokens. Rate limits apply per
workspace.
"""

from __future__ import annotations

import base64
import copy
import itertools
import json
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from tests.blockkit import block_kit_problems

TEAM_ID = "T0MENTOR"
CLIENT_ID = "1111.2222"
CLIENT_SECRET = "fake-client-secret"
REFRESHED_EXPIRES_IN = 43200
BOT_USER_ID = "UMENTORBOT"
BOT_TOKEN = "xoxb-test-mentorbot"
APP_TOKEN = "xapp-1-AMENTORBOT-1-test"

# Methods Slack authenticates with the App-Level token (xapp-) rather than the bot token.
RESPONSE_PATH = "/response/"
UPLOAD_PATH = "/upload/"
RESPONSE_URL = "response_url"
APP_TOKEN_METHODS = frozenset({"apps.connections.open"})


@dataclass(frozen=True)
class Call:
    """One Web API call as the fake received it."""

    method: str
    args: dict[str, Any]
    token: str | None
    at: float
    response: dict[str, Any] = field(default_factory=dict)
    sent_at: datetime | None = None  # the test clock's instant when the call came, if a test set one
    team: str | None = None  # the workspace (or org) the token speaks for

    @property
    def ok(self) -> bool:
        """True when the fake answered this call as a success."""
        return bool(self.response.get("ok"))


@dataclass(frozen=True)
class FakeWorkspace:
    """A workspace (or, with `org_wide`, an Enterprise Grid org) that installs through OAuth."""

    team_id: str
    name: str = "Another workspace"
    enterprise_id: str | None = None
    org_wide: bool = False
    rotating: bool = False  # token rotation on: the install's token expires after `expires_in` seconds
    expires_in: int = 43200  # (refreshed ones after REFRESHED_EXPIRES_IN, twelve hours, as Slack's)
    installer: str = "UINSTALLER"

    @property
    def world(self) -> str:
        """Whose data the install holds: the org's for an org-wide install, else the workspace's."""
        return self.enterprise_id if self.org_wide and self.enterprise_id else self.team_id


@dataclass(frozen=True)
class RateLimits:
    """Slack's limits on chat.postMessage, applied by the fake when given (token buckets).

    Each channel (or user id a DM goes to) gets `per_channel_per_second` messages a second with
    bursts of up to `channel_burst`; the whole workspace gets `per_minute` a minute, refilled
    continuously, with bursts of up to `minute_burst` (default: one second's worth). A post over
    either limit is answered 429 with `Retry-After`, the wait rounded up to whole seconds.
    """

    per_channel_per_second: float = 1.0
    channel_burst: int = 3
    per_minute: int = 6000
    minute_burst: int | None = None

    @property
    def workspace_burst(self) -> int:
        """How many posts the workspace may send at once after a pause."""
        return self.minute_burst if self.minute_burst is not None else max(1, round(self.per_minute / 60))


class _Bucket:
    """A token bucket: `rate` tokens a second, holding at most `capacity`."""

    __slots__ = ("at", "capacity", "rate", "tokens")

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate, self.capacity, self.tokens, self.at = rate, capacity, capacity, now

    def wait(self, now: float) -> float:
        """Seconds until a token is available (0 when one is there now); refills first."""
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
        self.at = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


@dataclass(frozen=True)
class Posted:
    """A chat.postMessage the fake accepted: when (monotonic), where, and its text."""

    at: float
    channel: str
    text: str
    team: str | None = None  # whose token posted it


@dataclass
class Hold:
    """Calls to `method` that `when(args)` picks are left unanswered until `release()` or `timeout`."""

    method: str
    when: Callable[[dict[str, Any]], bool]
    timeout: float
    released: threading.Event = field(default_factory=threading.Event)
    held: int = 0

    def release(self) -> None:
        """Answer every call held so far, and stop holding new ones."""
        self.released.set()


@dataclass
class _Fault:
    method: str
    status: int
    retry_after: int | None
    body: dict[str, Any]


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # not socketserver's 5: many callers at once on a busy machine


@dataclass
class FakeSlack:
    """The fake server; use as a context manager or call `start()` and `stop()`."""

    token: str = BOT_TOKEN
    app_token: str = APP_TOKEN
    socket_url: str | None = None
    team_id: str = TEAM_ID
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)
    # A test driving a controlled clock sets this; calls record it as `sent_at`.
    now: datetime | None = None
    # Files uploaded with files_upload_v2: id -> {"filename", "content", "channel", "title"}.
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    # Slack's chat.postMessage limits; None (the default) lets every call through.
    rate_limits: RateLimits | None = None
    # Every successful chat.postMessage, oldest first, and how many posts were answered 429.
    posted: list[Posted] = field(default_factory=list)
    rate_limited: int = 0
    # users.list answers at most this many members a page (and at most the `limit` asked for).
    users_list_page: int = 200
    # Every message posted, by (channel, ts), as it reads now: {"channel", "ts", "text", "blocks", "edits"}.
    messages: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._faults: deque[_Fault] = deque()
        self._holds: list[Hold] = []
        self._workspace_buckets: dict[str, _Bucket] = {}
        self._channel_buckets: dict[tuple[str, str], _Bucket] = {}
        # OAuth: codes waiting for their exchange, tokens issued, refresh tokens not yet used.
        self._codes: dict[str, FakeWorkspace] = {}
        self._tokens: dict[str, FakeWorkspace] = {}
        self._refresh: dict[str, FakeWorkspace] = {}
        self.revoked: set[str] = set()
        self.refreshes = 0  # refresh tokens spent
        self.refresh_attempts = 0  # refresh exchanges asked for, spent or refused
        self.crossed: list[Call] = []  # calls naming a person or channel of another workspace
        self._lock = threading.Condition()
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._handlers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "apps.connections.open": self._connections_open,
            "conversations.join": self._conversations_join,
            "files.getUploadURLExternal": self._upload_url,
            "files.completeUploadExternal": self._complete_upload,
            "auth.test": self._auth_test,
            "oauth.v2.access": self._oauth_access,
            "chat.postMessage": self._post_message,
            "chat.update": self._update_message,
            "chat.postEphemeral": lambda args: {"ok": True, "message_ts": self._ts()},
            "conversations.open": self._conversations_open,
            "users.info": self._users_info,
            "users.list": self._users_list,
            "views.publish": self._view,
            "views.open": self._view,
            "views.update": self._view,
            "views.push": self._view,
        }

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        """Serve on a free loopback port in a background thread."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(length)
                if self.path.startswith(UPLOAD_PATH):
                    status, headers, payload = fake._receive_upload(self.path, data)
                else:
                    status, headers, payload = fake._handle(self.path, self.headers, data.decode())
                body = json.dumps(payload).encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="fake-slack", daemon=True
        ).start()
        return self

    def stop(self) -> None:
        """Release every hold and stop serving."""
        for hold in self._holds:
            hold.release()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def response_url(self) -> str:
        """A URL to put in slash-command payloads; what mentorbot posts there is recorded."""
        return self.base_url.removesuffix("/api/") + RESPONSE_PATH + "T0MENTOR/1/secret"

    def responses(self) -> list[dict[str, Any]]:
        """Everything posted to response URLs, oldest first (ephemeral replies after the ack)."""
        return [call.args for call in self.calls_to(RESPONSE_URL)]

    def add_channel(self, channel_id: str, *, private: bool = False, bot_is_member: bool = False) -> None:
        """A channel whose membership chat.postMessage checks, as Slack does."""
        self.channels[channel_id] = {"private": private, "bot_is_member": bot_is_member}

    @property
    def base_url(self) -> str:
        """The URL to give `WebClient(base_url=...)` or SLACK_API_URL."""
        assert self._server is not None, "FakeSlack is not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/api/"

    # -- test controls ---------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int = 500,
        retry_after: int | None = None,
        times: int = 1,
        error: str | None = None,
    ) -> None:
        """Answer the next `times` calls to `method` with `status` (429 carries Retry-After), or with
        Slack's `error` (as `{"ok": false}` with status 200 when `status` is left at 500)."""
        if error is not None and status == 500:
            status = 200
        error = error or ("ratelimited" if status == 429 else "internal_error")
        if status == 429 and retry_after is None:
            retry_after = 1
        with self._lock:
            for _ in range(times):
                self._faults.append(_Fault(method, status, retry_after, {"ok": False, "error": error}))

    def recover(self) -> None:
        """Slack is well again: drop the faults still pending."""
        with self._lock:
            self._faults.clear()

    def hold(
        self,
        method: str,
        *,
        when: Callable[[dict[str, Any]], bool] = lambda _args: True,
        timeout: float = 30.0,
    ) -> Hold:
        """Leave calls to `method` that `when(args)` picks unanswered until released (see `Hold`)."""
        hold = Hold(method, when, timeout)
        with self._lock:
            self._holds.append(hold)
        return hold

    def wait_held(self, hold: Hold, count: int, timeout: float = 10.0) -> bool:
        """Wait until `hold` has held `count` calls; False if fewer came within `timeout`."""
        with self._lock:
            return self._lock.wait_for(lambda: hold.held >= count, timeout)

    def add_user(self, user_id: str, **profile: Any) -> dict[str, Any]:
        """Make `users.info` know a person; keyword arguments override the defaults."""
        user = {
            "id": user_id,
            "team_id": self.team_id,
            "name": user_id.lower(),
            "real_name": profile.pop("real_name", f"Person {user_id}"),
            "tz": "Europe/Berlin",
            "deleted": False,
            "is_bot": False,
            "is_admin": False,
            "is_owner": False,
            **profile,
        }
        self.users[user_id] = user
        return user

    def message(self, channel: str, ts: str) -> dict[str, Any]:
        """A copy of a posted message as it reads now (after any chat.update); fails if unknown."""
        with self._lock:
            found = self.messages.get((channel, ts))
            assert found is not None, f"no message {ts} in {channel}"
            return copy.deepcopy(found)

    def ephemeral_of(self, call: Call) -> dict[str, Any]:
        """An ephemeral message as its one reader sees it, to press its buttons (`SlackSender.press`)."""
        blocks = call.args.get("blocks")
        return {
            "channel": call.args["channel"],
            "ts": call.response["message_ts"],
            "text": call.args.get("text"),
            "blocks": json.loads(blocks) if isinstance(blocks, str) else blocks,
            "ephemeral": True,
        }

    def message_of(self, call: Call) -> dict[str, Any]:
        """The current state of the message a successful chat.postMessage `call` created."""
        return self.message(call.response["channel"], call.response["ts"])

    def calls_to(self, method: str) -> list[Call]:
        """Every recorded call to `method`, oldest first."""
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def last(self, method: str) -> Call:
        """The newest call to `method`; fails the test if there is none."""
        found = self.calls_to(method)
        assert found, f"Slack's {method} was never called; calls were {[c.method for c in self.calls]}"
        return found[-1]

    def wait_for(self, method: str, count: int = 1, timeout: float = 30.0) -> list[Call]:
        """Wait until `method` has been called `count` times (listeners run after the ack)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [call for call in self.calls if call.method == method]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                assert remaining > 0, (
                    f"expected {count} call(s) to {method}, got {len(found)}; "
                    f"calls were {[c.method for c in self.calls]}"
                )
                self._lock.wait(remaining)

    def wait(self, condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
        """Wait until `condition` holds, woken by each call Slack receives, e.g. a count of messages."""
        with self._lock:
            assert self._lock.wait_for(condition, timeout), f"waited {timeout} s for {what}"

    def wait_until(self, method: str, matches: Callable[[Call], bool], timeout: float = 30.0) -> Call:
        """Wait for a call to `method` that `matches`, e.g. a message to one person."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [call for call in self.calls if call.method == method and matches(call)]
                if found:
                    return found[0]
                remaining = deadline - time.monotonic()
                assert remaining > 0, (
                    f"no matching call to {method}; calls were {[c.method for c in self.calls]}"
                )
                self._lock.wait(remaining)

    def reset(self) -> None:
        """Forget recorded calls, posts and pending faults, and refill the rate-limit buckets."""
        with self._lock:
            self.calls.clear()
            self.posted.clear()
            self.messages.clear()
            self.rate_limited = 0
            self._faults.clear()
            self._workspace_buckets.clear()
            self._channel_buckets.clear()

    # -- the server side -------------------------------------------------------------------------

    def _handle(self, path: str, headers: Any, raw: str) -> tuple[int, dict[str, str], dict[str, Any]]:
        args = _parse_args(headers.get("Content-Type") or "", raw)
        if path.startswith(RESPONSE_PATH):
            # A slash command's response_url: no token, the URL itself is the credential.
            with self._lock:
                self.calls.append(
                    Call(
                        method=RESPONSE_URL, args=args, token=None, at=time.monotonic(), response={"ok": True}
                    )
                )
                self._lock.notify_all()
            return 200, {}, {"ok": True}
        method = path.removeprefix("/api/").split("?")[0]
        auth = headers.get("Authorization") or ""
        token = auth.removeprefix("Bearer ").strip() if auth.startswith("Bearer ") else args.get("token")
        if auth.startswith("Basic "):  # oauth.v2.access: the app's client id and secret
            token = None
            args = {**args, "_basic": base64.b64decode(auth.removeprefix("Basic ")).decode()}
        with self._lock:
            hold = next(
                (h for h in self._holds if h.method == method and not h.released.is_set() and h.when(args)),
                None,
            )
            if hold is not None:
                hold.held += 1
                self._lock.notify_all()
        if hold is not None:
            hold.released.wait(hold.timeout)
        with self._lock:
            fault = next((f for f in self._faults if f.method == method), None)
            if fault is not None:
                self._faults.remove(fault)
        status, extra, body = self._answer(method, token, args, fault)
        with self._lock:
            if method == "chat.postMessage" and body.get("ok"):
                channel, text = str(args.get("channel")), str(args.get("text"))
                self.posted.append(Posted(time.monotonic(), channel, text, self.team_of(token)))
            call = Call(
                method=method,
                args=args,
                token=token,
                at=time.monotonic(),
                response=body,
                sent_at=self.now,
                team=self.team_of(token),
            )
            self.calls.append(call)
            if body.get("crossed"):
                self.crossed.append(call)
            self._lock.notify_all()
        return status, extra, body

    def _answer(
        self, method: str, token: str | None, args: dict[str, Any], fault: _Fault | None
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        if fault is not None:
            extra = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            return fault.status, extra, fault.body
        if method == "oauth.v2.access":
            return 200, {}, self._oauth_access(args)
        if not token:
            return 200, {}, {"ok": False, "error": "not_authed"}
        if token in self.revoked:
            return 200, {}, {"ok": False, "error": "token_revoked"}
        expected = self.app_token if method in APP_TOKEN_METHODS else self.token
        if token != expected and (method in APP_TOKEN_METHODS or token not in self._tokens):
            wrong_kind = token in (self.token, self.app_token)
            return 200, {}, {"ok": False, "error": "not_allowed_token_type" if wrong_kind else "invalid_auth"}
        team = self.team_of(token) or self.team_id
        crossed = self._crossed(team, method, args)
        if crossed:
            return 200, {}, {"ok": False, "error": crossed, "crossed": True}
        if method == "auth.test":
            return 200, {}, self._auth_test({"_team": team})
        if method == "chat.postMessage" and self.rate_limits is not None:
            wait = self._take_token(str(args.get("channel") or ""), team)
            if wait > 0:
                retry_after = str(max(1, math.ceil(wait)))
                return 429, {"Retry-After": retry_after}, {"ok": False, "error": "ratelimited"}
        handler = self._handlers.get(method, lambda _args: {"ok": True})
        return 200, {}, handler(args)

    def _take_token(self, channel: str, team: str) -> float:
        """Spend one token of the workspace's and the channel's bucket, or say how long to wait."""
        limits = self.rate_limits
        assert limits is not None
        now = time.monotonic()
        with self._lock:
            workspace = self._workspace_buckets.get(team)
            if workspace is None:
                workspace = self._workspace_buckets[team] = _Bucket(
                    limits.per_minute / 60, limits.workspace_burst, now
                )
            bucket = self._channel_buckets.get((team, channel))
            if bucket is None:
                bucket = _Bucket(limits.per_channel_per_second, limits.channel_burst, now)
                self._channel_buckets[(team, channel)] = bucket
            wait = max(workspace.wait(now), bucket.wait(now))
            if wait > 0:
                self.rate_limited += 1
                return wait
            workspace.tokens -= 1
            bucket.tokens -= 1
            return 0.0

    def _ts(self) -> str:
        return f"{int(time.time())}.{next(self._ids):06d}"

    def _upload_url(self, args: dict[str, Any]) -> dict[str, Any]:
        file_id = f"F{next(self._ids):08d}"
        with self._lock:
            self.files[file_id] = {"filename": args.get("filename"), "content": None, "channel": None}
        upload_url = self.base_url.removesuffix("/api/") + UPLOAD_PATH + file_id
        return {"ok": True, "upload_url": upload_url, "file_id": file_id}

    def _receive_upload(self, path: str, data: bytes) -> tuple[int, dict[str, str], dict[str, Any]]:
        file_id = path.removeprefix(UPLOAD_PATH)
        with self._lock:
            if file_id not in self.files:
                return 404, {}, {"ok": False, "error": "file_not_found"}
            self.files[file_id]["content"] = data
        return 200, {}, {"ok": True}

    def _complete_upload(self, args: dict[str, Any]) -> dict[str, Any]:
        listed = args.get("files")
        listed = json.loads(listed) if isinstance(listed, str) else listed or []
        completed = []
        with self._lock:
            for entry in listed:
                stored = self.files.get(entry.get("id"))
                if stored is None or stored["content"] is None:
                    return {"ok": False, "error": "file_not_found"}
                stored |= {
                    "channel": args.get("channel_id"),
                    "title": entry.get("title"),
                    "comment": args.get("initial_comment"),
                }
                completed.append({"id": entry["id"], "title": entry.get("title")})
        return {"ok": True, "files": completed}

    def _conversations_join(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.channels.get(str(args.get("channel")))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        if channel["private"]:
            return {"ok": False, "error": "method_not_supported_for_channel_type"}
        channel["bot_is_member"] = True
        return {"ok": True, "channel": {"id": args.get("channel")}}

    def _connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if self.socket_url is None:
            return {"ok": False, "error": "internal_error", "warning": "FakeSlack.socket_url is not set"}
        return {"ok": True, "url": self.socket_url}

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        installed = next((w for w in self._tokens.values() if w.world == args.get("_team")), None)
        if installed is not None:
            return {
                "ok": True,
                "url": f"https://{installed.team_id.lower()}.slack.com/",
                "team": installed.name,
                "team_id": installed.team_id,
                "enterprise_id": installed.enterprise_id,
                "user": "mentorbot",
                "user_id": f"UBOT{installed.world}",
                "bot_id": f"BBOT{installed.world}",
                "is_enterprise_install": installed.org_wide,
            }
        return {
            "ok": True,
            "url": "https://mentorbot-test.slack.com/",
            "team": "Mentorbot Test",
            "team_id": self.team_id,
            "user": "mentorbot",
            "user_id": BOT_USER_ID,
            "bot_id": "BMENTORBOT",
        }

    # -- OAuth and several workspaces ------------------------------------------------------------

    def approve(self, workspace: FakeWorkspace) -> str:
        """Someone allowed the install in `workspace`: the code Slack redirects to the app with."""
        code = f"code-{workspace.team_id}-{next(self._ids)}"
        with self._lock:
            self._codes[code] = workspace
        return code

    def team_of(self, token: str | None) -> str | None:
        """The workspace (or org) a token speaks for; None for no token or one never issued."""
        if token == self.token:
            return self.team_id
        workspace = self._tokens.get(token or "")
        return workspace.world if workspace is not None else None

    def tokens_of(self, team: str) -> set[str]:
        """Every bot token issued to `team` (a workspace, or an org installed org-wide)."""
        with self._lock:
            issued = {token for token, w in self._tokens.items() if w.world == team}
        return issued | ({self.token} if team == self.team_id else set())

    def uninstall(self, team: str) -> None:
        """Slack revokes every token of the workspace when the app is uninstalled."""
        with self._lock:
            self.revoked |= self.tokens_of(team)

    def _crossed(self, team: str, method: str, args: dict[str, Any]) -> str | None:
        """Why a call names someone or somewhere outside `team`, as Slack would say it; None if not."""
        if method == "conversations.open":
            named = str(args.get("users") or "").split(",")
        elif method in ("users.info",):
            named = [str(args.get("user") or "")]
        elif method in ("chat.postMessage", "chat.postEphemeral", "chat.update"):
            named = [str(args.get("channel") or ""), str(args.get("user") or "")]
        else:
            return None
        for user_id in filter(None, named):
            person = self.users.get(user_id)
            if person is None:
                continue
            home = person.get("enterprise_id") if team.startswith("E") else person.get("team_id")
            if home != team:
                return "user_not_found" if method != "chat.postMessage" else "channel_not_found"
        return None

    def _oauth_access(self, args: dict[str, Any]) -> dict[str, Any]:
        basic = str(args.get("_basic") or "")
        client_id, _, client_secret = basic.partition(":") if basic else (args.get("client_id"), "", "")
        if not basic:
            client_secret = str(args.get("client_secret") or "")
        if client_id != CLIENT_ID or client_secret != CLIENT_SECRET:
            return {
                "ok": False,
                "error": "invalid_client_id" if client_id != CLIENT_ID else "bad_client_secret",
            }
        with self._lock:
            if args.get("grant_type") == "refresh_token":
                self.refresh_attempts += 1
                workspace = self._refresh.pop(str(args.get("refresh_token") or ""), None)
                if workspace is None:
                    return {"ok": False, "error": "invalid_refresh_token"}
                self.refreshes += 1
                return {"ok": True, "token_type": "bot", **self._issue(workspace, REFRESHED_EXPIRES_IN)}
            workspace = self._codes.pop(str(args.get("code") or ""), None)
            if workspace is None:
                return {"ok": False, "error": "invalid_code"}
            issued = self._issue(workspace)
        enterprise = {"id": workspace.enterprise_id, "name": "Grid Org"} if workspace.enterprise_id else None
        return {
            "ok": True,
            "app_id": "AMENTORBOT",
            "authed_user": {"id": workspace.installer},
            "scope": "commands,chat:write,im:write,mpim:write,users:read,channels:join,files:write",
            "token_type": "bot",
            "bot_user_id": f"UBOT{workspace.world}",
            "team": None if workspace.org_wide else {"id": workspace.team_id, "name": workspace.name},
            "enterprise": enterprise,
            "is_enterprise_install": workspace.org_wide,
            **issued,
        }

    def _issue(self, workspace: FakeWorkspace, expires_in: int | None = None) -> dict[str, Any]:
        token = f"xoxb-{workspace.world}-{next(self._ids)}"
        self._tokens[token] = workspace
        if not workspace.rotating:
            return {"access_token": token}
        refresh = f"xoxe-1-{workspace.world}-{next(self._ids)}"
        self._refresh[refresh] = workspace
        return {
            "access_token": token,
            "refresh_token": refresh,
            "expires_in": expires_in or workspace.expires_in,
        }

    def _post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel") or "")
        if not channel or (channel.startswith("C") and channel not in self.channels):
            return {"ok": False, "error": "channel_not_found"}
        if channel in self.channels and not self.channels[channel]["bot_is_member"]:
            return {"ok": False, "error": "not_in_channel"}
        if not args.get("text") and not args.get("blocks"):
            return {"ok": False, "error": "no_text"}
        problems = block_kit_problems(_blocks(args.get("blocks")), surface="message")
        if problems:
            return {"ok": False, "error": "invalid_blocks", "errors": problems}
        ts = self._ts()
        with self._lock:
            self.messages[(channel, ts)] = {
                "channel": channel,
                "ts": ts,
                "text": args.get("text"),
                "blocks": _blocks(args.get("blocks")),
                "edits": 0,
            }
        return {"ok": True, "channel": channel, "ts": ts, "message": {"text": args.get("text")}}

    def _update_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(args.get("channel") or ""), str(args.get("ts") or "")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        with self._lock:
            current = self.messages.get((channel, ts))
        if current is None:
            return {"ok": False, "error": "message_not_found"}
        if not args.get("text") and not args.get("blocks"):
            return {"ok": False, "error": "no_text"}
        blocks = _blocks(args.get("blocks"))
        problems = block_kit_problems(blocks, surface="message")
        if problems:
            return {"ok": False, "error": "invalid_blocks", "errors": problems}
        with self._lock:
            # As Slack does, blocks left out of an update are kept when only text changes.
            current |= {
                "text": args.get("text"),
                "blocks": blocks if "blocks" in args else current["blocks"],
                "edits": current["edits"] + 1,
            }
        return {"ok": True, "channel": channel, "ts": ts, "text": args.get("text")}

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        users = str(args.get("users") or "")
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        prefix = "G" if "," in users else "D"
        return {"ok": True, "channel": {"id": f"{prefix}{abs(hash(users)) % 10**8:08d}"}}

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(str(args.get("user")))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": user}

    def _users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        """Members in pages, like Slack: `limit` per page and a `next_cursor` until the last page."""
        start = int(str(args.get("cursor") or "0").removeprefix("next:") or 0)
        size = min(int(args.get("limit") or self.users_list_page), self.users_list_page)
        members = list(self.users.values())[start : start + size]
        more = start + size < len(self.users)
        return {
            "ok": True,
            "members": members,
            "response_metadata": {"next_cursor": f"next:{start + size}" if more else ""},
        }

    def _view(self, args: dict[str, Any]) -> dict[str, Any]:
        view = args.get("view")
        if isinstance(view, str):
            view = json.loads(view)
        if not isinstance(view, dict):
            return {"ok": False, "error": "invalid_arguments"}
        problems = block_kit_problems(view.get("blocks") or [], surface=view.get("type", "modal"), view=view)
        if problems:
            return {"ok": False, "error": "invalid_arguments", "response_metadata": {"messages": problems}}
        return {"ok": True, "view": {"id": f"V{next(self._ids):08d}", **view}}


def _parse_args(content_type: str, raw: str) -> dict[str, Any]:
    if not raw:
        return {}
    if content_type.startswith("application/json"):
        return json.loads(raw)
    return {key: values[-1] for key, values in parse_qs(raw, keep_blank_values=True).items()}


def _blocks(raw: Any) -> list[dict[str, Any]]:
    if isinstance(raw, str):
        return json.loads(raw)
    return raw or []
