"""What a person's App Home shows, gathered from storage into plain data for the home view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from storage import queries


@dataclass(frozen=True)
class Enrollment:
    """A program the person has joined, and in which role."""

    program_name: str
    role: str


@dataclass(frozen=True)
class PairSummary:
    """One of the person's open pairs, seen from their side."""

    pair_id: int
    role: str
    partner_user_id: str
    status: str
    since: datetime


@dataclass(frozen=True)
class HomeSnapshot:
    """Everything the home view renders for one person."""

    user_id: str
    enrollments: tuple[Enrollment, ...] = ()
    pairs: tuple[PairSummary, ...] = ()


def load_home(session: Session, team_id: str, user_id: str) -> HomeSnapshot:
    """Read the person's programs and open pairs; someone unknown gets an empty snapshot."""
    person = queries.find_person(session, team_id, user_id)
    if person is None:
        return HomeSnapshot(user_id=user_id)
    enrollments = tuple(
        Enrollment(program_name=program.name, role=profile.role)
        for profile, program in queries.active_profiles(session, person)
    )
    pairs = tuple(
        PairSummary(
            pair_id=pair.id,
            role="mentor" if pair.mentor_id == person.id else "mentee",
            partner_user_id=pair.mentee.user_id if pair.mentor_id == person.id else pair.mentor.user_id,
            status=pair.status,
            since=pair.created_at,
        )
        for pair in queries.open_pairs(session, person)
    )
    return HomeSnapshot(user_id=user_id, enrollments=enrollments, pairs=pairs)
