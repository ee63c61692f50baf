"""Benchmark: the meeting loop for thousands of pairs meeting in the same hour.

What it measures, on PostgreSQL, calling the clock's own functions in this process (one
`session_factory.begin()` per batch, as `bot.delivery.dispatch_due` does) and counting every SQL
statement sent to the server (a `before_cursor_execute` listener; an executemany is one statement):

  prepare     `--pairs` active pairs (default 10,000), each with its own group DM and a weekly
              agreement meeting tomorrow at the same local hour (minutes spread over the hour;
              prep the working day before, reminder an hour before), all due now. Some have an
              active goal with a progress note, an open action item (some of them late) and last
              week's meeting with its message sent and a blocker answered, so the message, the
              closing edit of last week's and the mentor's questions have real work to do.
              `bot.checkins.schedule_due` batches run until none is left: total seconds, pairs a
              second, statements per batch (min/median/max) and per pair.
  steps       the clock moved to the latest `soon_at` (agenda final, reminder) and then to the
              latest `checkin_at` (did you meet): `bot.checkins.advance_meetings` batches, timed and
              counted the same way. The edits need the messages to have gone: with `--skip-delivery`
              the queued messages are marked sent with a made-up `message_ts` by SQL first.
  delivery    the outbox sent with `bot.delivery.dispatch_due` in this process (not the `mentorbot
              clock` process: the steps need the clock moved to tomorrow), through a Web API client
              built as the clock builds it, against an in-process fake Slack with the limits of
              bench/checkins.py (chat.postMessage one a second per channel, burst 3; 6,000 a minute
              per workspace; 429 with a whole-second Retry-After). The new messages are sent after
              `prepare`, the edits after `steps`. Delivered, duplicated, 429s, the posts' rate as a
              share of the workspace cap, and the messages per pair: new posts and edits
              (chat.update; the fake does not rate-limit it).

For each phase the SQL is grouped by its text (bind lists collapsed), and when any text runs more
than once per batch the top five are printed with their counts and where in bot/ or storage/ they
are sent from: a statement sent for each pair, not for each batch.

Run it from the repository root:

    python bench/meetings.py [--pairs N] [--database-url URL] [--skip-delivery]

It creates its own scratch database on the PostgreSQL server of `--database-url` (which is left
untouched), migrates it and drops it at the end. `--pairs 1000` is a quick run (under a minute);
with 10,000 pairs the delivery alone takes a few minutes (10,000 posts at 6,000 a minute, then the
edits).

Targets: under 40 statements per batch of 500 pairs in `prepare` and `steps` (a few statements a
batch, not some for each pair: 0.08 a pair); exactly one new message per pair, none duplicated;
delivery of the posts at at least 90 % of the workspace cap. The script prints PASS or MISS for
each and exits 0 either way; it exits non-zero only when it cannot set up.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any
from zoneinfo import ZoneInfo

# Run as `python bench/meetings.py`: make `bench.*`, `bot.*`, `storage.*` and `tests.*` importable.
REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from slack_sdk import WebClient  # noqa: E402
from sqlalchemy import Engine, event, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.checkins import (  # noqa: E402
    DEFAULT_SERVER,
    TEAM,
    SetupError,
    daytime_zone,
    scratch_database,
    seed,
    verdict,
)
from bot.agreements import form_from, plan_of  # noqa: E402
from bot.cadence import next_occurrence  # noqa: E402
from bot.checkins import advance_meetings, checkin_key, schedule_due  # noqa: E402
from bot.delivery import dispatch_due  # noqa: E402
from bot.meetings import meeting_times  # noqa: E402
from storage.db import SessionFactory, create_db_engine, create_session_factory  # noqa: E402
from storage.models import Agreement, Pair  # noqa: E402
from tests.fakes.slack_api import BOT_TOKEN, FakeSlack, RateLimits  # noqa: E402

STATEMENTS_TARGET = 40  # per batch of BATCH pairs
BATCH = 500  # what the clock asks schedule_due and advance_meetings for
RATE_TARGET = 0.90
NEW_PER_PAIR_TARGET = 1.0
TOP = 5
PREVIOUS_EVERY = 2  # every 2nd pair met last week (message sent, a blocker answered)
GOAL_EVERY = 3  # every 3rd pair has an active goal and an open action item
FAKE_TS = "1700000000."


# -- counting statements -------------------------------------------------------------------------

_BIND = r"%\(\w+\)s(?:::[A-Z][\w ]*(?:\[\])?(?=\s*[,)]))?"  # psycopg's bind, with its cast if any
_BIND_RUN = re.compile(rf"{_BIND}(?:\s*,\s*{_BIND})*")
_ROW_RUN = re.compile(r"(\([^()]*\))(?:\s*,\s*\([^()]*\))+")
_SPACE = re.compile(r"\s+")
_OURS = (str(REPO_ROOT / "bot") + os.sep, str(REPO_ROOT / "storage") + os.sep)


def normalized(statement: str) -> str:
    """The statement with its bind lists and multi-row VALUES collapsed, on one line."""
    return _ROW_RUN.sub(r"\1, …", _BIND_RUN.sub("?", _SPACE.sub(" ", statement))).strip()


def sent_from(frame: FrameType | None) -> str:
    """Where in bot/ and storage/ a statement comes from, innermost first."""
    found: list[str] = []
    while frame is not None and len(found) < 4:
        name = frame.f_code.co_filename
        if name.startswith(_OURS):
            found.append(f"{Path(name).relative_to(REPO_ROOT)}:{frame.f_lineno} {frame.f_code.co_name}")
        frame = frame.f_back
    return " <- ".join(found) or "(outside bot/ and storage/)"


@dataclass
class Batch:
    """One batch: pairs (or meetings) handled, statements sent, seconds."""

    handled: int
    statements: int
    seconds: float


@dataclass
class Recorder:
    """A `before_cursor_execute` listener counting statements per batch and by text."""

    batches: list[Batch] = field(default_factory=list)
    by_text: Counter[str] = field(default_factory=Counter)
    rows: Counter[str] = field(default_factory=Counter)  # the rows of executemany statements
    where: dict[str, str] = field(default_factory=dict)
    _raw: dict[str, str] = field(default_factory=dict)
    _current: int = 0

    def __call__(
        self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
    ) -> None:
        self._current += 1
        key = self._raw.get(statement)
        if key is None:
            key = self._raw[statement] = normalized(statement)
        if key not in self.where:
            self.where[key] = sent_from(sys._getframe(1))
        self.by_text[key] += 1
        if executemany:
            self.rows[key] += len(parameters)

    def run(self, factory: SessionFactory, step: Callable[[Session], int]) -> None:
        """Run `step` in one transaction a batch until it handles nothing."""
        while True:
            self._current = 0
            began = time.perf_counter()
            with factory.begin() as session:
                handled = step(session)
            self.batches.append(Batch(handled, self._current, time.perf_counter() - began))
            if handled == 0:
                break


@dataclass
class Phase:
    """The figures of one timed phase."""

    name: str
    recorder: Recorder

    @property
    def working(self) -> list[Batch]:
        """The batches that handled something (not the last, empty look)."""
        return [batch for batch in self.recorder.batches if batch.handled]

    @property
    def handled(self) -> int:
        return sum(batch.handled for batch in self.working)

    @property
    def seconds(self) -> float:
        return sum(batch.seconds for batch in self.recorder.batches)

    @property
    def statements(self) -> int:
        return sum(batch.statements for batch in self.working)


def timed(name: str, engine: Engine, factory: SessionFactory, step: Callable[[Session], int]) -> Phase:
    """Run one phase's batches with the statement listener on."""
    recorder = Recorder()
    event.listen(engine, "before_cursor_execute", recorder)
    try:
        recorder.run(factory, step)
    finally:
        event.remove(engine, "before_cursor_execute", recorder)
    return Phase(name, recorder)


def print_phase(phase: Phase) -> None:
    """The figures of a phase, its verdict, and the statements that run more than once a batch."""
    work = phase.working
    counts = [batch.statements for batch in work] or [0]
    handled = phase.handled
    empty = phase.recorder.batches[-1]
    print(
        f"{phase.name}: {handled:,} handled in {len(work)} batches, {phase.seconds:.1f} s "
        f"({handled / phase.seconds if phase.seconds else float('nan'):,.0f}/s; median batch "
        f"{statistics.median([b.seconds for b in work] or [0]):.2f} s); statements per batch "
        f"min {min(counts)} / median {statistics.median(counts):g} / max {max(counts)}, "
        f"{phase.statements / handled if handled else float('nan'):.3f} per pair; "
        f"the last, empty look {empty.statements}"
    )
    print(
        f"{phase.name}: < {STATEMENTS_TARGET} statements per batch of {BATCH}: "
        f"{verdict(max(counts) < STATEMENTS_TARGET)} (max {max(counts)})"
    )
    batches = max(1, len(work))
    repeated = [(sql, n) for sql, n in phase.recorder.by_text.most_common() if n > batches + 1]
    if not repeated:
        print(f"  no statement runs more than once a batch ({len(phase.recorder.by_text)} distinct texts)")
        return
    shown_count = min(TOP, len(repeated))
    print(f"  statements run more than once a batch ({shown_count} of {len(repeated)}, by count):")
    for sql, count in repeated[:TOP]:
        rows = phase.recorder.rows.get(sql)
        shown = sql if len(sql) <= 300 else sql[:297] + "..."
        many = f", {rows} rows in all" if rows else ""
        print(
            f"    {count:>6}x ({count / batches:.0f} a batch{many}) {shown}\n"
            f"            from {phase.recorder.where[sql]}"
        )


# -- seeding -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seeded:
    """The pairs written and when they meet."""

    pairs: int
    zone: str
    now: datetime
    meets: datetime  # tomorrow at the shared local hour, UTC; each pair adds (id * 7) % 60 minutes
    previous: int  # pairs with last week's meeting
    goals: int


def seed_meetings(engine: Engine, pairs: int, now: datetime) -> Seeded:
    """Pairs meeting tomorrow within one local hour, all due now, with goals, actions and history."""
    zone = daytime_zone(now)
    seed(engine, pairs, now=now, zone=zone)  # people, profiles, pairs with a DM, agreements
    local = now.astimezone(ZoneInfo(zone))
    tomorrow = local.date() + timedelta(days=1)
    meets = datetime.combine(tomorrow, local.time().replace(minute=0, second=0, microsecond=0))
    meets = meets.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
    values = {
        "team": TEAM,
        "now": now,
        "due": now - timedelta(minutes=1),
        "meets": meets,
        "hour": f"{local.hour:02d}",
        "weekday": tomorrow.weekday(),
        "start": tomorrow - timedelta(days=28),
        "today": local.date(),
        "previous": PREVIOUS_EVERY,
        "goal": GOAL_EVERY,
        "asked": json.dumps([{"id": "goal-six-months", "stage": "goal", "text": "Where in six months?"}]),
    }
    minute = "(p.id * 7 % 60)"
    statements = [
        f"""UPDATE agreements a
           SET weekday = :weekday, local_time = :hour || ':' || lpad({minute}::text, 2, '0'),
               start_date = :start, prep_days = 1, reminder_minutes = 60
           FROM pairs p WHERE p.id = a.pair_id""",
        f"""UPDATE pairs p SET created_at = CAST(:now AS timestamptz) - interval '60 days',
                  next_meeting_at = CAST(:meets AS timestamptz) + make_interval(mins => {minute}::int),
                  next_checkin_at = :due""",
        """UPDATE profiles SET motivations = 'I want to lead a team within a year.',
                  background = 'Five years in backend work.', experience_level = 'developing'
           WHERE role = 'mentee'""",
        # Last week's meeting: answered, a blocker from the mentee, its message sent.
        """INSERT INTO checkins (team_id, pair_id, due_at, created_at, met, answered_at, stage, next_step_at,
                                 mentor_questions, notes)
           SELECT :team, p.id, p.next_meeting_at - interval '7 days', p.next_meeting_at - interval '8 days',
                  'yes', p.next_meeting_at - interval '7 days' + interval '5 hours', 'checkin', NULL,
                  :asked,
                  'We went through the roadmap.'
           FROM pairs p WHERE p.id % :previous = 0""",
        """INSERT INTO checkin_answers (checkin_id, person_id, met, learned, blocker, answered_at)
           SELECT c.id, p.mentee_id, 'yes', 'How to plan a quarter.',
                  'I cannot get time with the platform team.', c.answered_at
           FROM checkins c JOIN pairs p ON p.id = c.pair_id
           UNION ALL
           SELECT c.id, p.mentor_id, 'yes', 'What the team finds hard.', NULL, c.answered_at
           FROM checkins c JOIN pairs p ON p.id = c.pair_id""",
        """INSERT INTO outbox (team_id, key, kind, pair_id, channel, payload, status, not_before, attempts,
                               sent_at, message_ts, created_at)
           SELECT :team, 'checkin:' || c.pair_id || ':'
                         || to_char(c.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') || '+00:00',
                  'checkin', c.pair_id, p.dm_channel_id, '{"text": "Last week''s meeting"}', 'sent',
                  c.created_at, 1, c.created_at, '1600000000.' || lpad(c.pair_id::text, 6, '0'), c.created_at
           FROM checkins c JOIN pairs p ON p.id = c.pair_id""",
        # An active goal (some behind, some near their deadline) with a progress note.
        """INSERT INTO goals (team_id, pair_id, owner_id, specific, measure_kind, target_value, target_unit,
                              start_value, current_value, attainable, realistic, deadline, status,
                              created_at, updated_at)
           SELECT :team, p.id, p.mentee_id, 'Give three talks at the engineering guild', 'target', 3,
                  'talks', 0, p.id % 2, 'I have the material from two projects.',
                  'My lead supports it.', CAST(:today AS date) + 12 + (p.id % 40), 'active',
                  CAST(:now AS timestamptz) - interval '40 days', :now
           FROM pairs p WHERE p.id % :goal = 0""",
        """INSERT INTO goal_updates (goal_id, author_id, value, milestones_done, note, created_at)
           SELECT g.id, g.owner_id, g.current_value, '[]', 'The first talk is booked.',
                  CAST(:now AS timestamptz) - interval '3 days'
           FROM goals g""",
        # An open action item, late for every other one.
        """INSERT INTO action_items (team_id, pair_id, checkin_id, text, owner_id, due_on, created_by_id,
                                     created_at)
           SELECT :team, p.id, c.id, 'Send the outline of the first talk', p.mentee_id,
                  CASE WHEN p.id % 2 = 0 THEN CAST(:today AS date) - 2 ELSE CAST(:today AS date) + 5 END,
                  p.mentor_id, CAST(:now AS timestamptz) - interval '7 days'
           FROM pairs p LEFT JOIN checkins c ON c.pair_id = p.id WHERE p.id % :goal = 0""",
    ]
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement), values)
        previous = connection.execute(text("SELECT count(*) FROM checkins")).scalar_one()
        goals = connection.execute(text("SELECT count(*) FROM goals")).scalar_one()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    seeded = Seeded(pairs, zone, now, meets, previous, goals)
    _check_seed(engine, seeded)
    return seeded


def _check_seed(engine: Engine, seeded: Seeded) -> None:
    """The seeded keys and meeting times are what mentorbot computes itself."""
    factory = create_session_factory(engine)
    with factory() as session:
        pair = session.get(Pair, PREVIOUS_EVERY)
        if pair is None or pair.next_meeting_at is None:
            raise SetupError(f"pair {PREVIOUS_EVERY} was not seeded with a meeting")
        row = session.execute(
            text("SELECT key FROM outbox WHERE pair_id = :id"), {"id": pair.id}
        ).scalar_one_or_none()
        if row != checkin_key(pair.id, pair.next_meeting_at - timedelta(days=7)):
            raise SetupError(f"the seeded check-in key {row!r} is not mentorbot's")
        agreement = session.query(Agreement).filter_by(pair_id=pair.id).one()
        planned = next_occurrence(form_from(agreement).cadence, seeded.now)
        if planned != pair.next_meeting_at:
            raise SetupError(f"the seeded meeting {pair.next_meeting_at} is not the agreement's {planned}")


def step_instants(engine: Engine) -> dict[str, datetime]:
    """The latest soon_at and checkin_at over all the meetings written (plus a second)."""
    factory = create_session_factory(engine)
    soon = checkin = datetime.min.replace(tzinfo=UTC)
    with factory() as session:
        rows = session.execute(
            text(
                "SELECT c.due_at, m.tz, e.tz, a.prep_days, a.reminder_minutes FROM checkins c "
                "JOIN pairs p ON p.id = c.pair_id JOIN people m ON m.id = p.mentor_id "
                "JOIN people e ON e.id = p.mentee_id JOIN agreements a ON a.pair_id = p.id "
                "WHERE c.next_step_at IS NOT NULL"
            )
        )
        for due_at, mentor_tz, mentee_tz, prep_days, reminder in rows:
            agreement = Agreement(prep_days=prep_days, reminder_minutes=reminder)
            times = meeting_times(due_at, plan_of(agreement), mentee_tz, mentor_tz)
            soon, checkin = max(soon, times.soon_at), max(checkin, times.checkin_at)
    second = timedelta(seconds=1)
    return {"soon": soon + second, "checkin": checkin + second}


def mark_sent(engine: Engine, now: datetime) -> int:
    """Record every pending message as sent with a made-up ts (instead of delivering it)."""
    with engine.begin() as connection:
        return connection.execute(
            text(
                "UPDATE outbox SET status = 'sent', sent_at = :now, attempts = attempts + 1, "
                f"message_ts = '{FAKE_TS}' || lpad(id::text, 6, '0') WHERE status = 'pending'"
            ),
            {"now": now},
        ).rowcount


def queued(engine: Engine, since: datetime) -> dict[tuple[str, str], int]:
    """Outbox rows written by the benchmark (not the seeded history), by kind and status."""
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT kind, status, count(*) FROM outbox WHERE created_at >= :since GROUP BY 1, 2"),
            {"since": since},
        )
        return {(kind, status): count for kind, status, count in rows}


# -- delivery ------------------------------------------------------------------------------------


@dataclass
class Sent:
    """What one delivery pass put through the fake."""

    name: str
    seconds: float
    report: str
    posts: list[Any]
    edits_ok: int
    edits_failed: int
    rate_limited: int

    @property
    def per_minute(self) -> float:
        if len(self.posts) < 2:
            return float("nan")
        span = self.posts[-1].at - self.posts[0].at
        return 60 * len(self.posts) / span if span > 0 else float("nan")


def deliver(name: str, factory: SessionFactory, fake: FakeSlack, at: datetime) -> Sent:
    """`dispatch_due` at `at`, its clock running on from there, until the outbox is empty."""
    client = WebClient(token=BOT_TOKEN, base_url=fake.base_url, timeout=10, retry_handlers=[])
    posts, updates, limited = len(fake.posted), len(fake.calls_to("chat.update")), fake.rate_limited
    started = time.monotonic()

    def clock() -> datetime:
        return at + timedelta(seconds=time.monotonic() - started)

    report = dispatch_due(factory, client, at, clock=clock)
    seconds = time.monotonic() - started
    edits = fake.calls_to("chat.update")[updates:]
    ok = sum(1 for call in edits if call.ok)
    return Sent(
        name,
        seconds,
        f"checkins {report.checkins}, steps {report.steps}, sent {report.sent}, "
        f"deferred {report.deferred}, failed {report.failed}",
        list(fake.posted[posts:]),
        ok,
        len(edits) - ok,
        fake.rate_limited - limited,
    )


def know_history(engine: Engine, fake: FakeSlack) -> None:
    """Let the fake know last week's messages, so their closing edits find them."""
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT channel, message_ts FROM outbox WHERE status = 'sent' AND message_ts IS NOT NULL")
        )
        for channel, ts in rows:
            fake.messages[(channel, ts)] = {"channel": channel, "ts": ts, "text": "", "blocks": []} | {
                "edits": 0
            }


# -- the run -------------------------------------------------------------------------------------


def advancing(at: datetime) -> Callable[[Session], int]:
    """One batch of `advance_meetings` with the clock at `at`."""
    return lambda session: advance_meetings(session, at, BATCH)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; exits 0 whatever the figures, 1 when it cannot set up."""
    args = _parser().parse_args(argv)
    try:
        with scratch_database(args.database_url) as url:
            engine = create_db_engine(url)
            try:
                return _benchmark(engine, args)
            finally:
                engine.dispose()
    except SetupError as error:
        print(f"meetings: {error}", file=sys.stderr)
        return 1


def _benchmark(engine: Engine, args: argparse.Namespace) -> int:
    limits = RateLimits(per_channel_per_second=1, channel_burst=3, per_minute=args.cap_per_minute)
    with engine.connect() as connection:
        version = connection.execute(text("SHOW server_version")).scalar_one()
    now = datetime.now(UTC).replace(microsecond=0)
    started = time.monotonic()
    seeded = seed_meetings(engine, args.pairs, now)
    local, meets = now.astimezone(ZoneInfo(seeded.zone)), seeded.meets.astimezone(ZoneInfo(seeded.zone))
    print(
        f"# {seeded.pairs:,} pairs due now, meeting tomorrow {meets:%a %d %b %H}:00-{meets:%H}:59 in "
        f"{seeded.zone} (local now {local:%a %H:%M}); PostgreSQL {version}, "
        f"{os.cpu_count()} CPUs\n"
        f"# {seeded.previous:,} met last week (message sent, a blocker answered), {seeded.goals:,} have an "
        f"active goal and an open action item; seeded in {time.monotonic() - started:.0f} s",
        flush=True,
    )
    factory = create_session_factory(engine)
    prepare = timed("prepare", engine, factory, lambda session: schedule_due(session, now, BATCH))
    print_phase(prepare)
    written = queued(engine, now)
    fake: FakeSlack | None = None
    sent: list[Sent] = []
    if args.skip_delivery:
        marked = mark_sent(engine, now)
        print(f"  (--skip-delivery: {marked:,} queued messages marked sent with a made-up ts)", flush=True)
    else:
        fake = FakeSlack(rate_limits=limits).start()
        know_history(engine, fake)
        print(f"  (delivering the new messages: {sum(written.values()):,} queued)", flush=True)
        sent.append(deliver("posts", factory, fake, datetime.now(UTC)))
    steps = []
    instants = step_instants(engine)
    for stage, at in instants.items():
        phase = timed(f"step {stage}", engine, factory, advancing(at))
        steps.append(phase)
        print_phase(phase)
    if fake is not None:
        print("  (delivering the edits)", flush=True)
        sent.append(deliver("edits", factory, fake, instants["checkin"]))
        fake.stop()
    report(engine, seeded, written, queued(engine, now), sent, fake, limits)
    return 0


def report(
    engine: Engine,
    seeded: Seeded,
    after_prepare: dict[tuple[str, str], int],
    after_steps: dict[tuple[str, str], int],
    sent: list[Sent],
    fake: FakeSlack | None,
    limits: RateLimits,
) -> None:
    """Messages per pair (queued, and delivered when it was), duplicates, 429s and throughput."""
    pairs = seeded.pairs

    def kinds(rows: dict[tuple[str, str], int]) -> Counter[str]:
        found: Counter[str] = Counter()
        for (kind, _status), count in rows.items():
            found[kind] += count
        return found

    new, edits = kinds(after_prepare), kinds(after_steps)
    print(
        "queued by prepare: "
        + ", ".join(f"{kind} {count:,} ({count / pairs:.2f}/pair)" for kind, count in sorted(new.items()))
    )
    print(
        "queued in all: "
        + ", ".join(f"{kind} {count:,} ({count / pairs:.2f}/pair)" for kind, count in sorted(edits.items()))
        + "; by status: "
        + ", ".join(f"{kind} {status} {count:,}" for (kind, status), count in sorted(after_steps.items()))
    )
    if fake is None:
        queued_new = new.get("checkin", 0)
        print(
            f"new messages per pair (queued): {verdict(queued_new == pairs)} ({queued_new / pairs:.2f}); "
            "delivery skipped"
        )
        return
    expected = {f"G{i:08d}" for i in range(1, pairs + 1)}
    posts = [post for run in sent for post in run.posts]
    per_channel = Counter(post.channel for post in posts if post.channel in expected)
    delivered, duplicated = len(per_channel), sum(n - 1 for n in per_channel.values())
    unexpected = len(posts) - sum(per_channel.values())
    edits_ok = sum(run.edits_ok for run in sent)
    edits_failed = sum(run.edits_failed for run in sent)
    for run in sent:
        print(
            f"delivery {run.name}: {run.seconds:.1f} s, {len(run.posts):,} posts, {run.edits_ok:,} edits "
            f"({run.edits_failed} refused), {run.rate_limited:,} answered 429; dispatch_due: {run.report}"
        )
    posting = sent[0]
    share = posting.per_minute / limits.per_minute
    print(
        f"delivered {delivered:,} of {pairs:,} pairs, {duplicated} duplicated, {unexpected} elsewhere, "
        f"{sum(run.rate_limited for run in sent):,} 429s; posts at {posting.per_minute:,.0f}/min "
        f"= {share:.0%} of the workspace cap {limits.per_minute:,}/min"
    )
    print(
        f"messages per pair: {len(posts) / pairs:.2f} new posts, {edits_ok / pairs:.2f} edits "
        f"(chat.update; {edits_failed} refused)"
    )
    print(
        f"one new message per pair, none lost or duplicated: "
        f"{verdict(delivered == pairs and duplicated == 0 and unexpected == 0)} ({len(posts) / pairs:.2f})"
    )
    print(f"posts at >= {RATE_TARGET:.0%} of the cap: {verdict(share >= RATE_TARGET)} ({share:.0%})")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pairs", type=int, default=10_000, help="pairs meeting in the hour (default 10000)")
    parser.add_argument(
        "--cap-per-minute", type=int, default=6000, help="the fake's workspace cap on posts (default 6000)"
    )
    parser.add_argument("--skip-delivery", action="store_true", help="do not send the outbox")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("MENTORBOT_TEST_POSTGRES_URL") or DEFAULT_SERVER,
        help="a PostgreSQL URL; the benchmark creates and drops its own database on that server "
        f"(default: $MENTORBOT_TEST_POSTGRES_URL or {DEFAULT_SERVER})",
    )
    return parser


if __name__ == "__main__":
    raise SystemExit(main())
