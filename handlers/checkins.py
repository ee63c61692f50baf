"""Answers to check-ins and goal reminders, and members whose Slack accounts are deactivated."""

from __future__ import annotations

import re
from datetime import date

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import ids
from bot.checkins import Answered, answer_checkin, checkin_to_answer, goal_outcome
from bot.deps import Deps
from bot.goals import extend_deadline, goal_edit_form
from bot.health import note_met, private_questions
from bot.inplace import ask_privately, show_answer, tell_clicker, update_message
from bot.inputs import ActionInput, Submission, context_tenant
from bot.notify import deactivation_letters, dm
from bot.outbox import post
from bot.pairing import member_deactivated
from bot.refusal import Refusal
from bot.views.checkins import (
    already_answered,
    answer_modal,
    checkin_message,
    extend_modal,
    goal_closed,
    nudge_answered,
)
from bot.views.health import fit_question, pulse_question
from handlers.home import publish_home

MET = re.compile(rf"^{ids.CHECKIN_MET}_({'|'.join(ids.CHECKIN_MET_ANSWERS)})$")


def _show(client: WebClient, click: ActionInput | None, outcome: Answered) -> None:
    """Edit the check-in message to show the answer; an admin's nudge shows it too, buttonless."""
    card = checkin_message(outcome.card)
    if outcome.at is not None:
        update_message(client, outcome.at, card)
    if click is None or click.message is None:
        return
    if outcome.at is None:
        update_message(client, click.message, card)
    elif click.message != outcome.at:
        answer = next(m for m in outcome.card.members if m.user_id == click.user_id)
        update_message(client, click.message, nudge_answered(click.user_id, answer.met or ""))


def register(app: App, deps: Deps) -> None:
    """Listen for check-in buttons and modals, reminder buttons, and deactivations."""

    @app.action(MET)
    def met(ack: Ack, client: WebClient, action_input: ActionInput) -> None:
        ack()
        team_id, user_id = action_input.team_id, action_input.user_id
        decoded = ids.decode_checkin_met(action_input.value)
        if decoded is None:
            return
        checkin_id, answer = decoded
        with deps.session_factory.begin() as session:
            outcome = answer_checkin(session, team_id, checkin_id, user_id, deps.clock(), met=answer)
        if isinstance(outcome, Refusal):
            tell_clicker(client, action_input, outcome.message)
            return
        if outcome.repeated:
            tell_clicker(client, action_input, already_answered(answer))
            return
        _show(client, action_input, outcome)
        if answer == "yes":
            with deps.session_factory.begin() as session:
                note_met(session, team_id, outcome.pair_id, deps.clock())
        at = action_input.message or outcome.at
        where = at.channel if at else None
        ask_what_waits(client, team_id, outcome.pair_id, user_id, where, met=answer == "yes")
        publish_home(deps, client, team_id, user_id)

    @app.action(ids.CHECKIN_ANSWER_OPEN)
    def open_answer(ack: Ack, client: WebClient, action_input: ActionInput) -> None:
        ack()
        raw = action_input.value
        if not raw.isdigit():
            return
        with deps.session_factory.begin() as session:
            found = checkin_to_answer(session, action_input.team_id, int(raw), action_input.user_id)
        if isinstance(found, Refusal):
            tell_clicker(client, action_input, found.message)
            return
        client.views_open(trigger_id=action_input.trigger_id, view=answer_modal(found))

    @app.view(ids.CHECKIN_ANSWER_MODAL)
    def submit_answer(ack: Ack, client: WebClient, submission: Submission) -> None:
        team_id, user_id = submission.team_id, submission.user_id
        state = submission.state
        learned, blocker = state.text(ids.CHECKIN_LEARNED) or None, state.text(ids.CHECKIN_BLOCKER) or None
        if not learned and not blocker:
            ack(
                response_action="errors",
                errors={ids.CHECKIN_LEARNED: "Share what you learned or what blocks you."},
            )
            return
        raw = submission.private_metadata
        with deps.session_factory.begin() as session:
            outcome = (
                answer_checkin(
                    session, team_id, int(raw), user_id, deps.clock(), learned=learned, blocker=blocker
                )
                if raw.isdigit()
                else Refusal("That form is broken: open it again.")
            )
        if isinstance(outcome, Refusal):
            ack(response_action="errors", errors={ids.CHECKIN_LEARNED: outcome.message})
            return
        ack()
        _show(client, None, outcome)

    def ask_what_waits(
        client: WebClient, team_id: str, pair_id: int, user_id: str, channel: str | None, *, met: bool
    ) -> None:
        """Ask the member who just answered, privately and where they are, what waits for them."""
        if channel is None:
            return
        with deps.session_factory.begin() as session:
            waiting = private_questions(session, team_id, pair_id, user_id, deps.clock(), met=met)
        if waiting is None:
            return
        if waiting.fit:
            ask_privately(client, channel, user_id, fit_question(waiting.pair_id, waiting.partner_user_id))
        if waiting.pulse_id is not None:
            ask_privately(client, channel, user_id, pulse_question(waiting.pulse_id, waiting.partner_user_id))

    def close_from_reminder(outcome: str):
        def run(ack: Ack, client: WebClient, action_input: ActionInput) -> None:
            ack()
            team_id, user_id, raw = action_input.team_id, action_input.user_id, action_input.value
            if not raw.isdigit():
                return
            with deps.session_factory.begin() as session:
                result = goal_outcome(session, team_id, int(raw), user_id, outcome, deps.clock())
            if isinstance(result, Refusal):
                tell_clicker(client, action_input, result.message)
                return
            show_answer(client, action_input, goal_closed(outcome))
            publish_home(deps, client, team_id, user_id)

        return run

    app.action(ids.REMINDER_ACHIEVED)(close_from_reminder("achieved"))
    app.action(ids.REMINDER_DROP)(close_from_reminder("dropped"))

    @app.action(ids.REMINDER_EXTEND)
    def open_extend(ack: Ack, client: WebClient, action_input: ActionInput) -> None:
        ack()
        team_id, user_id, raw = action_input.team_id, action_input.user_id, action_input.value
        with deps.session_factory.begin() as session:
            edit = goal_edit_form(session, team_id, int(raw) if raw.isdigit() else 0, user_id, deps.clock())
        if isinstance(edit, Refusal):
            dm(client, user_id, edit.message)
            return
        view = extend_modal(edit.goal_id, edit.form.deadline, edit.today)
        client.views_open(trigger_id=action_input.trigger_id, view=view)

    @app.view(ids.EXTEND_MODAL)
    def submit_extend(ack: Ack, client: WebClient, submission: Submission) -> None:
        team_id, user_id = submission.team_id, submission.user_id
        raw_date = submission.state.date(ids.EXTEND_DEADLINE) or ""
        raw = submission.private_metadata
        try:
            deadline = date.fromisoformat(raw_date)
        except ValueError:
            ack(response_action="errors", errors={ids.EXTEND_DEADLINE: "Pick the new deadline."})
            return
        with deps.session_factory.begin() as session:
            result = (
                extend_deadline(session, team_id, int(raw), user_id, deadline, deps.clock())
                if raw.isdigit()
                else Refusal("That form is broken: open it again.")
            )
        if isinstance(result, Refusal):
            ack(response_action="errors", errors={ids.EXTEND_DEADLINE: result.message})
            return
        ack()
        publish_home(deps, client, team_id, user_id)

    @app.event("user_change")
    def user_changed(event: dict, context: dict, client: WebClient) -> None:
        user = event.get("user") or {}
        if not user.get("deleted") or not user.get("id"):
            return
        with deps.session_factory.begin() as session:
            now = deps.clock()
            gone = member_deactivated(
                session, context_tenant(context), user["id"], deps.settings.admin_user_ids, now
            )
            keys = post(session, context_tenant(context), deactivation_letters(gone, now), now)
        deps.send_now(client, keys)
