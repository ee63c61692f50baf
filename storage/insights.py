"""Aggregate reads for program insights: counts, sums and averages computed by the database.

Every function here returns a handful of numbers or a bounded list, whatever the size of the
program's history: rows are counted with COUNT and CASE sums in SQL and never loaded into Python.
They read states and counts only, never what people wrote (goal texts, answers, comments).

Weekly buckets work the same on SQLite and PostgreSQL: `week_index(column)` is the number of whole
weeks between Monday 1969-12-29 and the instant, so every bucket starts on a Monday 00:00 UTC
(ISO weeks), computed in SQL from epoch seconds on each dialect.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Integer, and_, case, exists, func, select, update
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.functions import FunctionElement

from storage.models import (
    ActionItem,
    CheckIn,
    Goal,
    GoalStatus,
    OutboxMessage,
    OutboxStatus,
    Pair,
    PairStatus,
    Person,
    Profile,
    Program,
    Pulse,
    Workspace,
)
from storage.queries import MENTEE_ROLES, MENTOR_ROLES, OPEN, changed, insert_new

# Week 0 starts on Monday 1969-12-29, three days before the Unix epoch (a Thursday).
WEEK_ZERO = date(1969, 12, 29)
_EPOCH_SHIFT = 3 * 86400
_WEEK_SECONDS = 7 * 86400


class week_index(FunctionElement):
    """The ISO week (from Monday 00:00 UTC) an instant falls in, as whole weeks since WEEK_ZERO.

    Lower case like the SQL functions it stands beside (`func.count`).
    """

    type = Integer()
    inherit_cache = True
    name = "week_index"


@compiles(week_index, "postgresql")
def _week_index_postgresql(element: week_index, compiler: Any, **kw: Any) -> str:
    (column,) = element.clauses
    instant = compiler.process(column, **kw)
    return f"CAST(FLOOR((EXTRACT(EPOCH FROM {instant}) + {_EPOCH_SHIFT}) / {_WEEK_SECONDS}) AS INTEGER)"


@compiles(week_index, "sqlite")
def _week_index_sqlite(element: week_index, compiler: Any, **kw: Any) -> str:
    # SQLite keeps UTC instants as text; strftime('%s') reads them as UTC. Integer division
    # floors for the positive values every instant after 1970 gives.
    (column,) = element.clauses
    instant = compiler.process(column, **kw)
    return f"((CAST(strftime('%s', {instant}) AS INTEGER) + {_EPOCH_SHIFT}) / {_WEEK_SECONDS})"


def week_number(day: date) -> int:
    """The week index (as `week_index` computes it in SQL) of the week holding `day`."""
    return (day - WEEK_ZERO).days // 7


def week_start(number: int) -> date:
    """The Monday that starts week `number`."""
    return WEEK_ZERO + timedelta(weeks=number)


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """SUM(CASE WHEN condition THEN 1 ELSE 0 END): a FILTER-style count both dialects run."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


class Roles(NamedTuple):
    mentors: int
    mentees: int
    both: int


def people_by_role(session: Session, program_id: int) -> Roles:
    """Current (not left) profiles of the program, counted by role."""
    row = session.execute(
        select(
            _count_if(Profile.role == "mentor"),
            _count_if(Profile.role == "mentee"),
            _count_if(Profile.role == "both"),
        ).where(Profile.program_id == program_id, Profile.left_at.is_(None))
    ).one()
    return Roles(*(int(n) for n in row))


def unpaired_mentee_count(session: Session, program_id: int) -> int:
    """Current mentee profiles (of active Slack accounts) with no open pair as mentee."""
    has_pair = exists().where(
        Pair.program_id == program_id, Pair.mentee_id == Profile.person_id, Pair.status.in_(OPEN)
    )
    return int(
        session.scalar(
            select(func.count())
            .select_from(Profile)
            .join(Person, Person.id == Profile.person_id)
            .where(
                Profile.program_id == program_id,
                Profile.left_at.is_(None),
                Profile.role.in_(MENTEE_ROLES),
                Person.deactivated_at.is_(None),
                ~has_pair,
            )
        )
        or 0
    )


class Capacity(NamedTuple):
    free: int  # sum over current mentors of max(0, capacity - open pairs as mentor)
    mentors_with_room: int


def mentor_capacity(session: Session, program_id: int) -> Capacity:
    """Free mentoring places among current mentors (of active Slack accounts), and who has them."""
    load = (
        select(Pair.mentor_id, func.count().label("n"))
        .where(Pair.program_id == program_id, Pair.status.in_(OPEN))
        .group_by(Pair.mentor_id)
        .subquery()
    )
    room = Profile.mentor_capacity - func.coalesce(load.c.n, 0)
    free, with_room = session.execute(
        select(func.coalesce(func.sum(case((room > 0, room), else_=0)), 0), _count_if(room > 0))
        .select_from(Profile)
        .join(Person, Person.id == Profile.person_id)
        .outerjoin(load, load.c.mentor_id == Profile.person_id)
        .where(
            Profile.program_id == program_id,
            Profile.left_at.is_(None),
            Profile.role.in_(MENTOR_ROLES),
            Person.deactivated_at.is_(None),
        )
    ).one()
    return Capacity(int(free), int(with_room))


class PairCounts(NamedTuple):
    active: int
    paused: int
    ended: int
    at_risk: int  # active pairs flagged at risk


def pair_counts(session: Session, program_id: int) -> PairCounts:
    """The program's pairs by status, and how many active ones are at risk."""
    row = session.execute(
        select(
            _count_if(Pair.status == PairStatus.ACTIVE.value),
            _count_if(Pair.status == PairStatus.PAUSED.value),
            _count_if(Pair.status == PairStatus.ENDED.value),
            _count_if(and_(Pair.status == PairStatus.ACTIVE.value, Pair.at_risk_since.is_not(None))),
        ).where(Pair.program_id == program_id)
    ).one()
    return PairCounts(*(int(n) for n in row))


class CheckInCounts(NamedTuple):
    total: int
    answered: int  # answered_at is set
    met_yes: int  # answered with met = 'yes'
    prepared: int = 0  # the mentee prepared an agenda
    skipped: int = 0  # a member skipped the meeting
    meetings: int = 0  # meetings with a message, skipped ones aside, upcoming ones included


def checkin_counts(session: Session, program_id: int) -> CheckInCounts:
    """The program's meetings: check-ins asked, answered, saying they met; meetings prepared, skipped."""
    asked = CheckIn.stage == "checkin"  # a meeting still to come, or skipped, asks nothing yet
    row = session.execute(
        select(
            _count_if(asked),
            _count_if(and_(asked, CheckIn.answered_at.is_not(None))),
            _count_if(and_(asked, CheckIn.answered_at.is_not(None), CheckIn.met == "yes")),
            _count_if(CheckIn.prepared_at.is_not(None)),
            _count_if(CheckIn.stage == "skipped"),
            func.count(CheckIn.id),
        )
        .join(Pair, Pair.id == CheckIn.pair_id)
        .where(Pair.program_id == program_id)
    ).one()
    asked_n, answered, met_yes, prepared, skipped, everything = (int(n) for n in row)
    return CheckInCounts(asked_n, answered, met_yes, prepared, skipped, everything - skipped)


class ActionCounts(NamedTuple):
    total: int
    done: int


def action_counts(session: Session, program_id: int) -> ActionCounts:
    """The action items of the program's pairs: how many, and how many are done (never their words)."""
    row = session.execute(
        select(func.count(ActionItem.id), _count_if(ActionItem.done_at.is_not(None)))
        .join(Pair, Pair.id == ActionItem.pair_id)
        .where(Pair.program_id == program_id)
    ).one()
    return ActionCounts(*(int(n) for n in row))


class GoalCounts(NamedTuple):
    total: int
    active: int
    achieved: int
    overdue: int  # active past their deadline, plus missed; of pairs not ended, owners not forgotten


def goal_counts(session: Session, program_id: int, today: date) -> GoalCounts:
    """The goals of the program's pairs by state; `today` (UTC) decides which active ones are late."""
    active = Goal.status == GoalStatus.ACTIVE.value
    late = (active & (Goal.deadline < today)) | (Goal.status == GoalStatus.MISSED.value)
    # An ended pair's goals, and a forgotten person's, are nobody's to catch up on.
    still_running = Pair.status.in_(OPEN) & Person.forgotten_at.is_(None)
    row = session.execute(
        select(
            func.count(Goal.id),
            _count_if(active),
            _count_if(Goal.status == GoalStatus.ACHIEVED.value),
            _count_if(late & still_running),
        )
        .join(Pair, Pair.id == Goal.pair_id)
        .join(Person, Person.id == Goal.owner_id)
        .where(Pair.program_id == program_id)
    ).one()
    return GoalCounts(*(int(n) for n in row))


class PulseSummary(NamedTuple):
    answers: int
    average: float | None


def pulse_summary(session: Session, program_id: int) -> PulseSummary:
    """AVG(score) of the pulses the program's members answered, and how many there are."""
    count, average = session.execute(
        select(func.count(Pulse.score), func.avg(Pulse.score))
        .join(Pair, Pair.id == Pulse.pair_id)
        .where(Pair.program_id == program_id, Pulse.answered_at.is_not(None), Pulse.score.is_not(None))
    ).one()
    return PulseSummary(int(count), float(average) if average is not None else None)


class AtRiskRow(NamedTuple):
    pair_id: int
    mentor_user_id: str
    mentee_user_id: str
    unanswered: int
    since: datetime


def at_risk_pairs(session: Session, program_id: int, limit: int) -> list[AtRiskRow]:
    """The program's active pairs at risk, longest at risk first, at most `limit` of them."""
    mentor, mentee = aliased(Person), aliased(Person)
    rows = session.execute(
        select(Pair.id, mentor.user_id, mentee.user_id, Pair.unanswered_checkins, Pair.at_risk_since)
        .join(mentor, mentor.id == Pair.mentor_id)
        .join(mentee, mentee.id == Pair.mentee_id)
        .where(
            Pair.program_id == program_id,
            Pair.status == PairStatus.ACTIVE.value,
            Pair.at_risk_since.is_not(None),
        )
        .order_by(Pair.at_risk_since, Pair.id)
        .limit(limit)
    )
    return [
        AtRiskRow(pair_id, mentor, mentee, unanswered, since)
        for pair_id, mentor, mentee, unanswered, since in rows
        if since is not None
    ]


class WeekRow(NamedTuple):
    week: int  # week_index
    checkins: int
    answered: int
    met_yes: int


def weekly_checkins(session: Session, program_id: int, start: datetime, end: datetime) -> list[WeekRow]:
    """Check-ins due in [start, end) grouped by ISO week (by due instant); weeks without any are absent."""
    week = week_index(CheckIn.due_at)
    rows = session.execute(
        select(
            week,
            func.count(CheckIn.id),
            _count_if(CheckIn.answered_at.is_not(None)),
            _count_if(and_(CheckIn.answered_at.is_not(None), CheckIn.met == "yes")),
        )
        .join(Pair, Pair.id == CheckIn.pair_id)
        .where(Pair.program_id == program_id, CheckIn.due_at >= start, CheckIn.due_at < end)
        .group_by(week)
        .order_by(week)
    )
    return [WeekRow(int(w), int(n), int(a), int(m)) for w, n, a, m in rows]


def open_programs(session: Session) -> list[Program]:
    """Every program that is not archived, in every workspace mentorbot is installed in."""
    removed = select(Workspace.team_id).where(Workspace.uninstalled_at.is_not(None))
    return list(
        session.scalars(
            select(Program)
            .where(Program.archived_at.is_(None), Program.team_id.not_in(removed))
            .order_by(Program.id)
        )
    )


def zones_of(session: Session, team_id: str, user_ids: Iterable[str]) -> dict[str, str | None]:
    """The time zones mentorbot knows for these people of a workspace (absent when unknown)."""
    ids = list(user_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(Person.user_id, Person.tz).where(Person.team_id == team_id, Person.user_id.in_(ids))
    )
    return {user_id: tz for user_id, tz in rows}


def outbox_states(session: Session, keys: Iterable[str]) -> dict[str, tuple[str, datetime | None]]:
    """The status and lease (claimed_until) of the outbox rows with these keys, by key."""
    wanted = list(keys)
    if not wanted:
        return {}
    rows = session.execute(
        select(OutboxMessage.key, OutboxMessage.status, OutboxMessage.claimed_until).where(
            OutboxMessage.key.in_(wanted)
        )
    )
    return {key: (status, claimed_until) for key, status, claimed_until in rows}


def claim_key(session: Session, values: dict[str, Any]) -> bool:
    """INSERT an outbox row unless its key exists; True when this call inserted it.

    Safe under concurrent callers (two clocks, a double click): exactly one of them gets True.
    """
    return insert_new(session, OutboxMessage, values, ["key"])


def reclaim_key(session: Session, key: str, now: datetime, lease_until: datetime) -> bool:
    """Take over a pending row whose lease ran out (a crashed or failed attempt); True when taken."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.key == key,
            OutboxMessage.status == OutboxStatus.PENDING.value,
            (OutboxMessage.claimed_until.is_(None)) | (OutboxMessage.claimed_until < now),
        )
        .values(claimed_until=lease_until, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return changed(result) == 1
