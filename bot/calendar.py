"""Calendar files: the "Add to calendar" .ics for a pair's agreement, and its cancellation.

This module is pure: it reads no storage, no Slack and no clock (the caller passes `now`, which
becomes the file's DTSTAMP). It turns a `Cadence` into an iCalendar (RFC 5545) file that Google
Calendar, Apple Calendar, Outlook and Thunderbird import as a series of meetings.

The event starts at the first meeting in the pair's LOCAL time with TZID set to their zone, and the
file carries a VTIMEZONE for that zone, so calendars keep 09:00 at 09:00 local across daylight
saving changes (a UTC start would drift by an hour twice a year). The recurrence is an RRULE:

  weekly      FREQ=WEEKLY;BYDAY=TU
  biweekly    FREQ=WEEKLY;INTERVAL=2;BYDAY=TU   (counted from DTSTART, like the cadence)
  monthly     FREQ=MONTHLY;BYDAY=2TU, or BYDAY=-1FR for "the last Friday"

The VTIMEZONE is written here from zoneinfo's own offsets, as yearly rules (STANDARD and DAYLIGHT
observances with FREQ=YEARLY;BYMONTH=3;BYDAY=2SU and the like), the form Outlook and tzurl.org
write and every client reads. icalendar's own VTIMEZONE (one DTSTART and a long RDATE list per
observance, spring-forward onsets an hour late) is misread by ical.js (Thunderbird) and vobject.
Each onset is the local time on the clock before the change (RFC 5545 3.6.5: 02:00 for New York's
spring forward, not 03:00). A zone without changes (Asia/Kolkata) gets one STANDARD observance;
southern zones (Australia/Sydney) simply have DAYLIGHT in October and STANDARD in April. A change
that follows no weekday rule (Morocco's Ramadan breaks) is written as its own one-off observance.

DTEND is DTSTART plus the duration. When the first meeting spans a clock change, or starts at a
time the change skips, wall-clock and elapsed time disagree and apps differ on which one they
subtract to get every meeting's length (RFC 5545 says elapsed; recurring-ical-events, for one,
subtracts wall times), and an end in the hour that fall-back repeats cannot even be written as a
local time. Such an event states DURATION instead, which means the same thing to every app.

When the first meeting's wall time is skipped by a spring-forward change (02:30 on 29 March 2026
in Berlin), the cadence moves that meeting to 03:00. An RRULE repeats its DTSTART's wall time, so
writing 03:00 as DTSTART would move every later meeting to 03:00 too. Instead the series keeps the
planned 02:30 and a second VEVENT with the same UID and RECURRENCE-ID overrides just the first
meeting with the moved start, the standard way to move one meeting of a series. Later meetings
that fall into a gap are left to each calendar app (RFC 5545 says to skip them; many apps shift
them by the gap's length), and so are meetings in the hour that fall-back repeats (RFC 5545
means the first pass, as the cadence does; ical.js shows the second), which only matters for
meetings planned in the small hours of a changeover night.

Calendars recognise the series by its UID and take a file with a higher SEQUENCE as a change to
it, so the caller keeps one UID per agreement and raises the sequence whenever the agreement
changes. When the pair ends, `cancellation_ics` sends the same series with METHOD:CANCEL,
STATUS:CANCELLED and a higher SEQUENCE, which removes it from calendars that honour cancellations.
"""

from __future__ import annotations

import calendar as month_calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard

from bot.cadence import BIWEEKLY, MONTHLY, Cadence, first_date, first_occurrence, monthly_ordinal

PRODID = "-//mentorbot//agreement//EN"
# The VTIMEZONE spells out the zone's changes from the year before the first meeting over this
# many years; the rules still in force at the end are written without an end, so they carry on.
TIMEZONE_YEARS = 12
# How finely the zone is sampled for changes; no zone changes its clocks twice within two days.
_SCAN_STEP = timedelta(days=2)

_ICAL_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class CalendarFile:
    """A calendar file to share in Slack: its bytes, file name, title and the words that go with it."""

    content: bytes
    filename: str
    title: str
    comment: str | None = None


def agreement_ics(
    cadence: Cadence,
    *,
    uid: str,
    sequence: int,
    summary: str,
    description: str,
    location: str | None,
    duration_minutes: int,
    now: datetime,
) -> bytes:
    """The .ics file for the pair's recurring meeting, with CRLF line endings as RFC 5545 requires."""
    return _series_file(
        cadence,
        uid=uid,
        sequence=sequence,
        summary=summary,
        description=description,
        location=location,
        duration_minutes=duration_minutes,
        now=now,
        cancelled=False,
    )


def cancellation_ics(
    cadence: Cadence,
    *,
    uid: str,
    sequence: int,
    summary: str,
    description: str,
    duration_minutes: int,
    now: datetime,
) -> bytes:
    """The .ics file that cancels the pair's series: same UID, METHOD:CANCEL, STATUS:CANCELLED."""
    return _series_file(
        cadence,
        uid=uid,
        sequence=sequence,
        summary=summary,
        description=description,
        location=None,
        duration_minutes=duration_minutes,
        now=now,
        cancelled=True,
    )


def _series_file(
    cadence: Cadence,
    *,
    uid: str,
    sequence: int,
    summary: str,
    description: str,
    location: str | None,
    duration_minutes: int,
    now: datetime,
    cancelled: bool,
) -> bytes:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime (UTC), not a naive one")
    if not uid.strip():
        raise ValueError("uid must not be empty: calendars use it to recognise the event when it is updated")
    if isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 0:
        raise ValueError(f"sequence must be a whole number from 0, not {sequence!r}")
    if isinstance(duration_minutes, bool) or not isinstance(duration_minutes, int) or duration_minutes <= 0:
        raise ValueError(f"duration_minutes must be a positive whole number, not {duration_minutes!r}")

    zone = ZoneInfo(cadence.tz)
    duration = timedelta(minutes=duration_minutes)
    # The planned wall time; on a spring-forward day it may not exist (RFC 5545 allows that and
    # reads it with the offset from before the gap, as zoneinfo's fold=0 does).
    planned = datetime.combine(first_date(cadence), cadence.local_time, tzinfo=zone)
    actual = first_occurrence(cadence).astimezone(zone)

    def meeting(start: datetime) -> Event:
        event = Event()
        event.add("uid", uid)
        event.add("sequence", sequence)
        event.add("dtstamp", now.astimezone(UTC))
        event.add("dtstart", start)
        event.add(*_length(start, duration))
        event.add("summary", summary)
        event.add("description", description)
        if location:
            event.add("location", location)
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        return event

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    calendar.add_component(vtimezone(cadence.tz, actual.year))
    series = meeting(planned)
    series.add("rrule", _rrule(cadence))
    calendar.add_component(series)
    # A cancellation of the series (no RECURRENCE-ID) cancels every meeting in it, the moved one too.
    if not cancelled and actual.replace(tzinfo=None) != planned.replace(tzinfo=None):
        # Spring-forward skipped the first meeting's time: override just that one (module docstring).
        moved = meeting(actual)
        moved.add("recurrence-id", planned)
        calendar.add_component(moved)
    return calendar.to_ical()


def _length(start: datetime, duration: timedelta) -> tuple[str, datetime | timedelta]:
    """DTEND and its value when the end is plain on the wall clock, otherwise DURATION."""
    end = (start.astimezone(UTC) + duration).astimezone(start.tzinfo)
    # `start` is never a repeated hour's second pass (fold=0), so when the wall clock agrees with the
    # elapsed time no clock change lies between: `end` is neither skipped nor a second pass either.
    if end.replace(tzinfo=None) - start.replace(tzinfo=None) == duration:
        return "dtend", end
    return "duration", duration


def _rrule(cadence: Cadence) -> dict[str, object]:
    day = _ICAL_DAYS[cadence.weekday]
    if cadence.frequency == MONTHLY:
        return {"FREQ": "MONTHLY", "BYDAY": f"{monthly_ordinal(cadence)}{day}"}  # LAST is -1, as in RFC 5545
    if cadence.frequency == BIWEEKLY:
        return {"FREQ": "WEEKLY", "INTERVAL": 2, "BYDAY": day}
    return {"FREQ": "WEEKLY", "BYDAY": day}


# -- VTIMEZONE ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _State:
    """What a zone's clocks show between two changes."""

    offset: timedelta
    daylight: bool
    name: str


@dataclass(frozen=True)
class _Change:
    """One change of a zone's clocks: when, from what, to what."""

    at: datetime  # aware UTC
    before: _State
    after: _State

    @property
    def onset(self) -> datetime:
        """The change's local time on the clock before it, naive (RFC 5545 3.6.5)."""
        return (self.at + self.before.offset).replace(tzinfo=None)

    @property
    def kind(self) -> tuple[_State, _State, int, int, object]:
        """Changes of one kind in successive years can share one yearly rule."""
        onset = self.onset
        return (self.before, self.after, onset.month, onset.weekday(), onset.time())


def vtimezone(tz: str, first_year: int) -> Timezone:
    """The zone's VTIMEZONE as yearly rules, for meetings from `first_year` on."""
    zone = ZoneInfo(tz)
    start = datetime(first_year - 1, 1, 1, tzinfo=UTC)
    end = datetime(first_year + TIMEZONE_YEARS, 1, 1, tzinfo=UTC)
    changes = _changes(tz, start, end)
    component = Timezone()
    component.add("tzid", tz)
    if not changes:
        state = _state(zone, start)
        component.add_component(_observance(state, state, (start + state.offset).replace(tzinfo=None)))
        return component
    observances = []
    for run in _yearly_runs(changes):
        first, last = run[0], run[-1]
        observance = _observance(first.before, first.after, first.onset)
        if len(run) > 1:
            rule: dict[str, object] = {"FREQ": "YEARLY", "BYMONTH": first.onset.month}
            rule |= _day_rule([change.onset.date() for change in run])
            if last.at.year < end.year - 1:
                # The rule stops here; RFC 5545 wants a VTIMEZONE's UNTIL in UTC.
                rule["UNTIL"] = last.at
            observance.add("rrule", rule)
        observances.append((first.at, observance))
    for _at, observance in sorted(observances, key=lambda item: item[0]):
        component.add_component(observance)
    return component


def _observance(before: _State, after: _State, onset: datetime) -> TimezoneStandard | TimezoneDaylight:
    observance = TimezoneDaylight() if after.daylight else TimezoneStandard()
    observance.add("dtstart", onset)
    observance.add("tzoffsetfrom", before.offset)
    observance.add("tzoffsetto", after.offset)
    observance.add("tzname", after.name)
    return observance


def _state(zone: ZoneInfo, at: datetime) -> _State:
    local = at.astimezone(zone)
    offset, dst = local.utcoffset(), local.dst()
    assert offset is not None  # a ZoneInfo time always has an offset
    # Europe/Dublin has negative DST in winter; only a clock set ahead of standard time is daylight.
    return _State(offset, bool(dst and dst > timedelta(0)), local.tzname() or "")


@lru_cache(maxsize=64)
def _changes(tz: str, start: datetime, end: datetime) -> tuple[_Change, ...]:
    """Every change of the zone's clocks in [start, end), to the second."""
    # zoneinfo does not expose its transitions, so sample the zone and bisect each change found.
    zone = ZoneInfo(tz)
    found = []
    at, state = start, _state(zone, start)
    while at < end:
        following = min(at + _SCAN_STEP, end)
        new_state = _state(zone, following)
        if new_state != state:
            low, high = 0, int((following - at).total_seconds())
            while high - low > 1:
                middle = (low + high) // 2
                if _state(zone, at + timedelta(seconds=middle)) == state:
                    low = middle
                else:
                    high = middle
            found.append(_Change(at + timedelta(seconds=high), state, new_state))
        at, state = following, new_state
    return tuple(found)


def _yearly_runs(changes: tuple[_Change, ...]) -> list[list[_Change]]:
    """The changes in runs that one yearly rule describes: same kind, one per year, year after year."""
    by_kind: dict[object, list[_Change]] = {}
    for change in changes:
        by_kind.setdefault(change.kind, []).append(change)
    runs = []
    for same_kind in by_kind.values():
        years = [change.onset.year for change in same_kind]
        run: list[_Change] = []
        for change in same_kind:
            alone_in_its_year = years.count(change.onset.year) == 1
            follows = bool(run) and change.onset.year == run[-1].onset.year + 1
            days = [earlier.onset.date() for earlier in (*run, change)]
            if run and not (alone_in_its_year and follows and _day_rule_options(days)):
                runs.append(run)
                run = []
            run.append(change)
            if not alone_in_its_year:
                # Two changes of one kind in a year (a Ramadan break) follow no yearly rule.
                runs.append(run)
                run = []
        if run:
            runs.append(run)
    return runs


def _day_rule_options(days: list[date]) -> set[int]:
    """Which 7-day windows of the month hold every one of `days` (0 for "the last week")."""
    options: set[int] | None = None
    for day in days:
        length = month_calendar.monthrange(day.year, day.month)[1]
        found = {first for first in range(max(1, day.day - 6), day.day + 1) if first + 6 <= length}
        if day.day + 7 > length:
            found.add(0)
        options = found if options is None else options & found
    return options or set()


def _day_rule(days: list[date]) -> dict[str, object]:
    """The RRULE parts naming the weekday of the month that every one of `days` is."""
    weekday = _ICAL_DAYS[days[0].weekday()]
    options = _day_rule_options(days)
    for first in (1, 8, 15, 22):
        if first in options:
            return {"BYDAY": f"{(first - 1) // 7 + 1}{weekday}"}  # e.g. 2SU, the second Sunday
    if 0 in options:
        return {"BYDAY": f"-1{weekday}"}  # the last Sunday
    # E.g. Israel's "Friday before the last Sunday": the Friday on or after the 23rd.
    first = min(options)
    return {"BYDAY": weekday, "BYMONTHDAY": list(range(first, first + 7))}
