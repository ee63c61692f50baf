"""What members do with a meeting: prepare its agenda, skip or move it, keep notes and action items.

Every function takes the caller's Slack id and refuses anyone outside the pair; each change is safe
to repeat (the same click again changes nothing and says so). The meeting's message is edited to
show the change (`Answered`), and the partner hears of a skip or a move once, in their daytime.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from bot import ids
from bot.agreements import plan_of, reschedule
from bot.checkins import RENDER, Answered, checkin_key, member_meeting, shown_meeting
from bot.enrollment import story_of
from bot.forms import FieldErrors, FormState, clean_text, tidy, too_long
from bot.meetings import MEETING_LENGTH, meeting_times
from bot.membership import member_pair
from bot.outbox import Letter
from bot.refusal import Refusal
from bot.views.checkins import Agenda
from bot.views.meetings import moved_notice, skipped_notice
from bot.zones import local_time, local_today
from storage import queries
from storage.models import ActionItem, CheckIn, MeetingStage, Pair, PairStatus, PrivateNote

SKIPPED = "meeting_skipped"
MOVED = "meeting_moved"
MOVE_WITHIN = timedelta(days=14)
ROLE_MENTOR, ROLE_MENTEE = "mentor", "mentee"


@dataclass(frozen=True)
class NewAction:
    """An action item as the notes form gives it."""

    text: str
    owner: str  # ROLE_MENTOR or ROLE_MENTEE
    due_on: date | None
    row: int = 0  # its row in the form, for a field error


@dataclass(frozen=True)
class NotesForm:
    """The meeting notes form as submitted."""

    shared: str | None
    private: str | None
    actions: tuple[NewAction, ...]


def parse_prep(values: dict) -> Agenda | FieldErrors:
    """Read the preparation form: every part optional, each within its limit."""
    state = FormState(values)
    errors: FieldErrors = {}
    parts = []
    for block in (ids.PREP_TOPICS, ids.PREP_QUESTIONS, ids.PREP_WENT_WELL, ids.PREP_HARD):
        text = tidy(clean_text(state.text(block)))
        if problem := too_long(block, text):
            errors[block] = problem
        parts.append(text or None)
    if errors:
        return errors
    return Agenda(*parts)


def parse_notes(values: dict) -> NotesForm | FieldErrors:
    """Read the meeting notes form: notes, a private note, and up to three action items."""
    state = FormState(values)
    errors: FieldErrors = {}
    texts = {}
    for block in (ids.NOTES_SHARED, ids.NOTES_PRIVATE):
        texts[block] = tidy(clean_text(state.text(block)))
        if problem := too_long(block, texts[block]):
            errors[block] = problem
    actions = []
    for row in range(ids.ACTION_ROWS):
        text_block = ids.encode_action_row(ids.ACTION_TEXT, row)
        text = tidy(clean_text(state.text(text_block)), multiline=False)
        owner = state.option(ids.encode_action_row(ids.ACTION_OWNER, row)) or ROLE_MENTEE
        raw_due = state.date(ids.encode_action_row(ids.ACTION_DUE, row))
        if not text:
            continue
        if problem := too_long(ids.ACTION_TEXT, text):
            errors[text_block] = problem
            continue
        due = None
        if raw_due:
            try:
                due = date.fromisoformat(raw_due)
            except ValueError:
                errors[ids.encode_action_row(ids.ACTION_DUE, row)] = "Pick the date with the date picker."
                continue
        actions.append(
            NewAction(text, owner if owner in (ROLE_MENTOR, ROLE_MENTEE) else ROLE_MENTEE, due, row)
        )
    if errors:
        return errors
    return NotesForm(texts[ids.NOTES_SHARED] or None, texts[ids.NOTES_PRIVATE] or None, tuple(actions))


def _before_it(checkin: CheckIn, now: datetime, pair: Pair, session: Session) -> Refusal | None:
    """Why a meeting can no longer be prepared, skipped or moved, if it cannot."""
    if pair.status != PairStatus.ACTIVE.value:
        return Refusal(f"Your mentorship is {pair.status}, so its meetings do not change now.")
    latest = queries.latest_checkin(session, pair.id)
    if latest is not None and latest.id != checkin.id:
        return Refusal("A newer meeting's message came since: change that one instead.")
    if checkin.stage == MeetingStage.SKIPPED.value:
        return Refusal("That meeting was skipped.")
    if now >= checkin.starts_at or checkin.stage == MeetingStage.CHECKIN.value:
        return Refusal("That meeting has started, so it can no longer change. Add notes to it instead.")
    return None


@dataclass(frozen=True)
class PrepData:
    """What the preparation form opens with."""

    checkin_id: int
    mentor_user_id: str
    agenda: Agenda


def prep_form(
    session: Session, team_id: str, checkin_id: int, user_id: str, now: datetime
) -> PrepData | Refusal:
    """The preparation form for the pair's mentee, until the meeting starts."""
    found = member_meeting(session, team_id, checkin_id, user_id)
    if isinstance(found, Refusal):
        return found
    checkin, pair, person = found
    if person.id != pair.mentee_id:
        return Refusal(
            f"Preparing is for <@{pair.mentee.user_id}>: what they add shows in the message for you."
        )
    if (late := _before_it(checkin, now, pair, session)) is not None:
        return late
    agenda = Agenda(checkin.prep_topics, checkin.prep_questions, checkin.prep_went_well, checkin.prep_hard)
    return PrepData(checkin.id, pair.mentor.user_id, agenda)


def prepare(
    session: Session, team_id: str, checkin_id: int, user_id: str, agenda: Agenda, now: datetime
) -> Answered | Refusal:
    """Save the mentee's preparation as the meeting's agenda; the message shows it at once."""
    found = member_meeting(session, team_id, checkin_id, user_id)
    if isinstance(found, Refusal):
        return found
    checkin, pair, person = found
    if person.id != pair.mentee_id:
        return Refusal("Only the mentee prepares the agenda.")
    if (late := _before_it(checkin, now, pair, session)) is not None:
        return late
    before = (checkin.prep_topics, checkin.prep_questions, checkin.prep_went_well, checkin.prep_hard)
    after = (agenda.topics, agenda.questions, agenda.went_well, agenda.hard)
    repeated = checkin.prepared_at is not None and before == after
    checkin.prep_topics, checkin.prep_questions, checkin.prep_went_well, checkin.prep_hard = after
    checkin.prepared_at = checkin.prepared_at or now
    session.flush()
    return shown_meeting(session, pair, checkin, now, repeated=repeated)


@dataclass(frozen=True)
class Changed:
    """A meeting skipped or moved: the message as it now reads, and the partner's letter."""

    shown: Answered
    letter: Letter | None  # None when nothing changed (the same click again)


def skip_meeting(
    session: Session, team_id: str, checkin_id: int, user_id: str, now: datetime
) -> Changed | Refusal:
    """Record the meeting as skipped: its check-in asks nothing, and the partner is told once."""
    found = member_meeting(session, team_id, checkin_id, user_id)
    if isinstance(found, Refusal):
        return found
    checkin, pair, person = found
    if checkin.stage == MeetingStage.SKIPPED.value:
        return Changed(shown_meeting(session, pair, checkin, now, repeated=True), None)
    if (late := _before_it(checkin, now, pair, session)) is not None:
        return late
    checkin.stage, checkin.next_step_at = MeetingStage.SKIPPED.value, None
    checkin.skipped_by_user_id = user_id
    checkin.met, checkin.answered_at = "skipped", now  # nothing to ask about: it counts as answered
    session.flush()
    partner = pair.partner_of(person.id)
    starts = checkin.starts_at
    letter = Letter(
        key=f"{SKIPPED}:{checkin.id}",
        kind=SKIPPED,
        to=partner.user_id,
        payload=skipped_notice(user_id, meeting_words(starts, partner.tz)),
        pair_id=pair.id,
        expires_at=starts + MEETING_LENGTH,  # after the meeting's time, the message says it all
    )
    return Changed(shown_meeting(session, pair, checkin, now, repeated=False), letter)


def move_meeting(
    session: Session, team_id: str, checkin_id: int, user_id: str, new_start: datetime, now: datetime
) -> Changed | Refusal:
    """Move one meeting to another time: its steps follow, and the partner is told once per time."""
    found = member_meeting(session, team_id, checkin_id, user_id)
    if isinstance(found, Refusal):
        return found
    checkin, pair, person = found
    if (late := _before_it(checkin, now, pair, session)) is not None:
        return late
    if new_start <= now:
        return Refusal("Pick a time that is still to come.", field=ids.MOVE_TIME)
    agreement = queries.agreement_for(session, pair.id)
    plan = plan_of(agreement)
    times = meeting_times(new_start, plan, pair.mentee.tz, pair.mentor.tz)
    following = pair.next_meeting_at
    # The moved meeting is held and checked in before the next meeting's message closes it.
    if new_start - checkin.due_at > MOVE_WITHIN or (
        following is not None
        and times.checkin_at >= meeting_times(following, plan, pair.mentee.tz, pair.mentor.tz).card_at
    ):
        return Refusal("Pick a time well before your next regular meeting.", field=ids.MOVE_DATE)
    if checkin.moved_to == new_start:
        return Changed(shown_meeting(session, pair, checkin, now, repeated=True), None)
    checkin.moved_to = new_start
    # The agenda stays open until the new time; the check-in follows the meeting.
    stage = times.stage_at(now)
    checkin.stage, checkin.next_step_at = stage, times.next_step_after(stage)
    session.flush()
    partner = pair.partner_of(person.id)
    letter = Letter(
        key=f"{MOVED}:{checkin.id}:{new_start.isoformat()}",
        kind=MOVED,
        to=partner.user_id,
        payload=moved_notice(
            user_id, meeting_words(checkin.due_at, partner.tz), meeting_words(new_start, partner.tz)
        ),
        pair_id=pair.id,
        expires_at=new_start,
    )
    return Changed(shown_meeting(session, pair, checkin, now, repeated=False), letter)


def meeting_words(moment: datetime, tz: str | None) -> str:
    """A meeting's start in words, in a person's own zone."""
    local = local_time(moment, tz)
    return f"{local:%a %d %b} at {local:%H:%M}"


def move_defaults(
    session: Session, team_id: str, checkin_id: int, user_id: str, now: datetime
) -> tuple[int, datetime, str] | Refusal:
    """The moving form's meeting, its current time, and the zone its times are read in."""
    found = member_meeting(session, team_id, checkin_id, user_id)
    if isinstance(found, Refusal):
        return found
    checkin, pair, _person = found
    if (late := _before_it(checkin, now, pair, session)) is not None:
        return late
    agreement = queries.agreement_for(session, pair.id)
    return checkin.id, checkin.starts_at, agreement.tz if agreement else (pair.mentee.tz or "UTC")


@dataclass(frozen=True)
class MentorQuestions:
    """The questions chosen for one meeting, and at the first, what the mentee hopes to get."""

    mentee_user_id: str
    questions: list[dict]
    hopes: str


def mentor_questions(
    session: Session, team_id: str, checkin_id: int, user_id: str
) -> MentorQuestions | Refusal:
    """The questions chosen for this meeting, for the pair's mentor only."""
    found = member_meeting(session, team_id, checkin_id, user_id)
    if isinstance(found, Refusal):
        return found
    checkin, pair, person = found
    if person.id != pair.mentor_id:
        return Refusal("These questions are for your mentor, to help them ask rather than tell.")
    first = queries.first_checkin_id(session, pair.id) == checkin.id
    hopes = story_of(session, pair.program_id, pair.mentee_id).motivations if first else ""
    return MentorQuestions(pair.mentee.user_id, list(checkin.mentor_questions or []), hopes)


@dataclass(frozen=True)
class NotesData:
    """What the meeting notes form opens with, for one member."""

    checkin_id: int
    starts: str
    mentor_user_id: str
    mentee_user_id: str
    shared: str | None
    private: str | None
    viewer_is_mentor: bool
    version: int  # of the shared notes, so a save over a partner's newer notes is refused


def notes_form(session: Session, team_id: str, checkin_id: int, user_id: str) -> NotesData | Refusal:
    """The notes form of a meeting, with the pair's notes and the caller's own private note."""
    found = member_meeting(session, team_id, checkin_id, user_id)
    if isinstance(found, Refusal):
        return found
    checkin, pair, person = found
    note = queries.private_note(session, checkin.id, person.id)
    return NotesData(
        checkin.id,
        meeting_words(checkin.starts_at, person.tz),
        pair.mentor.user_id,
        pair.mentee.user_id,
        checkin.notes,
        note.text if note else None,
        person.id == pair.mentor_id,
        notes_version(checkin.notes),
    )


def notes_version(text: str | None) -> int:
    """A short fingerprint of shared notes as a form showed them (CRC-32; 0 for none)."""
    return zlib.crc32(text.encode("utf-8")) if text else 0


def save_notes(
    session: Session,
    team_id: str,
    checkin_id: int,
    user_id: str,
    form: NotesForm,
    now: datetime,
    version: int | None = None,
) -> Answered | Refusal:
    """Save shared notes, the caller's private note and new action items; a repeat adds nothing twice.

    Shared notes saved by the partner since the form opened (`version`) are never written over.
    """
    found = member_meeting(session, team_id, checkin_id, user_id)
    if isinstance(found, Refusal):
        return found
    checkin, pair, person = found
    write_shared = form.shared != checkin.notes
    if write_shared and version is not None and notes_version(checkin.notes) != version:
        # Someone saved the notes since this form opened them.
        if notes_version(form.shared) != version:
            return Refusal(
                "Your partner changed the notes since you opened this form. Copy what you wrote, "
                "close the form and open the notes again.",
                field=ids.NOTES_SHARED,
            )
        write_shared = False  # this form left them as they were: keep the newer ones
    if pair.status == PairStatus.ENDED.value:
        return Refusal("That mentorship has ended, so its notes can no longer change.")
    today = local_today(person.tz, now)  # the writer's own today
    for action in form.actions:
        if action.due_on is not None and action.due_on < today:
            return Refusal(
                "Pick today or a later day.", field=ids.encode_action_row(ids.ACTION_DUE, action.row)
            )
    if write_shared:
        checkin.notes, checkin.notes_by_user_id, checkin.notes_at = form.shared, user_id, now
    note = queries.private_note(session, checkin.id, person.id)
    if form.private and note is None:
        queries.insert_or_ignore(
            session,
            PrivateNote,
            {
                "team_id": team_id,
                "checkin_id": checkin.id,
                "person_id": person.id,
                "text": form.private,
                "updated_at": now,
            },
            ["checkin_id", "person_id"],
        )
    elif note is not None and form.private != note.text:
        if form.private:
            note.text, note.updated_at = form.private, now
        else:
            session.delete(note)
    open_items = {
        (item.text, item.owner_id) for item in queries.open_action_items(session, [pair.id])[pair.id]
    }
    for action in form.actions:
        owner_id = pair.mentor_id if action.owner == ROLE_MENTOR else pair.mentee_id
        if (action.text, owner_id) in open_items:
            continue  # the same item again (a double submit): once is enough
        open_items.add((action.text, owner_id))
        session.add(
            ActionItem(
                team_id=team_id,
                pair_id=pair.id,
                checkin_id=checkin.id,
                text=action.text,
                owner_id=owner_id,
                due_on=action.due_on,
                created_by_id=person.id,
                created_at=now,
            )
        )
    session.flush()
    latest = queries.latest_checkin(session, pair.id)
    return shown_meeting(session, pair, latest or checkin, now, repeated=False)


@dataclass(frozen=True)
class DoneItem:
    """An action item marked done, and the pair's current meeting message as it now reads."""

    shown: Answered | None  # None when the pair has no meeting message yet
    repeated: bool


def mark_done(
    session: Session, team_id: str, item_id: int, user_id: str, now: datetime
) -> DoneItem | Refusal:
    """Mark an action item done, for either member of its pair; a second click changes nothing."""
    item = queries.action_item_in_team(session, team_id, item_id)
    if item is None:
        return Refusal("That action item does not exist.")
    found = member_pair(session, team_id, item.pair_id, user_id)
    if isinstance(found, Refusal):
        return found
    pair, person = found
    repeated = not queries.mark_action_done(session, item.id, person.id, now)
    session.expire(item)
    latest = queries.latest_checkin(session, pair.id)
    shown = shown_meeting(session, pair, latest, now, repeated=repeated) if latest else None
    return DoneItem(shown, repeated)


@dataclass(frozen=True)
class PastMeeting:
    """One meeting in a pair's history, as one of its members reads it."""

    starts: str
    status: str  # what became of it, in words
    agenda: Agenda | None
    notes: str | None
    private: str | None  # the reader's own private note
    actions: tuple[tuple[str, str, date | None, bool], ...]  # (text, owner user id, due, done)


def history(
    session: Session, team_id: str, pair_id: int, user_id: str, limit: int = 10
) -> tuple[str, list[PastMeeting]] | Refusal:
    """The pair's meetings, newest first, for one of its two members: (partner user id, meetings)."""
    found = member_pair(session, team_id, pair_id, user_id)
    if isinstance(found, Refusal):
        return found
    pair, person = found
    meetings = queries.meetings_of(session, pair.id, limit)
    private = queries.private_notes_of(session, person.id, [m.id for m in meetings])
    items: dict[int | None, list[ActionItem]] = {}
    for item in queries.action_items_of(session, pair.id):
        items.setdefault(item.checkin_id, []).append(item)
    users = {pair.mentor_id: pair.mentor.user_id, pair.mentee_id: pair.mentee.user_id}
    past = []
    for meeting in meetings:
        prepared = meeting.prepared_at is not None
        past.append(
            PastMeeting(
                starts=meeting_words(meeting.starts_at, person.tz),
                status=_status_words(meeting),
                agenda=Agenda(
                    meeting.prep_topics, meeting.prep_questions, meeting.prep_went_well, meeting.prep_hard
                )
                if prepared
                else None,
                notes=meeting.notes,
                private=private.get(meeting.id),
                actions=tuple(
                    (i.text, users.get(i.owner_id, ""), i.due_on, i.done_at is not None)
                    for i in items.get(meeting.id, [])
                ),
            )
        )
    return pair.partner_of(person.id).user_id, past


def _status_words(meeting: CheckIn) -> str:
    if meeting.stage == MeetingStage.SKIPPED.value:
        return "skipped"
    if meeting.stage != MeetingStage.CHECKIN.value:
        return "coming up"
    return {"yes": "met", "not_yet": "not met yet", "rescheduled": "rescheduled"}.get(
        meeting.met or "", "no answer"
    )


def follow_agreement(
    session: Session, team_id: str, pair_id: int, now: datetime, *, time_changed: bool
) -> list[Letter]:
    """After the agreement was saved: the meeting whose message is out keeps being the next one.

    When the agreed time changed, that meeting moves to the new time: its message (with what the
    mentee prepared) stays the one message of the meeting, edited to the new time, instead of a
    second message while the first waits for a meeting that is gone. Otherwise a meeting a member
    moved stays moved. Either way the next message is for the meeting after it. Returns the edit
    to queue, if the message went out already.
    """
    pair = queries.pair_for_update(session, team_id, pair_id)
    latest = queries.latest_checkin(session, pair_id) if pair is not None else None
    if pair is None or latest is None or pair.next_meeting_at is None:
        return []
    starts = latest.starts_at
    if latest.stage not in (MeetingStage.PREP.value, MeetingStage.SOON.value) or now >= starts:
        return []  # held, skipped or under way: the next meeting gets a message of its own
    agreement = queries.agreement_for(session, pair.id)
    new_start = pair.next_meeting_at if time_changed else starts
    if new_start == starts:
        reschedule(session, pair, max(starts, latest.due_at), agreement)
        return []
    queries.lock_checkin(session, latest)
    plan = plan_of(agreement)
    latest.moved_to = None if new_start == latest.due_at else new_start
    times = meeting_times(new_start, plan, pair.mentee.tz, pair.mentor.tz)
    stage = times.stage_at(now)
    latest.stage, latest.next_step_at = stage, times.next_step_after(stage)
    reschedule(
        session, pair, max(new_start, latest.due_at), agreement
    )  # the next message is for the one after
    session.flush()
    key = checkin_key(pair.id, latest.due_at)
    row = queries.outbox_by_keys(session, [key]).get(key)
    if row is None or row.status != "sent" or not row.message_ts:
        return []  # still waiting to go out: it is written as it reads when it goes
    channel = pair.dm_channel_id if row.channel.startswith("users:") else row.channel
    if channel is None:
        return []
    return [
        Letter(
            key=f"meeting_agreed:{latest.id}:{new_start.isoformat()}:{now.isoformat()}"[:120],
            kind="meeting_step",
            to=channel,
            payload={"ts": row.message_ts, RENDER: latest.id, "text": "moved"},
            readers=(),
            pair_id=pair.id,
        )
    ]
