"""`mentorbot socket` as a developer runs it: a real process on a real WebSocket, and no Slack.

The fake Web API hands out the fake Socket Mode server's URL from `apps.connections.open`, so the
real `mentorbot socket` command connects there; the test plays Slack's side of the socket,
delivering envelopes and reading mentorbot's acknowledgements.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.blockkit import assert_valid_message, assert_valid_view
from tests.fakes.slack_api import APP_TOKEN, BOT_TOKEN, FakeSlack
from tests.fakes.socket_mode import FakeSocketMode, app_home_opened, slash_command
from tests.test_cli import base_env, mentorbot_executable, run

START_TIMEOUT = 30.0
SLACK_ACK_DEADLINE = 3.0


@pytest.fixture
def socket_mode(fake_slack: FakeSlack) -> Iterator[FakeSocketMode]:
    """A fake Socket Mode server whose URL the fake Web API hands out."""
    with FakeSocketMode() as server:
        fake_slack.socket_url = server.url
        yield server


@pytest.fixture
def connected(
    tmp_path: Path, fake_slack: FakeSlack, socket_mode: FakeSocketMode, empty_database_url: str
) -> Iterator[FakeSocketMode]:
    """`mentorbot socket` running against the fakes; yields the socket once it has said hello."""
    env = base_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_APP_TOKEN=APP_TOKEN,
        SLACK_API_URL=fake_slack.base_url,
        DATABASE_URL=empty_database_url,
    )
    if not empty_database_url.startswith("sqlite"):
        upgraded = run(["db", "upgrade"], env, tmp_path)
        assert upgraded.returncode == 0, upgraded.stderr
    log = tmp_path / "mentorbot-socket.log"
    with log.open("wb") as output:
        command = [*mentorbot_executable(), "socket"]
        process = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=output, stderr=subprocess.STDOUT)
    try:
        _wait_connected(socket_mode, process, log)
        yield socket_mode
    finally:
        _stop(process)


def _wait_connected(socket_mode: FakeSocketMode, process: subprocess.Popen, log: Path) -> None:
    """Wait until mentorbot has opened the WebSocket; fail with its output if it exits or stalls."""
    deadline = time.monotonic() + START_TIMEOUT
    while not socket_mode.wait_connected(timeout=0.2):
        if process.poll() is not None:
            pytest.fail(f"mentorbot socket exited with {process.returncode}:\n{log.read_text()}")
        if time.monotonic() > deadline:
            pytest.fail(f"mentorbot socket did not connect within {START_TIMEOUT} s:\n{log.read_text()}")


def _stop(process: subprocess.Popen) -> None:
    """Terminate the process as a developer's Ctrl+C would end it, killing it if it hangs."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def test_socket_mode_answers_help_and_publishes_the_home_tab(
    connected: FakeSocketMode, fake_slack: FakeSlack
) -> None:
    started = time.monotonic()
    help_ack = connected.deliver(slash_command("help", user_id="UALICE"), timeout=10)
    help_elapsed = time.monotonic() - started
    home = app_home_opened("UALICE")
    home_ack = connected.deliver(home, timeout=10)

    assert fake_slack.last("apps.connections.open").token == APP_TOKEN
    assert help_elapsed < SLACK_ACK_DEADLINE
    answer = help_ack["payload"]
    assert answer["response_type"] == "ephemeral"
    assert "/mentor help" in answer["text"]
    assert_valid_message(answer["blocks"])
    assert home_ack == {"envelope_id": home["envelope_id"]}
    published = fake_slack.wait_for("views.publish", timeout=10)[0]
    assert published.token == BOT_TOKEN
    assert published.args["user_id"] == "UALICE"
    assert_valid_view(published.args["view"])
    assert connected.connections == 1
    assert connected.problems == []


def test_a_rejected_app_token_stops_socket_mode_with_one_line(tmp_path: Path, fake_slack: FakeSlack) -> None:
    env = base_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_APP_TOKEN="xapp-revoked",
        SLACK_API_URL=fake_slack.base_url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'mentorbot.db'}",
    )

    result = run(["socket"], env, tmp_path)

    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "Slack refused SLACK_APP_TOKEN (invalid_auth)" in result.stderr
