"""Cohorts: a program run with a beginning, a middle and an end.

A cohort has a sign-up window, a start and an end, all days in the zone of the admin who set it
up. The clock takes its steps on those days (09:00 there), each once, marked on the cohort row:
sign-up opens (an announcement with a Join button in the program's channel), sign-up closes (the
announcement is edited to say so), the start (admins are asked to review the matches, or matching
runs and pairs are made), the midpoint (a private check for each member; admins get the totals
three days later), graduation (goals re-rated and a closing survey, a week before the end by
default) and the end (pairs are completed, thanked, and choose to keep meeting or to close).

A program without cohorts is open-ended, as before. Every message here is an outbox letter
written with the step, so a step taken by two clocks at once still speaks once.
"""

from __future__ import annotations

import json
import logging
import zlib
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import ids
from bot.admins import heard_by
from bot.agreements import calendar_cancellation, reschedule
from bot.config import Settings
from bot.enrollment import Enrolled
from bot.forms import FieldErrors, FormState, fit, too_long
from bot.inputs import MessageAt
from bot.members import Member
from bot.membership import member_pair
from bot.notify import cancellation_letter, welcome
from bot.outbox import WHILE_OPEN, Letter, group, post
from bot.pairing import ProposalLine, make_pairs, review_lines, start_match_run
from bot.programs import administered_program
from bot.refusal import Refusal
from bot.views import cohorts as views
from bot.views.common import escape_text
from bot.zones import zone
from storage import cohorts as store
from storage import queries
from storage.models import (
    OPEN_STATUSES,
    ClosingSurvey,
    Cohort,
    GoalStatus,
    MidpointCheck,
    Pair,
    PairStatus,
    Program,
)

log = logging.getLogger(__name__)

STEP_TIME = time(9, 0)
RETRY_STEP_AFTER = timedelta(minutes=15)
REPORT_AFTER = timedelta(days=3)  # the midpoint's totals go to admins once members had time to answer
MIN_LENGTH = timedelta(days=14)
GRADUATION_DAYS = ("3", "7", "14")
MIN_ANSWERS = 5  # fewer answers than this are never shown as a figure: one person could be singled out
COHORT = "cohort"  # the outbox kind of every cohort letter
ON_TRACK = ("yes", "partly", "no")
GOAL_RATINGS = ("achieved", "partly", "not_yet")
CHOICES = ("keep", "close")
ACHIEVED_AS_RATED = "Achieved, as rated at graduation."  # the closing note of a goal its rating closed
MENTEE_RATES = "The goals are your mentee's: they record how far each got, once you have talked it over."


class Step(StrEnum):
    """A cohort's steps, in the order the clock takes them."""

    ANNOUNCE = "announced_at"
    CLOSE_SIGNUP = "signup_closed_at"
    START = "started_at"
    MIDPOINT = "midpoint_at"
    MIDPOINT_REPORT = "midpoint_report_at"
    GRADUATION = "graduation_at"
    COMPLETE = "completed_at"


@dataclass(frozen=True)
class Dates:
    """A cohort's days, and the days its midpoint and graduation fall on."""

    signup_opens_on: date
    signup_closes_on: date
    starts_on: date
    ends_on: date
    graduation_days: int = 7

    @property
    def midpoint_on(self) -> date:
        """Halfway from the start to the end."""
        return self.starts_on + (self.ends_on - self.starts_on) / 2

    @property
    def graduation_on(self) -> date:
        """When pairs are asked to re-rate their goals and say how it went."""
        return self.ends_on - timedelta(days=self.graduation_days)


def dates_of(cohort: Cohort) -> Dates:
    """The cohort's dates as a value."""
    return Dates(
        cohort.signup_opens_on,
        cohort.signup_closes_on,
        cohort.starts_on,
        cohort.ends_on,
        cohort.graduation_days,
    )


def step_at(cohort: Cohort, step: Step) -> datetime:
    """The instant the step is due: 09:00 on its day in the cohort's zone; sign-up closes at midnight."""
    dates, place = dates_of(cohort), zone(cohort.tz)
    if step is Step.CLOSE_SIGNUP:
        return datetime.combine(dates.signup_closes_on + timedelta(days=1), time(0), tzinfo=place)
    day = {
        Step.ANNOUNCE: dates.signup_opens_on,
        Step.START: dates.starts_on,
        Step.MIDPOINT: dates.midpoint_on,
        Step.MIDPOINT_REPORT: dates.midpoint_on + REPORT_AFTER,
        Step.GRADUATION: dates.graduation_on,
        Step.COMPLETE: dates.ends_on,
    }[step]
    return datetime.combine(day, STEP_TIME, tzinfo=place)


def next_step_at(cohort: Cohort) -> datetime | None:
    """When the clock next has a step of the cohort to take; None once all are taken."""
    waiting = [step_at(cohort, step) for step in Step if getattr(cohort, step.value) is None]
    return min(waiting) if waiting else None


def joinable(cohort: Cohort, now: datetime) -> bool:
    """Whether people can still sign up: until sign-up closes (early, from a finished cohort, too)."""
    return cohort.completed_at is None and now < step_at(cohort, Step.CLOSE_SIGNUP)


def cohort_info(cohort: Cohort, program: Program) -> views.CohortInfo:
    """What the cohort's messages say about it."""
    dates = dates_of(cohort)
    return views.CohortInfo(
        cohort_id=cohort.id,
        name=cohort.name,
        program_name=program.name,
        signup_closes_on=dates.signup_closes_on,
        starts_on=dates.starts_on,
        ends_on=dates.ends_on,
        midpoint_on=dates.midpoint_on,
        graduation_on=dates.graduation_on,
    )


# -- the cohort form -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CohortForm:
    """A cohort as an admin filled in its form."""

    name: str
    dates: Dates
    auto_match: bool


def parse_cohort_form(values: dict, today: date, *, new: bool) -> CohortForm | FieldErrors:
    """The cohort form's values, or an error beside each field that needs another look."""
    state = FormState(values)
    errors: FieldErrors = {}
    name = " ".join(state.text(ids.COHORT_NAME).split())
    if not name:
        errors[ids.COHORT_NAME] = "Give the cohort a name people will recognise, e.g. “Spring 2027”."
    elif len(name) > 80:
        errors[ids.COHORT_NAME] = "Keep the name within 80 characters."
    picked: dict[str, date] = {}
    for block_id in (ids.COHORT_SIGNUP_OPENS, ids.COHORT_SIGNUP_CLOSES, ids.COHORT_STARTS, ids.COHORT_ENDS):
        raw = state.date(block_id)
        try:
            picked[block_id] = date.fromisoformat(raw or "")
        except ValueError:
            errors[block_id] = "Pick a date."
    graduation = state.option(ids.COHORT_GRADUATION_DAYS) or "7"
    if graduation not in GRADUATION_DAYS:
        errors[ids.COHORT_GRADUATION_DAYS] = "Pick one of the choices."
        graduation = "7"
    if errors:
        return errors
    dates = Dates(
        picked[ids.COHORT_SIGNUP_OPENS],
        picked[ids.COHORT_SIGNUP_CLOSES],
        picked[ids.COHORT_STARTS],
        picked[ids.COHORT_ENDS],
        int(graduation),
    )
    if new and dates.signup_opens_on < today:
        errors[ids.COHORT_SIGNUP_OPENS] = "Sign-up cannot open in the past: pick today or later."
    elif dates.signup_closes_on < dates.signup_opens_on:
        errors[ids.COHORT_SIGNUP_CLOSES] = "Sign-up has to close on or after the day it opens."
    elif dates.starts_on < dates.signup_opens_on:
        errors[ids.COHORT_STARTS] = "The cohort starts once sign-up has opened: pick a later start."
    elif dates.signup_closes_on >= dates.ends_on:
        errors[ids.COHORT_SIGNUP_CLOSES] = "Sign-up has to close before the cohort ends."
    elif dates.ends_on - dates.starts_on < MIN_LENGTH:
        errors[ids.COHORT_ENDS] = "A cohort runs at least two weeks from its start: pick a later end."
    elif dates.graduation_on <= dates.midpoint_on:
        errors[ids.COHORT_GRADUATION_DAYS] = (
            "That is before the midpoint: choose fewer days, or a longer cohort."
        )
    if errors:
        return errors
    return CohortForm(name, dates, ids.COHORT_AUTO_MATCH in state.options(ids.COHORT_AUTO_MATCH))


def cohort_form_data(
    session: Session, team_id: str, program: Program, cohort_id: int | None
) -> views.CohortFormData:
    """What the cohort form shows: an existing cohort's values, or nothing for a new one."""
    found = store.cohort(session, team_id, cohort_id) if cohort_id is not None else None
    if found is None or found.program_id != program.id:
        return views.CohortFormData(program.id, program.name)
    return views.CohortFormData(
        program.id,
        program.name,
        cohort_id=found.id,
        name=found.name,
        days=(found.signup_opens_on, found.signup_closes_on, found.starts_on, found.ends_on),
        graduation_days=found.graduation_days,
        auto_match=found.auto_match,
    )


def cohort_to_add(
    session: Session, team_id: str, program_id: int, member: Member, settings: Settings
) -> views.CohortFormData | Refusal:
    """An empty cohort form for a program `member` administers."""
    program = administered_program(session, team_id, str(program_id), member, settings)
    if program is None:
        return Refusal("Only the program's admins can add cohorts to it.")
    return views.CohortFormData(program.id, program.name)


def cohort_to_change(
    session: Session, team_id: str, cohort_id: int, member: Member, settings: Settings
) -> views.CohortFormData | Refusal:
    """The form of a cohort its program's admin may change."""
    cohort = store.cohort(session, team_id, cohort_id)
    program = (
        administered_program(session, team_id, str(cohort.program_id), member, settings) if cohort else None
    )
    if cohort is None or program is None:
        return Refusal("Only the program's admins can change its cohorts.")
    return cohort_form_data(session, team_id, program, cohort.id)


def save_cohort(
    session: Session,
    program: Program,
    cohort_id: int | None,
    form: CohortForm,
    member: Member,
    now: datetime,
) -> SavedCohort | FieldErrors:
    """Create the cohort or change its dates; the steps already taken stay taken.

    While sign-up is open, the channel's announcement is edited to say what changed.
    """
    if cohort_id is None:
        cohort = Cohort(
            team_id=program.team_id,
            program_id=program.id,
            tz=member.tz or "UTC",
            created_by_user_id=member.user_id,
            created_at=now,
        )
    else:
        found = store.cohort(session, program.team_id, cohort_id)
        if found is None or found.program_id != program.id:
            return {ids.COHORT_NAME: "That cohort no longer exists."}
        cohort = found
    cohort.name = form.name
    dates = form.dates
    cohort.signup_opens_on, cohort.signup_closes_on = dates.signup_opens_on, dates.signup_closes_on
    cohort.starts_on, cohort.ends_on, cohort.graduation_days = (
        dates.starts_on,
        dates.ends_on,
        dates.graduation_days,
    )
    cohort.auto_match = form.auto_match
    try:
        with session.begin_nested():
            session.add(cohort)
            cohort.next_step_at = next_step_at(cohort)
            session.flush()
    except IntegrityError:
        return {
            ids.COHORT_NAME: f"{escape_text(program.name)} has a cohort called “{escape_text(form.name)}”."
        }
    ts = queries.message_ts(session, _announcement_key(cohort)) if cohort_id is not None else None
    if ts is None or cohort.announcement_channel is None or cohort.signup_closed_at is not None:
        return SavedCohort(cohort, [])
    edited = views.signup_announcement(cohort_info(cohort, program), open_=True, joined=0) | {"ts": ts}
    crc = zlib.crc32(json.dumps(edited, sort_keys=True).encode())
    key = f"cohort_signup_edit:{cohort.id}:{crc}"
    return SavedCohort(
        cohort, post(session, cohort.team_id, [Letter(key, COHORT, cohort.announcement_channel, edited)], now)
    )


@dataclass(frozen=True)
class SavedCohort:
    """A cohort saved, and the edit of its announcement queued under these keys, if any."""

    cohort: Cohort
    keys: list[str]


def cohort_lines(session: Session, program: Program, now: datetime) -> list[views.CohortLine]:
    """The program's cohorts as `/mentor cohort` lists them."""
    lines = []
    for cohort in store.cohorts_of(session, program.id):
        lines.append(
            views.CohortLine(
                info=cohort_info(cohort, program),
                signup_opens_on=cohort.signup_opens_on,
                stage=_stage(cohort, now),
                people=store.member_count(session, cohort.id),
                pairs=len(store.pairs_of(session, cohort.id, (*OPEN_STATUSES, PairStatus.COMPLETED.value))),
            )
        )
    return lines


@dataclass(frozen=True)
class CohortMatch:
    """A match run for one cohort, to review."""

    run_id: int
    program_name: str
    lines: list[ProposalLine]
    unmatched: int


def match_cohort(
    session: Session, team_id: str, cohort_id: int, member: Member, settings: Settings, now: datetime
) -> CohortMatch | Refusal:
    """Propose pairs among the cohort's people, for its program's admin to review."""
    cohort = store.cohort(session, team_id, cohort_id)
    program = (
        administered_program(session, team_id, str(cohort.program_id), member, settings) if cohort else None
    )
    if cohort is None or program is None:
        return Refusal("Only the program's admins can match its cohorts.")
    if cohort.completed_at is not None:
        return Refusal(f"{escape_text(cohort.name)} has ended, so there is nobody left to match.")
    run = start_match_run(session, team_id, program, member.user_id, now, cohort=cohort)
    lines, unmatched = review_lines(session, run)
    return CohortMatch(run.id, f"{program.name}: {cohort.name}", lines, unmatched)


def _stage(cohort: Cohort, now: datetime) -> str:
    if cohort.completed_at is not None:
        return "completed"
    if now < step_at(cohort, Step.ANNOUNCE):
        return "sign-up not open yet"
    if now < step_at(cohort, Step.CLOSE_SIGNUP) and now < step_at(cohort, Step.START):
        return "sign-up open"
    if now < step_at(cohort, Step.START):
        return "starting soon"
    return "running"


# -- sign-up ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Joined:
    """Someone in a cohort, by their Join click or their sign-up."""

    cohort_name: str
    program_name: str
    starts_on: date
    already: bool  # they had joined it before this click


@dataclass(frozen=True)
class NeedsProfile:
    """Someone who clicked Join without a profile in the program: the sign-up form comes first."""

    program_name: str
    cohort_id: int  # the cohort to join once the form is saved


def join_cohort(
    session: Session, team_id: str, cohort_id: int, member: Member, now: datetime
) -> Joined | NeedsProfile | Refusal:
    """One click joins a cohort, keeping the profile the person has in its program."""
    cohort = store.cohort(session, team_id, cohort_id)
    if cohort is None:
        return Refusal("That cohort no longer exists.")
    program = session.get(Program, cohort.program_id)
    assert program is not None
    if program.archived_at is not None:
        return Refusal(f"{escape_text(program.name)} has been closed, so its cohorts take nobody new.")
    if not joinable(cohort, now):
        return Refusal(
            f"Sign-up for {escape_text(cohort.name)} closed on {cohort.signup_closes_on:%A %-d %B}. "
            "Ask an admin of the program about the next cohort."
        )
    person = queries.find_person(session, team_id, member.user_id)
    profile = queries.profile(session, program.id, person.id) if person is not None else None
    if person is None or profile is None or profile.left_at is not None:
        return NeedsProfile(program.name, cohort.id)
    added = store.add_member(session, cohort, person.id, now)
    return Joined(cohort.name, program.name, cohort.starts_on, already=not added)


def signed_up(
    session: Session, enrolled: Enrolled, cohort: int | str | None, now: datetime
) -> Joined | Refusal | None:
    """After the sign-up form is saved: into the cohort it was opened for (its Join button), or,
    for `/mentor join` or a new profile, the program's cohort open for sign-up; a profile edit joins
    nothing. A cohort that closed meanwhile (or is of another program) is refused, not swapped."""
    profile = enrolled.profile
    if isinstance(cohort, int):
        chosen = store.cohort(session, profile.team_id, cohort)
        if chosen is None or chosen.program_id != profile.program_id:
            return None  # the form was switched to another program: a sign-up there, no cohort
        if not joinable(chosen, now):
            return Refusal(
                f"Sign-up for {escape_text(chosen.name)} closed before you saved: your profile is kept, "
                "and an admin of the program can tell you about the next cohort."
            )
    elif cohort == ids.JOINING or enrolled.created:
        open_now = [
            c for c in store.cohorts_of(session, profile.program_id) if c.announced_at and joinable(c, now)
        ]
        if not open_now:
            return None
        chosen = open_now[0]
    else:
        return None
    program = session.get(Program, chosen.program_id)
    assert program is not None
    added = store.add_member(session, chosen, profile.person_id, now)
    return Joined(chosen.name, program.name, chosen.starts_on, already=not added)


def cohort_line(joined: Joined | Refusal | None) -> str | None:
    """What the saved sign-up form says about a cohort: the one joined, or why not."""
    if isinstance(joined, Refusal):
        return joined.message
    if joined is None:
        return None
    return views.joined_text(
        joined.cohort_name, joined.program_name, joined.starts_on, already=joined.already
    )


def next_cohort(session: Session, cohort: Cohort, now: datetime) -> Cohort | None:
    """The program's next cohort that people can still join, after this one."""
    later = [
        c
        for c in store.cohorts_of(session, cohort.program_id)
        if c.id != cohort.id and c.starts_on > cohort.starts_on and joinable(c, now)
    ]
    return later[0] if later else None


# -- the clock's steps -----------------------------------------------------------------------------


def take_cohort_steps(session: Session, now: datetime, configured_admins: Collection[str] = ()) -> int:
    """Take every cohort step due by `now`, each once (a second clock finds it marked); how many.

    Each cohort's steps are taken in a savepoint: one that fails is logged and tried again a little
    later, and the other cohorts' steps, the check-ins and the outbox go on.
    """
    taken = 0
    for cohort in store.due_cohorts(session, now):
        program = session.get(Program, cohort.program_id)
        assert program is not None
        try:
            with session.begin_nested():
                taken += _take_steps(
                    session, cohort, program, now, heard_by(session, program, configured_admins)
                )
        except Exception:  # a defect in one cohort must not stop the clock for everyone
            log.exception("could not take the steps due for cohort %s; trying again later", cohort.id)
            session.expire(cohort)
            cohort.next_step_at = now + RETRY_STEP_AFTER
            continue
    session.flush()
    return taken


def _take_steps(
    session: Session, cohort: Cohort, program: Program, now: datetime, admins: tuple[str, ...]
) -> int:
    taken = 0
    for step in Step:
        if getattr(cohort, step.value) is not None or step_at(cohort, step) > now:
            continue
        if not store.mark_step(session, cohort.id, step.value, now):
            continue
        setattr(cohort, step.value, now)
        post(session, cohort.team_id, STEPS[step](session, cohort, program, now, admins), now)
        taken += 1
    cohort.next_step_at = next_step_at(cohort)
    session.flush()
    return taken


def _announce(
    session: Session, cohort: Cohort, program: Program, now: datetime, admins: tuple[str, ...]
) -> list[Letter]:
    if not joinable(cohort, now):
        return []  # the clock was away for the whole window: nothing left to announce
    info = cohort_info(cohort, program)
    channel = program.announce_channel_id
    if channel is None:
        return [
            Letter(
                key=f"cohort_signup:{cohort.id}:{admin}",
                kind=COHORT,
                to=admin,
                payload=views.no_channel(info),
            )
            for admin in admins
        ]
    cohort.announcement_channel = channel
    problem = (
        f"I could not announce sign-up for {escape_text(cohort.name)} in <#{channel}> ({{error}}): invite me "
        "there with `/invite @mentorbot`, or choose another channel with `/mentor config`."
    )
    payload = views.signup_announcement(info, open_=True, joined=0) | {
        "join": True,
        "if_failed": {"to": list(admins), "text": problem},
    }
    return [Letter(key=_announcement_key(cohort), kind=COHORT, to=channel, payload=payload)]


def _announcement_key(cohort: Cohort) -> str:
    return f"cohort_signup:{cohort.id}"


def _close_signup(
    session: Session, cohort: Cohort, program: Program, now: datetime, admins: tuple[str, ...]
) -> list[Letter]:
    ts = queries.message_ts(session, _announcement_key(cohort))
    if ts is None or cohort.announcement_channel is None:
        return []
    joined = store.member_count(session, cohort.id)
    payload = views.signup_announcement(cohort_info(cohort, program), open_=False, joined=joined) | {"ts": ts}
    return [
        Letter(
            key=f"cohort_signup_closed:{cohort.id}",
            kind=COHORT,
            to=cohort.announcement_channel,
            payload=payload,
        )
    ]


def _start(
    session: Session, cohort: Cohort, program: Program, now: datetime, admins: tuple[str, ...]
) -> list[Letter]:
    if cohort.completed_at is not None or now >= step_at(cohort, Step.COMPLETE):
        return []  # the clock was away for the whole cohort: nothing left to start
    info = cohort_info(cohort, program)
    mentors, mentees = store.member_roles(session, cohort)
    letters: list[Letter] = []
    if cohort.auto_match:
        run = start_match_run(session, cohort.team_id, program, cohort.created_by_user_id, now, cohort=cohort)
        made = make_pairs(
            session, cohort.team_id, run, {p.id for p in run.proposals}, cohort.created_by_user_id, now
        )
        letters += welcome(made, cohort.created_by_user_id)
        message = views.started_matched(info, len(made), store.unpaired_mentee_count(session, cohort))
    else:
        message = views.start_prompt(info, mentors, mentees)
    letters += [
        Letter(key=f"cohort_start:{cohort.id}:{admin}", kind=COHORT, to=admin, payload=message)
        for admin in admins
    ]
    return letters


def _midpoint(
    session: Session, cohort: Cohort, program: Program, now: datetime, admins: tuple[str, ...]
) -> list[Letter]:
    if now >= step_at(cohort, Step.GRADUATION):
        return []
    info = cohort_info(cohort, program)
    halfway = step_at(cohort, Step.MIDPOINT)
    letters = []
    for pair in store.pairs_of(session, cohort.id, (PairStatus.ACTIVE.value,)):
        if pair.created_at >= halfway:
            continue  # paired after the midpoint: halfway is still ahead of them
        for member, partner in ((pair.mentor, pair.mentee), (pair.mentee, pair.mentor)):
            letters.append(
                Letter(
                    key=f"midpoint:{pair.id}:{member.user_id}",
                    kind=COHORT,
                    to=member.user_id,
                    payload=views.midpoint_question(info, pair.id, partner.user_id),
                    pair_id=pair.id,
                    expires_at=step_at(cohort, Step.GRADUATION),
                )
            )
    return letters


def midpoint_totals(session: Session, cohort: Cohort) -> views.MidpointTotals:
    """The cohort's midpoint answers as totals, and the pairs that need attention.

    The totals are of the pairs still open that were asked. Answers count by person (a mentor of
    two mentees answers twice) and flag a pair only from MIN_ANSWERS people up: with fewer, a
    flagged pair would say what one of them answered. Any open pair of the cohort from before the
    midpoint that has not met yet, or is paused, is flagged whatever anyone answered.
    """
    halfway = step_at(cohort, Step.MIDPOINT)
    pairs = [p for p in store.pairs_of(session, cohort.id, OPEN_STATUSES) if p.created_at < halfway]
    asked = store.asked_at_midpoint(session, cohort.id) & {p.id for p in pairs}
    rows = [row for row in store.midpoint_rows(session, cohort.id) if row[0] in asked]
    people = {person_id for _, person_id, _, _ in rows}
    enough = len(people) >= MIN_ANSWERS
    met = store.met_pair_ids(session, cohort.id)
    worried = {pair_id for pair_id, _, rating, on_track in rows if rating <= 2 or on_track == "no"}
    attention = tuple(
        (p.id, p.mentor.user_id, p.mentee.user_id)
        for p in pairs
        if (enough and p.id in worried) or p.id not in met or p.status == PairStatus.PAUSED.value
    )
    return views.MidpointTotals(
        asked=len({user for p in pairs if p.id in asked for user in (p.mentor_id, p.mentee_id)}),
        answered=len(people),
        average=sum(r[2] for r in rows) / len(rows) if enough else None,
        on_track={answer: sum(1 for r in rows if r[3] == answer) for answer in ON_TRACK} if enough else None,
        attention=attention,
    )


def _midpoint_report(
    session: Session, cohort: Cohort, program: Program, now: datetime, admins: tuple[str, ...]
) -> list[Letter]:
    if now >= step_at(cohort, Step.GRADUATION):
        return []
    message = views.midpoint_report(cohort_info(cohort, program), midpoint_totals(session, cohort))
    return [
        Letter(key=f"midpoint_report:{cohort.id}:{admin}", kind=COHORT, to=admin, payload=message)
        for admin in admins
    ]


def _graduation(
    session: Session, cohort: Cohort, program: Program, now: datetime, admins: tuple[str, ...]
) -> list[Letter]:
    if now >= step_at(cohort, Step.COMPLETE):
        return []
    letters = []
    # A paused pair is asked too (its cohort ends all the same); one ended early meanwhile is not.
    for pair in store.pairs_of(session, cohort.id, OPEN_STATUSES):
        state = graduation_state(session, pair, cohort, program, now)
        letters.append(
            Letter(
                key=_graduation_key(pair.id),
                kind=COHORT,
                to=group(pair.mentor.user_id, pair.mentee.user_id),
                payload=views.graduation_message(state) | {WHILE_OPEN: True},
                pair_id=pair.id,
                expires_at=step_at(cohort, Step.COMPLETE),
            )
        )
    return letters


def _graduation_key(pair_id: int) -> str:
    return f"graduation:{pair_id}"


def _completed_key(pair_id: int) -> str:
    return f"completed:{pair_id}"


def _complete(
    session: Session, cohort: Cohort, program: Program, now: datetime, admins: tuple[str, ...]
) -> list[Letter]:
    letters = []
    for pair in store.pairs_of(session, cohort.id, OPEN_STATUSES):  # paused pairs end with it too
        if not store.complete_pair(session, pair.id, now):
            continue
        session.refresh(pair)
        reschedule(session, pair, now)  # no more meetings are asked about
        state = graduation_state(session, pair, cohort, program, now)
        # Sent though the pair is no longer active (pair_id unset): it is the pair's last message.
        letters.append(
            Letter(
                key=_completed_key(pair.id),
                kind=COHORT,
                to=group(pair.mentor.user_id, pair.mentee.user_id),
                payload=views.completion_message(state),
            )
        )
    return letters


STEPS = {
    Step.ANNOUNCE: _announce,
    Step.CLOSE_SIGNUP: _close_signup,
    Step.START: _start,
    Step.MIDPOINT: _midpoint,
    Step.MIDPOINT_REPORT: _midpoint_report,
    Step.GRADUATION: _graduation,
    Step.COMPLETE: _complete,
}


# -- what members answer ---------------------------------------------------------------------------


def graduation_state(
    session: Session, pair: Pair, cohort: Cohort, program: Program, now: datetime
) -> views.GraduationState:
    """Where the pair stands with graduation: goals re-rated, surveys answered, choices at the end."""
    goals = store.pair_goals(session, pair.id)
    rows = {row.person_id: row for row in store.closing_rows(session, pair.id)}
    following = next_cohort(session, cohort, now)
    return views.GraduationState(
        pair_id=pair.id,
        info=cohort_info(cohort, program),
        mentor_user_id=pair.mentor.user_id,
        mentee_user_id=pair.mentee.user_id,
        goals=len(goals),
        goals_rated=sum(1 for goal in goals if goal.final_rating is not None),
        answered=tuple(
            person.user_id
            for person in (pair.mentor, pair.mentee)
            if person.id in rows and rows[person.id].answered_at is not None
        ),
        choices={
            person.user_id: rows[person.id].choice or ""
            for person in (pair.mentor, pair.mentee)
            if person.id in rows and rows[person.id].choice
        },
        completed=pair.status == PairStatus.COMPLETED.value,
        next_cohort=cohort_info(following, program) if following is not None else None,
    )


@dataclass(frozen=True)
class CohortPair:
    """A pair of a cohort, as the member who clicked finds it."""

    pair: Pair
    cohort: Cohort
    program: Program
    person_id: int
    partner_user_id: str
    partner_name: str


def cohort_pair(session: Session, team_id: str, pair_id: int, user_id: str) -> CohortPair | Refusal:
    """The caller's pair of a cohort; refused for anyone else, or a pair with no cohort."""
    found = member_pair(session, team_id, pair_id, user_id)
    if isinstance(found, Refusal):
        return found
    pair, person = found
    cohort = store.cohort(session, team_id, pair.cohort_id) if pair.cohort_id is not None else None
    if cohort is None:
        return Refusal("That mentorship is not part of a cohort.")
    program = session.get(Program, cohort.program_id)
    assert program is not None
    partner = pair.partner_of(person.id)
    return CohortPair(
        pair, cohort, program, person.id, partner.user_id, partner.display_name or "your partner"
    )


@dataclass(frozen=True)
class MidpointForm:
    """A member's midpoint check."""

    rating: int
    on_track: str
    note: str | None


def parse_midpoint(values: dict) -> MidpointForm | FieldErrors:
    """The midpoint form's answers, or what is missing."""
    state = FormState(values)
    errors: FieldErrors = {}
    rating = ids.decode_number(state.option(ids.MIDPOINT_RATING))
    if rating is None or not 1 <= rating <= 5:
        errors[ids.MIDPOINT_RATING] = "Pick how it is going, from 1 to 5."
    on_track = state.option(ids.MIDPOINT_ON_TRACK)
    if on_track not in ON_TRACK:
        errors[ids.MIDPOINT_ON_TRACK] = "Pick one."
    note = state.text(ids.MIDPOINT_NOTE)
    if (problem := too_long(ids.MIDPOINT_NOTE, note)) is not None:
        errors[ids.MIDPOINT_NOTE] = problem
    if errors or rating is None or on_track is None:
        return errors
    return MidpointForm(rating, on_track, fit(ids.MIDPOINT_NOTE, note))


@dataclass(frozen=True)
class MidpointAnswered:
    """A midpoint answer kept, the question as it now reads (and where), and the note for admins."""

    message: dict
    at: MessageAt | None
    letters: list[Letter] = field(default_factory=list)


def _ours(session: Session, pair_id: int, user_id: str, at: MessageAt | None) -> MessageAt | None:
    """The message a form came from, if it is one of this pair's cohort messages to this member.

    A form carries where it was opened from, to update that message in place; only a message the
    outbox sent for this pair (its midpoint check to this member, its graduation or its end) is
    updated, whatever the form says.
    """
    if at is None:
        return None
    keys = (f"midpoint:{pair_id}:{user_id}", _graduation_key(pair_id), _completed_key(pair_id))
    return at if at.ts in queries.sent_ts(session, keys) else None


def answer_midpoint(
    session: Session,
    team_id: str,
    pair_id: int,
    user_id: str,
    form: MidpointForm,
    now: datetime,
    configured_admins: Collection[str] = (),
    at: MessageAt | None = None,
) -> MidpointAnswered | Refusal:
    """Keep the member's midpoint answer (a second one replaces the first); pass a note to admins.

    The note goes to the program's admins other than the pair's two members: it is written about
    the mentorship, and its writer was told their partner would not see it.
    """
    found = cohort_pair(session, team_id, pair_id, user_id)
    if isinstance(found, Refusal):
        return found
    if found.pair.status not in OPEN_STATUSES:
        return Refusal("That mentorship has finished, so the midpoint check is closed.")
    store.upsert_answer(
        session,
        MidpointCheck,
        {"team_id": team_id, "pair_id": pair_id, "person_id": found.person_id},
        {"rating": form.rating, "on_track": form.on_track, "answered_at": now},
    )
    info = cohort_info(found.cohort, found.program)
    at = _ours(session, pair_id, user_id, at)
    readers = [
        admin
        for admin in heard_by(session, found.program, configured_admins)
        if admin not in (found.pair.mentor.user_id, found.pair.mentee.user_id)
    ]
    unsent = bool(form.note) and not readers
    message = views.midpoint_question(info, pair_id, found.partner_user_id, answered=True, note_unsent=unsent)
    if not form.note:
        return MidpointAnswered(message, at)
    # The note is written to the admins, as the form says: it goes to them as a message, once per text.
    crc = zlib.crc32(form.note.encode())
    note = views.midpoint_note(info, user_id, found.partner_user_id, form.note)
    letters = [
        Letter(key=f"midpoint_note:{pair_id}:{user_id}:{crc}:{admin}", kind=COHORT, to=admin, payload=note)
        for admin in readers
    ]
    return MidpointAnswered(message, at, letters)


def goals_to_rate(session: Session, team_id: str, pair_id: int, user_id: str) -> views.GoalsToRate | Refusal:
    """The pair's goals with how they are rated so far, for the graduation form."""
    found = cohort_pair(session, team_id, pair_id, user_id)
    if isinstance(found, Refusal):
        return found
    if found.person_id != found.pair.mentee_id:
        return Refusal(MENTEE_RATES)
    goals = store.pair_goals(session, pair_id)
    return views.GoalsToRate(
        pair_id,
        tuple(views.GoalToRate(goal.id, goal.specific, goal.final_rating) for goal in goals),
    )


def parse_goal_ratings(values: dict) -> dict[int, str]:
    """The ratings picked in the graduation form, by goal id (unrated goals left out)."""
    state = FormState(values)
    return {
        goal_id: rating
        for block_id in values
        if (goal_id := ids.decode_goal_rating(block_id)) is not None
        and (rating := state.option(block_id)) in GOAL_RATINGS
    }


def rate_goals(
    session: Session,
    team_id: str,
    pair_id: int,
    user_id: str,
    ratings: dict[int, str],
    now: datetime,
    at: MessageAt | None = None,
) -> LookBack | Refusal:
    """The mentee records how far each goal got (looked at together with the mentor at graduation).

    The last rating stands: "achieved" closes an open goal, and a goal closed by its rating opens
    again when it is rated otherwise; a goal closed some other way keeps its status.
    """
    found = cohort_pair(session, team_id, pair_id, user_id)
    if isinstance(found, Refusal):
        return found
    if found.pair.status == PairStatus.ENDED.value:
        return Refusal("That mentorship has ended, so its goals can no longer be re-rated.")
    if found.cohort.graduation_at is None:
        return Refusal("Goals are re-rated at graduation, a week or so before the cohort ends.")
    if found.person_id != found.pair.mentee_id:
        return Refusal(MENTEE_RATES)
    if not ratings:
        return Refusal("Pick a rating for at least one goal.")
    for goal in store.pair_goals(session, pair_id):
        rating = ratings.get(goal.id)
        if rating is None or rating == goal.final_rating:
            continue
        closed_by_rating = goal.status == GoalStatus.ACHIEVED.value and goal.closing_note == ACHIEVED_AS_RATED
        if rating == "achieved" and goal.status == GoalStatus.ACTIVE.value:
            goal.status, goal.closed_at, goal.closing_note = GoalStatus.ACHIEVED.value, now, ACHIEVED_AS_RATED
        elif rating != "achieved" and closed_by_rating:
            goal.status, goal.closed_at, goal.closing_note = GoalStatus.ACTIVE.value, None, None
        goal.final_rating, goal.rated_at, goal.updated_at = rating, now, now
    session.flush()
    state = graduation_state(session, found.pair, found.cohort, found.program, now)
    return LookBack(state, _ours(session, pair_id, user_id, at))


@dataclass(frozen=True)
class LookBack:
    """Where a pair stands with graduation after an answer, and the message to show it in."""

    state: views.GraduationState
    at: MessageAt | None


@dataclass(frozen=True)
class ClosingForm:
    """A member's closing survey."""

    rating: int
    what_changed: str | None
    recommend: int


def parse_closing(values: dict) -> ClosingForm | FieldErrors:
    """The closing survey's answers, or what is missing."""
    state = FormState(values)
    errors: FieldErrors = {}
    rating = ids.decode_number(state.option(ids.CLOSING_RATING))
    if rating is None or not 1 <= rating <= 5:
        errors[ids.CLOSING_RATING] = "Pick a rating from 1 to 5."
    recommend = ids.decode_number(state.option(ids.CLOSING_RECOMMEND))
    if recommend is None or not 0 <= recommend <= 10:
        errors[ids.CLOSING_RECOMMEND] = "Pick a number from 0 to 10."
    changed = state.text(ids.CLOSING_CHANGED)
    if (problem := too_long(ids.CLOSING_CHANGED, changed)) is not None:
        errors[ids.CLOSING_CHANGED] = problem
    if errors or rating is None or recommend is None:
        return errors
    return ClosingForm(rating, fit(ids.CLOSING_CHANGED, changed), recommend)


def answer_closing(
    session: Session,
    team_id: str,
    pair_id: int,
    user_id: str,
    form: ClosingForm,
    now: datetime,
    at: MessageAt | None = None,
) -> LookBack | Refusal:
    """Keep the member's closing survey (a second one replaces the first)."""
    found = cohort_pair(session, team_id, pair_id, user_id)
    if isinstance(found, Refusal):
        return found
    if found.pair.status == PairStatus.ENDED.value:
        return Refusal("That mentorship has ended, so its closing survey is closed.")
    store.upsert_answer(
        session,
        ClosingSurvey,
        {"team_id": team_id, "pair_id": pair_id, "person_id": found.person_id},
        {
            "rating": form.rating,
            "what_changed": form.what_changed,
            "recommend": form.recommend,
            "answered_at": now,
        },
    )
    state = graduation_state(session, found.pair, found.cohort, found.program, now)
    return LookBack(state, _ours(session, pair_id, user_id, at))


@dataclass(frozen=True)
class AfterChoice:
    """A member's choice at the end, the message as it now reads, and a calendar cancellation."""

    state: views.GraduationState
    letters: list[Letter]


def choose_after(
    session: Session, team_id: str, pair_id: int, user_id: str, choice: str, now: datetime
) -> AfterChoice | Refusal:
    """Keep meeting on our own (nothing more is sent) or close (the meetings leave the calendars)."""
    found = cohort_pair(session, team_id, pair_id, user_id)
    if isinstance(found, Refusal):
        return found
    if choice not in CHOICES:
        return Refusal("Choose to keep meeting or to close.")
    if found.pair.status != PairStatus.COMPLETED.value:
        return Refusal("That choice comes when the cohort ends.")
    closed_before = any(row.choice == "close" for row in store.closing_rows(session, pair_id))
    store.upsert_answer(
        session,
        ClosingSurvey,
        {"team_id": team_id, "pair_id": pair_id, "person_id": found.person_id},
        {"choice": choice, "chosen_at": now},
    )
    letters = []
    if choice == "close" and not closed_before:
        cancellation = calendar_cancellation(session, found.pair, now)
        if cancellation is not None:
            letters.append(cancellation_letter(cancellation))
    state = graduation_state(session, found.pair, found.cohort, found.program, now)
    return AfterChoice(state, letters)
