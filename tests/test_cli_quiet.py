"""One-shot commands say one line of their own, and one line when the database is not there for them."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from storage.db import create_db_engine
from storage.models import Pair
from tests.clock_process import running_clock
from tests.fakes.slack_api import BOT_TOKEN, FakeSlack
from tests.test_cli import base_env, run
from tests.test_clock_cli import seeded_database

DUE = "2026-10-06T09:00:00+02:00"


def test_db_upgrade_prints_one_line_and_no_migration_chatter(tmp_path: Path) -> None:
    result = run(["db", "upgrade"], base_env(DATABASE_URL=f"sqlite:///{tmp_path / 'm.db'}"), tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert len(result.stdout.strip().splitlines()) == 1
    assert "is at revision" in result.stdout


def test_db_upgrade_verbose_shows_each_migration(tmp_path: Path) -> None:
    result = run(
        ["--verbose", "db", "upgrade"], base_env(DATABASE_URL=f"sqlite:///{tmp_path / 'm.db'}"), tmp_path
    )

    assert result.returncode == 0, result.stderr
    assert "Running upgrade" in result.stderr


def test_db_status_is_quiet(tmp_path: Path) -> None:
    env = base_env(DATABASE_URL=f"sqlite:///{tmp_path / 'm.db'}")
    run(["db", "upgrade"], env, tmp_path)

    result = run(["db", "status"], env, tmp_path)

    assert result.returncode == 0
    assert result.stderr == ""


@pytest.mark.parametrize("outage", ["read-only", "locked"])
def test_dispatch_due_on_a_database_it_cannot_write_fails_with_one_line(
    tmp_path: Path, fake_slack: FakeSlack, outage: str
) -> None:
    url = seeded_database(tmp_path)
    path = url.removeprefix("sqlite:///")
    env = base_env(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_API_URL=fake_slack.base_url)
    if outage == "read-only":
        result = run(
            ["dispatch-due", "--at", DUE],
            env | {"DATABASE_URL": f"sqlite:///file:{path}?mode=ro&uri=true"},
            tmp_path,
        )
    else:
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            result = run(["dispatch-due", "--at", DUE], env | {"DATABASE_URL": url}, tmp_path)
        finally:
            holder.execute("ROLLBACK")
            holder.close()

    assert result.returncode == 75, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "database is unavailable" in lines[0]
    assert fake_slack.calls_to("chat.postMessage") == []


def test_the_clock_says_one_line_a_tick_while_the_database_is_read_only(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    url = seeded_database(tmp_path)
    engine = create_db_engine(url)
    with engine.begin() as connection:
        connection.execute(update(Pair).values(next_checkin_at=datetime.now(UTC) - timedelta(minutes=1)))
    engine.dispose()
    read_only = f"sqlite:///file:{url.removeprefix('sqlite:///')}?mode=ro&uri=true"
    env = base_env(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_API_URL=fake_slack.base_url, DATABASE_URL=read_only)
    with running_clock(env, tmp_path) as clock:
        clock.wait(
            lambda text: text.count("database is unavailable") >= 2, "two ticks with the database away"
        )

    assert "Traceback" not in clock.text
    assert fake_slack.calls_to("chat.postMessage") == []
