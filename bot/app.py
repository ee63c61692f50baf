"""The app factory: builds a Bolt `App` with every listener, and nothing happens at import.

Slack wants every request acknowledged within 3 s, and Bolt acknowledges from listener threads, so
no listener may hold a thread for long and there must be threads to spare: each Slack call is
bounded (`SLACK_TIMEOUT`, and a rate limit is waited out only when it is short), each database wait
is bounded (storage.db), and the pool is sized for many slow calls at once (`LISTENER_THREADS`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.http_retry.handler import RetryState
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse

from bot.clock import Clock, system_clock
from bot.config import Settings
from bot.deps import Deps
from bot.installs import NOT_INSTALLED, Installations, WorkspaceAuthorize, note_request_team
from bot.workspaces import installed
from handlers import register_all
from storage.db import SessionFactory

# Seconds one Web API call may take while a person waits (a trigger_id lives 3 s anyway).
SLACK_TIMEOUT = 5
# A rate limit is waited out in the listener's thread only when Slack asks for this little.
SHORT_RATE_LIMIT = 3
# Threads per web worker for Bolt's listeners. Bolt's default of 5 let five hung views.open calls
# leave every later request unacknowledged; threads start only when work needs them, and a
# listener holds one for at most a few bounded calls.
LISTENER_THREADS = 64


class ShortRateLimitRetry(RateLimitErrorRetryHandler):
    """Retry a 429 once when its Retry-After is short; a longer wait would hold a listener thread."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if not super()._can_retry(state=state, request=request, response=response, error=error):
            return False
        assert response is not None
        waits = [v for k, vs in response.headers.items() if k.lower() == "retry-after" for v in vs]
        return not waits or (waits[0].isdigit() and int(waits[0]) <= SHORT_RATE_LIMIT)


class ListenerPool(ThreadPoolExecutor):
    """Bolt's listener threads, counting the work in flight so a shutdown or a test can wait for it."""

    def __init__(self, max_workers: int = LISTENER_THREADS) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="listener")
        self._busy = 0
        self._changed = threading.Condition()

    def submit(self, fn: Callable, /, *args: object, **kwargs: object) -> Future:
        """Run `fn` on a listener thread, counted until it returns."""
        with self._changed:
            self._busy += 1
        try:
            future = super().submit(fn, *args, **kwargs)
        except BaseException:
            self._finished(None)
            raise
        future.add_done_callback(self._finished)
        return future

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no listener is running or queued; False if that took longer than `timeout`."""
        with self._changed:
            return self._changed.wait_for(lambda: self._busy == 0, timeout)

    def _finished(self, _future: Future | None) -> None:
        with self._changed:
            self._busy -= 1
            self._changed.notify_all()


def create_client(settings: Settings, token: str | None = None) -> WebClient:
    """A Web API client for listeners: honours SLACK_API_URL, bounded in time, waits out short rate limits.

    Its token is `token`, else the one bot token (none in OAuth mode: Bolt sets each request's).
    """
    return WebClient(
        token=token or (None if settings.oauth else settings.slack_bot_token),
        base_url=settings.slack_api_url,
        timeout=SLACK_TIMEOUT,
        retry_handlers=[ShortRateLimitRetry(max_retry_count=1)],
    )


def create_sending_client(settings: Settings, token: str | None = None) -> WebClient:
    """A Web API client for the clock: no automatic retries, so the send path decides them.

    slack-sdk's default retries connection errors, which can post a message twice when the first
    attempt did arrive.
    """
    return WebClient(
        token=token or settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=[],
    )


def create_installations(
    settings: Settings, session_factory: SessionFactory, *, sending: bool
) -> Installations:
    """OAuth mode's installations, handing out listener clients or (`sending`) the clock's."""
    engine = session_factory.kw["bind"]
    make = create_sending_client if sending else create_client
    return Installations(settings, engine, session_factory, lambda token: make(settings, token))


def create_app(
    settings: Settings,
    session_factory: SessionFactory,
    client: WebClient | None = None,
    *,
    clock: Clock = system_clock,
    verify_token: bool = True,
    listeners: ListenerPool | None = None,
) -> App:
    """A Bolt app wired to `session_factory`; `verify_token` calls auth.test now to fail fast.

    In OAuth mode it also serves Bolt's install flow, and answers each workspace with its own token.
    """
    common = {
        "client": client or create_client(settings),
        "signing_secret": settings.slack_signing_secret or "",
        "logger": logging.getLogger("mentorbot.bolt"),
        "name": "mentorbot",
        "listener_executor": listeners or ListenerPool(),
    }
    if not settings.oauth:
        app = App(
            token_verification_enabled=verify_token,
            before_authorize=note_request_team(org_worlds=False),
            **common,  # type: ignore[arg-type]
        )
    else:
        installations = create_installations(settings, session_factory, sending=False)

        def on_installed(team_id: str, enterprise_id: str | None, name: str | None) -> None:
            with session_factory.begin() as session:
                installed(session, team_id, enterprise_id, name, clock())

        app = App(
            before_authorize=note_request_team(org_worlds=True),
            authorize=WorkspaceAuthorize(installations),  # type: ignore[arg-type]  # None: not installed
            oauth_settings=installations.oauth_settings(on_installed),
            user_facing_authorize_error_message=NOT_INSTALLED,
            **common,  # type: ignore[arg-type]
        )
    register_all(app, Deps(settings=settings, session_factory=session_factory, clock=clock))
    return app
