"""`mentorbot dispatch-due` and `mentorbot clock` as an operator runs them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import update

from storage.db import create_db_engine, create_session_factory
from storage.migrate import upgrade
from storage.models import Pair
from tests.clock_process import running_clock
from tests.fakes.slack_api import BOT_TOKEN, FakeSlack
from tests.test_checkins import seed_pair
from tests.test_cli import base_env, run


def seeded_database(folder: Path, *, mentee_tz: str = "Europe/Berlin") -> str:
    """A SQLite file with one weekly pair (Tuesdays 09:00 Berlin from 5 Oct 2026)."""
    url = f"sqlite:///{folder / 'mentorbot.db'}"
    engine = create_db_engine(url)
    upgrade(engine)
    seed_pair(create_session_factory(engine), 1, mentee_tz=mentee_tz)
    engine.dispose()
    return url


def _ticks(text: str) -> int:
    """How many times the clock process has looked for due work so far (APScheduler logs each run)."""
    return text.count("executed successfully")


def test_dispatch_due_sends_what_is_due_once(tmp_path: Path, fake_slack: FakeSlack) -> None:
    env = base_env(
        SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_API_URL=fake_slack.base_url, DATABASE_URL=seeded_database(tmp_path)
    )

    # The meeting's message goes the working day before the Tuesday meeting, at 09:00 in Berlin.
    early = run(["dispatch-due", "--at", "2026-10-05T06:59:00Z"], env, tmp_path)
    first = run(["dispatch-due", "--at", "2026-10-05T09:00:00+02:00"], env, tmp_path)
    again = run(["dispatch-due", "--at", "2026-10-05T07:05:00Z"], env, tmp_path)

    nothing = "cohort steps 0, check-ins 0, meeting steps 0, reminders 0, sent 0, deferred 0, failed 0"
    assert early.stdout.strip() == nothing, early.stderr
    assert first.stdout.strip() == nothing.replace("check-ins 0", "check-ins 1").replace("sent 0", "sent 1")
    assert again.stdout.strip() == nothing
    posted = [c.args["channel"] for c in fake_slack.calls_to("chat.postMessage") if c.ok]
    assert sorted(posted) == ["GPAIR00001"]


def test_dispatch_due_wants_an_instant_with_a_zone(tmp_path: Path) -> None:
    result = run(["dispatch-due", "--at", "2026-10-06 09:00"], base_env(SLACK_BOT_TOKEN=BOT_TOKEN), tmp_path)

    assert result.returncode != 0
    assert "needs a time zone offset" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_clock_process_sends_a_due_checkin_by_itself(tmp_path: Path, fake_slack: FakeSlack) -> None:
    hour = datetime.now(UTC).hour
    offset = (13 - hour) % 24  # a zone where it is early afternoon now, so quiet hours do not hold it back
    offset = offset - 24 if offset > 12 else offset
    zone = f"Etc/GMT{-offset:+d}" if offset else "UTC"
    url = seeded_database(tmp_path, mentee_tz=zone)
    engine = create_db_engine(url)
    with engine.begin() as connection:
        connection.execute(update(Pair).values(next_checkin_at=datetime.now(UTC) - timedelta(minutes=1)))
    engine.dispose()
    env = base_env(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_API_URL=fake_slack.base_url, DATABASE_URL=url)
    with running_clock(env, tmp_path) as clock:
        fake_slack.wait_for("chat.postMessage", count=1, timeout=30)
        seen = _ticks(clock.text)
        clock.wait(
            lambda text: _ticks(text) >= seen + 2, "two more ticks of the clock"
        )  # nothing more is sent

    posted = sorted(c.args["channel"] for c in fake_slack.calls_to("chat.postMessage") if c.ok)
    assert posted == ["GPAIR00001"], clock.text
