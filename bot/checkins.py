"""Check-ins on each pair's cadence and goal deadline reminders: what is due, written once, and answers.

The clock calls `schedule_due` and `schedule_goal_reminders` with `now`; each writes the messages it
decides on into the outbox under a unique key (pair and due instant, or goal and reminder), so the
same occurrence can never be queued twice. `bot.delivery` sends the outbox.

Each check-in is one message in the pair's group DM: answers edit it (see `CheckinCard`), and the
next check-in closes it, so a late click can never overwrite a newer answer. The mentor's private
nudge comes with the pair's first check-in only; later check-ins carry the same goals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from bot.agreements import reschedule
from bot.enrollment import story_of
from bot.goals import close_goal, goal_card
from bot.health import DRIFT_AFTER, due_pulses
from bot.inputs import MessageAt
from bot.membership import member_pair
from bot.outbox import Letter, group, outbox_row, post
from bot.refusal import Refusal
from bot.views.checkins import (
    CheckinCard,
    GoalPrompt,
    MemberAnswer,
    checkin_message,
    paused_for_silence,
    reminder_message,
)
from bot.views.goals import missed_goal_message
from bot.views.health import drift_question
from bot.zones import local_today, sendable_at
from storage import queries
from storage.models import (
    CheckIn,
    CheckInAnswer,
    Goal,
    GoalStatus,
    OutboxMessage,
    OutboxStatus,
    Pair,
    PairStatus,
    Person,
)

AT_RISK_AFTER = 2  # unanswered check-ins in a row
REMINDER_DAYS = 7
CHECKIN = "checkin"
NUDGE = "nudge"
REMINDER = "goal_reminder"
MISSED = "goal_missed"
DRIFT = "drift"
CLOSE = "checkin_close"  # an edit of an earlier check-in's message, not a new message


def checkin_key(pair_id: int, due_at: datetime) -> str:
    """The outbox key of a pair's check-in message due at `due_at`."""
    return f"{CHECKIN}:{pair_id}:{due_at.isoformat()}"


def _pair_channel(pair: Pair) -> str:
    return pair.dm_channel_id or group(pair.mentor.user_id, pair.mentee.user_id)


def _sent_at(row: OutboxMessage | None, pair: Pair) -> MessageAt | None:
    """Where an outbox row's message went, once it was sent."""
    if row is None or row.status != OutboxStatus.SENT.value or not row.message_ts:
        return None
    channel = pair.dm_channel_id if row.channel.startswith("users:") else row.channel
    return MessageAt(channel, row.message_ts) if channel else None


def _card(
    pair: Pair,
    checkin: CheckIn,
    answers: list[CheckInAnswer],
    goals: tuple[GoalPrompt, ...],
    *,
    closed: bool,
    first: bool = False,
    hopes: str = "",
) -> CheckinCard:
    by_person = {answer.person_id: answer for answer in answers}

    def member(person_id: int, user_id: str) -> MemberAnswer:
        answer = by_person.get(person_id)
        if answer is None:
            return MemberAnswer(user_id)
        return MemberAnswer(user_id, answer.met, answer.learned, answer.blocker)

    return CheckinCard(
        checkin_id=checkin.id,
        due_on=local_today(pair.mentee.tz, checkin.due_at),
        mentor=member(pair.mentor_id, pair.mentor.user_id),
        mentee=member(pair.mentee_id, pair.mentee.user_id),
        goals=goals,
        closed=closed,
        first=first,
        hopes=hopes,
    )


def _goal_prompts(
    goals: Sequence[Goal], pair: Pair, today: date, notes: dict[int, str] | None = None
) -> list[GoalPrompt]:
    active = [goal for goal in goals if goal.status == GoalStatus.ACTIVE.value]
    cards = [goal_card(goal, pair, pair.mentee.user_id, today) for goal in active]
    return [
        GoalPrompt(card.goal_id, card.specific, card.measure, (notes or {}).get(card.goal_id), card.days_left)
        for card in cards
    ]


def schedule_due(session: Session, now: datetime, limit: int = 500) -> int:
    """Write a check-in (and the mentor's nudge) for every active pair that is due; returns how many.

    A pair that missed several occurrences while the clock was down gets one check-in, and its next
    one is the first occurrence after `now`. Rows are claimed with SKIP LOCKED, so several clocks
    can run this at once without doing the same pair twice. A batch of `limit` pairs is read and
    written with a few statements for the whole batch rather than several for each pair.
    """
    pairs = queries.due_pairs(session, now, limit)
    ids = [pair.id for pair in pairs]
    # Nothing read below depends on the pairs' pending changes: flush them once, at the end.
    with session.no_autoflush:
        previous = queries.latest_checkins(session, ids)
        messages = []
        paused: set[int] = set()
        asked: set[int] = set()  # the drift question stands in for this check-in's message
        for pair in pairs:
            latest = previous.get(pair.id)
            before_resume = (
                pair.resumed_at is not None and latest is not None and latest.due_at < pair.resumed_at
            )
            if latest is not None and latest.answered_at is None and not before_resume:
                pair.unanswered_checkins += 1
                if pair.unanswered_checkins >= AT_RISK_AFTER and pair.at_risk_since is None:
                    pair.at_risk_since = now
            if pair.unanswered_checkins >= DRIFT_AFTER:
                messages.append(_drift_row(session, pair, now))
                if pair.drift_asked_at is not None:
                    paused.add(pair.id)
                else:
                    asked.add(pair.id)
                pair.drift_asked_at = pair.drift_asked_at or now
        for pair in (p for p in pairs if p.id in paused):
            pair.status, pair.paused_at, pair.next_checkin_at = PairStatus.PAUSED.value, now, None
        pairs = [pair for pair in pairs if pair.id not in paused]
        queries.insert_or_ignore_many(
            session,
            CheckIn,
            [
                {
                    "team_id": pair.team_id,
                    "pair_id": pair.id,
                    "due_at": pair.next_checkin_at,
                    "created_at": now,
                }
                for pair in pairs
            ],
            ["pair_id", "due_at"],
        )
        checkins = queries.checkins_at(
            session, [(pair.id, pair.next_checkin_at) for pair in pairs if pair.next_checkin_at is not None]
        )
        goals_by_pair: dict[int, list[Goal]] = {}
        for goal in queries.goals_of_pairs(session, ids):
            goals_by_pair.setdefault(goal.pair_id, []).append(goal)
        notes = queries.latest_goal_notes(
            session,
            [goal.id for goals in goals_by_pair.values() for goal in goals if goal.status == "active"],
        )
        closing = {pair.id: previous[pair.id] for pair in pairs if pair.id in previous}
        earlier_rows = queries.outbox_by_keys(
            session, [checkin_key(pair_id, checkin.due_at) for pair_id, checkin in closing.items()]
        )
        earlier_answers = queries.answers_of_checkins(session, [checkin.id for checkin in closing.values()])
        for pair in pairs:
            due = pair.next_checkin_at
            assert due is not None
            checkin = checkins[(pair.id, due)]
            mentee_tz, mentor_tz = pair.mentee.tz, pair.mentor.tz
            today = local_today(mentee_tz, now)
            goals = tuple(_goal_prompts(goals_by_pair.get(pair.id, []), pair, today, notes))
            not_before = sendable_at(now, [mentee_tz, mentor_tz])
            earlier = closing.get(pair.id)
            if pair.id not in asked:
                # The first check-in carries the questions a good mentor asks (no separate nudge).
                first = earlier is None
                hopes = story_of(session, pair.program_id, pair.mentee_id).motivations if first else ""
                card = _card(pair, checkin, [], goals, closed=False, first=first, hopes=hopes)
                messages.append(
                    outbox_row(
                        team_id=pair.team_id,
                        key=checkin_key(pair.id, due),
                        kind=CHECKIN,
                        pair_id=pair.id,
                        channel=_pair_channel(pair),
                        payload=checkin_message(card),
                        not_before=not_before,
                        now=now,
                    )
                )
            if earlier is not None and earlier.id != checkin.id:
                row = earlier_rows.get(checkin_key(pair.id, earlier.due_at))
                close = _close_row(pair, earlier, row, earlier_answers, now)
                if close is not None:
                    messages.append(close | {"not_before": not_before})
            reschedule(session, pair, max(due, now))
        queries.insert_or_ignore_many(session, OutboxMessage, messages, ["key"])
    session.flush()
    return len(ids)


def _close_row(
    pair: Pair,
    earlier: CheckIn,
    row: OutboxMessage | None,
    answers: dict[int, list[CheckInAnswer]],
    now: datetime,
) -> dict | None:
    """The edit that shows an earlier check-in closed, with its answers and without buttons.

    An earlier check-in still waiting in the outbox is never sent: the new one replaces it.
    """
    if row is not None and row.status == OutboxStatus.PENDING.value:
        row.status, row.error = OutboxStatus.SKIPPED.value, "a newer check-in replaced it"
        return None
    at = _sent_at(row, pair)
    if at is None:
        return None
    closed = checkin_message(_card(pair, earlier, answers.get(earlier.id, []), (), closed=True))
    return outbox_row(
        team_id=pair.team_id,
        key=f"{CLOSE}:{pair.id}:{earlier.due_at.isoformat()}",
        kind=CLOSE,
        pair_id=None,  # closing shows answers only, so it goes out whatever the pair's status
        channel=at.channel,
        payload={"ts": at.ts, **closed},
        not_before=now,
        now=now,
    )


def _drift_key(pair_id: int, asked_at: datetime) -> str:
    return f"{DRIFT}:{pair_id}:asked:{asked_at.isoformat()}"


def _drift_row(session: Session, pair: Pair, now: datetime) -> dict:
    """The once-only question to a pair silent for three check-ins (in place of that check-in), or
    the notice that it is paused, written over that question once it was sent.

    Not tied to the pair's status, so the notice still goes out after the pair is paused.
    """
    channel = _pair_channel(pair)
    not_before = sendable_at(now, [pair.mentee.tz, pair.mentor.tz])
    if pair.drift_asked_at is None:
        return outbox_row(
            team_id=pair.team_id,
            key=_drift_key(pair.id, now),
            kind=DRIFT,
            pair_id=None,
            channel=channel,
            payload=drift_question(pair.id, pair.mentor.user_id, pair.mentee.user_id),
            not_before=not_before,
            now=now,
        )
    notice = paused_for_silence()
    question_key = _drift_key(pair.id, pair.drift_asked_at)
    question = queries.outbox_by_keys(session, [question_key]).get(question_key)
    at = _sent_at(question, pair)
    if question is not None and question.status == OutboxStatus.PENDING.value:
        question.status, question.error = OutboxStatus.SKIPPED.value, "the pair was paused first"
    return outbox_row(
        team_id=pair.team_id,
        key=f"{DRIFT}:{pair.id}:paused:{now.isoformat()}",
        kind=DRIFT,
        pair_id=None,
        channel=at.channel if at else channel,
        payload={"ts": at.ts, **notice} if at else notice,  # nobody read the question: no new ping
        not_before=now if at else not_before,
        now=now,
    )


def schedule_pulses(session: Session, now: datetime) -> int:
    """Open the pulse of every active pair whose pulse is due; returns how many members it waits for.

    Nothing is sent: each member is asked privately the next time they answer a check-in
    (`bot.health.private_questions`), so a pulse costs nobody a message.
    """
    asks = due_pulses(session, now)
    session.flush()
    return len(asks)


def schedule_goal_reminders(session: Session, now: datetime) -> int:
    """Queue the 7-day and due-day reminders of active goals; mark overdue goals missed.

    The check-ins between them show how many days are left, so there is no reminder the day before.

    Only goals of active pairs move: a paused pair's goal is marked missed (and the pair told) once
    it resumes, and an ended pair's goals wait for the mentee to move or close them.
    """
    queued = 0
    for goal, pair in queries.goals_due_soon(session, now.date() + timedelta(days=REMINDER_DAYS + 1)):
        if pair.status != PairStatus.ACTIVE.value:
            continue
        mentee = pair.mentee
        days = (goal.deadline - local_today(mentee.tz, now)).days
        if days < 0:
            goal.status = GoalStatus.MISSED.value
            goal.closing_note = goal.closing_note or "The deadline passed."
            goal.closed_at = now
            _queue_missed(session, goal, pair, now)
            queued += 2
            continue
        stage = "due" if days == 0 else "7d" if 1 < days <= REMINDER_DAYS else None
        if stage is None:
            continue
        reminder = Letter(
            key=f"{REMINDER}:{goal.id}:{goal.deadline.isoformat()}:{stage}",
            kind=REMINDER,
            to=mentee.user_id,
            payload=reminder_message(goal.id, goal.specific, days, goal.deadline),
            pair_id=pair.id,
            # A reminder is for the days before the deadline: unsent by the day after, it is moot.
            expires_at=datetime.combine(goal.deadline + timedelta(days=2), time(0), tzinfo=UTC),
        )
        post(session, goal.team_id, [reminder], now, zones={mentee.user_id: mentee.tz})
        queued += 1
    session.flush()
    return queued


def _queue_missed(session: Session, goal: Goal, pair: Pair, now: datetime) -> None:
    """Tell the mentee and the mentor, once each and in their daytime, that a goal was marked missed."""
    letters = []
    for person, for_mentee in ((pair.mentee, True), (pair.mentor, False)):
        partner = pair.mentor if for_mentee else pair.mentee
        letters.append(
            Letter(
                key=f"{MISSED}:{goal.id}:{goal.deadline.isoformat()}:{'mentee' if for_mentee else 'mentor'}",
                kind=MISSED,
                to=person.user_id,
                payload=missed_goal_message(
                    goal.specific, goal.deadline, partner.user_id, for_mentee=for_mentee
                ),
                pair_id=pair.id,
            )
        )
    zones = {pair.mentee.user_id: pair.mentee.tz, pair.mentor.user_id: pair.mentor.tz}
    post(session, goal.team_id, letters, now, zones=zones)


@dataclass(frozen=True)
class Answered:
    """A check-in answer: the check-in as its message should now read, and where that message is."""

    card: CheckinCard
    at: MessageAt | None  # None until the check-in message has been sent
    pair_id: int
    repeated: bool  # the member said the same again: nothing changed


def _member_checkin(
    session: Session, team_id: str, checkin_id: int, user_id: str
) -> tuple[CheckIn, Pair, Person] | Refusal:
    checkin = queries.checkin_in_team(session, team_id, checkin_id)
    if checkin is None:
        return Refusal("That check-in does not exist.")
    found = member_pair(session, team_id, checkin.pair_id, user_id)
    if isinstance(found, Refusal):
        return found
    pair, person = found
    latest = queries.latest_checkin(session, pair.id)
    if latest is not None and latest.id != checkin.id:
        return Refusal(
            "That check-in is closed: a newer one came since, so your answer there would be lost. "
            "Answer the latest check-in in your group DM instead."
        )
    return checkin, pair, person


def checkin_to_answer(session: Session, team_id: str, checkin_id: int, user_id: str) -> int | Refusal:
    """The check-in a member may answer now (the pair's current one), before the form opens."""
    found = _member_checkin(session, team_id, checkin_id, user_id)
    return found if isinstance(found, Refusal) else found[0].id


def answer_checkin(
    session: Session,
    team_id: str,
    checkin_id: int,
    user_id: str,
    now: datetime,
    *,
    met: str | None = None,
    learned: str | None = None,
    blocker: str | None = None,
) -> Answered | Refusal:
    """Record a member's answer to the pair's current check-in; clears the unanswered streak.

    A check-in that a newer one has replaced is closed and refuses answers, so a late click on
    an old message can never overwrite a later answer. Saying the same again changes nothing.
    """
    found = _member_checkin(session, team_id, checkin_id, user_id)
    if isinstance(found, Refusal):
        return found
    checkin, pair, person = found
    # Two clicks at once must not both insert: the second finds the first's row.
    queries.insert_or_ignore(
        session,
        CheckInAnswer,
        {"checkin_id": checkin.id, "person_id": person.id, "answered_at": now},
        ["checkin_id", "person_id"],
    )
    answer = queries.checkin_answer(session, checkin.id, person.id)
    assert answer is not None
    before = (answer.met, answer.learned, answer.blocker)
    if met is not None:
        answer.met = met
        checkin.met = met
    if learned is not None or blocker is not None:
        answer.learned, answer.blocker = learned, blocker
    repeated = (answer.met, answer.learned, answer.blocker) == before and any(before)
    if not repeated:
        answer.answered_at = now
    checkin.answered_at = checkin.answered_at or now
    pair.unanswered_checkins = 0
    pair.at_risk_since = None
    pair.drift_asked_at = None
    session.flush()
    return _as_shown(session, pair, checkin, now, repeated=repeated)


def _as_shown(session: Session, pair: Pair, checkin: CheckIn, now: datetime, *, repeated: bool) -> Answered:
    """The check-in as its message should read now (answers, goals, their latest notes), and where."""
    answers = queries.answers_of_checkins(session, [checkin.id]).get(checkin.id, [])
    today = local_today(pair.mentee.tz, now)
    goals = queries.goals_of_pairs(session, [pair.id])
    notes = queries.latest_goal_notes(session, [goal.id for goal in goals if goal.status == "active"])
    row = queries.outbox_by_keys(session, [checkin_key(pair.id, checkin.due_at)])
    first = queries.first_checkin_id(session, pair.id) == checkin.id  # it keeps the mentor's questions
    hopes = story_of(session, pair.program_id, pair.mentee_id).motivations if first else ""
    prompts = tuple(_goal_prompts(goals, pair, today, notes))
    return Answered(
        card=_card(pair, checkin, answers, prompts, closed=False, first=first, hopes=hopes),
        at=_sent_at(row.get(checkin_key(pair.id, checkin.due_at)), pair),
        pair_id=pair.id,
        repeated=repeated,
    )


def open_checkin(session: Session, team_id: str, goal_id: int, now: datetime) -> Answered | None:
    """The open check-in of a goal's pair as it should read now, once its message is out.

    A new goal or a progress update shows there, for both members, instead of in a message of its own.
    """
    goal = queries.goal_in_team(session, team_id, goal_id)
    if goal is None:
        return None
    pair = queries.pair_for_update(session, team_id, goal.pair_id)
    checkin = queries.latest_checkin(session, goal.pair_id) if pair is not None else None
    if pair is None or checkin is None:
        return None
    shown = _as_shown(session, pair, checkin, now, repeated=False)
    return shown if shown.at is not None else None


def goal_outcome(
    session: Session, team_id: str, goal_id: int, user_id: str, outcome: str, now: datetime
) -> Goal | Refusal:
    """Close a goal from its reminder's buttons (achieved or dropped)."""
    note = (
        "Achieved, answering the deadline reminder." if outcome == "achieved" else "Dropped at the reminder."
    )
    return close_goal(session, team_id, goal_id, user_id, outcome, note, now)
