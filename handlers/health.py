"""Answers to the fit question, the drift question and pulses; admins' "End and re-pair" button."""

from __future__ import annotations

import re

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import ids
from bot.deps import Deps
from bot.health import answer_drift, answer_pulse, record_fit
from bot.inplace import show_answer, tell_clicker
from bot.inputs import ActionInput
from bot.members import fetch_member
from bot.notify import cancellation_letter, not_fit_letters, status_letters
from bot.outbox import post
from bot.pairing import repair_pair
from bot.refusal import Refusal
from bot.views.health import drift_answered, fit_answered, pulse_answered
from bot.views.pairing import REPAIR_NEXT_STEP, match_review_modal, notice_modal
from handlers.home import publish_home

FIT = re.compile(rf"^{ids.FIT_ANSWER}_({'|'.join(ids.FIT_ANSWERS)})$")
DRIFT = re.compile(rf"^{ids.DRIFT_ANSWER}_({'|'.join(ids.DRIFT_ANSWERS)})$")
PULSE = re.compile(rf"^{ids.PULSE_SCORE}_({'|'.join(map(str, ids.PULSE_SCORES))})$")


def register(app: App, deps: Deps) -> None:
    """Listen for the health questions' buttons."""

    @app.action(FIT)
    def fit(ack: Ack, client: WebClient, action_input: ActionInput) -> None:
        ack()
        team_id, user_id, raw = action_input.team_id, action_input.user_id, action_input.value
        answer = ids.decode_fit_answer(action_input.action_id)
        if answer is None or not raw.isdigit():
            return
        now = deps.clock()
        with deps.session_factory.begin() as session:
            outcome = record_fit(session, team_id, int(raw), user_id, answer, deps.settings, now)
            keys = (
                []
                if isinstance(outcome, Refusal)
                else post(
                    session,
                    team_id,
                    not_fit_letters(
                        outcome.pair_id, outcome.mentor_user_id, outcome.mentee_user_id, outcome.alert_admins
                    ),
                    now,
                )
            )
        if isinstance(outcome, Refusal):
            tell_clicker(client, action_input, outcome.message)
            return
        show_answer(client, action_input, fit_answered(answer))
        deps.send_now(client, keys)

    @app.action(DRIFT)
    def drift(ack: Ack, client: WebClient, action_input: ActionInput) -> None:
        ack()
        team_id, user_id, raw = action_input.team_id, action_input.user_id, action_input.value
        choice = ids.decode_drift_answer(action_input.action_id)
        if choice is None or not raw.isdigit():
            return
        now = deps.clock()
        with deps.session_factory.begin() as session:
            outcome = answer_drift(session, team_id, int(raw), user_id, choice, now)
            cancellation = None if isinstance(outcome, Refusal) else outcome.cancellation
            keys = post(session, team_id, [cancellation_letter(cancellation)] if cancellation else [], now)
        if isinstance(outcome, Refusal):
            tell_clicker(client, action_input, outcome.message)
            return
        # The question is in the pair's group DM: its answer there tells the partner too.
        show_answer(client, action_input, drift_answered(user_id, choice))
        for member in (outcome.mentor_user_id, outcome.mentee_user_id):
            publish_home(deps, client, team_id, member)
        deps.send_now(client, keys)

    @app.action(PULSE)
    def pulse(ack: Ack, client: WebClient, action_input: ActionInput) -> None:
        ack()
        team_id, user_id, raw = action_input.team_id, action_input.user_id, action_input.value
        score = ids.decode_pulse_score(action_input.action_id)
        if score is None or not raw.isdigit():
            return
        with deps.session_factory.begin() as session:
            outcome = answer_pulse(session, team_id, int(raw), user_id, score, None, deps.clock())
        if isinstance(outcome, Refusal):
            tell_clicker(client, action_input, outcome.message)
            return
        show_answer(client, action_input, pulse_answered(score))

    @app.action(ids.REPAIR)
    def repair(ack: Ack, client: WebClient, action_input: ActionInput) -> None:
        ack()
        team_id, user_id, raw = action_input.team_id, action_input.user_id, action_input.value
        caller = fetch_member(client, user_id)
        if caller is None or not raw.isdigit():
            return
        loading = notice_modal("Re-pair", "Ending the mentorship and finding a new mentor…")
        opened = client.views_open(trigger_id=action_input.trigger_id, view=loading)["view"]
        now = deps.clock()
        with deps.session_factory.begin() as session:
            outcome = repair_pair(session, team_id, int(raw), caller, deps.settings, now)
            ended = None if isinstance(outcome, Refusal) else outcome.ended
            letters = (
                [] if ended is None else status_letters(ended, now, {ended.mentee_user_id: REPAIR_NEXT_STEP})
            )
            keys = post(session, team_id, letters, now)
        if isinstance(outcome, Refusal):
            view = notice_modal("Re-pair", outcome.message)
        else:
            view = match_review_modal(
                outcome.run_id, outcome.program_name, outcome.proposals, outcome.unmatched
            )
        client.views_update(view_id=opened["id"], hash=opened.get("hash"), view=view)
        if ended is None:
            return
        deps.send_now(client, keys)
        for member in (ended.mentor_user_id, ended.mentee_user_id):
            publish_home(deps, client, team_id, member)
