"""The outbox: the one way a message nobody is waiting on leaves mentorbot.

A letter is written into the outbox in the same transaction as the change it tells about, under a
key unique to its occasion, so a repeated click or a second clock can never queue it twice and a
crash after the commit never loses it. It waits until 08:00-20:00 for every person it reaches
(`bot.zones.sendable_at`); the web process sends at once what may go now (`bot.delivery.deliver`)
and the clock sends the rest. Direct answers to a person's own click are not letters: they go
straight back on the response URL or as an ephemeral message.

A payload is what `chat.postMessage` takes, with three additions the sender understands:
"ts" makes it an edit of that message, "file" an upload (content, filename, title, comment) and
"join" lets it join a public channel it is not in yet. "if_failed" names people to tell, with a
text, when Slack refuses the letter for good; "pair_dm" names the pair whose group DM it opens;
"while_open" lets a letter of a paused pair go (a pair's letters otherwise go only while it is
active).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.zones import sendable_at
from storage import queries
from storage.models import OutboxMessage, OutboxStatus

GROUP = "users:"  # a channel written as "users:U1,U2" is the group DM opened when it is sent
PAIR_DM = "pair_dm"  # payload key: the pair whose group DM this opens, to remember it on the pair
WHILE_OPEN = "while_open"  # payload key: sent while its pair is active or paused (not only active)


@dataclass(frozen=True)
class Letter:
    """One message to queue: where it goes, what it says, and whose daytime it waits for."""

    key: str
    kind: str
    to: str  # a user id (their DM), a channel id, or GROUP + "U1,U2"
    payload: dict
    readers: tuple[str, ...] | None = None  # whose daytime it waits for; None: the people `to` names
    pair_id: int | None = None  # set: sent only while that pair is active
    expires_at: datetime | None = None  # still unsent then: never sent

    def waits_for(self) -> tuple[str, ...]:
        """The Slack users whose daytime this letter waits for."""
        if self.readers is not None:
            return self.readers
        return people_in(self.to)


def people_in(channel: str) -> tuple[str, ...]:
    """The users a channel address names: the members of a group DM, the user of a DM."""
    if channel.startswith(GROUP):
        return tuple(channel.removeprefix(GROUP).split(","))
    return (channel,) if channel[:1] in ("U", "W") else ()


def group(*user_ids: str) -> str:
    """The address of the group DM of these users."""
    return GROUP + ",".join(user_ids)


def outbox_row(
    *,
    team_id: str,
    key: str,
    kind: str,
    pair_id: int | None,
    channel: str,
    payload: dict,
    not_before: datetime,
    now: datetime,
    expires_at: datetime | None = None,
) -> dict:
    """The outbox row of one message, as `insert_or_ignore_many` takes it."""
    return {
        "team_id": team_id,
        "key": key,
        "kind": kind,
        "pair_id": pair_id,
        "channel": channel,
        "payload": payload,
        "status": OutboxStatus.PENDING.value,
        "not_before": not_before,
        "expires_at": expires_at,
        "attempts": 0,
        "created_at": now,
    }


def post_new(session: Session, team_id: str, letter: Letter, now: datetime) -> bool:
    """Queue one letter unless one with its key exists; True for the one call that queued it.

    For a letter that must happen once however many ask at once (an admin's daily nudge).
    """
    zones = queries.zones_of(session, team_id, letter.waits_for())
    return queries.insert_new(session, OutboxMessage, _row(team_id, letter, zones, now), ["key"])


def post(
    session: Session,
    team_id: str,
    letters: Iterable[Letter],
    now: datetime,
    zones: dict[str, str | None] | None = None,
) -> list[str]:
    """Queue the letters (each once, by key) to go out in their readers' daytime; returns the keys.

    `zones` gives readers' zones the caller already has; the others are read from the people on record.
    """
    letters = list(letters)
    known = dict(zones or {})
    unknown = [user for letter in letters for user in letter.waits_for() if user not in known]
    known.update(queries.zones_of(session, team_id, unknown))
    rows = [_row(team_id, letter, known, now) for letter in letters]
    queries.insert_or_ignore_many(session, OutboxMessage, rows, ["key"])
    return [letter.key for letter in letters]


def _row(team_id: str, letter: Letter, zones: dict[str, str | None], now: datetime) -> dict:
    return outbox_row(
        team_id=team_id,
        key=letter.key,
        kind=letter.kind,
        pair_id=letter.pair_id,
        channel=letter.to,
        payload=letter.payload,
        not_before=sendable_at(now, [zones.get(user) for user in letter.waits_for()]),
        now=now,
        expires_at=letter.expires_at,
    )
