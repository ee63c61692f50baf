"""Data access for introductions, the skill directory, and forgetting a person."""

from __future__ import annotations

from sqlalchemy import String, cast, delete, or_, select, update
from sqlalchemy.orm import Session, joinedload

from storage import exclusions, requests
from storage.models import (
    ActionItem,
    Agreement,
    CheckIn,
    CheckInAnswer,
    ClosingSurvey,
    Goal,
    GoalFeedback,
    GoalUpdate,
    Introduction,
    MentorRequest,
    OutboxMessage,
    Pair,
    PairFeedback,
    Person,
    PrivateNote,
    Profile,
    Pulse,
)


def profiles_in_program(session: Session, program_id: int) -> list[Profile]:
    """Current profiles of the program with their people, for the skill directory."""
    return list(
        session.scalars(
            select(Profile)
            .options(joinedload(Profile.person))
            .join(Person, Person.id == Profile.person_id)
            .where(
                Profile.program_id == program_id, Profile.left_at.is_(None), Person.deactivated_at.is_(None)
            )
            .order_by(Profile.person_id)
        )
    )


def introductions_of(session: Session, pair_id: int) -> list[Introduction]:
    """A pair's introductions, oldest first."""
    return list(
        session.scalars(select(Introduction).where(Introduction.pair_id == pair_id).order_by(Introduction.id))
    )


def forget(session: Session, person: Person, placeholder_user_id: str) -> None:
    """Delete what the person wrote and who they are; keep anonymous rows so counts stay right."""
    pair_ids = select(Pair.id).where(or_(Pair.mentor_id == person.id, Pair.mentee_id == person.id))
    session.execute(
        update(CheckInAnswer)
        .where(CheckInAnswer.person_id == person.id)
        .values(learned=None, blocker=None)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Pulse)
        .where(Pulse.person_id == person.id)
        .values(comment=None)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(PairFeedback)
        .where(PairFeedback.person_id == person.id)
        .values(comment=None)
        .execution_options(synchronize_session=False)
    )
    exclusions.forget(session, person.id)
    # Their profiles first (locked by the update), then the requests: the lock order accepting keeps.
    session.execute(
        update(Profile)
        .where(Profile.person_id == person.id)
        .values(motivations=None, background=None)
        .execution_options(synchronize_session=False)
    )
    requests.close_open(session, None, person.id)  # theirs and those to them: what they wrote goes too
    session.execute(
        update(MentorRequest)
        .where(MentorRequest.mentee_id == person.id)
        .values(note=None)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(MentorRequest)
        .where(MentorRequest.mentor_id == person.id)
        .values(decline_reason=None)
        .execution_options(synchronize_session=False)
    )
    session.execute(  # the rating and score stay in the averages; the words go
        update(ClosingSurvey)
        .where(ClosingSurvey.person_id == person.id)
        .values(what_changed=None)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        delete(GoalFeedback)
        .where(GoalFeedback.author_id == person.id)
        .execution_options(synchronize_session=False)
    )
    owned = select(Goal.id).where(Goal.owner_id == person.id)
    session.execute(
        update(GoalUpdate)
        .where(GoalUpdate.goal_id.in_(owned))
        .values(note=None)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Goal)
        .where(Goal.owner_id == person.id)
        .values(specific="(forgotten)", attainable="", realistic="", closing_note=None, target_unit=None)
        .execution_options(synchronize_session=False)
    )
    # The meeting loop: their agendas, their shared notes and action items, their private notes, and
    # the mentor's questions of their pairs (which quote goals and blockers).
    mentee_of = select(Pair.id).where(Pair.mentee_id == person.id)
    session.execute(
        update(CheckIn)
        .where(CheckIn.pair_id.in_(mentee_of))
        .values(prep_topics=None, prep_questions=None, prep_went_well=None, prep_hard=None)
        .execution_options(synchronize_session=False)
    )
    # Shared notes are written by both members in turn, so none of their pairs' notes stay.
    session.execute(
        update(CheckIn)
        .where(CheckIn.pair_id.in_(pair_ids))
        .values(notes=None, notes_by_user_id=None, mentor_questions=None)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        delete(PrivateNote)
        .where(PrivateNote.person_id == person.id)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(ActionItem)
        .where(or_(ActionItem.created_by_id == person.id, ActionItem.owner_id == person.id))
        .values(text="(forgotten)")
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Agreement)
        .where(Agreement.pair_id.in_(pair_ids))
        .values(expectations=None, location=None)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Introduction)
        .where(or_(Introduction.pair_id.in_(pair_ids), Introduction.person_id == person.id))
        .values(reason="(forgotten)", question=None)
        .execution_options(synchronize_session=False)
    )
    # Every message of their pairs, to them, or naming them (a notice, an introduction, feedback
    # they wrote): what waits is not sent, and what was sent keeps no words.
    mentions = f"%{person.user_id}%"
    theirs = or_(
        OutboxMessage.pair_id.in_(pair_ids),
        OutboxMessage.channel.like(mentions),
        cast(OutboxMessage.payload, String).like(mentions),
    )
    session.execute(
        update(OutboxMessage)
        .where(theirs, OutboxMessage.status == "pending")
        .values(payload={}, status="skipped")
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(OutboxMessage).where(theirs).values(payload={}).execution_options(synchronize_session=False)
    )
    session.execute(
        update(Profile)
        .where(Profile.person_id == person.id)
        .values(motivations=None, background=None, skills=[], growth_areas=[], interests=[], tz_override=None)
        .execution_options(synchronize_session=False)
    )
    person.user_id = placeholder_user_id
    person.display_name = None
    person.tz = None
    person.no_introductions = True
