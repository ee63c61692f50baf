"""What mentorbot tells people about pairs, as letters for the outbox (`bot.outbox`).

Nothing here calls Slack: each function says who hears what, and the outbox sends it in their
daytime, retries it, and sends it once. The person whose click caused a change is answered on the
click itself; these letters are for everyone else.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.agreements import FIELD_LABELS, LOOP_FIELDS, AgreementForm, Cancellation, Saved
from bot.cadence import describe
from bot.calendar import CalendarFile
from bot.connections import ConnectForm, ConnectTarget
from bot.enrollment import Left
from bot.goals import GoalCard
from bot.insights import Nudged
from bot.outbox import PAIR_DM, Letter, group
from bot.pairing import Deactivated, NewPair, StatusChange
from bot.privacy import Forgotten
from bot.views.agreement import agreement_message
from bot.views.common import escape_text
from bot.views.connections import introduction_message
from bot.views.goals import feedback_dm
from bot.views.health import not_fit_alert
from bot.views.insights import nudge_message
from bot.views.pairing import (
    announcement_message,
    ended_message,
    kickoff_message,
    status_notice,
    waiting_goals_message,
)
from storage.models import GoalFeedback

log = logging.getLogger(__name__)

ANNOUNCE = "announce"
KICKOFF = "kickoff"
STATUS = "status"
CALENDAR = "calendar"
NOTICE = "notice"


def no_channel_problem(new: NewPair) -> str | None:
    """What the admin who paired is told when the program has nowhere to announce pairs."""
    if new.announce_channel_id:
        return None
    return (
        f"{escape_text(new.program_name)} has no announcement channel, so the new pair was not "
        "announced: choose one with `/mentor config`."
    )


def welcome(pairs: Sequence[NewPair], admin_user_id: str) -> list[Letter]:
    """Each program's one announcement of its new pairs, and each pair's kickoff (and open goals)."""
    letters = []
    by_channel: dict[str, list[NewPair]] = {}
    for new in pairs:
        if new.announce_channel_id:
            by_channel.setdefault(new.announce_channel_id, []).append(new)
    for channel, announced in by_channel.items():
        problem = (
            f"I could not announce the new pairs in <#{channel}> ({{error}}): if it is a private "
            "channel, invite me there with `/invite @mentorbot`, or choose another channel with "
            "`/mentor config`."
        )
        members = [(new.mentor_user_id, new.mentee_user_id) for new in announced]
        letters.append(
            Letter(
                key=f"{ANNOUNCE}:{announced[0].pair_id}:{len(announced)}",
                kind=ANNOUNCE,
                to=channel,
                payload=announcement_message(members, announced[0].program_name)
                | {"join": True, "if_failed": {"to": [admin_user_id], "text": problem}},
                readers=tuple(user for pair in members for user in pair),  # it mentions them
            )
        )
    for new in pairs:
        letters.extend(_kickoff(new))
    return letters


def _kickoff(new: NewPair) -> list[Letter]:
    letters = []
    pair = (new.mentor_user_id, new.mentee_user_id)
    kickoff = kickoff_message(
        new.pair_id,
        *pair,
        new.program_name,
        new.reason,
        new.default_cadence,
        stories=(new.mentor_story, new.mentee_story),
    )
    letters.append(
        Letter(
            key=f"{KICKOFF}:{new.pair_id}",
            kind=KICKOFF,
            to=group(*pair),
            payload=kickoff,
            pair_id=new.pair_id,
        )
    )
    if new.waiting_goals:
        letters.append(
            Letter(
                key=f"waiting_goals:{new.pair_id}",
                kind=KICKOFF,
                to=new.mentee_user_id,
                payload=waiting_goals_message(new.pair_id, new.mentor_user_id, new.waiting_goals),
                pair_id=new.pair_id,
            )
        )
    return letters


def status_letters(
    change: StatusChange, now: datetime, next_steps: dict[str, str] | None = None
) -> list[Letter]:
    """Tell the members a pair was paused, resumed or ended; the member who did it is not told.

    An admin's change (someone outside the pair) is told to both. Ending asks each for feedback.
    """
    letters = []
    for member, partner in (
        (change.mentor_user_id, change.mentee_user_id),
        (change.mentee_user_id, change.mentor_user_id),
    ):
        if member == change.by_user_id:
            continue
        if change.action == "end":
            payload = ended_message(
                change.pair_id, partner, change.by_user_id, (next_steps or {}).get(member)
            )
        else:
            payload = {"text": status_notice(change.action, change.by_user_id, partner)}
        letters.append(
            Letter(
                key=f"{STATUS}:{change.pair_id}:{change.action}:{now.isoformat()}:{member}",
                kind=STATUS,
                to=member,
                payload=payload,
            )
        )
    if change.cancellation is not None:
        letters.append(cancellation_letter(change.cancellation))
    return letters


def end_answer(change: StatusChange, clicker_user_id: str) -> dict:
    """What the person who ended a pair is shown: a member gets the ended message with its
    feedback button; an admin is told it is done."""
    if clicker_user_id == change.mentor_user_id:
        return ended_message(change.pair_id, change.mentee_user_id, clicker_user_id)
    if clicker_user_id == change.mentee_user_id:
        return ended_message(change.pair_id, change.mentor_user_id, clicker_user_id)
    return {"text": "Done: the mentorship is ended."}


def agreement_letter(saved: Saved, form: AgreementForm, saved_by_user_id: str, now: datetime) -> Letter:
    """The saved agreement's summary with its calendar file, one message in the pair's group DM.

    A group DM notifies both members, so it waits for a time that is daytime for both. It goes
    whatever the pair's status (an agreement saved while paused is still news), and records the
    group DM on the pair if it opens it.
    """
    summary = agreement_message(
        form, describe(form.cadence), saved_by_user_id, saved.changes, saved.first_save
    )
    # A change to how the mentee prepares or is reminded changes nothing in calendars: no new file.
    loop_only = bool(saved.changes) and set(saved.changes) <= {FIELD_LABELS[f] for f in LOOP_FIELDS}
    payload = {"text": summary} if loop_only else file_payload(saved.calendar, summary)
    return Letter(
        key=f"{CALENDAR}:{saved.pair_id}:{now.isoformat()}",
        kind=CALENDAR,
        to=saved.dm_channel_id or group(saved.mentor_user_id, saved.mentee_user_id),
        payload=payload | {PAIR_DM: saved.pair_id},
        readers=(saved.mentor_user_id, saved.mentee_user_id),
    )


def cancellation_letter(cancellation: Cancellation) -> Letter:
    """The file that takes an ended pair's meetings out of calendars, in the pair's group DM."""
    return Letter(
        key=f"{CALENDAR}:{cancellation.pair_id}:cancel",
        kind=CALENDAR,
        to=cancellation.dm_channel_id or group(cancellation.mentor_user_id, cancellation.mentee_user_id),
        payload=file_payload(cancellation.calendar),
        readers=(cancellation.mentor_user_id, cancellation.mentee_user_id),
    )


def file_payload(calendar: CalendarFile, comment: str | None = None) -> dict:
    """An outbox payload that uploads a calendar file, its words as the file's comment."""
    words = comment or calendar.comment
    return {
        "text": words or calendar.title,
        "file": {
            "content": calendar.content.decode("utf-8"),
            "filename": calendar.filename,
            "title": calendar.title,
            "comment": words,
        },
    }


def notice(key: str, to: str, payload: dict | str, *, pair_id: int | None = None) -> Letter:
    """A letter to one person (their DM) or a channel: a text, or a whole message."""
    message = {"text": payload} if isinstance(payload, str) else payload
    return Letter(key=key, kind=NOTICE, to=to, payload=message, pair_id=pair_id)


def nudge_letter(nudged: Nudged) -> Letter:
    """An admin's check-in nudge in the pair's DM (once per pair and day, by its key)."""
    return Letter(
        key=nudged.key,
        kind="admin_nudge",
        to=nudged.channel,
        payload=nudge_message(
            nudged.admin_user_id, nudged.mentor_user_id, nudged.mentee_user_id, nudged.checkin_id
        ),
        readers=(nudged.mentor_user_id, nudged.mentee_user_id),
        pair_id=nudged.pair_id,
    )


def left_letters(left: Left, now: datetime) -> list[Letter]:
    """Tell each partner of someone who left a program that their mentorship ended."""
    text = (
        f"<@{left.user_id}> has left {escape_text(left.program_name)}, so your mentorship with them has "
        "ended. Thank you for it! An admin can pair you with someone new."
    )
    return [
        notice(f"left:{pair.id}:{now.isoformat()}", partner, text)
        for pair, partner in zip(left.ended_pairs, left.partner_user_ids(), strict=True)
    ]


def forgotten_letters(forgotten: Forgotten, now: datetime) -> list[Letter]:
    """Tell the partners of someone who asked to be forgotten that their mentorship ended, and take
    its meetings out of calendars."""
    text = "Your mentorship partner has left mentoring, so your mentorship has ended. Thank you for it!"
    letters = [
        notice(f"forgotten:{now.isoformat()}:{partner}", partner, text)
        for partner in forgotten.partner_user_ids
    ]
    return letters + [cancellation_letter(cancellation) for cancellation in forgotten.cancellations]


def introduction_letters(introduction_id: int, target: ConnectTarget, form: ConnectForm) -> list[Letter]:
    """A mentor's introduction in a group DM with the mentee and the person (and the mentor, if they
    chose to be in it); a mentor who is not in it hears that it was made."""
    members = [target.mentee_user_id, target.person_user_id]
    if form.with_mentor:
        members.insert(0, target.mentor_user_id)
    letters = [
        Letter(
            key=f"introduction:{introduction_id}",
            kind="introduction",
            to=group(*members),
            payload=introduction_message(target, form.reason, form.question),
        )
    ]
    if not form.with_mentor:
        text = f"I introduced <@{target.mentee_user_id}> to <@{target.person_user_id}>."
        letters.append(
            Letter(
                key=f"introduction:{introduction_id}:mentor",
                kind="introduction",
                to=target.mentor_user_id,
                payload={"text": text},
                readers=(),
            )
        )
    return letters


def feedback_letter(
    feedback: GoalFeedback, mentee_user_id: str, mentor_user_id: str, card: GoalCard
) -> Letter:
    """The mentee's DM carrying the mentor's feedback on a goal."""
    return Letter(
        key=f"goal_feedback:{feedback.id}",
        kind="goal",
        to=mentee_user_id,
        payload=feedback_dm(mentor_user_id, card, feedback.text),
    )


def not_fit_letters(
    pair_id: int, mentor_user_id: str, mentee_user_id: str, admins: tuple[str, ...]
) -> list[Letter]:
    """The alert to the program's admins that a member said "not a fit"."""
    return [
        Letter(
            key=f"not_fit:{pair_id}:{admin}",
            kind="alert",
            to=admin,
            payload=not_fit_alert(pair_id, mentor_user_id, mentee_user_id),
        )
        for admin in admins
    ]


def deactivation_letters(gone: Deactivated, now: datetime) -> list[Letter]:
    """Tell the admins that a member's Slack account is deactivated and which pairs were paused."""
    if not gone.paused:
        return []
    pairs = ", ".join(f"<@{mentor}> → <@{mentee}>" for mentor, mentee in gone.paused)
    text = f"<@{gone.user_id}>'s Slack account was deactivated; I paused their pairs ({pairs})."
    return [
        notice(f"deactivated:{gone.user_id}:{now.date().isoformat()}:{admin}", admin, text)
        for admin in gone.admin_user_ids
    ]


def dm(client: WebClient, user_id: str, text: str) -> None:
    """A direct answer to a person's own click, posted at once (best effort), never a letter."""
    try:
        client.chat_postMessage(channel=user_id, text=text)
    except SlackApiError as error:
        log.warning("could not message %s: %s", user_id, error.response.get("error"))
