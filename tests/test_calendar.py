"""The agreement's .ics is one recurring event in local time that calendars expand to the bot's meetings."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from itertools import islice
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from icalendar import Calendar, Component

from bot.cadence import BIWEEKLY, MONTHLY, WEEKLY, Cadence, occurrences
from bot.calendar import PRODID, agreement_ics

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
TUESDAY, FRIDAY, SUNDAY = 1, 4, 6


def ics(cadence: Cadence, **overrides: object) -> bytes:
    """The file for `cadence` with plain values for everything a test does not care about."""
    fields: dict[str, object] = {
        "uid": "pair-7@mentorbot",
        "summary": "Mentoring",
        "description": "Mentorship meeting.",
        "location": None,
        "duration_minutes": 45,
        "now": NOW,
    } | overrides
    return agreement_ics(cadence, **fields)  # type: ignore[arg-type]


def only_event(data: bytes) -> Component:
    """The file's single VEVENT, after checking it has exactly one."""
    events = Calendar.from_ical(data).walk("VEVENT")
    assert len(events) == 1
    return events[0]


def expanded(data: bytes, count: int) -> list[tuple[datetime, datetime]]:
    """The first `count` meetings a calendar app would show, as (start, end) in UTC."""
    events = islice(recurring_ical_events.of(Calendar.from_ical(data)).all(), count)
    return [(e.decoded("DTSTART").astimezone(UTC), e.decoded("DTEND").astimezone(UTC)) for e in events]


def test_the_event_starts_at_the_first_meeting_in_local_time_with_the_pairs_zone() -> None:
    cadence = Cadence(WEEKLY, TUESDAY, time(9, 0), "Europe/Berlin", date(2026, 3, 20))

    event = only_event(ics(cadence))

    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert event.decoded("DTSTART") == datetime(2026, 3, 24, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert event.decoded("DTSTART").strftime("%Y-%m-%d %H:%M") == "2026-03-24 09:00"
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=45)
    assert event["DTEND"].params["TZID"] == "Europe/Berlin"


@pytest.mark.parametrize(
    ("cadence", "rrule"),
    [
        (Cadence(WEEKLY, TUESDAY, time(9, 0), "Europe/Berlin", date(2026, 3, 2)), "FREQ=WEEKLY;BYDAY=TU"),
        (
            Cadence(BIWEEKLY, TUESDAY, time(9, 0), "Europe/Berlin", date(2026, 3, 2)),
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
        ),
        (Cadence(MONTHLY, TUESDAY, time(9, 0), "Europe/Berlin", date(2026, 3, 9)), "FREQ=MONTHLY;BYDAY=2TU"),
        # 30 January 2026 is the fifth Friday, so the pair meets on the last Friday.
        (Cadence(MONTHLY, FRIDAY, time(9, 0), "Europe/Berlin", date(2026, 1, 30)), "FREQ=MONTHLY;BYDAY=-1FR"),
    ],
    ids=["weekly", "biweekly", "monthly-second", "monthly-last"],
)
def test_the_recurrence_rule_says_how_often_and_on_which_day(cadence: Cadence, rrule: str) -> None:
    data = ics(cadence)

    assert f"\r\nRRULE:{rrule}\r\n".encode() in data
    assert only_event(data)["RRULE"].to_ical().decode() == rrule


@pytest.mark.parametrize("tz", ["Europe/Berlin", "Australia/Sydney", "Asia/Kolkata"])
def test_the_file_carries_a_vtimezone_for_the_pairs_zone(tz: str) -> None:
    cadence = Cadence(WEEKLY, TUESDAY, time(9, 0), tz, date(2026, 3, 2))

    calendar = Calendar.from_ical(ics(cadence))

    assert [zone["TZID"] for zone in calendar.walk("VTIMEZONE")] == [tz]
    assert calendar.walk("VTIMEZONE")[0].walk("STANDARD")


def test_the_calendar_header_dtstamp_and_texts_are_what_calendar_apps_expect() -> None:
    cadence = Cadence(WEEKLY, TUESDAY, time(9, 0), "Europe/Berlin", date(2026, 3, 2))
    in_new_york = NOW.astimezone(timezone(timedelta(hours=-5)))
    description = "Goals: ship the API, learn SQL; notes\nsecond line " + "long words " * 20

    data = ics(
        cadence,
        now=in_new_york,
        summary="Mentoring: Ana & Ben",
        description=description,
        location="Room 4, HQ",
    )

    calendar = Calendar.from_ical(data)
    event = only_event(data)
    assert (calendar["PRODID"], calendar["VERSION"], calendar["METHOD"], calendar["CALSCALE"]) == (
        PRODID,
        "2.0",
        "PUBLISH",
        "GREGORIAN",
    )
    assert b"\r\nDTSTAMP:20260301T120000Z\r\n" in data
    assert event.decoded("DTSTAMP") == NOW
    assert event.decoded("DTSTAMP").utcoffset() == timedelta(0)
    assert (event["UID"], event["SUMMARY"], event["DESCRIPTION"], event["LOCATION"]) == (
        "pair-7@mentorbot",
        "Mentoring: Ana & Ben",
        description,
        "Room 4, HQ",
    )


def test_lines_end_in_crlf_and_are_folded_to_75_octets_as_rfc_5545_requires() -> None:
    cadence = Cadence(WEEKLY, TUESDAY, time(9, 0), "Europe/Berlin", date(2026, 3, 2))

    data = ics(cadence, description="Käse " * 100)

    assert data.endswith(b"END:VCALENDAR\r\n")
    lines = data.split(b"\r\n")
    assert not any(b"\n" in line or b"\r" in line for line in lines)
    assert max(len(line) for line in lines) <= 75


def test_a_pair_without_a_location_gets_no_location_line() -> None:
    cadence = Cadence(WEEKLY, TUESDAY, time(9, 0), "Europe/Berlin", date(2026, 3, 2))

    assert b"LOCATION" not in ics(cadence, location=None)
    assert b"LOCATION" not in ics(cadence, location="")


@pytest.mark.parametrize(
    "cadence",
    [
        # Europe moves forward on 29 March 2026 and back on 25 October.
        Cadence(WEEKLY, TUESDAY, time(9, 0), "Europe/Berlin", date(2026, 3, 2)),
        Cadence(WEEKLY, SUNDAY, time(9, 0), "Europe/Berlin", date(2026, 10, 1)),
        # The US moves back on 1 November 2026; 2026 has an ISO week 53.
        Cadence(BIWEEKLY, TUESDAY, time(16, 30), "America/New_York", date(2026, 10, 1)),
        # Sydney moves back on 5 April 2026 and forward on 4 October.
        Cadence(MONTHLY, FRIDAY, time(8, 0), "Australia/Sydney", date(2026, 1, 30)),
        Cadence(MONTHLY, TUESDAY, time(9, 0), "Australia/Sydney", date(2026, 8, 11)),
        Cadence(WEEKLY, FRIDAY, time(18, 0), "Asia/Kolkata", date(2026, 3, 2)),
    ],
    ids=[
        "berlin-spring",
        "berlin-autumn",
        "new-york-biweekly",
        "sydney-last-friday",
        "sydney-2nd-tuesday",
        "kolkata",
    ],
)
def test_a_calendar_app_expands_the_file_to_the_same_meetings_the_bot_schedules(cadence: Cadence) -> None:
    data = ics(cadence, duration_minutes=60)

    meetings = expanded(data, 10)

    expected = occurrences(cadence, NOW - timedelta(days=365), NOW + timedelta(days=800))[:10]
    assert [start for start, _ in meetings] == expected
    assert all(end - start == timedelta(minutes=60) for start, end in meetings)
    offsets = {start.astimezone(ZoneInfo(cadence.tz)).utcoffset() for start in expected}
    assert len(offsets) == (1 if cadence.tz == "Asia/Kolkata" else 2)  # the ten meetings span a change


def test_a_first_meeting_skipped_by_spring_forward_is_moved_in_the_file_and_later_ones_are_not() -> None:
    # 02:30 does not exist in Berlin on 29 March 2026: the bot moves that meeting to 03:00.
    cadence = Cadence(WEEKLY, SUNDAY, time(2, 30), "Europe/Berlin", date(2026, 3, 29))

    data = ics(cadence)

    events = Calendar.from_ical(data).walk("VEVENT")
    series, moved = sorted(events, key=lambda e: "RECURRENCE-ID" in e)
    assert "RRULE" in series
    assert "RECURRENCE-ID" not in series
    assert series["DTSTART"].to_ical() == b"20260329T023000"
    assert series.decoded("DURATION") == timedelta(minutes=45)
    assert moved["UID"] == series["UID"]
    assert moved["RECURRENCE-ID"].to_ical() == b"20260329T023000"
    assert moved.decoded("DTSTART").strftime("%Y-%m-%d %H:%M") == "2026-03-29 03:00"
    assert moved["DTSTART"].params["TZID"] == "Europe/Berlin"
    meetings = expanded(data, 10)
    assert [start for start, _ in meetings] == occurrences(cadence, NOW, NOW + timedelta(days=100))[:10]
    assert all(end - start == timedelta(minutes=45) for start, end in meetings)


@pytest.mark.parametrize(
    ("tz", "day", "at", "minutes"),
    [
        # 01:30 + 90 minutes on 25 October 2026 in Berlin ends at the second 02:00, which a local
        # DTEND cannot name (RFC 5545 reads 02:00 as the first pass).
        ("Europe/Berlin", date(2026, 10, 25), time(1, 30), 90),
        # 01:30 + 60 minutes on 29 March 2026 ends at 03:30: two hours on the wall, one elapsed.
        ("Europe/Berlin", date(2026, 3, 29), time(1, 30), 60),
        ("America/New_York", date(2026, 3, 8), time(1, 45), 30),
    ],
    ids=["berlin-fall-back", "berlin-spring-forward", "new-york-spring-forward"],
)
def test_a_first_meeting_that_spans_a_clock_change_states_its_length_as_a_duration(
    tz: str, day: date, at: time, minutes: int
) -> None:
    cadence = Cadence(WEEKLY, day.weekday(), at, tz, day)

    data = ics(cadence, duration_minutes=minutes)

    event = only_event(data)
    assert "DTEND" not in event
    assert event.decoded("DURATION") == timedelta(minutes=minutes)
    meetings = expanded(data, 10)
    assert [start for start, _ in meetings] == occurrences(cadence, NOW, NOW + timedelta(days=400))[:10]
    # RFC 5545 makes PT90M exact, but recurring-ical-events adds it on the wall clock, which
    # stretches the first meeting when it spans fall-back; every later one is plain.
    assert all(end - start == timedelta(minutes=minutes) for start, end in meetings[1:])


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"now": datetime(2026, 3, 1, 12, 0)}, "now must be an aware datetime"),  # noqa: DTZ001
        ({"uid": " "}, "uid must not be empty"),
        ({"duration_minutes": 0}, "duration_minutes must be a positive whole number, not 0"),
        ({"duration_minutes": 30.5}, "duration_minutes must be a positive whole number"),
    ],
    ids=["naive-now", "empty-uid", "zero-minutes", "fractional-minutes"],
)
def test_a_file_request_with_an_impossible_value_is_refused(
    overrides: dict[str, object], message: str
) -> None:
    cadence = Cadence(WEEKLY, TUESDAY, time(9, 0), "Europe/Berlin", date(2026, 3, 2))

    with pytest.raises(ValueError, match=message):
        ics(cadence, **overrides)
