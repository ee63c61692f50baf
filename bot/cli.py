"""The `mentorbot` command: the only place that reads the environment, `.env`, and starts servers.

    mentorbot web         serve Slack over HTTP (gunicorn) at /slack/events, with /healthz
    mentorbot socket      connect to Slack over Socket Mode (no public URL needed)
    mentorbot clock       send check-ins and reminders as they fall due (one process)
    mentorbot dispatch-due [--at ISO-8601]  send everything due at that instant once, then exit
    mentorbot db upgrade  apply database migrations
    mentorbot db status   show whether the database schema is up to date

Problems a person can fix (a missing token, an unreachable database, an old schema) end the
command with one line on stderr naming what to do, and a non-zero exit code: 2 for settings and
start-up, 75 (EX_TEMPFAIL) when the database is down, locked or read-only, so try again later.
Libraries' progress lines (Alembic's "Running upgrade ...") show only with --verbose.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from dotenv import load_dotenv
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.error import BoltError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from bot.app import create_app, create_client, create_installations, create_sending_client
from bot.clock import system_clock
from bot.config import (
    APP_TOKEN,
    BOT_TOKEN,
    CLIENT_ID,
    CLIENT_SECRET,
    SIGNING_SECRET,
    STATE_SECRET,
    ConfigError,
    Settings,
)
from bot.installs import INSTALL_PATH, Installations
from bot.jobs import Job, clock_jobs
from bot.web import GunicornServer, WsgiApp, create_wsgi_app
from bot.workspaces import installed, purge
from storage.db import (
    SessionFactory,
    create_db_engine,
    create_session_factory,
    describe_unavailable,
    is_unavailable,
)
from storage.migrate import schema_state, upgrade
from storage.workspaces import is_uninstalled

log = logging.getLogger("mentorbot")

EXIT_CONFIG = 2
EXIT_UNAVAILABLE = 75  # sysexits.h EX_TEMPFAIL: nothing is wrong with the command, try it again later
SENDER_LANES = 8
SENDING_PASS = 60.0  # seconds the clock sends for at each look before it looks again
# Loggers that narrate routine work; a one-shot command shows them only with --verbose.
CHATTY_LOGGERS = ("alembic",)


class StartupError(Exception):
    """mentorbot cannot start for a reason the operator can fix; the message says how."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `mentorbot` command line; returns the process exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return EXIT_CONFIG
    load_dotenv(Path.cwd() / ".env", override=False)
    try:
        return args.run(args)
    except (ConfigError, StartupError) as error:
        print(f"mentorbot: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except SQLAlchemyError as error:
        if not is_unavailable(error):
            raise
        print(
            f"mentorbot: the database is unavailable ({describe_unavailable(error)}); "
            "nothing more was done: run the command again once it is back.",
            file=sys.stderr,
        )
        return EXIT_UNAVAILABLE


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mentorbot",
        description="mentorbot runs mentorship programs in Slack. Settings come from the environment "
        "and a .env file in the working folder (see .env.example).",
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="also show libraries' progress lines (migrations)"
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    web = commands.add_parser("web", help="serve Slack over HTTP at /slack/events (production)")
    web.set_defaults(run=_run_web)
    socket = commands.add_parser("socket", help="connect to Slack over Socket Mode (development)")
    socket.set_defaults(run=_run_socket)
    clock = commands.add_parser("clock", help="send check-ins and reminders as they fall due")
    clock.add_argument(
        "--every", type=int, default=30, metavar="SECONDS", help="how often to look (default 30)"
    )
    clock.set_defaults(run=_run_clock)
    dispatch = commands.add_parser("dispatch-due", help="send everything due at an instant once, then exit")
    dispatch.add_argument("--at", type=_instant, metavar="ISO-8601", help="the instant (default: now)")
    dispatch.set_defaults(run=_run_dispatch)
    purging = commands.add_parser(
        "purge", help="delete everything kept of a workspace now (tokens, programs, people, history)"
    )
    purging.add_argument(
        "--team",
        action="append",
        required=True,
        metavar="T…",
        help="the workspace (or Grid org) id; repeatable",
    )
    purging.set_defaults(run=_run_purge)
    db = commands.add_parser("db", help="database schema commands")
    db_commands = db.add_subparsers(title="db commands", metavar="DB_COMMAND")
    db_commands.add_parser("upgrade", help="apply every pending migration").set_defaults(run=_run_db_upgrade)
    db_commands.add_parser("status", help="show the schema revision").set_defaults(run=_run_db_status)
    return parser


def _settings(args: argparse.Namespace, require: Sequence[str] = ()) -> Settings:
    settings = Settings.from_env(os.environ, require=require)
    logging.basicConfig(
        level=settings.log_level_number,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:
        for name in CHATTY_LOGGERS:
            logging.getLogger(name).setLevel(max(logging.WARNING, settings.log_level_number))
    oauth = (CLIENT_ID, CLIENT_SECRET, STATE_SECRET)
    if not settings.oauth and any(os.environ.get(name) for name in oauth):
        log.warning(
            "%s set beside SLACK_BOT_TOKEN: installing through Slack needs all of %s; "
            "serving the one workspace of SLACK_BOT_TOKEN",
            " and ".join(name for name in oauth if os.environ.get(name)),
            ", ".join(oauth),
        )
    for name in (BOT_TOKEN, SIGNING_SECRET, APP_TOKEN, *oauth):
        # Settings hold these now; Bolt would otherwise read them from the environment on its own.
        os.environ.pop(name, None)
    return settings


def _engine(settings: Settings) -> Engine:

    return create_db_engine(settings.database_url)


def _describe_database(settings: Settings) -> str:
    return make_url(settings.database_url).render_as_string(hide_password=True)


def _prepare_schema(settings: Settings, engine: Engine) -> None:
    """Bring SQLite up to date by itself; refuse to run a shared database on an old schema."""

    try:
        state = schema_state(engine)
        if state.is_current:
            return
        if settings.is_sqlite:
            log.info("bringing the SQLite schema up to date (%s -> %s)", state.current or "empty", state.head)
            upgrade(engine)
            return
    except OperationalError as error:
        raise StartupError(_unreachable(settings, error)) from None
    raise StartupError(
        f"the database schema is at {', '.join(state.current) or 'nothing'} but this mentorbot needs "
        f"{state.head}: run `mentorbot db upgrade` first."
    )


def _unreachable(settings: Settings, error: OperationalError) -> str:
    reason = str(error.orig or error).strip().splitlines()[0]
    return f"cannot use the database in DATABASE_URL ({_describe_database(settings)}): {reason}"


def _check_token(settings: Settings, engine: Engine) -> None:
    """With one bot token: ask Slack whose it is, and take that workspace as installed (again)."""
    if settings.oauth:
        return  # each workspace's token comes with its install
    try:
        answer = create_client(settings).auth_test()
    except SlackApiError as error:
        raise StartupError(
            f"Slack refused SLACK_BOT_TOKEN ({error.response.get('error')}): copy the Bot User OAuth Token "
            "again from your Slack app's 'OAuth & Permissions' page."
        ) from None
    except OSError as error:
        raise StartupError(f"cannot reach Slack at {settings.slack_api_url}: {error}") from None
    team_id = answer.get("team_id")
    if isinstance(team_id, str) and team_id:
        _installed_again(engine, team_id, answer.get("enterprise_id"), answer.get("team"))


def _installed_again(engine: Engine, team_id: str, enterprise_id: str | None, name: str | None) -> None:
    """A valid token for a workspace marked uninstalled means it was installed again: its data stays."""
    factory = create_session_factory(engine)
    try:
        with factory() as session:
            if not is_uninstalled(session, team_id):
                return  # nothing to write: a read-only database is no reason not to start
        with factory.begin() as session:
            installed(session, team_id, enterprise_id, name, system_clock())
    except SQLAlchemyError as error:
        if not is_unavailable(error):
            raise
        log.warning("could not record that %s is installed: %s", team_id, describe_unavailable(error))


def _build_app(settings: Settings, engine: Engine, *, verify_token: bool) -> App:
    try:
        return create_app(settings, create_session_factory(engine), verify_token=verify_token)
    except BoltError as error:
        raise StartupError(str(error)) from None


def _run_web(args: argparse.Namespace) -> int:

    settings = _settings(args, require=(SIGNING_SECRET,))
    _require_token(settings)
    engine = _engine(settings)
    _prepare_schema(settings, engine)
    _check_token(settings, engine)
    engine.dispose()

    def build() -> WsgiApp:
        worker_engine = _engine(settings)
        return create_wsgi_app(_build_app(settings, worker_engine, verify_token=False), worker_engine)

    log.info("serving Slack at http://0.0.0.0:%d/slack/events", settings.port)
    if settings.oauth:
        log.info("installs start at http://0.0.0.0:%d%s", settings.port, INSTALL_PATH)
    GunicornServer(
        build, port=settings.port, workers=settings.web_concurrency, log_level=settings.log_level
    ).run()
    return 0


def _run_socket(args: argparse.Namespace) -> int:

    settings = _settings(args, require=(APP_TOKEN,))
    if settings.oauth:
        raise ConfigError(
            f"installing through Slack ({CLIENT_ID}, {CLIENT_SECRET}, {STATE_SECRET}) needs a public "
            "URL for its install page: run `mentorbot web`, or unset them and use SLACK_BOT_TOKEN with "
            "Socket Mode."
        )
    _require_token(settings)
    engine = _engine(settings)
    _prepare_schema(settings, engine)
    _check_token(settings, engine)
    app = _build_app(settings, engine, verify_token=False)
    log.info("connecting to Slack over Socket Mode")
    try:
        SocketModeHandler(app, settings.slack_app_token).start()
    except SlackApiError as error:
        raise StartupError(
            f"Slack refused SLACK_APP_TOKEN ({error.response.get('error')}): create an App-Level Token with "
            "the connections:write scope on your Slack app's 'Basic Information' page."
        ) from None
    return 0


def _instant(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO-8601 instant like 2026-12-01T09:00:00+01:00"
        ) from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} needs a time zone offset, e.g. 2026-12-01T09:00:00Z")
    return moment.astimezone(UTC)


def _require_token(settings: Settings) -> None:
    if not settings.oauth and not settings.slack_bot_token:
        raise ConfigError(
            f"{BOT_TOKEN} is not set: copy the Bot User OAuth Token (xoxb-...) from your Slack app's "
            f"'OAuth & Permissions' page, or set {CLIENT_ID}, {CLIENT_SECRET} and {STATE_SECRET} "
            "to install mentorbot into workspaces through Slack, and put them in .env."
        )


def _dispatcher(settings: Settings) -> tuple[SessionFactory, WebClient | Installations]:
    _require_token(settings)
    engine = _engine(settings)
    _prepare_schema(settings, engine)
    _check_token(settings, engine)
    session_factory = create_session_factory(engine)
    if settings.oauth:
        return session_factory, create_installations(settings, session_factory, sending=True)
    return session_factory, create_sending_client(settings)


def _jobs(settings: Settings, **kwargs: Any) -> list[Job]:
    session_factory, client = _dispatcher(settings)
    return clock_jobs(
        session_factory,
        client,
        settings,
        installations=client if isinstance(client, Installations) else None,
        # One sender thread per workspace, up to eight, where the database takes concurrent writers.
        lanes=1 if settings.is_sqlite else SENDER_LANES,
        **kwargs,
    )


def _run_dispatch(args: argparse.Namespace) -> int:
    settings = _settings(args)
    at = args.at or system_clock()
    for number, job in enumerate(_jobs(settings, purges=False)):
        done = job.run(at)
        if done.worked or number == 0:  # the first job's line is always printed
            print(done.line)
    return 0


def _run_clock(args: argparse.Namespace) -> int:
    settings = _settings(args)
    jobs = _jobs(settings, clock=system_clock, pass_seconds=SENDING_PASS)

    def tick() -> None:
        try:
            look_once()
        except SQLAlchemyError as error:
            if not is_unavailable(error):
                raise
            # Nothing to fix in the code: one line a tick, and the next tick tries again.
            log.warning("clock: the database is unavailable (%s); trying again", describe_unavailable(error))

    def look_once() -> None:
        for job in jobs:
            done = job.run(system_clock())
            if done.worked:
                log.info("clock: %s", done.line)

    scheduler = BlockingScheduler(timezone=UTC)
    # One scheduler job runs the list in bot/jobs.py; per-pair schedules live in tables, not here.
    scheduler.add_job(
        tick,
        IntervalTrigger(seconds=args.every),
        max_instances=1,
        coalesce=True,
        next_run_time=system_clock(),
    )
    log.info("clock running: looking for due check-ins every %d s", args.every)
    with contextlib.suppress(KeyboardInterrupt):
        scheduler.start()
    return 0


def _run_purge(args: argparse.Namespace) -> int:
    settings = _settings(args)
    engine = _engine(settings)
    _prepare_schema(settings, engine)
    with create_session_factory(engine).begin() as session:
        for team_id in args.team:
            counts = purge(session, team_id)
            rows = sum(counts.values())
            print(f"deleted {rows} rows of {team_id}" if rows else f"nothing of {team_id} was kept")
    return 0


def _run_db_upgrade(args: argparse.Namespace) -> int:

    settings = _settings(args)
    engine = _engine(settings)
    try:
        state = upgrade(engine)
    except OperationalError as error:
        raise StartupError(_unreachable(settings, error)) from None
    print(f"database {_describe_database(settings)} is at revision {state.head}")
    return 0


def _run_db_status(args: argparse.Namespace) -> int:

    settings = _settings(args)
    try:
        state = schema_state(_engine(settings))
    except OperationalError as error:
        raise StartupError(_unreachable(settings, error)) from None
    current = ", ".join(state.current) or "empty"
    verdict = "up to date" if state.is_current else "run `mentorbot db upgrade`"
    print(f"database {_describe_database(settings)}: schema {current}, newest {state.head} ({verdict})")
    return 0 if state.is_current else 1


if __name__ == "__main__":
    raise SystemExit(main())
