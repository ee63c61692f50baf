"""Pair health: the fit check after the first meeting, drift after silence, and periodic pulses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.admins import program_admins
from bot.agreements import Cancellation, calendar_cancellation, reschedule
from bot.config import Settings
from bot.membership import member_pair
from bot.refusal import Refusal
from bot.zones import local_today
from storage import health as health_queries
from storage import queries
from storage.models import Pair, PairStatus, Program, Pulse

FIT_ANSWERS = {"good": "Good fit", "deciding": "Still deciding", "not_fit": "Not a fit"}
DRIFT_AFTER = 3  # check-ins in a row without an answer


def pair_members(pair: Pair) -> tuple[str, str]:
    """The pair's mentor and mentee user ids."""
    return pair.mentor.user_id, pair.mentee.user_id


def note_met(session: Session, team_id: str, pair_id: int, now: datetime) -> bool:
    """The pair said it met: from now on each member is asked, privately, whether it is a good fit.

    True for the one call that noted the first meeting.
    """
    return health_queries.claim_fit_check(session, team_id, pair_id, now)


PULSE_OPEN_DAYS = 14  # a pulse not answered within two weeks is not asked any more


@dataclass(frozen=True)
class PrivateQuestions:
    """What to ask a member privately right after they answered a check-in."""

    pair_id: int
    partner_user_id: str
    fit: bool  # the pair has met and this member has not said whether it is a good fit
    pulse_id: int | None  # a pulse due for them and not answered yet


def private_questions(
    session: Session, team_id: str, pair_id: int, user_id: str, now: datetime, *, met: bool
) -> PrivateQuestions | None:
    """The private questions waiting for a member who just said whether they met, asked right there
    and never in a DM.

    The fit question waits for a member who says they met until they answer it; a pulse from the
    day it is due, for two weeks. None when nothing waits.
    """
    found = member_pair(session, team_id, pair_id, user_id)
    if isinstance(found, Refusal):
        return None
    pair, person = found
    fit = met and health_queries.fit_answer(session, pair.id, person.id) is None
    since = local_today(person.tz, now) - timedelta(days=PULSE_OPEN_DAYS)
    pulse = health_queries.open_pulse(session, pair.id, person.id, since)
    if not fit and pulse is None:
        return None
    partner = pair.partner_of(person.id).user_id
    return PrivateQuestions(pair.id, partner, fit, pulse.id if pulse else None)


@dataclass(frozen=True)
class FitRecorded:
    """A fit answer; when it is "not a fit", the admins to alert."""

    pair_id: int
    answer: str
    mentor_user_id: str
    mentee_user_id: str
    alert_admins: tuple[str, ...]


def record_fit(
    session: Session,
    team_id: str,
    pair_id: int,
    user_id: str,
    answer: str,
    settings: Settings,
    now: datetime,
) -> FitRecorded | Refusal:
    """Keep a member's private fit answer; "not a fit" alerts everyone who administers the program."""
    if answer not in FIT_ANSWERS:
        return Refusal("That answer is not one of the choices.")
    found = member_pair(session, team_id, pair_id, user_id)
    if isinstance(found, Refusal):
        return found
    pair, person = found
    if not health_queries.set_fit_answer(session, pair.id, person.id, answer, now):
        return Refusal("You told me that already; it is noted privately.")
    program = session.get(Program, pair.program_id)
    alert = program_admins(session, program, settings) if answer == "not_fit" and program else ()
    session.flush()
    return FitRecorded(pair.id, answer, pair.mentor.user_id, pair.mentee.user_id, tuple(dict.fromkeys(alert)))


@dataclass(frozen=True)
class DriftAnswer:
    """What a member chose when asked whether to keep going."""

    pair_id: int
    choice: str
    mentor_user_id: str
    mentee_user_id: str
    cancellation: Cancellation | None = None  # when they chose to end, for the meetings in calendars


def answer_drift(
    session: Session, team_id: str, pair_id: int, user_id: str, choice: str, now: datetime
) -> DriftAnswer | Refusal:
    """Keep going, pause or end, as one of the pair decides after a long silence."""
    if choice not in ("keep", "pause", "end"):
        return Refusal("That answer is not one of the choices.")
    found = member_pair(session, team_id, pair_id, user_id)
    if isinstance(found, Refusal):
        return found
    pair, _person = found
    if choice == "keep":
        if pair.status != PairStatus.ACTIVE.value:
            return Refusal(f"That mentorship is {pair.status} now; resume it from my Home tab to go on.")
        changed = health_queries.clear_silence(session, pair.id)
    else:
        values: dict[str, object] = {"unanswered_checkins": 0, "at_risk_since": None, "drift_asked_at": None}
        if choice == "pause":
            values |= {"status": PairStatus.PAUSED.value, "paused_at": now}
            changed = queries.transition_pair(session, pair.id, (PairStatus.ACTIVE.value,), values)
        else:
            values |= {"status": PairStatus.ENDED.value, "ended_at": now, "ended_by_user_id": user_id}
            changed = queries.transition_pair(session, pair.id, queries.OPEN, values)
    session.refresh(pair)
    if not changed:
        return Refusal(f"Noted already: the mentorship is {pair.status}.")
    reschedule(session, pair, now)
    session.flush()
    cancellation = calendar_cancellation(session, pair, now) if choice == "end" else None
    return DriftAnswer(pair.id, choice, *pair_members(pair), cancellation)


def next_pulse(program: Program | None, after: datetime) -> datetime:
    """When a pair's next pulse is due, by its program's setting."""
    weeks = program.pulse_every_weeks if program and program.pulse_every_weeks else 4
    return after + timedelta(weeks=weeks)


@dataclass(frozen=True)
class PulseAsk:
    """A pulse to send: to whom, about which pair, under which row."""

    pulse_id: int
    user_id: str
    partner_user_id: str
    tz: str | None
    team_id: str
    pair_id: int


def due_pulses(session: Session, now: datetime, limit: int = 500) -> list[PulseAsk]:
    """Create the pulse rows of active pairs whose pulse is due, and move their next pulse on."""
    asks = []
    for pair in health_queries.pulse_due_pairs(session, now, limit):
        program = session.get(Program, pair.program_id)
        for person, partner in ((pair.mentor, pair.mentee), (pair.mentee, pair.mentor)):
            asked_on = local_today(person.tz, now)
            queries.insert_or_ignore(
                session,
                Pulse,
                {"team_id": pair.team_id, "pair_id": pair.id, "person_id": person.id, "asked_on": asked_on},
                ["pair_id", "person_id", "asked_on"],
            )
            pulse = health_queries.pulse_on(session, pair.id, person.id, asked_on)
            asks.append(PulseAsk(pulse.id, person.user_id, partner.user_id, person.tz, pair.team_id, pair.id))
        pair.next_pulse_at = next_pulse(program, now)
    session.flush()
    return asks


def answer_pulse(
    session: Session,
    team_id: str,
    pulse_id: int,
    user_id: str,
    score: int,
    comment: str | None,
    now: datetime,
) -> Pulse | Refusal:
    """Record a pulse score (1-5) and an optional comment, by the person who was asked."""
    if not 1 <= score <= 5:
        return Refusal("Choose a score from 1 to 5.")
    pulse = health_queries.pulse_in_team(session, team_id, pulse_id)
    person = queries.find_person(session, team_id, user_id)
    if pulse is None or person is None or pulse.person_id != person.id:
        return Refusal("That question was for someone else.")
    if comment is None and not health_queries.set_pulse_score(session, pulse.id, score, now):
        return Refusal("You gave that score already; thank you.")
    if comment is not None:
        pulse.score, pulse.answered_at, pulse.comment = score, now, comment
    session.flush()
    session.refresh(pulse)
    return pulse
