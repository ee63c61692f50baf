"""Data access: small functions that take a session, read or write rows, and never commit."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from storage.models import Pair, PairStatus, Person, Profile, Program


def find_person(session: Session, team_id: str, user_id: str) -> Person | None:
    """The person with this Slack user id in this workspace, if mentorbot knows them."""
    return session.scalar(select(Person).where(Person.team_id == team_id, Person.user_id == user_id))


def active_profiles(session: Session, person: Person) -> list[tuple[Profile, Program]]:
    """The programs a person is enrolled in (and has not left), oldest first."""
    rows = session.execute(
        select(Profile, Program)
        .join(Program, Profile.program_id == Program.id)
        .where(Profile.person_id == person.id, Profile.left_at.is_(None))
        .order_by(Profile.joined_at, Profile.id)
    )
    return [(profile, program) for profile, program in rows]


def open_pairs(session: Session, person: Person) -> list[Pair]:
    """The person's pairs that have not ended, as mentor or mentee, oldest first."""
    return list(
        session.scalars(
            select(Pair)
            .options(joinedload(Pair.mentor), joinedload(Pair.mentee))
            .where(
                or_(Pair.mentor_id == person.id, Pair.mentee_id == person.id),
                Pair.status != PairStatus.ENDED.value,
            )
            .order_by(Pair.created_at, Pair.id)
        )
    )
