"""Finding a pair through one of its members: the check every member-only action starts with."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.refusal import Refusal
from storage import queries
from storage.models import Pair, Person

NOT_A_MEMBER = "That belongs to a mentorship you are not part of."


def member_pair(session: Session, team_id: str, pair_id: int, user_id: str) -> tuple[Pair, Person] | Refusal:
    """The pair (locked for update) and the caller, if the caller is its mentor or mentee."""
    pair = queries.pair_for_update(session, team_id, pair_id)
    person = queries.find_person(session, team_id, user_id)
    if pair is None or person is None or not pair.has_member(person.id):
        return Refusal(NOT_A_MEMBER)
    return pair, person
