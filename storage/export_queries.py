"""The rows `/mentor export` writes: one SELECT per file, scoped to one program of one workspace.

Each function takes a session and never commits. Rows come back as named tuples whose labels are
the fields of `bot.export`'s row classes. What people wrote is selected only with `free_text`, so
a program that does not allow it never even reads those columns; closing feedback, progress notes,
mentor feedback, fit answers and pulses are never selected at all.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Row, func, select, type_coerce
from sqlalchemy.orm import Session, aliased

from storage.models import (
    ActionItem,
    Agreement,
    CheckIn,
    CheckInAnswer,
    Goal,
    GoalMilestone,
    Pair,
    Person,
    Profile,
)


def participants(session: Session, team_id: str, program_id: int, *, free_text: bool) -> list[Row[Any]]:
    """Everyone who joined the program, including people who left, in the order they joined."""
    columns: list[Any] = [
        Person.user_id.label("user_id"),
        Person.display_name.label("display_name"),
        Profile.role.label("role"),
        Profile.experience_level.label("experience_level"),
        Profile.mentor_capacity.label("mentor_capacity"),
        Profile.meeting_formats.label("meeting_formats"),
        func.coalesce(Profile.tz_override, Person.tz).label("time_zone"),
        Profile.skills.label("skills"),
        Profile.growth_areas.label("growth_areas"),
        Profile.joined_at.label("joined_at"),
        Profile.left_at.label("left_at"),
    ]
    if free_text:
        columns += [Profile.motivations.label("motivations"), Profile.background.label("background")]
    return list(
        session.execute(
            select(*columns)
            .join(Person, Person.id == Profile.person_id)
            .where(Profile.program_id == program_id, Profile.team_id == team_id, Person.team_id == team_id)
            .order_by(Profile.joined_at, Profile.id)
        )
    )


def pairs(session: Session, team_id: str, program_id: int, *, free_text: bool) -> list[Row[Any]]:
    """Every pair of the program, open or ended, with its meeting agreement if it saved one."""
    mentor, mentee = aliased(Person), aliased(Person)
    columns: list[Any] = [
        Pair.id.label("pair_id"),
        mentor.user_id.label("mentor_id"),
        mentee.user_id.label("mentee_id"),
        Pair.status.label("status"),
        Pair.created_at.label("created_at"),
        Pair.paused_at.label("paused_at"),
        Pair.ended_at.label("ended_at"),
        Agreement.frequency.label("frequency"),
        Agreement.weekday.label("weekday"),
        Agreement.local_time.label("local_time"),
        Agreement.tz.label("tz"),
        Agreement.meeting_format.label("meeting_format"),
        Agreement.start_date.label("start_date"),
    ]
    if free_text:
        columns += [Agreement.location.label("location"), Agreement.expectations.label("expectations")]
    return list(
        session.execute(
            select(*columns)
            .join(mentor, mentor.id == Pair.mentor_id)
            .join(mentee, mentee.id == Pair.mentee_id)
            .outerjoin(Agreement, Agreement.pair_id == Pair.id)
            .where(Pair.program_id == program_id, Pair.team_id == team_id)
            .order_by(Pair.created_at, Pair.id)
        )
    )


def checkins(session: Session, team_id: str, program_id: int, *, free_text: bool) -> list[Row[Any]]:
    """Every meeting of the program's pairs: whether it was prepared, how many members answered its
    check-in, how many action items came of it; the words only where the program allows them."""
    items = (
        select(
            ActionItem.checkin_id,
            func.count().label("n"),
            func.count(ActionItem.done_at).label("done"),
        )
        .group_by(ActionItem.checkin_id)
        .subquery()
    )
    answers = (
        select(CheckInAnswer.checkin_id, func.count().label("n"))
        .group_by(CheckInAnswer.checkin_id)
        .subquery()
    )
    columns: list[Any] = [
        CheckIn.id.label("checkin_id"),
        CheckIn.pair_id.label("pair_id"),
        CheckIn.due_at.label("due_at"),
        CheckIn.met.label("met"),
        CheckIn.answered_at.label("answered_at"),
        func.coalesce(answers.c.n, 0).label("answers"),
        CheckIn.stage.label("stage"),
        type_coerce(CheckIn.prepared_at.is_not(None), Boolean).label("prepared"),  # SQLite says 0 or 1
        func.coalesce(items.c.n, 0).label("action_items"),
        func.coalesce(items.c.done, 0).label("action_items_done"),
    ]
    query = (
        select(*columns)
        .select_from(CheckIn)
        .join(Pair, Pair.id == CheckIn.pair_id)
        .outerjoin(answers, answers.c.checkin_id == CheckIn.id)
        .outerjoin(items, items.c.checkin_id == CheckIn.id)
    )
    if free_text:
        by_mentor, by_mentee = aliased(CheckInAnswer), aliased(CheckInAnswer)
        query = (
            query.add_columns(
                by_mentor.learned.label("mentor_learned"),
                by_mentor.blocker.label("mentor_blocker"),
                by_mentee.learned.label("mentee_learned"),
                by_mentee.blocker.label("mentee_blocker"),
                CheckIn.prep_topics.label("agenda_topics"),
                CheckIn.prep_questions.label("agenda_questions"),
                CheckIn.prep_went_well.label("agenda_went_well"),
                CheckIn.prep_hard.label("agenda_hard"),
                CheckIn.notes.label("notes"),
            )
            .outerjoin(
                by_mentor, (by_mentor.checkin_id == CheckIn.id) & (by_mentor.person_id == Pair.mentor_id)
            )
            .outerjoin(
                by_mentee, (by_mentee.checkin_id == CheckIn.id) & (by_mentee.person_id == Pair.mentee_id)
            )
        )
    return list(
        session.execute(
            query.where(
                Pair.program_id == program_id, Pair.team_id == team_id, CheckIn.team_id == team_id
            ).order_by(CheckIn.pair_id, CheckIn.due_at, CheckIn.id)
        )
    )


def goals(session: Session, team_id: str, program_id: int, *, free_text: bool) -> list[Row[Any]]:
    """Every goal of the program's pairs, with its milestones counted (their texts are left out)."""
    milestones = (
        select(
            GoalMilestone.goal_id,
            func.count().label("total"),
            func.count(GoalMilestone.done_at).label("done"),
        )
        .group_by(GoalMilestone.goal_id)
        .subquery()
    )
    owner = aliased(Person)
    columns: list[Any] = [
        Goal.id.label("goal_id"),
        Goal.pair_id.label("pair_id"),
        owner.user_id.label("owner_id"),
        Goal.status.label("status"),
        Goal.measure_kind.label("measure_kind"),
        Goal.start_value.label("start_value"),
        Goal.target_value.label("target"),
        Goal.current_value.label("current_value"),
        func.coalesce(milestones.c.done, 0).label("milestones_done"),
        func.coalesce(milestones.c.total, 0).label("milestones_total"),
        Goal.deadline.label("deadline"),
        Goal.created_at.label("created_at"),
        Goal.closed_at.label("closed_at"),
    ]
    if free_text:
        columns += [
            Goal.target_unit.label("unit"),
            Goal.specific.label("specific"),
            Goal.attainable.label("attainable"),
            Goal.realistic.label("realistic"),
            Goal.closing_note.label("closing_note"),
        ]
    return list(
        session.execute(
            select(*columns)
            .join(Pair, Pair.id == Goal.pair_id)
            .join(owner, owner.id == Goal.owner_id)
            .outerjoin(milestones, milestones.c.goal_id == Goal.id)
            .where(Pair.program_id == program_id, Pair.team_id == team_id, Goal.team_id == team_id)
            .order_by(Goal.pair_id, Goal.id)
        )
    )
