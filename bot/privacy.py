"""Forgetting a person: their profile and words go, their pairs end, anonymous counts stay."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import Session

from bot.agreements import Cancellation, calendar_cancellation
from storage import drafts, people, queries
from storage.models import PairStatus


@dataclass(frozen=True)
class Forgotten:
    """Whom to tell that their mentorship with the forgotten person ended, and the files that take
    those pairs' meetings out of calendars (with no name of the forgotten person in them)."""

    partner_user_ids: tuple[str, ...]
    cancellations: tuple[Cancellation, ...] = ()


def forget_me(session: Session, team_id: str, user_id: str, now: datetime) -> Forgotten | None:
    """Forget the person with this Slack id; None when mentorbot never knew them."""
    person = queries.find_person(session, team_id, user_id)
    if person is None:
        return None
    partners = []
    ended = queries.open_pairs(session, person)
    members = {pair.id: (pair.mentor.user_id, pair.mentee.user_id) for pair in ended}  # before forgetting
    for pair in ended:
        partners.append(pair.partner_of(person.id).user_id)
        pair.status = PairStatus.ENDED.value
        pair.ended_at = now
        pair.ended_by_user_id = None
        pair.next_checkin_at = None
    for profile, _program in queries.active_profiles(session, person):
        profile.left_at = now
    drafts.forget_drafts(session, team_id, user_id)
    people.forget(session, person, placeholder_user_id=f"forgotten-{person.id}")
    person.forgotten_at = now
    session.flush()
    cancellations = [  # made now that names are gone, and sent to the pair's DM as it was
        replace(cancellation, mentor_user_id=members[pair.id][0], mentee_user_id=members[pair.id][1])
        for pair in ended
        if (cancellation := calendar_cancellation(session, pair, now)) is not None
    ]
    return Forgotten(tuple(partners), tuple(cancellations))
