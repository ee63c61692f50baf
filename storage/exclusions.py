"""Data access for exclusions: who a person would rather not be paired with. Never shown to anyone else."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from storage import queries, requests
from storage.models import Exclusion, Person


def excluded_user_ids(session: Session, person_id: int) -> list[str]:
    """The Slack ids of the people this person excluded, for their own profile form."""
    return list(
        session.scalars(
            select(Person.user_id)
            .join(Exclusion, Exclusion.excluded_id == Person.id)
            .where(Exclusion.person_id == person_id)
            .order_by(Person.user_id)
        )
    )


def set_excluded(
    session: Session, team_id: str, person_id: int, user_ids: Collection[str], now: datetime
) -> None:
    """Make the person's list exactly `user_ids` (people mentorbot does not know yet are added)."""
    wanted = {
        queries.upsert_person(session, team_id, user_id, now, name=None, tz=None).id
        for user_id in set(user_ids)
    } - {person_id}
    session.execute(
        delete(Exclusion)
        .where(Exclusion.person_id == person_id, Exclusion.excluded_id.not_in(wanted))
        .execution_options(synchronize_session=False)
    )
    for excluded_id in wanted:
        requests.close_between(session, person_id, excluded_id)  # a request between them no longer stands
        queries.insert_or_ignore(
            session,
            Exclusion,
            {"team_id": team_id, "person_id": person_id, "excluded_id": excluded_id, "created_at": now},
            ["person_id", "excluded_id"],
        )


def kept_apart(session: Session, team_id: str) -> set[tuple[int, int]]:
    """Every (a, b) of people who may not be paired, in both orders, in the workspace."""
    rows = session.execute(
        select(Exclusion.person_id, Exclusion.excluded_id).where(Exclusion.team_id == team_id)
    )
    return {pair for a, b in rows for pair in ((a, b), (b, a))}


def kept_apart_from(session: Session, person_id: int) -> set[int]:
    """The people this person may not be paired with: whom they named, and who named them."""
    rows = session.execute(
        select(Exclusion.person_id, Exclusion.excluded_id).where(
            or_(Exclusion.person_id == person_id, Exclusion.excluded_id == person_id)
        )
    )
    return {b if a == person_id else a for a, b in rows}


def apart(session: Session, a: int, b: int) -> bool:
    """Whether either of the two excluded the other."""
    return (
        session.scalar(
            select(Exclusion.id).where(
                or_(
                    (Exclusion.person_id == a) & (Exclusion.excluded_id == b),
                    (Exclusion.person_id == b) & (Exclusion.excluded_id == a),
                )
            )
        )
        is not None
    )


def forget(session: Session, person_id: int) -> None:
    """Delete the person's list, and their place on anyone else's."""
    session.execute(
        delete(Exclusion)
        .where(or_(Exclusion.person_id == person_id, Exclusion.excluded_id == person_id))
        .execution_options(synchronize_session=False)
    )
