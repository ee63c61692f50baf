"""A cadence meets at the pair's local time on the right days, across clock changes and New Year."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

import bot.cadence
from bot.cadence import (
    BIWEEKLY,
    LAST,
    MONTHLY,
    WEEKLY,
    Cadence,
    describe,
    first_occurrence,
    monthly_ordinal,
    next_occurrence,
    occurrences,
)

MONDAY, TUESDAY, THURSDAY, FRIDAY, SUNDAY = 0, 1, 3, 4, 6
RANDOM_CASES = 400
# Zones with every kind of clock: northern and southern DST, none, half-hour offsets and a
# half-hour DST change (Lord Howe), changes at midnight (Santiago, Havana), and UTC+13/+13:45.
RANDOM_ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "America/Santiago",
    "America/Havana",
    "Pacific/Chatham",
    "Pacific/Apia",
    "Asia/Tehran",
    "UTC",
]
# Times near the usual changeover hours are over-represented, so gaps and overlaps come up often.
RANDOM_TIMES = [time(0, 0), time(0, 30), time(1, 30), time(2, 0), time(2, 15), time(2, 30), time(3, 0)]


def utc(*args: int) -> datetime:
    """An aware UTC datetime."""
    return datetime(*args, tzinfo=UTC)


def local(instant: datetime, tz: str) -> str:
    """What the wall clock in `tz` shows at `instant`, e.g. "2026-03-29 03:00"."""
    return f"{instant.astimezone(ZoneInfo(tz)):%Y-%m-%d %H:%M}"


def berlin_day(instant: datetime) -> date:
    """The date in Berlin at `instant`."""
    return instant.astimezone(ZoneInfo("Europe/Berlin")).date()


@pytest.mark.parametrize(
    ("tz", "start", "offsets_before_and_after"),
    [
        # Europe moves forward on 29 March 2026, the US on 8 March.
        ("Europe/Berlin", date(2026, 3, 10), (timedelta(hours=1), timedelta(hours=2))),
        ("America/New_York", date(2026, 2, 24), (timedelta(hours=-5), timedelta(hours=-4))),
        # In the southern hemisphere summer time ends in autumn: Sydney moves back on 5 April 2026.
        ("Australia/Sydney", date(2026, 3, 17), (timedelta(hours=11), timedelta(hours=10))),
        ("Asia/Kolkata", date(2026, 3, 10), (timedelta(hours=5, minutes=30), timedelta(hours=5, minutes=30))),
    ],
    ids=["berlin", "new-york", "sydney", "kolkata"],
)
def test_a_weekly_meeting_stays_at_nine_local_across_a_daylight_saving_change(
    tz: str, start: date, offsets_before_and_after: tuple[timedelta, timedelta]
) -> None:
    cadence = Cadence(WEEKLY, TUESDAY, time(9, 0), tz, start)

    meetings = occurrences(cadence, utc(2026, 1, 1), utc(2026, 5, 1))[:6]

    assert [local(m, tz) for m in meetings] == [f"{start + timedelta(weeks=i)} 09:00" for i in range(6)]
    offsets = [m.astimezone(ZoneInfo(tz)).utcoffset() for m in meetings]
    assert offsets[0] == offsets_before_and_after[0]
    assert offsets[-1] == offsets_before_and_after[1]
    assert all(m.tzinfo is UTC for m in meetings)


def test_a_biweekly_meeting_stays_fourteen_days_apart_across_new_year() -> None:
    # 2026 has an ISO week 53, so "every even ISO week" would meet on 22 December (week 52) and
    # next on 12 January (week 2), three weeks later.
    cadence = Cadence(BIWEEKLY, TUESDAY, time(9, 0), "Europe/Berlin", date(2026, 11, 10))

    meetings = occurrences(cadence, utc(2026, 11, 1), utc(2027, 3, 1))

    days = [berlin_day(m) for m in meetings]
    assert days[0] == date(2026, 11, 10)
    assert date(2026, 12, 22) in days
    assert days[days.index(date(2026, 12, 22)) + 1] == date(2027, 1, 5)
    assert all(later - earlier == timedelta(days=14) for earlier, later in pairwise(days))
    assert all(later - earlier == timedelta(days=14) for earlier, later in pairwise(meetings))


def test_a_monthly_meeting_started_on_a_second_tuesday_meets_every_second_tuesday_for_a_year() -> None:
    cadence = Cadence(MONTHLY, TUESDAY, time(9, 0), "Europe/Berlin", date(2026, 1, 13))

    meetings = occurrences(cadence, utc(2026, 1, 1), utc(2027, 2, 1))

    assert [local(m, "Europe/Berlin") for m in meetings] == [
        "2026-01-13 09:00",
        "2026-02-10 09:00",
        "2026-03-10 09:00",
        "2026-04-14 09:00",
        "2026-05-12 09:00",
        "2026-06-09 09:00",
        "2026-07-14 09:00",
        "2026-08-11 09:00",
        "2026-09-08 09:00",
        "2026-10-13 09:00",
        "2026-11-10 09:00",
        "2026-12-08 09:00",
        "2027-01-12 09:00",
    ]
    assert monthly_ordinal(cadence) == 2


def test_a_monthly_meeting_that_starts_on_a_fifth_weekday_falls_back_to_the_last_one() -> None:
    # 29 January 2026 is the fifth Thursday; February and March have only four.
    cadence = Cadence(MONTHLY, THURSDAY, time(9, 0), "Europe/Berlin", date(2026, 1, 27))

    meetings = occurrences(cadence, utc(2026, 1, 1), utc(2026, 6, 1))

    assert [berlin_day(m) for m in meetings] == [
        date(2026, 1, 29),
        date(2026, 2, 26),
        date(2026, 3, 26),
        date(2026, 4, 30),
        date(2026, 5, 28),
    ]
    assert monthly_ordinal(cadence) == LAST


def test_a_monthly_meeting_that_starts_on_a_fourth_weekday_which_is_also_the_last_stays_fourth() -> None:
    # 24 February 2026 is both the 4th and the last Tuesday; March has a 5th Tuesday, the 31st.
    cadence = Cadence(MONTHLY, TUESDAY, time(9, 0), "Europe/Berlin", date(2026, 2, 24))

    meetings = occurrences(cadence, utc(2026, 2, 1), utc(2026, 4, 1))

    assert [berlin_day(m) for m in meetings] == [
        date(2026, 2, 24),
        date(2026, 3, 24),
    ]
    assert monthly_ordinal(cadence) == 4


@pytest.mark.parametrize(
    ("tz", "day", "planned", "moved_to", "moved_utc"),
    [
        ("Europe/Berlin", date(2026, 3, 29), time(2, 30), "2026-03-29 03:00", utc(2026, 3, 29, 1, 0)),
        ("America/New_York", date(2026, 3, 8), time(2, 30), "2026-03-08 03:00", utc(2026, 3, 8, 7, 0)),
        # Lord Howe Island springs forward by half an hour, from 02:00 to 02:30.
        ("Australia/Lord_Howe", date(2026, 10, 4), time(2, 15), "2026-10-04 02:30", utc(2026, 10, 3, 15, 30)),
    ],
    ids=["berlin", "new-york", "lord-howe"],
)
def test_a_meeting_at_a_time_skipped_by_spring_forward_moves_to_the_end_of_the_gap(
    tz: str, day: date, planned: time, moved_to: str, moved_utc: datetime
) -> None:
    cadence = Cadence(WEEKLY, day.weekday(), planned, tz, day)

    first, second = occurrences(cadence, utc(2026, 1, 1), utc(2027, 1, 1))[:2]

    assert local(first, tz) == moved_to
    assert first == moved_utc
    # zoneinfo on its own would shift the time by the gap's length (02:30 -> 03:30).
    assert first < datetime.combine(day, planned, tzinfo=ZoneInfo(tz)).astimezone(UTC)
    assert local(second, tz) == f"{day + timedelta(weeks=1)} {planned:%H:%M}"


@pytest.mark.parametrize(
    ("tz", "day", "planned", "first_utc"),
    [
        # Berlin repeats 02:00-03:00 on 25 October 2026: first in CEST (UTC+2), then in CET.
        ("Europe/Berlin", date(2026, 10, 25), time(2, 30), utc(2026, 10, 25, 0, 30)),
        # New York repeats 01:00-02:00 on 1 November 2026: first in EDT (UTC-4), then in EST.
        ("America/New_York", date(2026, 11, 1), time(1, 30), utc(2026, 11, 1, 5, 30)),
    ],
    ids=["berlin", "new-york"],
)
def test_a_meeting_at_a_time_repeated_by_fall_back_happens_once_at_the_first(
    tz: str, day: date, planned: time, first_utc: datetime
) -> None:
    cadence = Cadence(WEEKLY, day.weekday(), planned, tz, day - timedelta(weeks=1))

    midnight = datetime.combine(day, time(), tzinfo=UTC)

    that_day = occurrences(cadence, midnight - timedelta(days=1), midnight + timedelta(days=2))

    assert that_day == [first_utc]
    assert local(first_utc, tz) == f"{day} {planned:%H:%M}"


def test_next_occurrence_at_the_instant_of_a_meeting_returns_the_following_meeting() -> None:
    cadence = Cadence(WEEKLY, TUESDAY, time(9, 0), "Europe/Berlin", date(2026, 3, 24))
    first = first_occurrence(cadence)

    assert first == utc(2026, 3, 24, 8, 0)
    assert next_occurrence(cadence, first) == utc(2026, 3, 31, 7, 0)
    assert next_occurrence(cadence, first - timedelta(microseconds=1)) == first
    assert next_occurrence(cadence, utc(2000, 1, 1)) == first
    assert occurrences(cadence, first, first + timedelta(days=6)) == [first]


def test_next_occurrence_centuries_after_the_start_is_arithmetic_not_a_walk(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    resolved: list[date] = []
    resolve = bot.cadence._instant

    def counting(cadence: Cadence, day: date) -> datetime:
        resolved.append(day)
        return resolve(cadence, day)

    monkeypatch.setattr(bot.cadence, "_instant", counting)
    weekly = Cadence(BIWEEKLY, MONDAY, time(9, 0), "America/New_York", date(2026, 1, 5))
    monthly = Cadence(MONTHLY, FRIDAY, time(17, 0), "Australia/Sydney", date(2026, 1, 30))

    far_weekly = next_occurrence(weekly, utc(2426, 6, 1))
    far_monthly = next_occurrence(monthly, utc(2426, 6, 1))

    assert len(resolved) <= 6  # a couple of candidate days per call, not one per week since 2026
    far_weekly_local = far_weekly.astimezone(ZoneInfo("America/New_York"))
    assert (far_weekly_local.date() - date(2026, 1, 5)).days % 14 == 0
    assert far_weekly_local.time() == time(9, 0)
    assert local(far_monthly, "Australia/Sydney") == "2426-06-26 17:00"  # the last Friday


@pytest.mark.parametrize(
    ("cadence", "words"),
    [
        (
            Cadence(WEEKLY, TUESDAY, time(9, 0), "Europe/Berlin", date(2026, 3, 2)),
            "every Tuesday at 09:00 (Europe/Berlin)",
        ),
        (
            Cadence(BIWEEKLY, TUESDAY, time(9, 0), "Europe/Berlin", date(2026, 3, 2)),
            "every two weeks on Tuesday at 09:00 (Europe/Berlin)",
        ),
        (
            Cadence(MONTHLY, TUESDAY, time(9, 0), "Europe/Berlin", date(2026, 3, 9)),
            "on the 2nd Tuesday of each month at 09:00 (Europe/Berlin)",
        ),
        (
            Cadence(MONTHLY, FRIDAY, time(16, 30), "America/New_York", date(2026, 1, 29)),
            "on the last Friday of each month at 16:30 (America/New_York)",
        ),
        (
            Cadence(MONTHLY, SUNDAY, time(7, 5), "Asia/Kolkata", date(2026, 3, 1)),
            "on the 1st Sunday of each month at 07:05 (Asia/Kolkata)",
        ),
    ],
    ids=["weekly", "biweekly", "second", "last", "first"],
)
def test_describe_says_the_cadence_in_words(cadence: Cadence, words: str) -> None:
    assert describe(cadence) == words


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"tz": "Mars/Olympus_Mons"}, "unknown time zone 'Mars/Olympus_Mons'"),
        ({"tz": "Europe"}, "unknown time zone 'Europe'"),
        ({"tz": ""}, "unknown time zone ''"),
        ({"weekday": 7}, "weekday must be 0 .Monday. to 6 .Sunday., not 7"),
        ({"weekday": -1}, "weekday must be"),
        ({"frequency": "daily"}, "frequency must be one of weekly, biweekly, monthly, not 'daily'"),
        ({"local_time": time(9, 0, 30)}, "whole minutes"),
        ({"local_time": time(9, 0, tzinfo=UTC)}, "naive time"),
        ({"start_date": datetime(2026, 3, 2, tzinfo=UTC)}, "start_date must be a date"),
    ],
    ids=[
        "zone",
        "region",
        "empty-zone",
        "weekday-7",
        "weekday-negative",
        "frequency",
        "seconds",
        "aware-time",
        "datetime",
    ],
)
def test_a_cadence_with_an_impossible_field_is_refused_with_a_clear_message(
    fields: dict[str, object], message: str
) -> None:
    values: dict[str, object] = {
        "frequency": WEEKLY,
        "weekday": TUESDAY,
        "local_time": time(9, 0),
        "tz": "Europe/Berlin",
        "start_date": date(2026, 3, 2),
    } | fields

    with pytest.raises(ValueError, match=message):
        Cadence(**values)  # type: ignore[arg-type]


def test_instants_without_a_time_zone_and_ordinals_of_non_monthly_cadences_are_refused() -> None:
    cadence = Cadence(WEEKLY, TUESDAY, time(9, 0), "Europe/Berlin", date(2026, 3, 2))
    naive = datetime(2026, 3, 2, 9, 0)  # noqa: DTZ001

    with pytest.raises(ValueError, match="after must be an aware datetime"):
        next_occurrence(cadence, naive)
    with pytest.raises(ValueError, match="start must be an aware datetime"):
        occurrences(cadence, naive, utc(2026, 4, 1))
    with pytest.raises(ValueError, match="end must be an aware datetime"):
        occurrences(cadence, utc(2026, 3, 1), naive)
    with pytest.raises(ValueError, match="only a monthly cadence"):
        monthly_ordinal(cadence)


def test_an_empty_or_backwards_window_has_no_meetings() -> None:
    cadence = Cadence(WEEKLY, TUESDAY, time(9, 0), "Europe/Berlin", date(2026, 3, 2))

    assert occurrences(cadence, utc(2026, 4, 1), utc(2026, 4, 1)) == []
    assert occurrences(cadence, utc(2026, 5, 1), utc(2026, 4, 1)) == []


def test_next_occurrence_finds_the_same_meeting_as_walking_the_calendar_day_by_day() -> None:
    for seed in range(RANDOM_CASES):
        rng = random.Random(seed)
        cadence = random_cadence(rng)
        after = datetime.combine(cadence.start_date, time(), tzinfo=UTC) + timedelta(
            minutes=rng.randint(-60 * 24 * 40, 60 * 24 * 365 * 3)
        )

        found = next_occurrence(cadence, after)

        assert found > after, f"seed {seed}"
        window_start = after - timedelta(days=45)
        expected = meetings_by_walking(cadence, window_start, found + timedelta(days=2))
        assert occurrences(cadence, window_start, found + timedelta(days=2)) == expected, f"seed {seed}"
        assert [m for m in expected if after < m < found] == [], f"seed {seed}"
        assert found in expected, f"seed {seed}"
        assert all(earlier < later for earlier, later in pairwise(expected)), f"seed {seed}"


def random_cadence(rng: random.Random) -> Cadence:
    """A cadence with any frequency, weekday and zone, often at an hour clocks change at."""
    at = rng.choice(RANDOM_TIMES) if rng.random() < 0.5 else time(rng.randrange(24), rng.randrange(60))
    return Cadence(
        frequency=rng.choice([WEEKLY, BIWEEKLY, MONTHLY]),
        weekday=rng.randrange(7),
        local_time=at,
        tz=rng.choice(RANDOM_ZONES),
        start_date=date(2020, 1, 1) + timedelta(days=rng.randrange(365 * 10)),
    )


def meetings_by_walking(cadence: Cadence, start: datetime, end: datetime) -> list[datetime]:
    """The rules applied naively, one local day and one minute at a time: meetings in [start, end)."""
    zone = ZoneInfo(cadence.tz)
    first = cadence.start_date
    while first.weekday() != cadence.weekday:
        first += timedelta(days=1)
    day = max(first, start.astimezone(zone).date() - timedelta(days=2))
    found = []
    while day <= end.astimezone(zone).date():
        if meets_on(cadence, first, day):
            wall = datetime.combine(day, cadence.local_time)
            # The first wall time at or after the planned one that the zone really shows.
            while wall.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall:
                wall += timedelta(minutes=1)
            instant = wall.replace(tzinfo=zone).astimezone(UTC)
            if start <= instant < end:
                found.append(instant)
        day += timedelta(days=1)
    return found


def meets_on(cadence: Cadence, first: date, day: date) -> bool:
    """Whether the cadence plans a meeting on local date `day`."""
    if day < first or day.weekday() != cadence.weekday:
        return False
    if cadence.frequency == WEEKLY:
        return True
    if cadence.frequency == BIWEEKLY:
        return (day - first).days % 14 == 0
    nth = (first.day - 1) // 7 + 1
    if nth == 5:
        return (day + timedelta(weeks=1)).month != day.month
    return (day.day - 1) // 7 + 1 == nth
