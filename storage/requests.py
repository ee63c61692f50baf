"""Data access for mentees' requests for a mentor."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from storage.models import MentorRequest, OutboxMessage, OutboxStatus, Profile, RequestStatus

OPEN = (RequestStatus.PENDING.value, RequestStatus.APPROVING.value)


def request_for_update(session: Session, team_id: str, request_id: int) -> MentorRequest | None:
    """The request with this id in this workspace, locked for the rest of the transaction."""
    # populate_existing: a copy read before the lock was taken would show the state from before the wait
    found = session.get(MentorRequest, request_id, with_for_update=True, populate_existing=True)
    return found if found is not None and found.team_id == team_id else None


def open_request_of(session: Session, program_id: int, mentee_id: int) -> MentorRequest | None:
    """The mentee's request in the program that still waits for an answer."""
    return session.scalar(
        select(MentorRequest).where(
            MentorRequest.program_id == program_id,
            MentorRequest.mentee_id == mentee_id,
            MentorRequest.status.in_(OPEN),
        )
    )


def open_requests_of_mentee(session: Session, mentee_id: int) -> list[MentorRequest]:
    """Every request of the person that still waits for an answer, in any program."""
    return list(
        session.scalars(
            select(MentorRequest)
            .where(MentorRequest.mentee_id == mentee_id, MentorRequest.status.in_(OPEN))
            .order_by(MentorRequest.id)
        )
    )


def open_for_mentor(session: Session, program_id: int, mentor_id: int) -> list[MentorRequest]:
    """The requests to this mentor in the program that still wait for an answer (theirs or admins')."""
    return list(
        session.scalars(
            select(MentorRequest).where(
                MentorRequest.program_id == program_id,
                MentorRequest.mentor_id == mentor_id,
                MentorRequest.status.in_(OPEN),
            )
        )
    )


def close_open(session: Session, program_id: int | None, person_id: int, *, mentee_only: bool = False) -> int:
    """Withdraw every open request the person made (and, unless `mentee_only`, was asked), in one
    program or in all; how many."""
    whose = MentorRequest.mentee_id == person_id
    if not mentee_only:
        whose = whose | (MentorRequest.mentor_id == person_id)
    query = update(MentorRequest).where(MentorRequest.status.in_(OPEN), whose)
    if program_id is not None:
        query = query.where(MentorRequest.program_id == program_id)
    result = session.execute(query.values(status="withdrawn").execution_options(synchronize_session=False))
    return cast(CursorResult, result).rowcount


def move(session: Session, request_id: int, from_statuses: Iterable[str], values: dict[str, Any]) -> bool:
    """Set `values` only while the request is in one of `from_statuses`; True for the one call that did."""
    result = session.execute(
        update(MentorRequest)
        .where(MentorRequest.id == request_id, MentorRequest.status.in_(list(from_statuses)))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult, result).rowcount == 1


def due_to_expire(session: Session, now: datetime, limit: int = 200) -> list[MentorRequest]:
    """Requests still open whose time to answer has run out."""
    return list(
        session.scalars(
            select(MentorRequest)
            .where(MentorRequest.status.in_(OPEN), MentorRequest.expires_at <= now)
            .order_by(MentorRequest.expires_at, MentorRequest.id)
            .limit(limit)
        )
    )


def mentor_profile_for_update(session: Session, program_id: int, person_id: int) -> Profile | None:
    """The mentor's profile, locked: two accepts of the last free place take it one at a time."""
    return session.scalar(
        select(Profile)
        .where(Profile.program_id == program_id, Profile.person_id == person_id)
        .with_for_update()
    )


def skip_unsent(session: Session, key: str, why: str) -> bool:
    """Stop an outbox message that has not gone yet; True when it was still waiting."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.key == key, OutboxMessage.status == OutboxStatus.PENDING.value)
        .values(status=OutboxStatus.SKIPPED.value, error=why)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult, result).rowcount == 1


def counts(session: Session, program_id: int) -> dict[str, int]:
    """The program's requests by status."""
    rows = session.execute(
        select(MentorRequest.status, func.count())
        .where(MentorRequest.program_id == program_id)
        .group_by(MentorRequest.status)
    )
    return {status: n for status, n in rows}


def answer_seconds(session: Session, program_id: int) -> list[float]:
    """How long each answered request waited for its mentor's answer, in seconds."""
    rows = session.execute(
        select(MentorRequest.created_at, MentorRequest.answered_at).where(
            MentorRequest.program_id == program_id, MentorRequest.answered_at.is_not(None)
        )
    )
    return sorted((answered - created).total_seconds() for created, answered in rows if answered is not None)


def close_between(session: Session, a: int, b: int) -> int:
    """Withdraw the open requests between two people (one kept the other apart); how many."""
    pair = ((MentorRequest.mentee_id == a) & (MentorRequest.mentor_id == b)) | (
        (MentorRequest.mentee_id == b) & (MentorRequest.mentor_id == a)
    )
    result = session.execute(
        update(MentorRequest)
        .where(MentorRequest.status.in_(OPEN), pair)
        .values(status=RequestStatus.WITHDRAWN.value)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult, result).rowcount


def close_in_program(session: Session, program_id: int) -> int:
    """Withdraw every open request of the program (it no longer lets mentees ask); how many."""
    result = session.execute(
        update(MentorRequest)
        .where(MentorRequest.program_id == program_id, MentorRequest.status.in_(OPEN))
        .values(status=RequestStatus.WITHDRAWN.value)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult, result).rowcount
