"""Mentees choose: browsing the mentors who have room, asking one, and the answer.

A program says how pairs are made (`Program.pairing_mode`): by admins only (as always), or mentees
ask a mentor who decides ("mentor_decides"), or mentees ask and an admin approves what the mentor
accepted ("admin_approval"). Browsing ranks the mentors a mentee may ask by the score matching
uses and says why each would suit; nobody appears who opted out of introductions, is at capacity,
is kept apart from the mentee (either way), or was paired with them before. A mentee has one open
request per program; it expires after the program's number of days. An accepted request becomes a
pair exactly as an admin's pairing makes one. Admins see counts and times, never the notes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from statistics import median

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.admins import program_admins
from bot.config import Settings
from bot.enrollment import story_of
from bot.inputs import MessageAt
from bot.matching import score_pair
from bot.members import Member
from bot.notify import welcome
from bot.outbox import Letter, group, post
from bot.pairing import candidate_of, pair_asked
from bot.programs import is_admin
from bot.refusal import Refusal
from bot.views import requests as views
from bot.views.common import escape_text
from storage import exclusions, queries
from storage import requests as store
from storage.models import MentorRequest, Person, Profile, Program, RequestStatus
from storage.queries import MENTEE_ROLES, MENTOR_ROLES

PAGE = 8  # mentors per page of the browsing modal
NEXT_BEST = 3  # mentors suggested after a decline or an expiry
REQUEST = "request"  # the outbox kind of request letters
ASKING_MODES = ("mentor_decides", "admin_approval")


def _mentor_key(request_id: int) -> str:
    return f"request:{request_id}"


# -- browsing --------------------------------------------------------------------------------------


def ranked_mentors(
    session: Session, program: Program, mentee: Profile, now: datetime, skill: str | None = None
) -> list[views.MentorCard]:
    """The mentors the mentee may ask in the program, best suited first (matching's score)."""
    wanted = candidate_of(mentee)
    apart = exclusions.kept_apart_from(session, mentee.person_id)
    before = {m for m, e in queries.past_pair_ids(session, program.id) if e == mentee.person_id}
    folded = skill.casefold() if skill else None
    cards = []
    for profile, load in queries.mentors_with_load(session, program.id):
        person = profile.person
        free = profile.mentor_capacity - load
        if (
            free <= 0
            or person.id == mentee.person_id
            or person.no_introductions
            or person.deactivated_at is not None
            or person.forgotten_at is not None
            or person.id in apart
            or person.id in before
            or (folded is not None and folded not in {s.casefold() for s in profile.skills})
        ):
            continue
        scored = score_pair(candidate_of(profile, free), wanted, now)
        if scored is None:
            continue
        cards.append(
            views.MentorCard(
                person_id=person.id,
                user_id=person.user_id,
                name=person.display_name or person.user_id,
                reason=scored[1],
                offers=tuple(profile.skills),
                free=free,
                score=scored[0],
            )
        )
    return sorted(cards, key=lambda card: (-card.score, card.user_id))


def _mentee_profile(
    session: Session, team_id: str, user_id: str, program: Program | None
) -> Profile | Refusal:
    person = queries.find_person(session, team_id, user_id)
    profiles = [
        profile
        for profile, found in (queries.active_profiles(session, person) if person else [])
        if profile.role in MENTEE_ROLES and (program is None or found.id == program.id)
    ]
    if not profiles:
        return Refusal("Browsing mentors is for mentees: `/mentor join` as a mentee (or both) first.")
    return profiles[0]


def browse(
    session: Session,
    team_id: str,
    user_id: str,
    program_id: int | None,
    skill: str | None,
    page: int,
    now: datetime,
) -> views.Browsing | Refusal:
    """A page of the mentors the caller (a mentee) may ask, optionally only those offering `skill`."""
    program = queries.program_in_team(session, team_id, program_id) if program_id is not None else None
    if program_id is not None and (program is None or program.archived_at is not None):
        return Refusal("That program no longer exists.")
    profile = _mentee_profile(session, team_id, user_id, program)
    if isinstance(profile, Refusal):
        return profile
    if program is None:
        program = session.get(Program, profile.program_id)
        assert program is not None
    if skill:  # as the program spells it, whatever the case typed; within a select option's length
        typed = " ".join(skill.split())[: views.MAX_SKILL]
        skill = next((s for s in program.skills if s.casefold() == typed.casefold()), typed) or None
    cards = ranked_mentors(session, program, profile, now, skill)
    pages = max(1, -(-len(cards) // PAGE))
    page = min(max(page, 0), pages - 1)
    waiting = store.open_request_of(session, program.id, profile.person_id)
    return views.Browsing(
        program_id=program.id,
        program_name=program.name,
        can_ask=program.pairing_mode in ASKING_MODES,
        skill=skill,
        skills=tuple(program.skills),
        page=page,
        pages=pages,
        total=len(cards),
        cards=tuple(cards[page * PAGE : (page + 1) * PAGE]),
        waiting_for=_user_of(session, waiting.mentor_id) if waiting else None,
    )


def _user_of(session: Session, person_id: int) -> str:
    person = session.get(Person, person_id)
    assert person is not None
    return person.user_id


# -- asking --------------------------------------------------------------------------------------


def mentor_to_ask(
    session: Session, team_id: str, program_id: int, user_id: str, mentor_person_id: int, now: datetime
) -> str | Refusal:
    """The name of a mentor the caller may ask, for the request form."""
    program = queries.program_in_team(session, team_id, program_id)
    if program is None or program.pairing_mode not in ASKING_MODES:
        return Refusal("In that program admins pair people: ask one of them for a mentor.")
    profile = _mentee_profile(session, team_id, user_id, program)
    if isinstance(profile, Refusal):
        return profile
    card = next(
        (c for c in ranked_mentors(session, program, profile, now) if c.person_id == mentor_person_id), None
    )
    if card is None:
        return Refusal("That mentor cannot take a request now. Pick another: the list shows who has room.")
    return card.name


@dataclass(frozen=True)
class Asked:
    """A request made, and the letter that takes it to the mentor."""

    request_id: int
    mentor_user_id: str
    expires_at: datetime
    letters: list[Letter]


def ask(
    session: Session,
    team_id: str,
    program_id: int,
    user_id: str,
    mentor_person_id: int,
    note: str | None,
    now: datetime,
) -> Asked | Refusal:
    """The mentee asks a mentor, who must be one browsing would show them; one open request at a time."""
    program = queries.program_in_team(session, team_id, program_id)
    if program is None or program.archived_at is not None:
        return Refusal("That program no longer exists.")
    if program.pairing_mode not in ASKING_MODES:
        return Refusal(f"In {escape_text(program.name)} admins pair people: ask one of them for a mentor.")
    profile = _mentee_profile(session, team_id, user_id, program)
    if isinstance(profile, Refusal):
        return profile
    if any(p.mentee_id == profile.person_id for p in queries.open_pairs(session, profile.person, program.id)):
        return Refusal("You have a mentor in this program already.")
    waiting = store.open_request_of(session, program.id, profile.person_id)
    if waiting is not None:
        return Refusal(
            f"You asked <@{_user_of(session, waiting.mentor_id)}> already: withdraw that request from your "
            "Home tab before you ask someone else."
        )
    card = next(
        (c for c in ranked_mentors(session, program, profile, now) if c.person_id == mentor_person_id), None
    )
    if card is None:  # full, away, or kept apart: the same words whatever the reason
        return Refusal("That mentor cannot take a request now. Pick another: the list shows who has room.")
    request = MentorRequest(
        team_id=team_id,
        program_id=program.id,
        mentee_id=profile.person_id,
        mentor_id=mentor_person_id,
        note=note,
        status=RequestStatus.PENDING.value,
        created_at=now,
        expires_at=now + timedelta(days=program.request_days or 3),
    )
    try:
        with session.begin_nested():
            session.add(request)
    except IntegrityError:  # a second request of the same mentee at the same moment
        return Refusal("You have just asked someone: withdraw that request from your Home tab first.")
    view = _request_view(session, request, program)
    letter = Letter(
        key=_mentor_key(request.id), kind=REQUEST, to=card.user_id, payload=views.request_message(view)
    )
    return Asked(request.id, card.user_id, request.expires_at, [letter])


def _request_view(session: Session, request: MentorRequest, program: Program) -> views.RequestView:
    mentee = queries.profile(session, program.id, request.mentee_id)
    return views.RequestView(
        request_id=request.id,
        program_name=program.name,
        mentee_user_id=_user_of(session, request.mentee_id),
        mentor_user_id=_user_of(session, request.mentor_id),
        growth_areas=tuple(mentee.growth_areas) if mentee else (),
        experience=mentee.experience_level if mentee else None,
        story=story_of(session, program.id, request.mentee_id),
        note=request.note,
        status=request.status,
        expires_at=request.expires_at,
        approval=program.pairing_mode == "admin_approval",
        decline_reason=request.decline_reason,
    )


# -- answering -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answered:
    """A request answered: the mentor's message as it now reads, and the letters it sends."""

    message: dict
    letters: list[Letter] = field(default_factory=list)
    pair_user_ids: tuple[str, ...] = ()  # whose Home tabs change (a new pair)


def request_message_at(session: Session, request_id: int, at: MessageAt | None) -> MessageAt | None:
    """Where a form about a request came from, if that is the request's message to its mentor."""
    if at is None:
        return None
    return at if at.ts in queries.sent_ts(session, [_mentor_key(request_id)]) else None


def _found(session: Session, team_id: str, request_id: int) -> tuple[MentorRequest, Program] | Refusal:
    """The request and its program, locked in one order everywhere: the mentor's profile, then the
    request (two accepts for a mentor's last place would otherwise wait on each other for good)."""
    unlocked = session.get(MentorRequest, request_id)
    if unlocked is None or unlocked.team_id != team_id:
        return Refusal("That request no longer exists.")
    store.mentor_profile_for_update(session, unlocked.program_id, unlocked.mentor_id)
    request = store.request_for_update(session, team_id, request_id)
    if request is None:
        return Refusal("That request no longer exists.")
    program = session.get(Program, request.program_id)
    assert program is not None
    return request, program


def accept(
    session: Session, team_id: str, request_id: int, member: Member, settings: Settings, now: datetime
) -> Answered | Refusal:
    """The mentor accepts: a pair is made (or, where admins approve, the admins are asked); once."""
    found = _found(session, team_id, request_id)
    if isinstance(found, Refusal):
        return found
    request, program = found
    if _user_of(session, request.mentor_id) != member.user_id:
        return Refusal("That request is for someone else.")
    refused = _no_longer_open(session, request, program, RequestStatus.PENDING, now)
    if refused is not None:
        return refused
    if program.pairing_mode == "admin_approval":
        if not store.move(
            session,
            request.id,
            (RequestStatus.PENDING.value,),
            {
                "status": RequestStatus.APPROVING.value,
                "answered_at": now,
                # the admins get the program's days to answer in their turn
                "expires_at": now + timedelta(days=program.request_days or 3),
            },
        ):
            return Refusal(views.already(RequestStatus.APPROVING.value))
        session.refresh(request)
        view = _request_view(session, request, program)
        approvals = [
            Letter(
                key=f"request_approve:{request.id}:{admin}",
                kind=REQUEST,
                to=admin,
                payload=views.approval_message(view),
            )
            for admin in program_admins(session, program, settings)
        ]
        return Answered(views.request_message(view), approvals)
    return _make_pair(session, request, program, member.user_id, now, (RequestStatus.PENDING.value,))


def approve(
    session: Session, team_id: str, request_id: int, member: Member, settings: Settings, now: datetime
) -> Answered | Refusal:
    """An admin of the program approves what the mentor accepted: the pair is made; once."""
    found = _found(session, team_id, request_id)
    if isinstance(found, Refusal):
        return found
    request, program = found
    if not is_admin(member, settings, program):
        return Refusal("Only admins of the program can approve its pairs.")
    refused = _no_longer_open(session, request, program, RequestStatus.APPROVING, now)
    if refused is not None:
        return refused
    return _make_pair(
        session, request, program, member.user_id, now, (RequestStatus.APPROVING.value,), by_admin=True
    )


def _no_longer_open(
    session: Session, request: MentorRequest, program: Program, waiting: RequestStatus, now: datetime
) -> Refusal | None:
    """Why `request` can no longer be answered as one `waiting`: answered, expired or moot; None if it can."""
    if request.status != waiting.value:
        return Refusal(views.already(request.status))
    if request.expires_at <= now:
        return Refusal(views.already(RequestStatus.EXPIRED.value))
    return _moot(session, request, program, now)


def _moot(session: Session, request: MentorRequest, program: Program, now: datetime) -> Refusal | None:
    """Why the request can no longer become a pair (it is then withdrawn), or None when it can.

    Since it was made the mentee may have been paired some other way, either of the two may have
    left, been deactivated or forgotten, or kept the other apart, or the program closed.
    """
    mentee = queries.profile(session, program.id, request.mentee_id)
    mentor = queries.profile(session, program.id, request.mentor_id)
    people = [session.get(Person, request.mentee_id), session.get(Person, request.mentor_id)]
    gone = (
        program.archived_at is not None
        or program.pairing_mode not in ASKING_MODES
        or mentee is None
        or mentee.left_at is not None
        or mentee.role not in MENTEE_ROLES
        or mentor is None
        or mentor.left_at is not None
        or mentor.role not in MENTOR_ROLES
        or any(p is None or p.deactivated_at is not None or p.forgotten_at is not None for p in people)
    )
    paired = mentee is not None and any(
        p.mentee_id == request.mentee_id for p in queries.open_pairs(session, mentee.person, program.id)
    )
    if not (gone or paired or exclusions.apart(session, request.mentor_id, request.mentee_id)):
        return None
    store.move(session, request.id, store.OPEN, {"status": RequestStatus.WITHDRAWN.value})
    return Refusal(views.MOOT)


def _make_pair(
    session: Session,
    request: MentorRequest,
    program: Program,
    by_user_id: str,
    now: datetime,
    from_statuses: tuple[str, ...],
    *,
    by_admin: bool = False,
) -> Answered | Refusal:
    mentor_profile = store.mentor_profile_for_update(session, program.id, request.mentor_id)
    load = queries.mentee_count(session, program.id, request.mentor_id)
    if mentor_profile is None or mentor_profile.left_at is not None or load >= mentor_profile.mentor_capacity:
        return Refusal(views.NO_ROOM_ADMIN if by_admin else views.NO_ROOM)
    mentor, mentee = session.get(Person, request.mentor_id), session.get(Person, request.mentee_id)
    assert mentor is not None
    assert mentee is not None
    if not store.move(
        session, request.id, from_statuses, {"status": RequestStatus.ACCEPTED.value, "answered_at": now}
    ):
        return Refusal(views.already(RequestStatus.ACCEPTED.value))
    new = pair_asked(
        session, request.team_id, program, mentor, mentee, by_user_id, f"{mentee.user_id} asked", now
    )
    if new is None:
        return Refusal("Those two are paired already.")
    request.pair_id = new.pair_id
    session.flush()
    session.refresh(request)
    letters = welcome([new], by_user_id)
    if load + 1 >= mentor_profile.mentor_capacity:  # the last place: the others waiting hear now, kindly
        for other in store.open_for_mentor(session, program.id, request.mentor_id):
            letters += _closed(session, other, program, now, RequestStatus.DECLINED.value, None, why="full")
    return Answered(
        views.request_message(_request_view(session, request, program)),
        letters,
        (mentor.user_id, mentee.user_id),
    )


def decline(
    session: Session,
    team_id: str,
    request_id: int,
    member: Member,
    settings: Settings,
    reason: str | None,
    now: datetime,
) -> Answered | Refusal:
    """The mentor (or, while it waits for approval, an admin) says no; the mentee hears once, kindly."""
    found = _found(session, team_id, request_id)
    if isinstance(found, Refusal):
        return found
    request, program = found
    mentor = _user_of(session, request.mentor_id) == member.user_id
    admin = request.status == RequestStatus.APPROVING.value and is_admin(member, settings, program)
    if not (mentor and request.status == RequestStatus.PENDING.value) and not admin:
        if request.status not in store.OPEN:
            return Refusal(views.already(request.status))
        return Refusal("That request is for someone else.")
    why = "admins" if request.status == RequestStatus.APPROVING.value else "mentor"
    letters = _closed(session, request, program, now, RequestStatus.DECLINED.value, reason, why=why)
    if not letters:
        return Refusal(views.already(RequestStatus.DECLINED.value))
    session.refresh(request)
    return Answered(views.request_message(_request_view(session, request, program)), letters)


def _closed(
    session: Session,
    request: MentorRequest,
    program: Program,
    now: datetime,
    status: str,
    reason: str | None,
    *,
    why: str,
) -> list[Letter]:
    """Close an open request (declined or expired) and tell the mentee, with the next best mentors.

    `why` says who closed it, for the words: "mentor", "admins", "full" (the mentor's last place
    went to someone else) or "expired" (nobody answered: the mentor, or the admins after them).
    """
    values: dict[str, object] = {"status": status, "decline_reason": reason}
    if why in ("mentor", "admins"):
        values["answered_at"] = now  # an answer: it counts in the time to answer
    if not store.move(session, request.id, store.OPEN, values):
        return []
    session.refresh(request)
    mentee_profile = queries.profile(session, program.id, request.mentee_id)
    others = (
        [c for c in ranked_mentors(session, program, mentee_profile, now) if c.person_id != request.mentor_id]
        if mentee_profile is not None
        else []
    )
    view = replace(_request_view(session, request, program), why=why)
    letters = [
        Letter(
            key=f"request_closed:{request.id}",
            kind=REQUEST,
            to=view.mentee_user_id,
            payload=views.closed_notice(view, tuple(others[:NEXT_BEST]), program.id),
        )
    ]
    ts = queries.message_ts(session, _mentor_key(request.id))
    if ts is not None:  # the mentor's message says so, in place
        letters.append(
            Letter(
                key=f"request_edit:{request.id}:{status}",
                kind=REQUEST,
                to=view.mentor_user_id,
                payload=views.request_message(view) | {"ts": ts},
            )
        )
    else:
        store.skip_unsent(session, _mentor_key(request.id), f"request {status}")
    return letters


def talk_first(
    session: Session, team_id: str, request_id: int, user_id: str, now: datetime
) -> Letter | Refusal:
    """The mentor would like to talk before deciding: a group DM of the two, once per request."""
    found = _found(session, team_id, request_id)
    if isinstance(found, Refusal):
        return found
    request, program = found
    view = _request_view(session, request, program)
    if view.mentor_user_id != user_id:
        return Refusal("That request is for someone else.")
    refused = _no_longer_open(session, request, program, RequestStatus.PENDING, now)
    if refused is not None:
        return refused
    return Letter(
        key=f"request_talk:{request.id}",
        kind=REQUEST,
        to=group(view.mentor_user_id, view.mentee_user_id),
        payload=views.talk_first_message(view),
    )


def withdraw(
    session: Session, team_id: str, request_id: int, user_id: str, now: datetime
) -> list[Letter] | Refusal:
    """The mentee takes the request back: it can no longer be accepted; the mentor's message says so."""
    found = _found(session, team_id, request_id)
    if isinstance(found, Refusal):
        return found
    request, program = found
    view = _request_view(session, request, program)
    if view.mentee_user_id != user_id:
        return Refusal("That request is someone else's.")
    if not store.move(session, request.id, store.OPEN, {"status": RequestStatus.WITHDRAWN.value}):
        return Refusal(views.already(request.status))
    session.refresh(request)
    view = _request_view(session, request, program)
    ts = queries.message_ts(session, _mentor_key(request.id))
    if ts is None:
        store.skip_unsent(session, _mentor_key(request.id), "request withdrawn")
        return []
    return [
        Letter(
            key=f"request_edit:{request.id}:withdrawn",
            kind=REQUEST,
            to=view.mentor_user_id,
            payload=views.request_message(view) | {"ts": ts},
        )
    ]


def expire_requests(session: Session, now: datetime) -> int:
    """Close the requests nobody answered in time, each mentee told once with the next best mentors;
    how many closed."""
    closed = 0
    for due in store.due_to_expire(session, now):
        # The mentor's profile first, then the request: the one lock order accepting also keeps.
        store.mentor_profile_for_update(session, due.program_id, due.mentor_id)
        request = store.request_for_update(session, due.team_id, due.id)
        program = session.get(Program, due.program_id)
        assert program is not None
        if request is None or request.status not in store.OPEN or request.expires_at > now:
            continue  # answered, or given fresh time, while this clock waited
        waited_for = "admins" if request.status == RequestStatus.APPROVING.value else "expired"
        letters = _closed(session, request, program, now, RequestStatus.EXPIRED.value, None, why=waited_for)
        post(session, request.team_id, letters, now)
        closed += bool(letters)
    return closed


# -- what admins see -----------------------------------------------------------------------------


def request_figures(session: Session, program: Program) -> views.RequestFigures:
    """Counts and times of the program's requests; never what anyone wrote."""
    counts = store.counts(session, program.id)
    waits = store.answer_seconds(session, program.id)
    accepted = counts.get(RequestStatus.ACCEPTED.value, 0) + counts.get(RequestStatus.APPROVING.value, 0)
    answered = (
        accepted + counts.get(RequestStatus.DECLINED.value, 0) + counts.get(RequestStatus.EXPIRED.value, 0)
    )
    return views.RequestFigures(
        pending=counts.get(RequestStatus.PENDING.value, 0),
        approving=counts.get(RequestStatus.APPROVING.value, 0),
        expired=counts.get(RequestStatus.EXPIRED.value, 0),
        accepted_share=accepted / answered if answered else None,
        median_answer_hours=median(waits) / 3600 if waits else None,
    )


def requests_line(session: Session, program: Program) -> str | None:
    """The admins' line about the program's requests; None where mentees do not ask."""
    if program.pairing_mode not in ASKING_MODES and not store.counts(session, program.id):
        return None
    return views.figures_line(request_figures(session, program))
