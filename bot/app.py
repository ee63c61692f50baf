"""The app factory: builds a Bolt `App` with every listener, and nothing happens at import."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.clock import Clock, system_clock
from bot.config import Settings
from bot.deps import Deps
from handlers import register_all
from storage.db import SessionFactory


def create_client(settings: Settings) -> WebClient:
    """A Web API client for `settings`: honours SLACK_API_URL and waits out one rate limit."""
    return WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )


def create_sending_client(settings: Settings) -> WebClient:
    """A Web API client for the clock: no automatic retries, so the send path decides them.

    slack-sdk's default retries connection errors, which can post a message twice when the first
    attempt did arrive.
    """
    return WebClient(
        token=settings.slack_bot_token, base_url=settings.slack_api_url, timeout=10, retry_handlers=[]
    )


def create_app(
    settings: Settings,
    session_factory: SessionFactory,
    client: WebClient | None = None,
    *,
    clock: Clock = system_clock,
    verify_token: bool = True,
) -> App:
    """A Bolt app wired to `session_factory`; `verify_token` calls auth.test now to fail fast."""
    app = App(
        client=client or create_client(settings),
        signing_secret=settings.slack_signing_secret or "",
        token_verification_enabled=verify_token,
        logger=logging.getLogger("mentorbot.bolt"),
        name="mentorbot",
    )
    register_all(app, Deps(settings=settings, session_factory=session_factory, clock=clock))
    return app
