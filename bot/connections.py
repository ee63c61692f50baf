"""Connecting a mentee with people who can help: the skill directory and introductions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot import ids
from bot.forms import FieldErrors, FormState
from bot.members import Member
from bot.refusal import Refusal
from storage import people, queries
from storage.models import Introduction, PairStatus

MAX_LISTED = 25


@dataclass(frozen=True)
class Found:
    """Someone who offers the skill asked for."""

    user_id: str
    role: str
    matching: tuple[str, ...]


def find_people(session: Session, team_id: str, user_id: str, skill: str) -> list[Found] | Refusal:
    """People in the caller's programs who offer `skill` and accept introductions; or why not."""
    wanted = " ".join(skill.split()).casefold()
    if len(wanted) < 2:
        return Refusal("Say which skill: `/mentor find public speaking`.")
    person = queries.find_person(session, team_id, user_id)
    enrolled = queries.active_profiles(session, person) if person else []
    if person is None or not enrolled:
        return Refusal("Join a program first (`/mentor join`); then you can look for people in it.")
    found: dict[str, Found] = {}
    for _profile, program in enrolled:
        for other in people.profiles_in_program(session, program.id):
            if other.person_id == person.id or other.person.no_introductions:
                continue
            matching = tuple(s for s in other.skills if wanted in s.casefold())
            if matching and other.person.user_id not in found:
                found[other.person.user_id] = Found(other.person.user_id, other.role, matching)
    return list(found.values())[:MAX_LISTED]


@dataclass(frozen=True)
class ConnectTarget:
    """Whom a mentor is about to introduce to which mentee, in which pair."""

    pair_id: int
    mentor_user_id: str
    mentee_user_id: str
    person_user_id: str


def connect_target(
    session: Session,
    team_id: str,
    mentor_user_id: str,
    person: Member,
    mentee_ids: list[str],
    pair_id: int | None = None,
) -> ConnectTarget | Refusal:
    """Check a mentor may introduce `person` to their mentee (named, or of `pair_id`); or why not."""
    if not person.can_take_part:
        return Refusal(
            f"<@{person.user_id}> cannot be introduced: bots and deactivated accounts are left out."
        )
    mentor = queries.find_person(session, team_id, mentor_user_id)
    pairs = [
        p
        for p in (queries.open_pairs(session, mentor) if mentor else [])
        if mentor is not None and p.mentor_id == mentor.id and p.status == PairStatus.ACTIVE.value
    ]
    if pair_id is not None:
        pairs = [p for p in pairs if p.id == pair_id]
    elif mentee_ids:
        pairs = [p for p in pairs if p.mentee.user_id in mentee_ids]
    if not pairs:
        return Refusal("Introductions come from a mentor with an active mentorship; you have none.")
    if len(pairs) > 1:
        return Refusal(
            "You mentor several people: name the mentee too, e.g. `/mentor connect @person @mentee`."
        )
    pair = pairs[0]
    if person.user_id in (pair.mentor.user_id, pair.mentee.user_id):
        return Refusal("Introduce someone other than the two of you.")
    target = queries.find_person(session, team_id, person.user_id)
    if target is not None and target.no_introductions:
        return Refusal(
            f"<@{person.user_id}> has asked not to be introduced. Try `/mentor find <skill>` for others."
        )
    return ConnectTarget(pair.id, pair.mentor.user_id, pair.mentee.user_id, person.user_id)


@dataclass(frozen=True)
class ConnectForm:
    """Why the mentor introduces them, what the mentee might ask, and who is in the conversation."""

    reason: str
    question: str | None
    with_mentor: bool


def parse_connect(values: dict) -> ConnectForm | FieldErrors:
    """Read the introduction modal."""
    state = FormState(values)
    reason = state.text(ids.CONNECT_REASON)
    question = state.text(ids.CONNECT_QUESTION) or None
    errors: FieldErrors = {}
    if len(reason) < 10:
        errors[ids.CONNECT_REASON] = "Say in a sentence why they should meet."
    elif len(reason) > 1000:
        errors[ids.CONNECT_REASON] = "Keep it under 1000 characters."
    if question and len(question) > 1000:
        errors[ids.CONNECT_QUESTION] = "Keep it under 1000 characters."
    who = state.option(ids.CONNECT_WHO) or "three"
    if errors:
        return errors
    return ConnectForm(reason, question, who == "three")


def record_introduction(
    session: Session,
    team_id: str,
    target: ConnectTarget,
    form: ConnectForm,
    channel_id: str | None,
    now: datetime,
) -> Introduction:
    """Keep the introduction on the pair's timeline."""
    person = queries.upsert_person(session, team_id, target.person_user_id, now, name=None, tz=None)
    introduction = Introduction(
        team_id=team_id,
        pair_id=target.pair_id,
        person_id=person.id,
        reason=form.reason,
        question=form.question,
        with_mentor=form.with_mentor,
        channel_id=channel_id,
        created_at=now,
    )
    session.add(introduction)
    session.flush()
    return introduction


def set_introductions(session: Session, team_id: str, user_id: str, allowed: bool, now: datetime) -> None:
    """Opt in to or out of being found and introduced."""
    queries.ensure_workspace(session, team_id, now)
    person = queries.upsert_person(session, team_id, user_id, now, name=None, tz=None)
    person.no_introductions = not allowed


def home_connect_target(
    session: Session, team_id: str, mentor_user_id: str, pair_id: int
) -> ConnectTarget | Refusal:
    """The pair a mentor's Home button is for, with nobody chosen yet to introduce."""
    pair = queries.pair_for_update(session, team_id, pair_id)
    if pair is None or pair.mentor.user_id != mentor_user_id or pair.status != PairStatus.ACTIVE.value:
        return Refusal("Introductions come from the mentor of an active mentorship.")
    return ConnectTarget(pair.id, pair.mentor.user_id, pair.mentee.user_id, "")
