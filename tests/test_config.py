"""Settings parsing: defaults, Heroku-style URLs, and errors that name the variable."""

from __future__ import annotations

import pytest

from bot.config import DEFAULT_DATABASE_URL, ConfigError, Settings


def test_defaults_need_nothing_but_what_the_command_requires() -> None:
    settings = Settings.from_env({})

    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.is_sqlite
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.port == 3000
    assert settings.log_level == "INFO"
    assert settings.slack_bot_token is None


def test_heroku_postgres_url_gets_the_psycopg_driver() -> None:
    settings = Settings.from_env({"DATABASE_URL": "postgres://u:p%40ss@db.example:5432/mentor"})

    assert settings.database_url == "postgresql+psycopg://u:p%40ss@db.example:5432/mentor"
    assert not settings.is_sqlite


@pytest.mark.parametrize(
    "url", ["postgresql://h/db", "postgresql+psycopg2://h/db", "postgresql+psycopg://h/db"]
)
def test_every_postgres_spelling_uses_psycopg_3(url: str) -> None:
    assert Settings.from_env({"DATABASE_URL": url}).database_url == "postgresql+psycopg://h/db"


def test_api_url_gains_the_trailing_slash_slack_sdk_needs() -> None:
    assert (
        Settings.from_env({"SLACK_API_URL": "http://127.0.0.1:9/api"}).slack_api_url
        == "http://127.0.0.1:9/api/"
    )


def test_required_token_that_is_blank_is_missing() -> None:
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET is not set: copy the Signing Secret"):
        Settings.from_env({"SLACK_SIGNING_SECRET": "   "}, require=["SLACK_SIGNING_SECRET"])


def test_app_token_must_be_an_app_level_token() -> None:
    with pytest.raises(ConfigError, match="SLACK_APP_TOKEN should start with 'xapp-'"):
        Settings.from_env({"SLACK_APP_TOKEN": "xoxb-wrong-kind"})


def test_database_password_is_not_echoed_in_errors() -> None:
    with pytest.raises(ConfigError) as error:
        Settings.from_env({"DATABASE_URL": "://user:hunter2@"})

    assert "hunter2" not in str(error.value)


@pytest.mark.parametrize(
    ("variable", "value"),
    [("PORT", "0"), ("PORT", "70000"), ("LOG_LEVEL", "chatty"), ("WEB_CONCURRENCY", "0")],
)
def test_out_of_range_values_are_refused(variable: str, value: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        Settings.from_env({variable: value})


def test_admins_are_member_ids() -> None:
    settings = Settings.from_env({"MENTORBOT_ADMINS": "U012AB3CD, W0ENTERPRISE"})

    assert settings.admin_user_ids == {"U012AB3CD", "W0ENTERPRISE"}
    with pytest.raises(ConfigError, match=r"MENTORBOT_ADMINS .* not @alice"):
        Settings.from_env({"MENTORBOT_ADMINS": "U012AB3CD,@alice"})
