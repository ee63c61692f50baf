"""Outcome figures: how each cohort's pairs fared, computed by the database, shown without answers.

A seeded program with two cohorts and open-ended pairs must give exactly the figures that the
definitions in `bot/outcomes.py` give when worked out by hand from the seed (the arithmetic is
written out beside each assertion), on SQLite and PostgreSQL. Figures from fewer than five people
are hidden; nothing anyone wrote in a closing survey reaches an admin.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas
import pytest
from PIL import Image
from sqlalchemy import event, select

from bot.app import create_sending_client
from bot.clock import Clock
from bot.config import Settings
from bot.home import HomeSnapshot
from bot.insights import ProgramHealth
from bot.outcomes import MIN_ANSWERS, Outcomes, program_outcomes
from bot.report import send_weekly_reports
from bot.views.common import MAX_BLOCKS_VIEW
from bot.views.home import home_view
from storage.db import SessionFactory
from storage.models import (
    CheckIn,
    CheckInAnswer,
    ClosingSurvey,
    Cohort,
    CohortMember,
    Goal,
    MidpointCheck,
    Pair,
    Person,
    Profile,
    Program,
    Workspace,
)
from tests.blockkit import assert_valid_view
from tests.conftest import TestDatabase
from tests.fakes.slack_api import BOT_TOKEN, TEAM_ID, FakeSlack
from tests.fakes.slack_requests import SIGNING_SECRET, SlackSender

ADMIN = "UPROGADMIN"
NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # a Monday: the weekly report is due
WRITTEN = "WHAT-CHANGED-7f3a: I finally ran the design review myself"
DAY = 86400.0
HOUR = 3600.0


@pytest.fixture
def settings(fake_slack: FakeSlack, database: TestDatabase) -> Settings:
    return Settings(
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        database_url=database.url,
        slack_api_url=fake_slack.base_url,
    )


@dataclass(frozen=True)
class Seeded:
    program_id: int
    spring: int  # cohort A, ended
    autumn: int  # cohort B, running
    pairs: dict[str, int]
    people: dict[str, int]


def seed(session_factory: SessionFactory, now: datetime) -> Seeded:
    """Mentorship: cohort Spring (ended 10 days ago), cohort Autumn (running), three open-ended pairs.

    Each pair has its own mentor except B1 and B3 (both mentored by UMB1). Every pair's mentee has
    a profile that joined 400 days ago (what a cohort pair must not use) and cohort pairs' mentees
    a cohort sign-up. `days(n)` is n days as a timedelta.
    """
    days = lambda n: timedelta(days=n)  # noqa: E731
    with session_factory.begin() as session:
        session.add(Workspace(team_id=TEAM_ID))
        session.flush()
        program = Program(
            team_id=TEAM_ID, name="Mentorship", is_default=True, skills=[], admin_user_ids=[ADMIN]
        )
        other = Program(team_id=TEAM_ID, name="Other", skills=[], admin_user_ids=[])
        session.add_all([program, other])
        session.flush()

        def cohort(name: str, starts: date, completed: datetime | None) -> Cohort:
            row = Cohort(
                team_id=TEAM_ID,
                program_id=program.id,
                name=name,
                tz="UTC",
                signup_opens_on=starts - timedelta(days=14),
                signup_closes_on=starts - timedelta(days=1),
                starts_on=starts,
                ends_on=starts + timedelta(days=180),
                created_by_user_id=ADMIN,
                completed_at=completed,
            )
            session.add(row)
            session.flush()
            return row

        spring = cohort("Spring", (now - days(200)).date(), now - days(10))
        autumn = cohort("Autumn", (now - days(40)).date(), None)
        people: dict[str, Person] = {}

        def person(user_id: str) -> Person:
            if user_id not in people:
                people[user_id] = Person(team_id=TEAM_ID, user_id=user_id, tz="UTC")
                session.add(people[user_id])
                session.flush()
            return people[user_id]

        pairs: dict[str, Pair] = {}

        def pair(
            name: str,
            status: str,
            created_days_ago: float,
            *,
            into: Cohort | None,
            joined: timedelta,
            mentor: str | None = None,
            program_of: Program = program,
            **extra: object,
        ) -> Pair:
            """`joined`: the mentee's sign-up, before the pair's creation (negative: after it)."""
            created = now - days(created_days_ago)
            mentee = person(f"UE{name}")
            session.add(
                Profile(
                    team_id=TEAM_ID,
                    program_id=program_of.id,
                    person_id=mentee.id,
                    role="mentee",
                    joined_at=created - joined if into is None else now - days(400),
                )
            )
            if into is not None:
                session.add(
                    CohortMember(
                        team_id=TEAM_ID, cohort_id=into.id, person_id=mentee.id, joined_at=created - joined
                    )
                )
            row = Pair(
                team_id=TEAM_ID,
                program_id=program_of.id,
                mentor_id=person(mentor or f"UM{name}").id,
                mentee_id=mentee.id,
                status=status,
                created_at=created,
                cohort_id=into.id if into else None,
                **{
                    key: created + value if isinstance(value, timedelta) else value
                    for key, value in extra.items()
                },
            )
            session.add(row)
            session.flush()
            pairs[name] = row
            return row

        h = lambda n: timedelta(hours=n)  # noqa: E731
        # Cohort Spring: sign-up gaps 3, 1, 5, 0 (signed up 2 h after the match), 0.5, 2 days.
        pair("A1", "completed", 200, into=spring, joined=days(3), completed_at=days(180))
        pair("A2", "completed", 200, into=spring, joined=days(1), completed_at=days(180))
        pair("A3", "ended", 200, into=spring, joined=days(5), ended_at=days(20))
        pair("A4", "ended", 200, into=spring, joined=-h(2), ended_at=days(100))
        pair("A5", "completed", 190, into=spring, joined=h(12), completed_at=days(170))
        pair("A6", "active", 200, into=spring, joined=days(2))
        # Cohort Autumn: sign-up gaps 10, 1, 0.25, 3 days.
        pair("B1", "active", 40, into=autumn, joined=days(10), mentor="UMB1")
        pair("B2", "paused", 40, into=autumn, joined=days(1), paused_at=days(20))
        pair("B3", "active", 10, into=autumn, joined=h(6), mentor="UMB1")
        pair("B4", "ended", 40, into=autumn, joined=days(3), ended_at=days(35))
        # B1's mentee also signed up for Spring, long before: Autumn's sign-up is the one that counts.
        session.add(
            CohortMember(
                team_id=TEAM_ID, cohort_id=spring.id, person_id=people["UEB1"].id, joined_at=now - days(300)
            )
        )
        # Open-ended: sign-up gaps (their program profiles) 4, 0.5, 6 days.
        pair("O1", "active", 100, into=None, joined=days(4))
        pair("O2", "ended", 100, into=None, joined=h(12), ended_at=days(60))
        pair("O3", "paused", 100, into=None, joined=days(6), paused_at=days(95))
        # Another program's pair: nothing of it may count.
        pair("X1", "completed", 300, into=None, joined=days(50), program_of=other)

        def checkin(
            of: str,
            after: timedelta,
            met: str | None,
            *,
            stage: str = "checkin",
            moved: timedelta | None = None,
            answers: tuple[tuple[str, str], ...] = (),
        ) -> None:
            owner = pairs[of]
            row = CheckIn(
                team_id=TEAM_ID,
                pair_id=owner.id,
                due_at=owner.created_at + after,
                met=met,
                answered_at=owner.created_at + after + h(1) if met else None,
                stage=stage,
                moved_to=owner.created_at + moved if moved is not None else None,
            )
            session.add(row)
            session.flush()
            for who, said in answers:
                member = owner.mentor_id if who == "mentor" else owner.mentee_id
                session.add(CheckInAnswer(checkin_id=row.id, person_id=member, met=said))

        checkin("A1", days(3), "not_yet")
        checkin("A1", days(7), "yes")  # A1 first met after 7 days
        checkin("A2", days(5), "yes", stage="skipped")  # skipped: asked nothing, counts for nothing
        # The mentor said yes, the mentee then "not yet": a member's yes is a meeting. Moved to day 12.
        checkin("A2", days(10), "not_yet", moved=days(12), answers=(("mentor", "yes"), ("mentee", "not_yet")))
        checkin("A3", days(2), "yes")  # 2 days
        checkin("A4", days(5), None)  # never answered: A4 never met
        checkin("A5", days(1), None, stage="soon")  # still to come when it was seeded
        checkin("A5", days(4), "yes")  # 4 days
        checkin("A6", days(20), "yes")  # 20 days
        checkin("A6", days(27), "yes")
        checkin("B1", h(6), "yes")  # 0.25 days
        checkin("B2", days(7), "rescheduled")
        checkin("B4", days(1), "yes")  # 1 day
        checkin("O1", days(3), "yes")  # 3 days
        checkin("O2", days(14), "not_yet", answers=(("mentee", "not_yet"),))
        checkin("O3", days(9), "yes")  # 9 days
        checkin("X1", days(1), "yes")

        def goal(of: str, status: str, final: str | None) -> None:
            owner = pairs[of]
            session.add(
                Goal(
                    team_id=TEAM_ID,
                    pair_id=owner.id,
                    owner_id=owner.mentee_id,
                    specific="Run a design review",
                    measure_kind="milestones",
                    attainable="",
                    realistic="",
                    deadline=(now + days(30)).date(),
                    status=status,
                    final_rating=final,
                    rated_at=now - days(10) if final else None,
                )
            )

        goal("A1", "achieved", "achieved")  # achieved
        goal("A1", "active", "partly")  # partly
        goal("A2", "achieved", "not_yet")  # the rating at graduation wins: not achieved
        goal("A3", "achieved", None)  # not rated, marked achieved: achieved
        goal("A4", "active", None)
        goal("A5", "missed", "partly")  # partly
        goal("A6", "active", "achieved")  # achieved
        goal("B1", "achieved", None)  # achieved
        goal("B2", "active", None)
        goal("B3", "active", None)
        goal("B4", "dropped", None)
        goal("O1", "achieved", None)  # achieved
        goal("O1", "active", None)
        goal("O2", "dropped", None)
        goal("X1", "achieved", "achieved")

        def midpoint(of: str, who: str, rating: int) -> None:
            owner = pairs[of]
            member = owner.mentor_id if who == "mentor" else owner.mentee_id
            session.add(
                MidpointCheck(
                    team_id=TEAM_ID, pair_id=owner.id, person_id=member, rating=rating, on_track="yes"
                )
            )

        for of, who, rating in (
            ("A1", "mentee", 5),
            ("A1", "mentor", 4),
            ("A2", "mentee", 3),
            ("A3", "mentee", 4),
            ("A5", "mentor", 2),
            ("B1", "mentee", 5),
            ("B1", "mentor", 4),  # UMB1
            ("B2", "mentee", 2),
            ("B4", "mentee", 3),
            ("X1", "mentee", 1),
        ):
            midpoint(of, who, rating)

        def closing(
            of: str, who: str, rating: int | None, recommend: int | None, choice: str | None = None
        ) -> None:
            owner = pairs[of]
            member = owner.mentor_id if who == "mentor" else owner.mentee_id
            session.add(
                ClosingSurvey(
                    team_id=TEAM_ID,
                    pair_id=owner.id,
                    person_id=member,
                    rating=rating,
                    recommend=recommend,
                    what_changed=f"{WRITTEN} ({of} {who})",
                    answered_at=now - days(5) if rating is not None or recommend is not None else None,
                    choice=choice,
                )
            )

        for of, who, rating, recommend in (
            ("A1", "mentee", 5, 10),
            ("A1", "mentor", 4, 9),
            ("A2", "mentee", 4, 8),
            ("A3", "mentee", 2, 3),
            ("A5", "mentee", 5, 10),
            ("A6", "mentor", None, 6),
            ("A4", "mentee", 3, None),
            ("B4", "mentee", 4, 7),
            ("O2", "mentee", 1, 0),
            ("O2", "mentor", 2, None),
            ("X1", "mentee", 5, 10),
        ):
            closing(of, who, rating, recommend)
        closing("O1", "mentee", None, None, choice="keep")  # chose only: no rating, no score
        return Seeded(
            program.id,
            spring.id,
            autumn.id,
            {name: row.id for name, row in pairs.items()},
            {user_id: row.id for user_id, row in people.items()},
        )


def outcomes(session_factory: SessionFactory, program_id: int, now: datetime = NOW) -> Outcomes:
    with session_factory() as session:
        return program_outcomes(session, session.get(Program, program_id), now)


def test_every_outcome_figure_is_the_one_worked_out_by_hand(session_factory: SessionFactory) -> None:
    seeded = seed(session_factory, NOW)

    found = outcomes(session_factory, seeded.program_id)

    spring, autumn, open_ended = found.groups
    total = found.total
    assert [(g.name, g.cohort_id, g.cohort_ended) for g in found.groups] == [
        ("Spring", seeded.spring, True),
        ("Autumn", seeded.autumn, False),
        ("Open-ended", None, False),
    ]
    assert (total.name, total.is_total) == ("All pairs", True)
    assert [g.name for g in found.cohorts] == ["Spring", "Autumn"]

    # Pairs by status (active, paused, ended early, completed).
    assert (spring.pairs, spring.active, spring.paused, spring.ended_early, spring.completed) == (
        6,
        1,
        0,
        2,
        3,
    )
    assert (autumn.pairs, autumn.active, autumn.paused, autumn.ended_early, autumn.completed) == (
        4,
        2,
        1,
        1,
        0,
    )
    assert (open_ended.pairs, open_ended.active, open_ended.paused, open_ended.ended_early) == (3, 1, 1, 1)
    assert (total.pairs, total.active, total.paused, total.ended_early, total.completed) == (
        6 + 4 + 3,
        1 + 2 + 1,
        0 + 1 + 1,
        2 + 1 + 1,
        3 + 0 + 0,
    )

    # Sign-up to match. Spring: 3, 1, 5, 0 (negative), 0.5, 2 -> 0, 0.5, 1, 2, 3, 5 -> (1 + 2) / 2.
    assert spring.signup_to_match == pytest.approx(1.5 * DAY)
    # Autumn: 10, 1, 0.25, 3 -> 0.25, 1, 3, 10 -> (1 + 3) / 2.
    assert autumn.signup_to_match == pytest.approx(2 * DAY)
    # Open-ended: 4, 0.5, 6 -> 4.
    assert open_ended.signup_to_match == pytest.approx(4 * DAY)
    # All 13: 0, .25, .5, .5, 1, 1, 2, 3, 3, 4, 5, 6, 10 -> the 7th.
    assert total.signup_to_match == pytest.approx(2 * DAY)

    # Match to first meeting, over pairs that met. Spring: A1 7, A2 12 (moved), A3 2, A5 4, A6 20.
    assert (spring.met, spring.met_share) == (5, pytest.approx(5 / 6))
    assert spring.match_to_meeting == pytest.approx(7 * DAY)  # 2, 4, 7, 12, 20
    # Autumn: B1 6 hours, B4 1 day -> (0.25 + 1) / 2 = 0.625 days = 15 hours.
    assert (autumn.met, autumn.met_share) == (2, pytest.approx(2 / 4))
    assert autumn.match_to_meeting == pytest.approx(15 * HOUR)
    # Open-ended: O1 3, O3 9 -> 6.
    assert (open_ended.met, open_ended.match_to_meeting) == (2, pytest.approx(6 * DAY))
    # All: .25, 1, 2, 3, 4, 7, 9, 12, 20 -> the 5th.
    assert (total.met, total.met_share) == (9, pytest.approx(9 / 13))
    assert total.match_to_meeting == pytest.approx(4 * DAY)

    def survival(group) -> list[tuple[int, int, float | None]]:
        return [(s.old_enough, s.survived, s.share) for s in group.survival]

    # Spring (190-200 days old): A3 stopped at day 20 (fails all), A4 at day 100 (fails 180).
    assert survival(spring) == [
        (6, 5, pytest.approx(5 / 6)),
        (6, 5, pytest.approx(5 / 6)),
        (6, 4, pytest.approx(4 / 6)),
    ]
    # Autumn: B3 is 10 days old; B2 paused at day 20 fails 30, B4 ended at day 35 survives it.
    assert survival(autumn) == [(3, 2, pytest.approx(2 / 3)), (0, 0, None), (0, 0, None)]
    # Open-ended (100 days): O2 ended at day 60 fails 90; O3 paused at day 95 survives 90.
    assert survival(open_ended) == [(3, 3, 1.0), (3, 2, pytest.approx(2 / 3)), (0, 0, None)]
    assert survival(total) == [
        (6 + 3 + 3, 5 + 2 + 3, pytest.approx(10 / 12)),
        (6 + 0 + 3, 5 + 0 + 2, pytest.approx(7 / 9)),
        (6 + 0 + 0, 4, pytest.approx(4 / 6)),
    ]
    assert total.survival_at(90).share == pytest.approx(7 / 9)

    # Completion: Spring ended, A1, A2, A5 completed of 6; Autumn runs on; open-ended have none.
    assert (spring.in_ended_cohorts, spring.completed_in_ended_cohorts, spring.completion) == (6, 3, 0.5)
    assert (autumn.completion, open_ended.completion) == (None, None)
    assert total.completion == pytest.approx(3 / 6)

    # Goals: Spring's 7 goals of 6 owners: achieved A1, A3 (unrated), A6; partly A1, A5.
    assert spring.goals is not None
    assert (spring.goals.total, spring.goals.achieved, spring.goals.partly) == (7, 3, 2)
    assert (spring.goals.achieved_share, spring.goals.partly_share) == (
        pytest.approx(3 / 7),
        pytest.approx(2 / 7),
    )
    assert autumn.goals is None, "4 owners: not enough"
    assert open_ended.goals is None, "2 owners: not enough"
    # The total would give Autumn's and the open-ended goals away (total minus Spring): hidden too.
    assert total.goals is None

    # Midpoint: Spring 5, 4, 3, 4, 2 from five people; Autumn 4 people; none open-ended.
    assert spring.midpoint is not None
    assert (spring.midpoint.value, spring.midpoint.answers) == (pytest.approx(18 / 5), 5)
    assert (autumn.midpoint, open_ended.midpoint) == (None, None)
    assert total.midpoint is None, "nine people, but minus Spring's five it is Autumn's four"

    # Closing ratings: Spring 5, 4, 4, 2, 5, 3 (A6's mentor gave only a score).
    assert spring.closing is not None
    assert (spring.closing.value, spring.closing.answers) == (pytest.approx(23 / 6), 6)
    assert (autumn.closing, open_ended.closing) == (None, None)
    assert total.closing is None
    # Recommend: Spring 10, 9, 8, 3, 10, 6: 3 promoters, 2 detractors of 6.
    assert spring.recommend is not None
    assert (spring.recommend.value, spring.recommend.answers) == (pytest.approx(100 * (3 - 2) / 6), 6)
    # All of them (Autumn's 7 and O2's 0 with Spring's) would single out Autumn's and O2's answers.
    assert total.recommend is None


def _midpoint(session_factory: SessionFactory, seeded: Seeded, pair: str, user_id: str, rating: int) -> None:
    with session_factory.begin() as session:
        session.add(
            MidpointCheck(
                team_id=TEAM_ID,
                pair_id=seeded.pairs[pair],
                person_id=seeded.people[user_id],
                rating=rating,
                on_track="partly",
            )
        )


def test_four_peoples_answers_are_hidden_and_five_are_shown(session_factory: SessionFactory) -> None:
    seeded = seed(session_factory, NOW)
    assert MIN_ANSWERS == 5

    four = outcomes(session_factory, seeded.program_id).groups[1]
    # UMB1, who answered for B1, answers for B3 too: five answers, still four people.
    _midpoint(session_factory, seeded, "B3", "UMB1", 1)
    same_four = outcomes(session_factory, seeded.program_id).groups[1]
    _midpoint(session_factory, seeded, "B3", "UEB3", 5)
    five = outcomes(session_factory, seeded.program_id).groups[1]

    assert four.name == "Autumn"
    assert four.midpoint is None
    assert same_four.midpoint is None, "five answers from four people single someone out"
    assert five.midpoint is not None
    assert (five.midpoint.value, five.midpoint.answers) == (pytest.approx((5 + 4 + 2 + 3 + 1 + 5) / 6), 6)


def test_a_young_program_has_no_survival_figures_yet(session_factory: SessionFactory) -> None:
    seeded = seed(session_factory, NOW)

    # Seen 20 days before NOW: Autumn's pairs are 20 days old (B3 not made yet), the open-ended
    # ones 80 days, Spring's 170 (A5) and 180 (the rest: exactly old enough for 180 days).
    early = outcomes(session_factory, seeded.program_id, NOW - timedelta(days=20))

    autumn = early.groups[1]
    assert [(s.days, s.old_enough, s.share) for s in autumn.survival] == [
        (30, 0, None),
        (90, 0, None),
        (180, 0, None),
    ]
    assert [(s.days, s.old_enough) for s in early.total.survival] == [(30, 6 + 3), (90, 6), (180, 5)]


def test_an_empty_program_has_no_figures(session_factory: SessionFactory) -> None:
    with session_factory.begin() as session:
        session.add(Workspace(team_id=TEAM_ID))
        session.flush()
        program = Program(team_id=TEAM_ID, name="Empty", is_default=True, skills=[], admin_user_ids=[])
        session.add(program)
        session.flush()
        program_id = program.id

    found = outcomes(session_factory, program_id)

    assert found.groups == ()
    total = found.total
    assert (total.pairs, total.met_share, total.signup_to_match, total.match_to_meeting) == (
        0,
        None,
        None,
        None,
    )
    assert [s.share for s in total.survival] == [None, None, None]
    assert (total.completion, total.goals, total.midpoint, total.closing, total.recommend) == (None,) * 5


def test_outcomes_are_four_aggregate_queries_that_never_read_what_anyone_wrote(
    session_factory: SessionFactory, database: TestDatabase
) -> None:
    seeded = seed(session_factory, NOW)
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement.lower())

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        with session_factory() as session:
            program = session.get(Program, seeded.program_id)
            statements.clear()
            program_outcomes(session, program, NOW)
    finally:
        event.remove(database.engine, "before_cursor_execute", record)

    assert len(statements) == 4, statements
    for private in ("what_changed", "specific", "learned", "blocker", "notes", "closing_note", "comment"):
        assert all(private not in s for s in statements), private


CHART = Path("/tmp/mentorbot-outcomes-chart.png")
# Colours only the cohort panel uses: its "Completed" and "Goals achieved" bars.
COMPLETED_BAR, GOALS_BAR = (0xEC, 0xB2, 0x2E), (0xE0, 0x1E, 0x5A)


def read_with_pandas(content: bytes) -> pandas.DataFrame:
    """The CSV as pandas reads it: every cell a string, empty cells kept empty."""
    return pandas.read_csv(io.BytesIO(content), encoding="utf-8-sig", dtype=str, keep_default_na=False)


def test_an_admins_home_shows_a_line_per_cohort_and_the_export_has_the_outcomes_file(
    slack: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory, app_clock: Clock
) -> None:
    seed(session_factory, app_clock())
    fake_slack.add_user(ADMIN)

    slack.open_home(ADMIN)
    view = fake_slack.wait_for("views.publish")[0].args["view"]
    assert slack.slash("export", user_id=ADMIN).status == 200
    fake_slack.wait_for("response_url")

    assert_valid_view(view)
    (outcome_block,) = [b for b in view["blocks"] if "*Outcomes of Mentorship*" in str(b)]
    lines = outcome_block["text"]["text"].split("\n• ")
    assert [line.split(" · ")[0] for line in lines[1:]] == [
        "*Spring* (ended)",
        "*Autumn* (running)",
        "*Open-ended*",
        "*All pairs*",
    ]
    spring, autumn = lines[1], lines[2]
    for figure in (
        "6 pairs: 1 active, 0 paused, 2 ended early, 3 completed",
        "matched 1.5 days after sign-up",
        "first meeting 7.0 days after the match",
        "met 83%",
        "still going at 30/90/180 days 83% / 83% / 67%",
        "completed 50%",
        "goals achieved 3 of 7 (partly 2)",
        "midpoint 3.6 of 5",
        "closing 3.8 of 5",
        "recommend +17",
    ):
        assert figure in spring, figure
    for figure in (
        "first meeting 15 hours after the match",
        "still going at 30/90/180 days 67% / not yet / not yet",
        "completed: still running",
        "goals and ratings: not enough answers yet",
    ):
        assert figure in autumn, figure
    assert "goals and ratings: not enough answers yet" in lines[4], "the total would give Autumn's away"

    (outcomes_file,) = [f for f in fake_slack.files.values() if f["filename"].startswith("outcomes-")]
    assert outcomes_file["filename"] == f"outcomes-mentorship-{app_clock().date().isoformat()}.csv"
    frame = read_with_pandas(outcomes_file["content"]).set_index("name")
    assert list(frame.index) == ["Spring", "Autumn", "Open-ended", "All pairs"]
    assert list(frame["group"]) == ["cohort", "cohort", "open-ended", "program"]
    spring_row, autumn_row, total_row = frame.loc["Spring"], frame.loc["Autumn"], frame.loc["All pairs"]
    assert (spring_row["cohort_ended"], autumn_row["cohort_ended"], total_row["cohort_ended"]) == (
        "yes",
        "no",
        "",
    )
    assert (spring_row["median_days_signup_to_match"], autumn_row["median_days_match_to_first_meeting"]) == (
        "1.5",
        "0.62",  # 15 hours
    )
    assert (spring_row["met_pct"], spring_row["still_going_at_180_days_pct"]) == ("83.3", "66.7")
    assert (autumn_row["pairs_90_days_old"], autumn_row["still_going_at_90_days_pct"]) == ("0", "")
    assert (spring_row["goals_achieved"], spring_row["goals"], spring_row["goals_partly"]) == ("3", "7", "2")
    assert (spring_row["midpoint_rating"], spring_row["recommend_score"]) == ("3.6", "16.7")
    assert spring_row["hidden_because"] == ""
    assert (autumn_row["goals"], autumn_row["midpoint_rating"], autumn_row["recommend_score"]) == ("", "", "")
    assert autumn_row["hidden_because"] == (
        "goals: fewer than 5 goal owners; "
        "midpoint_rating, closing_rating, recommend_score: fewer than 5 people answered"
    )
    assert total_row["completion_pct"] == "50", "whole numbers read whole"
    assert total_row["recommend_score"] == ""
    assert total_row["hidden_because"].startswith(
        "goals, midpoint_rating, closing_rating, recommend_score: hidden"
    )


def test_the_weekly_report_compares_the_cohorts_in_its_text_and_its_chart(
    session_factory: SessionFactory, fake_slack: FakeSlack, settings: Settings
) -> None:
    seed(session_factory, NOW)

    sent = send_weekly_reports(session_factory, create_sending_client(settings), NOW, settings)

    assert sent == 1
    (upload,) = [c for c in fake_slack.calls_to("files.completeUploadExternal") if c.ok]
    comment = upload.args["initial_comment"]
    assert "*Outcomes of Mentorship*" in comment
    assert "• *Spring* (ended) · 6 pairs" in comment
    assert (
        "The chart shows meetings and answered check-ins per week, and the cohorts side by side." in comment
    )
    (asked,) = fake_slack.calls_to("files.getUploadURLExternal")
    assert asked.args["alt_txt"].startswith(
        "Cohorts compared: Spring: met at least once 83%, still going at 90 days 83%, completed 50%, "
        "goals achieved 43%; Autumn: met at least once 50%, still going at 90 days not yet, "
        "completed still running, goals achieved not enough answers yet. Bar chart of check-ins"
    )
    (chart,) = fake_slack.files.values()
    CHART.write_bytes(chart["content"])  # look at it: /tmp/mentorbot-outcomes-chart.png
    image = Image.open(io.BytesIO(chart["content"]))
    assert (image.format, image.size) == ("PNG", (800, 800)), "a second panel below the weeks"
    colors = {color: count for count, color in image.convert("RGB").getcolors(maxcolors=1 << 20)}
    # Spring's completion (50%) and goals (43%) bars; Autumn has neither (running, too few owners).
    assert colors.get(COMPLETED_BAR, 0) > 1000
    assert colors.get(GOALS_BAR, 0) > 1000
    assert colors.get(COMPLETED_BAR, 0) > colors.get(GOALS_BAR, 0), "50% is taller than 43%"


def test_nothing_written_in_a_closing_survey_reaches_an_admin(
    slack: SlackSender,
    fake_slack: FakeSlack,
    session_factory: SessionFactory,
    settings: Settings,
    app_clock: Clock,
) -> None:
    now = app_clock()
    seed(session_factory, now)
    with session_factory.begin() as session:
        for program in session.scalars(select(Program)):
            program.export_free_text = True  # even with free text allowed
    with session_factory() as session:
        written = list(session.scalars(select(ClosingSurvey.what_changed)))
    assert len(written) == 12
    assert all(WRITTEN in text for text in written)
    fake_slack.add_user(ADMIN)
    fake_slack.add_user("UWSADMIN", is_admin=True)

    slack.open_home(ADMIN)
    slack.open_home("UWSADMIN")
    slack.slash("export", user_id=ADMIN)
    fake_slack.wait_for("views.publish", count=2)
    fake_slack.wait_for("response_url")
    monday = datetime.combine(now.date() - timedelta(days=now.weekday()), datetime.min.time(), UTC)
    reports = send_weekly_reports(
        session_factory, create_sending_client(settings), monday + timedelta(hours=10), settings
    )

    assert reports == 2, "Mentorship's to its admin, Other's to the workspace admin"
    surfaces = {c.method for c in fake_slack.calls}
    assert {"views.publish", "files.completeUploadExternal", "response_url"} <= surfaces
    marker = WRITTEN.split(":")[0]
    for call in fake_slack.calls:
        assert marker not in json.dumps(call.args), call.method
    assert sorted(f["filename"].split("-")[0] for f in fake_slack.files.values()) == [
        "checkins",
        "goals",
        "mentorbot",  # the weekly charts
        "mentorbot",
        "outcomes",
        "pairs",
        "participants",
    ]
    for stored in fake_slack.files.values():
        assert marker.encode() not in stored["content"], stored["filename"]


def test_the_home_tab_of_an_admin_of_many_programs_and_cohorts_stays_within_100_blocks(
    session_factory: SessionFactory,
) -> None:
    seeded = seed(session_factory, NOW)
    found = outcomes(session_factory, seeded.program_id)
    many = replace(
        found, groups=tuple(replace(found.groups[0], name=f"Cohort {n} " + "x" * 60) for n in range(40))
    )
    programs = 60
    health = tuple(
        ProgramHealth(program_id=n, program_name=f"Program {n}", as_of=NOW) for n in range(1, programs + 1)
    )
    outcomes_of = tuple(
        replace(many, program_id=n, program_name=f"Program {n}") for n in range(1, programs + 1)
    )

    view = home_view(HomeSnapshot(user_id=ADMIN, health=health, outcomes=outcomes_of), [])

    assert_valid_view(view)
    assert len(view["blocks"]) <= MAX_BLOCKS_VIEW
    shown = [b for b in view["blocks"] if "*Outcomes of Program" in str(b)]
    assert shown, "programs that fit keep their outcome lines"
    assert all(len(b["text"]["text"]) <= 3000 for b in shown)
    assert "…and 34 earlier cohorts: `/mentor export` has them all." in shown[0]["text"]["text"]
    assert "more programs you administer" in str(view["blocks"])
