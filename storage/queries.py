"""Data access: small functions that take a session, read or write rows, and never commit."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, and_, func, inspect, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, joinedload, selectinload

from storage.models import (
    OPEN_STATUSES,
    ActionItem,
    Agreement,
    Base,
    CheckIn,
    CheckInAnswer,
    Goal,
    GoalUpdate,
    MatchRun,
    OutboxMessage,
    OutboxStatus,
    Pair,
    PairFeedback,
    PairStatus,
    Person,
    PrivateNote,
    Profile,
    Program,
    Role,
    Workspace,
)

MENTOR_ROLES = (Role.MENTOR.value, Role.BOTH.value)
MENTEE_ROLES = (Role.MENTEE.value, Role.BOTH.value)
OPEN = OPEN_STATUSES


def _insert(session: Session, model: type[Base]) -> Any:
    """An INSERT of `model` that can say ON CONFLICT DO NOTHING, in the session's SQL dialect."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def changed(result: Any) -> int:
    """How many rows an UPDATE or DELETE changed."""
    return cast(CursorResult, result).rowcount or 0


def insert_or_ignore(
    session: Session, model: type[Base], values: dict[str, Any], keys: Iterable[str]
) -> None:
    """INSERT a row unless one with the same `keys` exists, safely under concurrent requests."""
    session.execute(
        _insert(session, model).values(**values).on_conflict_do_nothing(index_elements=list(keys))
    )


def insert_new(session: Session, model: type[Base], values: dict[str, Any], keys: Iterable[str]) -> bool:
    """`insert_or_ignore`, saying whether this call inserted the row: of concurrent callers (two
    clocks, a double click), exactly one gets True."""
    statement = _insert(session, model).values(**values).on_conflict_do_nothing(index_elements=list(keys))
    return session.execute(statement.returning(*inspect(model).primary_key)).first() is not None


def insert_or_ignore_many(
    session: Session, model: type[Base], rows: Sequence[dict[str, Any]], keys: Iterable[str]
) -> None:
    """`insert_or_ignore` for many rows at once (all with the same columns), in a few statements."""
    if not rows:
        return
    session.execute(_insert(session, model).on_conflict_do_nothing(index_elements=list(keys)), list(rows))


def ensure_workspace(session: Session, team_id: str, now: datetime) -> None:
    """Record the workspace the first time mentorbot hears from it."""
    insert_or_ignore(session, Workspace, {"team_id": team_id, "created_at": now}, ["team_id"])


def upsert_person(
    session: Session, team_id: str, user_id: str, now: datetime, *, name: str | None, tz: str | None
) -> Person:
    """The person with this Slack id, created or refreshed with their current name and zone."""
    insert_or_ignore(
        session,
        Person,
        {"team_id": team_id, "user_id": user_id, "created_at": now, "updated_at": now},
        ["team_id", "user_id"],
    )
    person = session.scalars(
        select(Person).where(Person.team_id == team_id, Person.user_id == user_id).with_for_update()
    ).one()
    if name and person.display_name != name:
        person.display_name = name
    if tz and person.tz != tz:
        person.tz = tz
    return person


def find_person(session: Session, team_id: str, user_id: str) -> Person | None:
    """The person with this Slack user id in this workspace, if mentorbot knows them."""
    return session.scalar(select(Person).where(Person.team_id == team_id, Person.user_id == user_id))


def programs(session: Session, team_id: str) -> list[Program]:
    """The workspace's programs that are not archived, the default one first."""
    return list(
        session.scalars(
            select(Program)
            .where(Program.team_id == team_id, Program.archived_at.is_(None))
            .order_by(Program.is_default.desc(), Program.id)
        )
    )


def program_in_team(session: Session, team_id: str, program_id: int) -> Program | None:
    """The program with this id, only if it belongs to this workspace."""
    program = session.get(Program, program_id)
    return program if program is not None and program.team_id == team_id else None


def program_by_name(session: Session, team_id: str, name: str) -> Program | None:
    """The program called `name` (case-insensitive, any script) in this workspace.

    Compared in Python: SQLite's lower() folds only A-Z, and a workspace has few programs.
    """
    wanted = " ".join(name.split()).casefold()
    programs = session.scalars(select(Program).where(Program.team_id == team_id).order_by(Program.id))
    return next((program for program in programs if program.name.casefold() == wanted), None)


def profile(session: Session, program_id: int, person_id: int) -> Profile | None:
    """The person's enrollment in the program, including one they have left."""
    return session.scalar(
        select(Profile).where(Profile.program_id == program_id, Profile.person_id == person_id)
    )


def active_profiles(session: Session, person: Person) -> list[tuple[Profile, Program]]:
    """The programs a person is enrolled in (and has not left), oldest first."""
    rows = session.execute(
        select(Profile, Program)
        .join(Program, Profile.program_id == Program.id)
        .where(Profile.person_id == person.id, Profile.left_at.is_(None))
        .order_by(Profile.joined_at, Profile.id)
    )
    return [(profile, program) for profile, program in rows]


def open_pairs(session: Session, person: Person, program_id: int | None = None) -> list[Pair]:
    """The person's pairs that have not ended, as mentor or mentee, oldest first."""
    query = (
        select(Pair)
        .options(joinedload(Pair.mentor), joinedload(Pair.mentee))
        .where(or_(Pair.mentor_id == person.id, Pair.mentee_id == person.id), Pair.status.in_(OPEN))
        .order_by(Pair.created_at, Pair.id)
    )
    if program_id is not None:
        query = query.where(Pair.program_id == program_id)
    return list(session.scalars(query))


def all_pairs_of(session: Session, person: Person) -> list[Pair]:
    """Every pair the person is or was in, newest first."""
    return list(
        session.scalars(
            select(Pair)
            .options(joinedload(Pair.mentor), joinedload(Pair.mentee))
            .where(or_(Pair.mentor_id == person.id, Pair.mentee_id == person.id))
            .order_by(Pair.created_at.desc(), Pair.id.desc())
        )
    )


def pair_for_update(session: Session, team_id: str, pair_id: int) -> Pair | None:
    """A pair of this workspace, locked for the rest of the transaction."""
    return session.scalar(
        select(Pair)
        .options(joinedload(Pair.mentor), joinedload(Pair.mentee))
        .where(Pair.id == pair_id, Pair.team_id == team_id)
        .with_for_update(of=Pair)
    )


def open_pair_between(session: Session, program_id: int, mentor_id: int, mentee_id: int) -> Pair | None:
    """The open pair of exactly this mentor and mentee in the program, if any."""
    return session.scalar(
        select(Pair).where(
            Pair.program_id == program_id,
            Pair.mentor_id == mentor_id,
            Pair.mentee_id == mentee_id,
            Pair.status.in_(OPEN),
        )
    )


def mentee_count(session: Session, program_id: int, mentor_id: int) -> int:
    """How many open pairs the person mentors in the program."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Pair)
            .where(Pair.program_id == program_id, Pair.mentor_id == mentor_id, Pair.status.in_(OPEN))
        )
        or 0
    )


def past_pair_ids(session: Session, program_id: int) -> set[tuple[int, int]]:
    """Every (mentor_id, mentee_id) ever paired in the program, open or ended."""
    rows = session.execute(select(Pair.mentor_id, Pair.mentee_id).where(Pair.program_id == program_id))
    return {(mentor_id, mentee_id) for mentor_id, mentee_id in rows}


def _enrolled(program_id: int, roles: tuple[str, ...]) -> ColumnElement[bool]:
    return (Profile.program_id == program_id) & Profile.left_at.is_(None) & Profile.role.in_(roles)


def mentors_with_load(session: Session, program_id: int) -> list[tuple[Profile, int]]:
    """Every current mentor profile in the program with the number of mentees they have now."""
    load = (
        select(Pair.mentor_id, func.count().label("n"))
        .where(Pair.program_id == program_id, Pair.status.in_(OPEN))
        .group_by(Pair.mentor_id)
        .subquery()
    )
    rows = session.execute(
        select(Profile, func.coalesce(load.c.n, 0))
        .options(joinedload(Profile.person))
        .outerjoin(load, load.c.mentor_id == Profile.person_id)
        .join(Person, Person.id == Profile.person_id)
        .where(_enrolled(program_id, MENTOR_ROLES), Person.deactivated_at.is_(None))
        .order_by(Profile.person_id)
    )
    return [(profile, int(count)) for profile, count in rows]


def unpaired_mentees(session: Session, program_id: int) -> list[Profile]:
    """Current mentee profiles in the program with no open pair as mentee."""
    paired = select(Pair.mentee_id).where(Pair.program_id == program_id, Pair.status.in_(OPEN))
    return list(
        session.scalars(
            select(Profile)
            .options(joinedload(Profile.person))
            .join(Person, Person.id == Profile.person_id)
            .where(
                _enrolled(program_id, MENTEE_ROLES),
                Person.deactivated_at.is_(None),
                Profile.person_id.not_in(paired),
            )
            .order_by(Profile.person_id)
        )
    )


def pairs_in_program(session: Session, program_id: int, status: str) -> list[Pair]:
    """The program's pairs with `status`, oldest first."""
    return list(
        session.scalars(
            select(Pair)
            .options(joinedload(Pair.mentor), joinedload(Pair.mentee))
            .where(Pair.program_id == program_id, Pair.status == status)
            .order_by(Pair.created_at, Pair.id)
        )
    )


def feedback_for(session: Session, pair_id: int, person_id: int) -> PairFeedback | None:
    """The person's closing feedback on the pair, if they gave it."""
    return session.scalar(
        select(PairFeedback).where(PairFeedback.pair_id == pair_id, PairFeedback.person_id == person_id)
    )


def feedback_summary(session: Session, program_id: int) -> tuple[int, float | None]:
    """How many closing ratings the program's pairs got, and their average; never who gave which."""
    count, average = session.execute(
        select(func.count(PairFeedback.id), func.avg(PairFeedback.rating))
        .join(Pair, Pair.id == PairFeedback.pair_id)
        .where(Pair.program_id == program_id)
    ).one()
    return int(count), float(average) if average is not None else None


def goal_in_team(session: Session, team_id: str, goal_id: int) -> Goal | None:
    """The goal with this id, only if it belongs to this workspace; locked for update."""
    return session.scalar(
        select(Goal)
        .options(selectinload(Goal.milestones))
        .where(Goal.id == goal_id, Goal.team_id == team_id)
        .with_for_update(of=Goal)
    )


def latest_goal_update(session: Session, goal_id: int) -> GoalUpdate | None:
    """The goal's newest progress update."""
    return session.scalar(
        select(GoalUpdate).where(GoalUpdate.goal_id == goal_id).order_by(GoalUpdate.id.desc()).limit(1)
    )


def latest_goal_notes(session: Session, goal_ids: Iterable[int]) -> dict[int, str]:
    """The note of each goal's newest progress update that has one, by goal id."""
    wanted = list(goal_ids)
    if not wanted:
        return {}
    newest = (
        select(GoalUpdate.goal_id, func.max(GoalUpdate.id).label("id"))
        .where(GoalUpdate.goal_id.in_(wanted), GoalUpdate.note.is_not(None))
        .group_by(GoalUpdate.goal_id)
        .subquery()
    )
    rows = session.execute(
        select(GoalUpdate.goal_id, GoalUpdate.note).join(newest, GoalUpdate.id == newest.c.id)
    )
    return {goal_id: note for goal_id, note in rows if note}


def goals_of_pairs(session: Session, pair_ids: Iterable[int]) -> list[Goal]:
    """The goals of these pairs, active first, then by deadline."""
    ids = list(pair_ids)
    if not ids:
        return []
    return list(
        session.scalars(
            select(Goal)
            .options(selectinload(Goal.milestones))
            .where(Goal.pair_id.in_(ids))
            .order_by((Goal.status != "active"), Goal.deadline, Goal.id)
        )
    )


def agreement_for(session: Session, pair_id: int) -> Agreement | None:
    """The pair's meeting agreement, if they have saved one."""
    return session.scalar(select(Agreement).where(Agreement.pair_id == pair_id))


def agreements_for(session: Session, pair_ids: Iterable[int]) -> dict[int, Agreement]:
    """The agreements of these pairs, by pair id."""
    ids = list(pair_ids)
    if not ids:
        return {}
    return {a.pair_id: a for a in session.scalars(select(Agreement).where(Agreement.pair_id.in_(ids)))}


def due_pairs(session: Session, now: datetime, limit: int) -> list[Pair]:
    """Active pairs whose next check-in is due, locked; rows another clock holds are skipped.

    Uses the index on next_checkin_at, so the cost does not grow with the number of pairs.
    """
    due = list(
        session.scalars(
            select(Pair)
            .where(Pair.next_checkin_at <= now, Pair.status == PairStatus.ACTIVE.value)
            .order_by(Pair.next_checkin_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    people = (
        {
            p.id: p
            for p in session.scalars(
                select(Person).where(
                    Person.id.in_([pair.mentor_id for pair in due] + [pair.mentee_id for pair in due])
                )
            )
        }
        if due
        else {}
    )
    for pair in due:
        pair.mentor, pair.mentee = people[pair.mentor_id], people[pair.mentee_id]
    return due


def first_checkin_id(session: Session, pair_id: int) -> int | None:
    """The id of the pair's first check-in, if it had one."""
    return session.scalar(select(func.min(CheckIn.id)).where(CheckIn.pair_id == pair_id))


def latest_checkin(session: Session, pair_id: int) -> CheckIn | None:
    """The pair's most recent check-in."""
    return session.scalar(
        select(CheckIn).where(CheckIn.pair_id == pair_id).order_by(CheckIn.due_at.desc()).limit(1)
    )


def latest_checkins(session: Session, pair_ids: Iterable[int]) -> dict[int, CheckIn]:
    """Each of these pairs' most recent check-in, by pair id (pairs without one are left out)."""
    ids = list(pair_ids)
    if not ids:
        return {}
    newest = (
        select(CheckIn.pair_id, func.max(CheckIn.due_at).label("due_at"))
        .where(CheckIn.pair_id.in_(ids))
        .group_by(CheckIn.pair_id)
        .subquery()
    )
    rows = session.scalars(
        select(CheckIn).join(
            newest, and_(CheckIn.pair_id == newest.c.pair_id, CheckIn.due_at == newest.c.due_at)
        )
    )
    return {checkin.pair_id: checkin for checkin in rows}


def checkins_at(
    session: Session, keys: Iterable[tuple[int, datetime]]
) -> dict[tuple[int, datetime], CheckIn]:
    """The check-ins with these (pair id, due instant) keys that exist, by key."""
    wanted = set(keys)
    if not wanted:
        return {}
    rows = session.scalars(
        select(CheckIn).where(
            CheckIn.pair_id.in_(sorted({pair_id for pair_id, _ in wanted})),
            CheckIn.due_at.in_(sorted({due_at for _, due_at in wanted})),
        )
    )
    return {key: checkin for checkin in rows if (key := (checkin.pair_id, checkin.due_at)) in wanted}


def checkin_at(session: Session, pair_id: int, due_at: datetime) -> CheckIn:
    """The pair's check-in for this due instant (it exists)."""
    return session.scalars(select(CheckIn).where(CheckIn.pair_id == pair_id, CheckIn.due_at == due_at)).one()


def checkin_in_team(session: Session, team_id: str, checkin_id: int) -> CheckIn | None:
    """A check-in of this workspace (not locked: lock its pair first, then `lock_checkin`)."""
    return session.scalar(select(CheckIn).where(CheckIn.id == checkin_id, CheckIn.team_id == team_id))


def lock_checkin(session: Session, checkin: CheckIn) -> None:
    """Lock a check-in row and read it afresh; after its pair, in the order the clock locks them."""
    session.refresh(checkin, with_for_update=True)


def checkin_answer(session: Session, checkin_id: int, person_id: int) -> CheckInAnswer | None:
    """A member's answer to a check-in, if any."""
    return session.scalar(
        select(CheckInAnswer).where(
            CheckInAnswer.checkin_id == checkin_id, CheckInAnswer.person_id == person_id
        )
    )


def goals_due_soon(session: Session, before: date) -> list[tuple[Goal, Pair]]:
    """Active goals whose deadline is before `before`, with their pairs."""
    rows = session.execute(
        select(Goal, Pair)
        .join(Pair, Pair.id == Goal.pair_id)
        .options(joinedload(Pair.mentor), joinedload(Pair.mentee))
        .where(Goal.status == "active", Goal.deadline < before)
        .order_by(Goal.id)
        .with_for_update(of=Goal, skip_locked=True)
    )
    return [(goal, pair) for goal, pair in rows]


def _sendable(now: datetime) -> Any:
    """Pending, due, not held by another sender, and in a workspace mentorbot is still installed in."""
    return and_(
        OutboxMessage.status == "pending",
        OutboxMessage.not_before <= now,
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
        OutboxMessage.team_id.not_in(select(Workspace.team_id).where(Workspace.uninstalled_at.is_not(None))),
    )


def sendable_messages(
    session: Session,
    now: datetime,
    limit: int,
    keys: Collection[str] | None = None,
    team_id: str | None = None,
) -> list[tuple[OutboxMessage, str | None]]:
    """Pending messages whose time has come and whose lease (if any) ran out, with their pair's status.

    Locked with SKIP LOCKED where the database can, so several senders share the work; `take_message`
    then claims each one in a conditional UPDATE, which is what keeps two senders apart on SQLite.
    `keys` narrows it to those messages (the ones a click just wrote), `team_id` to one workspace's.
    """
    query = (
        select(OutboxMessage, Pair.status)
        .outerjoin(Pair, Pair.id == OutboxMessage.pair_id)
        .where(_sendable(now))
        .order_by(OutboxMessage.not_before, OutboxMessage.id)
        .limit(limit)
        .with_for_update(of=OutboxMessage, skip_locked=True)
    )
    if keys is not None:
        query = query.where(OutboxMessage.key.in_(list(keys)))
    if team_id is not None:
        query = query.where(OutboxMessage.team_id == team_id)
    return [(message, status) for message, status in session.execute(query)]


def sending_teams(session: Session, now: datetime) -> list[str]:
    """The workspaces with messages to send now, oldest waiting first."""
    rows = session.execute(
        select(OutboxMessage.team_id, func.min(OutboxMessage.not_before))
        .where(_sendable(now))
        .group_by(OutboxMessage.team_id)
        .order_by(func.min(OutboxMessage.not_before), OutboxMessage.team_id)
    )
    return [team_id for team_id, _ in rows]


def skip_pending(session: Session, team_id: str, why: str) -> int:
    """Give up on every message still waiting for `team_id` (mentorbot may no longer speak there)."""
    skipped = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.team_id == team_id, OutboxMessage.status == "pending")
        .values(status=OutboxStatus.SKIPPED.value, error=why, claimed_until=None)
    )
    return changed(skipped)


def take_message(session: Session, message_id: int, attempts: int, now: datetime, until: datetime) -> bool:
    """Claim a message seen with `attempts` tries: True when this call holds it until `until`.

    One conditional UPDATE, so of two senders that read the same row only one takes it.
    """
    free = or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now)
    return _hold_message(
        session, message_id, attempts, free, {"claimed_until": until, "attempts": attempts + 1}
    )


def renew_message(session: Session, message_id: int, attempts: int, now: datetime, until: datetime) -> bool:
    """Extend this sender's claim (its `attempts`) while it still holds it; False when it was lost."""
    held = OutboxMessage.claimed_until >= now
    return _hold_message(session, message_id, attempts, held, {"claimed_until": until})


def _hold_message(
    session: Session, message_id: int, attempts: int, lease: ColumnElement[bool], values: dict[str, Any]
) -> bool:
    """Set `values` on a pending message still at `attempts` tries whose lease matches; True if it did."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.attempts == attempts,
            OutboxMessage.status == "pending",
            lease,
        )
        .values(values)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult, result).rowcount == 1


def zones_of(session: Session, team_id: str, user_ids: Iterable[str]) -> dict[str, str | None]:
    """The time zone on record for each of these Slack users who is known here."""
    wanted = list(dict.fromkeys(user_ids))
    if not wanted:
        return {}
    rows = session.execute(
        select(Person.user_id, Person.tz).where(Person.team_id == team_id, Person.user_id.in_(wanted))
    )
    return {user_id: tz for user_id, tz in rows}


def open_pairs_of_user(session: Session, team_id: str, user_id: str) -> list[Pair]:
    """The open pairs of the person with this Slack id."""
    person = find_person(session, team_id, user_id)
    return open_pairs(session, person) if person else []


def undelivered(session: Session, program_id: int) -> list[tuple[str, str, int]]:
    """Messages to the program's pairs that failed for good or are still being retried after a
    refusal, counted by state ("failed" or "waiting") and Slack's error."""
    waiting = and_(OutboxMessage.status == "pending", OutboxMessage.error.is_not(None))
    rows = session.execute(
        select(OutboxMessage.status, OutboxMessage.error, func.count())
        .join(Pair, Pair.id == OutboxMessage.pair_id)
        .where(Pair.program_id == program_id, or_(OutboxMessage.status == "failed", waiting))
        .group_by(OutboxMessage.status, OutboxMessage.error)
        .order_by(func.count().desc())
    )
    return [
        ("failed" if status == "failed" else "waiting", error or "unknown", int(count))
        for status, error, count in rows
    ]


def transition_pair(
    session: Session, pair_id: int, from_statuses: Iterable[str], values: dict[str, Any]
) -> bool:
    """Set `values` on the pair only while its status is one of `from_statuses`; True when this call did.

    A conditional UPDATE, so of two identical clicks at the same moment exactly one takes effect, on
    SQLite (which reads outside the write transaction) as on PostgreSQL.
    """
    result = session.execute(
        update(Pair)
        .where(Pair.id == pair_id, Pair.status.in_(list(from_statuses)))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult, result).rowcount == 1


def claim_match_run(session: Session, run_id: int, now: datetime) -> bool:
    """Mark the match run confirmed; True only for the one confirmation that marked it."""
    result = session.execute(
        update(MatchRun)
        .where(MatchRun.id == run_id, MatchRun.confirmed_at.is_(None))
        .values(confirmed_at=now)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult, result).rowcount == 1


def insert_agreement(session: Session, values: dict[str, Any]) -> bool:
    """INSERT the pair's agreement unless it has one; True when this call inserted it."""
    return insert_new(session, Agreement, values, ["pair_id"])


def _waiting_goals(owner_id: int, program_id: int) -> ColumnElement[bool]:
    """Open goals the mentee left on ended or completed pairs of the program (a past cohort's, say)."""
    ended = select(Pair.id).where(
        Pair.program_id == program_id,
        Pair.mentee_id == owner_id,
        Pair.status.in_((PairStatus.ENDED.value, PairStatus.COMPLETED.value)),
    )
    return and_(Goal.owner_id == owner_id, Goal.status == "active", Goal.pair_id.in_(ended))


def waiting_goal_count(session: Session, owner_id: int, program_id: int) -> int:
    """How many open goals the mentee left on ended pairs of the program."""
    return (
        session.scalar(select(func.count()).select_from(Goal).where(_waiting_goals(owner_id, program_id)))
        or 0
    )


def update_waiting_goals(session: Session, owner_id: int, program_id: int, values: dict[str, Any]) -> int:
    """Move or close the goals a mentee left on ended pairs, in one conditional UPDATE; how many."""
    result = session.execute(
        update(Goal)
        .where(_waiting_goals(owner_id, program_id))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult, result).rowcount


def outbox_by_keys(session: Session, keys: Iterable[str]) -> dict[str, OutboxMessage]:
    """The outbox rows with these keys that exist, by key."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    rows = session.scalars(select(OutboxMessage).where(OutboxMessage.key.in_(wanted)))
    return {row.key: row for row in rows}


def sent_ts(session: Session, keys: Iterable[str]) -> set[str]:
    """The timestamps Slack gave the outbox messages with these keys that have been sent."""
    return {row.message_ts for row in outbox_by_keys(session, keys).values() if row.message_ts}


def message_ts(session: Session, key: str) -> str | None:
    """The timestamp Slack gave the outbox message with this key, once it has been sent."""
    return next(iter(sent_ts(session, [key])), None)


def answers_of_checkins(session: Session, checkin_ids: Iterable[int]) -> dict[int, list[CheckInAnswer]]:
    """Every member's answer to these check-ins, by check-in id."""
    ids = sorted(set(checkin_ids))
    found: dict[int, list[CheckInAnswer]] = {checkin_id: [] for checkin_id in ids}
    if ids:
        for answer in session.scalars(select(CheckInAnswer).where(CheckInAnswer.checkin_id.in_(ids))):
            found[answer.checkin_id].append(answer)
    return found


# -- The meeting loop ----------------------------------------------------------------------------


def agreements_of_pairs(session: Session, pair_ids: Iterable[int]) -> dict[int, Agreement]:
    """The agreements of these pairs, by pair id (pairs without one are left out)."""
    ids = sorted(set(pair_ids))
    if not ids:
        return {}
    return {a.pair_id: a for a in session.scalars(select(Agreement).where(Agreement.pair_id.in_(ids)))}


def meetings_due_a_step(session: Session, now: datetime, limit: int) -> list[tuple[CheckIn, Pair]]:
    """Meetings whose message moves on a step now, with their pairs; rows another clock holds are skipped.

    Uses the index on next_step_at, so the cost does not grow with the number of meetings.
    """
    due = list(
        session.scalars(
            select(CheckIn)
            .where(CheckIn.next_step_at <= now)
            .order_by(CheckIn.next_step_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if not due:
        return []
    pairs = {
        pair.id: pair
        for pair in session.scalars(
            select(Pair)
            .where(Pair.id.in_(sorted({c.pair_id for c in due})))
            .options(joinedload(Pair.mentor), joinedload(Pair.mentee))
        )
    }
    return [(checkin, pairs[checkin.pair_id]) for checkin in due]


def open_action_items(session: Session, pair_ids: Iterable[int]) -> dict[int, list[ActionItem]]:
    """The action items not yet done of these pairs, oldest first, by pair id."""
    ids = sorted(set(pair_ids))
    found: dict[int, list[ActionItem]] = {pair_id: [] for pair_id in ids}
    if not ids:
        return found
    rows = session.scalars(
        select(ActionItem)
        .where(ActionItem.pair_id.in_(ids), ActionItem.done_at.is_(None))
        .order_by(ActionItem.created_at, ActionItem.id)
    )
    for item in rows:
        found[item.pair_id].append(item)
    return found


def action_items_of(session: Session, pair_id: int) -> list[ActionItem]:
    """Every action item of a pair, newest first."""
    return list(
        session.scalars(
            select(ActionItem)
            .where(ActionItem.pair_id == pair_id)
            .order_by(ActionItem.created_at.desc(), ActionItem.id.desc())
        )
    )


def action_item_in_team(session: Session, team_id: str, item_id: int) -> ActionItem | None:
    """An action item of this workspace, or None."""
    return session.scalar(select(ActionItem).where(ActionItem.team_id == team_id, ActionItem.id == item_id))


def mark_action_done(session: Session, item_id: int, person_id: int, now: datetime) -> bool:
    """Mark an action item done unless it is already; True for the one call that did."""
    result = session.execute(
        update(ActionItem)
        .where(ActionItem.id == item_id, ActionItem.done_at.is_(None))
        .values(done_at=now, done_by_id=person_id)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult, result).rowcount == 1


def meetings_of(session: Session, pair_id: int, limit: int) -> list[CheckIn]:
    """A pair's meetings, newest first."""
    return list(
        session.scalars(
            select(CheckIn).where(CheckIn.pair_id == pair_id).order_by(CheckIn.due_at.desc()).limit(limit)
        )
    )


def private_note(session: Session, checkin_id: int, person_id: int) -> PrivateNote | None:
    """What one member keeps for themselves about a meeting."""
    return session.scalar(
        select(PrivateNote).where(PrivateNote.checkin_id == checkin_id, PrivateNote.person_id == person_id)
    )


def private_notes_of(session: Session, person_id: int, checkin_ids: Iterable[int]) -> dict[int, str]:
    """One member's private notes on these meetings, by check-in id."""
    ids = sorted(set(checkin_ids))
    if not ids:
        return {}
    rows = session.scalars(
        select(PrivateNote).where(PrivateNote.person_id == person_id, PrivateNote.checkin_id.in_(ids))
    )
    return {note.checkin_id: note.text for note in rows}


def recent_mentor_questions(session: Session, pair_ids: Iterable[int], meetings: int) -> dict[int, set[str]]:
    """The ids of the questions each pair's mentor got in its last `meetings` meetings, by pair id."""
    ids = sorted(set(pair_ids))
    found: dict[int, set[str]] = {pair_id: set() for pair_id in ids}
    if not ids:
        return found
    ranked = (
        select(
            CheckIn.pair_id,
            CheckIn.mentor_questions,
            func.row_number().over(partition_by=CheckIn.pair_id, order_by=CheckIn.due_at.desc()).label("n"),
        )
        .where(CheckIn.pair_id.in_(ids))
        .subquery()
    )
    for pair_id, questions, _n in session.execute(select(ranked).where(ranked.c.n <= meetings)):
        found[pair_id].update(q["id"] for q in questions or [] if isinstance(q, dict) and "id" in q)
    return found


def meeting_counts(session: Session, pair_ids: Iterable[int]) -> dict[int, int]:
    """How many meetings each pair has had a message for, by pair id."""
    ids = sorted(set(pair_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(CheckIn.pair_id, func.count()).where(CheckIn.pair_id.in_(ids)).group_by(CheckIn.pair_id)
    )
    return {pair_id: count for pair_id, count in rows}


def profiles_of(session: Session, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], Profile]:
    """The profiles with these (program id, person id) keys, by key."""
    wanted = set(keys)
    if not wanted:
        return {}
    rows = session.scalars(
        select(Profile).where(
            Profile.program_id.in_(sorted({program for program, _ in wanted})),
            Profile.person_id.in_(sorted({person for _, person in wanted})),
        )
    )
    return {key: p for p in rows if (key := (p.program_id, p.person_id)) in wanted}


def recent_checkins(session: Session, pair_ids: Iterable[int], count: int) -> dict[int, list[CheckIn]]:
    """Each pair's `count` newest check-ins, newest first, by pair id."""
    ids = sorted(set(pair_ids))
    found: dict[int, list[CheckIn]] = {pair_id: [] for pair_id in ids}
    if not ids:
        return found
    ranked = (
        select(
            CheckIn.id,
            func.row_number().over(partition_by=CheckIn.pair_id, order_by=CheckIn.due_at.desc()).label("n"),
        )
        .where(CheckIn.pair_id.in_(ids))
        .subquery()
    )
    rows = session.scalars(
        select(CheckIn)
        .join(ranked, ranked.c.id == CheckIn.id)
        .where(ranked.c.n <= count)
        .order_by(CheckIn.pair_id, CheckIn.due_at.desc())
    )
    for checkin in rows:
        found[checkin.pair_id].append(checkin)
    return found


def checkins_with_pairs(session: Session, checkin_ids: Iterable[int]) -> dict[int, tuple[CheckIn, Pair]]:
    """These check-ins with their pairs (and the pairs' members), by check-in id, in two statements."""
    ids = sorted(set(checkin_ids))
    if not ids:
        return {}
    checkins = list(session.scalars(select(CheckIn).where(CheckIn.id.in_(ids))))
    pairs = {
        pair.id: pair
        for pair in session.scalars(
            select(Pair)
            .where(Pair.id.in_(sorted({c.pair_id for c in checkins})))
            .options(joinedload(Pair.mentor), joinedload(Pair.mentee))
        )
    }
    return {c.id: (c, pairs[c.pair_id]) for c in checkins if c.pair_id in pairs}
