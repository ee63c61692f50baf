"""Programs and their settings: the default program, admins, and the settings form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import ids
from bot.config import Settings
from bot.forms import MAX_LENGTH, FieldErrors, FormState, split_list, too_long
from bot.members import Member
from bot.refusal import Refusal
from bot.views.common import escape_text
from storage import queries
from storage import requests as request_store
from storage.models import MatchRun, Pair, Program

DEFAULT_PROGRAM_NAME = "Mentorship"
DEFAULT_SKILLS = (
    "Career growth",
    "Leadership",
    "People management",
    "Public speaking",
    "Writing",
    "Feedback and difficult conversations",
    "Negotiation",
    "Product thinking",
    "System design",
    "Code review",
    "Testing",
    "Data analysis",
    "Project management",
    "Working across teams",
    "Work-life balance",
)
CADENCES = {"weekly": "every week", "biweekly": "every two weeks", "monthly": "every month"}
PULSE_WEEKS = ("2", "4", "6", "8", "12")
MAX_SKILLS = 100  # a static select holds at most 100 options
MAX_SKILL_LENGTH = 60
EXPORT_FREE_TEXT_ON = "on"  # the value of the settings modal's "Export free text" checkbox
PAIRING_MODES = {
    "admins": "Admins pair people",
    "mentor_decides": "Mentees ask a mentor, who decides",
    "admin_approval": "Mentees ask a mentor; admins approve",
}
REQUEST_DAYS = ("1", "2", "3", "5", "7")


def ensure_default_program(session: Session, team_id: str, now: datetime) -> Program:
    """The workspace's default program, created on first use so nobody has to set one up."""
    queries.ensure_workspace(session, team_id, now)
    program = session.scalar(select(Program).where(Program.team_id == team_id, Program.is_default))
    if program is not None:
        return program
    queries.insert_or_ignore(
        session,
        Program,
        {
            "team_id": team_id,
            "name": DEFAULT_PROGRAM_NAME,
            "is_default": True,
            "skills": list(DEFAULT_SKILLS),
            "admin_user_ids": [],
            "default_cadence": "biweekly",
            "created_at": now,
        },
        ["team_id", "name"],
    )
    return session.scalars(select(Program).where(Program.team_id == team_id, Program.is_default)).one()


def is_admin(member: Member, settings: Settings, program: Program | None = None) -> bool:
    """Workspace admins and owners, configured admins, and the program's own admins."""
    if member.is_admin or member.user_id in settings.admin_user_ids:
        return True
    return program is not None and member.user_id in (program.admin_user_ids or [])


def is_admin_anywhere(session: Session, member: Member, settings: Settings, team_id: str) -> bool:
    """True when the member administers the workspace or any of its programs."""
    return is_admin(member, settings) or any(
        member.user_id in (p.admin_user_ids or []) for p in queries.programs(session, team_id)
    )


def require_pair_admin(
    session: Session, team_id: str, pair_id: int, member: Member, settings: Settings
) -> Pair | Refusal:
    """The pair (locked), if `member` administers the program it belongs to; else why not.

    Every admin action on a pair starts here, so an admin of one program cannot change another's.
    """
    pair = queries.pair_for_update(session, team_id, pair_id)
    if pair is None:
        return Refusal("That pair does not exist any more.")
    program = session.get(Program, pair.program_id)
    if not is_admin(member, settings, program):
        return Refusal("Only admins of that pair's program can do this. Ask one of them.")
    return pair


def require_run_admin(
    session: Session, team_id: str, run_id: int, member: Member, settings: Settings
) -> MatchRun | Refusal:
    """The match run (locked), if `member` administers its program; else why not."""
    run = session.get(MatchRun, run_id, with_for_update=True)
    if run is None or run.team_id != team_id:
        return Refusal("Those match proposals no longer exist: run `/mentor match` again.")
    if not is_admin(member, settings, session.get(Program, run.program_id)):
        return Refusal("Only admins of that program can confirm its pairs.")
    return run


@dataclass(frozen=True)
class ProgramSettings:
    """A program's settings as the form shows them."""

    program_id: int
    name: str
    announce_channel_id: str | None
    skills: tuple[str, ...]
    default_cadence: str
    admin_user_ids: tuple[str, ...]
    export_free_text: bool = False
    pulse_every_weeks: int = 4
    pairing_mode: str = "admins"
    request_days: int = 3


def program_settings(program: Program) -> ProgramSettings:
    """The program's settings as plain data for the settings modal."""
    return ProgramSettings(
        program_id=program.id,
        name=program.name,
        announce_channel_id=program.announce_channel_id,
        skills=tuple(program.skills),
        default_cadence=program.default_cadence,
        admin_user_ids=tuple(program.admin_user_ids or ()),
        export_free_text=bool(program.export_free_text),
        pulse_every_weeks=program.pulse_every_weeks or 4,
        pairing_mode=program.pairing_mode or "admins",
        request_days=program.request_days or 3,
    )


@dataclass(frozen=True)
class ProgramForm:
    """The program settings an admin submitted."""

    name: str
    announce_channel_id: str | None
    skills: tuple[str, ...]
    default_cadence: str
    admin_user_ids: tuple[str, ...]
    export_free_text: bool = False
    pulse_every_weeks: int = 4
    pairing_mode: str = "admins"
    request_days: int = 3


def parse_program_form(values: dict) -> ProgramForm | FieldErrors:
    """Read the settings modal; field errors when something cannot be saved."""
    state = FormState(values)
    errors: FieldErrors = {}
    name = " ".join(state.text(ids.CONFIG_NAME).split())
    if len(name) < 2 or too_long(ids.CONFIG_NAME, name):
        errors[ids.CONFIG_NAME] = f"Give the program a name of 2 to {MAX_LENGTH[ids.CONFIG_NAME]} characters."
    skills, problem = split_list(state.text(ids.CONFIG_SKILLS), limit=MAX_SKILLS, max_length=MAX_SKILL_LENGTH)
    problem = problem or too_long(ids.CONFIG_SKILLS, "\n".join(skills))
    if problem:
        errors[ids.CONFIG_SKILLS] = problem
    elif not skills:
        errors[ids.CONFIG_SKILLS] = "List at least one skill people can offer or grow in, one per line."
    cadence = state.option(ids.CONFIG_CADENCE) or "biweekly"
    if cadence not in CADENCES:
        errors[ids.CONFIG_CADENCE] = "Choose weekly, every two weeks or monthly."
    pulse = state.option(ids.CONFIG_PULSE) or "4"
    if pulse not in PULSE_WEEKS:
        errors[ids.CONFIG_PULSE] = "Choose how many weeks between pulses."
    pairing = state.option(ids.CONFIG_PAIRING) or "admins"
    if pairing not in PAIRING_MODES:
        errors[ids.CONFIG_PAIRING] = "Choose how pairs are made."
    days = state.option(ids.CONFIG_REQUEST_DAYS) or "3"
    if days not in REQUEST_DAYS:
        errors[ids.CONFIG_REQUEST_DAYS] = "Choose how many days a request waits for an answer."
    if errors:
        return errors
    return ProgramForm(
        name=name,
        announce_channel_id=state.conversation(ids.CONFIG_CHANNEL),
        skills=tuple(skills),
        default_cadence=cadence,
        admin_user_ids=tuple(state.users(ids.CONFIG_ADMINS)),
        export_free_text=EXPORT_FREE_TEXT_ON in state.options(ids.CONFIG_EXPORT_FREE_TEXT),
        pulse_every_weeks=int(pulse),
        pairing_mode=pairing,
        request_days=int(days),
    )


def save_program(
    session: Session,
    program: Program,
    form: ProgramForm,
    by: Member | None = None,
    now: datetime | None = None,
) -> FieldErrors:
    """Apply the settings; a name another program of the workspace has is a field error.

    Whoever saves them administers the program from then on for its reports and alerts.
    """
    clash = queries.program_by_name(session, program.team_id, form.name)
    if clash is not None and clash.id != program.id:
        return {ids.CONFIG_NAME: f"Another program is already called “{clash.name}”."}
    if by is not None and now is not None:
        _configured_by(session, program, by, now)
    program.name = form.name
    program.announce_channel_id = form.announce_channel_id
    program.skills = list(form.skills)
    program.default_cadence = form.default_cadence
    program.admin_user_ids = list(form.admin_user_ids)
    program.export_free_text = form.export_free_text
    program.pulse_every_weeks = form.pulse_every_weeks
    if form.pairing_mode == "admins" and program.pairing_mode != "admins":
        request_store.close_in_program(session, program.id)  # admins pair people now
    program.pairing_mode = form.pairing_mode
    program.request_days = form.request_days
    return {}


def new_program(session: Session, team_id: str, name: str, now: datetime) -> Program:
    """A new, non-default program with the default skill list; the caller checks the name is free."""
    queries.ensure_workspace(session, team_id, now)
    program = Program(
        team_id=team_id,
        name=name,
        is_default=False,
        skills=list(DEFAULT_SKILLS),
        admin_user_ids=[],
        default_cadence="biweekly",
        created_at=now,
    )
    session.add(program)
    session.flush()
    return program


def resolve_admin_program(session: Session, team_id: str, name: str, now: datetime) -> Program | Refusal:
    """The program an admin command names, or the default one; a message when the name is unknown."""
    default = ensure_default_program(session, team_id, now)
    if not name:
        return default
    program = queries.program_by_name(session, team_id, name)
    if program is None:
        names = ", ".join(f"“{escape_text(p.name)}”" for p in queries.programs(session, team_id))
        return Refusal(f"There is no program called “{escape_text(name)}”. Programs here: {names}.")
    return program


def start_program(
    session: Session, team_id: str, name: str, member: Member, settings: Settings, now: datetime
) -> Program | Refusal:
    """A new program called `name`, started by `member`; or why they cannot start it."""
    if not is_admin(member, settings):
        return Refusal("Only workspace admins can start a new program.")
    if len(name) < 2 or too_long(ids.CONFIG_NAME, name):
        return Refusal("Name the new program: `/mentor config new Leadership 2027` (2 to 80 characters).")
    if queries.program_by_name(session, team_id, name) is not None:
        return Refusal(
            f"There is a program called “{escape_text(name)}” already: "
            f"`/mentor config {escape_text(name)}` changes it."
        )
    program = new_program(session, team_id, name, now)
    _configured_by(session, program, member, now)
    return program


def _configured_by(session: Session, program: Program, member: Member, now: datetime) -> None:
    """Remember who set the program up, and their zone, so its report reaches them on their Monday."""
    program.configured_by_user_id = member.user_id
    queries.upsert_person(session, program.team_id, member.user_id, now, name=member.name, tz=member.tz)


def admin_program(
    session: Session,
    team_id: str,
    member: Member,
    name: str,
    settings: Settings,
    now: datetime,
    *,
    doing: str,
) -> Program | Refusal:
    """The program an admin command names (or the default), if `member` administers it; else why not."""
    program = resolve_admin_program(session, team_id, name, now)
    if isinstance(program, Refusal):
        return program
    if not is_admin(member, settings, program):
        return Refusal(f"Only program admins can {doing}. Ask one of them.")
    return program


def administered_program(
    session: Session, team_id: str, program_id: str, member: Member | None, settings: Settings
) -> Program | None:
    """The program a modal's metadata names, if it is this workspace's and `member` administers it."""
    program = queries.program_in_team(session, team_id, int(program_id)) if program_id.isdigit() else None
    if program is None or member is None or not is_admin(member, settings, program):
        return None
    return program
