"""Data access for cohorts: who signed up, a cohort's pairs, its steps, and the answers it gathers."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, joinedload

from storage import queries
from storage.models import (
    OPEN_STATUSES,
    CheckIn,
    CheckInAnswer,
    ClosingSurvey,
    Cohort,
    CohortMember,
    Goal,
    GoalStatus,
    MeetingStage,
    MidpointCheck,
    OutboxMessage,
    Pair,
    PairStatus,
    Profile,
    Program,
)
from storage.queries import MENTEE_ROLES, MENTOR_ROLES, changed


def cohort(session: Session, team_id: str, cohort_id: int) -> Cohort | None:
    """The cohort with this id in this workspace (None for another workspace's)."""
    found = session.get(Cohort, cohort_id)
    return found if found is not None and found.team_id == team_id else None


def cohorts_of(session: Session, program_id: int) -> list[Cohort]:
    """The program's cohorts, the one that starts first first."""
    return list(
        session.scalars(
            select(Cohort).where(Cohort.program_id == program_id).order_by(Cohort.starts_on, Cohort.id)
        )
    )


def due_cohorts(session: Session, now: datetime, limit: int = 50) -> list[Cohort]:
    """Cohorts with a step due by `now`, earliest first."""
    return list(
        session.scalars(
            select(Cohort)
            .join(Program, Program.id == Cohort.program_id)
            .where(Cohort.next_step_at <= now, Program.archived_at.is_(None))
            .order_by(Cohort.next_step_at, Cohort.id)
            .limit(limit)
        )
    )


def mark_step(session: Session, cohort_id: int, marker: str, now: datetime) -> bool:
    """Set a step's marker unless it is set; True for the one caller (of two clocks) that did."""
    column = getattr(Cohort, marker)
    result = session.execute(
        update(Cohort)
        .where(Cohort.id == cohort_id, column.is_(None))
        .values({marker: now})
        .execution_options(synchronize_session=False)
    )
    return changed(result) == 1


def add_member(session: Session, cohort: Cohort, person_id: int, now: datetime) -> bool:
    """Sign the person up for the cohort; True when this call did (False: they had signed up)."""
    return queries.insert_new(
        session,
        CohortMember,
        {"team_id": cohort.team_id, "cohort_id": cohort.id, "person_id": person_id, "joined_at": now},
        ["cohort_id", "person_id"],
    )


def member_ids(session: Session, cohort_id: int) -> set[int]:
    """The people who signed up for the cohort."""
    return set(session.scalars(select(CohortMember.person_id).where(CohortMember.cohort_id == cohort_id)))


def is_member(session: Session, cohort_id: int, person_id: int) -> bool:
    """Whether the person signed up for the cohort."""
    return (
        session.scalar(
            select(CohortMember.id).where(
                CohortMember.cohort_id == cohort_id, CohortMember.person_id == person_id
            )
        )
        is not None
    )


def member_roles(session: Session, cohort: Cohort) -> tuple[int, int]:
    """How many of the cohort's people (still in the program) can mentor, and how many want a mentor."""
    rows = session.execute(
        select(Profile.role, func.count())
        .join(CohortMember, CohortMember.person_id == Profile.person_id)
        .where(
            CohortMember.cohort_id == cohort.id,
            Profile.program_id == cohort.program_id,
            Profile.left_at.is_(None),
        )
        .group_by(Profile.role)
    )
    counts = {role: count for role, count in rows}
    return (
        sum(counts.get(role, 0) for role in MENTOR_ROLES),
        sum(counts.get(role, 0) for role in MENTEE_ROLES),
    )


def member_count(session: Session, cohort_id: int) -> int:
    """How many people signed up for the cohort."""
    return session.scalar(select(func.count()).where(CohortMember.cohort_id == cohort_id)) or 0


def pairs_of(session: Session, cohort_id: int, statuses: Iterable[str]) -> list[Pair]:
    """The cohort's pairs in these statuses, with both members loaded, oldest first."""
    return list(
        session.scalars(
            select(Pair)
            .options(joinedload(Pair.mentor), joinedload(Pair.mentee))
            .where(Pair.cohort_id == cohort_id, Pair.status.in_(list(statuses)))
            .order_by(Pair.id)
        )
    )


def complete_pair(session: Session, pair_id: int, now: datetime) -> bool:
    """Mark an active or paused pair completed (its cohort ended); True when this call did."""
    return queries.transition_pair(
        session,
        pair_id,
        OPEN_STATUSES,
        {
            "status": PairStatus.COMPLETED.value,
            "completed_at": now,
            "next_checkin_at": None,
            "next_meeting_at": None,
        },
    )


def upsert_answer(
    session: Session,
    model: type[MidpointCheck] | type[ClosingSurvey],
    key: dict[str, Any],
    values: dict[str, Any],
) -> None:
    """Write a member's answer to a pair's question: the first time a new row, afterwards the last wins."""
    queries.insert_or_ignore(session, model, key | values, ["pair_id", "person_id"])
    session.execute(
        update(model)
        .where(model.pair_id == key["pair_id"], model.person_id == key["person_id"])
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def closing_rows(session: Session, pair_id: int) -> list[ClosingSurvey]:
    """The members' closing surveys and end choices for the pair."""
    return list(session.scalars(select(ClosingSurvey).where(ClosingSurvey.pair_id == pair_id)))


def pair_goals(session: Session, pair_id: int) -> list[Goal]:
    """The pair's goals that were not dropped, oldest first."""
    return list(
        session.scalars(
            select(Goal)
            .where(Goal.pair_id == pair_id, Goal.status != GoalStatus.DROPPED.value)
            .order_by(Goal.created_at, Goal.id)
        )
    )


def midpoint_rows(session: Session, cohort_id: int) -> list[tuple[int, int, int, str]]:
    """(pair id, person id, rating, on track) of every midpoint answer in the cohort."""
    rows = session.execute(
        select(MidpointCheck.pair_id, MidpointCheck.person_id, MidpointCheck.rating, MidpointCheck.on_track)
        .join(Pair, Pair.id == MidpointCheck.pair_id)
        .where(Pair.cohort_id == cohort_id)
    )
    return [(pair_id, person_id, rating, on_track) for pair_id, person_id, rating, on_track in rows]


def met_pair_ids(session: Session, cohort_id: int) -> set[int]:
    """The cohort's pairs that met at least once: the check-in, or either member, said so."""
    in_cohort = (Pair.cohort_id == cohort_id, CheckIn.stage == MeetingStage.CHECKIN.value)
    said = (
        select(CheckIn.pair_id).join(Pair, Pair.id == CheckIn.pair_id).where(*in_cohort, CheckIn.met == "yes")
    )
    answered = (
        select(CheckIn.pair_id)
        .join(Pair, Pair.id == CheckIn.pair_id)
        .join(CheckInAnswer, CheckInAnswer.checkin_id == CheckIn.id)
        .where(*in_cohort, CheckInAnswer.met == "yes")
    )
    return set(session.scalars(said.union(answered)))


def asked_at_midpoint(session: Session, cohort_id: int) -> set[int]:
    """The cohort's pairs whose members were sent the midpoint check."""
    return set(
        session.scalars(
            select(OutboxMessage.pair_id)
            .join(Pair, Pair.id == OutboxMessage.pair_id)
            .where(
                Pair.cohort_id == cohort_id,
                OutboxMessage.key.startswith("midpoint:"),
                OutboxMessage.sent_at.is_not(None),
            )
            .distinct()
        )
    )


def unpaired_mentee_count(session: Session, cohort: Cohort) -> int:
    """The cohort's people who want a mentor and have no open pair in its program."""
    mentees = {p.person_id for p in queries.unpaired_mentees(session, cohort.program_id)}
    return len(mentees & member_ids(session, cohort.id))


def running_cohort(session: Session, program_id: int) -> Cohort | None:
    """The cohort `/mentor match` pairs for: the latest that has started and not ended, or else the
    one starting soonest whose sign-up has opened."""
    started = session.scalar(
        select(Cohort)
        .where(Cohort.program_id == program_id, Cohort.started_at.is_not(None), Cohort.completed_at.is_(None))
        .order_by(Cohort.starts_on.desc(), Cohort.id.desc())
        .limit(1)
    )
    if started is not None:
        return started
    return session.scalar(
        select(Cohort)
        .where(
            Cohort.program_id == program_id, Cohort.announced_at.is_not(None), Cohort.completed_at.is_(None)
        )
        .order_by(Cohort.starts_on, Cohort.id)
        .limit(1)
    )


def shared_cohort(session: Session, program_id: int, person_ids: Collection[int]) -> Cohort | None:
    """The latest cohort of the program, not ended, that all these people signed up for."""
    ids = list(person_ids)
    return session.scalar(
        select(Cohort)
        .join(CohortMember, CohortMember.cohort_id == Cohort.id)
        .where(
            Cohort.program_id == program_id, Cohort.completed_at.is_(None), CohortMember.person_id.in_(ids)
        )
        .group_by(Cohort.id)
        .having(func.count(func.distinct(CohortMember.person_id)) == len(set(ids)))
        .order_by(Cohort.starts_on.desc(), Cohort.id.desc())
        .limit(1)
    )


def current_cohort_of(session: Session, person_id: int, program_id: int) -> Cohort | None:
    """The latest cohort of the program the person signed up for that has not ended."""
    return session.scalar(
        select(Cohort)
        .join(CohortMember, CohortMember.cohort_id == Cohort.id)
        .where(
            CohortMember.person_id == person_id,
            Cohort.program_id == program_id,
            Cohort.completed_at.is_(None),
        )
        .order_by(Cohort.starts_on.desc(), Cohort.id.desc())
        .limit(1)
    )
