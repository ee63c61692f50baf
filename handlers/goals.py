"""SMART goals in Slack: `/mentor goal`, `/mentor goals`, progress, closing and mentor feedback."""

from __future__ import annotations

import re
from collections.abc import Callable

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import ids
from bot.commands import CommandInput, Subcommand
from bot.deps import Deps
from bot.forms import FormState
from bot.goals import (
    GoalCard,
    NewGoal,
    close_goal,
    create_goal,
    edit_goal,
    give_feedback,
    goal_cards_for,
    goal_edit_form,
    member_goal_card,
    new_goal_form,
    pair_for_new_goal,
    parse_goal,
    person_today,
    submit_progress,
)
from bot.members import mentioned_user_ids
from bot.notify import dm
from bot.refusal import Refusal
from bot.views.common import escape_text
from bot.views.goals import (
    close_goal_modal,
    feedback_dm,
    goal_feedback_modal,
    goal_modal,
    goals_message,
    progress_modal,
)
from handlers.home import publish_home

GOAL = Subcommand("goal", "set a SMART goal with your mentor (mentees)", "[@mentor]")
GOALS = Subcommand("goals", "list your goals and how far along they are")


def _value(body: dict) -> int | None:
    raw = (body.get("actions") or [{}])[0].get("value") or ""
    return int(raw) if raw.isdigit() else None


def register(app: App, deps: Deps) -> None:
    """Route the goal subcommands, buttons and modals."""

    def today_for(session, team_id: str, user_id: str):
        return person_today(session, team_id, user_id, deps.clock())

    def new_goal(ack: Ack, respond: Respond, client: WebClient, request: CommandInput) -> None:
        ack()
        with deps.session_factory.begin() as session:
            found = pair_for_new_goal(
                session, request.team_id, request.user_id, mentioned_user_ids(request.args)
            )
            today = today_for(session, request.team_id, request.user_id)
        if isinstance(found, Refusal):
            respond(text=found.message, response_type="ephemeral")
            return
        pair_id, mentor = found
        client.views_open(trigger_id=request.trigger_id, view=goal_modal(pair_id, mentor, today))

    def list_goals(ack: Ack, respond: Respond, client: WebClient, request: CommandInput) -> None:
        with deps.session_factory.begin() as session:
            cards = goal_cards_for(session, request.team_id, request.user_id, deps.clock())
        ack(response_type="ephemeral", **goals_message(cards))

    deps.commands.add(GOAL, new_goal)
    deps.commands.add(GOALS, list_goals)

    @app.action(ids.GOAL_NEW)
    def new_goal_button(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        team_id, user_id, pair_id = body["team"]["id"], body["user"]["id"], _value(body)
        with deps.session_factory.begin() as session:
            mentor = new_goal_form(session, team_id, pair_id or 0, user_id)
            today = today_for(session, team_id, user_id)
        if isinstance(mentor, Refusal):
            dm(client, user_id, mentor.message)
            return
        client.views_open(trigger_id=body["trigger_id"], view=goal_modal(pair_id or 0, mentor, today))

    @app.action(ids.GOAL_EDIT_OPEN)
    def edit_goal_button(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        team_id, user_id = body["team"]["id"], body["user"]["id"]
        with deps.session_factory.begin() as session:
            edit = goal_edit_form(session, team_id, _value(body) or 0, user_id, deps.clock())
        if isinstance(edit, Refusal):
            dm(client, user_id, edit.message)
            return
        view = goal_modal(edit.pair_id, edit.mentor_user_id, edit.today, editing=(edit.goal_id, edit.form))
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.view(ids.GOAL_MODAL)
    def submit_goal(ack: Ack, body: dict, view: dict, client: WebClient) -> None:
        team_id, user_id = body["team"]["id"], body["user"]["id"]
        meta = ids.decode_goal_metadata(view.get("private_metadata"))
        editing = meta is not None and meta.goal_id is not None
        target = str((meta.goal_id if editing else meta.pair_id) if meta else "")
        now = deps.clock()
        with deps.session_factory.begin() as session:
            parsed = parse_goal(view["state"]["values"], today_for(session, team_id, user_id))
            if isinstance(parsed, dict):
                ack(response_action="errors", errors=parsed)
                return
            outcome: object
            if not target.isdigit():
                outcome = Refusal("That form is broken: open it again.")
            elif editing:
                outcome = edit_goal(session, team_id, int(target), user_id, parsed, now)
            else:
                outcome = create_goal(session, team_id, int(target), user_id, parsed, view.get("id", ""), now)
        if isinstance(outcome, Refusal):
            ack(response_action="errors", errors={ids.GOAL_SPECIFIC: outcome.message})
            return
        ack()
        if editing:
            refresh_pair_of_goal(client, team_id, user_id, int(target))
        elif isinstance(outcome, NewGoal):  # None: the same modal submitted twice, the goal exists
            dm(
                client,
                outcome.dm_channel_id or outcome.mentor_user_id,
                f"<@{user_id}> set a new goal: *{escape_text(parsed.specific)}* "
                f"(by {parsed.deadline:%d %b %Y}).",
            )
            publish_home(deps, client, team_id, user_id)
            publish_home(deps, client, team_id, outcome.mentor_user_id)

    def goal_form(build: Callable[[GoalCard], dict], allowed: Callable[[GoalCard], bool], refusal: str):
        def open_form(ack: Ack, body: dict, client: WebClient) -> None:
            ack()
            team_id, user_id, goal_id = body["team"]["id"], body["user"]["id"], _value(body)
            with deps.session_factory.begin() as session:
                card = member_goal_card(session, team_id, goal_id or 0, user_id, deps.clock())
            if isinstance(card, Refusal) or not allowed(card):
                dm(client, user_id, card.message if isinstance(card, Refusal) else refusal)
                return
            client.views_open(trigger_id=body["trigger_id"], view=build(card))

        return open_form

    # Check-in messages carry one progress button per goal, each with its own action id.
    app.action(re.compile(rf"^{ids.PROGRESS_OPEN}(_\d+)?$"))(
        goal_form(
            progress_modal,
            lambda c: c.is_owner and c.status == "active",
            "Progress is the mentee's to record.",
        )
    )
    app.action(ids.GOAL_CLOSE_OPEN)(
        goal_form(
            close_goal_modal, lambda c: c.is_owner and c.status == "active", "Only the mentee can close it."
        )
    )
    app.action(ids.GOAL_FEEDBACK_OPEN)(
        goal_form(goal_feedback_modal, lambda c: c.is_mentor, "Feedback on a goal comes from the mentor.")
    )

    def goal_id_of(view: dict) -> int:
        raw = view.get("private_metadata") or ""
        return int(raw) if raw.isdigit() else 0

    @app.view(ids.PROGRESS_MODAL)
    def submit_progress_form(ack: Ack, body: dict, view: dict, client: WebClient) -> None:
        team_id, user_id = body["team"]["id"], body["user"]["id"]
        with deps.session_factory.begin() as session:
            outcome = submit_progress(
                session, team_id, goal_id_of(view), user_id, view["state"]["values"], deps.clock()
            )
        if isinstance(outcome, dict):
            ack(response_action="errors", errors=outcome)
            return
        if isinstance(outcome, Refusal):
            ack(response_action="errors", errors={ids.PROGRESS_NOTE: outcome.message})
            return
        ack()
        refresh_pair_of_goal(client, team_id, user_id, goal_id_of(view))

    @app.view(ids.GOAL_CLOSE_MODAL)
    def submit_close(ack: Ack, body: dict, view: dict, client: WebClient) -> None:
        team_id, user_id = body["team"]["id"], body["user"]["id"]
        state = FormState(view["state"]["values"])
        outcome_choice = state.option(ids.GOAL_CLOSE_OUTCOME) or ""
        if outcome_choice not in ("achieved", "dropped"):
            ack(response_action="errors", errors={ids.GOAL_CLOSE_OUTCOME: "Choose achieved or dropped."})
            return
        note = state.text(ids.GOAL_CLOSE_NOTE) or None
        with deps.session_factory.begin() as session:
            outcome = close_goal(
                session, team_id, goal_id_of(view), user_id, outcome_choice, note, deps.clock()
            )
        if isinstance(outcome, Refusal):
            ack(response_action="errors", errors={ids.GOAL_CLOSE_OUTCOME: outcome.message})
            return
        ack()
        refresh_pair_of_goal(client, team_id, user_id, goal_id_of(view))

    @app.view(ids.GOAL_FEEDBACK_MODAL)
    def submit_goal_feedback(ack: Ack, body: dict, view: dict, client: WebClient) -> None:
        team_id, user_id = body["team"]["id"], body["user"]["id"]
        text = FormState(view["state"]["values"]).text(ids.GOAL_FEEDBACK_TEXT)
        if not 3 <= len(text) <= 2000:
            ack(
                response_action="errors",
                errors={ids.GOAL_FEEDBACK_TEXT: "Write your feedback (up to 2000 characters)."},
            )
            return
        now = deps.clock()
        with deps.session_factory.begin() as session:
            outcome = give_feedback(session, team_id, goal_id_of(view), user_id, text, now)
            card = None
            if not isinstance(outcome, Refusal):
                card = member_goal_card(session, team_id, goal_id_of(view), outcome[1], now)
        if isinstance(outcome, Refusal) or isinstance(card, Refusal) or card is None:
            message = outcome.message if isinstance(outcome, Refusal) else "That goal is gone."
            ack(response_action="errors", errors={ids.GOAL_FEEDBACK_TEXT: message})
            return
        ack()
        client.chat_postMessage(channel=outcome[1], **feedback_dm(user_id, card, text))

    def refresh_pair_of_goal(client: WebClient, team_id: str, user_id: str, goal_id: int) -> None:
        with deps.session_factory.begin() as session:
            card = member_goal_card(session, team_id, goal_id, user_id, deps.clock())
        publish_home(deps, client, team_id, user_id)
        if not isinstance(card, Refusal):
            publish_home(deps, client, team_id, card.partner_user_id)
