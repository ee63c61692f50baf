"""Benchmark: how long a program's outcome figures take to build on a program with a long history.

What it measures, on PostgreSQL: the wall time of `bot.outcomes.program_outcomes` (what the admin's
Home tab, the weekly report, its chart and the export compute), and the SQL statements it sends,
on a program of `--pairs` pairs (default 10,000) over four cohorts (two ended, two running) and
open-ended pairs (a fifth of them), with `--checkins` check-ins (default 200,000; weekly from each
pair's start, a few skipped or still to come, about 60 % "yes, we met", a member's answer on most),
two goals per pair (rated at graduation in ended cohorts), midpoint answers in every cohort and
closing surveys in ended ones. A second program a tenth that size shares the tables, so the
queries must pick their program's rows out of others. Rows are written with bulk
`INSERT ... SELECT generate_series(...)`, then ANALYZEd.

It builds the figures once to warm up, then `--repeat` times, and prints the best and the median
time, the figures themselves, and each SQL statement the build ran with its execution time from
EXPLAIN ANALYZE (and the plan of the slowest).

The benchmark works in a schema of its own on the server of `--database-url` (default: the
MENTORBOT_TEST_POSTGRES_URL environment variable, else postgresql://postgres@127.0.0.1:5432/test),
migrates it with the project's migrations, and drops it at the end.

Run it from the repository root:

    python bench/outcomes.py [--pairs 10000] [--checkins 200000] [--repeat 5] [--database-url URL]

Target: the figures build in under 1 s. The script prints PASS or MISS for the median against
that target and exits 0 either way.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

# Run as `python bench/outcomes.py`: make `bot.*` importable from the repo root.
REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from sqlalchemy import Engine, event, text  # noqa: E402

from bench.insights import DEFAULT_URL, scratch_schema  # noqa: E402
from bot.outcomes import Outcomes, program_outcomes  # noqa: E402
from bot.views.outcomes import outcome_text  # noqa: E402
from storage.db import create_db_engine, create_session_factory  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Program, Workspace  # noqa: E402

TARGET_SECONDS = 1.0
NOW = datetime(2026, 11, 4, 12, 0, tzinfo=UTC)
TEAM = "TBENCH"


def seed(engine: Engine, tag: str, program_id: int, pairs: int, checkins: int) -> None:
    """Bulk-insert one program's cohorts, people, sign-ups, pairs, check-ins, goals and answers."""
    per_pair = max(1, checkins // pairs)
    params = {"team": TEAM, "program": program_id, "pairs": pairs, "now": NOW, "tag": tag, "n": per_pair}
    statements = [
        # Four cohorts starting 400, 300, 200 and 60 days ago, 180 days each; the first two ended.
        """INSERT INTO cohorts (team_id, program_id, name, tz, signup_opens_on, signup_closes_on,
                                starts_on, ends_on, graduation_days, auto_match, created_by_user_id,
                                created_at, completed_at)
           SELECT :team, :program, :tag || ' cohort ' || k, 'UTC',
                  CAST(:now AS date) - s - 21, CAST(:now AS date) - s - 1,
                  CAST(:now AS date) - s, CAST(:now AS date) - s + 180, 7, false, 'UADMIN', :now,
                  CASE WHEN s - 180 > 0 THEN :now - (s - 181) * interval '1 day' END
           FROM (VALUES (1, 400), (2, 300), (3, 200), (4, 60)) AS c(k, s)""",
        # A mentor per two pairs, a mentee per pair and 500 mentees still waiting.
        """INSERT INTO people (team_id, user_id, tz, no_introductions, created_at, updated_at)
           SELECT :team, 'U' || :tag || 'M' || g, 'Europe/Berlin', false, :now, :now
           FROM generate_series(1, (:pairs + 1) / 2) g""",
        """INSERT INTO people (team_id, user_id, tz, no_introductions, created_at, updated_at)
           SELECT :team, 'U' || :tag || 'E' || g, 'America/New_York', false, :now, :now
           FROM generate_series(1, :pairs + 500) g""",
        """INSERT INTO profiles (team_id, program_id, person_id, role, mentor_capacity, skills,
                                 growth_areas, interests, meeting_formats, joined_at, updated_at)
           SELECT :team, :program, id,
                  CASE WHEN user_id LIKE 'U' || :tag || 'M%' THEN 'mentor' ELSE 'mentee' END,
                  3, '[]', '[]', '[]', '[]', :now - (id % 500) * interval '1 day', :now
           FROM people WHERE user_id LIKE 'U' || :tag || '%'""",
        # Pair g: cohort g % 5 (0: open-ended); its mentee signed up for that cohort.
        """INSERT INTO cohort_members (team_id, cohort_id, person_id, joined_at)
           SELECT :team, c.id, e.id,
                  CAST(c.signup_opens_on AS timestamptz) + (g % 20) * interval '1 day'
           FROM generate_series(1, :pairs) g
           JOIN people e ON e.team_id = :team AND e.user_id = 'U' || :tag || 'E' || g
           JOIN cohorts c ON c.program_id = :program AND c.name = :tag || ' cohort ' || (g % 5)
           WHERE g % 5 <> 0""",
        """INSERT INTO pairs (team_id, program_id, mentor_id, mentee_id, status, created_at, cohort_id,
                              paused_at, ended_at, completed_at, unanswered_checkins)
           SELECT :team, :program, m.id, e.id, s.status, s.created, c.id,
                  CASE WHEN s.status = 'paused' THEN s.created + (g % 90) * interval '1 day' END,
                  CASE WHEN s.status = 'ended' THEN s.created + (g % 150) * interval '1 day' END,
                  CASE WHEN s.status = 'completed' THEN c.completed_at END,
                  0
           FROM generate_series(1, :pairs) g
           JOIN people m ON m.team_id = :team AND m.user_id = 'U' || :tag || 'M' || ((g + 1) / 2)
           JOIN people e ON e.team_id = :team AND e.user_id = 'U' || :tag || 'E' || g
           LEFT JOIN cohorts c ON c.program_id = :program AND c.name = :tag || ' cohort ' || (g % 5)
           CROSS JOIN LATERAL (
               SELECT CASE WHEN c.id IS NULL THEN :now - (g % 365) * interval '1 day'
                           ELSE CAST(c.starts_on AS timestamptz) + (g % 10) * interval '1 hour' END
                          AS created,
                      CASE WHEN c.completed_at IS NOT NULL THEN
                               CASE WHEN g / 5 % 20 < 14 THEN 'completed' WHEN g / 5 % 20 < 17 THEN 'ended'
                                    ELSE 'active' END
                           ELSE CASE WHEN g / 5 % 10 < 8 THEN 'active' WHEN g / 5 % 10 = 8 THEN 'paused'
                                     ELSE 'ended' END END AS status
           ) s""",
        # `n` weekly meetings per pair from a week after it was made; the last two still to come or
        # skipped now and then; most answered, about 60 % "yes".
        """INSERT INTO checkins (team_id, pair_id, due_at, created_at, met, answered_at, stage, moved_to)
           SELECT :team, p.id, p.created_at + k * interval '1 week', p.created_at,
                  CASE WHEN p.id % 12 = 0 THEN 'not_yet' WHEN (p.id + k) % 10 < 6 THEN 'yes'
                       WHEN (p.id + k) % 10 < 8 THEN 'not_yet' END,
                  CASE WHEN (p.id + k) % 10 < 8 THEN p.created_at + k * interval '1 week' + interval '3 hours'
                       END,
                  CASE WHEN (p.id * 7 + k) % 25 = 0 THEN 'skipped' WHEN k > :n - 1 THEN 'soon'
                       ELSE 'checkin' END,
                  CASE WHEN (p.id + k) % 13 = 0 THEN p.created_at + k * interval '1 week' + interval '1 day'
                       END
           FROM pairs p CROSS JOIN generate_series(1, :n) k
           WHERE p.program_id = :program""",
        """INSERT INTO checkin_answers (checkin_id, person_id, met, learned, blocker, answered_at)
           SELECT c.id, p.mentee_id, c.met, 'learned something', NULL, c.answered_at
           FROM checkins c JOIN pairs p ON p.id = c.pair_id
           WHERE p.program_id = :program AND c.answered_at IS NOT NULL""",
        """INSERT INTO goals (team_id, pair_id, owner_id, specific, measure_kind, target_value,
                              current_value, attainable, realistic, deadline, status, final_rating,
                              created_at, updated_at)
           SELECT :team, p.id, p.mentee_id, 'Give a 20-minute talk at the guild', 'target', 3, 1,
                  'I have given short talks before', 'My manager supports it',
                  CAST(:now AS date) + ((p.id * 3 + n) % 120 - 40),
                  CASE (p.id + n) % 4 WHEN 0 THEN 'achieved' WHEN 1 THEN 'missed' ELSE 'active' END,
                  CASE WHEN co.completed_at IS NOT NULL THEN
                       CASE (p.id + n) % 3 WHEN 0 THEN 'achieved' WHEN 1 THEN 'partly' ELSE 'not_yet' END
                       END,
                  :now, :now
           FROM pairs p LEFT JOIN cohorts co ON co.id = p.cohort_id
           CROSS JOIN generate_series(1, 2) n WHERE p.program_id = :program""",
        """INSERT INTO midpoint_checks (team_id, pair_id, person_id, rating, on_track, answered_at)
           SELECT :team, p.id, CASE WHEN n = 1 THEN p.mentee_id ELSE p.mentor_id END,
                  1 + (p.id + n) % 5, 'yes', :now
           FROM pairs p CROSS JOIN generate_series(1, 2) n
           WHERE p.program_id = :program AND p.cohort_id IS NOT NULL AND (p.id + n) % 10 < 6""",
        """INSERT INTO closing_surveys (team_id, pair_id, person_id, rating, what_changed, recommend,
                                        answered_at, choice)
           SELECT :team, p.id, CASE WHEN n = 1 THEN p.mentee_id ELSE p.mentor_id END,
                  CASE WHEN (p.id + n) % 7 <> 0 THEN 1 + (p.id * n) % 5 END,
                  'What changed for me, in my own words',
                  CASE WHEN (p.id + n) % 5 <> 0 THEN (p.id * 3 + n) % 11 END, :now, 'close'
           FROM pairs p JOIN cohorts co ON co.id = p.cohort_id
           CROSS JOIN generate_series(1, 2) n
           WHERE p.program_id = :program AND co.completed_at IS NOT NULL AND (p.id + n) % 10 < 7""",
    ]
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement), params)


def build(session_factory, program_id: int) -> tuple[float, Outcomes]:
    with session_factory() as session:
        program = session.get(Program, program_id)
        started = time.perf_counter()
        outcomes = program_outcomes(session, program, NOW)
        return time.perf_counter() - started, outcomes


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
    statements = [(s, p) for s, p in captured if s.lstrip().upper().startswith(("SELECT", "WITH"))]
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
    parser.add_argument("--pairs", type=int, default=10_000)
    parser.add_argument("--checkins", type=int, default=200_000)
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
            seed(engine, "O", other_id, max(10, args.pairs // 10), max(10, args.checkins // 10))
            with engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
                counts = connection.exec_driver_sql(
                    "SELECT (SELECT count(*) FROM checkins c JOIN pairs p ON p.id = c.pair_id "
                    f"WHERE p.program_id = {bench_id}), (SELECT count(*) FROM checkins), "
                    "(SELECT count(*) FROM pairs), (SELECT count(*) FROM checkin_answers), "
                    "(SELECT count(*) FROM goals), (SELECT count(*) FROM midpoint_checks), "
                    "(SELECT count(*) FROM closing_surveys)"
                ).one()
            print(
                f"seeded {counts[0]:,} check-ins in the program ({counts[1]:,} in all), {counts[2]:,} pairs, "
                f"{counts[3]:,} check-in answers, {counts[4]:,} goals, {counts[5]:,} midpoint answers, "
                f"{counts[6]:,} closing surveys in two programs ({time.perf_counter() - started:.1f} s)"
            )

            cold, outcomes = build(session_factory, bench_id)
            times = [build(session_factory, bench_id)[0] for _ in range(args.repeat)]
            best, median = min(times), statistics.median(times)

            print(f"\nAs the Home tab shows them, as of {NOW:%Y-%m-%d %H:%M} UTC:")
            print(outcome_text(outcomes, max_cohorts=10))

            explain(engine, session_factory, bench_id)

            verdict = "PASS" if median < TARGET_SECONDS else "MISS"
            print(
                f"\nprogram_outcomes on {outcomes.total.pairs:,} pairs and {counts[0]:,} check-ins: "
                f"cold {cold * 1000:.1f} ms, best {best * 1000:.1f} ms, "
                f"median {median * 1000:.1f} ms of {args.repeat} runs"
            )
            print(f"{verdict}: target under {TARGET_SECONDS:.0f} s")
        finally:
            engine.dispose()


if __name__ == "__main__":
    main()
