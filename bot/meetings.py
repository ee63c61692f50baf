"""The meeting loop: when each step around a pair's meeting happens, and what the pair does there.

Every meeting of the agreed cadence has one message in the pair's group DM (its check-in row in
`checkins`, keyed by the meeting's start). It is posted once, at the first step the pair uses, and
edited from then on, so a meeting costs each member one notification:

  prep     the working day before (by default), in the mentee's daytime: the mentee is asked what
           they want to talk about; their answers make the agenda, shown in the same message
  soon     shortly before (an hour by default): the agenda is final, even when nobody added to it,
           with "Skip this one" and "Moved to another time"
  checkin  a few hours after the meeting ended, in both members' daytime: did you meet, and what
           did you agree (shared notes and action items, private notes)

This module holds the timing (pure functions of the meeting and the pair's plan) and the members'
actions on a meeting. Check-in answers stay in `bot.checkins`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from bot.zones import local_time, sendable_at, zone

MEETING_LENGTH = timedelta(minutes=45)  # as long as the calendar file's meetings
CHECKIN_AFTER = timedelta(hours=3)  # after the meeting's end: time to have met and to be back at work
AGENDA_BEFORE = timedelta(hours=1)  # the agenda is final this long before, with or without a reminder
PREP_EARLIEST = time(9, 0)
PREP_LATEST = time(17, 0)
PREP_CHOICES = {
    1: "The working day before",
    2: "Two working days before",
    0: "The morning of the meeting",
    -1: "Don't ask me to prepare",
}
REMINDER_CHOICES = {60: "An hour before", 15: "15 minutes before", 0: "No reminder"}
DEFAULT_PREP_DAYS = 1
DEFAULT_REMINDER_MINUTES = 60


@dataclass(frozen=True)
class Plan:
    """How a pair wants its meetings prepared and reminded (set with the agreement)."""

    prep_days: int = DEFAULT_PREP_DAYS  # working days before; 0 the morning of; -1 never
    reminder_minutes: int = DEFAULT_REMINDER_MINUTES  # 0: no reminder

    @property
    def prepares(self) -> bool:
        """Whether the mentee is asked to prepare."""
        return self.prep_days >= 0

    @property
    def reminds(self) -> bool:
        """Whether both get a reminder shortly before."""
        return self.reminder_minutes > 0


@dataclass(frozen=True)
class Times:
    """The instants of one meeting's steps, aware UTC."""

    starts_at: datetime
    prep_at: datetime | None  # None: the pair does not prepare
    soon_at: datetime  # the agenda is final, and the reminder (if any) shows
    checkin_at: datetime  # after the meeting: did you meet

    @property
    def ends_at(self) -> datetime:
        """When the meeting is over."""
        return self.starts_at + MEETING_LENGTH

    @property
    def card_at(self) -> datetime:
        """When the meeting's one message is posted: at the first step the pair uses."""
        return self.prep_at if self.prep_at is not None else self.soon_at

    def stage_at(self, now: datetime) -> str:
        """The step the meeting's message shows at `now`."""
        if now >= self.checkin_at:
            return "checkin"
        if now >= self.soon_at or self.prep_at is None:
            return "soon"
        return "prep"

    def next_step_after(self, stage: str) -> datetime | None:
        """When the message moves on from `stage`; None once it asks no more."""
        return {"prep": self.soon_at, "soon": self.checkin_at}.get(stage)


def meeting_times(starts_at: datetime, plan: Plan, mentee_tz: str | None, mentor_tz: str | None) -> Times:
    """Every step of a meeting starting at `starts_at`, for a pair in these zones."""
    both = [mentee_tz, mentor_tz]
    soon = starts_at - (timedelta(minutes=plan.reminder_minutes) if plan.reminds else AGENDA_BEFORE)
    checkin = sendable_at(starts_at + MEETING_LENGTH + CHECKIN_AFTER, both)
    return Times(starts_at, _prep_at(starts_at, plan, mentee_tz, mentor_tz, soon), soon, checkin)


def _prep_at(
    starts_at: datetime, plan: Plan, mentee_tz: str | None, mentor_tz: str | None, soon: datetime
) -> datetime | None:
    """The working day(s) before, at the meeting's own hour kept within 09:00-17:00 for the mentee.

    The message goes to the pair's group DM, so it waits for a moment that is daytime for both
    (when that falls after the agenda is final, the message is posted as the agenda).
    """
    if not plan.prepares:
        return None
    place = zone(mentee_tz)
    local = local_time(starts_at, mentee_tz)
    if plan.prep_days == 0:
        moment = datetime.combine(local.date(), time(8, 0), tzinfo=place).astimezone(UTC)
        if moment < soon:
            return sendable_at(moment, [mentee_tz, mentor_tz])
    day = _working_days_before(local.date(), max(plan.prep_days, 1))
    hour = min(max(local.time().replace(second=0, microsecond=0), PREP_EARLIEST), PREP_LATEST)
    moment = datetime.combine(day, hour, tzinfo=place).astimezone(UTC)
    return sendable_at(moment, [mentee_tz, mentor_tz])


def _working_days_before(day: date, count: int) -> date:
    """The date `count` working days (Monday to Friday) before `day`."""
    while count:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day
