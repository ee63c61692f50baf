"""The agreement's .ics is one recurring event in local time that calendars expand to the bot's meetings.

The files are read back by software that shares nothing with the icalendar library that writes
them: vobject (whose time zones come from dateutil's VTIMEZONE reader) and Mozilla's ical.js, as
in Thunderbird, run under Node from tests/js (installed there with `npm ci` when it is missing).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from itertools import islice
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
import vobject
from icalendar import Calendar, Component

from bot.cadence import BIWEEKLY, MONTHLY, WEEKLY, Cadence, occurrences
from bot.calendar import PRODID, agreement_ics, cancellation_ics

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SUNDAY = 0, 1, 2, 3, 4, 6


def ics(cadence: Cadence, **overrides: object) -> bytes:
    """The file for `cadence` with plain values for everything a test does not care about."""
    fields: dict[str, object] = {
        "uid": "pair-7@mentorbot",
        "sequence": 0,
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


def observances(data: bytes) -> list[dict[str, str]]:
    """The file's VTIMEZONE observances as written: kind, onset, offsets and rule, read off the lines."""
    found: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for line in data.decode().replace("\r\n ", "").split("\r\n"):
        name, _, value = line.partition(":")
        if name == "BEGIN" and value in ("STANDARD", "DAYLIGHT"):
            current = {"kind": value, "DTSTART": "", "FROM": "", "TO": "", "RRULE": ""}
        elif name == "END" and current is not None:
            found.append(current)
            current = None
        elif current is not None and name in ("DTSTART", "TZOFFSETFROM", "TZOFFSETTO", "RRULE"):
            current[name.removeprefix("TZOFFSET")] = value
    return found


def test_the_new_york_zone_is_two_yearly_rules_with_onsets_on_the_clock_before_the_change() -> None:
    cadence = Cadence(WEEKLY, TUESDAY, time(9, 0), "America/New_York", date(2026, 3, 2))

    data = ics(cadence)

    assert observances(data) == [
        # Clocks go from 02:00 EST to 03:00 EDT on the second Sunday of March: the onset is 02:00.
        {"kind": "DAYLIGHT", "DTSTART": "20250309T020000", "FROM": "-0500", "TO": "-0400",
         "RRULE": "FREQ=YEARLY;BYDAY=2SU;BYMONTH=3"},
        {"kind": "STANDARD", "DTSTART": "20251102T020000", "FROM": "-0400", "TO": "-0500",
         "RRULE": "FREQ=YEARLY;BYDAY=1SU;BYMONTH=11"},
    ]  # fmt: skip
    assert b"RDATE" not in data


def test_sydney_changes_to_daylight_time_in_october_and_back_in_april() -> None:
    cadence = Cadence(MONTHLY, FRIDAY, time(8, 0), "Australia/Sydney", date(2026, 1, 30))

    assert observances(ics(cadence)) == [
        {"kind": "STANDARD", "DTSTART": "20250406T030000", "FROM": "+1100", "TO": "+1000",
         "RRULE": "FREQ=YEARLY;BYDAY=1SU;BYMONTH=4"},
        {"kind": "DAYLIGHT", "DTSTART": "20251005T020000", "FROM": "+1000", "TO": "+1100",
         "RRULE": "FREQ=YEARLY;BYDAY=1SU;BYMONTH=10"},
    ]  # fmt: skip


def test_a_zone_without_daylight_saving_is_one_standard_observance() -> None:
    cadence = Cadence(WEEKLY, FRIDAY, time(18, 0), "Asia/Kolkata", date(2026, 3, 2))

    assert observances(ics(cadence)) == [
        {"kind": "STANDARD", "DTSTART": "20250101T053000", "FROM": "+0530", "TO": "+0530", "RRULE": ""},
    ]


def test_a_rule_that_is_no_nth_weekday_names_the_days_it_may_fall_on() -> None:
    # Israel moves forward on the Friday before the last Sunday of March: a Friday from the 23rd.
    cadence = Cadence(WEEKLY, TUESDAY, time(9, 0), "Asia/Jerusalem", date(2026, 3, 2))

    (spring,) = [part for part in observances(ics(cadence)) if part["kind"] == "DAYLIGHT"]

    assert spring["RRULE"] == "FREQ=YEARLY;BYDAY=FR;BYMONTHDAY=23,24,25,26,27,28,29;BYMONTH=3"


def test_a_rule_that_ends_stops_at_its_last_change_in_utc_and_its_successor_takes_over() -> None:
    # Brazil stopped daylight saving in 2019: the last change back to -03 is on 17 February 2019.
    cadence = Cadence(WEEKLY, TUESDAY, time(9, 0), "America/Sao_Paulo", date(2018, 3, 2))

    parts = observances(ics(cadence))

    assert [(p["kind"], p["DTSTART"], p["RRULE"]) for p in parts] == [
        ("STANDARD", "20170219T000000", "FREQ=YEARLY;UNTIL=20190217T020000Z;BYDAY=3SU;BYMONTH=2"),
        ("DAYLIGHT", "20171015T000000", ""),
        ("DAYLIGHT", "20181104T000000", ""),
    ]


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


# -- read back by calendar software that did not write the files --------------------------------

JS_DIR = Path(__file__).parent / "js"
THREE_YEARS = timedelta(days=3 * 365 + 1)


@dataclass(frozen=True)
class Meeting:
    """One meeting as a calendar app shows it: start and end instants and the local wall time."""

    start: datetime
    end: datetime
    local: str  # e.g. "2026-03-10T09:00", the start on the pair's own clock


def vobject_meetings(data: bytes, until: datetime) -> list[Meeting]:
    """The series' meetings before `until` as vobject reads them, with the file's own VTIMEZONE."""
    calendar = vobject.readOne(data.decode())
    # vobject keeps the first VTIMEZONE it meets for a TZID for the rest of the process, so each
    # file's own zone is read afresh (dateutil's tzical) and put on the meetings vobject expands.
    zone = calendar.vtimezone.gettzinfo()
    assert calendar.vtimezone.tzid.value == calendar.vevent.dtstart.params["X-VOBJ-ORIGINAL-TZID"][0]
    events = calendar.contents["vevent"]
    (series,) = [event for event in events if not hasattr(event, "recurrence_id")]
    moved = {
        event.recurrence_id.value.replace(tzinfo=None): event.dtstart.value.replace(tzinfo=None)
        for event in events
        if hasattr(event, "recurrence_id")
    }
    if hasattr(series, "dtend"):
        length = series.dtend.value.replace(tzinfo=zone) - series.dtstart.value.replace(tzinfo=zone)
    else:
        length = series.duration.value
    meetings = []
    for planned in series.getrruleset(addRDate=True):
        wall = moved.get(planned.replace(tzinfo=None), planned.replace(tzinfo=None))
        start = wall.replace(tzinfo=zone)
        if start >= until:
            break
        meetings.append(
            Meeting(start.astimezone(UTC), (start + length).astimezone(UTC), f"{wall:%Y-%m-%dT%H:%M}")
        )
    return meetings


def icaljs(files: list[bytes], until: datetime) -> list[dict]:
    """What Mozilla's ical.js reads in each file: METHOD, and each series' UID, SEQUENCE and meetings."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is not installed; the calendar tests read the files with ical.js under Node")
    if not (JS_DIR / "node_modules" / "ical.js").is_dir():
        installed = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"], cwd=JS_DIR, capture_output=True, text=True, check=False
        )
        if installed.returncode != 0:
            pytest.fail(f"npm ci in {JS_DIR} failed:\n{installed.stdout}\n{installed.stderr}")
    payload = [{"ics": data.decode(), "until": until.isoformat()} for data in files]
    ran = subprocess.run(
        ["node", "expand.mjs"],
        cwd=JS_DIR,
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    return json.loads(ran.stdout)


def icaljs_meetings(result: dict) -> list[Meeting]:
    """The meetings of a file's single series, from ical.js's answer."""
    (series,) = result["events"]
    return [
        Meeting(datetime.fromisoformat(o["start"]), datetime.fromisoformat(o["end"]), o["local"])
        for o in series["occurrences"]
    ]


SERIES = {
    "new-york-weekly": Cadence(WEEKLY, TUESDAY, time(9, 0), "America/New_York", date(2026, 3, 2)),
    "new-york-biweekly": Cadence(BIWEEKLY, THURSDAY, time(16, 30), "America/New_York", date(2026, 10, 1)),
    "new-york-monthly": Cadence(MONTHLY, MONDAY, time(8, 0), "America/New_York", date(2026, 2, 9)),
    "sydney-weekly": Cadence(WEEKLY, MONDAY, time(9, 0), "Australia/Sydney", date(2026, 3, 2)),
    "sydney-biweekly": Cadence(BIWEEKLY, SUNDAY, time(10, 0), "Australia/Sydney", date(2026, 9, 20)),
    "sydney-monthly-last": Cadence(MONTHLY, FRIDAY, time(8, 0), "Australia/Sydney", date(2026, 1, 30)),
    "kolkata-weekly": Cadence(WEEKLY, FRIDAY, time(18, 0), "Asia/Kolkata", date(2026, 3, 2)),
    "kolkata-biweekly": Cadence(BIWEEKLY, WEDNESDAY, time(11, 30), "Asia/Kolkata", date(2026, 12, 20)),
    "kolkata-monthly": Cadence(MONTHLY, TUESDAY, time(9, 0), "Asia/Kolkata", date(2026, 3, 10)),
    "berlin-weekly": Cadence(WEEKLY, TUESDAY, time(9, 0), "Europe/Berlin", date(2026, 3, 2)),
    "jerusalem-weekly": Cadence(WEEKLY, FRIDAY, time(13, 0), "Asia/Jerusalem", date(2026, 3, 2)),
}


def bot_meetings(cadence: Cadence) -> list[datetime]:
    """The meetings the bot schedules over three years from the first."""
    start = datetime.combine(cadence.start_date, time(0), tzinfo=UTC) - timedelta(days=1)
    return occurrences(cadence, start, start + THREE_YEARS)


@pytest.fixture(scope="module")
def read_by_icaljs() -> dict[str, list[Meeting]]:
    """Every series in SERIES as ical.js expands it: one Node run for all the files."""
    until = max(bot_meetings(cadence)[-1] for cadence in SERIES.values()) + timedelta(days=1)
    results = icaljs([ics(cadence, duration_minutes=60) for cadence in SERIES.values()], until)
    return dict(zip(SERIES, (icaljs_meetings(result) for result in results), strict=True))


def agreed_wall_times(cadence: Cadence, meetings: list[datetime]) -> list[str]:
    """Each meeting's start on the pair's own clock."""
    return [f"{meeting.astimezone(ZoneInfo(cadence.tz)):%Y-%m-%dT%H:%M}" for meeting in meetings]


@pytest.mark.parametrize("name", list(SERIES))
def test_every_meeting_over_three_years_is_at_the_agreed_local_time_in_two_outside_readers(
    name: str, read_by_icaljs: dict[str, list[Meeting]]
) -> None:
    cadence = SERIES[name]
    expected = bot_meetings(cadence)
    assert len(expected) >= 36
    assert len({m.astimezone(ZoneInfo(cadence.tz)).utcoffset() for m in expected}) == (
        1 if cadence.tz == "Asia/Kolkata" else 2
    ), "the series spans daylight saving changes"

    for reader, meetings in (
        ("ical.js", read_by_icaljs[name][: len(expected)]),
        ("vobject", vobject_meetings(ics(cadence, duration_minutes=60), expected[-1] + timedelta(seconds=1))),
    ):
        assert [m.start for m in meetings] == expected, reader
        assert [m.local for m in meetings] == agreed_wall_times(cadence, expected), reader
        assert all(m.end - m.start == timedelta(minutes=60) for m in meetings), reader


def test_outside_readers_move_only_the_first_meeting_that_spring_forward_skips() -> None:
    # 02:30 does not exist in Berlin on 29 March 2026: the first meeting moves to 03:00, later ones stay.
    cadence = Cadence(WEEKLY, SUNDAY, time(2, 30), "Europe/Berlin", date(2026, 3, 29))
    # Up to the autumn change, whose 02:30 comes twice: RFC 5545 means the first, ical.js shows the second.
    expected = occurrences(cadence, NOW, datetime(2026, 10, 24, tzinfo=UTC))
    data = ics(cadence)

    (result,) = icaljs([data], expected[-1] + timedelta(seconds=1))

    for reader, meetings in (
        ("ical.js", icaljs_meetings(result)),
        ("vobject", vobject_meetings(data, expected[-1] + timedelta(seconds=1))),
    ):
        assert [m.start for m in meetings] == expected, reader
        assert [m.local for m in meetings][:2] == ["2026-03-29T03:00", "2026-04-05T02:30"], reader
        assert all(m.end - m.start == timedelta(minutes=45) for m in meetings), reader


def test_a_cancellation_names_the_same_series_with_a_higher_sequence_in_every_reader() -> None:
    cadence = Cadence(BIWEEKLY, TUESDAY, time(9, 0), "America/New_York", date(2026, 3, 2))
    agreed = ics(cadence, uid="3f2b@mentorbot", sequence=2)

    cancelled = cancellation_ics(
        cadence,
        uid="3f2b@mentorbot",
        sequence=3,
        summary="Mentoring",
        description="This mentorship has ended.",
        duration_minutes=45,
        now=NOW,
    )

    agreed_js, cancelled_js = icaljs([agreed, cancelled], datetime(2026, 4, 1, tzinfo=UTC))
    assert (agreed_js["method"], cancelled_js["method"]) == ("PUBLISH", "CANCEL")
    (before,), (after,) = agreed_js["events"], cancelled_js["events"]
    assert (before["uid"], before["sequence"], before["status"]) == ("3f2b@mentorbot", 2, "CONFIRMED")
    assert (after["uid"], after["sequence"], after["status"]) == ("3f2b@mentorbot", 3, "CANCELLED")
    read = vobject.readOne(cancelled.decode())
    assert (read.method.value, read.vevent.uid.value) == ("CANCEL", "3f2b@mentorbot")
    assert (read.vevent.sequence.value, read.vevent.status.value) == ("3", "CANCELLED")
    assert len(read.contents["vevent"]) == 1
    assert b"LOCATION" not in cancelled
