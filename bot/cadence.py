"""Cadence: when a mentorship pair meets, as instants, worked out in the pair's own time zone.

This module is pure: it reads no storage, no Slack and no clock (callers pass the instants they
ask about). Every instant it returns is an aware UTC datetime; every rule below is applied to the
pair's local wall clock first and only then converted to UTC, so a 09:00 meeting stays at 09:00
local when daylight saving time starts or ends.

  weekly      every week on `weekday` at `local_time`
  biweekly    every 14 days counted from the first meeting (not by ISO week parity, which breaks
              across a New Year whose ISO year has 53 weeks)
  monthly     on the Nth `weekday` of every month, where N is the first meeting's place in its
              month: starting on the 2nd Tuesday means every 2nd Tuesday. A first meeting on a
              5th weekday means the LAST such weekday every month, since most months have no 5th.
              A first meeting on a 4th weekday that happens to be the month's last stays "4th":
              people read "the 4th Tuesday" off the calendar, and a date that is merely the last
              in one month says nothing about the months that have five.

The first meeting is the first `weekday` on or after `start_date`. Local times are resolved so
that a meeting happens exactly once on its day:

  a time skipped when clocks spring forward (02:30 on 29 March 2026 in Berlin) moves to the first
  wall time after the gap (03:00); zoneinfo alone would shift it by the gap's length instead
  a time that happens twice when clocks fall back (02:30 on 25 October 2026 in Berlin) is the
  first of the two (fold=0)
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKLY = "weekly"
BIWEEKLY = "biweekly"
MONTHLY = "monthly"
FREQUENCIES = (WEEKLY, BIWEEKLY, MONTHLY)
LAST = -1  # the monthly ordinal for "the last such weekday of the month"

_STEP_DAYS = {WEEKLY: 7, BIWEEKLY: 14}
_ORDINAL_WORDS = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", LAST: "last"}
_ONE_MICROSECOND = timedelta(microseconds=1)  # the resolution of datetime: "> t - 1 µs" is ">= t"


@dataclass(frozen=True)
class Cadence:
    """How often a pair meets, on which weekday, at what local time, in which zone, from when."""

    frequency: str  # one of FREQUENCIES
    weekday: int  # 0 = Monday .. 6 = Sunday
    local_time: time  # wall-clock time in `tz`, naive, whole minutes, e.g. time(9, 0)
    tz: str  # IANA zone name, e.g. "Europe/Berlin"
    start_date: date  # first day a meeting may happen, a local date in `tz`

    def __post_init__(self) -> None:
        if self.frequency not in FREQUENCIES:
            raise ValueError(f"frequency must be one of {', '.join(FREQUENCIES)}, not {self.frequency!r}")
        if isinstance(self.weekday, bool) or not isinstance(self.weekday, int) or not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), not {self.weekday!r}")
        if not isinstance(self.local_time, time) or self.local_time.tzinfo is not None:
            raise ValueError(f"local_time must be a naive time such as time(9, 0), not {self.local_time!r}")
        if self.local_time.second or self.local_time.microsecond:
            # Calendars, Slack's time picker and describe() all work in whole minutes.
            raise ValueError(f"local_time must be whole minutes, not {self.local_time.isoformat()}")
        if isinstance(self.start_date, datetime) or not isinstance(self.start_date, date):
            raise ValueError(f"start_date must be a date, not {self.start_date!r}")
        _zone(self.tz)


def first_occurrence(cadence: Cadence) -> datetime:
    """The first meeting on or after `start_date`, aware UTC."""
    return _instant(cadence, first_date(cadence))


def next_occurrence(cadence: Cadence, after: datetime) -> datetime:
    """The first meeting strictly after `after` (aware), aware UTC."""
    _require_aware(after, "after")
    # Arithmetic finds the first planned date near `after`; the loop then runs at most a few
    # times, however far `after` is from the start. Starting a day early is a cheap margin for a
    # meeting that a gap pushes past midnight (Samoa skipped 30 December 2011 entirely).
    local_day = after.astimezone(_zone(cadence.tz)).date()
    day = _date_on_or_after(cadence, local_day - timedelta(days=1))
    while (instant := _instant(cadence, day)) <= after:
        day = _date_on_or_after(cadence, day + timedelta(days=1))
    return instant


def occurrences(cadence: Cadence, start: datetime, end: datetime) -> list[datetime]:
    """Every meeting in [start, end), aware UTC, in order."""
    _require_aware(start, "start")
    _require_aware(end, "end")
    found: list[datetime] = []
    instant = next_occurrence(cadence, start - _ONE_MICROSECOND)
    while instant < end:
        found.append(instant)
        instant = next_occurrence(cadence, instant)
    return found


def monthly_ordinal(cadence: Cadence) -> int:
    """Which `weekday` of the month a monthly cadence meets on: 1 to 4, or LAST (-1)."""
    if cadence.frequency != MONTHLY:
        raise ValueError(
            f"only a monthly cadence has a weekday of the month; this one is {cadence.frequency}"
        )
    ordinal = (first_date(cadence).day - 1) // 7 + 1
    return LAST if ordinal == 5 else ordinal


def describe(cadence: Cadence) -> str:
    """The cadence in words, e.g. "every Tuesday at 09:00 (Europe/Berlin)"."""
    day = calendar.day_name[cadence.weekday]
    at = f"at {cadence.local_time:%H:%M} ({cadence.tz})"
    if cadence.frequency == WEEKLY:
        return f"every {day} {at}"
    if cadence.frequency == BIWEEKLY:
        return f"every two weeks on {day} {at}"
    return f"on the {_ORDINAL_WORDS[monthly_ordinal(cadence)]} {day} of each month {at}"


def first_date(cadence: Cadence) -> date:
    """The local date of the first meeting: the first `weekday` on or after `start_date`."""
    return cadence.start_date + timedelta(days=(cadence.weekday - cadence.start_date.weekday()) % 7)


def _instant(cadence: Cadence, day: date) -> datetime:
    """The meeting planned for local date `day`, aware UTC, after the gap and overlap rules."""
    zone = _zone(cadence.tz)
    wall = datetime.combine(day, cadence.local_time).replace(tzinfo=zone, fold=0)
    resolved = wall.astimezone(UTC).astimezone(zone)
    if resolved.replace(tzinfo=None) == wall.replace(tzinfo=None):
        return resolved.astimezone(UTC)  # the wall time exists; if it repeats, fold=0 is the first
    return _end_of_gap(wall)


def _end_of_gap(wall: datetime) -> datetime:
    """The instant clocks sprang forward across `wall`, a wall time that does not exist."""
    # PEP 495 reads a skipped time with the offset from before the gap (fold=0) or after it
    # (fold=1); the transition lies between those two readings. zoneinfo does not expose its
    # transitions, so find it by bisection over whole seconds, which is all tz data uses.
    before = wall.replace(fold=1).astimezone(UTC)  # still on the old offset
    after = wall.replace(fold=0).astimezone(UTC)  # already on the new one
    old_offset = before.astimezone(wall.tzinfo).utcoffset()
    low, high = 0, int((after - before).total_seconds())
    while high - low > 1:
        middle = (low + high) // 2
        if (before + timedelta(seconds=middle)).astimezone(wall.tzinfo).utcoffset() == old_offset:
            low = middle
        else:
            high = middle
    return before + timedelta(seconds=high)


def _date_on_or_after(cadence: Cadence, day: date) -> date:
    """The first meeting date on or after `day` (and never before the first meeting)."""
    first = first_date(cadence)
    if day <= first:
        return first
    if cadence.frequency != MONTHLY:
        step = _STEP_DAYS[cadence.frequency]
        return first + timedelta(days=-(-(day - first).days // step) * step)  # round up to a step
    ordinal = monthly_ordinal(cadence)
    year, month = day.year, day.month
    while (candidate := _weekday_of_month(year, month, cadence.weekday, ordinal)) < day:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return candidate


def _weekday_of_month(year: int, month: int, weekday: int, ordinal: int) -> date:
    """The `ordinal`-th (1-4) or LAST `weekday` of a month."""
    if ordinal == LAST:
        last_day = date(year, month, calendar.monthrange(year, month)[1])
        return last_day - timedelta(days=(last_day.weekday() - weekday) % 7)
    first_day = date(year, month, 1)
    return first_day + timedelta(days=(weekday - first_day.weekday()) % 7 + 7 * (ordinal - 1))


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        # OSError: a region folder such as "Europe" is found on disk but is not a zone.
        raise ValueError(f"unknown time zone {tz!r}: use an IANA name such as 'Europe/Berlin'") from None


def _require_aware(moment: datetime, name: str) -> None:
    if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime (UTC), not a naive one")
