"""`/mentor export`: a program's participants, pairs, check-ins, goals and outcomes as CSV files.

The files open cleanly in a spreadsheet: UTF-8 with a byte-order mark (so Excel reads it as
UTF-8), a header row, `\\r\\n` line endings, ISO-8601 dates and UTC instants ending in `Z`, lists
joined with "; ". Any text cell that starts like a formula (=, +, -, @, tab, CR) gets a leading
apostrophe so a spreadsheet shows it instead of running it.

What people wrote (motivations, background, agreement place and expectations, check-in answers,
goal texts) is exported only when the program's admins switched on "Export free text"; closing
feedback and surveys, progress notes, mentor feedback, fit answers and pulses are never exported.

The outcomes file has one row per cohort, one for open-ended pairs and one for the whole program
(`bot.outcomes`): a figure hidden by the privacy rule is an empty cell, and `hidden_because` says
which figures are hidden and why.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.agreements import WEEKDAYS
from bot.outcomes import MIN_ANSWERS, SURVIVAL_DAYS, GroupOutcomes, Outcomes, program_outcomes
from bot.views.common import escape_text, plural
from storage import export_queries
from storage.models import Program

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATOR = "; "


@dataclass(frozen=True)
class ParticipantRow:
    """One person's enrollment in the program."""

    user_id: str
    display_name: str | None
    program: str
    role: str
    experience_level: str | None
    mentor_capacity: int | None
    meeting_formats: tuple[str, ...]
    time_zone: str | None
    skills: tuple[str, ...]
    growth_areas: tuple[str, ...]
    joined_at: datetime
    left_at: datetime | None
    motivations: str | None = None
    background: str | None = None


@dataclass(frozen=True)
class PairRow:
    """One pair and how it agreed to meet."""

    pair_id: int
    program: str
    mentor_id: str
    mentee_id: str
    status: str
    created_at: datetime
    paused_at: datetime | None
    ended_at: datetime | None
    frequency: str | None
    weekday: int | None
    local_time: str | None
    tz: str | None
    meeting_format: str | None
    start_date: date | None
    location: str | None = None
    expectations: str | None = None


@dataclass(frozen=True)
class CheckinRow:
    """One scheduled check-in of a pair."""

    checkin_id: int
    pair_id: int
    due_at: datetime
    met: str | None
    answered_at: datetime | None
    answers: int
    stage: str = "checkin"
    prepared: bool = False
    action_items: int = 0
    action_items_done: int = 0
    mentor_learned: str | None = None
    mentor_blocker: str | None = None
    mentee_learned: str | None = None
    mentee_blocker: str | None = None
    agenda_topics: str | None = None
    agenda_questions: str | None = None
    agenda_went_well: str | None = None
    agenda_hard: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class GoalRow:
    """One goal and where it stands."""

    goal_id: int
    pair_id: int
    owner_id: str
    status: str
    measure_kind: str
    start_value: float  # where a target goal started (a "reduce" goal counts down from it)
    target: float | None
    current_value: float
    milestones_done: int
    milestones_total: int
    deadline: date
    created_at: datetime
    closed_at: datetime | None
    unit: str | None = None  # typed by the mentee, so free text like the goal's words
    specific: str | None = None
    attainable: str | None = None
    realistic: str | None = None
    closing_note: str | None = None


@dataclass(frozen=True)
class Column:
    """A CSV column: its header, how to read it from a row, and whether it is what someone wrote."""

    header: str
    value: Callable[[Any], object]
    free_text: bool = False


def _field(name: str, *, free_text: bool = False) -> Column:
    return Column(name, lambda row: getattr(row, name), free_text)


def _weekday(row: PairRow) -> str | None:
    return WEEKDAYS[row.weekday] if row.weekday is not None else None


def _capacity(row: ParticipantRow) -> int | None:
    return None if row.role == "mentee" else row.mentor_capacity


PARTICIPANT_COLUMNS = (
    _field("user_id"),
    _field("display_name"),
    _field("program"),
    _field("role"),
    _field("experience_level"),
    Column("mentor_capacity", _capacity),
    _field("meeting_formats"),
    _field("time_zone"),
    _field("skills"),
    _field("growth_areas"),
    _field("joined_at"),
    _field("left_at"),
    _field("motivations", free_text=True),
    _field("background", free_text=True),
)
PAIR_COLUMNS = (
    _field("pair_id"),
    _field("program"),
    _field("mentor_id"),
    _field("mentee_id"),
    _field("status"),
    _field("created_at"),
    _field("paused_at"),
    _field("ended_at"),
    Column("agreement_frequency", lambda row: row.frequency),
    Column("agreement_weekday", _weekday),
    Column("agreement_time", lambda row: row.local_time),
    Column("agreement_time_zone", lambda row: row.tz),
    Column("agreement_format", lambda row: row.meeting_format),
    Column("agreement_start_date", lambda row: row.start_date),
    Column("agreement_location", lambda row: row.location, free_text=True),
    Column("agreement_expectations", lambda row: row.expectations, free_text=True),
)
CHECKIN_COLUMNS = (
    _field("checkin_id"),
    _field("pair_id"),
    _field("due_at"),
    _field("met"),
    _field("answered_at"),
    _field("answers"),
    _field("stage"),
    _field("prepared"),
    _field("action_items"),
    _field("action_items_done"),
    _field("mentor_learned", free_text=True),
    _field("mentor_blocker", free_text=True),
    _field("mentee_learned", free_text=True),
    _field("mentee_blocker", free_text=True),
    _field("agenda_topics", free_text=True),
    _field("agenda_questions", free_text=True),
    _field("agenda_went_well", free_text=True),
    _field("agenda_hard", free_text=True),
    _field("notes", free_text=True),
)
GOAL_COLUMNS = (
    _field("goal_id"),
    _field("pair_id"),
    _field("owner_id"),
    _field("status"),
    _field("measure_kind"),
    _field("start_value"),
    _field("target"),
    _field("current_value"),
    _field("milestones_done"),
    _field("milestones_total"),
    _field("deadline"),
    _field("created_at"),
    _field("closed_at"),
    _field("unit", free_text=True),
    _field("specific", free_text=True),
    _field("attainable", free_text=True),
    _field("realistic", free_text=True),
    _field("closing_note", free_text=True),
)


def _pct(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def _days(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 86400, 2)


def _group_kind(group: GroupOutcomes) -> str:
    return "program" if group.is_total else "open-ended" if group.is_open_ended else "cohort"


def _survival_columns(days: int) -> tuple[Column, ...]:
    return (
        Column(f"pairs_{days}_days_old", lambda g: g.survival_at(days).old_enough),
        Column(f"still_going_at_{days}_days_pct", lambda g: _pct(g.survival_at(days).share)),
    )


def hidden_because(group: GroupOutcomes) -> str:
    """Which of the group's figures the privacy rule hides, and why; empty when none is hidden."""
    if group.is_total:
        hidden = [
            name
            for name, figure in (
                ("goals", group.goals),
                ("midpoint_rating", group.midpoint),
                ("closing_rating", group.closing),
                ("recommend_score", group.recommend),
            )
            if figure is None
        ]
        return (
            f"{', '.join(hidden)}: hidden where a group's are, or fewer than {MIN_ANSWERS} people"
            if hidden
            else ""
        )
    reasons = []
    if group.goals is None:
        reasons.append(f"goals: fewer than {MIN_ANSWERS} goal owners")
    answers = [
        name
        for name, rating in (
            ("midpoint_rating", group.midpoint),
            ("closing_rating", group.closing),
            ("recommend_score", group.recommend),
        )
        if rating is None
    ]
    if answers:
        reasons.append(f"{', '.join(answers)}: fewer than {MIN_ANSWERS} people answered")
    return "; ".join(reasons)


OUTCOME_COLUMNS = (
    Column("group", _group_kind),
    Column("cohort_id", lambda g: g.cohort_id),
    Column("name", lambda g: g.name),
    Column("cohort_ended", lambda g: g.cohort_ended if g.cohort_id is not None else None),
    Column("pairs", lambda g: g.pairs),
    Column("active", lambda g: g.active),
    Column("paused", lambda g: g.paused),
    Column("ended_early", lambda g: g.ended_early),
    Column("completed", lambda g: g.completed),
    Column("median_days_signup_to_match", lambda g: _days(g.signup_to_match)),
    Column("median_days_match_to_first_meeting", lambda g: _days(g.match_to_meeting)),
    Column("pairs_met", lambda g: g.met),
    Column("met_pct", lambda g: _pct(g.met_share)),
    *(column for days in SURVIVAL_DAYS for column in _survival_columns(days)),
    Column("pairs_in_ended_cohorts", lambda g: None if g.is_open_ended else g.in_ended_cohorts),
    Column("completion_pct", lambda g: _pct(g.completion)),
    Column("goals", lambda g: g.goals.total if g.goals else None),
    Column("goals_achieved", lambda g: g.goals.achieved if g.goals else None),
    Column("goals_partly", lambda g: g.goals.partly if g.goals else None),
    Column("goals_achieved_pct", lambda g: _pct(g.goals.achieved_share) if g.goals else None),
    Column("goals_partly_pct", lambda g: _pct(g.goals.partly_share) if g.goals else None),
    Column("midpoint_answers", lambda g: g.midpoint.answers if g.midpoint else None),
    Column("midpoint_rating", lambda g: round(g.midpoint.value, 2) if g.midpoint else None),
    Column("closing_answers", lambda g: g.closing.answers if g.closing else None),
    Column("closing_rating", lambda g: round(g.closing.value, 2) if g.closing else None),
    Column("recommend_answers", lambda g: g.recommend.answers if g.recommend else None),
    Column("recommend_score", lambda g: round(g.recommend.value, 1) if g.recommend else None),
    Column("hidden_because", hidden_because),
)


@dataclass(frozen=True)
class ExportData:
    """Everything one export holds, read in one transaction."""

    program_name: str
    free_text: bool
    participants: tuple[ParticipantRow, ...]
    pairs: tuple[PairRow, ...]
    checkins: tuple[CheckinRow, ...]
    goals: tuple[GoalRow, ...]
    outcomes: Outcomes | None = None


@dataclass(frozen=True)
class ExportFile:
    """One CSV file to upload."""

    name: str  # participants, pairs, checkins, goals or outcomes
    filename: str
    title: str
    content: bytes
    rows: int


def gather_export(session: Session, program: Program, now: datetime) -> ExportData:
    """Read the program's rows (only this program of its workspace), honouring its free-text setting,
    and its outcomes as of `now`."""
    free_text = bool(program.export_free_text)
    scope = {"team_id": program.team_id, "program_id": program.id, "free_text": free_text}

    def rows(query: Callable[..., list], make: type, **extra: object) -> tuple:
        return tuple(make(**_tuples(dict(row._mapping)), **extra) for row in query(session, **scope))

    return ExportData(
        program_name=program.name,
        free_text=free_text,
        participants=rows(export_queries.participants, ParticipantRow, program=program.name),
        pairs=rows(export_queries.pairs, PairRow, program=program.name),
        checkins=rows(export_queries.checkins, CheckinRow),
        goals=rows(export_queries.goals, GoalRow),
        outcomes=program_outcomes(session, program, now),
    )


def _tuples(values: dict[str, object]) -> dict[str, object]:
    return {key: tuple(value) if isinstance(value, list) else value for key, value in values.items()}


def export_files(data: ExportData, today: date) -> list[ExportFile]:
    """The CSV files (four, and outcomes when gathered), named `<what>-<program>-<YYYY-MM-DD>.csv`."""
    slug = filename_part(data.program_name)
    tables: tuple[tuple[str, str, Sequence[Column], Sequence[object]], ...] = (
        ("participants", "Participants", PARTICIPANT_COLUMNS, data.participants),
        ("pairs", "Pairs", PAIR_COLUMNS, data.pairs),
        ("checkins", "Check-ins", CHECKIN_COLUMNS, data.checkins),
        ("goals", "Goals", GOAL_COLUMNS, data.goals),
    )
    if data.outcomes is not None:
        groups = (*data.outcomes.groups, data.outcomes.total)
        tables += (("outcomes", "Outcomes", OUTCOME_COLUMNS, groups),)
    return [
        ExportFile(
            name=name,
            filename=f"{name}-{slug}-{today.isoformat()}.csv",
            title=f"{title} of {data.program_name}, {today.isoformat()}",
            content=csv_bytes(columns, rows, free_text=data.free_text),
            rows=len(rows),
        )
        for name, title, columns, rows in tables
    ]


def csv_bytes(columns: Sequence[Column], rows: Sequence[object], *, free_text: bool) -> bytes:
    """A header row and one line per row, UTF-8 with a BOM; free-text columns only with `free_text`."""
    chosen = [column for column in columns if free_text or not column.free_text]
    out = io.StringIO(newline="")
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([column.header for column in chosen])
    writer.writerows([cell(column.value(row)) for column in chosen] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def cell(value: object) -> str:
    """One value as spreadsheet text: ISO dates, UTC instants with Z, plain numbers, safe text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list | tuple):
        return neutralise(LIST_SEPARATOR.join(str(item) for item in value))
    return neutralise(str(value))


def neutralise(text: str) -> str:
    """Text a spreadsheet would read as a formula, with a leading apostrophe so it stays text."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def filename_part(name: str) -> str:
    """A program name as a file-name part: lower case, letters and digits joined by hyphens."""
    return re.sub(r"[\W_]+", "-", name.casefold()).strip("-") or "program"


def export_reply(
    program_name: str, sent: Sequence[ExportFile], failed: dict[str, str], free_text: bool
) -> str:
    """What the admin is told once the files went out (or did not)."""
    parts = [f"{file.name} ({plural(file.rows, 'row')})" for file in sent]
    lines = []
    if sent:
        lines.append(
            f"I sent you {plural(len(sent), 'CSV file')} for “{escape_text(program_name)}” in our DM: "
            f"{', '.join(parts)}."
        )
        lines.append(
            "They include what people wrote, as the program's settings allow."
            if free_text
            else "What people wrote is left out; admins can allow it under “Export free text” in "
            "`/mentor config`."
        )
    if failed:
        problems = ", ".join(f"{name} ({error})" for name, error in failed.items())
        lines.append(
            f"I could not upload {problems}. "
            "If it says missing_scope, reinstall mentorbot so that it may upload files."
        )
    return "\n".join(lines)
