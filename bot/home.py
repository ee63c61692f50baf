"""What a person's App Home shows, gathered from storage into plain data for the home view."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.agreements import form_from
from bot.cadence import describe, next_occurrence
from bot.enrollment import Story, story_of
from bot.goals import GoalCard, goal_card
from bot.insights import ProgramHealth, program_health
from bot.outcomes import Outcomes, program_outcomes
from bot.requests import requests_line
from bot.views.checkins import ActionLine, Agenda
from bot.views.common import escape_text
from bot.zones import local_today
from storage import cohorts as cohort_store
from storage import queries
from storage import requests as request_store
from storage.models import MeetingStage, Pair, Person, Program
from storage.queries import MENTEE_ROLES


@dataclass(frozen=True)
class Enrollment:
    """A program the person has joined, and in which role."""

    program_name: str
    role: str
    # The cohort they signed up for that has not ended: its name, first and last day.
    cohort: tuple[str, date, date] | None = None


@dataclass(frozen=True)
class Asking:
    """A program where the person, a mentee without a mentor, may ask one; and their open request."""

    program_id: int
    program_name: str
    request_id: int | None = None
    mentor_user_id: str | None = None
    expires_at: datetime | None = None


@dataclass(frozen=True)
class PairSummary:
    """One of the person's open pairs, seen from their side."""

    pair_id: int
    role: str
    partner_user_id: str
    status: str
    since: datetime
    agreement: str | None = None  # e.g. "every Tuesday at 09:00 (Europe/Berlin)"
    next_meeting: datetime | None = None
    goals: tuple[GoalCard, ...] = ()
    next_checkin: datetime | None = None
    last_checkin: datetime | None = None
    last_checkin_met: str | None = None
    partner_story: Story = field(default_factory=Story)  # what the partner wrote at sign-up for them
    meeting_id: int | None = None  # the pair's latest meeting, for its notes
    upcoming: bool = False  # that meeting is still to come
    agenda: Agenda | None = None  # what the mentee prepared for it
    questions: tuple[str, ...] = ()  # the mentor's questions for it (the mentor's Home only)
    actions: tuple[ActionLine, ...] = ()  # open action items


@dataclass(frozen=True)
class HomeSnapshot:
    """Everything the home view renders for one person."""

    user_id: str
    enrollments: tuple[Enrollment, ...] = ()
    pairs: tuple[PairSummary, ...] = ()
    asking: tuple[Asking, ...] = ()
    # The health of each program the person administers (admins only; counts and states).
    health: tuple[ProgramHealth, ...] = ()
    # How each of those programs' pairs fared, per cohort (admins only; shown from five people).
    outcomes: tuple[Outcomes, ...] = ()
    # Where mentees ask: each program's requests in counts and times (admins only).
    request_lines: tuple[str, ...] = ()


def load_home(
    session: Session, team_id: str, user_id: str, now: datetime, admin_of: Sequence[Program] = ()
) -> HomeSnapshot:
    """Read the person's programs, open pairs, agreements and goals; someone unknown gets an empty one.

    `admin_of` are the programs the caller found the person administers; each gets its health
    and its outcomes.
    """
    health = tuple(program_health(session, program, now) for program in admin_of)
    outcomes = tuple(program_outcomes(session, program, now) for program in admin_of)
    request_lines = tuple(
        f"{escape_text(program.name)}: {line}"
        for program in admin_of
        if (line := requests_line(session, program)) is not None
    )
    person = queries.find_person(session, team_id, user_id)
    if person is None:
        return HomeSnapshot(user_id=user_id, health=health, outcomes=outcomes, request_lines=request_lines)
    enrollments = tuple(
        Enrollment(
            program_name=program.name,
            role=profile.role,
            cohort=(c.name, c.starts_on, c.ends_on)
            if (c := cohort_store.current_cohort_of(session, person.id, program.id)) is not None
            else None,
        )
        for profile, program in queries.active_profiles(session, person)
    )
    pairs = queries.open_pairs(session, person)
    agreements = queries.agreements_for(session, (pair.id for pair in pairs))
    goals = queries.goals_of_pairs(session, (pair.id for pair in pairs))
    today = local_today(person.tz, now)
    items = queries.open_action_items(session, (pair.id for pair in pairs))
    summaries = []
    for pair in pairs:
        agreement = agreements.get(pair.id)
        cadence = form_from(agreement).cadence if agreement else None
        last = queries.latest_checkin(session, pair.id)
        partner = pair.mentee if pair.mentor_id == person.id else pair.mentor
        upcoming = last is not None and last.stage in (MeetingStage.PREP.value, MeetingStage.SOON.value)
        users = {pair.mentor_id: pair.mentor, pair.mentee_id: pair.mentee}
        summaries.append(
            PairSummary(
                pair_id=pair.id,
                role="mentor" if pair.mentor_id == person.id else "mentee",
                partner_user_id=pair.partner_of(person.id).user_id,
                status=pair.status,
                # A paused pair has been paused since it was paused, not since it was formed.
                since=(pair.paused_at if pair.status == "paused" else None) or pair.created_at,
                agreement=describe(cadence) if cadence else None,
                next_meeting=next_occurrence(cadence, now) if cadence and pair.status == "active" else None,
                goals=tuple(goal_card(g, pair, user_id, today) for g in goals if g.pair_id == pair.id),
                next_checkin=pair.next_checkin_at,
                last_checkin=last.due_at if last else None,
                last_checkin_met=last.met if last else None,
                partner_story=story_of(session, pair.program_id, partner.id),
                meeting_id=last.id if last else None,
                upcoming=upcoming,
                agenda=(
                    Agenda(last.prep_topics, last.prep_questions, last.prep_went_well, last.prep_hard)
                    if last is not None and upcoming and last.prepared_at is not None
                    else None
                ),
                questions=tuple(
                    str(q.get("text", "")) for q in (last.mentor_questions or []) if isinstance(q, dict)
                )
                if last is not None and upcoming and pair.mentor_id == person.id
                else (),
                actions=tuple(
                    ActionLine(
                        item.id,
                        item.text,
                        users[item.owner_id].user_id,
                        item.due_on,
                        late=item.due_on is not None
                        and item.due_on < local_today(users[item.owner_id].tz, now),
                    )
                    for item in items.get(pair.id, [])
                ),
            )
        )
    return HomeSnapshot(
        user_id=user_id,
        enrollments=enrollments,
        pairs=tuple(summaries),
        health=health,
        outcomes=outcomes,
        request_lines=request_lines,
        asking=_asking(session, person, pairs),
    )


def _asking(session: Session, person: Person, pairs: Sequence[Pair]) -> tuple[Asking, ...]:
    """The programs where the person may ask a mentor (they are a mentee there without one)."""
    mentored = {pair.program_id for pair in pairs if pair.mentee_id == person.id}
    found = []
    for profile, program in queries.active_profiles(session, person):
        if program.pairing_mode == "admins" or profile.role not in MENTEE_ROLES or program.id in mentored:
            continue
        waiting = request_store.open_request_of(session, program.id, person.id)
        mentor = session.get(Person, waiting.mentor_id) if waiting else None
        found.append(
            Asking(
                program.id,
                program.name,
                waiting.id if waiting else None,
                mentor.user_id if mentor else None,
                waiting.expires_at if waiting else None,
            )
        )
    return tuple(found)
