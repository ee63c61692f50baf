"""A cohort's days and the instants of its steps, and the clock taking each step once."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from bot.cohorts import Dates, Step, next_step_at, step_at, take_cohort_steps
from storage.db import SessionFactory
from storage.models import Cohort, OutboxMessage, Program, Workspace
from tests.fakes.slack_api import TEAM_ID


def winter(**overrides: object) -> Cohort:
    values: dict = {
        "team_id": TEAM_ID,
        "program_id": 1,
        "name": "Winter 2027",
        "tz": "America/New_York",
        "signup_opens_on": date(2027, 1, 4),
        "signup_closes_on": date(2027, 1, 10),
        "starts_on": date(2027, 1, 11),
        "ends_on": date(2027, 4, 5),
        "graduation_days": 7,
        "created_by_user_id": "UADMIN",
    }
    return Cohort(**(values | overrides))


def test_the_midpoint_is_halfway_and_graduation_a_week_before_the_end() -> None:
    dates = Dates(date(2027, 1, 4), date(2027, 1, 10), date(2027, 1, 11), date(2027, 4, 5), 7)

    assert dates.midpoint_on == date(2027, 2, 22)  # 84 days: 42 after the start
    assert dates.graduation_on == date(2027, 3, 29)


def test_steps_happen_at_nine_in_the_cohorts_zone_and_sign_up_closes_at_midnight() -> None:
    cohort = winter()

    assert step_at(cohort, Step.ANNOUNCE) == datetime(2027, 1, 4, 14, 0, tzinfo=UTC)  # 09:00 in New York
    assert step_at(cohort, Step.CLOSE_SIGNUP) == datetime(2027, 1, 11, 5, 0, tzinfo=UTC)
    # New York moves its clocks on 14 March: the end is still 09:00 there, now 13:00 UTC.
    assert step_at(cohort, Step.COMPLETE) == datetime(2027, 4, 5, 13, 0, tzinfo=UTC)
    assert next_step_at(cohort) == step_at(cohort, Step.ANNOUNCE)


def test_a_step_is_taken_once_however_often_the_clock_looks(session_factory: SessionFactory) -> None:
    with session_factory.begin() as session:
        session.add(Workspace(team_id=TEAM_ID))
        session.flush()
        program = Program(
            team_id=TEAM_ID, name="Mentorship", is_default=True, skills=[], admin_user_ids=["UADMIN"]
        )
        session.add(program)
        session.flush()
        cohort = winter(program_id=program.id)
        cohort.next_step_at = next_step_at(cohort)
        session.add(cohort)
    at = datetime(2027, 1, 4, 15, 0, tzinfo=UTC)

    with session_factory.begin() as session:
        first = take_cohort_steps(session, at)
    with session_factory.begin() as session:
        second = take_cohort_steps(session, at)

    assert (first, second) == (1, 0)
    with session_factory() as session:
        taken = session.scalars(select(Cohort)).one()
        letters = session.scalar(select(func.count()).select_from(OutboxMessage))
    assert taken.announced_at == at
    assert taken.next_step_at == step_at(taken, Step.CLOSE_SIGNUP)
    assert letters == 1  # no channel yet: the one admin is told sign-up is open
