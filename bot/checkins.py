"""Each meeting's message and check-in, and goal deadline reminders: what is due, written once, answers.

The clock calls `schedule_due`, `advance_meetings` and `schedule_goal_reminders` with `now`; each
writes the messages it decides on into the outbox under a unique key (pair and meeting instant,
stage, or goal and reminder), so the same occurrence can never be queued twice. `bot.delivery`
sends the outbox.

Each meeting is one message in the pair's group DM (see `bot.meetings` for its steps): it is posted
once, its steps edit it, answers edit it (see `CheckinCard`), and the next meeting's message closes
it, so a late click can never overwrite a newer answer. The questions for the mentor are chosen for
each meeting from the bank (`bot.questions`) and shown to the mentor only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from bot.agreements import form_from, plan_of, reschedule
from bot.cadence import next_occurrence
from bot.enrollment import story_of
from bot.goals import close_goal, goal_card, is_behind
from bot.health import DRIFT_AFTER, due_pulses
from bot.inputs import MessageAt
from bot.meetings import meeting_times
from bot.membership import member_pair
from bot.outbox import Letter, group, outbox_row, post
from bot.questions import MeetingState, choose, default_bank
from bot.refusal import Refusal
from bot.views.checkins import (
    ActionLine,
    Agenda,
    CheckinCard,
    GoalPrompt,
    MemberAnswer,
    checkin_message,
    meeting_metadata,
    paused_for_silence,
    reminder_message,
)
from bot.views.goals import missed_goal_message
from bot.views.health import drift_question
from bot.zones import local_time, local_today, sendable_at
from storage import queries
from storage.models import (
    ActionItem,
    Agreement,
    CheckIn,
    CheckInAnswer,
    Goal,
    GoalStatus,
    MeetingStage,
    OutboxMessage,
    OutboxStatus,
    Pair,
    PairStatus,
    Person,
    Profile,
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


@dataclass
class _Gathered:
    """What the meeting messages of a batch of pairs show, read with a few statements for the batch."""

    goals: dict[int, list[Goal]]
    notes: dict[int, str]
    actions: dict[int, list[ActionItem]]
    agreements: dict[int, Agreement]
    recent: dict[int, list[CheckIn]]  # each pair's newest check-ins, newest first
    answers: dict[int, list[CheckInAnswer]]  # the answers of those check-ins
    people: dict[int, str]  # person id -> Slack user id, for the pairs' members


def _gather(
    session: Session, pairs: Sequence[Pair], agreements: dict[int, Agreement] | None = None
) -> _Gathered:
    ids = [pair.id for pair in pairs]
    goals: dict[int, list[Goal]] = {}
    for goal in queries.goals_of_pairs(session, ids):
        goals.setdefault(goal.pair_id, []).append(goal)
    active = [goal.id for found in goals.values() for goal in found if goal.status == GoalStatus.ACTIVE.value]
    recent = queries.recent_checkins(session, ids, RECENT)
    people = {p.id: p.user_id for pair in pairs for p in (pair.mentor, pair.mentee)}
    return _Gathered(
        goals=goals,
        notes=queries.latest_goal_notes(session, active),
        actions=queries.open_action_items(session, ids),
        agreements=agreements if agreements is not None else queries.agreements_of_pairs(session, ids),
        recent=recent,
        answers=queries.answers_of_checkins(session, [c.id for found in recent.values() for c in found]),
        people=people,
    )


RECENT = 4  # check-ins read back per pair: the last blocker, meetings missed lately, questions asked


def _last_blocker(
    pair: Pair, before: datetime, got: _Gathered, *, mentee_only: bool = False
) -> tuple[str, str] | None:
    """(user id, text) of the blocker reported at the pair's last check-in before `before`."""
    earlier = next((c for c in got.recent.get(pair.id, []) if c.due_at < before), None)
    if earlier is None:
        return None
    for answer in sorted(got.answers.get(earlier.id, []), key=lambda a: a.answered_at, reverse=True):
        if answer.blocker and (answer.person_id == pair.mentee_id or not mentee_only):
            return got.people.get(answer.person_id, ""), answer.blocker
    return None


def _starts(checkin: CheckIn, agreement: Agreement | None, tz: str | None) -> tuple[str, str | None]:
    """When the meeting starts, and where it was moved to, in words in the agreement's zone."""
    place = agreement.tz if agreement is not None else tz

    def words(moment: datetime) -> str:
        local = local_time(moment, place)
        return f"{local:%a %d %b} at {local:%H:%M} ({place or 'UTC'})"

    return words(checkin.due_at), words(checkin.moved_to) if checkin.moved_to else None


def _action_lines(
    items: Sequence[ActionItem], checkin: CheckIn, got: _Gathered, pair: Pair, now: datetime
) -> tuple[ActionLine, ...]:
    lines = []
    for item in items:
        owner = pair.mentor if item.owner_id == pair.mentor_id else pair.mentee
        late = item.due_on is not None and item.due_on < local_today(owner.tz, now)
        call_out = late and item.late_shown_at is not None and item.late_shown_at >= checkin.created_at
        lines.append(ActionLine(item.id, item.text, owner.user_id, item.due_on, late, call_out))
    return tuple(lines)


def _card(
    pair: Pair,
    checkin: CheckIn,
    got: _Gathered,
    now: datetime,
    *,
    closed: bool = False,
    first: bool = False,
    hopes: str = "",
) -> CheckinCard:
    """The meeting's message as it should read now, from what `_gather` read."""
    answers = got.answers.get(checkin.id) or []
    by_person = {answer.person_id: answer for answer in answers}

    def member(person_id: int, user_id: str) -> MemberAnswer:
        answer = by_person.get(person_id)
        if answer is None:
            return MemberAnswer(user_id)
        return MemberAnswer(user_id, answer.met, answer.learned, answer.blocker)

    agreement = got.agreements.get(pair.id)
    plan = plan_of(agreement)
    starts, moved = _starts(checkin, agreement, pair.mentee.tz)
    today = local_today(pair.mentee.tz, now)
    prepared = checkin.prepared_at is not None
    return CheckinCard(
        checkin_id=checkin.id,
        due_on=local_today(pair.mentee.tz, checkin.due_at),
        mentor=member(pair.mentor_id, pair.mentor.user_id),
        mentee=member(pair.mentee_id, pair.mentee.user_id),
        goals=() if closed else tuple(_goal_prompts(got.goals.get(pair.id, []), pair, today, got.notes)),
        closed=closed,
        first=first,
        hopes=hopes,
        stage=checkin.stage,
        starts=starts if agreement is not None else "",
        agenda=(
            Agenda(checkin.prep_topics, checkin.prep_questions, checkin.prep_went_well, checkin.prep_hard)
            if prepared
            else None
        ),
        prepares=plan.prepares,
        reminds=plan.reminds,
        last_blocker=_last_blocker(pair, checkin.due_at, got),
        actions=() if closed else _action_lines(got.actions.get(pair.id, []), checkin, got, pair, now),
        moved_to=moved,
        skipped_by=checkin.skipped_by_user_id,
        has_questions=bool(checkin.mentor_questions),
        notes=checkin.notes,
        started=now >= checkin.starts_at,
        starts_at=checkin.starts_at,
    )


def _goal_prompts(
    goals: Sequence[Goal], pair: Pair, today: date, notes: dict[int, str] | None = None
) -> list[GoalPrompt]:
    active = [goal for goal in goals if goal.status == GoalStatus.ACTIVE.value]
    return [
        GoalPrompt(
            card.goal_id,
            card.specific,
            card.measure,
            (notes or {}).get(card.goal_id),
            card.days_left,
            behind=is_behind(goal, today),
        )
        for goal, card in ((goal, goal_card(goal, pair, pair.mentee.user_id, today)) for goal in active)
    ]


def _question_state(
    pair: Pair, checkin_due: datetime, got: _Gathered, profile: Profile | None, number: int, today: date
) -> MeetingState:
    """What the mentor's questions for this meeting follow."""
    goals = got.goals.get(pair.id, [])
    active = [g for g in goals if g.status == GoalStatus.ACTIVE.value]
    behind = next((g.specific for g in active if is_behind(g, today)), None)
    near = next((g.specific for g in active if 0 <= (g.deadline - today).days <= NEAR_DEADLINE_DAYS), None)
    earlier = [c for c in got.recent.get(pair.id, []) if c.due_at < checkin_due]
    since = earlier[0].due_at if earlier else pair.created_at
    achieved = next(
        (
            g.specific
            for g in goals
            if g.status == GoalStatus.ACHIEVED.value and g.closed_at and g.closed_at >= since
        ),
        None,
    )
    missed = sum(
        1 for c in earlier[:3] if c.met in ("not_yet", "rescheduled", "skipped") or c.answered_at is None
    )
    blocker = _last_blocker(pair, checkin_due, got, mentee_only=True)  # the mentor asks about theirs
    return MeetingState(
        meeting_number=number,
        behind=behind,
        near_deadline=near,
        achieved=achieved,
        blocker=blocker[1] if blocker else None,
        missed_lately=missed,
        level=profile.experience_level if profile else None,
        motivations=(profile.motivations or "") if profile else "",
    )


NEAR_DEADLINE_DAYS = 14


def schedule_due(session: Session, now: datetime, limit: int = 500) -> int:
    """Write the message of every active pair's next meeting that is due; returns how many pairs.

    The message is posted at the first step of the meeting loop the pair uses (the mentee's
    preparation, by default the working day before) and shows the step the meeting is at, so a
    pair the clock reaches late (it was down) gets one message about its latest meeting. Rows are
    claimed with SKIP LOCKED, so several clocks can run this at once without doing the same pair
    twice. A batch of `limit` pairs is read and written with a few statements for the whole batch
    rather than several for each pair.
    """
    pairs = queries.due_pairs(session, now, limit)
    ids = [pair.id for pair in pairs]
    # Nothing read below depends on the pairs' pending changes: flush them once, at the end.
    with session.no_autoflush:
        previous = queries.latest_checkins(session, ids)
        messages = []
        paused: set[int] = set()
        asked: set[int] = set()  # the drift question stands in for this meeting's message
        agreements = queries.agreements_of_pairs(session, ids)
        meeting_at = {pair.id: _latest_due(pair, agreements.get(pair.id), now) for pair in pairs}
        # The meeting's row and message exist already (the agreement was saved again, the pair
        # resumed before it, or it was moved to this time): nothing to count, nothing to post.
        written = {
            pair.id
            for pair in pairs
            if (latest := previous.get(pair.id)) is not None
            and meeting_at[pair.id] in (latest.due_at, latest.moved_to)
        }
        for pair in pairs:
            latest = previous.get(pair.id)
            if pair.id in written:
                continue
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
            pair.status, pair.paused_at = PairStatus.PAUSED.value, now
            pair.next_checkin_at = pair.next_meeting_at = None
        pairs = [pair for pair in pairs if pair.id not in paused]
        got = _gather(session, pairs, agreements)
        counts = queries.meeting_counts(session, [pair.id for pair in pairs])
        recent_questions = queries.recent_mentor_questions(session, [p.id for p in pairs], NO_REPEAT_MEETINGS)
        profiles = queries.profiles_of(session, [(pair.program_id, pair.mentee_id) for pair in pairs])
        rows = []
        for pair in (p for p in pairs if p.id not in written):
            due = meeting_at[pair.id]
            assert due is not None
            agreement = got.agreements.get(pair.id)
            times = meeting_times(due, plan_of(agreement), pair.mentee.tz, pair.mentor.tz)
            stage = times.stage_at(now)
            number = counts.get(pair.id, 0) + 1
            today = local_today(pair.mentee.tz, now)
            chosen = (
                choose(
                    default_bank(),
                    _question_state(
                        pair, due, got, profiles.get((pair.program_id, pair.mentee_id)), number, today
                    ),
                    recent_questions.get(pair.id, set()),
                    seed=hash_seed(pair.id, number),
                )
                if stage != MeetingStage.CHECKIN.value
                else []
            )
            rows.append(
                {
                    "team_id": pair.team_id,
                    "pair_id": pair.id,
                    "due_at": due,
                    "created_at": now,
                    "stage": stage,
                    "next_step_at": times.next_step_after(stage),
                    "mentor_questions": [{"id": q.id, "stage": q.stage, "text": q.text} for q in chosen],
                }
            )
        queries.insert_or_ignore_many(session, CheckIn, rows, ["pair_id", "due_at"])
        checkins = queries.checkins_at(
            session, [(pair.id, due) for pair in pairs if (due := meeting_at[pair.id]) is not None]
        )
        # Action items past their date are called late, once, in the first message that shows them.
        for pair in (p for p in pairs if p.id not in written):
            for item in got.actions.get(pair.id, []):
                owner = pair.mentor if item.owner_id == pair.mentor_id else pair.mentee
                if (
                    item.due_on is not None
                    and item.late_shown_at is None
                    and item.due_on < local_today(owner.tz, now)
                ):
                    item.late_shown_at = now
        closing = {pair.id: previous[pair.id] for pair in pairs if pair.id in previous}
        earlier_rows = queries.outbox_by_keys(
            session, [checkin_key(pair_id, checkin.due_at) for pair_id, checkin in closing.items()]
        )
        for pair in pairs:
            due = meeting_at[pair.id]
            assert due is not None
            checkin = previous[pair.id] if pair.id in written else checkins[(pair.id, due)]
            not_before = sendable_at(now, [pair.mentee.tz, pair.mentor.tz])
            earlier = closing.get(pair.id)
            if earlier is not None and earlier.id == checkin.id:
                # Its message is out already (the agreement was saved again, or the pair resumed
                # before the meeting): its steps go on from where they are.
                if checkin.next_step_at is None and checkin.stage in (PREP, SOON):
                    agreement = got.agreements.get(pair.id)
                    plan = plan_of(agreement)
                    times = meeting_times(checkin.moved_to or due, plan, pair.mentee.tz, pair.mentor.tz)
                    checkin.next_step_at = times.next_step_after(checkin.stage)
                reschedule(session, pair, max(due, now), got.agreements.get(pair.id))
                continue
            if pair.id not in asked:
                first = earlier is None
                profile = profiles.get((pair.program_id, pair.mentee_id))
                hopes = (profile.motivations or "") if first and profile else ""  # as story_of reads it
                card = _card(pair, checkin, got, now, first=first, hopes=hopes)
                messages.append(
                    outbox_row(
                        team_id=pair.team_id,
                        key=checkin_key(pair.id, due),
                        kind=CHECKIN,
                        pair_id=pair.id,
                        channel=_pair_channel(pair),
                        payload=checkin_message(card)
                        | {"metadata": meeting_metadata(pair.id, due), RENDER: checkin.id},
                        not_before=not_before,
                        now=now,
                    )
                )
            else:
                checkin.next_step_at = None  # the drift question asks instead of this meeting's message
            if earlier is not None:
                earlier.next_step_at = None
                row = earlier_rows.get(checkin_key(pair.id, earlier.due_at))
                close = _close_row(pair, earlier, row, got, now)
                if close is not None:
                    messages.append(close | {"not_before": not_before})
            reschedule(session, pair, max(due, now), got.agreements.get(pair.id))
        # Rows of one shape side by side: the insert then takes a few statements, not one a row.
        messages.sort(key=lambda row: (row["pair_id"] is None, row["kind"]))
        queries.insert_or_ignore_many(session, OutboxMessage, messages, ["key"])
    session.flush()
    return len(ids)


def advance_meetings(session: Session, now: datetime, limit: int = 500) -> int:
    """Move each meeting's message on to the step it has reached; returns how many meetings moved.

    Shortly before a meeting its agenda is final (whether or not the mentee prepared) and the
    reminder shows; a few hours after it ends, the check-in asks how it went. Each step is one edit
    of the message, under a key of its own, so it happens once however many clocks run. The words
    are written when the edit is sent (`restated`); a message still waiting for daytime needs no
    edit, since it is written the same way when it goes out.
    """
    due = queries.meetings_due_a_step(session, now, limit)
    if not due:
        return 0
    with session.no_autoflush:
        agreements = queries.agreements_of_pairs(session, {pair.id for _, pair in due})
        rows = queries.outbox_by_keys(session, [checkin_key(c.pair_id, c.due_at) for c, _ in due])
        messages = []
        for checkin, pair in due:
            row = rows.get(checkin_key(pair.id, checkin.due_at))
            if pair.status != PairStatus.ACTIVE.value or row is None or row.status in GONE:
                checkin.next_step_at = None  # paused, ended, or its message never went: nothing to move
                continue
            if row.status == OutboxStatus.PENDING.value and row.claimed_until and row.claimed_until >= now:
                # A sender is posting it right now, written as it read then: this step comes next.
                checkin.next_step_at = now + timedelta(minutes=1)
                continue
            starts = checkin.starts_at
            times = meeting_times(starts, plan_of(agreements.get(pair.id)), pair.mentee.tz, pair.mentor.tz)
            stage = times.stage_at(now)
            checkin.next_step_at = times.next_step_after(stage)
            if stage == checkin.stage:  # moved to a later time: this step comes later
                continue
            checkin.stage = stage
            at = _sent_at(row, pair)
            if at is None:
                continue  # still waiting for daytime: it is written as it reads when it goes out
            messages.append(
                outbox_row(
                    team_id=pair.team_id,
                    # A moved meeting's steps are new occasions: its own start is in the key.
                    key=f"{STEP}:{pair.id}:{checkin.due_at.isoformat()}:{starts.isoformat()}:{stage}"[:120],
                    kind=STEP,
                    pair_id=pair.id,
                    channel=at.channel,
                    # Written when it is sent (`restated`), so it never paints over a newer click.
                    payload={"ts": at.ts, RENDER: checkin.id, "text": stage},
                    not_before=now,  # an edit notifies nobody, so it need not wait for daytime
                    now=now,
                )
            )
    queries.insert_or_ignore_many(session, OutboxMessage, messages, ["key"])
    session.flush()
    return len(due)


def restated(session: Session, payloads: Sequence[dict], now: datetime) -> list[dict | None]:
    """Meeting messages' words as they read now, for the sender about to post or edit them, in a
    few statements for the whole batch.

    None for a meeting that is gone or that a newer meeting's message has closed: nothing to send.
    """
    wanted = [rid for p in payloads if isinstance(rid := p.get(RENDER), int)]
    found = queries.checkins_with_pairs(session, wanted)
    pairs = list({pair.id: pair for _, pair in found.values()}.values())
    latest = queries.latest_checkins(session, [pair.id for pair in pairs])
    got = _gather(session, pairs)
    got.answers.update(queries.answers_of_checkins(session, list(found)))
    profiles = queries.profiles_of(session, [(pair.program_id, pair.mentee_id) for pair in pairs])
    out: list[dict | None] = []
    for payload in payloads:
        rid = payload.get(RENDER)
        hit = found.get(rid) if isinstance(rid, int) else None
        if hit is None or getattr(latest.get(hit[1].id), "id", None) != hit[0].id:
            out.append(None)
            continue
        checkin, pair = hit
        first = len(got.recent.get(pair.id, [])) <= 1  # the pair's only meeting so far
        profile = profiles.get((pair.program_id, pair.mentee_id))
        hopes = (profile.motivations or "") if first and profile else ""
        card = _card(pair, checkin, got, now, first=first, hopes=hopes)
        kept = {key: value for key, value in payload.items() if key in ("ts", RENDER)}
        if "metadata" in payload:  # the meeting it is about, where it is now
            kept["metadata"] = meeting_metadata(pair.id, checkin.starts_at)
        out.append(checkin_message(card) | kept)
    return out


RENDER = "meeting"  # payload key: the check-in whose message this is, written afresh when sent
GONE = (OutboxStatus.SKIPPED.value, OutboxStatus.FAILED.value)
PREP, SOON = MeetingStage.PREP.value, MeetingStage.SOON.value
STEP = "meeting_step"  # an edit of a meeting's message to its next step, not a new message


def _latest_due(pair: Pair, agreement: Agreement | None, now: datetime) -> datetime | None:
    """The meeting a due pair's message is about: the planned one, or, when the clock was down so
    long that a later meeting's message is due too, the latest of those (one message, not a flood)."""
    due = pair.next_meeting_at or pair.next_checkin_at
    if agreement is None or due is None:
        return due
    cadence, plan = form_from(agreement).cadence, plan_of(agreement)
    for _ in range(MAX_CATCH_UP):
        later = next_occurrence(cadence, due)
        if meeting_times(later, plan, pair.mentee.tz, pair.mentor.tz).card_at > now:
            break
        due = later
    return due


MAX_CATCH_UP = 400  # meetings skipped over after a long outage: years of weekly meetings


NO_REPEAT_MEETINGS = 4  # a question comes back to a pair's mentor no sooner than this many meetings on


def hash_seed(pair_id: int, number: int) -> int:
    """A stable seed for one meeting of one pair, the same in every process (unlike `hash`)."""
    return (pair_id * 1_000_003 + number * 7_919) % (2**31)


def _close_row(
    pair: Pair,
    earlier: CheckIn,
    row: OutboxMessage | None,
    got: _Gathered,
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
    closed = checkin_message(_card(pair, earlier, got, now, closed=True))
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


def member_meeting(
    session: Session,
    team_id: str,
    checkin_id: int,
    user_id: str,
    missing: str = "That meeting does not exist.",
) -> tuple[CheckIn, Pair, Person] | Refusal:
    """A meeting (check-in) of a pair the caller is in, locked after its pair; anyone else is refused."""
    checkin = queries.checkin_in_team(session, team_id, checkin_id)
    if checkin is None:
        return Refusal(missing)
    found = member_pair(session, team_id, checkin.pair_id, user_id)
    if isinstance(found, Refusal):
        return found
    queries.lock_checkin(session, checkin)
    return checkin, *found


def _member_checkin(
    session: Session, team_id: str, checkin_id: int, user_id: str
) -> tuple[CheckIn, Pair, Person] | Refusal:
    found = member_meeting(session, team_id, checkin_id, user_id, "That check-in does not exist.")
    if isinstance(found, Refusal):
        return found
    checkin, pair, person = found
    latest = queries.latest_checkin(session, pair.id)
    if latest is not None and latest.id != checkin.id:
        return Refusal(
            "That check-in is closed: a newer one came since, so your answer there would be lost. "
            "Answer the latest check-in in your group DM instead."
        )
    if checkin.stage in (MeetingStage.PREP.value, MeetingStage.SOON.value):
        return Refusal("That meeting is still to come: I ask how it went a few hours after it ends.")
    if checkin.stage == MeetingStage.SKIPPED.value:
        return Refusal("That meeting was skipped, so there is nothing to check in on.")
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
    return shown_meeting(session, pair, checkin, now, repeated=repeated)


def shown_meeting(
    session: Session, pair: Pair, checkin: CheckIn, now: datetime, *, repeated: bool
) -> Answered:
    """The meeting's message as it should read now (its step, agenda, answers, goals), and where."""
    got = _gather(session, [pair])
    got.answers.update(queries.answers_of_checkins(session, [checkin.id]))
    row = queries.outbox_by_keys(session, [checkin_key(pair.id, checkin.due_at)])
    first = queries.first_checkin_id(session, pair.id) == checkin.id  # it keeps the mentor's questions
    hopes = story_of(session, pair.program_id, pair.mentee_id).motivations if first else ""
    return Answered(
        card=_card(pair, checkin, got, now, first=first, hopes=hopes),
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
    shown = shown_meeting(session, pair, checkin, now, repeated=False)
    return shown if shown.at is not None else None


def goal_outcome(
    session: Session, team_id: str, goal_id: int, user_id: str, outcome: str, now: datetime
) -> Goal | Refusal:
    """Close a goal from its reminder's buttons (achieved or dropped)."""
    note = (
        "Achieved, answering the deadline reminder." if outcome == "achieved" else "Dropped at the reminder."
    )
    return close_goal(session, team_id, goal_id, user_id, outcome, note, now)
