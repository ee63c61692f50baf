"""Aggregate reads for a program's outcomes: per cohort, for open-ended pairs, and for the program.

Each query returns one row per group and one for the whole program, whatever the size of its
history: the database counts, sums, averages and takes medians; no pair, check-in or answer is
loaded into Python. Nothing here selects what anyone wrote (`closing_surveys.what_changed`, goal
texts, check-in answers): only states, instants, ratings and scores.

Groups: a row's `total` is 0 for a group of pairs (`cohort_id` is the cohort's, NULL for the
pairs matched outside any cohort, "open-ended") and 1 for the program's row (`cohort_id` NULL).

Medians are taken with window functions (`row_number()` and `count()` over each group), so the
same SQL runs on SQLite and PostgreSQL: the middle value of an odd count, the mean of the middle
two of an even one. Durations come from `epoch_seconds`, compiled for each dialect like
`storage.insights.week_index`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Float,
    Integer,
    Select,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from storage.models import (
    CheckIn,
    CheckInAnswer,
    ClosingSurvey,
    Cohort,
    CohortMember,
    Goal,
    GoalStatus,
    MeetingStage,
    MidpointCheck,
    Pair,
    PairStatus,
    Profile,
)

DAY = 86400
SURVIVAL_DAYS = (30, 90, 180)
PROMOTER_FROM = 9  # recommend 9-10
DETRACTOR_UP_TO = 6  # recommend 0-6


class epoch_seconds(FunctionElement):
    """An instant as seconds since 1970-01-01 UTC (a float), on either dialect.

    Lower case like the SQL functions it stands beside (`func.min`).
    """

    type = Float()
    inherit_cache = True
    name = "epoch_seconds"


@compiles(epoch_seconds, "postgresql")
def _epoch_seconds_postgresql(element: epoch_seconds, compiler: Any, **kw: Any) -> str:
    (column,) = element.clauses
    return f"CAST(EXTRACT(EPOCH FROM {compiler.process(column, **kw)}) AS DOUBLE PRECISION)"


@compiles(epoch_seconds, "sqlite")
def _epoch_seconds_sqlite(element: epoch_seconds, compiler: Any, **kw: Any) -> str:
    # SQLite keeps UTC instants as text; julianday() reads them with their fractions of a second.
    (column,) = element.clauses
    return f"((julianday({compiler.process(column, **kw)}) - 2440587.5) * 86400.0)"


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _not_below_zero(seconds: ColumnElement[float]) -> ColumnElement[float]:
    return case((seconds < 0, 0.0), else_=seconds)


class CohortRow(NamedTuple):
    cohort_id: int
    name: str
    starts_on: date
    ends_on: date
    completed_at: datetime | None


def cohorts(session: Session, program_id: int) -> list[CohortRow]:
    """The program's cohorts, earliest start first."""
    rows = session.execute(
        select(Cohort.id, Cohort.name, Cohort.starts_on, Cohort.ends_on, Cohort.completed_at)
        .where(Cohort.program_id == program_id)
        .order_by(Cohort.starts_on, Cohort.id)
    )
    return [CohortRow(*row) for row in rows]


class PairRow(NamedTuple):
    total: int
    cohort_id: int | None
    pairs: int
    active: int
    paused: int
    ended: int  # ended early
    completed: int
    met: int  # pairs with at least one meeting that happened
    signup_to_match: float | None  # median seconds, over pairs whose mentee's sign-up is known
    match_to_meeting: float | None  # median seconds, over pairs that met
    old_enough: tuple[int, ...]  # per SURVIVAL_DAYS: pairs created at least that long ago
    survived: tuple[int, ...]  # of those, pairs not ended early within that many days
    in_ended_cohorts: int  # pairs of cohorts that have ended
    completed_in_ended_cohorts: int


def _meetings(program_id: int) -> Any:
    """Each of the program's pairs that met, with the start of its first meeting that happened.

    A meeting happened when its check-in was asked (stage 'checkin': not one still to come or
    skipped) and the check-in, or either member's answer to it, says "yes, we met". The two ways
    are read as two plain joins rather than an EXISTS per check-in, so the database can hash them.
    """
    start = func.coalesce(CheckIn.moved_to, CheckIn.due_at)
    asked = and_(Pair.program_id == program_id, CheckIn.stage == MeetingStage.CHECKIN.value)
    met = union_all(
        select(CheckIn.pair_id.label("pair_id"), start.label("start"))
        .join(Pair, Pair.id == CheckIn.pair_id)
        .where(asked, CheckIn.met == "yes"),
        select(CheckIn.pair_id, start)
        .select_from(CheckInAnswer)
        .join(CheckIn, CheckIn.id == CheckInAnswer.checkin_id)
        .join(Pair, Pair.id == CheckIn.pair_id)
        .where(asked, CheckInAnswer.met == "yes"),
    ).subquery("meetings_held")
    return (
        select(met.c.pair_id, epoch_seconds(func.min(met.c.start)).label("first_at"))
        .group_by(met.c.pair_id)
        .subquery("first_meetings")
    )


def pair_figures(session: Session, program_id: int, now: datetime) -> list[PairRow]:
    """Per group and for the program: pairs by status, medians, meetings, survival and completion."""
    meetings = _meetings(program_id)
    created = epoch_seconds(Pair.created_at)
    # The mentee's sign-up: for the cohort the pair was matched in, else for the program.
    signed_up = case((Pair.cohort_id.is_not(None), CohortMember.joined_at), else_=Profile.joined_at)
    # How long an ended or paused pair ran before it stopped (0 when that instant is unknown);
    # NULL for pairs still active or completed.
    ran_for = case(
        (
            Pair.status == PairStatus.ENDED.value,
            func.coalesce(epoch_seconds(Pair.ended_at) - created, 0.0),
        ),
        (
            Pair.status == PairStatus.PAUSED.value,
            func.coalesce(epoch_seconds(Pair.paused_at) - created, 0.0),
        ),
        else_=null(),
    )
    per_pair = (
        select(
            Pair.cohort_id.label("cohort_id"),
            Pair.status.label("status"),
            Pair.created_at.label("created_at"),
            _not_below_zero(created - epoch_seconds(signed_up)).label("signup_gap"),
            _not_below_zero(meetings.c.first_at - created).label("meeting_gap"),
            ran_for.label("ran_for"),
            case((Cohort.completed_at.is_not(None), 1), else_=0).label("cohort_ended"),
        )
        .select_from(Pair)
        .outerjoin(meetings, meetings.c.pair_id == Pair.id)
        .outerjoin(
            CohortMember,
            and_(CohortMember.cohort_id == Pair.cohort_id, CohortMember.person_id == Pair.mentee_id),
        )
        .outerjoin(
            Profile,
            and_(
                Pair.cohort_id.is_(None),
                Profile.program_id == Pair.program_id,
                Profile.person_id == Pair.mentee_id,
            ),
        )
        .outerjoin(Cohort, Cohort.id == Pair.cohort_id)
        .where(Pair.program_id == program_id)
        .cte("per_pair")
    )
    # Every pair twice: once in its group, once in the program's row.
    scoped = union_all(
        select(literal(0).label("total"), per_pair),
        select(
            literal(1).label("total"),
            cast(null(), Integer).label("cohort_id"),
            *(c for c in per_pair.c if c.name != "cohort_id"),
        ),
    ).subquery("scoped")
    group = (scoped.c.total, scoped.c.cohort_id)

    def ranked(value: Any) -> tuple[Any, Any]:
        # NULLs last on both dialects (SQLite sorts them first, PostgreSQL last).
        order = (case((value.is_(None), 1), else_=0), value)
        return (
            func.row_number().over(partition_by=group, order_by=order),
            func.count(value).over(partition_by=group),
        )

    signup_rank, signup_n = ranked(scoped.c.signup_gap)
    meeting_rank, meeting_n = ranked(scoped.c.meeting_gap)
    windowed = select(
        scoped,
        signup_rank.label("signup_rank"),
        signup_n.label("signup_n"),
        meeting_rank.label("meeting_rank"),
        meeting_n.label("meeting_n"),
    ).subquery("windowed")
    w = windowed.c

    def median(value: Any, rank: Any, n: Any) -> ColumnElement[float]:
        middle = rank.in_([(n + 1) // 2, (n + 2) // 2])
        return func.avg(case((and_(middle, value.is_not(None)), value), else_=null()))

    status = w.status
    survival: list[ColumnElement[int]] = []
    for days in SURVIVAL_DAYS:
        old_enough = w.created_at <= now - timedelta(days=days)
        survival.append(_count_if(old_enough))
        survival.append(_count_if(and_(old_enough, or_(w.ran_for.is_(None), w.ran_for > days * DAY))))
    query: Select[Any] = (
        select(
            w.total,
            w.cohort_id,
            func.count(),
            _count_if(status == PairStatus.ACTIVE.value),
            _count_if(status == PairStatus.PAUSED.value),
            _count_if(status == PairStatus.ENDED.value),
            _count_if(status == PairStatus.COMPLETED.value),
            _count_if(w.meeting_gap.is_not(None)),
            median(w.signup_gap, w.signup_rank, w.signup_n),
            median(w.meeting_gap, w.meeting_rank, w.meeting_n),
            *survival,
            _count_if(w.cohort_ended == 1),
            _count_if(and_(w.cohort_ended == 1, status == PairStatus.COMPLETED.value)),
        )
        .group_by(w.total, w.cohort_id)
        .order_by(w.total, w.cohort_id)
    )
    out = []
    n = len(SURVIVAL_DAYS)
    for row in session.execute(query):
        total, cohort_id, pairs, active, paused, ended, completed, met, signup, meeting, *rest = row
        counts, (in_ended, completed_in_ended) = [int(v) for v in rest[: 2 * n]], rest[2 * n :]
        out.append(
            PairRow(
                total=int(total),
                cohort_id=cohort_id,
                pairs=int(pairs),
                active=int(active),
                paused=int(paused),
                ended=int(ended),
                completed=int(completed),
                met=int(met),
                signup_to_match=float(signup) if signup is not None else None,
                match_to_meeting=float(meeting) if meeting is not None else None,
                old_enough=tuple(counts[0::2]),
                survived=tuple(counts[1::2]),
                in_ended_cohorts=int(in_ended),
                completed_in_ended_cohorts=int(completed_in_ended),
            )
        )
    return out


def _by_group(grouped: Select[Any], columns: list[Any], source: Any) -> CompoundSelect:
    """`grouped` (by cohort) followed by the same aggregates over the whole program."""
    whole = select(literal(1).label("total"), cast(null(), Integer).label("cohort_id"), *columns).select_from(
        source
    )
    return union_all(grouped, whole)


class GoalRow(NamedTuple):
    total: int
    cohort_id: int | None
    goals: int
    achieved: int
    partly: int
    owners: int  # distinct goal owners: the people these figures come from


def goal_figures(session: Session, program_id: int) -> list[GoalRow]:
    """Per group and for the program: the goals of its pairs, achieved and partly, and their owners.

    Achieved: rated 'achieved' at graduation, or not rated and marked achieved; partly: rated
    'partly'.
    """
    achieved = or_(
        Goal.final_rating == "achieved",
        and_(Goal.final_rating.is_(None), Goal.status == GoalStatus.ACHIEVED.value),
    )
    goals = (
        select(
            Pair.cohort_id.label("cohort_id"),
            Goal.owner_id.label("owner_id"),
            case((achieved, 1), else_=0).label("achieved"),
            case((Goal.final_rating == "partly", 1), else_=0).label("partly"),
        )
        .join(Pair, Pair.id == Goal.pair_id)
        .where(Pair.program_id == program_id)
        .cte("program_goals")
    )
    columns = [
        func.count(),
        func.coalesce(func.sum(goals.c.achieved), 0),
        func.coalesce(func.sum(goals.c.partly), 0),
        func.count(goals.c.owner_id.distinct()),
    ]
    grouped = select(literal(0).label("total"), goals.c.cohort_id, *columns).group_by(goals.c.cohort_id)
    rows = session.execute(_by_group(grouped, columns, goals))
    return [GoalRow(int(t), c, *(int(n) for n in rest)) for t, c, *rest in rows]


class AnswerRow(NamedTuple):
    total: int
    cohort_id: int | None
    midpoint_answers: int
    midpoint_people: int
    midpoint_average: float | None
    closing_answers: int  # closing surveys with a rating
    closing_people: int
    closing_average: float | None
    recommend_answers: int
    recommend_people: int
    promoters: int  # recommend 9-10
    detractors: int  # recommend 0-6


def answer_figures(session: Session, program_id: int) -> list[AnswerRow]:
    """Per group and for the program: midpoint and closing ratings and recommend scores, with how
    many answers and how many different people they come from. Never what anyone wrote."""
    answers = union_all(
        select(
            Pair.cohort_id.label("cohort_id"),
            MidpointCheck.person_id.label("person_id"),
            MidpointCheck.rating.label("midpoint"),
            cast(null(), Integer).label("closing"),
            cast(null(), Integer).label("recommend"),
        )
        .join(Pair, Pair.id == MidpointCheck.pair_id)
        .where(Pair.program_id == program_id),
        select(
            Pair.cohort_id,
            ClosingSurvey.person_id,
            cast(null(), Integer),
            ClosingSurvey.rating,
            ClosingSurvey.recommend,
        )
        .join(Pair, Pair.id == ClosingSurvey.pair_id)
        .where(
            Pair.program_id == program_id,
            or_(ClosingSurvey.rating.is_not(None), ClosingSurvey.recommend.is_not(None)),
        ),
    ).cte("program_answers")
    a = answers.c

    def people(value: Any) -> ColumnElement[int]:
        return func.count(case((value.is_not(None), a.person_id), else_=null()).distinct())

    columns = [
        func.count(a.midpoint),
        people(a.midpoint),
        func.avg(a.midpoint),
        func.count(a.closing),
        people(a.closing),
        func.avg(a.closing),
        func.count(a.recommend),
        people(a.recommend),
        _count_if(a.recommend >= PROMOTER_FROM),
        _count_if(a.recommend <= DETRACTOR_UP_TO),
    ]
    grouped = select(literal(0).label("total"), a.cohort_id, *columns).group_by(a.cohort_id)
    out = []
    for row in session.execute(_by_group(grouped, columns, answers)):
        t, c, m_n, m_p, m_avg, c_n, c_p, c_avg, r_n, r_p, promoters, detractors = row
        out.append(
            AnswerRow(
                int(t),
                c,
                int(m_n),
                int(m_p),
                float(m_avg) if m_avg is not None else None,
                int(c_n),
                int(c_p),
                float(c_avg) if c_avg is not None else None,
                int(r_n),
                int(r_p),
                int(promoters),
                int(detractors),
            )
        )
    return out
