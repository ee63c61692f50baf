"""Data access for fit answers and pulses."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import FitAnswer, Pair, PairStatus, Person, Pulse
from storage.queries import changed


def fit_answer(session: Session, pair_id: int, person_id: int) -> FitAnswer | None:
    """A member's fit answer for the pair, if given."""
    return session.scalar(
        select(FitAnswer).where(FitAnswer.pair_id == pair_id, FitAnswer.person_id == person_id)
    )


def pulse_due_pairs(session: Session, now: datetime, limit: int) -> list[Pair]:
    """Active pairs whose pulse is due, locked; rows another clock holds are skipped."""
    due = list(
        session.scalars(
            select(Pair)
            .where(Pair.next_pulse_at <= now, Pair.status == PairStatus.ACTIVE.value)
            .order_by(Pair.next_pulse_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    ids = [pair.mentor_id for pair in due] + [pair.mentee_id for pair in due]
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(ids)))} if due else {}
    for pair in due:
        pair.mentor, pair.mentee = people[pair.mentor_id], people[pair.mentee_id]
    return due


def pulse_on(session: Session, pair_id: int, person_id: int, asked_on: date) -> Pulse:
    """The pulse asked of a member on a day (it exists)."""
    return session.scalars(
        select(Pulse).where(
            Pulse.pair_id == pair_id, Pulse.person_id == person_id, Pulse.asked_on == asked_on
        )
    ).one()


def open_pulse(session: Session, pair_id: int, person_id: int, since: date) -> Pulse | None:
    """The person's newest unanswered pulse of the pair asked on or after `since`."""
    return session.scalar(
        select(Pulse)
        .where(
            Pulse.pair_id == pair_id,
            Pulse.person_id == person_id,
            Pulse.answered_at.is_(None),
            Pulse.asked_on >= since,
        )
        .order_by(Pulse.asked_on.desc())
        .limit(1)
    )


def pulse_in_team(session: Session, team_id: str, pulse_id: int) -> Pulse | None:
    """A pulse of this workspace, locked for update."""
    return session.scalar(
        select(Pulse).where(Pulse.id == pulse_id, Pulse.team_id == team_id).with_for_update()
    )


def claim_fit_check(session: Session, team_id: str, pair_id: int, now: datetime) -> bool:
    """Mark the pair's fit question as asked; True only for the one caller that marked it.

    A conditional UPDATE, so two members answering "yes, we met" at the same moment cannot both
    trigger the question, on SQLite as on PostgreSQL.
    """
    result = session.execute(
        update(Pair)
        .where(Pair.id == pair_id, Pair.team_id == team_id, Pair.fit_asked_at.is_(None))
        .values(fit_asked_at=now)
        .execution_options(synchronize_session=False)
    )
    return changed(result) == 1


def set_fit_answer(session: Session, pair_id: int, person_id: int, answer: str, now: datetime) -> bool:
    """Keep a member's fit answer; True when it is new or changed, False for a repeat of the same one.

    An INSERT ... ON CONFLICT DO NOTHING, then a conditional UPDATE: two clicks at the same moment
    neither collide on the unique key nor both count as news.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    inserted = session.execute(
        insert(FitAnswer)
        .values(pair_id=pair_id, person_id=person_id, answer=answer, answered_at=now)
        .on_conflict_do_nothing(index_elements=["pair_id", "person_id"])
        .returning(FitAnswer.id)
    ).first()
    if inserted is not None:
        return True
    result = session.execute(
        update(FitAnswer)
        .where(FitAnswer.pair_id == pair_id, FitAnswer.person_id == person_id, FitAnswer.answer != answer)
        .values(answer=answer, answered_at=now)
        .execution_options(synchronize_session=False)
    )
    return changed(result) == 1


def clear_silence(session: Session, pair_id: int) -> bool:
    """Start an active pair's count of silent check-ins afresh; True when there was one to clear."""
    result = session.execute(
        update(Pair)
        .where(
            Pair.id == pair_id,
            Pair.status == PairStatus.ACTIVE.value,
            (Pair.unanswered_checkins > 0)
            | Pair.drift_asked_at.is_not(None)
            | Pair.at_risk_since.is_not(None),
        )
        .values(unanswered_checkins=0, at_risk_since=None, drift_asked_at=None)
        .execution_options(synchronize_session=False)
    )
    return changed(result) == 1


def set_pulse_score(session: Session, pulse_id: int, score: int, now: datetime) -> bool:
    """Record a pulse score unless it is the one recorded already; True when this call changed it."""
    result = session.execute(
        update(Pulse)
        .where(Pulse.id == pulse_id, (Pulse.score.is_(None)) | (Pulse.score != score))
        .values(score=score, answered_at=now)
        .execution_options(synchronize_session=False)
    )
    return changed(result) == 1
