"""Benchmark: how many commands are acknowledged within Slack's 3 s while `views.open` hangs.

What it does: serves the real mentorbot app (in this process, on a threaded WSGI server, with a
fresh SQLite file) against an in-process fake Slack that leaves every `views.open` unanswered, as
when Slack is slow. `--joins` people type `/mentor join` at once (each ends in a hung views.open),
then, while those calls hang, `--others` people type `/mentor help` and `/mentor goals`. For each
request it records the HTTP status and the time to the answer, and prints, per group, how many were
acknowledged (HTTP 200) within 3 s, the slowest answer, and the statuses seen.

Compare Bolt's default pool with mentorbot's:

    python bench/slow_slack.py --listener-threads 5     # Bolt's default: most commands are missed
    python bench/slow_slack.py                          # mentorbot's LISTENER_THREADS

Exits 0 either way; figures only.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from bot.app import LISTENER_THREADS, ListenerPool, create_app  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.web import SLACK_PATH, create_wsgi_app  # noqa: E402
from storage.db import create_db_engine, create_session_factory  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from tests.fakes.slack_api import BOT_TOKEN, FakeSlack  # noqa: E402
from tests.fakes.slack_requests import SIGNING_SECRET, Reply, SlackSender  # noqa: E402
from tests.serving import serve  # noqa: E402

ACK_DEADLINE = 3.0


def _report(name: str, replies: list[Reply]) -> None:
    acked = sum(1 for r in replies if r.status == 200 and r.elapsed <= ACK_DEADLINE)
    slowest = max(r.elapsed for r in replies)
    statuses = ", ".join(f"{status}: {n}" for status, n in sorted(Counter(r.status for r in replies).items()))
    within = f"{acked}/{len(replies)} acknowledged within {ACK_DEADLINE:g} s"
    print(f"{name:>7}: {within}, slowest {slowest:.2f} s ({statuses})")


def main() -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--joins", type=int, default=16, help="people typing /mentor join at once (16)")
    parser.add_argument("--others", type=int, default=4, help="other commands sent meanwhile (4)")
    parser.add_argument(
        "--listener-threads",
        type=int,
        default=LISTENER_THREADS,
        help=f"listener pool size ({LISTENER_THREADS})",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, FakeSlack() as fake:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        engine = create_db_engine(url)
        upgrade(engine)
        settings = Settings(
            slack_bot_token=BOT_TOKEN,
            slack_signing_secret=SIGNING_SECRET,
            database_url=url,
            slack_api_url=fake.base_url,
        )
        joiners = [f"UJOIN{n:03d}" for n in range(args.joins)]
        for user_id in joiners:
            fake.add_user(user_id)
        pool = ListenerPool(max_workers=args.listener_threads)
        app = create_app(settings, create_session_factory(engine), listeners=pool)
        hung = fake.hold("views.open", timeout=60)
        with serve(create_wsgi_app(app, engine)) as base:
            slack = SlackSender(base + SLACK_PATH, response_url=fake.response_url)
            with ThreadPoolExecutor(max_workers=args.joins + args.others) as senders:
                joins = list(senders.map(lambda user_id: slack.slash("join", user_id=user_id), joiners))
                fake.wait_held(hung, min(args.joins, args.listener_threads), timeout=10)
                texts = [("help", "goals")[n % 2] for n in range(args.others)]
                others = list(senders.map(lambda text: slack.slash(text, user_id="UOTHER"), texts))
            hung.release()
            pool.wait_idle(60)
        print(f"listener threads {args.listener_threads}, views.open hanging for every join")
        _report("joins", joins)
        _report("others", others)
        pool.shutdown(wait=False)
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
