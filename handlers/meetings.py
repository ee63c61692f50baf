"""The meeting loop's buttons and forms: prepare, skip, move, notes, action items, questions, history."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, time
from typing import TypeVar

from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot import ids
from bot.checkins import Answered
from bot.deps import Deps
from bot.inplace import tell_clicker, update_message
from bot.inputs import ActionInput, Submission
from bot.meeting_actions import (
    history,
    mark_done,
    mentor_questions,
    move_defaults,
    move_meeting,
    notes_form,
    parse_notes,
    parse_prep,
    prep_form,
    prepare,
    save_notes,
    skip_meeting,
)
from bot.outbox import post
from bot.refusal import Refusal
from bot.views.checkins import checkin_message
from bot.views.meetings import (
    HistoryEntry,
    history_modal,
    move_modal,
    notes_modal,
    prep_modal,
    questions_modal,
)
from bot.zones import zone
from handlers.home import publish_home

T = TypeVar("T")
DONE = re.compile(rf"^{ids.ACTION_DONE}_[0-9]{{1,18}}$")


def _show(client: WebClient, shown: Answered | None, click: ActionInput | None = None) -> None:
    """Edit the meeting's message where it is (and where it was clicked, if that is elsewhere)."""
    if shown is None:
        return
    message = checkin_message(shown.card)
    if shown.at is not None:
        update_message(client, shown.at, message)
    elif click is not None and click.message is not None and not click.is_ephemeral:
        update_message(client, click.message, message)


def _errors(ack: Ack, refusal: Refusal, block_id: str) -> None:
    ack(response_action="errors", errors={refusal.field or block_id: refusal.message})


def register(app: App, deps: Deps) -> None:
    """Listen for the meeting message's buttons and the forms they open."""

    def checkin_id_of(raw: str) -> int | None:
        return ids.decode_number(raw)

    def clicked(
        client: WebClient, click: ActionInput, lookup: Callable[[Session, str, int, str], T | Refusal]
    ) -> T | None:
        """`lookup` (session, team, the row the button names, who clicked) in one transaction;
        None after telling the clicker, alone, why not."""
        row_id = ids.decode_number(click.value)
        with deps.session_factory.begin() as session:
            found = (
                lookup(session, click.team_id, row_id, click.user_id)
                if row_id is not None
                else Refusal("That button is broken.")
            )
        if isinstance(found, Refusal):
            tell_clicker(client, click, found.message)
            return None
        return found

    @app.action(ids.MEETING_PREP_OPEN)
    def open_prep(ack: Ack, client: WebClient, action_input: ActionInput) -> None:
        ack()
        found = clicked(client, action_input, lambda s, t, n, u: prep_form(s, t, n, u, deps.clock()))
        if found is None:
            return
        view = prep_modal(found.checkin_id, found.mentor_user_id, found.agenda)
        client.views_open(trigger_id=action_input.trigger_id, view=view)

    @app.view(ids.MEETING_PREP_MODAL)
    def submit_prep(ack: Ack, client: WebClient, submission: Submission) -> None:
        agenda = parse_prep(submission.values)
        if isinstance(agenda, dict):
            ack(response_action="errors", errors=agenda)
            return
        checkin_id = checkin_id_of(submission.private_metadata)
        with deps.session_factory.begin() as session:
            outcome = (
                prepare(session, submission.team_id, checkin_id, submission.user_id, agenda, deps.clock())
                if checkin_id is not None
                else Refusal("That form is broken: open it again.")
            )
        if isinstance(outcome, Refusal):
            _errors(ack, outcome, ids.PREP_TOPICS)
            return
        ack()
        if not outcome.repeated:
            _show(client, outcome)
        publish_home(deps, client, submission.team_id, submission.user_id)

    @app.action(ids.MEETING_SKIP)
    def skip(ack: Ack, client: WebClient, action_input: ActionInput) -> None:
        ack()
        checkin_id = checkin_id_of(action_input.value)
        team_id, user_id = action_input.team_id, action_input.user_id
        with deps.session_factory.begin() as session:
            now = deps.clock()
            changed = (
                skip_meeting(session, team_id, checkin_id, user_id, now)
                if checkin_id is not None
                else Refusal("That button is broken.")
            )
            keys = (
                []
                if isinstance(changed, Refusal) or changed.letter is None
                else post(session, team_id, [changed.letter], now)
            )
        if isinstance(changed, Refusal):
            tell_clicker(client, action_input, changed.message)
            return
        _show(client, changed.shown, action_input)
        deps.send_now(client, keys)
        publish_home(deps, client, team_id, user_id)

    @app.action(ids.MEETING_MOVE_OPEN)
    def open_move(ack: Ack, client: WebClient, action_input: ActionInput) -> None:
        ack()
        found = clicked(client, action_input, lambda s, t, n, u: move_defaults(s, t, n, u, deps.clock()))
        if found is None:
            return
        client.views_open(trigger_id=action_input.trigger_id, view=move_modal(*found))

    @app.view(ids.MEETING_MOVE_MODAL)
    def submit_move(ack: Ack, client: WebClient, submission: Submission) -> None:
        state = submission.state
        raw_date, raw_time = state.date(ids.MOVE_DATE), state.time(ids.MOVE_TIME)
        checkin_id = checkin_id_of(submission.private_metadata)
        team_id, user_id = submission.team_id, submission.user_id
        with deps.session_factory.begin() as session:
            now = deps.clock()
            found = (
                move_defaults(session, team_id, checkin_id, user_id, now)
                if checkin_id is not None
                else Refusal("That form is broken: open it again.")
            )
            if isinstance(found, Refusal):
                _errors(ack, found, ids.MOVE_DATE)
                return
            try:
                day, at = datetime.fromisoformat(f"{raw_date}").date(), time.fromisoformat(f"{raw_time}")
            except ValueError:
                ack(response_action="errors", errors={ids.MOVE_DATE: "Pick the day and the time."})
                return
            new_start = datetime.combine(day, at, tzinfo=zone(found[2]))
            changed = move_meeting(session, team_id, found[0], user_id, new_start, now)
            keys = (
                []
                if isinstance(changed, Refusal) or changed.letter is None
                else post(session, team_id, [changed.letter], now)
            )
        if isinstance(changed, Refusal):
            _errors(ack, changed, ids.MOVE_DATE)
            return
        ack()
        _show(client, changed.shown)
        deps.send_now(client, keys)

    @app.action(ids.MEETING_NOTES_OPEN)
    def open_notes(ack: Ack, client: WebClient, action_input: ActionInput) -> None:
        ack()
        found = clicked(client, action_input, notes_form)
        if found is None:
            return
        view = notes_modal(
            found.checkin_id,
            found.starts,
            found.mentor_user_id,
            found.mentee_user_id,
            found.shared,
            found.private,
            found.version,
        )
        client.views_open(trigger_id=action_input.trigger_id, view=view)

    @app.view(ids.MEETING_NOTES_MODAL)
    def submit_notes(ack: Ack, client: WebClient, submission: Submission) -> None:
        team_id, user_id = submission.team_id, submission.user_id
        now = deps.clock()
        form = parse_notes(submission.values)
        if isinstance(form, dict):
            ack(response_action="errors", errors=form)
            return
        raw = submission.private_metadata
        meta: tuple[int, int | None] | None = ids.decode_notes_metadata(raw)
        if meta is None and (opened_before := ids.decode_number(raw)) is not None:
            meta = (opened_before, None)  # a form opened before notes had versions
        with deps.session_factory.begin() as session:
            outcome = (
                save_notes(session, team_id, meta[0], user_id, form, now, version=meta[1])
                if meta is not None
                else Refusal("That form is broken: open it again.")
            )
        if isinstance(outcome, Refusal):
            _errors(ack, outcome, ids.NOTES_SHARED)
            return
        ack()
        _show(client, outcome)
        publish_home(deps, client, team_id, user_id)

    @app.action(DONE)
    def done(ack: Ack, client: WebClient, action_input: ActionInput) -> None:
        ack()
        team_id, user_id = action_input.team_id, action_input.user_id
        outcome = clicked(client, action_input, lambda s, t, n, u: mark_done(s, t, n, u, deps.clock()))
        if outcome is None:
            return
        if outcome.repeated:
            tell_clicker(client, action_input, "Already done: it is off the list.")
            return
        _show(client, outcome.shown, action_input)
        publish_home(deps, client, team_id, user_id)

    @app.action(ids.MEETING_QUESTIONS_OPEN)
    def open_questions(ack: Ack, client: WebClient, action_input: ActionInput) -> None:
        ack()
        found = clicked(client, action_input, mentor_questions)
        if found is None:
            return
        client.views_open(
            trigger_id=action_input.trigger_id,
            view=questions_modal(found.mentee_user_id, found.questions, found.hopes),
        )

    @app.action(ids.MEETING_HISTORY_OPEN)
    def open_history(ack: Ack, client: WebClient, action_input: ActionInput) -> None:
        ack()
        found = clicked(client, action_input, history)
        if found is None:
            return
        partner, meetings = found
        entries = [
            HistoryEntry(m.starts, m.status, m.agenda, m.notes, m.private, m.actions) for m in meetings
        ]
        client.views_open(trigger_id=action_input.trigger_id, view=history_modal(partner, entries))
