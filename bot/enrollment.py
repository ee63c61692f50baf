"""Joining and leaving a program: the sign-up form's rules, and writing profiles."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from bot import ids
from bot.forms import FieldErrors, FormState, split_list, too_long
from bot.members import Member
from bot.programs import ensure_default_program
from bot.refusal import Refusal
from bot.views.common import escape_text
from bot.zones import is_valid_zone
from storage import exclusions, queries
from storage import requests as request_store
from storage.models import Pair, PairStatus, Profile, Program, Role

EXPERIENCE_LEVELS = {
    "new": "New to it (0-2 years)",
    "developing": "Developing (2-5 years)",
    "experienced": "Experienced (5-10 years)",
    "expert": "Expert (10+ years)",
}
MEETING_FORMATS = {"video": "Video call", "in_person": "In person", "chat": "Chat"}
ROLES = {
    Role.MENTEE.value: "Mentee: I want to grow",
    Role.MENTOR.value: "Mentor: I want to help someone grow",
    Role.BOTH.value: "Both",
}
MAX_CAPACITY = 5
MAX_OTHER_ITEMS = 10
MAX_ITEM_LENGTH = 60
MIN_STORY = 10
MAX_EXCLUDED = 20
USER_ID = re.compile(r"[UW][A-Z0-9]{1,30}")


@dataclass(frozen=True)
class Story:
    """What a member wrote at sign-up for their partner: motivations and background."""

    motivations: str = ""
    background: str = ""


def story_of(session: Session, program_id: int, person_id: int) -> Story:
    """The member's story in a program, empty when they wrote none (or were forgotten)."""
    profile = queries.profile(session, program_id, person_id)
    if profile is None:
        return Story()
    return Story(profile.motivations or "", profile.background or "")


@dataclass(frozen=True)
class ProgramChoice:
    """A program someone can join."""

    program_id: int
    name: str
    skills: tuple[str, ...]


@dataclass(frozen=True)
class ProfileDefaults:
    """What the form shows before the person types: their saved profile, or Slack's time zone."""

    role: str | None = None
    skills: tuple[str, ...] = ()
    growth_areas: tuple[str, ...] = ()
    experience_level: str | None = None
    motivations: str = ""
    background: str = ""
    meeting_formats: tuple[str, ...] = field(default=("video",))
    mentor_capacity: int = 1
    tz: str = ""
    excluded: tuple[str, ...] = ()  # people they would rather not be paired with (only they see it)


@dataclass(frozen=True)
class JoinForm:
    """A valid sign-up or profile submission."""

    program_id: int
    role: str
    skills: tuple[str, ...]
    growth_areas: tuple[str, ...]
    experience_level: str
    motivations: str
    background: str | None
    meeting_formats: tuple[str, ...]
    mentor_capacity: int
    tz: str
    excluded: tuple[str, ...] = ()


def parse_join(values: dict, program_ids: set[int], default_program_id: int) -> JoinForm | FieldErrors:
    """Read the sign-up modal; field errors say what to fix, and nothing typed is lost."""
    state = FormState(values)
    errors: FieldErrors = {}

    chosen = state.option(ids.JOIN_PROGRAM)
    program_id = int(chosen) if chosen and chosen.isdigit() else default_program_id
    if program_id not in program_ids:
        errors[ids.JOIN_PROGRAM] = "That program no longer exists: choose another."

    role = state.option(ids.JOIN_ROLE)
    if role not in ROLES:
        errors[ids.JOIN_ROLE] = "Choose whether you join as a mentor, a mentee, or both."
    mentoring = role in (Role.MENTOR.value, Role.BOTH.value)
    growing = role in (Role.MENTEE.value, Role.BOTH.value)

    skills = _combined(state, ids.JOIN_SKILLS, ids.JOIN_SKILLS_OTHER, errors)
    growth = _combined(state, ids.JOIN_GROWTH, ids.JOIN_GROWTH_OTHER, errors)
    if mentoring and not skills and ids.JOIN_SKILLS_OTHER not in errors:
        errors[ids.JOIN_SKILLS] = "As a mentor, pick at least one skill you can help with."
    if growing and not growth and ids.JOIN_GROWTH_OTHER not in errors:
        errors[ids.JOIN_GROWTH] = "As a mentee, pick at least one area you want to grow in."

    level = state.option(ids.JOIN_EXPERIENCE)
    if level not in EXPERIENCE_LEVELS:
        errors[ids.JOIN_EXPERIENCE] = "Choose your experience level."

    motivations = state.text(ids.JOIN_MOTIVATIONS)
    if len(motivations) < MIN_STORY:
        errors[ids.JOIN_MOTIVATIONS] = "Say in a sentence what you hope to get from mentorship."
    elif problem := too_long(ids.JOIN_MOTIVATIONS, motivations):
        errors[ids.JOIN_MOTIVATIONS] = problem
    background = state.text(ids.JOIN_BACKGROUND)
    if problem := too_long(ids.JOIN_BACKGROUND, background):
        errors[ids.JOIN_BACKGROUND] = problem

    formats = [f for f in state.options(ids.JOIN_FORMATS) if f in MEETING_FORMATS]
    if not formats:
        errors[ids.JOIN_FORMATS] = "Pick at least one way you like to meet."

    capacity_text = state.option(ids.JOIN_CAPACITY)
    capacity = int(capacity_text) if capacity_text and capacity_text.isdigit() else 0
    if mentoring and not 1 <= capacity <= MAX_CAPACITY:
        errors[ids.JOIN_CAPACITY] = f"As a mentor, say how many mentees (1 to {MAX_CAPACITY}) you can take."

    tz = state.text(ids.JOIN_TZ)
    if not is_valid_zone(tz):
        errors[ids.JOIN_TZ] = "Use a time zone name like Europe/Berlin or America/New_York."

    excluded = tuple(dict.fromkeys(u for u in state.users(ids.JOIN_EXCLUDE) if USER_ID.fullmatch(u)))
    if len(excluded) > MAX_EXCLUDED:
        errors[ids.JOIN_EXCLUDE] = f"Name at most {MAX_EXCLUDED} people."

    if errors:
        return errors
    return JoinForm(
        program_id=program_id,
        role=role or "",
        skills=tuple(skills) if mentoring else (),
        growth_areas=tuple(growth) if growing else (),
        experience_level=level or "",
        motivations=motivations,
        background=background or None,
        meeting_formats=tuple(formats),
        mentor_capacity=capacity if mentoring else 0,
        tz=tz,
        excluded=excluded,
    )


def _combined(state: FormState, picked_id: str, other_id: str, errors: FieldErrors) -> list[str]:
    picked = state.options(picked_id)
    other, problem = split_list(state.text(other_id), limit=MAX_OTHER_ITEMS, max_length=MAX_ITEM_LENGTH)
    # Kept as the form shows them again, joined by ", ": that must fit the field too.
    problem = problem or too_long(other_id, ", ".join(other))
    if problem:
        errors[other_id] = problem
    seen = {item.casefold() for item in picked}
    return picked + [item for item in other if item.casefold() not in seen]


@dataclass(frozen=True)
class Enrolled:
    """The outcome of a sign-up: the profile, and whether it is new."""

    profile: Profile
    created: bool


def enroll(session: Session, team_id: str, member: Member, form: JoinForm, now: datetime) -> Enrolled:
    """Create or update the member's profile in the program; submitting twice never duplicates."""
    person = queries.upsert_person(session, team_id, member.user_id, now, name=member.name, tz=member.tz)
    existing = queries.profile(session, form.program_id, person.id)
    created = existing is None or existing.left_at is not None
    queries.insert_or_ignore(
        session,
        Profile,
        {
            "team_id": team_id,
            "program_id": form.program_id,
            "person_id": person.id,
            "role": form.role,
            "joined_at": now,
            "updated_at": now,
            "mentor_capacity": 0,
            "skills": [],
            "growth_areas": [],
            "interests": [],
            "meeting_formats": [],
        },
        ["program_id", "person_id"],
    )
    profile = queries.profile(session, form.program_id, person.id)
    assert profile is not None
    if profile.left_at is not None:
        profile.left_at = None
        profile.joined_at = now
    profile.role = form.role
    profile.skills = list(form.skills)
    profile.growth_areas = list(form.growth_areas)
    profile.experience_level = form.experience_level
    profile.motivations = form.motivations
    profile.background = form.background
    profile.meeting_formats = list(form.meeting_formats)
    profile.mentor_capacity = form.mentor_capacity
    profile.tz_override = form.tz if form.tz != member.tz else None
    profile.updated_at = now
    exclusions.set_excluded(
        session, team_id, person.id, [u for u in form.excluded if u != member.user_id], now
    )
    session.flush()
    return Enrolled(profile=profile, created=created)


@dataclass(frozen=True)
class Left:
    """What leaving a program changed: the pairs it ended and who to tell."""

    program_name: str
    ended_pairs: tuple[Pair, ...]
    user_id: str = ""  # who left

    def partner_user_ids(self) -> tuple[str, ...]:
        """The partners of the pairs that ended, who are told."""
        return tuple(
            pair.mentee.user_id if pair.mentor.user_id == self.user_id else pair.mentor.user_id
            for pair in self.ended_pairs
        )


def leave(session: Session, team_id: str, user_id: str, program: Program, now: datetime) -> Left | None:
    """Leave the program: end open pairs, keep history; None when the person was not in it."""
    person = queries.find_person(session, team_id, user_id)
    profile = queries.profile(session, program.id, person.id) if person else None
    if person is None or profile is None or profile.left_at is not None:
        return None
    profile.left_at = now
    request_store.close_open(session, program.id, person.id)  # their requests, and those to them
    ended = []
    for pair in queries.open_pairs(session, person, program.id):
        pair.status = PairStatus.ENDED.value
        pair.ended_at = now
        pair.ended_by_user_id = user_id
        pair.next_checkin_at = None
        ended.append(pair)
    session.flush()
    return Left(program_name=program.name, ended_pairs=tuple(ended), user_id=user_id)


def profile_tz(profile: Profile) -> str | None:
    """The zone the person chose, or the one Slack reports for them."""
    return profile.tz_override or profile.person.tz


@dataclass(frozen=True)
class JoinFormData:
    """What the sign-up modal needs: the programs, which one is chosen, and what to prefill."""

    programs: list[ProgramChoice]
    program_id: int
    defaults: ProfileDefaults
    editing: bool


def join_form_data(
    session: Session, team_id: str, member: Member, program_name: str, now: datetime
) -> JoinFormData | Refusal:
    """Gather the sign-up form for `member`; a message instead when the named program is unknown."""
    default = ensure_default_program(session, team_id, now)
    programs = queries.programs(session, team_id)
    chosen: Program | None = default
    if program_name:
        chosen = queries.program_by_name(session, team_id, program_name)
        if chosen is None or chosen.archived_at is not None:
            names = ", ".join(f"“{escape_text(p.name)}”" for p in programs)
            return Refusal(
                f"There is no program called “{escape_text(program_name)}”. Programs here: {names}."
            )
    assert chosen is not None
    person = queries.find_person(session, team_id, member.user_id)
    existing = queries.profile(session, chosen.id, person.id) if person else None
    if existing is None and person is not None and not program_name:
        # With no program named, edit the profile the person already has, if any.
        enrolled = queries.active_profiles(session, person)
        if enrolled:
            existing, chosen = enrolled[0]
    defaults = ProfileDefaults(tz=member.tz or "")
    if existing is not None:
        defaults = ProfileDefaults(
            role=existing.role,
            skills=tuple(existing.skills),
            growth_areas=tuple(existing.growth_areas),
            experience_level=existing.experience_level,
            motivations=existing.motivations or "",
            background=existing.background or "",
            meeting_formats=tuple(existing.meeting_formats),
            mentor_capacity=existing.mentor_capacity or 1,
            tz=existing.tz_override or member.tz or "",
            excluded=tuple(exclusions.excluded_user_ids(session, person.id)) if person else (),
        )
    return JoinFormData(
        programs=[ProgramChoice(p.id, p.name, tuple(p.skills)) for p in programs],
        program_id=chosen.id,
        defaults=defaults,
        editing=existing is not None and existing.left_at is None,
    )


def program_ids(session: Session, team_id: str, now: datetime) -> tuple[set[int], int]:
    """The ids of the workspace's open programs, and the default program's id."""
    default = ensure_default_program(session, team_id, now)
    return {p.id for p in queries.programs(session, team_id)}, default.id


def resolve_program(
    session: Session, team_id: str, user_id: str, name: str, now: datetime
) -> Program | Refusal:
    """The program a member means: the one named, or the only one they are in; else a message."""
    if name:
        program = queries.program_by_name(session, team_id, name)
        return (
            program if program is not None else Refusal(f"There is no program called “{escape_text(name)}”.")
        )
    person = queries.find_person(session, team_id, user_id)
    enrolled = queries.active_profiles(session, person) if person else []
    if not enrolled:
        return Refusal("You are not in any mentoring program. `/mentor join` signs you up.")
    if len(enrolled) > 1:
        names = ", ".join(f"“{escape_text(program.name)}”" for _, program in enrolled)
        return Refusal(
            f"You are in several programs ({names}): name one, "
            f"e.g. `/mentor leave {escape_text(enrolled[0][1].name)}`."
        )
    return enrolled[0][1]
