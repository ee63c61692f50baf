"""Answers to check-ins and goal reminders, and members whose Slack accounts are deactivated."""

from __future__ import annotations

import re
from datetime import date

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import ids
from bot.checkins import answer_checkin, goal_outcome
from bot.deps import Deps
from bot.forms import FormState
from bot.goals import extend_deadline, goal_edit_form
from bot.health import fit_check_due
from bot.notify import dm
from bot.pairing import member_deactivated
from bot.refusal import Refusal
from bot.views.checkins import answer_modal, answer_summary, extend_modal, met_summary
from bot.views.health import fit_question
from handlers.home import publish_home

MET = re.compile(rf"^{ids.CHECKIN_MET}_({'|'.join(ids.CHECKIN_MET_ANSWERS)})$")


def _value(body: dict) -> str:
    return (body.get("actions") or [{}])[0].get("value") or ""


def register(app: App, deps: Deps) -> None:
    """Listen for check-in buttons and modals, reminder buttons, and deactivations."""

    @app.action(MET)
    def met(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        team_id, user_id = body["team"]["id"], body["user"]["id"]
        decoded = ids.decode_checkin_met(_value(body))
        if decoded is None:
            return
        checkin_id, answer = decoded
        with deps.session_factory.begin() as session:
            outcome = answer_checkin(session, team_id, checkin_id, user_id, deps.clock(), met=answer)
        if isinstance(outcome, Refusal):
            dm(client, user_id, outcome.message)
            return
        dm(client, outcome.channel or outcome.partner_user_id, met_summary(user_id, answer))
        publish_home(deps, client, team_id, user_id)
        if answer == "yes":
            with deps.session_factory.begin() as session:
                ask = fit_check_due(session, team_id, outcome.pair_id, deps.clock())
            for member, partner in zip(ask, reversed(ask), strict=True):
                client.chat_postMessage(channel=member, **fit_question(outcome.pair_id, partner))

    @app.action(ids.CHECKIN_ANSWER_OPEN)
    def open_answer(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        raw = _value(body)
        if raw.isdigit():
            client.views_open(trigger_id=body["trigger_id"], view=answer_modal(int(raw)))

    @app.view(ids.CHECKIN_ANSWER_MODAL)
    def submit_answer(ack: Ack, body: dict, view: dict, client: WebClient) -> None:
        team_id, user_id = body["team"]["id"], body["user"]["id"]
        state = FormState(view["state"]["values"])
        learned, blocker = state.text(ids.CHECKIN_LEARNED) or None, state.text(ids.CHECKIN_BLOCKER) or None
        if not learned and not blocker:
            ack(
                response_action="errors",
                errors={ids.CHECKIN_LEARNED: "Share what you learned or what blocks you."},
            )
            return
        raw = view.get("private_metadata") or ""
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
        client.chat_postMessage(
            channel=outcome.channel or outcome.partner_user_id, **answer_summary(user_id, learned, blocker)
        )

    def close_from_reminder(outcome: str):
        def run(ack: Ack, body: dict, client: WebClient) -> None:
            ack()
            team_id, user_id, raw = body["team"]["id"], body["user"]["id"], _value(body)
            if not raw.isdigit():
                return
            with deps.session_factory.begin() as session:
                result = goal_outcome(session, team_id, int(raw), user_id, outcome, deps.clock())
            text = (
                result.message
                if isinstance(result, Refusal)
                else f"Goal marked {outcome}. Well done for closing it!"
            )
            dm(client, user_id, text)
            publish_home(deps, client, team_id, user_id)

        return run

    app.action(ids.REMINDER_ACHIEVED)(close_from_reminder("achieved"))
    app.action(ids.REMINDER_DROP)(close_from_reminder("dropped"))

    @app.action(ids.REMINDER_EXTEND)
    def open_extend(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        team_id, user_id, raw = body["team"]["id"], body["user"]["id"], _value(body)
        with deps.session_factory.begin() as session:
            edit = goal_edit_form(session, team_id, int(raw) if raw.isdigit() else 0, user_id, deps.clock())
        if isinstance(edit, Refusal):
            dm(client, user_id, edit.message)
            return
        client.views_open(
            trigger_id=body["trigger_id"], view=extend_modal(edit.goal_id, edit.form.deadline, edit.today)
        )

    @app.view(ids.EXTEND_MODAL)
    def submit_extend(ack: Ack, body: dict, view: dict, client: WebClient) -> None:
        team_id, user_id = body["team"]["id"], body["user"]["id"]
        raw_date = FormState(view["state"]["values"]).date(ids.EXTEND_DEADLINE) or ""
        raw = view.get("private_metadata") or ""
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
            gone = member_deactivated(
                session, context["team_id"], user["id"], deps.settings.admin_user_ids, deps.clock()
            )
        if not gone.paused:
            return
        pairs = ", ".join(f"<@{mentor}> → <@{mentee}>" for mentor, mentee in gone.paused)
        for admin in gone.admin_user_ids:
            dm(
                client,
                admin,
                f"<@{gone.user_id}>'s Slack account was deactivated; I paused their pairs ({pairs}).",
            )
