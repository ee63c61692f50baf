"""SMART goals: the rules a goal must meet, and its life of progress, feedback and closing.

A goal belongs to a pair and is owned by the mentee; the mentor comments. Only the pair's two
members can see or touch it: every function here checks that before reading or writing.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import ids
from bot.forms import MAX_LENGTH, FieldErrors, FormState, cut_to, slack_length, text_size, tidy
from bot.membership import member_pair
from bot.refusal import Refusal
from bot.zones import local_today
from storage import drafts, queries
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

MIN_SIZE = 12  # below this `text_size` ("Get CKA certified" is 15), a field reads thin: coach it
MAX_TEXT = MAX_LENGTH[ids.GOAL_SPECIFIC]
MAX_UNIT = MAX_LENGTH[ids.GOAL_UNIT]
MAX_NUMBER = MAX_LENGTH[ids.GOAL_TARGET]  # characters of a typed number
MAX_MILESTONES = 10  # a checkbox group in the progress form holds ten
MAX_MILESTONE = 200
# The milestones field (bot/forms.py) holds ten of the longest milestones, one per line, so a goal
# saved at the limits opens again in the edit form (Slack refuses an initial_value over max_length).
assert MAX_LENGTH[ids.GOAL_MILESTONES] >= MAX_MILESTONES * (MAX_MILESTONE + 1) - 1
MAX_HORIZON = timedelta(days=730)  # two years
MAX_ABS_VALUE = 1e9
NOT_OWNER_CHANGE = "Only the mentee who owns the goal can change it."
INACTIVE_CHANGE = "That goal is {status}; it can no longer be changed."
MEASURE_TARGET = "target"
MEASURE_MILESTONES = "milestones"
BULLETS = "-*•·\u2013 "  # hyphen, star, bullets, en dash

# English words that say "better" without saying how much. They judge English text only: the
# words of other languages are not listed, so text in them is coached on what all languages share.
DIRECTION_WORDS = re.compile(
    r"\b(improve|improving|get better|be better|become better|learn more|work on|enhance|boost|"
    r"strengthen|level up)\b",
    re.IGNORECASE,
)
AMOUNT_WORDS = re.compile(
    r"\b(a lot|lots|a bit|a little|much|more|better|stuff|things|somewhat|as much as possible|"
    r"really|very)\b",
    re.IGNORECASE,
)
VAGUE_UNITS = frozenset(
    {"thing", "things", "stuff", "item", "items", "unit", "units", "bit", "bits", "lot", "lots",
     "something", "whatever", "point", "points", "step", "steps", "x", "times"}
)  # fmt: skip
ENGLISH_WORDS = frozenset(
    {"the", "my", "our", "your", "this", "that", "and", "with", "for", "of", "get", "be", "will",
     "give", "ship", "learn", "improve", "more", "better", "lead", "write", "skills"}
)  # fmt: skip


@dataclass(frozen=True)
class GoalForm:
    """A SMART goal as the mentee submitted it, with nothing objectively wrong in it."""

    specific: str
    measure_kind: str
    target_value: float | None
    target_unit: str | None
    milestones: tuple[str, ...]
    attainable: str
    realistic: str
    deadline: date
    start_value: float = 0.0


def _text(
    state: FormState,
    block_id: str,
    errors: FieldErrors,
    what: str,
    *,
    limit: int = MAX_TEXT,
    multiline: bool = True,
) -> str:
    value = tidy(state.text(block_id), multiline=multiline)
    if not value:
        errors[block_id] = f"Say {what}."
    elif slack_length(value) > limit:
        errors[block_id] = f"Keep it under {limit} characters ({slack_length(value)} now)."
    return value


def parse_number(raw: str) -> float | None:
    """A number as people type it ("82", "82%", "1,5", a minus sign); None when it is not one."""
    text = tidy(raw, multiline=False).replace("\u2212", "-").replace(",", ".").removesuffix("%").strip()
    if not text or len(text) > MAX_NUMBER or not text.isascii():
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and abs(value) <= MAX_ABS_VALUE else None


def parse_milestones(text: str) -> list[str]:
    """One milestone per line, bullets and blank lines dropped, spaces collapsed."""
    lines = (" ".join(line.split()).lstrip(BULLETS).strip() for line in text.splitlines())
    return [line for line in lines if line]


def parse_goal(values: dict, today: date) -> GoalForm | FieldErrors:
    """Read the SMART goal modal; only what is objectively wrong is an error, on its own field.

    Whether the goal reads vague is `coaching`'s business: the mentee may keep it as written.
    """
    state = FormState(values)
    errors: FieldErrors = {}
    specific = _text(state, ids.GOAL_SPECIFIC, errors, "what you want to accomplish")
    kind = state.option(ids.GOAL_MEASURE_KIND)
    target: float | None = None
    start = 0.0
    unit: str | None = None
    milestones: list[str] = []
    if kind == MEASURE_TARGET:
        target = parse_number(state.text(ids.GOAL_TARGET))
        if target is None:
            errors[ids.GOAL_TARGET] = "Give the number you will reach (e.g. 3 or 90)."
        raw_start = state.text(ids.GOAL_START)
        parsed_start = parse_number(raw_start) if raw_start else 0.0
        if parsed_start is None:
            errors[ids.GOAL_START] = "Give where you start as a number (e.g. 82), or leave it empty for 0."
        else:
            start = parsed_start
        if target is not None and parsed_start is not None and target == start:
            errors[ids.GOAL_TARGET] = (
                f"The target equals the starting value ({start:g}): give the number you will reach."
            )
        unit = tidy(state.text(ids.GOAL_UNIT), multiline=False) or None
        if unit is None:
            errors[ids.GOAL_UNIT] = "Say what you are counting (e.g. talks, % test coverage)."
        elif slack_length(unit) > MAX_UNIT:
            errors[ids.GOAL_UNIT] = f"Keep the unit under {MAX_UNIT} characters."
    elif kind == MEASURE_MILESTONES:
        milestones = parse_milestones(tidy(state.text(ids.GOAL_MILESTONES)))
        if not milestones:
            errors[ids.GOAL_MILESTONES] = "List at least one milestone, one per line."
        elif len(milestones) > MAX_MILESTONES:
            errors[ids.GOAL_MILESTONES] = f"Keep it to {MAX_MILESTONES} milestones ({len(milestones)} now)."
        elif any(slack_length(line) > MAX_MILESTONE for line in milestones):
            errors[ids.GOAL_MILESTONES] = f"Keep each milestone under {MAX_MILESTONE} characters."
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
        start_value=start,
    )


def looks_english(text: str) -> bool:
    """True when `text` is written in English as far as a few common words tell."""
    letters = [char for char in text if char.isalpha()]
    if not letters or sum(char.isascii() for char in letters) < 0.9 * len(letters):
        return False
    return any(word in ENGLISH_WORDS for word in re.findall(r"[a-z]+", text.lower()))


def coaching(form: GoalForm) -> list[str]:
    """Why the goal may read vague, one reason a line; empty when it reads specific and measurable.

    Sizes are counted in characters of any script, never in words (Chinese has no spaces), and
    the English word lists judge English text only.
    """
    points: list[str] = []
    specific = form.specific
    english = looks_english(specific)
    if text_size(specific) < MIN_SIZE:
        points.append("It is short: say what you will do, for whom or where.")
    unit = (form.target_unit or "").strip().lower()
    vague_unit = form.measure_kind == MEASURE_TARGET and unit.isascii() and unit in VAGUE_UNITS
    direction = DIRECTION_WORDS.search(specific) if english else None
    if direction and vague_unit and not re.search(r"\d", specific):
        points.append(
            f"“{direction.group(0)}” says which way, not how far: add a number or a finish line "
            "(e.g. “from 2 to 5 reviewed PRs a week”)."
        )
    amount = AMOUNT_WORDS.search(specific) if english else None
    if amount:
        points.append(f"“{amount.group(0)}” is not a measure: say how much, or by when what is done.")
    if vague_unit:
        points.append(
            f"The unit “{form.target_unit}” does not say what you count: name it "
            "(talks given, % test coverage, PRs reviewed)."
        )
    if text_size(form.attainable) < MIN_SIZE:
        points.append("Attainable is short: say what you already have and what help you need.")
    if text_size(form.realistic) < MIN_SIZE:
        points.append("Realistic is short: say how it fits your work these months.")
    return points


def form_values(form: GoalForm) -> dict[str, str]:
    """The goal as the modal's initial values, by block id (the kind and the date as their values)."""
    target = form.measure_kind == MEASURE_TARGET
    return {
        ids.GOAL_SPECIFIC: form.specific,
        ids.GOAL_MEASURE_KIND: form.measure_kind,
        ids.GOAL_START: f"{form.start_value:g}" if target and form.start_value else "",
        ids.GOAL_TARGET: f"{form.target_value:g}" if target and form.target_value is not None else "",
        ids.GOAL_UNIT: form.target_unit or "",
        ids.GOAL_MILESTONES: "\n".join(form.milestones),
        ids.GOAL_ATTAINABLE: form.attainable,
        ids.GOAL_REALISTIC: form.realistic,
        ids.GOAL_DEADLINE: form.deadline.isoformat(),
    }


# The goal modal's text fields and their limits, from the one table of limits in bot/forms.py.
GOAL_TEXT_FIELDS = {
    block_id: MAX_LENGTH[block_id]
    for block_id in (
        ids.GOAL_SPECIFIC,
        ids.GOAL_START,
        ids.GOAL_TARGET,
        ids.GOAL_UNIT,
        ids.GOAL_MILESTONES,
        ids.GOAL_ATTAINABLE,
        ids.GOAL_REALISTIC,
    )
}


def typed_values(values: dict) -> dict[str, str]:
    """What was typed into the goal modal, cleaned and cut to each field's limit, by block id.

    Used to fill the form again exactly as it was (a draft back from coaching), so nothing typed
    is lost and nothing is longer than the field it goes back into.
    """
    state = FormState(values)
    typed: dict[str, str] = {}
    for block_id, limit in GOAL_TEXT_FIELDS.items():
        typed[block_id] = cut_to(tidy(state.text(block_id), multiline=block_id != ids.GOAL_UNIT), limit)
    typed[ids.GOAL_MEASURE_KIND] = state.option(ids.GOAL_MEASURE_KIND) or ""
    raw_date = state.date(ids.GOAL_DEADLINE) or ""
    try:
        typed[ids.GOAL_DEADLINE] = date.fromisoformat(raw_date).isoformat()
    except ValueError:
        typed[ids.GOAL_DEADLINE] = ""
    return typed


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


@dataclass(frozen=True)
class NewGoal:
    """A goal just stored, and where to tell the mentor."""

    goal_id: int
    mentor_user_id: str
    dm_channel_id: str | None
    specific: str
    deadline: date


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
        start_value=form.start_value,
        current_value=form.start_value,
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
    return NewGoal(goal.id, pair.mentor.user_id, pair.dm_channel_id, goal.specific, goal.deadline)


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
    note = tidy(state.text(ids.PROGRESS_NOTE)) or None
    if note and slack_length(note) > MAX_TEXT:
        return {ids.PROGRESS_NOTE: f"Keep the note under {MAX_TEXT} characters."}
    if goal.measure_kind == MEASURE_TARGET:
        value = parse_number(state.text(ids.PROGRESS_VALUE))
        if value is None:
            return {ids.PROGRESS_VALUE: "Give where you are now as a number (e.g. 2)."}
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
    goal.closing_note = tidy(note or "") or None
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
    text = tidy(text)
    if not text:
        return Refusal("Write your feedback (up to 2000 characters).")
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


def fraction_between(start: float, target: float | None, current: float) -> float:
    """How far `current` has come from `start` toward `target`, from 0 to 1, in either direction.

    A goal that counts down (incidents 12 -> 4) is done at 4: (start - current) / (start - target).
    """
    if target is None or target == start:
        return 0.0
    return max(0.0, min(1.0, (current - start) / (target - start)))


def target_measure(start: float, target: float | None, current: float, unit: str | None) -> str:
    """A target goal's progress in words: "2 of 3 talks", or "85 % CSAT, from 82 to 90"."""
    unit_text = f" {unit}" if unit else ""
    if start == 0 and (target or 0) > 0:
        return f"{current:g} of {target or 0:g}{unit_text}"
    return f"{current:g}{unit_text}, from {start:g} to {target or 0:g}"


def progress_fraction(goal: Goal) -> float:
    """How far along the goal is, from 0 to 1."""
    if goal.measure_kind == MEASURE_TARGET:
        return fraction_between(goal.start_value, goal.target_value, goal.current_value)
    if not goal.milestones:
        return 0.0
    return sum(1 for m in goal.milestones if m.done_at) / len(goal.milestones)


BEHIND_BY = 0.2  # a goal this much less done than the share of its time gone by is behind schedule


def is_behind(goal: Goal, today: date) -> bool:
    """Whether an active goal is behind schedule for the time gone by toward its deadline."""
    start = goal.created_at.date()
    span = (goal.deadline - start).days
    if goal.status != GoalStatus.ACTIVE.value or span <= 0:
        return False
    elapsed = min(max((today - start).days / span, 0.0), 1.0)
    return elapsed >= 0.25 and progress_fraction(goal) < elapsed - BEHIND_BY


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
    start_value: float = 0.0
    target_value: float | None = None


def goal_card(goal: Goal, pair: Pair, viewer_user_id: str, today: date) -> GoalCard:
    """The goal as `viewer_user_id` (one of the pair) sees it."""
    if goal.measure_kind == MEASURE_TARGET:
        measure = target_measure(goal.start_value, goal.target_value, goal.current_value, goal.target_unit)
    else:
        done = sum(1 for m in goal.milestones if m.done_at)
        measure = f"{done} of {len(goal.milestones)} milestones"
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
        start_value=goal.start_value,
        target_value=goal.target_value,
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
        start_value=goal.start_value,
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
        f"{label}: {_show(getattr(before, name))} → {_show(getattr(form, name))}"
        for name, label in (
            ("specific", "what"),
            ("measure_kind", "measure"),
            ("start_value", "start"),
            ("target_value", "target"),
            ("target_unit", "unit"),
            ("milestones", "milestones"),
            ("attainable", "attainable"),
            ("realistic", "realistic"),
            ("deadline", "deadline"),
        )
        if getattr(before, name) != getattr(form, name)
    ]
    if not changes:
        return Refusal("Nothing changed.")
    done = {m.text: m.done_at for m in goal.milestones}
    goal.specific, goal.measure_kind = form.specific, form.measure_kind
    goal.target_value, goal.target_unit = form.target_value, form.target_unit
    if goal.current_value == before.start_value:  # no progress yet: it starts where the start moved
        goal.current_value = form.start_value
    goal.start_value = form.start_value
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


def values_of(typed: dict[str, str]) -> dict:
    """`typed_values` back in the shape of a modal's state.values, to read with `parse_goal`."""
    values: dict = {
        block_id: {ids.VALUE: {"type": "plain_text_input", "value": typed.get(block_id, "")}}
        for block_id in GOAL_TEXT_FIELDS
    }
    kind = typed.get(ids.GOAL_MEASURE_KIND)
    values[ids.GOAL_MEASURE_KIND] = {ids.VALUE: {"selected_option": {"value": kind} if kind else None}}
    values[ids.GOAL_DEADLINE] = {ids.VALUE: {"selected_date": typed.get(ids.GOAL_DEADLINE) or None}}
    return values


@dataclass(frozen=True)
class GoalSubmission:
    """What submitting the goal modal (or keeping a coached goal) came to; empty: nothing to do."""

    errors: dict[str, str] = field(default_factory=dict)  # field errors, nothing saved
    coaching: tuple[str, ...] = ()  # why it reads vague; the form waits as a draft
    specific: str = ""
    created: NewGoal | None = None
    edited_goal_id: int | None = None


def _save(
    session: Session, team_id: str, user_id: str, purpose: str, form: GoalForm, view_id: str, now: datetime
) -> GoalSubmission | Refusal:
    target = ids.decode_goal_metadata(purpose)
    if target is None:
        return Refusal("That form is broken: open it again.", field=ids.GOAL_SPECIFIC)
    if target.goal_id is not None:
        edited = edit_goal(session, team_id, target.goal_id, user_id, form, now)
        if isinstance(edited, Refusal):
            return Refusal(edited.message, field=ids.GOAL_SPECIFIC)
        return GoalSubmission(specific=form.specific, edited_goal_id=target.goal_id)
    created = create_goal(session, team_id, target.pair_id or 0, user_id, form, view_id, now)
    if isinstance(created, Refusal):
        return Refusal(created.message, field=ids.GOAL_SPECIFIC)
    return GoalSubmission(specific=form.specific, created=created)


def submit_goal(
    session: Session, team_id: str, user_id: str, purpose: str, values: dict, view_id: str, now: datetime
) -> GoalSubmission | Refusal:
    """Read the goal modal: refuse what is wrong, coach what reads vague, else save the goal."""
    parsed = parse_goal(values, person_today(session, team_id, user_id, now))
    if isinstance(parsed, dict):
        return GoalSubmission(errors=parsed)
    points = coaching(parsed)
    if points:
        drafts.save_draft(session, team_id, view_id, user_id, purpose, typed_values(values), now)
        return GoalSubmission(coaching=tuple(points), specific=parsed.specific)
    drafts.take_draft(session, team_id, view_id, user_id)  # edited after coaching: the draft is done
    return _save(session, team_id, user_id, purpose, parsed, view_id, now)


def keep_as_written(
    session: Session, team_id: str, user_id: str, view_id: str, now: datetime
) -> GoalSubmission | Refusal:
    """Save a coached goal exactly as it was typed; a second click finds nothing left to do."""
    taken = drafts.take_draft(session, team_id, view_id, user_id)
    if taken is None:
        return GoalSubmission()
    purpose, typed = taken
    parsed = parse_goal(values_of(typed), person_today(session, team_id, user_id, now))
    if isinstance(parsed, dict):
        return Refusal(f"It cannot be saved as written any more: {next(iter(parsed.values()))}")
    return _save(session, team_id, user_id, purpose, parsed, view_id, now)


@dataclass(frozen=True)
class GoalModalSpec:
    """What the goal modal needs to open again filled: for which pair or goal, and the values."""

    mentor_user_id: str
    pair_id: int | None
    goal_id: int | None
    initial: dict[str, str]


def draft_form(session: Session, team_id: str, user_id: str, view_id: str) -> GoalModalSpec | Refusal:
    """The goal form filled again with the draft from this modal, to edit after coaching."""
    draft = drafts.find_draft(session, team_id, view_id, user_id)
    target = ids.decode_goal_metadata(draft.purpose) if draft else None
    if draft is None or target is None:
        return Refusal("That form has expired: open it again with `/mentor goal`.")
    if target.goal_id is not None:
        goal = queries.goal_in_team(session, team_id, target.goal_id)
        pair = queries.pair_for_update(session, team_id, goal.pair_id) if goal else None
        if pair is None or pair.mentee.user_id != user_id:
            return Refusal(NOT_OWNER_CHANGE)
        return GoalModalSpec(pair.mentor.user_id, None, target.goal_id, dict(draft.values))
    mentor = new_goal_form(session, team_id, target.pair_id or 0, user_id)
    if isinstance(mentor, Refusal):
        return mentor
    return GoalModalSpec(mentor, target.pair_id, None, dict(draft.values))
