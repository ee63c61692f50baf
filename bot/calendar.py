"""Calendar files: the "Add to calendar" .ics for a pair's agreement, one recurring event.

This module is pure: it reads no storage, no Slack and no clock (the caller passes `now`, which
becomes the file's DTSTAMP). It turns a `Cadence` into an iCalendar (RFC 5545) file that Google
Calendar, Apple Calendar and Outlook import as a series of meetings.

The event starts at the first meeting in the pair's LOCAL time with TZID set to their zone, and the
file carries a VTIMEZONE for that zone, so calendars keep 09:00 at 09:00 local across daylight
saving changes (a UTC start would drift by an hour twice a year). The recurrence is an RRULE:

  weekly      FREQ=WEEKLY;BYDAY=TU
  biweekly    FREQ=WEEKLY;INTERVAL=2;BYDAY=TU   (counted from DTSTART, like the cadence)
  monthly     FREQ=MONTHLY;BYDAY=2TU, or BYDAY=-1FR for "the last Friday"

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
them by the gap's length), which only matters for meetings planned in the small hours of a
changeover night.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from bot.cadence import BIWEEKLY, MONTHLY, Cadence, first_date, first_occurrence, monthly_ordinal

PRODID = "-//mentorbot//agreement//EN"
# The VTIMEZONE lists the zone's changes over this many years from the first meeting; icalendar
# writes them as explicit dates, not a rule, so the window has to cover the whole agreement.
TIMEZONE_YEARS = 20

_ICAL_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def agreement_ics(
    cadence: Cadence,
    *,
    uid: str,
    summary: str,
    description: str,
    location: str | None,
    duration_minutes: int,
    now: datetime,
) -> bytes:
    """The .ics file for the pair's recurring meeting, with CRLF line endings as RFC 5545 requires."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime (UTC), not a naive one")
    if not uid.strip():
        raise ValueError("uid must not be empty: calendars use it to recognise the event when it is updated")
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
        event.add("dtstamp", now.astimezone(UTC))
        event.add("dtstart", start)
        event.add("summary", summary)
        event.add("description", description)
        if location:
            event.add("location", location)
        return event

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    series = meeting(planned)
    series.add(*_length(planned, duration))
    series.add("rrule", _rrule(cadence))
    calendar.add_component(series)
    if actual.replace(tzinfo=None) != planned.replace(tzinfo=None):
        # Spring-forward skipped the first meeting's time: override just that one (module docstring).
        moved = meeting(actual)
        moved.add(*_length(actual, duration))
        moved.add("recurrence-id", planned)
        calendar.add_component(moved)
    first_year = actual.year
    calendar.add_missing_timezones(
        first_date=date(first_year, 1, 1), last_date=date(first_year + TIMEZONE_YEARS, 1, 1)
    )
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
