"""The Procfile, package metadata and Slack manifest name things the code really has."""

from __future__ import annotations

import json
import shlex
import subprocess
import tomllib
from pathlib import Path

import pytest

from bot import ids
from bot.config import VARIABLES
from bot.installs import BOT_SCOPES, REDIRECT_PATH
from tests.test_cli import base_env, mentorbot_executable

ROOT = Path(__file__).resolve().parent.parent


def _procfile() -> dict[str, list[str]]:
    entries = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, command = line.split(":", 1)
            entries[name.strip()] = shlex.split(command)
    return entries


def test_procfile_has_web_and_release() -> None:
    assert _procfile().keys() >= {"web", "release"}
    assert _procfile()["release"] == ["mentorbot", "db", "upgrade"]


@pytest.mark.parametrize("process", sorted(_procfile()))
def test_every_procfile_command_exists(process: str, tmp_path: Path) -> None:
    program, *args = _procfile()[process]
    assert program == "mentorbot"

    result = subprocess.run(
        [*mentorbot_executable(), *args, "--help"],
        env=base_env(),
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stderr


def test_console_script_points_at_the_cli() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]

    assert scripts == {"mentorbot": "bot.cli:main"}


def test_manifest_declares_what_the_app_listens_to() -> None:
    manifest = json.loads((ROOT / "manifest.json").read_text())

    commands = [c["command"] for c in manifest["features"]["slash_commands"]]
    assert commands == [ids.COMMAND]
    assert "app_home_opened" in manifest["settings"]["event_subscriptions"]["bot_events"]
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    # Without the messages tab, DMs from the bot fail with messages_tab_disabled.
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["settings"]["socket_mode_enabled"] is True
    # Exactly what the features use, as bot.installs.BOT_SCOPES says and asks for when installing.
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == set(BOT_SCOPES)


def test_the_hosted_manifest_installs_through_slack_with_what_the_code_handles() -> None:
    single = json.loads((ROOT / "manifest.json").read_text())
    hosted = json.loads((ROOT / "manifest.hosted.json").read_text())

    assert set(hosted["oauth_config"]["scopes"]["bot"]) == set(BOT_SCOPES)
    assert [url.rsplit("/slack", 1)[1] for url in hosted["oauth_config"]["redirect_urls"]] == [
        REDIRECT_PATH.removeprefix("/slack")
    ]
    events = set(hosted["settings"]["event_subscriptions"]["bot_events"])
    assert {"app_uninstalled", "tokens_revoked", "team_access_granted", "team_access_revoked"} <= events
    assert {"app_uninstalled", "tokens_revoked"} <= set(
        single["settings"]["event_subscriptions"]["bot_events"]
    )
    assert hosted["settings"]["org_deploy_enabled"] is True
    assert hosted["settings"]["socket_mode_enabled"] is False  # Slack posts to the request URLs
    assert hosted["settings"]["token_rotation_enabled"] is True
    assert hosted["features"] == single["features"]


def test_env_example_documents_every_setting() -> None:
    documented = (ROOT / ".env.example").read_text()

    for name in VARIABLES:
        assert f"\n{name}=" in documented or f"\n# {name}=" in documented, (
            f"{name} is missing from .env.example"
        )
