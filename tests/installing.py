"""Installing mentorbot through Slack in tests: the "Add to Slack" page, Slack's consent, the redirect.

`install(base_url, fake_slack, workspace)` walks the flow a person's browser walks: open
`/slack/install`, follow its "Add to Slack" link (here: the fake Slack approves at once and hands
back a code), and come back to `/slack/oauth_redirect` with that code, the state and the cookie.
"""

from __future__ import annotations

import html
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from bot.app import ListenerPool, create_app
from bot.clock import Clock
from bot.config import Settings
from bot.web import SLACK_PATH, create_wsgi_app
from storage.db import SessionFactory
from tests.fakes.slack_api import CLIENT_ID, CLIENT_SECRET, FakeSlack, FakeWorkspace
from tests.fakes.slack_requests import SIGNING_SECRET, SlackSender
from tests.serving import serve

STATE_SECRET = "a-long-state-secret-for-tests"
COOKIE = "slack-app-oauth-state"


@dataclass(frozen=True)
class Page:
    """What a browser got back."""

    status: int
    body: str
    cookie: str | None = None


def get(url: str, cookie: str | None = None) -> Page:
    """GET `url` as a browser would, with `cookie` if given."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            set_cookie = response.headers.get("Set-Cookie")
            return Page(response.status, response.read().decode(), set_cookie)
    except urllib.error.HTTPError as error:
        return Page(error.code, error.read().decode(errors="replace"))


def start_install(base_url: str) -> tuple[str, str]:
    """Open the "Add to Slack" page: the state in its link to Slack, and the cookie it set."""
    page = get(base_url + "/slack/install")
    assert page.status == 200, page
    link = re.search(r'href="(https://slack\.com/oauth/v2/authorize\?[^"]+)"', page.body)
    assert link, page.body
    query = parse_qs(urlsplit(html.unescape(link.group(1))).query)
    assert query["client_id"] == [CLIENT_ID]
    assert page.cookie
    assert page.cookie.startswith(f"{COOKIE}=")
    return query["state"][0], page.cookie.split(";")[0]


def finish_install(base_url: str, code: str, state: str, cookie: str | None) -> Page:
    """Come back from Slack to the redirect URL with `code` and `state`."""
    return get(f"{base_url}/slack/oauth_redirect?{urlencode({'code': code, 'state': state})}", cookie)


def install(base_url: str, fake_slack: FakeSlack, workspace: FakeWorkspace) -> Page:
    """The whole flow for `workspace`; the page the browser ends on."""
    state, cookie = start_install(base_url)
    return finish_install(base_url, fake_slack.approve(workspace), state, cookie)


def oauth_settings(fake_slack: FakeSlack, database_url: str, **overrides: object) -> Settings:
    """Settings for OAuth mode against the fake Slack."""
    values: dict = {
        "slack_signing_secret": SIGNING_SECRET,
        "database_url": database_url,
        "slack_api_url": fake_slack.base_url,
        "slack_client_id": CLIENT_ID,
        "slack_client_secret": CLIENT_SECRET,
        "slack_state_secret": STATE_SECRET,
    }
    return Settings(**(values | overrides))


@dataclass(frozen=True)
class Hosted:
    """mentorbot in OAuth mode over HTTP: its base URL, settings, and a sender per workspace."""

    base_url: str
    settings: Settings
    fake_slack: FakeSlack
    listeners: ListenerPool  # `listeners.wait_idle(...)` waits for the work a request set off

    def sender(self, team_id: str, **grid: object) -> SlackSender:
        """Requests signed like Slack's, from `team_id`."""
        return SlackSender(
            self.base_url + SLACK_PATH, team_id=team_id, response_url=self.fake_slack.response_url, **grid
        )  # type: ignore[arg-type]


@pytest.fixture
def hosted(
    fake_slack: FakeSlack,
    database,
    session_factory: SessionFactory,
    listeners: ListenerPool,
    app_clock: Clock,
) -> Iterator[Hosted]:
    """mentorbot installed through Slack, serving any number of workspaces."""
    settings = oauth_settings(fake_slack, database.url)
    app = create_app(settings, session_factory, listeners=listeners, clock=app_clock)
    with serve(create_wsgi_app(app, database.engine)) as base_url:
        yield Hosted(base_url, settings, fake_slack, listeners)
        assert listeners.wait_idle(30), "listeners still running after the test"
