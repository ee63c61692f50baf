"""Eight weeks of a real program, end to end: few messages, none at night, nothing lost.

The scenario lives in `tests/simulation.py` (`bench/eight_weeks.py` prints its figures). It runs
once for this module, on SQLite; each test looks at one property of what people received.
The budgets are a third of what people received before messages were updated in place, measured
with `python bench/eight_weeks.py` on the code of that time (the figures are below).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete

from storage.models import Base
from tests.conftest import TestDatabase
from tests.simulation import ADMIN, MEMBERS, NEW, PROGRAM_NAME, WEEKS, Record, run_program

# New messages (DMs, group DMs and files) each person received in the eight weeks on the code of
# 1 December 2026 (commit 1878099), before updates in place: `python bench/eight_weeks.py`.
BEFORE = {
    "UMNYC": 56,
    "UMBER": 58,
    "UMSYD": 22,
    "UMKOL": 35,
    "UELAX": 31,
    "UELON": 20,
    "UETYO": 17,
    "UEKOL": 28,
    "UESYD": 18,
    "UECHI": 28,
}
BEFORE_POSTED = 211  # messages mentorbot posted, a group DM or channel post counted once


def budget(user_id: str) -> int:
    """A third of what the person used to get, but never less than a message a week."""
    return max(math.ceil(BEFORE[user_id] / 3), WEEKS)


@pytest.fixture(scope="module")
def program(database: TestDatabase) -> Iterator[Record]:
    """The eight weeks, run once on empty tables."""
    if database.kind != "sqlite":
        pytest.skip(
            "eight simulated weeks take minutes on a busy machine; they run on SQLite here, and "
            "`python bench/eight_weeks.py --database-url postgresql://...` runs them on PostgreSQL"
        )
    _empty(database)
    yield run_program(database.engine, database.url)
    _empty(database)


def _empty(database: TestDatabase) -> None:
    with database.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(delete(table))


def test_people_can_take_every_step_of_the_program(program: Record) -> None:
    assert len(program.pairs) == 6, program.pairs
    assert program.problems == []
    assert program.server_errors == []
    assert program.refusals == []


def test_nothing_reaches_anyone_at_night_unless_it_answers_their_own_click(program: Record) -> None:
    night = [
        f"{d.local(user_id):%a %d %b %H:%M} {user_id} {d.method}: {d.text[:60]!r}"
        for user_id, d in program.night_messages()
    ]
    assert night == []


def test_each_member_gets_at_most_a_third_of_the_messages_they_used_to(program: Record) -> None:
    received = {user_id: len(program.for_the_weeks(program.new_messages(user_id))) for user_id in MEMBERS}
    over = {user_id: (n, budget(user_id)) for user_id, n in received.items() if n > budget(user_id)}
    assert over == {}, "person: (messages, budget)"


def test_mentorbot_posts_at_most_a_third_of_the_messages_it_used_to(program: Record) -> None:
    posted = program.for_the_weeks([d for d in program.deliveries if d.kind == NEW])
    assert len(posted) <= math.ceil(BEFORE_POSTED / 3)


def test_partners_learn_every_answer_goal_progress_agreement_and_pause(program: Record) -> None:
    lost = [
        f"{fact.what} by {fact.owner} at {fact.at:%d %b %H:%M} never reached {user_id}"
        for fact, user_id in program.lost_facts()
        if user_id != ADMIN.user_id
    ]
    assert lost == []


def test_the_admin_who_set_the_program_up_hears_of_not_a_fit_and_gets_weekly_reports(
    program: Record,
) -> None:
    lost = [
        f"{fact.what} by {fact.owner}" for fact, user_id in program.lost_facts() if user_id == ADMIN.user_id
    ]
    zone = ZoneInfo(ADMIN.tz)
    report_weeks = {
        d.week()
        for d in program.new_messages(ADMIN.user_id)
        if d.actor is None and PROGRAM_NAME in d.text and d.at.astimezone(zone).weekday() == 0
    }
    assert lost == []
    assert report_weeks >= set(range(1, WEEKS))
