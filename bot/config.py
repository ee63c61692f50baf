"""Settings: every knob mentorbot reads from its environment, parsed and checked in one place.

Only the command-line entry point calls `Settings.from_env`; everything else receives a `Settings`.
A missing or malformed variable raises `ConfigError` whose message names the variable and says
where to get a good value, so start-up fails with one line instead of a traceback.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_DATABASE_URL = "sqlite:///mentorbot.db"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_PORT = 3000

BOT_TOKEN = "SLACK_BOT_TOKEN"
SIGNING_SECRET = "SLACK_SIGNING_SECRET"
APP_TOKEN = "SLACK_APP_TOKEN"
CLIENT_ID = "SLACK_CLIENT_ID"
CLIENT_SECRET = "SLACK_CLIENT_SECRET"
STATE_SECRET = "SLACK_STATE_SECRET"
# What Slack's chat.postMessage allows a workspace ("several hundred a minute"): the clock paces
# each workspace's sending below it.
DEFAULT_SEND_RATE = 300
DEFAULT_RETENTION_DAYS = 30

_HOW_TO_GET = {
    BOT_TOKEN: "copy the Bot User OAuth Token (xoxb-...) from your Slack app's 'OAuth & Permissions' page",
    SIGNING_SECRET: "copy the Signing Secret from your Slack app's 'Basic Information' page",
    APP_TOKEN: (
        "create an App-Level Token with the connections:write scope on your Slack app's "
        "'Basic Information' page (it starts with xapp-)"
    ),
    CLIENT_ID: "copy the Client ID from your Slack app's 'Basic Information' page",
    CLIENT_SECRET: "copy the Client Secret from your Slack app's 'Basic Information' page",
    STATE_SECRET: (
        'set it to a long random string of your own (for example `python -c "import secrets; '
        'print(secrets.token_urlsafe(32))"`); it signs the state of each install'
    ),
}
_PREFIXES = {BOT_TOKEN: "xoxb-", APP_TOKEN: "xapp-"}
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(Exception):
    """A setting is missing or malformed; the message is meant for the person starting mentorbot."""


@dataclass(frozen=True)
class Settings:
    """Configuration for one mentorbot process."""

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    database_url: str = DEFAULT_DATABASE_URL
    slack_api_url: str = DEFAULT_SLACK_API_URL
    port: int = DEFAULT_PORT
    web_concurrency: int = 2
    log_level: str = "INFO"
    admin_user_ids: frozenset[str] = field(default_factory=frozenset)
    # OAuth mode ("Add to Slack", many workspaces): all three set. Without them, one bot token.
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    slack_state_secret: str | None = None
    # Days an uninstalled workspace's data is kept so that reinstalling brings it back.
    retention_days: int = DEFAULT_RETENTION_DAYS
    # Messages a minute the clock sends to one workspace at most; None sends as fast as Slack takes
    # them, waiting out its 429s (`from_env` sets DEFAULT_SEND_RATE).
    send_rate: int | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str], *, require: Iterable[str] = ()) -> Settings:
        """Parse settings from `environ`; `require` names the Slack credentials this command needs."""
        values = {key: (environ.get(key) or "").strip() for key in VARIABLES}
        for name in require:
            if not values[name]:
                raise ConfigError(f"{name} is not set: {_HOW_TO_GET[name]}, and put it in .env.")
        for name, prefix in _PREFIXES.items():
            if values[name] and not values[name].startswith(prefix):
                raise ConfigError(f"{name} should start with {prefix!r} but does not: {_HOW_TO_GET[name]}.")
        oauth = (CLIENT_ID, CLIENT_SECRET, STATE_SECRET)
        if values[BOT_TOKEN] and not all(values[name] for name in oauth):
            for name in oauth:  # a bot token and part of OAuth's three: the bot token, as before
                values[name] = ""
        if any(values[name] for name in oauth):
            for name in oauth:
                if not values[name]:
                    raise ConfigError(
                        f"{name} is not set, but {', '.join(n for n in oauth if values[n])} is: "
                        f"installing through Slack needs all three. {_HOW_TO_GET[name].capitalize()}."
                    )
            if len(values[STATE_SECRET]) < 16:
                raise ConfigError(
                    f"{STATE_SECRET} is too short (under 16 characters): {_HOW_TO_GET[STATE_SECRET]}."
                )
        return cls(
            slack_bot_token=values[BOT_TOKEN] or None,
            slack_signing_secret=values[SIGNING_SECRET] or None,
            slack_app_token=values[APP_TOKEN] or None,
            database_url=normalize_database_url(values["DATABASE_URL"] or DEFAULT_DATABASE_URL),
            slack_api_url=_parse_api_url(values["SLACK_API_URL"] or DEFAULT_SLACK_API_URL),
            port=_parse_port(values["PORT"]),
            web_concurrency=_parse_workers(values["WEB_CONCURRENCY"]),
            log_level=_parse_log_level(values["LOG_LEVEL"]),
            admin_user_ids=_parse_user_ids(values["MENTORBOT_ADMINS"]),
            slack_client_id=values[CLIENT_ID] or None,
            slack_client_secret=values[CLIENT_SECRET] or None,
            slack_state_secret=values[STATE_SECRET] or None,
            retention_days=_parse_count(
                "MENTORBOT_RETENTION_DAYS",
                values["MENTORBOT_RETENTION_DAYS"],
                DEFAULT_RETENTION_DAYS,
                0,
                3650,
            ),
            send_rate=_parse_count(
                "MENTORBOT_SEND_RATE", values["MENTORBOT_SEND_RATE"], DEFAULT_SEND_RATE, 1, 6000
            ),
        )

    @property
    def oauth(self) -> bool:
        """True when mentorbot is installed through Slack's OAuth flow, into any number of workspaces."""
        return bool(self.slack_client_id and self.slack_client_secret and self.slack_state_secret)

    @property
    def is_sqlite(self) -> bool:
        """True when the database is the embedded SQLite file."""
        return make_url(self.database_url).get_backend_name() == "sqlite"

    @property
    def log_level_number(self) -> int:
        """The log level as the `logging` module's number."""
        return logging.getLevelNamesMapping()[self.log_level]


VARIABLES = (
    BOT_TOKEN,
    SIGNING_SECRET,
    APP_TOKEN,
    "DATABASE_URL",
    "SLACK_API_URL",
    "PORT",
    "WEB_CONCURRENCY",
    "LOG_LEVEL",
    "MENTORBOT_ADMINS",
    CLIENT_ID,
    CLIENT_SECRET,
    STATE_SECRET,
    "MENTORBOT_RETENTION_DAYS",
    "MENTORBOT_SEND_RATE",
)


def normalize_database_url(raw: str) -> str:
    """Accept Heroku's `postgres://` and plain `postgresql://` URLs and use the psycopg 3 driver."""
    try:
        url: URL = make_url(raw)
    except ArgumentError:
        raise ConfigError(
            f"DATABASE_URL is not a database URL ({_redact(raw)!r}): use postgresql://user:pass@host/db "
            f"or sqlite:///path/to/file.db."
        ) from None
    backend = url.get_backend_name()
    if backend == "postgres" or url.drivername in ("postgresql", "postgresql+psycopg2"):
        # Heroku's scheme and driverless URLs get psycopg 3, the driver mentorbot installs.
        url = url.set(drivername="postgresql+psycopg")
    elif backend not in ("postgresql", "sqlite"):
        raise ConfigError(
            f"DATABASE_URL uses {backend!r}, which mentorbot does not support: use PostgreSQL or SQLite."
        )
    return url.render_as_string(hide_password=False)


def _redact(raw: str) -> str:
    """Hide a password in a URL we are about to print, even in a URL too broken to parse."""
    return re.sub(r"(//[^/:@]*:)[^@]*@", r"\1***@", raw)


def _parse_api_url(raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"SLACK_API_URL must be an http(s) URL such as {DEFAULT_SLACK_API_URL}, not {raw!r}."
        )
    return raw if raw.endswith("/") else raw + "/"


def _parse_port(raw: str) -> int:
    if not raw:
        return DEFAULT_PORT
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ConfigError(f"PORT must be a TCP port number between 1 and 65535, not {raw!r}.")
    return int(raw)


def _parse_workers(raw: str) -> int:
    if not raw:
        return 2
    if not raw.isdigit() or not 0 < int(raw) <= 64:
        raise ConfigError(
            f"WEB_CONCURRENCY must be a number of web worker processes from 1 to 64, not {raw!r}."
        )
    return int(raw)


def _parse_count(name: str, raw: str, default: int, low: int, high: int) -> int:
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ConfigError(f"{name} must be a whole number from {low} to {high}, not {raw!r}.")
    return int(raw)


def _parse_log_level(raw: str) -> str:
    level = (raw or "INFO").upper()
    if level not in _LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(_LOG_LEVELS)}, not {raw!r}.")
    return level


def _parse_user_ids(raw: str) -> frozenset[str]:
    ids = frozenset(part.strip() for part in raw.replace(";", ",").split(",") if part.strip())
    bad = sorted(i for i in ids if not (i[:1] in ("U", "W") and i.isalnum() and i.isupper()))
    if bad:
        raise ConfigError(
            f"MENTORBOT_ADMINS must be Slack member ids separated by commas (like U012AB3CD), "
            f"not {', '.join(bad)}: find a member id under 'Copy member ID' in their Slack profile."
        )
    return ids
