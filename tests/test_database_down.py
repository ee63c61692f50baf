"""The database down, hung, read-only or locked: people are asked to try again, nobody is left hanging.

Each outage is real: a closed port, a port that never answers, a read-only session, a lock held
by another connection, a link cut and restored. Slack must get its answer (no 404, no 500), the
person an apology, and the bot must work again by itself once the database is back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from bot import ids
from bot.app import create_app
from bot.config import Settings
from bot.views.errors import DATABASE_DOWN
from bot.web import SLACK_PATH, create_wsgi_app
from storage.db import SessionFactory, create_db_engine, create_session_factory
from storage.models import Goal
from tests.conftest import TestDatabase
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import SlackSender
from tests.outages import Link, closed_port, silent_port
from tests.serving import serve
from tests.test_goals import goal_fields, open_goal_form

Serve = Callable[[str], "contextmanager[SlackSender]"]


@pytest.fixture
def bot_on(settings: Settings, fake_slack: FakeSlack) -> Iterator[Callable]:
    """Serve a second mentorbot whose database is at the URL given; yields a sender for it."""
    engines = []

    @contextmanager
    def start(url: str) -> Iterator[SlackSender]:
        engine = create_db_engine(url)
        engines.append(engine)
        app = create_app(replace(settings, database_url=url), create_session_factory(engine))
        with serve(create_wsgi_app(app, engine)) as base:
            yield SlackSender(base + SLACK_PATH, response_url=fake_slack.response_url)

    yield start
    for engine in engines:
        engine.dispose()


def _apologies(fake_slack: FakeSlack) -> list[str]:
    return [r.get("text", "") for r in fake_slack.responses() if r.get("text") == DATABASE_DOWN]


def test_goals_says_try_again_when_postgres_refuses(bot_on: Callable, fake_slack: FakeSlack) -> None:
    with bot_on(f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/gone") as slack:
        reply = slack.slash("goals")

    assert reply.status == 200
    assert reply.json() == {"response_type": "ephemeral", "text": DATABASE_DOWN}


def test_commands_that_ack_first_are_acknowledged_though_the_database_fails_right_after(
    bot_on: Callable, fake_slack: FakeSlack
) -> None:
    with bot_on(f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/gone") as slack:
        replies = [slack.slash("goal", user_id=f"U{n:04d}") for n in range(20)]
        fake_slack.wait_for("response_url", count=20)

    assert [r.status for r in replies] == [200] * 20
    assert len(_apologies(fake_slack)) == 20


def test_buttons_that_ack_first_are_acknowledged_though_the_database_fails_right_after(
    bot_on: Callable, fake_slack: FakeSlack
) -> None:
    # No response URL and no trigger: nothing slows the failure down between the ack and the error.
    click = {
        "type": "block_actions",
        "user": {"id": "UTOM", "team_id": "T0MENTOR"},
        "container": {"type": "view", "view_id": "V0HOME"},
        "view": {"id": "V0HOME", "type": "home", "private_metadata": ""},
        "actions": [{"action_id": ids.PROGRESS_OPEN, "block_id": "b", "value": "1", "type": "button"}],
    }
    with bot_on(f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/gone") as slack:
        replies = [slack.interaction(click) for _ in range(20)]

    assert [r.status for r in replies] == [200] * 20


def test_a_hung_database_costs_an_apology_and_others_are_still_answered(
    bot_on: Callable, fake_slack: FakeSlack
) -> None:
    with silent_port() as port, bot_on(f"postgresql+psycopg://postgres@127.0.0.1:{port}/hung") as slack:
        goals = slack.slash("goals")
        helped = slack.slash("help")

    assert goals.status == 200
    assert goals.json()["text"] == DATABASE_DOWN
    assert helped.status == 200
    assert "/mentor" in helped.body


def test_healthz_says_503_when_the_database_hangs(settings: Settings) -> None:
    with silent_port() as port:
        engine = create_db_engine(f"postgresql+psycopg://postgres@127.0.0.1:{port}/hung")
        app = create_app(settings, create_session_factory(engine))
        with serve(create_wsgi_app(app, engine)) as base:
            first, second = _get(base + "/healthz"), _get(base + "/healthz")
        engine.dispose()

    assert first == second == 503


def _get(url: str) -> int:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _read_only_url(database: TestDatabase) -> str:
    if database.kind == "sqlite":
        path = make_url(database.url).database
        return f"sqlite:///file:{path}?mode=ro&uri=true"
    url = make_url(database.url)
    options = f"{url.query.get('options', '')} -c default_transaction_read_only=on".strip()
    return url.update_query_dict({"options": options}).render_as_string(hide_password=False)


@contextmanager
def _locked(database: TestDatabase) -> Iterator[None]:
    """Another connection holds the lock a goal needs, in an open transaction, until the block ends."""
    if database.kind == "sqlite":
        holder = sqlite3.connect(make_url(database.url).database, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    with database.engine.connect() as holder:
        holder.execute(text("LOCK TABLE goals IN ACCESS EXCLUSIVE MODE"))
        try:
            yield
        finally:
            holder.rollback()


def _goal_count(session_factory: SessionFactory) -> int:
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(Goal)) or 0


@pytest.mark.parametrize("outage", ["read-only", "locked"])
def test_a_goal_submitted_while_the_database_cannot_write_is_answered_with_an_apology(
    paired: SlackSender,
    fake_slack: FakeSlack,
    bot_on: Callable,
    database: TestDatabase,
    session_factory: SessionFactory,
    outage: str,
) -> None:
    view = open_goal_form(paired, fake_slack)
    url = _read_only_url(database) if outage == "read-only" else database.url

    with bot_on(url) as slack:
        if outage == "read-only":
            reply = slack.submit(view, goal_fields(), user_id="UTOM")
        else:
            with _locked(database):
                reply = slack.submit(view, goal_fields(), user_id="UTOM")

    assert reply.status == 200
    answer = reply.json()
    assert answer["response_action"] == "push"
    assert DATABASE_DOWN in str(answer["view"]["blocks"])
    assert _goal_count(session_factory) == 0
    assert paired.submit(view, goal_fields(), user_id="UTOM").status == 200
    assert _goal_count(session_factory) == 1


def test_the_bot_works_again_by_itself_when_postgres_returns(
    bot_on: Callable, fake_slack: FakeSlack, database: TestDatabase
) -> None:
    if database.kind != "postgresql":
        pytest.skip("a SQLite file has no connection to lose")
    url = make_url(database.url)
    link = Link(url.host or "127.0.0.1", url.port or 5432)
    try:
        with bot_on(url.set(port=link.port).render_as_string(hide_password=False)) as slack:
            before = slack.slash("goals", user_id="UTOM").json()
            link.cut()
            during = slack.slash("goals", user_id="UTOM").json()
            link.restore()
            after = slack.slash("goals", user_id="UTOM").json()
    finally:
        link.close()

    assert before["text"] != DATABASE_DOWN
    assert during["text"] == DATABASE_DOWN
    assert after == before
