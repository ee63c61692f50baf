"""Benchmark: how long an admin's program health takes to build on a program with a long history.

What it measures, on PostgreSQL: the wall time of `bot.insights.program_health` plus
`bot.insights.weekly_series` (8 weeks) together, which is what the admin's Home tab and the weekly
report compute, on a program of `--pairs` pairs (85 % active, 10 % paused, 5 % ended, about 5 % of
the active ones at risk) with `--checkins` check-ins spread weekly over the past year (80 %
answered, 70 % of those "yes, we met"), three goals and four pulses per pair, a capacity-3 mentor
per two pairs and 300 unpaired mentees. A second program half that size shares the tables, so
the queries must pick their program's rows out of others. Rows are written with bulk
`INSERT ... SELECT generate_series(...)`, then ANALYZEd.

It builds the figures once to warm up, then `--repeat` times, and prints the best and the median
time, the figures themselves, and each SQL statement the build ran with its execution time from
EXPLAIN ANALYZE (and the plan of the slowest), so you can check that every statement aggregates
in the database and none loads the history into Python.

The benchmark works in a schema of its own on the server of `--database-url` (default: the
MENTORBOT_TEST_POSTGRES_URL environment variable, else postgresql://postgres@127.0.0.1:5432/test),
migrates it with the project's migrations, and drops it at the end.

Run it from the repository root:

    python bench/insights.py [--pairs 2000] [--checkins 100000] [--repeat 5] [--database-url URL]

Target (from the issue): the dashboard builds in under 1 s on PostgreSQL with 100,000 check-ins.
The script prints PASS or MISS for the median against that target and exits 0 either way.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

# Run as `python bench/insights.py`: make `bot.*` importable from the repo root.
REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from sqlalchemy import Engine, event, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bot.config import normalize_database_url  # noqa: E402
from bot.insights import ProgramHealth, WeekPoint, program_health, weekly_series  # noqa: E402
from storage.db import create_db_engine, create_session_factory  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Program, Workspace  # noqa: E402

TARGET_SECONDS = 1.0
NOW = datetime(2026, 11, 4, 12, 0, tzinfo=UTC)
TEAM = "TBENCH"
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"


@contextmanager
def scratch_schema(server_url: str) -> Iterator[str]:
    """A new schema on the server, migrated; yields a URL whose search_path is it, then drops it."""
    base = normalize_database_url(server_url)
    if make_url(base).get_backend_name() != "postgresql":
        raise SystemExit("bench/insights.py measures PostgreSQL: pass --database-url postgresql://...")
    schema = f"bench_insights_{uuid.uuid4().hex[:10]}"
    admin = create_db_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def seed(engine: Engine, tag: str, program_id: int, pairs: int, checkins: int) -> None:
    """Bulk-insert one program's people, profiles, pairs, check-ins, goals and pulses."""
    per_pair = max(1, checkins // pairs)
    params = {"team": TEAM, "program": program_id, "pairs": pairs, "now": NOW, "tag": tag, "weeks": per_pair}
    statements = [
        # Mentors (one per two pairs), mentees (one per pair) and 300 mentees still waiting.
        """INSERT INTO people (team_id, user_id, tz, no_introductions, created_at, updated_at)
           SELECT :team, 'U' || :tag || 'M' || g, 'Europe/Berlin', false, :now, :now
           FROM generate_series(1, (:pairs + 1) / 2) g""",
        """INSERT INTO people (team_id, user_id, tz, no_introductions, created_at, updated_at)
           SELECT :team, 'U' || :tag || 'E' || g, 'America/New_York', false, :now, :now
           FROM generate_series(1, :pairs + 300) g""",
        """INSERT INTO profiles (team_id, program_id, person_id, role, mentor_capacity, skills,
                                 growth_areas, interests, meeting_formats, joined_at, updated_at)
           SELECT :team, :program, id,
                  CASE WHEN user_id LIKE 'U' || :tag || 'M%' THEN 'mentor' ELSE 'mentee' END,
                  3, '[]', '[]', '[]', '[]', :now, :now
           FROM people WHERE user_id LIKE 'U' || :tag || '%'""",
        """INSERT INTO pairs (team_id, program_id, mentor_id, mentee_id, status, created_at,
                              unanswered_checkins, at_risk_since)
           SELECT :team, :program, m.id, e.id,
                  CASE WHEN g % 20 = 0 THEN 'ended' WHEN g % 10 = 0 THEN 'paused' ELSE 'active' END,
                  :now - interval '1 year',
                  CASE WHEN g % 19 = 0 THEN 3 ELSE 0 END,
                  CASE WHEN g % 19 = 0 THEN :now - (g % 5) * interval '1 week' END
           FROM generate_series(1, :pairs) g
           JOIN people m ON m.team_id = :team AND m.user_id = 'U' || :tag || 'M' || ((g + 1) / 2)
           JOIN people e ON e.team_id = :team AND e.user_id = 'U' || :tag || 'E' || g""",
        # `weeks` weekly check-ins per pair, each pair on its own weekday.
        """INSERT INTO checkins (team_id, pair_id, due_at, created_at, met, answered_at)
           SELECT :team, p.id, c.due, c.due,
                  CASE WHEN c.answered THEN CASE WHEN (p.id * 3 + k) % 10 < 7 THEN 'yes'
                       WHEN (p.id + k) % 2 = 0 THEN 'not_yet' ELSE 'rescheduled' END END,
                  CASE WHEN c.answered THEN c.due + interval '3 hours' END
           FROM pairs p
           CROSS JOIN generate_series(1, :weeks) k
           CROSS JOIN LATERAL (
               SELECT :now - k * interval '1 week' - (p.id % 7) * interval '1 day' AS due,
                      (p.id * 7 + k) % 5 <> 0 AS answered
           ) c
           WHERE p.program_id = :program""",
        """INSERT INTO goals (team_id, pair_id, owner_id, specific, measure_kind, target_value,
                              current_value, attainable, realistic, deadline, status, created_at,
                              updated_at)
           SELECT :team, p.id, p.mentee_id, 'Give a 20-minute talk at the guild', 'target', 3, 1,
                  'I have given short talks before', 'My manager supports it',
                  CAST(:now AS date) + ((p.id * 3 + n) % 120 - 40),
                  CASE (p.id + n) % 6 WHEN 0 THEN 'achieved' WHEN 1 THEN 'missed' WHEN 2 THEN 'dropped'
                       ELSE 'active' END,
                  :now, :now
           FROM pairs p CROSS JOIN generate_series(1, 3) n WHERE p.program_id = :program""",
        """INSERT INTO pulses (team_id, pair_id, person_id, asked_on, score, comment, answered_at)
           SELECT :team, p.id, CASE WHEN n % 2 = 0 THEN p.mentor_id ELSE p.mentee_id END,
                  CAST(:now AS date) - n * 28,
                  CASE WHEN (p.id + n) % 4 <> 0 THEN 1 + (p.id + n) % 5 END,
                  NULL,
                  CASE WHEN (p.id + n) % 4 <> 0 THEN :now - n * interval '28 days' END
           FROM pairs p CROSS JOIN generate_series(1, 4) n WHERE p.program_id = :program""",
    ]
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement), params)


def build(session_factory, program_id: int) -> tuple[float, ProgramHealth, tuple[WeekPoint, ...]]:
    with session_factory() as session:
        program = session.get(Program, program_id)
        started = time.perf_counter()
        health = program_health(session, program, NOW)
        series = weekly_series(session, program, NOW)
        return time.perf_counter() - started, health, series


def explain(engine: Engine, session_factory, program_id: int) -> None:
    """Run the build once more, then EXPLAIN ANALYZE each statement it ran, with its parameters."""
    captured: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        captured.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        build(session_factory, program_id)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    statements = [(s, p) for s, p in captured if s.lstrip().upper().startswith("SELECT")]
    print(f"\nSQL: {len(statements)} statements per build (EXPLAIN ANALYZE execution time each)")
    slowest: tuple[float, list[str]] = (0.0, [])
    with engine.connect() as connection:
        for statement, parameters in statements:
            plan = [row[0] for row in connection.exec_driver_sql(f"EXPLAIN ANALYZE {statement}", parameters)]
            took = next(
                (float(line.split(":")[1].split()[0]) for line in plan if "Execution Time" in line), 0.0
            )
            summary = " ".join(statement.split())
            print(f"  {took:7.2f} ms  {summary[:150]}{'…' if len(summary) > 150 else ''}")
            if took > slowest[0]:
                slowest = (took, plan)
    print(f"\nPlan of the slowest ({slowest[0]:.2f} ms):")
    for line in slowest[1]:
        print(f"  {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=2000)
    parser.add_argument("--checkins", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--database-url", default=os.environ.get("MENTORBOT_TEST_POSTGRES_URL") or DEFAULT_URL
    )
    args = parser.parse_args()

    with scratch_schema(args.database_url) as url:
        engine = create_db_engine(url)
        try:
            upgrade(engine)
            session_factory = create_session_factory(engine)
            with session_factory.begin() as session:
                session.add(Workspace(team_id=TEAM, created_at=NOW))
                session.flush()
                programs = [
                    Program(team_id=TEAM, name=name, is_default=name == "Bench", skills=[], admin_user_ids=[])
                    for name in ("Bench", "Other")
                ]
                session.add_all(programs)
                session.flush()
                bench_id, other_id = (p.id for p in programs)
            started = time.perf_counter()
            seed(engine, "B", bench_id, args.pairs, args.checkins)
            seed(engine, "O", other_id, args.pairs // 2, args.checkins // 2)
            with engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
                counts = connection.exec_driver_sql(
                    "SELECT (SELECT count(*) FROM checkins), (SELECT count(*) FROM pairs), "
                    "(SELECT count(*) FROM goals), (SELECT count(*) FROM pulses)"
                ).one()
            print(
                f"seeded {counts[0]:,} check-ins, {counts[1]:,} pairs, {counts[2]:,} goals, {counts[3]:,} "
                f"pulses in two programs ({time.perf_counter() - started:.1f} s)"
            )

            cold, health, series = build(session_factory, bench_id)
            times = [build(session_factory, bench_id)[0] for _ in range(args.repeat)]
            best, median = min(times), statistics.median(times)

            print(f"\nProgram health of “{health.program_name}” as of {NOW:%Y-%m-%d %H:%M} UTC:")
            print(
                f"  people            {health.mentors} mentors, {health.mentees} mentees, {health.both} both"
            )
            print(
                f"  waiting           {health.unpaired_mentees} unpaired mentees, free mentor capacity "
                f"{health.free_mentor_capacity} ({health.mentors_with_room} mentors with room)"
            )
            print(
                f"  pairs             {health.pairs_active} active, {health.pairs_paused} paused, "
                f"{health.pairs_ended} ended, {health.at_risk_count} at risk"
            )
            print(
                f"  check-ins         {health.checkins:,}, answered {health.checkins_answered:,} "
                f"({health.answered_share:.1%}), met yes {health.met_yes:,} ({health.met_share:.1%})"
            )
            print(
                f"  goals             {health.goals_set:,} set, {health.goals_achieved:,} achieved, "
                f"{health.goals_overdue:,} overdue"
            )
            print(
                f"  pulse             {health.pulse_average:.2f} of 5 over {health.pulse_answers:,} answers"
            )
            print(
                "  weeks             "
                + ", ".join(f"{p.week_start:%m-%d} {p.meetings}/{p.answered}" for p in series)
            )
            print("                    (week start: meetings/answered check-ins)")

            explain(engine, session_factory, bench_id)

            verdict = "PASS" if median < TARGET_SECONDS else "MISS"
            print(
                f"\nprogram_health + weekly_series on {health.checkins:,} check-ins: "
                f"cold {cold * 1000:.1f} ms, best {best * 1000:.1f} ms, "
                f"median {median * 1000:.1f} ms of {args.repeat} runs"
            )
            print(f"{verdict}: target under {TARGET_SECONDS:.0f} s")
        finally:
            engine.dispose()


if __name__ == "__main__":
    main()
