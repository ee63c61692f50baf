"""The `mentorbot` command as an operator runs it: real processes, real gunicorn, a fake Slack."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.blockkit import assert_valid_view
from tests.fakes.slack_api import BOT_TOKEN, FakeSlack
from tests.fakes.slack_requests import SIGNING_SECRET, SlackSender


def mentorbot_executable() -> list[str]:
    """The installed console script, or the module when run from a source tree."""
    script = Path(sys.executable).with_name("mentorbot")
    if script.exists():
        return [str(script)]
    found = shutil.which("mentorbot")
    return [found] if found else [sys.executable, "-m", "bot.cli"]


def run(args: list[str], env: dict[str, str], cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run `mentorbot ARGS` to completion with exactly `env`."""
    return subprocess.run(
        [*mentorbot_executable(), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


def base_env(**values: str) -> dict[str, str]:
    """A clean environment: PATH and HOME from ours, nothing Slack-related unless given."""
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    return env | values


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_help_lists_every_command(tmp_path: Path) -> None:
    result = run(["--help"], base_env(), tmp_path)

    assert result.returncode == 0
    for command in ("web", "socket", "db"):
        assert command in result.stdout


def test_missing_bot_token_stops_web_with_one_clear_line(tmp_path: Path) -> None:
    result = run(["web"], base_env(SLACK_SIGNING_SECRET=SIGNING_SECRET), tmp_path)

    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "SLACK_BOT_TOKEN is not set" in lines[0]
    assert "OAuth & Permissions" in lines[0]


def test_socket_mode_needs_an_app_token(tmp_path: Path) -> None:
    result = run(["socket"], base_env(SLACK_BOT_TOKEN=BOT_TOKEN), tmp_path)

    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "SLACK_APP_TOKEN is not set" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("SLACK_BOT_TOKEN", "xoxp-a-user-token", "SLACK_BOT_TOKEN should start with 'xoxb-'"),
        ("PORT", "eighty", "PORT must be a TCP port number"),
        ("DATABASE_URL", "mysql://root@localhost/db", "DATABASE_URL uses 'mysql'"),
        ("SLACK_API_URL", "slack.com/api", "SLACK_API_URL must be an http(s) URL"),
    ],
)
def test_malformed_setting_is_named(tmp_path: Path, variable: str, value: str, expected: str) -> None:
    env = base_env(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET) | {variable: value}

    result = run(["web"], env, tmp_path)

    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert expected in result.stderr


def test_settings_come_from_a_dotenv_file_in_the_working_folder(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"SLACK_SIGNING_SECRET={SIGNING_SECRET}\nSLACK_BOT_TOKEN=nonsense\n")

    result = run(["web"], base_env(), tmp_path)

    assert "SLACK_BOT_TOKEN should start with 'xoxb-'" in result.stderr


def test_db_upgrade_twice_is_a_no_op_the_second_time(tmp_path: Path, empty_database_url: str) -> None:
    env = base_env(DATABASE_URL=empty_database_url)

    first = run(["db", "upgrade"], env, tmp_path)
    status = run(["db", "status"], env, tmp_path)
    second = run(["db", "upgrade"], env, tmp_path)

    assert first.returncode == 0, first.stderr
    assert "is at revision" in first.stdout
    assert status.returncode == 0
    assert "up to date" in status.stdout
    assert second.returncode == 0, second.stderr
    assert "Running upgrade" not in second.stderr
    assert second.stdout == first.stdout


def test_web_refuses_an_out_of_date_postgres_schema(tmp_path: Path, empty_postgres_url: str) -> None:
    env = base_env(
        SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, DATABASE_URL=empty_postgres_url
    )

    result = run(["web"], env, tmp_path)

    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "run `mentorbot db upgrade` first" in result.stderr


def test_web_reports_an_unreachable_database_in_one_line(tmp_path: Path) -> None:
    env = base_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        DATABASE_URL=f"postgresql://nobody:secret@127.0.0.1:{free_port()}/nothing?connect_timeout=2",
    )

    result = run(["web"], env, tmp_path)

    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "cannot use the database in DATABASE_URL" in result.stderr
    assert "secret" not in result.stderr


def test_web_refuses_a_token_slack_rejects(tmp_path: Path, fake_slack: FakeSlack) -> None:
    env = base_env(
        SLACK_BOT_TOKEN="xoxb-revoked",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake_slack.base_url,
    )

    result = run(["web"], env, tmp_path)

    assert result.returncode != 0
    assert "Slack refused SLACK_BOT_TOKEN (invalid_auth)" in result.stderr


@pytest.fixture
def web_server(tmp_path: Path, fake_slack: FakeSlack, empty_database_url: str) -> Iterator[str]:
    """`mentorbot web` under gunicorn, pointed at the fake Slack; yields its base URL."""
    env = base_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake_slack.base_url,
        DATABASE_URL=empty_database_url,
        PORT=str(free_port()),
        WEB_CONCURRENCY="2",
    )
    if not empty_database_url.startswith("sqlite"):
        assert run(["db", "upgrade"], env, tmp_path).returncode == 0
    process = subprocess.Popen(
        [*mentorbot_executable(), "web"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{env['PORT']}"
    try:
        _wait_healthy(base, process)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_healthy(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            pytest.fail(f"mentorbot web exited with {process.returncode}:\n{output}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    pytest.fail("mentorbot web did not answer /healthz within 30 s")


def test_web_serves_slack_end_to_end(web_server: str, fake_slack: FakeSlack) -> None:
    slack = SlackSender(web_server + "/slack/events")

    with urllib.request.urlopen(web_server + "/healthz") as response:
        assert response.status == 200
    helped = slack.slash("help")
    forged = slack.slash("help", signature="v0=" + "f" * 64)
    stale = slack.slash("help", timestamp=int(time.time()) - 301)
    slack.open_home("UALICE")

    assert helped.status == 200
    assert helped.elapsed < 3.0
    assert "/mentor help" in helped.json()["text"]
    assert forged.status == 401
    assert stale.status == 401
    published = fake_slack.wait_for("views.publish", timeout=10)[0]
    assert published.args["user_id"] == "UALICE"
    assert_valid_view(published.args["view"])
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(web_server + "/nothing-here")
    assert missing.value.code == 404
