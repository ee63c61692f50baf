"""When each step of a meeting happens, for every preparation and reminder a pair can choose."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.meetings import CHECKIN_AFTER, MEETING_LENGTH, Plan, meeting_times

TUESDAY_10_BERLIN = datetime(2026, 10, 13, 8, 0, tzinfo=UTC)
MONDAY_10_BERLIN = datetime(2026, 10, 12, 8, 0, tzinfo=UTC)


def test_by_default_the_mentee_prepares_the_working_day_before_and_the_reminder_is_an_hour_before() -> None:
    times = meeting_times(TUESDAY_10_BERLIN, Plan(), "Europe/Berlin", "Europe/Berlin")

    assert times.prep_at == TUESDAY_10_BERLIN - timedelta(days=1)
    assert times.soon_at == TUESDAY_10_BERLIN - timedelta(hours=1)
    assert times.checkin_at == TUESDAY_10_BERLIN + MEETING_LENGTH + CHECKIN_AFTER
    assert times.card_at == times.prep_at
    assert [times.stage_at(at) for at in (times.prep_at, times.soon_at, times.checkin_at)] == [
        "prep",
        "soon",
        "checkin",
    ]


def test_a_monday_meeting_is_prepared_on_friday() -> None:
    times = meeting_times(MONDAY_10_BERLIN, Plan(), "Europe/Berlin", "Europe/Berlin")

    assert times.prep_at == MONDAY_10_BERLIN - timedelta(days=3)


@pytest.mark.parametrize(
    ("plan", "card_at", "first_stage"),
    [
        (Plan(prep_days=2), TUESDAY_10_BERLIN - timedelta(days=4), "prep"),  # Friday, before Monday
        (Plan(prep_days=0), TUESDAY_10_BERLIN - timedelta(hours=2), "prep"),  # 08:00 on the day
        (Plan(prep_days=-1), TUESDAY_10_BERLIN - timedelta(hours=1), "soon"),  # at the reminder
        (Plan(prep_days=-1, reminder_minutes=15), TUESDAY_10_BERLIN - timedelta(minutes=15), "soon"),
        (Plan(prep_days=-1, reminder_minutes=0), TUESDAY_10_BERLIN - timedelta(hours=1), "soon"),
    ],
)
def test_the_pairs_choices_move_the_first_message(plan: Plan, card_at: datetime, first_stage: str) -> None:
    times = meeting_times(TUESDAY_10_BERLIN, plan, "Europe/Berlin", "Europe/Berlin")

    assert times.card_at == card_at
    assert times.stage_at(card_at) == first_stage


def test_a_morning_meeting_prepared_the_morning_of_it_is_prepared_the_working_day_before() -> None:
    early = datetime(2026, 10, 13, 6, 30, tzinfo=UTC)  # 08:30 in Berlin: 08:00 is after the agenda is final

    times = meeting_times(early, Plan(prep_days=0), "Europe/Berlin", "Europe/Berlin")

    assert times.prep_at is not None
    assert times.prep_at.date() == early.date() - timedelta(days=1)


def test_each_step_waits_for_both_members_daytime() -> None:
    # 10:00 in Berlin is 04:00 in New York: the message waits for 08:00 there (14:00 in Berlin).
    times = meeting_times(TUESDAY_10_BERLIN, Plan(), "Europe/Berlin", "America/New_York")

    assert times.prep_at == datetime(2026, 10, 12, 12, 0, tzinfo=UTC)
    assert times.checkin_at == datetime(2026, 10, 13, 12, 0, tzinfo=UTC)
    assert times.checkin_at > times.ends_at
