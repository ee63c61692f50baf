"""Pairs: creating them (by hand or from a match run), pausing, resuming, ending, and feedback.

Every refusal is a `Refusal` whose message tells the person what to do instead; functions here
change nothing when they refuse, and return values rather than raise for expected outcomes.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session

from bot.agreements import Cancellation, calendar_cancellation, reschedule
from bot.config import Settings
from bot.enrollment import EXPERIENCE_LEVELS, Story, story_of
from bot.matching import Candidate, propose_matches
from bot.members import Member
from bot.membership import member_pair
from bot.programs import ensure_default_program, require_pair_admin, require_run_admin
from bot.refusal import Refusal
from bot.views.common import escape_text
from storage import cohorts as cohort_store
from storage import exclusions, queries
from storage import requests as request_store
from storage.models import (
    Cohort,
    GoalStatus,
    MatchProposal,
    MatchRun,
    Pair,
    PairFeedback,
    PairStatus,
    Person,
    Profile,
    Program,
    ProposalStatus,
)
from storage.queries import MENTEE_ROLES, MENTOR_ROLES

LEVEL_RANK = {level: rank for rank, level in enumerate(EXPERIENCE_LEVELS)}


@dataclass(frozen=True)
class NewPair:
    """A pair that now exists, with what the announcement and introduction need."""

    pair_id: int
    program_id: int
    program_name: str
    announce_channel_id: str | None
    mentor_user_id: str
    mentee_user_id: str
    reason: str | None
    default_cadence: str
    # What each wrote at sign-up, which the sign-up form promises their partner sees.
    mentor_story: Story = field(default_factory=Story)
    mentee_story: Story = field(default_factory=Story)
    waiting_goals: int = 0  # the mentee's open goals left on an ended pair of the program


def _new_pair(pair: Pair, program: Program, mentor: Person, mentee: Person) -> NewPair:
    session = object_session(pair)
    assert session is not None
    return NewPair(
        pair_id=pair.id,
        program_id=program.id,
        program_name=program.name,
        announce_channel_id=program.announce_channel_id,
        mentor_user_id=mentor.user_id,
        mentee_user_id=mentee.user_id,
        reason=pair.match_reason,
        default_cadence=program.default_cadence,
        mentor_story=story_of(session, program.id, mentor.id),
        mentee_story=story_of(session, program.id, mentee.id),
        waiting_goals=queries.waiting_goal_count(session, mentee.id, program.id),
    )


def _enrolled_as(
    session: Session, program: Program, person: Person | None, roles: tuple[str, ...]
) -> Profile | None:
    if person is None:
        return None
    profile = queries.profile(session, program.id, person.id)
    if profile is None or profile.left_at is not None or profile.role not in roles:
        return None
    return profile


def pair_by_hand(
    session: Session,
    *,
    team_id: str,
    program: Program,
    mentor: Member,
    mentee: Member,
    by_user_id: str,
    override_capacity: bool,
    now: datetime,
) -> NewPair | Refusal:
    """Pair two members after every check an admin would want; refuse with what to do instead."""
    if mentor.user_id == mentee.user_id:
        return Refusal("Someone cannot mentor themselves: name two different people.")
    for member in (mentor, mentee):
        if member.is_bot:
            return Refusal(f"<@{member.user_id}> is a bot, and bots cannot take part in mentoring.")
        if member.deleted:
            return Refusal(f"<@{member.user_id}>'s account is deactivated, so they cannot be paired.")
    mentor_person = queries.find_person(session, team_id, mentor.user_id)
    mentee_person = queries.find_person(session, team_id, mentee.user_id)
    mentor_profile = _enrolled_as(session, program, mentor_person, MENTOR_ROLES)
    if mentor_profile is None or mentor_person is None:
        return Refusal(
            f"<@{mentor.user_id}> has not joined {escape_text(program.name)} as a mentor: ask them to run "
            "`/mentor join` and choose mentor (or both)."
        )
    if _enrolled_as(session, program, mentee_person, MENTEE_ROLES) is None or mentee_person is None:
        return Refusal(
            f"<@{mentee.user_id}> has not joined {escape_text(program.name)} as a mentee: ask them to run "
            "`/mentor join` and choose mentee (or both)."
        )
    if exclusions.apart(session, mentor_person.id, mentee_person.id):
        # Whoever asked for it is never named: the exclusion is private to the one who made it.
        return Refusal(
            f"<@{mentor.user_id}> and <@{mentee.user_id}> cannot be paired. Choose another mentor or mentee."
        )
    existing = queries.open_pair_between(session, program.id, mentor_person.id, mentee_person.id)
    if existing is not None:
        return Refusal(
            f"<@{mentor.user_id}> already mentors <@{mentee.user_id}> in {escape_text(program.name)} "
            f"({existing.status} since {existing.created_at:%Y-%m-%d})."
        )
    load = queries.mentee_count(session, program.id, mentor_person.id)
    if load >= mentor_profile.mentor_capacity and not override_capacity:
        return Refusal(
            f"<@{mentor.user_id}> already mentors {load} of the {mentor_profile.mentor_capacity} "
            "mentees they can take. Add `override` to the command to pair them anyway."
        )
    # Two people of a cohort paired by hand belong to it, as matched pairs do.
    cohort = cohort_store.shared_cohort(session, program.id, (mentor_person.id, mentee_person.id))
    pair = _insert_pair(
        session,
        team_id,
        program,
        mentor_person,
        mentee_person,
        by_user_id,
        None,
        now,
        cohort.id if cohort is not None else None,
    )
    if pair is None:
        return Refusal(f"<@{mentor.user_id}> and <@{mentee.user_id}> were paired a moment ago.")
    return _new_pair(pair, program, mentor_person, mentee_person)


def pair_asked(
    session: Session,
    team_id: str,
    program: Program,
    mentor: Person,
    mentee: Person,
    by_user_id: str,
    reason: str,
    now: datetime,
) -> NewPair | None:
    """A pair made from a mentee's request, exactly as an admin's pairing makes one (None: it exists)."""
    cohort = cohort_store.shared_cohort(session, program.id, (mentor.id, mentee.id))
    pair = _insert_pair(
        session, team_id, program, mentor, mentee, by_user_id, reason, now, cohort.id if cohort else None
    )
    return _new_pair(pair, program, mentor, mentee) if pair is not None else None


def _insert_pair(
    session: Session,
    team_id: str,
    program: Program,
    mentor: Person,
    mentee: Person,
    by_user_id: str,
    reason: str | None,
    now: datetime,
    cohort_id: int | None = None,
) -> Pair | None:
    """Insert an active pair; None when a concurrent request created the same open pair first."""
    pair = Pair(
        team_id=team_id,
        program_id=program.id,
        cohort_id=cohort_id,
        mentor_id=mentor.id,
        mentee_id=mentee.id,
        status=PairStatus.ACTIVE.value,
        match_reason=reason,
        created_by_user_id=by_user_id,
        created_at=now,
        next_pulse_at=now + timedelta(weeks=program.pulse_every_weeks or 4),
    )
    try:
        with session.begin_nested():
            session.add(pair)
    except IntegrityError:
        return None
    # The mentee has a mentor now: a request they have waiting elsewhere no longer stands.
    request_store.close_open(session, program.id, mentee.id, mentee_only=True)
    return pair


# -- matching ------------------------------------------------------------------------------------


def candidate_of(profile: Profile, free_capacity: int = 0) -> Candidate:
    """The profile as matching sees it; a mentor with `free_capacity` more mentees to take."""
    return Candidate(
        person_id=profile.person_id,
        user_id=profile.person.user_id,
        skills=frozenset(skill.casefold() for skill in profile.skills),
        growth_areas=frozenset(area.casefold() for area in profile.growth_areas),
        experience=LEVEL_RANK.get(profile.experience_level or ""),
        tz=profile.tz_override or profile.person.tz,
        formats=frozenset(profile.meeting_formats),
        free_capacity=free_capacity,
    )


def start_match_run(
    session: Session,
    team_id: str,
    program: Program,
    admin_user_id: str,
    now: datetime,
    *,
    mentee_id: int | None = None,
    cohort: Cohort | None = None,
) -> MatchRun:
    """Propose pairs for every unpaired mentee (or only `mentee_id`) and keep them for review.

    Nobody is proposed a mentor they were paired with before in the program, so a mentee back for
    another cohort always meets someone new. With a cohort, only the people who signed up for it
    are matched, and the pairs made from the run belong to it.
    """
    people = cohort_store.member_ids(session, cohort.id) if cohort is not None else None
    mentors = [
        candidate_of(profile, max(0, profile.mentor_capacity - load))
        for profile, load in queries.mentors_with_load(session, program.id)
        if people is None or profile.person_id in people
    ]
    mentees = [
        candidate_of(profile)
        for profile in queries.unpaired_mentees(session, program.id)
        if (mentee_id is None or profile.person_id == mentee_id)
        and (people is None or profile.person_id in people)
    ]
    # Never a past pair, and never two people one of whom would rather not be paired with the other.
    forbidden = queries.past_pair_ids(session, program.id) | exclusions.kept_apart(session, team_id)
    proposals = propose_matches(mentors, mentees, forbidden, now)
    run = MatchRun(
        team_id=team_id,
        program_id=program.id,
        created_by_user_id=admin_user_id,
        created_at=now,
        cohort_id=cohort.id if cohort is not None else None,
    )
    run.proposals = [
        MatchProposal(mentor_id=p.mentor_id, mentee_id=p.mentee_id, score=p.score, reason=p.reason[:300])
        for p in proposals
    ]
    session.add(run)
    session.flush()
    return run


def match_program(
    session: Session, team_id: str, program: Program, admin_user_id: str, now: datetime
) -> MatchRun:
    """`/mentor match`: the program's running cohort, if it has one, else everyone unpaired."""
    cohort = cohort_store.running_cohort(session, program.id)
    return start_match_run(session, team_id, program, admin_user_id, now, cohort=cohort)


@dataclass(frozen=True)
class Repairing:
    """A pair ended to re-pair its mentee, and the proposal for the admin to review."""

    run_id: int
    program_name: str
    proposals: list[ProposalLine]
    unmatched: int
    ended: StatusChange | None  # None when the pair had ended before: nobody to tell again


def repair_pair(
    session: Session, team_id: str, pair_id: int, admin: Member, settings: Settings, now: datetime
) -> Repairing | Refusal:
    """End the pair (once) and propose a new mentor for its mentee, never the one they had.

    Only an admin of the pair's program may; a repeated click, or one on a pair that ended some
    other way, proposes again without ending or telling anyone twice.
    """
    pair = require_pair_admin(session, team_id, pair_id, admin, settings)
    if isinstance(pair, Refusal):
        return pair
    program = session.get(Program, pair.program_id)
    assert program is not None
    others = [
        p
        for p in queries.open_pairs(session, pair.mentee, program.id)
        if p.mentee_id == pair.mentee_id and p.id != pair.id
    ]
    if others:
        return Refusal(f"<@{pair.mentee.user_id}> has a new mentor already: <@{others[0].mentor.user_id}>.")
    ended = queries.transition_pair(
        session,
        pair.id,
        queries.OPEN,
        {"status": PairStatus.ENDED.value, "ended_at": now, "ended_by_user_id": admin.user_id},
    )
    session.refresh(pair)
    reschedule(session, pair, now)
    run = start_match_run(session, team_id, program, admin.user_id, now, mentee_id=pair.mentee_id)
    lines = [ProposalLine(p.id, p.mentor.user_id, p.mentee.user_id, p.reason) for p in run.proposals]
    change = StatusChange(
        pair.id,
        "end",
        pair.mentor.user_id,
        pair.mentee.user_id,
        admin.user_id,
        calendar_cancellation(session, pair, now) if ended else None,
    )
    return Repairing(run.id, program.name, lines, 0 if lines else 1, change if ended else None)


@dataclass(frozen=True)
class GoalsCarried:
    """What became of a mentee's goals from an ended pair."""

    choice: str  # "bring" or "close"
    goals: int
    mentor_user_id: str


def carry_goals(
    session: Session, team_id: str, new_pair_id: int, user_id: str, choice: str, now: datetime
) -> GoalsCarried | Refusal:
    """Move the mentee's open goals from their ended pairs to the new pair, or close them; once."""
    pair = queries.pair_for_update(session, team_id, new_pair_id)
    if pair is None or pair.mentee.user_id != user_id or choice not in ("bring", "close"):
        return Refusal("Only the mentee of that mentorship can decide about their goals.")
    if choice == "bring" and pair.status == PairStatus.ENDED.value:
        return Refusal("That mentorship has ended, so there is nothing to bring the goals to.")
    values: dict[str, object] = (
        {"pair_id": pair.id, "updated_at": now}
        if choice == "bring"
        else {
            "status": GoalStatus.DROPPED.value,
            "closed_at": now,
            "closing_note": "Closed when the mentorship ended.",
            "updated_at": now,
        }
    )
    moved = queries.update_waiting_goals(session, pair.mentee_id, pair.program_id, values)
    if not moved:
        return Refusal("Done already: no goals are waiting from your last mentorship.")
    return GoalsCarried(choice, moved, pair.mentor.user_id)


def confirm_match_run(
    session: Session,
    team_id: str,
    run_id: int,
    keep: Collection[int],
    admin: Member,
    settings: Settings,
    now: datetime,
) -> list[NewPair] | Refusal:
    """Turn the kept proposals into pairs, once: a second confirmation creates nothing."""
    run = require_run_admin(session, team_id, run_id, admin, settings)
    if isinstance(run, Refusal):
        return run
    if not queries.claim_match_run(session, run.id, now):
        return []
    return make_pairs(session, team_id, run, keep, admin.user_id, now)


def make_pairs(
    session: Session, team_id: str, run: MatchRun, keep: Collection[int], admin_user_id: str, now: datetime
) -> list[NewPair]:
    """Turn the run's kept proposals into pairs where the mentor still has room and the mentee none yet."""
    program = session.get(Program, run.program_id)
    assert program is not None
    created: list[NewPair] = []
    for proposal in run.proposals:
        if proposal.id not in keep:
            proposal.status = ProposalStatus.DROPPED.value
            continue
        still_free = queries.mentee_count(session, program.id, proposal.mentor_id) < _capacity(
            session, program.id, proposal.mentor_id
        )
        mentee_free = not queries.open_pairs(session, proposal.mentee, program.id)
        pair = (
            _insert_pair(
                session,
                team_id,
                program,
                proposal.mentor,
                proposal.mentee,
                admin_user_id,
                proposal.reason,
                now,
                run.cohort_id,
            )
            if still_free and mentee_free
            else None
        )
        if pair is None:
            proposal.status = ProposalStatus.DROPPED.value
            continue
        proposal.status = ProposalStatus.CONFIRMED.value
        proposal.pair_id = pair.id
        created.append(_new_pair(pair, program, proposal.mentor, proposal.mentee))
    session.flush()
    return created


def _capacity(session: Session, program_id: int, person_id: int) -> int:
    profile = queries.profile(session, program_id, person_id)
    return profile.mentor_capacity if profile and profile.left_at is None else 0


# -- pause, resume, end, feedback -----------------------------------------------------------------

ACTIONS = {
    "pause": (PairStatus.ACTIVE.value,),
    "resume": (PairStatus.PAUSED.value,),
    "end": (PairStatus.ACTIVE.value, PairStatus.PAUSED.value),
}
RESULT = {"pause": PairStatus.PAUSED.value, "resume": PairStatus.ACTIVE.value, "end": PairStatus.ENDED.value}


@dataclass(frozen=True)
class StatusChange:
    """A pair whose status just changed, and who to tell."""

    pair_id: int
    action: str
    mentor_user_id: str
    mentee_user_id: str
    by_user_id: str
    cancellation: Cancellation | None = None  # when the pair ended, for the meetings in calendars


def change_status(
    session: Session,
    team_id: str,
    pair_id: int,
    action: str,
    actor: Member,
    settings: Settings,
    now: datetime,
) -> StatusChange | Refusal:
    """Pause, resume or end a pair as one of its members or an admin of its program, once.

    The change is a conditional UPDATE, so a double click (even two at the same instant) changes the
    pair once and the repeat is refused kindly. Resuming starts the count of silent check-ins afresh.
    """
    pair = queries.pair_for_update(session, team_id, pair_id)
    if pair is None:
        return Refusal("That pair does not exist any more.")
    if actor.user_id not in (pair.mentor.user_id, pair.mentee.user_id):
        allowed = require_pair_admin(session, team_id, pair_id, actor, settings)
        if isinstance(allowed, Refusal):
            return Refusal("Only the pair's mentor, its mentee or an admin of its program can change it.")
    values: dict[str, object] = {"status": RESULT[action]}
    if action == "pause":
        values["paused_at"] = now
    elif action == "resume":
        values |= {
            "paused_at": None,
            "resumed_at": now,
            "unanswered_checkins": 0,
            "at_risk_since": None,
            "drift_asked_at": None,
        }
    else:
        values |= {"ended_at": now, "ended_by_user_id": actor.user_id}
    changed = queries.transition_pair(session, pair.id, ACTIONS[action], values)
    session.refresh(pair)
    if not changed:
        return Refusal(already(pair.status, action))
    reschedule(session, pair, now)  # paused and ended pairs get no check-ins
    session.flush()
    return StatusChange(
        pair.id,
        action,
        pair.mentor.user_id,
        pair.mentee.user_id,
        actor.user_id,
        calendar_cancellation(session, pair, now) if action == "end" else None,
    )


def already(status: str, action: str) -> str:
    """The calm answer to a repeated or outdated click on a pair's status button."""
    if status == PairStatus.ENDED.value:
        return "That mentorship has ended already; nothing more to do."
    return f"That mentorship is {status} already, so there is nothing to {action}."


@dataclass(frozen=True)
class EndQuestion:
    """A pair the asker may end, to confirm before ending it."""

    pair_id: int
    mentor_user_id: str
    mentee_user_id: str


def pair_to_end(
    session: Session, team_id: str, pair_id: int, actor: Member, settings: Settings
) -> EndQuestion | Refusal:
    """Check that `actor` may end the open pair (a member, or an admin of its program) before asking."""
    pair = queries.pair_for_update(session, team_id, pair_id)
    if pair is None:
        return Refusal("That pair does not exist any more.")
    member = actor.user_id in (pair.mentor.user_id, pair.mentee.user_id)
    if not member and isinstance(require_pair_admin(session, team_id, pair_id, actor, settings), Refusal):
        return Refusal("Only the pair's mentor, its mentee or an admin of its program can change it.")
    if pair.status not in ACTIONS["end"]:
        return Refusal(already(pair.status, "end"))
    return EndQuestion(pair.id, pair.mentor.user_id, pair.mentee.user_id)


def pair_for_command(
    session: Session, team_id: str, user_id: str, partner_ids: list[str], statuses: tuple[str, ...]
) -> int | Refusal:
    """Which of the caller's pairs `/mentor pause|resume|end [@partner]` means."""
    person = queries.find_person(session, team_id, user_id)
    pairs = [p for p in queries.open_pairs(session, person) if p.status in statuses] if person else []
    if partner_ids:
        pairs = [p for p in pairs if {p.mentor.user_id, p.mentee.user_id} & set(partner_ids)]
    if not pairs:
        return Refusal("You have no mentorship pair that this applies to. Your pairs are on my Home tab.")
    if len(pairs) > 1:
        return Refusal("You are in several pairs: name your partner, e.g. `/mentor pause @partner`.")
    return pairs[0].id


@dataclass(frozen=True)
class FeedbackForm:
    """A member's closing rating (1-5) and comment."""

    rating: int
    comment: str | None


def record_feedback(
    session: Session, team_id: str, pair_id: int, user_id: str, form: FeedbackForm, now: datetime
) -> Refusal | None:
    """Keep a member's feedback on their ended pair; a second submission replaces the first."""
    found = member_pair(session, team_id, pair_id, user_id)
    if isinstance(found, Refusal):
        return found
    pair, person = found
    # ON CONFLICT DO NOTHING: the form submitted twice at once cannot collide on the one row.
    queries.insert_or_ignore(
        session,
        PairFeedback,
        {
            "team_id": team_id,
            "pair_id": pair.id,
            "person_id": person.id,
            "rating": form.rating,
            "created_at": now,
        },
        ["pair_id", "person_id"],
    )
    feedback = queries.feedback_for(session, pair.id, person.id)
    assert feedback is not None
    feedback.rating = form.rating
    feedback.comment = form.comment
    session.flush()
    return None


def program_for_pair(
    session: Session, team_id: str, mentor_user_id: str, mentee_user_id: str, now: datetime
) -> Program:
    """The program a hand-made pair belongs to: one where both are enrolled in the right roles.

    Falls back to the default program, where the checks then say what is missing.
    """
    default = ensure_default_program(session, team_id, now)
    mentor = queries.find_person(session, team_id, mentor_user_id)
    mentee = queries.find_person(session, team_id, mentee_user_id)
    candidates = [
        program
        for program in queries.programs(session, team_id)
        if _enrolled_as(session, program, mentor, MENTOR_ROLES)
        and _enrolled_as(session, program, mentee, MENTEE_ROLES)
    ]
    if default in candidates or not candidates:
        return default
    return candidates[0]


def open_pair_by_users(session: Session, team_id: str, user_a: str, user_b: str) -> int | Refusal:
    """The open pair of these two people, in either role, for an admin's command."""
    a = queries.find_person(session, team_id, user_a)
    b = queries.find_person(session, team_id, user_b)
    if a is None or b is None:
        return Refusal(f"<@{user_a}> and <@{user_b}> are not a pair.")
    for pair in queries.open_pairs(session, a):
        if pair.has_member(b.id):
            return pair.id
    return Refusal(f"<@{user_a}> and <@{user_b}> have no open pair.")


# -- what admins review and list -------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalLine:
    """One proposed pair as the review modal shows it."""

    proposal_id: int
    mentor_user_id: str
    mentee_user_id: str
    reason: str


def review_lines(session: Session, run: MatchRun) -> tuple[list[ProposalLine], int]:
    """The run's proposals for the review modal, and how many unpaired mentees got none."""
    lines = [
        ProposalLine(p.id, p.mentor.user_id, p.mentee.user_id, p.reason)
        for p in run.proposals
        if p.status == ProposalStatus.PROPOSED.value
    ]
    unpaired = len(queries.unpaired_mentees(session, run.program_id))
    return lines, max(0, unpaired - len(lines))


@dataclass(frozen=True)
class ProgramLists:
    """What `/mentor list` shows an admin, one page of each section."""

    program_name: str
    mentors_with_room: list[tuple[str, int, int]]  # user id, mentees now, capacity
    unpaired_mentees: list[str]
    active_pairs: list[tuple[str, str]]
    paused_pairs: list[tuple[str, str]]
    feedback_count: int = 0
    average_rating: float | None = None
    at_risk_pairs: list[tuple[str, str]] = field(default_factory=list)
    undelivered: list[tuple[str, str, int]] = field(default_factory=list)  # (failed/waiting, error, n)


def program_lists(session: Session, program: Program) -> ProgramLists:
    """Mentors with room, unpaired mentees, and active and paused pairs of the program."""
    mentors = [
        (profile.person.user_id, load, profile.mentor_capacity)
        for profile, load in queries.mentors_with_load(session, program.id)
        if load < profile.mentor_capacity
    ]
    count, average = queries.feedback_summary(session, program.id)
    return ProgramLists(
        program_name=program.name,
        mentors_with_room=mentors,
        unpaired_mentees=[
            profile.person.user_id for profile in queries.unpaired_mentees(session, program.id)
        ],
        active_pairs=[
            (p.mentor.user_id, p.mentee.user_id)
            for p in queries.pairs_in_program(session, program.id, "active")
        ],
        paused_pairs=[
            (p.mentor.user_id, p.mentee.user_id)
            for p in queries.pairs_in_program(session, program.id, "paused")
        ],
        feedback_count=count,
        average_rating=average,
        at_risk_pairs=[
            (p.mentor.user_id, p.mentee.user_id)
            for p in queries.pairs_in_program(session, program.id, "active")
            if p.at_risk_since is not None
        ],
        undelivered=queries.undelivered(session, program.id),
    )


def record_group_dm(session: Session, team_id: str, pair_id: int, channel_id: str) -> None:
    """Remember the pair's group DM, where check-ins and notices go."""
    pair = queries.pair_for_update(session, team_id, pair_id)
    if pair is not None:
        pair.dm_channel_id = channel_id


@dataclass(frozen=True)
class Deactivated:
    """A member whose Slack account was deactivated: their paused pairs and whom to tell."""

    user_id: str
    paused: tuple[tuple[str, str], ...]  # (mentor, mentee) user ids
    admin_user_ids: tuple[str, ...]


def member_deactivated(
    session: Session, team_id: str, user_id: str, configured_admins: Collection[str], now: datetime
) -> Deactivated:
    """Mark the person deactivated and pause their active pairs; admins of those programs are told."""
    person = queries.find_person(session, team_id, user_id)
    if person is None:
        return Deactivated(user_id, (), ())
    person.deactivated_at = person.deactivated_at or now
    paused, admins = [], set(configured_admins)
    request_store.close_open(session, None, person.id)  # nobody waits for an answer from them
    for pair in queries.open_pairs(session, person):
        program = session.get(Program, pair.program_id)
        admins.update(program.admin_user_ids or [] if program else [])
        if program is not None and program.configured_by_user_id:
            admins.add(program.configured_by_user_id)
        if pair.status == PairStatus.ACTIVE.value:
            pair.status = PairStatus.PAUSED.value
            pair.paused_at = now
            pair.next_checkin_at = None
            paused.append((pair.mentor.user_id, pair.mentee.user_id))
    session.flush()
    return Deactivated(user_id, tuple(paused), tuple(sorted(admins)))
