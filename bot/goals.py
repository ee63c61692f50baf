"""SMART goals: the rules a goal must meet, and its life of progress, feedback and closing.

A goal belongs to a pair and is owned by the mentee; the mentor comments. Only the pair's two
members can see or touch it: every function here checks that before reading or writing.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import ids
from bot.forms import FieldErrors, FormState, too_long
from bot.membership import member_pair
from bot.refusal import Refusal
from bot.views.common import plural
from storage import queries
from storage.models import (
    Goal,
    GoalFeedback,
    GoalMilestone,
    GoalStatus,
    GoalUpdate,
    Pair,
    PairStatus,
    Person,
)

MIN_TEXT = 15
MAX_TEXT = 1000
MAX_MILESTONES = 10  # a checkbox group in the progress form holds ten
MAX_MILESTONE = 200
MAX_HORIZON = timedelta(days=730)  # two years
NOT_OWNER_CHANGE = "Only the mentee who owns the goal can change it."
INACTIVE_CHANGE = "That goal is {status}; it can no longer be changed."
MEASURE_TARGET = "target"
MEASURE_MILESTONES = "milestones"
# Words that, alone, make a goal too vague to track.
VAGUE = re.compile(r"^(get|be|become|do|learn|improve)\s+(better|more|good|things?|stuff)\b", re.IGNORECASE)


@dataclass(frozen=True)
class GoalForm:
    """A valid SMART goal as the mentee submitted it."""

    specific: str
    measure_kind: str
    target_value: float | None
    target_unit: str | None
    milestones: tuple[str, ...]
    attainable: str
    realistic: str
    deadline: date


def _text(state: FormState, block_id: str, errors: FieldErrors, what: str, minimum: int = MIN_TEXT) -> str:
    value = state.text(block_id)
    if not value:
        errors[block_id] = f"Say {what}."
    elif len(value) < minimum:
        errors[block_id] = f"Say a little more: {what} ({minimum} characters at least)."
    elif problem := too_long(block_id, value):
        errors[block_id] = problem
    return value


def parse_goal(values: dict, today: date) -> GoalForm | FieldErrors:
    """Read the SMART goal modal; each broken rule is an error on its own field."""
    state = FormState(values)
    errors: FieldErrors = {}
    specific = _text(state, ids.GOAL_SPECIFIC, errors, "exactly what you want to accomplish")
    if ids.GOAL_SPECIFIC not in errors and (VAGUE.match(specific) or len(specific.split()) < 4):
        errors[ids.GOAL_SPECIFIC] = (
            "Make it specific: what, for whom, where (e.g. “Give a 20-minute talk at the guild”)."
        )
    kind = state.option(ids.GOAL_MEASURE_KIND)
    target: float | None = None
    unit: str | None = None
    milestones: list[str] = []
    if kind == MEASURE_TARGET:
        raw = state.text(ids.GOAL_TARGET).replace(",", ".").removesuffix("%").strip()
        try:
            target = float(raw)
        except ValueError:
            target = None
        if target is None or not math.isfinite(target) or target <= 0 or target > 1e9:
            errors[ids.GOAL_TARGET] = "Give the number you will reach, greater than zero (e.g. 3 or 80)."
        unit = state.text(ids.GOAL_UNIT) or None
        if unit is None:
            errors[ids.GOAL_UNIT] = "Say what you are counting (e.g. talks, % test coverage)."
        elif problem := too_long(ids.GOAL_UNIT, unit):
            errors[ids.GOAL_UNIT] = problem
    elif kind == MEASURE_MILESTONES:
        milestones = [" ".join(line.split()) for line in state.text(ids.GOAL_MILESTONES).splitlines()]
        milestones = [line.lstrip("-*• ").strip() for line in milestones if line.strip("-*• ")]
        if not milestones:
            errors[ids.GOAL_MILESTONES] = "List at least one milestone, one per line."
        elif len(milestones) > MAX_MILESTONES:
            errors[ids.GOAL_MILESTONES] = f"Keep it to {MAX_MILESTONES} milestones ({len(milestones)} now)."
        elif any(len(line) > MAX_MILESTONE for line in milestones):
            errors[ids.GOAL_MILESTONES] = f"Keep each milestone under {MAX_MILESTONE} characters."
        elif problem := too_long(ids.GOAL_MILESTONES, "\n".join(milestones)):
            errors[ids.GOAL_MILESTONES] = problem
    else:
        errors[ids.GOAL_MEASURE_KIND] = "Choose how you will measure it: a number to reach, or milestones."
    attainable = _text(state, ids.GOAL_ATTAINABLE, errors, "why it is within your power and what you need")
    realistic = _text(state, ids.GOAL_REALISTIC, errors, "why you can do it now, alongside your work")
    deadline = _deadline(state.date(ids.GOAL_DEADLINE), today, errors)
    if errors or deadline is None:
        return errors
    return GoalForm(
        specific=specific,
        measure_kind=kind or "",
        target_value=target,
        target_unit=unit,
        milestones=tuple(milestones),
        attainable=attainable,
        realistic=realistic,
        deadline=deadline,
    )


def _deadline(raw: str | None, today: date, errors: FieldErrors) -> date | None:
    if not raw:
        errors[ids.GOAL_DEADLINE] = "Pick a deadline: a goal needs one."
        return None
    try:
        deadline = date.fromisoformat(raw)
    except ValueError:
        errors[ids.GOAL_DEADLINE] = "Pick the deadline with the date picker."
        return None
    if deadline <= today:
        errors[ids.GOAL_DEADLINE] = "The deadline must be in the future."
    elif deadline - today > MAX_HORIZON:
        errors[ids.GOAL_DEADLINE] = "Keep the deadline within two years; split a longer goal into steps."
    return deadline


def person_today(session: Session, team_id: str, user_id: str, now: datetime) -> date:
    """Today's date where this Slack user is, as far as mentorbot knows their zone."""
    person = queries.find_person(session, team_id, user_id)
    return local_today(person.tz if person else None, now)


def local_today(tz: str | None, now: datetime) -> date:
    """Today's date where the person is (UTC when their zone is unknown)."""
    try:
        return now.astimezone(ZoneInfo(tz)).date() if tz else now.date()
    except (KeyError, ValueError, OSError):
        return now.date()


@dataclass(frozen=True)
class NewGoal:
    """A goal just stored, and where to tell the mentor."""

    goal_id: int
    mentor_user_id: str
    dm_channel_id: str | None


def create_goal(
    session: Session, team_id: str, pair_id: int, user_id: str, form: GoalForm, view_id: str, now: datetime
) -> NewGoal | Refusal | None:
    """Store the mentee's goal once; None when this very modal was already submitted."""
    found = member_pair(session, team_id, pair_id, user_id)
    if isinstance(found, Refusal):
        return found
    pair, person = found
    if person.id != pair.mentee_id:
        return Refusal("Goals belong to the mentee: your mentee sets them, and you can comment.")
    if pair.status == PairStatus.ENDED.value:
        return Refusal("That mentorship has ended; goals can no longer be added to it.")
    goal = Goal(
        team_id=team_id,
        pair_id=pair.id,
        owner_id=person.id,
        specific=form.specific,
        measure_kind=form.measure_kind,
        target_value=form.target_value,
        target_unit=form.target_unit,
        current_value=0.0,
        attainable=form.attainable,
        realistic=form.realistic,
        deadline=form.deadline,
        source_view_id=view_id or None,
        created_at=now,
        updated_at=now,
        milestones=[GoalMilestone(position=i, text=text) for i, text in enumerate(form.milestones)],
    )
    try:
        with session.begin_nested():
            session.add(goal)
    except IntegrityError:
        return None
    return NewGoal(goal_id=goal.id, mentor_user_id=pair.mentor.user_id, dm_channel_id=pair.dm_channel_id)


def goal_for_member(
    session: Session, team_id: str, goal_id: int, user_id: str
) -> tuple[Goal, Pair, Person] | Refusal:
    """The goal, its pair and the acting person, if the person is one of the pair's two members."""
    goal = queries.goal_in_team(session, team_id, goal_id)
    if goal is None:
        return Refusal("That goal does not exist.")
    found = member_pair(session, team_id, goal.pair_id, user_id)
    if isinstance(found, Refusal):
        return found
    return goal, *found


def _owned_active_goal(
    session: Session, team_id: str, goal_id: int, user_id: str, *, not_owner: str, inactive: str
) -> tuple[Goal, Pair, Person] | Refusal:
    """The goal, if `user_id` is the mentee who owns it and it is still active; else why not.

    `inactive` may name the goal's status with {status}.
    """
    found = goal_for_member(session, team_id, goal_id, user_id)
    if isinstance(found, Refusal):
        return found
    goal, _pair, person = found
    if person.id != goal.owner_id:
        return Refusal(not_owner)
    if goal.status != GoalStatus.ACTIVE.value:
        return Refusal(inactive.format(status=goal.status))
    return found


@dataclass(frozen=True)
class ProgressForm:
    """A progress update: a new value, or the milestones now done, and a note."""

    value: float | None
    milestones_done: tuple[int, ...]
    note: str | None


def parse_progress(values: dict, goal: Goal) -> ProgressForm | FieldErrors:
    """Read the progress modal for `goal`."""
    state = FormState(values)
    note = state.text(ids.PROGRESS_NOTE) or None
    if note and len(note) > MAX_TEXT:
        return {ids.PROGRESS_NOTE: f"Keep the note under {MAX_TEXT} characters."}
    if goal.measure_kind == MEASURE_TARGET:
        raw = state.text(ids.PROGRESS_VALUE).replace(",", ".").removesuffix("%").strip()
        try:
            value = float(raw)
        except ValueError:
            return {ids.PROGRESS_VALUE: "Give where you are now as a number (e.g. 2)."}
        if not math.isfinite(value) or value < 0 or value > 1e9:
            return {ids.PROGRESS_VALUE: "Give a number of zero or more."}
        return ProgressForm(value=value, milestones_done=(), note=note)
    valid = {m.id for m in goal.milestones}
    done = tuple(
        sorted(int(v) for v in state.options(ids.PROGRESS_MILESTONES) if v.isdigit() and int(v) in valid)
    )
    return ProgressForm(value=None, milestones_done=done, note=note)


def record_progress(
    session: Session, team_id: str, goal_id: int, user_id: str, form: ProgressForm, now: datetime
) -> GoalUpdate | Refusal:
    """Keep a progress update in the goal's history and move the goal to it (mentee only)."""
    found = _owned_active_goal(
        session,
        team_id,
        goal_id,
        user_id,
        not_owner="Progress is the mentee's to record; you can give feedback instead.",
        inactive="That goal is {status}; progress can no longer be recorded.",
    )
    if isinstance(found, Refusal):
        return found
    goal, _pair, person = found
    if form.value is not None:
        goal.current_value = form.value
    for milestone in goal.milestones:
        if milestone.id in form.milestones_done and milestone.done_at is None:
            milestone.done_at = now
        elif milestone.id not in form.milestones_done and goal.measure_kind == MEASURE_MILESTONES:
            milestone.done_at = None
    goal.updated_at = now
    update = GoalUpdate(
        goal_id=goal.id,
        author_id=person.id,
        value=form.value,
        milestones_done=list(form.milestones_done),
        note=form.note,
        created_at=now,
    )
    session.add(update)
    session.flush()
    return update


CLOSING = {
    GoalStatus.ACHIEVED.value: "achieved",
    GoalStatus.DROPPED.value: "dropped",
    GoalStatus.MISSED.value: "missed",
}


def close_goal(
    session: Session, team_id: str, goal_id: int, user_id: str, outcome: str, note: str | None, now: datetime
) -> Goal | Refusal:
    """End a goal as achieved, dropped or missed, with a closing note (mentee only)."""
    if outcome not in CLOSING:
        return Refusal("Choose whether you achieved, dropped or missed the goal.")
    found = _owned_active_goal(
        session,
        team_id,
        goal_id,
        user_id,
        not_owner="Only the mentee who owns the goal can close it.",
        inactive="That goal is {status} already.",
    )
    if isinstance(found, Refusal):
        return found
    goal = found[0]
    goal.status = outcome
    goal.closing_note = note
    goal.closed_at = now
    goal.updated_at = now
    session.flush()
    return goal


def give_feedback(
    session: Session, team_id: str, goal_id: int, user_id: str, text: str, now: datetime
) -> tuple[GoalFeedback, str] | Refusal:
    """Attach the mentor's written feedback to the goal; returns it and the mentee to tell."""
    found = goal_for_member(session, team_id, goal_id, user_id)
    if isinstance(found, Refusal):
        return found
    goal, pair, person = found
    if person.id != pair.mentor_id:
        return Refusal("Feedback on a goal comes from the mentor.")
    latest = queries.latest_goal_update(session, goal.id)
    feedback = GoalFeedback(
        goal_id=goal.id,
        update_id=latest.id if latest else None,
        author_id=person.id,
        text=text,
        created_at=now,
    )
    session.add(feedback)
    session.flush()
    return feedback, pair.mentee.user_id


def progress_fraction(goal: Goal) -> float:
    """How far along the goal is, from 0 to 1."""
    if goal.measure_kind == MEASURE_TARGET:
        if not goal.target_value:
            return 0.0
        return max(0.0, min(1.0, goal.current_value / goal.target_value))
    if not goal.milestones:
        return 0.0
    return sum(1 for m in goal.milestones if m.done_at) / len(goal.milestones)


@dataclass(frozen=True)
class MilestoneLine:
    """A milestone as a form shows it."""

    milestone_id: int
    text: str
    done: bool


@dataclass(frozen=True)
class GoalCard:
    """A goal as lists and Home show it."""

    goal_id: int
    specific: str
    status: str
    fraction: float
    measure: str  # e.g. "2 of 3 talks" or "1 of 4 milestones"
    deadline: date
    days_left: int
    is_owner: bool
    is_mentor: bool
    partner_user_id: str
    milestones: tuple[MilestoneLine, ...] = ()
    measure_kind: str = "target"
    current_value: float = 0.0


def goal_card(goal: Goal, pair: Pair, viewer_user_id: str, today: date) -> GoalCard:
    """The goal as `viewer_user_id` (one of the pair) sees it."""
    if goal.measure_kind == MEASURE_TARGET:
        measure = f"{goal.current_value:g} of {goal.target_value or 0:g} {goal.target_unit or ''}".rstrip()
    else:
        done = sum(1 for m in goal.milestones if m.done_at)
        measure = f"{done} of {plural(len(goal.milestones), 'milestone')}"
    is_mentor = pair.mentor.user_id == viewer_user_id
    return GoalCard(
        goal_id=goal.id,
        specific=goal.specific,
        status=goal.status,
        fraction=progress_fraction(goal),
        measure=measure,
        deadline=goal.deadline,
        days_left=(goal.deadline - today).days,
        is_owner=pair.mentee.user_id == viewer_user_id,
        is_mentor=is_mentor,
        partner_user_id=(pair.mentee if is_mentor else pair.mentor).user_id,
        milestones=tuple(MilestoneLine(m.id, m.text, m.done_at is not None) for m in goal.milestones),
        measure_kind=goal.measure_kind,
        current_value=goal.current_value,
    )


def goal_cards_for(session: Session, team_id: str, user_id: str, now: datetime) -> list[GoalCard]:
    """Every goal of every pair the person is in, as they see them."""
    person = queries.find_person(session, team_id, user_id)
    if person is None:
        return []
    pairs = {pair.id: pair for pair in queries.all_pairs_of(session, person)}
    today = local_today(person.tz, now)
    return [
        goal_card(goal, pairs[goal.pair_id], user_id, today)
        for goal in queries.goals_of_pairs(session, pairs)
    ]


def member_goal_card(
    session: Session, team_id: str, goal_id: int, user_id: str, now: datetime
) -> GoalCard | Refusal:
    """One goal as a pair member sees it, for opening a form on it."""
    found = goal_for_member(session, team_id, goal_id, user_id)
    if isinstance(found, Refusal):
        return found
    goal, pair, person = found
    return goal_card(goal, pair, user_id, local_today(person.tz, now))


def pair_for_new_goal(
    session: Session, team_id: str, user_id: str, mentor_ids: list[str]
) -> tuple[int, str] | Refusal:
    """The open pair in which the caller is the mentee (and, if named, with that mentor)."""
    person = queries.find_person(session, team_id, user_id)
    pairs = [p for p in queries.open_pairs(session, person) if p.mentee_id == person.id] if person else []
    if mentor_ids:
        pairs = [p for p in pairs if p.mentor.user_id in mentor_ids]
    if not pairs:
        return Refusal(
            "Goals are set by mentees in an open mentorship; you have none where you are the mentee."
        )
    if len(pairs) > 1:
        return Refusal("You have several mentors: name one, e.g. `/mentor goal @mentor`.")
    return pairs[0].id, pairs[0].mentor.user_id


def new_goal_form(session: Session, team_id: str, pair_id: int, user_id: str) -> str | Refusal:
    """The mentor's user id for the goal modal, if the caller is the pair's mentee."""
    pair = queries.pair_for_update(session, team_id, pair_id)
    if pair is None or pair.mentee.user_id != user_id:
        return Refusal("Goals are set by the mentee of the pair.")
    return pair.mentor.user_id


def submit_progress(
    session: Session, team_id: str, goal_id: int, user_id: str, values: dict, now: datetime
) -> GoalUpdate | Refusal | FieldErrors:
    """Read and record a progress update in one step, since the form depends on the goal."""
    found = goal_for_member(session, team_id, goal_id, user_id)
    if isinstance(found, Refusal):
        return found
    parsed = parse_progress(values, found[0])
    if isinstance(parsed, dict):
        return parsed
    return record_progress(session, team_id, goal_id, user_id, parsed, now)


def form_of(goal: Goal) -> GoalForm:
    """A stored goal as the SMART form's values, for editing."""
    return GoalForm(
        specific=goal.specific,
        measure_kind=goal.measure_kind,
        target_value=goal.target_value,
        target_unit=goal.target_unit,
        milestones=tuple(m.text for m in goal.milestones),
        attainable=goal.attainable,
        realistic=goal.realistic,
        deadline=goal.deadline,
    )


def edit_goal(
    session: Session, team_id: str, goal_id: int, user_id: str, form: GoalForm, now: datetime
) -> GoalUpdate | Refusal:
    """Change an active goal (mentee only); the change itself is kept in the goal's history."""
    found = _owned_active_goal(
        session,
        team_id,
        goal_id,
        user_id,
        not_owner=NOT_OWNER_CHANGE,
        inactive=INACTIVE_CHANGE,
    )
    if isinstance(found, Refusal):
        return found
    goal, _pair, person = found
    before = form_of(goal)
    changes = [
        f"{label}: {_show(getattr(before, field))} → {_show(getattr(form, field))}"
        for field, label in (
            ("specific", "what"),
            ("measure_kind", "measure"),
            ("target_value", "target"),
            ("target_unit", "unit"),
            ("milestones", "milestones"),
            ("attainable", "attainable"),
            ("realistic", "realistic"),
            ("deadline", "deadline"),
        )
        if getattr(before, field) != getattr(form, field)
    ]
    if not changes:
        return Refusal("Nothing changed.")
    done = {m.text: m.done_at for m in goal.milestones}
    goal.specific, goal.measure_kind = form.specific, form.measure_kind
    goal.target_value, goal.target_unit = form.target_value, form.target_unit
    goal.attainable, goal.realistic, goal.deadline = form.attainable, form.realistic, form.deadline
    if before.milestones != form.milestones:
        goal.milestones = [
            GoalMilestone(position=i, text=text, done_at=done.get(text))
            for i, text in enumerate(form.milestones)
        ]
    goal.updated_at = now
    update = GoalUpdate(
        goal_id=goal.id, author_id=person.id, note="Edited. " + "; ".join(changes), created_at=now
    )
    session.add(update)
    session.flush()
    return update


def _show(value: object) -> str:
    if isinstance(value, tuple):
        return ", ".join(value) or "none"
    if isinstance(value, float):
        return f"{value:g}"
    text = str(value) if value is not None else "none"
    return text if len(text) <= 60 else text[:59] + "…"


@dataclass(frozen=True)
class GoalEdit:
    """What the edit form needs: the goal's pair and mentor, its current values, and today."""

    goal_id: int
    pair_id: int
    mentor_user_id: str
    form: GoalForm
    today: date


def goal_edit_form(
    session: Session, team_id: str, goal_id: int, user_id: str, now: datetime
) -> GoalEdit | Refusal:
    """The SMART form filled with an active goal, for its owner only."""
    found = _owned_active_goal(
        session,
        team_id,
        goal_id,
        user_id,
        not_owner=NOT_OWNER_CHANGE,
        inactive=INACTIVE_CHANGE,
    )
    if isinstance(found, Refusal):
        return found
    goal, pair, person = found
    return GoalEdit(goal.id, pair.id, pair.mentor.user_id, form_of(goal), local_today(person.tz, now))


def extend_deadline(
    session: Session, team_id: str, goal_id: int, user_id: str, deadline: date, now: datetime
) -> GoalUpdate | Refusal:
    """Move an active goal's deadline later (mentee only); the change stays in its history."""
    found = goal_edit_form(session, team_id, goal_id, user_id, now)
    if isinstance(found, Refusal):
        return found
    errors: FieldErrors = {}
    checked = _deadline(deadline.isoformat(), found.today, errors)
    if errors or checked is None:
        return Refusal(next(iter(errors.values()), "Pick a new deadline."))
    if checked <= found.form.deadline:
        return Refusal(f"Pick a day after the current deadline ({found.form.deadline:%d %b %Y}).")
    return edit_goal(session, team_id, goal_id, user_id, replace(found.form, deadline=checked), now)
