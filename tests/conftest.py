"""Shared fixtures: real databases (SQLite and PostgreSQL), a fake Slack, and mentorbot over HTTP.

Storage tests run once per database. PostgreSQL comes from MENTORBOT_TEST_POSTGRES_URL; without
it those tests are skipped with a reason, except under CI (CI=true or MENTORBOT_REQUIRE_POSTGRES=1),
where a missing or unreachable PostgreSQL fails the run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bot.app import ListenerPool, create_app
from bot.clock import Clock
from bot.config import Settings, normalize_database_url
from bot.web import SLACK_PATH, create_wsgi_app
from storage.db import SessionFactory, create_db_engine, create_session_factory
from storage.migrate import upgrade
from storage.models import Base
from tests.fakes.slack_api import BOT_TOKEN, FakeSlack
from tests.fakes.slack_requests import SIGNING_SECRET, SlackSender
from tests.installing import hosted  # noqa: F401 - mentorbot installed through Slack
from tests.scenarios import paired, program  # noqa: F401 - fixtures shared by conversation tests
from tests.serving import serve

POSTGRES_ENV = "MENTORBOT_TEST_POSTGRES_URL"
# Seconds a test waits for listeners to finish their work after the ack: generous, for busy CI.
LISTENER_DEADLINE = 30.0


def postgres_required() -> bool:
    """True where PostgreSQL tests must run rather than skip."""
    flags = (os.environ.get("CI", ""), os.environ.get("MENTORBOT_REQUIRE_POSTGRES", ""))
    return any(flag.lower() in ("1", "true", "yes") for flag in flags)


@dataclass(frozen=True)
class TestDatabase:
    """A migrated database for the test session: its URL and engine."""

    __test__ = False
    kind: str
    url: str
    engine: Engine


@contextmanager
def _postgres_schema() -> Iterator[str]:
    """A new, empty PostgreSQL schema for this test run; yields a URL whose search_path is it."""
    raw = os.environ.get(POSTGRES_ENV)
    if not raw:
        reason = f"PostgreSQL tests need {POSTGRES_ENV} (e.g. postgresql://postgres@127.0.0.1:5432/test)"
        if postgres_required():
            pytest.fail(f"{reason}; CI must run them", pytrace=False)
        pytest.skip(reason)
    base_url = normalize_database_url(raw)
    schema = f"mentorbot_test_{uuid.uuid4().hex[:12]}"
    admin = create_db_engine(base_url)
    try:
        try:
            with admin.begin() as connection:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        except OperationalError as error:
            where = make_url(base_url).render_as_string()
            pytest.fail(f"cannot reach PostgreSQL at {where}: {error.orig}", pytrace=False)
        url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


@contextmanager
def _empty_database(kind: str, folder: Path) -> Iterator[str]:
    """The URL of a database with no tables yet, of `kind` "sqlite" or "postgresql"."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'mentorbot.db'}"
    else:
        with _postgres_schema() as url:
            yield url


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestDatabase]:
    """A migrated database, once per kind for the whole session."""
    with _empty_database(request.param, tmp_path_factory.mktemp("db")) as url:
        engine = create_db_engine(url)
        upgrade(engine)
        yield TestDatabase(request.param, url, engine)
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no schema yet, for migration and start-up tests."""
    with _empty_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def session_factory(database: TestDatabase) -> Iterator[SessionFactory]:
    """Sessions on the test database; every row is deleted again after the test."""
    yield create_session_factory(database.engine)
    with database.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(delete(table))


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    """A fake Slack Web API over HTTP, recording every call.

    After each test, every view and message mentorbot sent must have been valid Block Kit: the
    fake refuses invalid ones as Slack does, and that refusal fails the test here.
    """
    with FakeSlack() as fake:
        yield fake
    refused = [
        f"{call.method}: {call.response.get('errors') or call.response.get('response_metadata')}"
        for call in fake.calls
        if call.response.get("error") in ("invalid_blocks", "invalid_arguments")
    ]
    assert not refused, "Slack would have refused these:\n" + "\n".join(refused)


@pytest.fixture
def settings(fake_slack: FakeSlack, database: TestDatabase) -> Settings:
    """Settings that point mentorbot at the fake Slack and the test database."""
    return Settings(
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        database_url=database.url,
        slack_api_url=fake_slack.base_url,
    )


@pytest.fixture
def listeners() -> Iterator[ListenerPool]:
    """The threads mentorbot's listeners run on; `listeners.wait_idle(...)` waits for their work."""
    pool = ListenerPool()
    yield pool
    pool.shutdown(wait=False, cancel_futures=True)


def daytime_clock() -> Clock:
    """The clock of the app under test: today from 15:00 UTC, running on in real time.

    That is daytime for the test's people in Europe and the Americas' east and middle (night in
    Tokyo and before 08:00 in Los Angeles), so what mentorbot sends on a click goes out at once or
    waits for the same hours whatever the hour the tests run at.
    """
    started = datetime.now(UTC)
    afternoon = started.replace(hour=15, minute=0, second=0, microsecond=0)
    return lambda: afternoon + (datetime.now(UTC) - started)


@pytest.fixture
def app_clock() -> Clock:
    """The clock the app under test reads; a test module may set its own (quiet hours)."""
    return daytime_clock()


@pytest.fixture
def bot_url(
    settings: Settings,
    session_factory: SessionFactory,
    database: TestDatabase,
    listeners: ListenerPool,
    app_clock: Clock,
) -> Iterator[str]:
    """mentorbot's real WSGI app served over HTTP on loopback; yields its /slack/events URL.

    Teardown waits for listeners still working after their ack, so none of them outlives the
    fake Slack or the database rows of its test.
    """
    app = create_app(settings, session_factory, listeners=listeners, clock=app_clock)
    with serve(create_wsgi_app(app, database.engine)) as base_url:
        yield base_url + SLACK_PATH
        assert listeners.wait_idle(LISTENER_DEADLINE), "listeners still running after the test"


@pytest.fixture
def slack(bot_url: str, fake_slack: FakeSlack) -> SlackSender:
    """Sends mentorbot requests signed like Slack's; replies to response URLs reach the fake."""
    return SlackSender(bot_url, response_url=fake_slack.response_url)


@pytest.fixture
def empty_postgres_url() -> Iterator[str]:
    """An empty PostgreSQL schema, for behaviour only shared databases have."""
    with _postgres_schema() as url:
        yield url
