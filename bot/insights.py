"""Program insights for admins: a program's health in numbers, check-ins per week, nudging a pair.

Admins see counts and states only, never what a pair wrote: goals, answers, feedback and pulse
comments stay between the two members. Every figure comes from an aggregate query in
`storage.insights`, so building them costs a few queries whatever the program's history.

Definitions (the Home tab and the weekly report use them as they are):

- people by role: current profiles (not left) by role: mentor, mentee, or both;
- unpaired mentees: current mentee (or both) profiles of active Slack accounts without an open pair
  as mentee, as in `/mentor list`;
- free mentor capacity: over current mentor (or both) profiles of active Slack accounts, the sum of
  max(0, capacity - open pairs as mentor);
- check-ins answered: check-ins of the program's pairs with an answer / all of them;
- met yes: check-ins answered "yes, we met" / check-ins answered;
- goals set, achieved, overdue: every goal of the program's pairs; achieved ones; active goals
  whose deadline is before today (UTC) plus goals marked missed, counting only pairs that have
  not ended and owners who were not forgotten;
- average pulse: the mean score of answered pulses;
- at risk: active pairs that left two check-ins in a row unanswered (`Pair.at_risk_since`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.config import Settings
from bot.members import Member
from bot.outbox import group
from bot.programs import is_admin
from bot.refusal import Refusal
from bot.zones import sendable_at
from storage import insights as store
from storage import queries
from storage.models import PairStatus, Program

MAX_AT_RISK = 25  # listed by name; the count covers them all
NUDGE = "admin_nudge"


@dataclass(frozen=True)
class AtRiskPair:
    """An active pair that left check-ins unanswered: who, how many, since when. Nothing they wrote."""

    pair_id: int
    mentor_user_id: str
    mentee_user_id: str
    unanswered: int
    since: datetime


@dataclass(frozen=True)
class ProgramHealth:
    """A program's health in counts and states, as of `as_of`."""

    program_id: int
    program_name: str
    as_of: datetime
    mentors: int = 0
    mentees: int = 0
    both: int = 0
    unpaired_mentees: int = 0
    free_mentor_capacity: int = 0
    mentors_with_room: int = 0
    pairs_active: int = 0
    pairs_paused: int = 0
    pairs_ended: int = 0
    checkins: int = 0
    checkins_answered: int = 0
    met_yes: int = 0
    goals_set: int = 0
    goals_active: int = 0
    goals_achieved: int = 0
    goals_overdue: int = 0
    pulse_answers: int = 0
    pulse_average: float | None = None
    at_risk_count: int = 0
    at_risk: tuple[AtRiskPair, ...] = ()
    meetings_prepared: int = 0  # meetings the mentee prepared an agenda for
    meetings_skipped: int = 0
    meetings: int = 0  # meetings with a message, skipped ones aside
    actions: int = 0  # action items the pairs agreed
    actions_done: int = 0

    @property
    def prepared_share(self) -> float | None:
        """Meetings prepared / meetings not skipped; None before the first."""
        return self.meetings_prepared / self.meetings if self.meetings else None

    @property
    def people(self) -> int:
        """Everyone currently enrolled."""
        return self.mentors + self.mentees + self.both

    @property
    def pairs(self) -> int:
        """Every pair the program has had."""
        return self.pairs_active + self.pairs_paused + self.pairs_ended

    @property
    def answered_share(self) -> float | None:
        """Check-ins answered / all check-ins; None before the first check-in."""
        return self.checkins_answered / self.checkins if self.checkins else None

    @property
    def met_share(self) -> float | None:
        """Check-ins answered "yes, we met" / check-ins answered; None before the first answer."""
        return self.met_yes / self.checkins_answered if self.checkins_answered else None


def program_health(session: Session, program: Program, now: datetime) -> ProgramHealth:
    """The program's health now, from nine aggregate queries."""
    roles = store.people_by_role(session, program.id)
    capacity = store.mentor_capacity(session, program.id)
    pairs = store.pair_counts(session, program.id)
    checkins = store.checkin_counts(session, program.id)
    goals = store.goal_counts(session, program.id, now.date())
    pulse = store.pulse_summary(session, program.id)
    at_risk = store.at_risk_pairs(session, program.id, MAX_AT_RISK)
    actions = store.action_counts(session, program.id)
    return ProgramHealth(
        program_id=program.id,
        program_name=program.name,
        as_of=now,
        mentors=roles.mentors,
        mentees=roles.mentees,
        both=roles.both,
        unpaired_mentees=store.unpaired_mentee_count(session, program.id),
        free_mentor_capacity=capacity.free,
        mentors_with_room=capacity.mentors_with_room,
        pairs_active=pairs.active,
        pairs_paused=pairs.paused,
        pairs_ended=pairs.ended,
        checkins=checkins.total,
        checkins_answered=checkins.answered,
        met_yes=checkins.met_yes,
        goals_set=goals.total,
        goals_active=goals.active,
        goals_achieved=goals.achieved,
        goals_overdue=goals.overdue,
        pulse_answers=pulse.answers,
        pulse_average=pulse.average,
        at_risk_count=pairs.at_risk,
        at_risk=tuple(AtRiskPair(*row) for row in at_risk),
        meetings_prepared=checkins.prepared,
        meetings_skipped=checkins.skipped,
        meetings=checkins.meetings,
        actions=actions.total,
        actions_done=actions.done,
    )


@dataclass(frozen=True)
class WeekPoint:
    """One ISO week (Monday to Sunday, UTC) of check-ins, by the instant they were due."""

    week_start: date
    checkins: int = 0
    answered: int = 0
    meetings: int = 0  # answered "yes, we met"


def weekly_series(session: Session, program: Program, now: datetime, weeks: int = 8) -> tuple[WeekPoint, ...]:
    """The last `weeks` ISO weeks up to and including the current one, oldest first, empty weeks as 0.

    Weeks before the program was set up are left out: they were not empty, there was no program.
    """
    current = store.week_number(now.date())
    first = min(current, max(current - weeks + 1, store.week_number(program.created_at.date())))
    start = datetime.combine(store.week_start(first), datetime.min.time(), tzinfo=now.tzinfo)
    end = datetime.combine(store.week_start(current + 1), datetime.min.time(), tzinfo=now.tzinfo)
    found = {row.week: row for row in store.weekly_checkins(session, program.id, start, end)}
    points = []
    for number in range(first, current + 1):
        row = found.get(number)
        points.append(
            WeekPoint(store.week_start(number), row.checkins, row.answered, row.met_yes)
            if row
            else WeekPoint(store.week_start(number))
        )
    return tuple(points)


def administered_programs(
    session: Session, team_id: str, user_id: str, settings: Settings, member: Member | None = None
) -> list[Program]:
    """The workspace's programs this person administers.

    With `member` (from users.info) workspace admins and owners count; without it only what is
    stored or configured: MENTORBOT_ADMINS and each program's own admins.
    """
    programs = queries.programs(session, team_id)
    if member is not None:
        return [program for program in programs if is_admin(member, settings, program)]
    if user_id in settings.admin_user_ids:
        return programs
    return [program for program in programs if user_id in (program.admin_user_ids or [])]


@dataclass(frozen=True)
class Nudged:
    """A nudge an admin asked for: to whom, for which unanswered check-in, and when it can go out."""

    pair_id: int
    mentor_user_id: str
    mentee_user_id: str
    not_before: datetime
    key: str = ""  # the outbox key: one nudge per pair and day
    channel: str = ""
    admin_user_id: str = ""
    checkin_id: int | None = None  # the latest check-in, while unanswered: the nudge repeats its buttons


def already_nudged(mentor_user_id: str, mentee_user_id: str) -> Refusal:
    """The answer to a second nudge of the same pair on the same day."""
    return Refusal(f"<@{mentor_user_id}> and <@{mentee_user_id}> were nudged today already; give them a day.")


def nudge_pair(
    session: Session, team_id: str, pair_id: int, member: Member, settings: Settings, now: datetime
) -> Nudged | Refusal:
    """An admin's check-in nudge for the pair's DM, at most once per pair and day.

    The nudge repeats the buttons of the pair's latest check-in, so one click answers it and clears
    the pair's at-risk flag. `bot.notify.nudge_letter` queues it: the outbox sends it 08:00-20:00
    for both members, retried on errors.
    """
    pair = queries.pair_for_update(session, team_id, pair_id)
    if pair is None:
        return Refusal("That pair no longer exists.")
    program = session.get(Program, pair.program_id)
    if not is_admin(member, settings, program):
        return Refusal("Only program admins can nudge a pair.")
    mentor, mentee = pair.mentor.user_id, pair.mentee.user_id
    if pair.status != PairStatus.ACTIVE.value:
        return Refusal(f"<@{mentor}> and <@{mentee}>'s mentorship is {pair.status}, so I did not nudge them.")
    latest = queries.latest_checkin(session, pair.id)
    key = f"{NUDGE}:{pair.id}:{now.date().isoformat()}"
    if queries.outbox_by_keys(session, [key]):
        return already_nudged(mentor, mentee)
    return Nudged(
        pair.id,
        mentor,
        mentee,
        sendable_at(now, [pair.mentee.tz, pair.mentor.tz]),
        key=key,
        channel=pair.dm_channel_id or group(mentor, mentee),
        admin_user_id=member.user_id,
        checkin_id=latest.id if latest and not latest.answered_at else None,
    )
