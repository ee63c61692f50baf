"""Benchmark: check-ins for many workspaces due at once, each within its own rate limit.

What it measures, on PostgreSQL, with the real `mentorbot clock` process in OAuth mode (each
workspace installed with its own token through the fake Slack's `oauth.v2.access` and saved in
slack-sdk's installation store) talking to an in-process fake Slack Web API that applies Slack's
chat.postMessage limits to each workspace separately (`--per-minute` a minute with one second's
burst, and one message a second per channel; over either it answers 429 with Retry-After):

  `--workspaces` workspaces of `--pairs` pairs each, every pair due at the same minute, each pair
  with its own group DM, so one message a pair (its meeting's check-in). For each workspace:
  messages delivered, lost and duplicated, posts answered 429, posts with another workspace's
  token, and its rate from its first to its last post as a share of its own limit. The clock
  paces each workspace at the limit it is told (MENTORBOT_SEND_RATE), the workspaces dealt out
  to its sender threads.

Run it from the repository root:

    python bench/workspaces.py [--workspaces 10] [--pairs 1000] [--per-minute 300] [--database-url URL]

The default run takes about four minutes (1,000 messages at 300 a minute per workspace, all
workspaces at once). Target (from the issue): each workspace reaches at least 90 % of its own
limit, nothing lost or duplicated, and no call with another workspace's token. The script prints
PASS or MISS and exits 0 either way; it exits non-zero only when it cannot set up.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from slack_sdk import WebClient  # noqa: E402
from slack_sdk.oauth.installation_store import Bot  # noqa: E402
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bench.checkins import (  # noqa: E402
    START_TIMEOUT,
    SetupError,
    clock_env,
    daytime_zone,
    scratch_database,
    seed,
    start_clock,
)
from storage.db import create_db_engine  # noqa: E402
from tests.fakes.slack_api import CLIENT_ID, CLIENT_SECRET, FakeSlack, FakeWorkspace, RateLimits  # noqa: E402

STATE_SECRET = "bench-state-secret-of-some-length"
# Pairs still due and messages still waiting: the run is over when both are none.
WAITING = """
    SELECT (SELECT count(*) FROM pairs WHERE next_checkin_at <= now() AND status = 'active')
         + (SELECT count(*) FROM outbox WHERE status = 'pending')
"""


def install(fake: FakeSlack, store: SQLAlchemyInstallationStore, team_id: str) -> None:
    """Install mentorbot into `team_id` the way Bolt's flow ends: exchange a code, save the bot."""
    code = fake.approve(FakeWorkspace(team_id, name=team_id))
    answer = WebClient(base_url=fake.base_url).oauth_v2_access(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code=code
    )
    store.save_bot(
        Bot(
            app_id=answer["app_id"],
            enterprise_id=None,
            team_id=team_id,
            bot_token=answer["access_token"],
            bot_id=f"B{team_id}",
            bot_user_id=answer["bot_user_id"],
            bot_scopes=answer["scope"],
            installed_at=time.time(),
        )
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        with scratch_database(args.database_url) as url:
            return _benchmark(url, args)
    except SetupError as error:
        print(f"setup failed: {error}", file=sys.stderr)
        return 1


def _benchmark(url: str, args: argparse.Namespace) -> int:
    engine = create_db_engine(url)
    now = datetime.now(UTC)
    zone = daytime_zone(now)
    teams = [f"T0BENCH{n:02d}" for n in range(args.workspaces)]
    for number, team in enumerate(teams):
        seed(engine, args.pairs, now=now, zone=zone, team=team, fresh=number == 0)
    with engine.connect() as connection:
        channels = dict(connection.execute(text("SELECT dm_channel_id, team_id FROM pairs")).all())
    limits = RateLimits(per_channel_per_second=1, channel_burst=3, per_minute=args.per_minute)
    expected = len(channels)
    with FakeSlack(rate_limits=limits) as fake, tempfile.TemporaryDirectory(prefix="mentorbot-bench-") as tmp:
        store = SQLAlchemyInstallationStore(client_id=CLIENT_ID, engine=engine)
        for team in teams:
            install(fake, store, team)
        env = clock_env(url, fake.base_url, args.per_minute)
        del env["SLACK_BOT_TOKEN"]
        env |= {
            "SLACK_CLIENT_ID": CLIENT_ID,
            "SLACK_CLIENT_SECRET": CLIENT_SECRET,
            "SLACK_STATE_SECRET": STATE_SECRET,
        }
        started = time.monotonic()
        clock = start_clock(env, Path(tmp), "clock")
        try:
            while not fake.posted:  # in OAuth mode the clock asks nothing of Slack before it sends
                if clock.process.poll() is not None or time.monotonic() - started > START_TIMEOUT:
                    raise SetupError(f"the clock sent nothing within {START_TIMEOUT:.0f} s:\n{clock.tail()}")
                time.sleep(0.05)
            timeout = 2 * args.pairs / (args.per_minute / 60) + 180
            while time.monotonic() - started < timeout:
                time.sleep(1)
                with engine.connect() as connection:
                    pending = connection.execute(text(WAITING)).scalar_one()
                if pending == 0 and len(fake.posted) >= expected:
                    break
        finally:
            clock.stop()
        posted = [p for p in fake.posted if p.channel in channels]  # each pair's meeting message
        limited = fake.rate_limited
        crossed = [p for p in posted if channels.get(p.channel) != p.team]
    by_team: dict[str, list] = defaultdict(list)
    for post in posted:
        by_team[str(post.team)].append(post)
    print(
        f"{args.workspaces} workspaces x {args.pairs} pairs due at once; limit {args.per_minute}/min "
        f"per workspace (applied by the fake to each); MENTORBOT_SEND_RATE={args.per_minute}"
    )
    print(
        f"{'workspace':<12} {'delivered':>9} {'lost':>5} {'dup':>4} {'span s':>7} {'per min':>8} "
        f"{'of limit':>8}"
    )
    shares = []
    lost_total = dup_total = 0
    for team in teams:
        posts = sorted(by_team.get(team, []), key=lambda p: p.at)
        per_channel = Counter(p.channel for p in posts)
        owned = sum(1 for t in channels.values() if t == team)
        delivered = len(per_channel)
        lost, dup = owned - delivered, sum(c - 1 for c in per_channel.values())
        lost_total, dup_total = lost_total + lost, dup_total + dup
        span = posts[-1].at - posts[0].at if len(posts) > 1 else float("nan")
        per_minute = (len(posts) - 1) / span * 60 if len(posts) > 1 and span > 0 else float("nan")
        share = per_minute / args.per_minute
        shares.append(share)
        print(f"{team:<12} {delivered:>9} {lost:>5} {dup:>4} {span:>7.1f} {per_minute:>8.1f} {share:>8.1%}")
    print(f"posts answered 429: {limited}; posts with another workspace's token: {len(crossed)}")
    met = min(shares) >= 0.9 and lost_total == 0 and dup_total == 0 and not crossed
    print(
        f"{'PASS' if met else 'MISS'}: every workspace at >= 90 % of its own limit "
        f"(lowest {min(shares):.1%}), "
        f"{lost_total} lost, {dup_total} duplicated"
    )
    engine.dispose()
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspaces", type=int, default=10)
    parser.add_argument("--pairs", type=int, default=1000, help="pairs per workspace, all due at once")
    parser.add_argument("--per-minute", type=int, default=300, help="each workspace's chat.postMessage limit")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("MENTORBOT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"),
        help="a PostgreSQL server to create a scratch database on (default: the test server)",
    )
    return parser


if __name__ == "__main__":
    raise SystemExit(main())
