"""The mentorship agreement: how often, when, where and how a pair meets, and what each brings.

Both members can edit it; the last save wins and records who saved it. Saving reports what
changed so the pair's group DM can say so, with a calendar file for the meetings: one series per
agreement (its UID), updated in calendars by each change (its SEQUENCE), cancelled when the pair ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from sqlalchemy.orm import Session

from bot import ids
from bot.cadence import Cadence, next_occurrence
from bot.calendar import CalendarFile, agreement_ics, cancellation_ics
from bot.enrollment import MEETING_FORMATS
from bot.forms import FieldErrors, FormState, too_long
from bot.meetings import (
    DEFAULT_PREP_DAYS,
    DEFAULT_REMINDER_MINUTES,
    PREP_CHOICES,
    REMINDER_CHOICES,
    Plan,
    meeting_times,
)
from bot.membership import member_pair
from bot.programs import CADENCES
from bot.refusal import Refusal
from bot.zones import is_valid_zone, local_today
from storage import queries
from storage.models import Agreement, Pair, PairStatus

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MIN_EXPECTATIONS = 10
MEETING_MINUTES = 45  # the length of each meeting in the calendar file


@dataclass(frozen=True)
class AgreementForm:
    """A valid agreement as a member submitted it."""

    frequency: str
    weekday: int
    local_time: str
    tz: str
    meeting_format: str
    location: str | None
    start_date: date
    expectations: str
    prep_days: int = DEFAULT_PREP_DAYS
    reminder_minutes: int = DEFAULT_REMINDER_MINUTES

    @property
    def cadence(self) -> Cadence:
        """The meeting rhythm this agreement sets."""
        return Cadence(
            frequency=self.frequency,
            weekday=self.weekday,
            local_time=time.fromisoformat(self.local_time),
            tz=self.tz,
            start_date=self.start_date,
        )


def parse_agreement(
    values: dict, now: datetime, saved_start: date | None = None
) -> AgreementForm | FieldErrors:
    """Read the agreement modal; each problem is an error on its own field.

    `saved_start` is the start date already saved: keeping it is fine even once it is past.
    """
    state = FormState(values)
    errors: FieldErrors = {}
    frequency = state.option(ids.AGREE_FREQUENCY) or ""
    if frequency not in CADENCES:
        errors[ids.AGREE_FREQUENCY] = "Choose how often you meet."
    weekday_text = state.option(ids.AGREE_WEEKDAY) or ""
    weekday = int(weekday_text) if weekday_text.isdigit() and int(weekday_text) < 7 else -1
    if weekday < 0:
        errors[ids.AGREE_WEEKDAY] = "Choose the day you meet."
    local_time = state.time(ids.AGREE_TIME) or ""
    try:
        time.fromisoformat(local_time)
    except ValueError:
        errors[ids.AGREE_TIME] = "Choose the time you meet."
    tz = state.text(ids.AGREE_TZ)
    if not is_valid_zone(tz):
        errors[ids.AGREE_TZ] = "Use a time zone name like Europe/Berlin or America/New_York."
    meeting_format = state.option(ids.AGREE_FORMAT) or ""
    if meeting_format not in MEETING_FORMATS:
        errors[ids.AGREE_FORMAT] = "Choose how you meet: video, in person or chat."
    location = state.text(ids.AGREE_LOCATION) or None
    if location and (problem := too_long(ids.AGREE_LOCATION, location)):
        errors[ids.AGREE_LOCATION] = problem
    start = _start_date(
        state.date(ids.AGREE_START),
        local_today(None if ids.AGREE_TZ in errors else tz, now),
        errors,
        saved_start,
    )
    expectations = state.text(ids.AGREE_EXPECTATIONS)
    if len(expectations) < MIN_EXPECTATIONS:
        errors[ids.AGREE_EXPECTATIONS] = "Write down what each of you brings and how to reach each other."
    elif problem := too_long(ids.AGREE_EXPECTATIONS, expectations):
        errors[ids.AGREE_EXPECTATIONS] = problem
    prep = _choice(state.option(ids.AGREE_PREP), PREP_CHOICES, DEFAULT_PREP_DAYS)
    reminder = _choice(state.option(ids.AGREE_REMINDER), REMINDER_CHOICES, DEFAULT_REMINDER_MINUTES)
    if errors or start is None:
        return errors
    return AgreementForm(
        frequency, weekday, local_time, tz, meeting_format, location, start, expectations, prep, reminder
    )


def _choice(raw: str | None, choices: dict[int, str], default: int) -> int:
    """One of a select's numeric options; the default when none (or a forged one) was sent."""
    try:
        value = int(raw or "")
    except ValueError:
        return default
    return value if value in choices else default


def _start_date(raw: str | None, today: date, errors: FieldErrors, saved: date | None) -> date | None:
    if not raw:
        errors[ids.AGREE_START] = "Pick the date of your first meeting."
        return None
    try:
        start = date.fromisoformat(raw)
    except ValueError:
        errors[ids.AGREE_START] = "Pick the date with the date picker."
        return None
    if start == saved:
        return start
    if start < today:
        errors[ids.AGREE_START] = "The first meeting cannot be in the past."
    elif start - today > timedelta(days=365):
        errors[ids.AGREE_START] = "Start within a year."
    return start


@dataclass(frozen=True)
class Saved:
    """The agreement after a save, what changed, and where to tell the pair."""

    pair_id: int
    form: AgreementForm
    saved_by_user_id: str
    changes: tuple[str, ...]
    first_save: bool
    dm_channel_id: str | None
    mentor_user_id: str
    mentee_user_id: str
    calendar: CalendarFile
    unchanged: bool = False  # the same agreement saved again: nothing new to tell the pair

    @property
    def moves_meetings(self) -> bool:
        """Whether this save changed when the pair meets (not only how they prepare or what they bring)."""
        return self.first_save or bool(set(self.changes) & {FIELD_LABELS[f] for f in TIME_FIELDS})


FIELD_LABELS = {
    "frequency": "how often",
    "weekday": "day",
    "local_time": "time",
    "tz": "time zone",
    "meeting_format": "format",
    "location": "where",
    "start_date": "start date",
    "expectations": "expectations",
    "prep_days": "preparation",
    "reminder_minutes": "reminder",
}
LOOP_FIELDS = ("prep_days", "reminder_minutes")  # how the bot helps, not when the pair meets
TIME_FIELDS = ("frequency", "weekday", "local_time", "tz", "start_date")  # when the pair meets


def save_agreement(
    session: Session, team_id: str, pair_id: int, user_id: str, form: AgreementForm, now: datetime
) -> Saved | Refusal:
    """Create or replace the pair's agreement, for one of its members while the pair is open.

    A save that changes nothing (the same form submitted twice) is `unchanged` and keeps the
    calendar sequence. The first save is an INSERT ... ON CONFLICT DO NOTHING, so two submissions at the
    same moment cannot collide on the pair's one agreement.
    """
    found = member_pair(session, team_id, pair_id, user_id)
    if isinstance(found, Refusal):
        return found
    pair, _person = found
    if pair.status == PairStatus.ENDED.value:
        return Refusal("That mentorship has ended, so its agreement can no longer change.")
    if pair.status == PairStatus.COMPLETED.value:  # its cohort is over: mentorbot schedules nothing more
        return Refusal("That mentorship has completed, so mentorbot no longer keeps its meetings.")
    first = queries.agreement_for(session, pair.id) is None and queries.insert_agreement(
        session,
        {"team_id": team_id, "pair_id": pair.id, "saved_by_user_id": user_id, "saved_at": now}
        | {field: getattr(form, field) for field in FIELD_LABELS},
    )
    agreement = queries.agreement_for(session, pair.id)
    assert agreement is not None
    changes = tuple(
        label
        for field, label in FIELD_LABELS.items()
        if not first and getattr(agreement, field) != getattr(form, field)
    )
    if not first and not changes:
        return Saved(
            pair_id=pair.id,
            form=form,
            saved_by_user_id=user_id,
            changes=(),
            first_save=False,
            dm_channel_id=pair.dm_channel_id,
            mentor_user_id=pair.mentor.user_id,
            mentee_user_id=pair.mentee.user_id,
            calendar=calendar_file(pair, agreement, now),
            unchanged=True,
        )
    for field in FIELD_LABELS:
        setattr(agreement, field, getattr(form, field))
    if set(changes) - {FIELD_LABELS[field] for field in LOOP_FIELDS}:
        agreement.calendar_sequence += 1  # calendars take the new file as a change to the series
    agreement.saved_by_user_id = user_id
    agreement.saved_at = now
    session.flush()
    reschedule(session, pair, now)
    return Saved(
        pair_id=pair.id,
        form=form,
        saved_by_user_id=user_id,
        changes=changes,
        first_save=first,
        dm_channel_id=pair.dm_channel_id,
        mentor_user_id=pair.mentor.user_id,
        mentee_user_id=pair.mentee.user_id,
        calendar=calendar_file(pair, agreement, now),
    )


def calendar_file(pair: Pair, agreement: Agreement, now: datetime) -> CalendarFile:
    """The pair's "Add to calendar" file for the agreement as it now stands."""
    form = form_from(agreement)
    mentor, mentee = _names(pair)
    content = agreement_ics(
        form.cadence,
        uid=agreement.calendar_uid,
        sequence=agreement.calendar_sequence,
        summary=f"Mentoring: {mentor} & {mentee}",
        description=f"{mentor} mentors {mentee}. What each brings: {form.expectations}"[:1000],
        location=form.location,
        duration_minutes=MEETING_MINUTES,
        now=now,
    )
    return CalendarFile(content, "mentorship-meetings.ics", "Add our meetings to your calendar")


@dataclass(frozen=True)
class Cancellation:
    """The file that takes an ended pair's meetings out of calendars, and where to post it."""

    pair_id: int
    dm_channel_id: str | None
    mentor_user_id: str
    mentee_user_id: str
    calendar: CalendarFile


def calendar_cancellation(session: Session, pair: Pair, now: datetime) -> Cancellation | None:
    """The cancellation of an ended pair's meetings; None when it never agreed any."""
    agreement = queries.agreement_for(session, pair.id)
    if agreement is None:
        return None
    mentor, mentee = _names(pair)
    content = cancellation_ics(
        form_from(agreement).cadence,
        uid=agreement.calendar_uid,
        # Higher than any file shared for the agreement; an ended pair's agreement never changes again.
        sequence=agreement.calendar_sequence + 1,
        summary=f"Mentoring: {mentor} & {mentee}",
        description="This mentorship has ended, so its meetings are cancelled.",
        duration_minutes=MEETING_MINUTES,
        now=now,
    )
    calendar = CalendarFile(
        content,
        "mentorship-meetings-cancelled.ics",
        "Remove our meetings from your calendar",
        "This mentorship has ended. Open this file to take its meetings out of your calendar.",
    )
    return Cancellation(pair.id, pair.dm_channel_id, pair.mentor.user_id, pair.mentee.user_id, calendar)


def _names(pair: Pair) -> tuple[str, str]:
    """Mentor's and mentee's names for the calendar; Slack ids mean nothing in a calendar app."""
    return pair.mentor.display_name or "your mentor", pair.mentee.display_name or "your mentee"


def reschedule(
    session: Session, pair: Pair, now: datetime, agreement: Agreement | Literal[False] | None = False
) -> datetime | None:
    """Set the pair's next meeting (the first after `now`, by its agreement, if active) and when
    its message is posted; returns the meeting's start.

    `agreement` is the pair's agreement when the caller has it already (None: it has none).
    """
    if agreement is False:
        agreement = queries.agreement_for(session, pair.id)
    if agreement is None or pair.status != PairStatus.ACTIVE.value:
        pair.next_checkin_at = pair.next_meeting_at = None
        return None
    starts = next_occurrence(form_from(agreement).cadence, now)
    times = meeting_times(starts, plan_of(agreement), pair.mentee.tz, pair.mentor.tz)
    pair.next_meeting_at = starts
    # A message whose first step is already past goes now, showing the step the meeting is at.
    pair.next_checkin_at = max(times.card_at, now)
    return starts


def plan_of(agreement: Agreement | None) -> Plan:
    """How the pair prepares and is reminded; the defaults before it agreed anything."""
    if agreement is None:
        return Plan()
    return Plan(prep_days=agreement.prep_days, reminder_minutes=agreement.reminder_minutes)


def form_from(agreement: Agreement) -> AgreementForm:
    """A stored agreement as the form's values."""
    return AgreementForm(
        frequency=agreement.frequency,
        weekday=agreement.weekday,
        local_time=agreement.local_time,
        tz=agreement.tz,
        meeting_format=agreement.meeting_format,
        location=agreement.location,
        start_date=agreement.start_date,
        expectations=agreement.expectations or "",
        prep_days=agreement.prep_days,
        reminder_minutes=agreement.reminder_minutes,
    )


@dataclass(frozen=True)
class AgreementFormData:
    """What the agreement modal shows: the saved agreement, or sensible defaults."""

    pair_id: int
    partner_user_id: str
    current: AgreementForm | None
    default_tz: str
    default_frequency: str
    saved_by_user_id: str | None


def agreement_form_data(
    session: Session, team_id: str, pair_id: int, user_id: str, now: datetime
) -> AgreementFormData | Refusal:
    """Gather the modal for a pair member; nobody else may see the pair's agreement."""
    found = member_pair(session, team_id, pair_id, user_id)
    if isinstance(found, Refusal):
        return found
    pair, person = found
    agreement = queries.agreement_for(session, pair.id)
    mentee_profile = queries.profile(session, pair.program_id, pair.mentee_id)
    default_tz = (mentee_profile.tz_override if mentee_profile else None) or pair.mentee.tz or "UTC"
    program = queries.program_in_team(session, team_id, pair.program_id)
    return AgreementFormData(
        pair_id=pair.id,
        partner_user_id=pair.partner_of(person.id).user_id,
        current=form_from(agreement) if agreement else None,
        default_tz=default_tz,
        default_frequency=program.default_cadence if program else "biweekly",
        saved_by_user_id=agreement.saved_by_user_id if agreement else None,
    )
