"""Direct messages people send the bot: which ones get the pointer to App Home.

The Messages tab is read-only (manifest.json), so people are not invited to write to mentorbot and
mentorbot does not ask for the scope that would let it read their DMs. If a message event comes
anyway (a workspace that subscribed to `message.im`), the person gets one short pointer a day, not
one per message; Slack's retries of the same event (same `event_id`) and messages that are not a
person writing (bots, edits, joins, deletions: any subtype) get nothing. What it remembers is per
process and forgotten on restart: at worst a second pointer that day.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date, datetime

# Event ids remembered for de-duplication; Slack retries within about five minutes.
REMEMBERED_EVENTS = 10_000


def is_a_person_writing(event: dict) -> bool:
    """True for a plain message a person typed into their DM with the bot."""
    return (
        event.get("type") == "message"
        and event.get("channel_type") == "im"
        and not event.get("subtype")
        and not event.get("bot_id")
        and not event.get("bot_profile")
        and isinstance(event.get("user"), str)
        and isinstance(event.get("channel"), str)
    )


class Inbox:
    """Decides which direct messages to answer: one a day per person, each event at most once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: OrderedDict[str, None] = OrderedDict()
        self._answered: dict[tuple[str, str], date] = {}

    def should_answer(self, event_id: str | None, team_id: str, event: dict, now: datetime) -> bool:
        """True when this message deserves the pointer now; remembers that it was given."""
        if not is_a_person_writing(event):
            return False
        key, today = (team_id, event["user"]), now.date()
        with self._lock:
            if event_id:
                if event_id in self._events:
                    return False
                self._events[event_id] = None
                while len(self._events) > REMEMBERED_EVENTS:
                    self._events.popitem(last=False)
            if self._answered.get(key) == today:
                return False
            self._answered = {k: day for k, day in self._answered.items() if day == today}
            self._answered[key] = today
            return True
