"""Benchmark: what ten people receive from mentorbot over an eight-week program.

Runs the scenario of `tests/simulation.py` (an admin, four mentors and six mentees in seven time
zones, from 1 March 2027 across both daylight-saving changes, the clock ticking every 15 simulated
minutes, people answering through the buttons and modals they were shown) and prints, for each
person and week, the new messages they received (DMs, group DMs and files), the messages updated
in place, and the ephemeral replies; then totals, the new messages that reached someone between
20:00 and 08:00 their time without being the answer to their own click, the facts that never
reached the partner, and any step people could not take.

Run it from the repository root:

    python bench/eight_weeks.py [--database-url URL] [--weeks 8] [--night]

SQLite in a temporary folder by default; with a PostgreSQL `--database-url` it runs in a scratch
schema that it drops at the end. `--night` lists every message sent at night.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

# Run as `python bench/eight_weeks.py`: make `bot.*`, `storage.*` and `tests.*` importable.
REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bot.config import normalize_database_url  # noqa: E402
from storage.db import create_db_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from tests.simulation import NEW, Record, run_program, summary  # noqa: E402


def run(database_url: str | None, weeks: int) -> tuple[Record, float]:
    """Run the program on a fresh database; returns the record and the seconds it took."""
    if database_url is None or database_url.startswith("sqlite"):
        with tempfile.TemporaryDirectory() as folder:
            url = database_url or f"sqlite:///{Path(folder) / 'mentorbot.db'}"
            return _run(url, weeks)
    base = normalize_database_url(database_url)
    schema = f"mentorbot_bench_{uuid.uuid4().hex[:8]}"
    admin = create_db_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        scoped = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        return _run(scoped.render_as_string(hide_password=False), weeks)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _run(url: str, weeks: int) -> tuple[Record, float]:
    engine = create_db_engine(url)
    try:
        upgrade(engine)
        started = time.perf_counter()
        record = run_program(engine, url, weeks=weeks)
        return record, time.perf_counter() - started
    finally:
        engine.dispose()


def main() -> int:
    """Run the benchmark and print its tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL server to use (default: SQLite in a temp folder)")
    parser.add_argument("--weeks", type=int, default=8)
    parser.add_argument("--night", action="store_true", help="list every message sent at night")
    args = parser.parse_args()
    record, seconds = run(args.database_url, args.weeks)
    print(summary(record))
    night = record.night_messages()
    print(f"\nnew messages at night to someone who did not ask: {len(night)}")
    by_method = Counter(d.method for _, d in night)
    if by_method:
        print("  by method: " + ", ".join(f"{m} {n}" for m, n in by_method.most_common()))
    if args.night:
        for user_id, d in night:
            print(f"  {d.local(user_id):%a %d %b %H:%M} {user_id:<6} {d.method:<16} {d.text[:70]!r}")
    lost = record.lost_facts()
    print(f"facts a partner never saw: {len(lost)} of {sum(len(f.audience) for f in record.facts)}")
    for what, n in Counter(fact.what for fact, _ in lost).most_common():
        print(f"  {what}: {n}")
    channel = sum(1 for d in record.deliveries if d.kind == NEW and not d.recipients)
    print(f"channel posts: {channel}; pairs: {len(record.pairs)}")
    for label, items in (
        ("steps people could not take", record.problems),
        ("HTTP 5xx", record.server_errors),
        ("listener errors", record.listener_errors),
        ("refused by Slack", record.refusals),
    ):
        print(f"{label}: {len(items)}")
        for item in items[:10]:
            print(f"  {item}")
    print(f"ran in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
