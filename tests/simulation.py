"""An eight-week mentorship program driven as people drive it, for tests and benchmarks.

An admin sets the program up, ten people in seven time zones join through the sign-up modal, the
admin runs `/mentor match` and confirms it, every pair agrees how it meets, mentees set goals, and
a controlled clock runs the clock's jobs every 15 simulated minutes from 1 March 2027 for eight
weeks (America and Europe spring forward, Sydney falls back). People answer what the bot sends
them by clicking the buttons in the messages and modals it showed them, at plausible times of
their own day (some late in the evening): most check-ins, fit questions, pulses and reminders;
one pair falls silent, one mentee finds the pair not a fit, one pair pauses and resumes, mentors
introduce a mentee to someone, mentees update goal progress.

Everything goes over HTTP: Slack-signed requests into the real app (`bot.app.create_app` with the
simulated clock) and the real Web API client against `tests.fakes.slack_api.FakeSlack`. Every
call the fake received becomes a `Delivery`: who saw it, when in their own zone, what kind of
thing it was (a new message, an update in place, an ephemeral reply, a modal, the Home tab) and
whether it answered that person's own click or command. Facts people shared (check-in answers,
goals, progress, agreements, pauses) are kept beside it, so a test can ask whether the partner
ever saw them. `run_program(engine, database_url)` returns the whole `Record`.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import json
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from bot import ids, jobs
from bot.app import ListenerPool, create_app, create_sending_client
from bot.config import Settings
from bot.web import SLACK_PATH, create_wsgi_app
from storage.db import create_session_factory
from tests.fakes.slack_api import BOT_TOKEN, FakeSlack
from tests.fakes.slack_requests import SIGNING_SECRET, Reply, SlackSender
from tests.serving import serve

START = datetime(2027, 3, 1, tzinfo=UTC)  # a Monday; US DST starts 14 March, EU 28 March, Sydney ends 4 April
WEEKS = 8
TICK = timedelta(minutes=15)
LISTENER_DEADLINE = 60.0  # seconds to wait for listeners after a request: generous, for busy CI
DAY_STARTS = time(8, 0)
DAY_ENDS = time(20, 0)
ANNOUNCE_CHANNEL = "C0MENTORING"
PROGRAM_NAME = "Spring Mentoring"
SKILLS = ("Leadership", "Public speaking", "System design", "Career growth", "Python")

# What a Delivery was, as the person saw it.
NEW = "new"  # a new message (chat.postMessage, or a file shared into a conversation): it notifies
UPDATE = "update"  # an existing message changed in place (chat.update, or replace_original)
EPHEMERAL = "ephemeral"  # only-visible-to-you replies (chat.postEphemeral, response_url, ack text)
MODAL = "modal"  # views.open / views.update / views.push
HOME = "home"  # views.publish
KINDS = (NEW, UPDATE, EPHEMERAL, MODAL, HOME)


@dataclass(frozen=True)
class Person:
    """Someone in the workspace: Slack id, zone, role and what their profile says."""

    user_id: str
    tz: str
    role: str  # "mentor", "mentee" or "admin"
    capacity: int = 0
    skills: tuple[str, ...] = ()
    growth: tuple[str, ...] = ()
    late: bool = False  # answers late in the evening, after 20:00 their time


ADMIN = Person("UADMIN", "America/Chicago", "admin")
PEOPLE: tuple[Person, ...] = (
    ADMIN,
    Person("UMNYC", "America/New_York", "mentor", 2, ("Leadership", "Career growth")),
    Person("UMBER", "Europe/Berlin", "mentor", 2, ("System design", "Python")),
    Person("UMSYD", "Australia/Sydney", "mentor", 1, ("Public speaking", "Leadership"), late=True),
    Person("UMKOL", "Asia/Kolkata", "mentor", 1, ("Python", "System design")),
    Person("UELAX", "America/Los_Angeles", "mentee", growth=("Leadership", "Career growth"), late=True),
    Person("UELON", "Europe/London", "mentee", growth=("System design",)),
    Person("UETYO", "Asia/Tokyo", "mentee", growth=("Public speaking",)),
    Person("UEKOL", "Asia/Kolkata", "mentee", growth=("Python",)),
    Person("UESYD", "Australia/Sydney", "mentee", growth=("Career growth", "Leadership")),
    Person("UECHI", "America/Chicago", "mentee", growth=("Python", "System design"), late=True),
)
BY_ID = {person.user_id: person for person in PEOPLE}
MEMBERS = tuple(p.user_id for p in PEOPLE if p.role != "admin")


@dataclass(frozen=True)
class Plan:
    """How one pair behaves: when it meets, and what goes differently for it."""

    frequency: str
    weekday: int  # 0 = Monday
    local_time: str  # in the mentee's zone
    silent_from_week: int | None = None  # stops answering anything from this week (drift)
    not_fit: bool = False  # the mentee answers the fit question "not a fit"
    pause_weeks: tuple[int, int] | None = None  # the mentee pauses in one week, resumes in another
    goal_weeks: int = 12  # the mentee's goal is due this many weeks after the program starts


# Pairs take these plans in the order of their mentees in PEOPLE.
PLANS = (
    Plan("weekly", 1, "09:00", goal_weeks=5),
    Plan("biweekly", 2, "19:30"),
    Plan("weekly", 3, "12:30", silent_from_week=2),
    Plan("weekly", 0, "19:45", not_fit=True),
    Plan("biweekly", 4, "08:15", pause_weeks=(3, 5)),
    Plan("weekly", 1, "17:00"),
)


@dataclass(frozen=True)
class Delivery:
    """One thing Slack showed people, as the fake Slack received it."""

    kind: str  # one of KINDS
    method: str  # the Web API method, or "response_url" / "ack"
    channel: str | None
    ts: str | None
    recipients: tuple[str, ...]
    at: datetime  # simulated instant
    actor: str | None  # whose click or command was being handled; None for the clock
    text: str  # the text and every text in the blocks, flattened
    meeting_at: datetime | None = None  # a meeting's own message: when that meeting is (its metadata)

    def local(self, user_id: str) -> datetime:
        """When `user_id` saw it, in their own zone."""
        return self.at.astimezone(ZoneInfo(BY_ID[user_id].tz))

    def answers_own_action(self, user_id: str) -> bool:
        """True when this came straight back to `user_id`'s own click or command."""
        return self.actor == user_id

    def at_night_for(self, user_id: str) -> bool:
        """True when it reached `user_id` outside 08:00-20:00 their time."""
        local = self.local(user_id).time()
        return not DAY_STARTS <= local < DAY_ENDS

    def week(self) -> int:
        """The program week it fell in, 0 to WEEKS - 1."""
        return min(WEEKS - 1, (self.at - START) // timedelta(weeks=1))


@dataclass(frozen=True)
class Fact:
    """Something a person shared that `audience` should learn in some form; `tokens` all appear."""

    what: str
    owner: str
    audience: tuple[str, ...]
    tokens: tuple[str, ...]
    at: datetime


@dataclass
class Record:
    """What happened in the whole run."""

    deliveries: list[Delivery] = field(default_factory=list)
    weeks: int = WEEKS
    facts: list[Fact] = field(default_factory=list)
    pairs: dict[str, str] = field(default_factory=dict)  # mentee -> mentor
    refusals: list[str] = field(default_factory=list)  # Slack's invalid_blocks / invalid_arguments
    server_errors: list[str] = field(default_factory=list)  # 5xx answers from mentorbot
    listener_errors: list[str] = field(default_factory=list)  # ERROR logs while handling a request
    problems: list[str] = field(default_factory=list)  # steps people could not take, and why

    def new_messages(self, user_id: str) -> list[Delivery]:
        """Every new message `user_id` received (DMs, group DMs, files; not channel posts)."""
        return [d for d in self.deliveries if d.kind == NEW and user_id in d.recipients]

    def for_the_weeks(self, deliveries: list[Delivery]) -> list[Delivery]:
        """What belongs to the simulated weeks: a meeting's message comes before its meeting, so the
        one for a meeting after the last week (posted in it) belongs to the week after."""
        end = START + timedelta(weeks=self.weeks)
        return [d for d in deliveries if d.meeting_at is None or d.meeting_at < end]

    def sent(self) -> int:
        """How many new messages mentorbot posted (each once, however many people it reached)."""
        return sum(1 for d in self.deliveries if d.kind == NEW)

    def night_messages(self) -> list[tuple[str, Delivery]]:
        """(recipient, message) for each new message sent at night to someone who did not ask."""
        return [
            (user_id, d)
            for d in self.deliveries
            if d.kind == NEW
            for user_id in d.recipients
            if user_id in BY_ID and d.at_night_for(user_id) and not d.answers_own_action(user_id)
        ]

    def lost_facts(self) -> list[tuple[Fact, str]]:
        """(fact, person) for each fact a person of its audience never saw."""
        lost = []
        for fact in self.facts:
            for user_id in fact.audience:
                seen = any(
                    d.kind in (NEW, UPDATE)
                    and user_id in d.recipients
                    and d.at >= fact.at
                    and all(token in d.text for token in fact.tokens)
                    for d in self.deliveries
                )
                if not seen:
                    lost.append((fact, user_id))
        return lost

    def counts(self) -> dict[str, dict[int, dict[str, int]]]:
        """person -> week -> kind -> how many, for new messages, updates and ephemerals."""
        table: dict[str, dict[int, dict[str, int]]] = {
            person.user_id: {week: dict.fromkeys(KINDS, 0) for week in range(WEEKS)} for person in PEOPLE
        }
        for d in self.deliveries:
            for user_id in d.recipients:
                if user_id in table:
                    table[user_id][d.week()][d.kind] += 1
        return table


# -- Slack state as people see it ----------------------------------------------------------------


def flatten(*parts: Any) -> str:
    """A message's text and every `text` string inside its blocks, joined."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "action_id" in node:
                return  # a button's or menu's label says what one can do, not what happened
            for key, item in node.items():
                if key == "text" and isinstance(item, str):
                    found.append(item)
                else:
                    walk(item)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for part in parts:
        if isinstance(part, str):
            found.append(part)
        else:
            walk(part)
    return "\n".join(found)


@dataclass(frozen=True)
class Button:
    """A button someone can click, and the block it sits in."""

    action_id: str
    value: str
    text: str
    block_id: str


def buttons(blocks: list[dict] | None) -> list[Button]:
    """Every button in `blocks`, in order (action blocks and section accessories)."""
    found = []
    for block in blocks or []:
        elements = list(block.get("elements") or [])
        if block.get("accessory"):
            elements.append(block["accessory"])
        for element in elements:
            if element.get("type") == "button":
                text = (element.get("text") or {}).get("text", "")
                found.append(
                    Button(element["action_id"], element.get("value", ""), text, block.get("block_id", ""))
                )
    return found


def find_button(blocks: list[dict] | None, prefix: str, key: str | None = None) -> Button | None:
    """The first button whose action id starts with `prefix` and names `key` (in id, value or label)."""
    for button in buttons(blocks):
        if not button.action_id.startswith(prefix):
            continue
        if key is None or key in button.action_id or button.value.endswith(key) or key in button.text:
            return button
    return None


@dataclass
class Shown:
    """A message as it looks now in a conversation."""

    channel: str
    ts: str
    text: str
    blocks: list[dict]
    for_user: str | None = None  # an ephemeral message: only this person sees it


def _blocks(raw: Any) -> list[dict]:
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except ValueError:
            return []
    return raw or []


def _meeting_at(raw: Any) -> datetime | None:
    """The meeting a message's metadata says it is about, if any."""
    found = _view(raw).get("event_payload") or {}
    try:
        return datetime.fromisoformat(found["starts_at"])
    except (KeyError, TypeError, ValueError):
        return None


def _view(raw: Any) -> dict:
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except ValueError:
            return {}
    return raw or {}


# -- filling in modals as a person does ----------------------------------------------------------


def element_state(element: dict, answer: Any = None) -> dict:
    """The `view.state.values` entry for `element`: `answer` if given, else what the form showed."""
    kind = element.get("type", "")
    if kind in ("static_select", "radio_buttons", "external_select"):
        chosen = {"value": answer} if answer is not None else element.get("initial_option")
        return {"type": kind, "selected_option": chosen}
    if kind in ("checkboxes", "multi_static_select"):
        chosen = (
            [{"value": v} for v in answer] if answer is not None else element.get("initial_options") or []
        )
        return {"type": kind, "selected_options": chosen}
    if kind == "datepicker":
        return {"type": kind, "selected_date": answer if answer is not None else element.get("initial_date")}
    if kind == "timepicker":
        return {"type": kind, "selected_time": answer if answer is not None else element.get("initial_time")}
    if kind in ("conversations_select", "channels_select"):
        initial = element.get("initial_conversation") or element.get("initial_channel")
        chosen = answer if answer is not None else initial
        return {"type": kind, "selected_conversation": chosen, "selected_channel": chosen}
    if kind == "users_select":
        return {"type": kind, "selected_user": answer if answer is not None else element.get("initial_user")}
    if kind == "multi_users_select":
        chosen = list(answer) if answer is not None else element.get("initial_users") or []
        return {"type": kind, "selected_users": chosen}
    value = answer if answer is not None else element.get("initial_value") or ""
    return {"type": kind or "plain_text_input", "value": str(value)}


def fill(view: dict, answers: dict[str, Any]) -> dict:
    """`view.state.values` for a modal: `answers` by block id, everything else left as shown."""
    values: dict[str, Any] = {}
    for block in view.get("blocks") or []:
        if block.get("type") != "input":
            continue
        element = block.get("element") or {}
        block_id = block.get("block_id", "")
        values[block_id] = {
            element.get("action_id", ids.VALUE): element_state(element, answers.get(block_id))
        }
    return values


# -- the bot over HTTP ---------------------------------------------------------------------------


class SimClock:
    """The simulated instant; the app, the fake Slack and the clock's jobs all read it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class _Errors(logging.Handler):
    """Collects ERROR records (Bolt logs a listener's exception there)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.name}: {record.getMessage()}"[:300])


def _json(reply: Reply) -> dict[str, Any]:
    try:
        body = reply.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def refused(reply: Reply) -> bool:
    """True when mentorbot answered a modal's submission with field errors."""
    return bool(_json(reply).get("errors"))


class ScenarioError(AssertionError):
    """A step people take in every real program did not work at all."""


class World:
    """mentorbot, the fake Slack and the simulated clock; people act through its methods."""

    def __init__(
        self, url: str, listeners: ListenerPool, fake: FakeSlack, clock: SimClock, jobs: list[Callable]
    ) -> None:
        self.pool, self.fake, self.clock, self.jobs = listeners, fake, clock, jobs
        self.sender = SlackSender(url, response_url=fake.response_url)
        self.record = Record()
        self.members: dict[str, tuple[str, ...]] = {}  # conversation id -> its people
        self.shown: dict[tuple[str, str], Shown] = {}
        self.home: dict[str, dict] = {}
        self._seen = 0
        self._ids = itertools.count(1)
        self.listeners: list[Callable[[Delivery, Shown | None], None]] = []

    # -- time ----------------------------------------------------------------------------------

    def at(self, moment: datetime) -> None:
        """Move the simulated clock (the fake stamps calls with it too)."""
        self.clock.now = moment
        self.fake.now = moment

    def tick(self, moment: datetime) -> None:
        """The clock process looks at the database once at `moment`."""
        self.at(moment)
        for job in self.jobs:
            job(moment)
        self._collect(actor=None, clicked=None)

    # -- what people do ------------------------------------------------------------------------

    def slash(self, user_id: str, text: str) -> Reply:
        """`user_id` types `/mentor {text}`."""
        return self._act(user_id, None, lambda: self.sender.slash(text, user_id=user_id))

    def click(self, user_id: str, shown: Shown, button: Button) -> Reply:
        """`user_id` clicks `button` on the message `shown`."""
        payload = {
            "type": "block_actions",
            "user": {"id": user_id, "team_id": self.sender.team_id},
            "api_app_id": "AMENTORBOT",
            "trigger_id": f"{next(self._ids)}.1.trigger",
            "response_url": self.fake.response_url,
            "channel": {"id": shown.channel},
            "container": {"type": "message", "message_ts": shown.ts, "channel_id": shown.channel},
            "message": {"type": "message", "ts": shown.ts, "text": shown.text, "blocks": shown.blocks},
            "actions": [self._action(button)],
        }
        if shown.for_user is not None:  # Slack sends no message for an ephemeral one
            del payload["message"]
            payload["container"] = {**payload["container"], "is_ephemeral": True}
        return self._act(user_id, shown, lambda: self.sender.interaction(payload))

    def click_home(self, user_id: str, button: Button) -> Reply:
        """`user_id` clicks `button` on their Home tab."""
        view = self.home.get(user_id) or {}
        payload = {
            "type": "block_actions",
            "user": {"id": user_id, "team_id": self.sender.team_id},
            "api_app_id": "AMENTORBOT",
            "trigger_id": f"{next(self._ids)}.1.trigger",
            "view": {"hash": "1.hash", "type": "home", **view, "id": view.get("id", "VHOME")},
            "container": {"type": "view", "view_id": view.get("id", "VHOME")},
            "actions": [self._action(button)],
        }
        return self._act(user_id, None, lambda: self.sender.interaction(payload))

    def submit(self, user_id: str, view: dict, answers: dict[str, Any]) -> Reply:
        """`user_id` fills in the modal `view` with `answers` (the rest as shown) and submits it."""
        payload = {
            "type": "view_submission",
            "user": {"id": user_id, "team_id": self.sender.team_id},
            "api_app_id": "AMENTORBOT",
            "trigger_id": f"{next(self._ids)}.1.trigger",
            "view": {
                "id": view.get("id", "V0MODAL"),
                "team_id": self.sender.team_id,
                "type": "modal",
                "callback_id": view.get("callback_id"),
                "private_metadata": view.get("private_metadata", ""),
                "hash": "1.hash",
                "state": {"values": fill(view, answers)},
            },
        }
        reply = self._act(user_id, None, lambda: self.sender.interaction(payload))
        if refused(reply):
            errors = reply.json()["errors"]
            self.record.problems.append(f"{user_id} could not submit {view.get('callback_id')}: {errors}")
        return reply

    def modal(self, since: int) -> dict | None:
        """The modal the bot showed last since call number `since` (views.open/update/push)."""
        for call in reversed(self.fake.calls[since:]):
            if call.method in ("views.open", "views.push", "views.update") and call.ok:
                view = dict(_view(call.args.get("view")))
                view["id"] = (call.response.get("view") or {}).get("id") or call.args.get("view_id")
                if view.get("type") == "modal":
                    return view
        return None

    def open_and_submit(
        self, user_id: str, opener: Callable[[], Reply], answers: dict[str, Any], callback_id: str
    ) -> bool:
        """Open a modal (by a click or a command), then submit it; False when no such modal came."""
        since = len(self.fake.calls)
        opener()
        view = self.modal(since)
        if view is None or view.get("callback_id") != callback_id:
            self.record.problems.append(
                f"{user_id} expected the {callback_id} modal, got {view and view.get('callback_id')}"
            )
            return False
        return not refused(self.submit(user_id, view, answers))

    def _action(self, button: Button) -> dict[str, Any]:
        return {
            "action_id": button.action_id,
            "block_id": button.block_id or "b",
            "value": button.value,
            "type": "button",
            "text": {"type": "plain_text", "text": button.text},
            "action_ts": f"{next(self._ids)}.0",
        }

    def _act(self, user_id: str, clicked: Shown | None, send: Callable[[], Reply]) -> Reply:
        reply = send()
        if reply.status >= 500:
            self.record.server_errors.append(
                f"{self.clock.now:%Y-%m-%d %H:%M} {user_id}: HTTP {reply.status}"
            )
        self._settle()
        text = _json(reply).get("text")
        if text:
            self._deliver(Delivery(EPHEMERAL, "ack", None, None, (user_id,), self.clock.now, user_id, text))
        self._collect(actor=user_id, clicked=clicked)
        return reply

    def _settle(self) -> None:
        """Wait until every listener the last request started has finished (Bolt acks first)."""
        if not self.pool.wait_idle(LISTENER_DEADLINE):
            raise ScenarioError(f"listeners still running {LISTENER_DEADLINE:.0f} s after a request")

    # -- turning the fake's calls into deliveries ------------------------------------------------

    def _recipients(self, channel: str | None) -> tuple[str, ...]:
        if not channel:
            return ()
        if channel in self.members:
            return self.members[channel]
        if channel.startswith(("U", "W")):
            return (channel,)
        return ()

    def _deliver(self, delivery: Delivery, shown: Shown | None = None) -> None:
        self.record.deliveries.append(delivery)
        for listener in self.listeners:
            listener(delivery, shown)

    def _collect(self, *, actor: str | None, clicked: Shown | None) -> None:
        calls = self.fake.calls[self._seen :]
        self._seen += len(calls)
        now = self.clock.now
        for call in calls:
            args, method = call.args, call.method
            if call.response.get("error") in ("invalid_blocks", "invalid_arguments"):
                self.record.refusals.append(f"{method}: {call.response}")
            if method == "conversations.open" and call.ok:
                users = tuple(u for u in str(args.get("users", "")).split(",") if u)
                self.members[call.response["channel"]["id"]] = users
            elif method == "chat.postMessage" and call.ok:
                channel = str(args.get("channel"))
                blocks = _blocks(args.get("blocks"))
                text = str(args.get("text") or "")
                shown = Shown(channel, str(call.response.get("ts")), text, blocks)
                self.shown[(channel, shown.ts)] = shown
                recipients = self._recipients(channel)
                self._deliver(
                    Delivery(
                        NEW,
                        method,
                        channel,
                        shown.ts,
                        recipients,
                        now,
                        actor,
                        flatten(text, blocks),
                        _meeting_at(args.get("metadata")),
                    ),
                    shown,
                )
            elif method == "chat.update" and call.ok:
                self._update(str(args.get("channel")), str(args.get("ts")), args, method, actor)
            elif method == "chat.delete" and call.ok:
                self._update(str(args.get("channel")), str(args.get("ts")), {"text": ""}, method, actor)
            elif method == "chat.postEphemeral" and call.ok:
                user = str(args.get("user"))
                blocks = _blocks(args.get("blocks"))
                channel = str(args.get("channel"))
                shown = Shown(
                    channel, str(call.response.get("message_ts")), str(args.get("text") or ""), blocks, user
                )
                self.shown[(channel, shown.ts)] = shown
                text = flatten(shown.text, blocks)
                self._deliver(
                    Delivery(EPHEMERAL, method, channel, shown.ts, (user,), now, actor, text), shown
                )
            elif method == "response_url":
                self._respond(args, actor, clicked)
            elif method == "files.completeUploadExternal" and call.ok:
                channel = str(args.get("channel_id") or "")
                listed = args.get("files")
                listed = json.loads(listed) if isinstance(listed, str) else listed or []
                text = " ".join(str(f.get("title") or "") for f in listed)
                text = f"{text} {args.get('initial_comment') or ''}".strip()
                self._deliver(
                    Delivery(NEW, method, channel, None, self._recipients(channel), now, actor, text)
                )
            elif method in ("views.open", "views.update", "views.push") and call.ok and actor:
                text = flatten(_view(args.get("view")).get("blocks"))
                self._deliver(Delivery(MODAL, method, None, None, (actor,), now, actor, text))
            elif method == "views.publish" and call.ok:
                user = str(args.get("user_id"))
                view = dict(_view(args.get("view")))
                view["id"] = (call.response.get("view") or {}).get("id")
                self.home[user] = view
                self._deliver(
                    Delivery(HOME, method, None, None, (user,), now, actor, flatten(view.get("blocks")))
                )

    def _update(self, channel: str, ts: str, args: dict, method: str, actor: str | None) -> None:
        blocks = _blocks(args.get("blocks"))
        text = str(args.get("text") or "")
        shown = self.shown.get((channel, ts))
        if shown is None:
            shown = Shown(channel, ts, text, blocks)
            self.shown[(channel, ts)] = shown
        else:
            shown.text, shown.blocks = text, blocks
        recipients = self._recipients(channel)
        self._deliver(
            Delivery(UPDATE, method, channel, ts, recipients, self.clock.now, actor, flatten(text, blocks)),
            shown,
        )

    def _respond(self, args: dict, actor: str | None, clicked: Shown | None) -> None:
        now = self.clock.now
        if clicked is not None and (args.get("replace_original") or args.get("delete_original")):
            if args.get("delete_original"):
                args = {"text": ""}
            if clicked.for_user is not None:  # an ephemeral: it changes for its one reader
                clicked.text, clicked.blocks = str(args.get("text") or ""), _blocks(args.get("blocks"))
                text = flatten(clicked.text, clicked.blocks)
                self._deliver(
                    Delivery(
                        EPHEMERAL,
                        "response_url",
                        clicked.channel,
                        clicked.ts,
                        (clicked.for_user,),
                        now,
                        actor,
                        text,
                    )
                )
                return
            self._update(clicked.channel, clicked.ts, args, "response_url", actor)
            return
        text = flatten(str(args.get("text") or ""), _blocks(args.get("blocks")))
        if args.get("response_type") == "in_channel" and clicked is not None:
            channel = clicked.channel
            self._deliver(
                Delivery(NEW, "response_url", channel, None, self._recipients(channel), now, actor, text)
            )
            return
        self._deliver(
            Delivery(EPHEMERAL, "response_url", None, None, (actor,) if actor else (), now, actor, text)
        )


# -- the people ----------------------------------------------------------------------------------


def local_time(user_id: str, day: date, at: str) -> datetime:
    """`day` at `at` ("HH:MM") in `user_id`'s zone, as UTC."""
    zone = ZoneInfo(BY_ID[user_id].tz)
    return datetime.combine(day, time.fromisoformat(at), tzinfo=zone).astimezone(UTC)


def next_awake(user_id: str, after: datetime, rng: random.Random, *, late: bool = False) -> datetime:
    """A moment after `after` when `user_id` looks at Slack: their working day, or late evening."""
    zone = ZoneInfo(BY_ID[user_id].tz)
    local = after.astimezone(zone)
    for days in range(8):
        day = local.date() + timedelta(days=days)
        if late:
            start, end = time(20, 30), time(22, 45)
        else:
            start, end = time(9, 0), time(18, 30)
        lo = datetime.combine(day, start, tzinfo=zone)
        hi = datetime.combine(day, end, tzinfo=zone)
        lo = max(lo, local + timedelta(minutes=20))
        if lo < hi:
            minutes = int((hi - lo).total_seconds() // 60)
            return (lo + timedelta(minutes=rng.randrange(minutes + 1))).astimezone(UTC)
    return after + timedelta(days=1)


@dataclass
class PairState:
    """One pair as the people in it know it."""

    mentor: str
    mentee: str
    channel: str
    plan: Plan
    kickoff: Shown
    agreed: bool = False
    goal_set: bool = False
    resumed_after_drift: bool = False


class People:
    """Everyone's habits: they react to what the bot shows them, on their own time."""

    def __init__(self, world: World, seed: int = 9) -> None:
        self.world = world
        self.seed = seed
        self.queue: list[tuple[datetime, int, Callable[[], None]]] = []
        self._order = itertools.count()
        self.pairs: dict[str, PairState] = {}  # channel -> pair
        self._notes = itertools.count(1)
        self._asked: set[tuple[str, str]] = set()  # meeting messages whose check-in someone planned to answer
        world.listeners.append(self.notice)

    # -- scheduling ----------------------------------------------------------------------------

    def later(self, moment: datetime, action: Callable[[], None]) -> None:
        """Do `action` at `moment`."""
        heapq.heappush(self.queue, (moment, next(self._order), action))

    def run_until(self, moment: datetime) -> None:
        """Everything people planned to do before `moment`, in time order."""
        while self.queue and self.queue[0][0] < moment:
            when, _, action = heapq.heappop(self.queue)
            self.world.at(max(when, self.world.clock.now))
            action()

    def roll(self, *key: object) -> random.Random:
        """Chance for one decision, seeded by what it is about.

        Each decision draws from its own seed, so a change in what mentorbot sends (one message
        fewer) does not reshuffle every later decision of the run.
        """
        return random.Random("|".join(map(str, (self.seed, *key))))

    def when(self, user_id: str, after: datetime | None = None) -> datetime:
        """When `user_id` next gets round to answering something."""
        after = after or self.world.clock.now
        rng = self.roll("when", user_id, after.isoformat())
        late = BY_ID[user_id].late and rng.random() < 0.35
        return next_awake(user_id, after, rng, late=late)

    def note(self, prefix: str) -> str:
        """A short unique token to find a shared text again."""
        return f"{prefix}{next(self._notes):03d}"

    def week(self) -> int:
        """The program week now."""
        return (self.world.clock.now - START) // timedelta(weeks=1)

    def silent(self, pair: PairState) -> bool:
        """True while a drifting pair ignores everything."""
        plan = pair.plan
        return (
            plan.silent_from_week is not None
            and self.week() >= plan.silent_from_week
            and not pair.resumed_after_drift
        )

    def pair_of(self, user_id: str) -> PairState | None:
        """The pair a mentee is in."""
        return next((p for p in self.pairs.values() if p.mentee == user_id), None)

    def fact(self, what: str, owner: str, audience: tuple[str, ...], *tokens: str) -> None:
        """Remember that `owner` shared something `audience` should learn."""
        self.world.record.facts.append(Fact(what, owner, audience, tokens, self.world.clock.now))

    # -- reacting to what the bot shows --------------------------------------------------------

    def notice(self, delivery: Delivery, shown: Shown | None) -> None:
        """Someone sees a new message (or the Home tab) and plans what to do about it."""
        if delivery.kind == HOME and delivery.recipients:
            self._home_changed(delivery.recipients[0])
        if delivery.kind == UPDATE and shown is not None and delivery.actor is None:
            # A meeting's message turned into its check-in: the members were in this conversation
            # for their meeting, and they answer where they left it.
            pair = self.pairs.get(shown.channel)
            key = (shown.channel, shown.ts)
            if pair is not None and find_button(shown.blocks, ids.CHECKIN_MET) and key not in self._asked:
                self._asked.add(key)
                self._checkin(pair, shown)
            return
        if delivery.kind not in (NEW, EPHEMERAL) or shown is None:
            return
        blocks = shown.blocks
        if delivery.kind == EPHEMERAL:  # private questions asked on a member's own answer
            if find_button(blocks, ids.FIT_ANSWER) and shown.for_user:
                self._fit(shown.for_user, shown)
            elif find_button(blocks, ids.PULSE_SCORE) and shown.for_user:
                self._pulse(shown.for_user, shown)
            return
        pair = self.pairs.get(shown.channel)
        if find_button(blocks, ids.AGREEMENT_OPEN) and len(delivery.recipients) == 2 and pair is None:
            self._kickoff(shown, delivery.recipients)
        elif find_button(blocks, ids.CHECKIN_MET) and pair is not None:
            self._asked.add((shown.channel, shown.ts))
            self._checkin(pair, shown)
        elif find_button(blocks, ids.MEETING_PREP_OPEN) and pair is not None:
            self._prepare(pair, shown)
        elif find_button(blocks, ids.FIT_ANSWER) and delivery.recipients:
            self._fit(delivery.recipients[0], shown)
        elif find_button(blocks, ids.PULSE_SCORE) and delivery.recipients:
            self._pulse(delivery.recipients[0], shown)
        elif find_button(blocks, ids.DRIFT_ANSWER) and pair is not None:
            self._drift(pair, shown)
        elif find_button(blocks, ids.REMINDER_ACHIEVED) and delivery.recipients:
            self._reminder(delivery.recipients[0], shown)

    def _kickoff(self, shown: Shown, members: tuple[str, ...]) -> None:
        mentor = next(u for u in members if BY_ID[u].role == "mentor")
        mentee = next(u for u in members if BY_ID[u].role == "mentee")
        mentees = [p.user_id for p in PEOPLE if p.role == "mentee"]
        plan = PLANS[mentees.index(mentee) % len(PLANS)]
        pair = PairState(mentor, mentee, shown.channel, plan, shown)
        self.pairs[shown.channel] = pair
        self.world.record.pairs[mentee] = mentor
        self.later(self.when(mentee), lambda: self.agree(pair))
        if plan.pause_weeks is not None:
            first, last = plan.pause_weeks
            self.later(self.when(mentee, START + timedelta(weeks=first)), lambda: self.pause(pair))
            self.later(self.when(mentee, START + timedelta(weeks=last)), lambda: self.resume(pair, mentee))

    def agree(self, pair: PairState) -> None:
        """The mentee opens the agreement from the kickoff and says how the pair meets."""
        world, mentee, plan = self.world, pair.mentee, pair.plan
        button = find_button(world.shown[(pair.channel, pair.kickoff.ts)].blocks, ids.AGREEMENT_OPEN)
        if button is None:
            world.record.problems.append(f"{mentee}: the kickoff has no agreement button")
            return
        local_today = world.clock.now.astimezone(ZoneInfo(BY_ID[mentee].tz)).date()
        start = local_today + timedelta(days=(plan.weekday - local_today.weekday() - 1) % 7 + 1)
        place = self.note("Room ")
        answers = {
            ids.AGREE_FREQUENCY: plan.frequency,
            ids.AGREE_WEEKDAY: str(plan.weekday),
            ids.AGREE_TIME: plan.local_time,
            ids.AGREE_TZ: BY_ID[mentee].tz,
            ids.AGREE_FORMAT: "video",
            ids.AGREE_LOCATION: place,
            ids.AGREE_START: start.isoformat(),
            ids.AGREE_EXPECTATIONS: "We bring one question each; we answer DMs within a day.",
        }
        if world.open_and_submit(
            mentee, lambda: world.click(mentee, pair.kickoff, button), answers, ids.AGREEMENT_MODAL
        ):
            pair.agreed = True
            self.fact("agreement", mentee, (pair.mentor,), place, plan.local_time)
            self.later(self.when(mentee), lambda: self.set_goal(pair))

    def set_goal(self, pair: PairState) -> None:
        """The mentee sets a SMART goal from the kickoff's goal button."""
        world, mentee = self.world, pair.mentee
        button = find_button(world.shown[(pair.channel, pair.kickoff.ts)].blocks, ids.GOAL_NEW)
        if button is None:
            world.record.problems.append(f"{mentee}: the kickoff has no goal button")
            return
        topic = self.note("guild topic ")
        deadline = (START + timedelta(weeks=pair.plan.goal_weeks)).date()
        answers = {
            ids.GOAL_SPECIFIC: f"Give three talks at the engineering guild, starting with {topic}",
            ids.GOAL_MEASURE_KIND: "target",
            ids.GOAL_TARGET: "3",
            ids.GOAL_UNIT: "talks",
            ids.GOAL_MILESTONES: "",
            ids.GOAL_ATTAINABLE: "I know the system well; I need slots on the guild agenda.",
            ids.GOAL_REALISTIC: "The guild meets every two weeks and my team supports it.",
            ids.GOAL_DEADLINE: deadline.isoformat(),
        }
        if world.open_and_submit(
            mentee, lambda: world.click(mentee, pair.kickoff, button), answers, ids.GOAL_MODAL
        ):
            pair.goal_set = True
            self.fact("goal", mentee, (pair.mentor,), topic)

    def _checkin(self, pair: PairState, shown: Shown) -> None:
        if self.silent(pair) or (pair.plan.pause_weeks and self._paused_now(pair)):
            return
        rng = self.roll("checkin", pair.mentee, self.world.clock.now.date())
        if rng.random() < 0.12:
            return  # a busy week: nobody answers this one
        answerer = pair.mentee if rng.random() < 0.7 else pair.mentor
        self.later(self.when(answerer), lambda: self.answer_checkin(pair, shown, answerer, rng))

    def _prepare(self, pair: PairState, shown: Shown) -> None:
        """The mentee often prepares: what to talk about and a question, which become the agenda."""
        if self.silent(pair) or (pair.plan.pause_weeks and self._paused_now(pair)):
            return
        rng = self.roll("prepare", pair.mentee, self.world.clock.now.date())
        if rng.random() < 0.4:
            return  # no time to prepare this week

        def act() -> None:
            world, mentee = self.world, pair.mentee
            current = world.shown.get((shown.channel, shown.ts), shown)
            button = find_button(current.blocks, ids.MEETING_PREP_OPEN)
            if button is None:
                return  # the meeting is too close now: the agenda is final
            topic = self.note("agenda ")
            answers = {
                ids.PREP_TOPICS: f"How to pitch the migration plan ({topic})",
                ids.PREP_QUESTIONS: "How do you say no to a senior stakeholder?",
            }
            if world.open_and_submit(
                mentee, lambda: world.click(mentee, current, button), answers, ids.MEETING_PREP_MODAL
            ):
                self.fact("agenda", mentee, (pair.mentor,), topic)

        self.later(self.when(pair.mentee), act)

    def _paused_now(self, pair: PairState) -> bool:
        assert pair.plan.pause_weeks is not None
        first, last = pair.plan.pause_weeks
        return first <= self.week() < last

    def answer_checkin(self, pair: PairState, shown: Shown, user_id: str, rng: random.Random) -> None:
        """A member clicks whether they met, often shares what they learned, and sometimes progress."""
        world = self.world
        if self.silent(pair):
            return
        current = world.shown.get((shown.channel, shown.ts), shown)
        roll = rng.random()
        met = "yes" if roll < 0.8 else "not_yet" if roll < 0.9 else "rescheduled"
        button = find_button(current.blocks, ids.CHECKIN_MET, met)
        if button is None:
            return  # the check-in was closed (a newer one came) before they got to it
        world.click(user_id, current, button)
        label = {"yes": "met", "not_yet": "not yet", "rescheduled": "reschedul"}[met]
        self.fact(f"check-in {met}", user_id, (self._partner(pair, user_id),), f"<@{user_id}>", label)
        if rng.random() < 0.7:
            current = world.shown.get((shown.channel, shown.ts), current)
            answer = find_button(current.blocks, ids.CHECKIN_ANSWER_OPEN)
            if answer is not None:
                learned, blocker = self.note("lesson "), self.note("blocker ")
                answers = {
                    ids.CHECKIN_LEARNED: f"How to split a risky rollout into stages ({learned})",
                    ids.CHECKIN_BLOCKER: f"Waiting on review slots ({blocker})",
                }
                if world.open_and_submit(
                    user_id, lambda: world.click(user_id, current, answer), answers, ids.CHECKIN_ANSWER_MODAL
                ):
                    self.fact("check-in answer", user_id, (self._partner(pair, user_id),), learned, blocker)
        if user_id == pair.mentee and pair.goal_set and rng.random() < 0.4:
            self.later(self.when(user_id), lambda: self.update_progress(pair))

    def update_progress(self, pair: PairState) -> None:
        """The mentee records goal progress from their Home tab."""
        world, mentee = self.world, pair.mentee
        button = find_button((world.home.get(mentee) or {}).get("blocks"), ids.PROGRESS_OPEN)
        if button is None:
            return  # no open goal on Home any more
        since = len(world.fake.calls)
        world.click_home(mentee, button)
        view = world.modal(since)
        if view is None or view.get("callback_id") != ids.PROGRESS_MODAL:
            world.record.problems.append(
                f"{mentee}: Update progress opened {view and view.get('callback_id')}"
            )
            return
        value_block = next((b for b in view["blocks"] if b.get("block_id") == ids.PROGRESS_VALUE), None)
        current = float((value_block or {}).get("element", {}).get("initial_value") or 0)
        note = self.note("progress ")
        answers: dict[str, Any] = {ids.PROGRESS_NOTE: f"Gave a talk; next one booked ({note})"}
        if value_block is not None:
            answers[ids.PROGRESS_VALUE] = f"{min(current + 1, 3):g}"
        if not refused(world.submit(mentee, view, answers)):
            self.fact("goal progress", mentee, (pair.mentor,), note)

    def _fit(self, user_id: str, shown: Shown) -> None:
        pair = next((p for p in self.pairs.values() if user_id in (p.mentor, p.mentee)), None)
        if pair is None or self.silent(pair):
            return
        answer = "not_fit" if pair.plan.not_fit and user_id == pair.mentee else "good"

        def act() -> None:
            current = self.world.shown.get((shown.channel, shown.ts), shown)
            button = find_button(current.blocks, ids.FIT_ANSWER, answer)
            if button is not None:
                self.world.click(user_id, current, button)
                if answer == "not_fit":
                    self.fact(
                        "not a fit", user_id, (ADMIN.user_id,), f"<@{pair.mentor}>", f"<@{pair.mentee}>"
                    )

        self.later(self.when(user_id), act)

    def _pulse(self, user_id: str, shown: Shown) -> None:
        pair = next((p for p in self.pairs.values() if user_id in (p.mentor, p.mentee)), None)
        if pair is not None and self.silent(pair):
            return
        score = "4" if BY_ID[user_id].role == "mentee" else "5"

        def act() -> None:
            current = self.world.shown.get((shown.channel, shown.ts), shown)
            button = find_button(current.blocks, ids.PULSE_SCORE, score)
            if button is not None:
                self.world.click(user_id, current, button)

        self.later(self.when(user_id), act)

    def _drift(self, pair: PairState, shown: Shown) -> None:
        if self.silent(pair):
            return

        def act() -> None:
            current = self.world.shown.get((shown.channel, shown.ts), shown)
            button = find_button(current.blocks, ids.DRIFT_ANSWER, "keep")
            if button is not None:
                self.world.click(pair.mentee, current, button)

        self.later(self.when(pair.mentee), act)

    def _reminder(self, user_id: str, shown: Shown) -> None:
        if "today" not in shown.text:
            return  # the 7-day and 1-day reminders need no answer

        def act() -> None:
            current = self.world.shown.get((shown.channel, shown.ts), shown)
            button = find_button(current.blocks, ids.REMINDER_ACHIEVED)
            if button is not None:
                self.world.click(user_id, current, button)

        self.later(self.when(user_id), act)

    def _home_changed(self, user_id: str) -> None:
        """A drifting pair's mentor sees the pair paused on Home and resumes it a few days later."""
        pair = next(
            (p for p in self.pairs.values() if p.mentor == user_id and p.plan.silent_from_week is not None),
            None,
        )
        if pair is None or pair.resumed_after_drift:
            return
        resume = find_button((self.world.home.get(user_id) or {}).get("blocks"), ids.PAIR_RESUME)
        if resume is None:
            return
        pair.resumed_after_drift = True
        moment = self.when(user_id, self.world.clock.now + timedelta(days=3))
        self.later(moment, lambda: self.resume(pair, pair.mentor))

    def pause(self, pair: PairState) -> None:
        """The mentee pauses the pair from Home for a few weeks (a busy quarter)."""
        button = find_button((self.world.home.get(pair.mentee) or {}).get("blocks"), ids.PAIR_PAUSE)
        if button is None:
            self.world.record.problems.append(f"{pair.mentee}: no Pause button on Home")
            return
        self.world.click_home(pair.mentee, button)
        self.fact("paused", pair.mentee, (pair.mentor,), f"<@{pair.mentee}>", "pause")

    def resume(self, pair: PairState, user_id: str) -> None:
        """A member resumes a paused pair from Home."""
        blocks = (self.world.home.get(user_id) or {}).get("blocks")
        button = next(
            (
                b
                for b in buttons(blocks)
                if b.action_id.startswith(ids.PAIR_RESUME) and self._is_pair(b, pair)
            ),
            find_button(blocks, ids.PAIR_RESUME),
        )
        if button is None:
            self.world.record.problems.append(f"{user_id}: no Resume button on Home")
            return
        self.world.click_home(user_id, button)
        self.fact("resumed", user_id, (self._partner(pair, user_id),), f"<@{user_id}>", "resume")

    def _is_pair(self, button: Button, pair: PairState) -> bool:
        """True when a Home button is about `pair` (it carries the pair's id, as the kickoff's do)."""
        agreement = find_button(self.world.shown[(pair.channel, pair.kickoff.ts)].blocks, ids.AGREEMENT_OPEN)
        return agreement is not None and button.value.split(":")[0] == agreement.value.split(":")[0]

    def introduce(self, mentor: str, person: str) -> None:
        """A mentor introduces their mentee to someone who can help."""
        pair = next((p for p in self.pairs.values() if p.mentor == mentor), None)
        if pair is None:
            return
        world = self.world
        reason = self.note("intro ")
        answers = {
            ids.CONNECT_REASON: f"They have given talks like the ones you plan ({reason})",
            ids.CONNECT_QUESTION: "How do you prepare a first talk?",
        }
        if world.open_and_submit(
            mentor,
            lambda: world.slash(mentor, f"connect <@{person}> <@{pair.mentee}>"),
            answers,
            ids.CONNECT_MODAL,
        ):
            self.fact("introduction", mentor, (pair.mentee, person), reason)

    def _partner(self, pair: PairState, user_id: str) -> str:
        return pair.mentee if user_id == pair.mentor else pair.mentor


# -- the program ---------------------------------------------------------------------------------


def set_up(world: World, people: People) -> None:
    """Day one and two: the admin sets up the program, everyone joins, the admin matches."""
    fake = world.fake
    fake.add_channel(ANNOUNCE_CHANNEL)
    for person in PEOPLE:
        fake.add_user(person.user_id, tz=person.tz, is_admin=person.role == "admin", real_name=person.user_id)
    world.at(local_time(ADMIN.user_id, START.date(), "09:00"))
    if not world.open_and_submit(
        ADMIN.user_id,
        lambda: world.slash(ADMIN.user_id, "config"),
        {
            ids.CONFIG_NAME: PROGRAM_NAME,
            ids.CONFIG_CHANNEL: ANNOUNCE_CHANNEL,
            ids.CONFIG_SKILLS: "\n".join(SKILLS),
            ids.CONFIG_CADENCE: "weekly",
        },
        ids.CONFIG_MODAL,
    ):
        raise ScenarioError(f"the admin could not set up the program: {world.record.problems}")
    for person in PEOPLE:
        if person.role == "admin":
            continue
        moment = people.when(person.user_id, world.clock.now)
        people.later(moment, functools.partial(join, world, person))
    people.run_until(START + timedelta(days=1, hours=14))
    joined = {d.recipients[0] for d in world.record.deliveries if d.kind == HOME and d.recipients}
    missing = [user_id for user_id in MEMBERS if user_id not in joined]
    if missing:
        raise ScenarioError(f"these people could not join: {missing}; {world.record.problems}")
    world.at(local_time(ADMIN.user_id, (START + timedelta(days=1)).date(), "10:00"))
    if not world.open_and_submit(
        ADMIN.user_id, lambda: world.slash(ADMIN.user_id, "match"), {}, ids.MATCH_MODAL
    ):
        raise ScenarioError(f"the admin could not confirm the matches: {world.record.problems}")


def join(world: World, person: Person) -> None:
    """`person` types `/mentor join` and fills in the sign-up form."""
    mentor = person.role == "mentor"
    answers: dict[str, Any] = {
        ids.JOIN_ROLE: person.role,
        ids.JOIN_SKILLS: list(person.skills),
        ids.JOIN_GROWTH: list(person.growth) or ["Leadership"],
        ids.JOIN_EXPERIENCE: "expert" if mentor else "developing",
        ids.JOIN_MOTIVATIONS: "I want to help someone grow." if mentor else "I want to lead design reviews.",
        ids.JOIN_BACKGROUND: f"Engineer in {person.tz.split('/')[-1].replace('_', ' ')}, eight years.",
        ids.JOIN_FORMATS: ["video", "chat"],
        ids.JOIN_TZ: person.tz,
    }
    if mentor:
        answers[ids.JOIN_CAPACITY] = str(person.capacity)
    world.open_and_submit(
        person.user_id, lambda: world.slash(person.user_id, "join"), answers, ids.JOIN_MODAL
    )


def introductions(people: People) -> None:
    """In week three, mentors of a single mentee introduce them to another mentor."""
    pairs = list(people.pairs.values())
    singles = [p for p in pairs if sum(q.mentor == p.mentor for q in pairs) == 1]
    mentors = [p.user_id for p in PEOPLE if p.role == "mentor"]
    for pair in singles[:2]:
        person = next(u for u in mentors if u != pair.mentor)
        moment = people.when(pair.mentor)
        people.later(moment, functools.partial(people.introduce, pair.mentor, person))


def clock_jobs(session_factory: Any, client: Any, settings: Settings) -> list[Callable]:
    """What `mentorbot clock` runs on each tick (bot/jobs.py), called with the simulated instant."""
    return [job.run for job in jobs.clock_jobs(session_factory, client, settings, sleep=lambda _s: None)]


def run_program(engine: Engine, database_url: str, *, weeks: int = WEEKS) -> Record:
    """The whole eight weeks on a migrated, empty database; returns what everyone received."""
    errors = _Errors()
    logging.getLogger().addHandler(errors)
    try:
        with FakeSlack() as fake:
            settings = Settings(
                slack_bot_token=BOT_TOKEN,
                slack_signing_secret=SIGNING_SECRET,
                database_url=database_url,
                slack_api_url=fake.base_url,
            )
            session_factory = create_session_factory(engine)
            clock = SimClock(START)
            listeners = ListenerPool()
            app = create_app(settings, session_factory, clock=clock, listeners=listeners)
            client = create_sending_client(settings)
            with serve(create_wsgi_app(app, engine)) as base_url:
                world = World(base_url + SLACK_PATH, listeners, fake, clock, [])
                world.jobs = clock_jobs(session_factory, client, settings)
                people = People(world)
                set_up(world, people)
                moment = world.clock.now.replace(minute=0, second=0, microsecond=0) + TICK
                end = START + timedelta(weeks=weeks)
                people.later(START + timedelta(weeks=3), lambda: introductions(people))
                while moment < end:
                    people.run_until(moment)
                    world.tick(moment)
                    moment += TICK
                if not people.pairs:
                    raise ScenarioError(f"matching made no pairs: {world.record.problems}")
                world.record.listener_errors = list(errors.messages)
            listeners.shutdown(wait=False, cancel_futures=True)
            world.record.weeks = weeks
            return world.record
    finally:
        logging.getLogger().removeHandler(errors)


def summary(record: Record) -> str:
    """A table of what each person received per week (new/updated/ephemeral), with totals."""
    counts = record.counts()
    weeks = " ".join(f"{'week ' + str(w + 1):>10}" for w in range(WEEKS))
    lines = [
        f"{'person':<7} {'zone':<20} {weeks} {'total':>13}",
        f"{'':<28} each week: new/updated/ephemeral",
    ]
    totals = dict.fromkeys(KINDS, 0)
    for person in PEOPLE:
        cells = [f"{c[NEW]}/{c[UPDATE]}/{c[EPHEMERAL]}" for c in counts[person.user_id].values()]
        sums = {kind: sum(c[kind] for c in counts[person.user_id].values()) for kind in KINDS}
        for kind in KINDS:
            totals[kind] += sums[kind]
        total = f"{sums[NEW]}/{sums[UPDATE]}/{sums[EPHEMERAL]}"
        lines.append(
            f"{person.user_id:<7} {person.tz:<20} "
            + " ".join(f"{cell:>10}" for cell in cells)
            + f" {total:>13}  {person.role}"
        )
    lines.append(f"everyone: {totals[NEW]} new, {totals[UPDATE]} updated, {totals[EPHEMERAL]} ephemeral")
    lines.append(f"messages posted: {record.sent()} (a group DM or channel post counts once)")
    posted = [d for d in record.deliveries if d.kind == NEW]
    later = len(posted) - len(record.for_the_weeks(posted))
    lines.append(f"  of which for meetings after the last week, posted the working day before: {later}")
    return "\n".join(lines)
