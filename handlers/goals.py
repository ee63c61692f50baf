"""SMART goals in Slack: `/mentor goal`, `/mentor goals`, progress, closing and mentor feedback."""

from __future__ import annotations

import re
from collections.abc import Callable

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import ids
from bot.checkins import open_checkin
from bot.commands import CommandInput, Subcommand
from bot.deps import Deps
from bot.goals import (
    GoalCard,
    GoalSubmission,
    close_goal,
    draft_form,
    form_values,
    give_feedback,
    goal_cards_for,
    goal_edit_form,
    keep_as_written,
    member_goal_card,
    new_goal_form,
    pair_for_new_goal,
    submit_goal,
    submit_progress,
)
from bot.inplace import update_message
from bot.inputs import ActionInput, Submission
from bot.members import mentioned_user_ids
from bot.notify import dm, feedback_letter
from bot.outbox import post
from bot.refusal import Refusal
from bot.views.checkins import checkin_message
from bot.views.goals import (
    close_goal_modal,
    goal_coaching_modal,
    goal_feedback_modal,
    goal_modal,
    goal_not_saved_modal,
    goals_message,
    progress_modal,
)
from handlers.home import publish_home

GOAL = Subcommand("goal", "set a SMART goal with your mentor (mentees)", "[@mentor]")
GOALS = Subcommand("goals", "list your goals and how far along they are")


def _number(raw: str) -> int | None:
    return int(raw) if raw.isdigit() else None


def register(app: App, deps: Deps) -> None:
    """Route the goal subcommands, buttons and modals."""

    def new_goal(ack: Ack, respond: Respond, client: WebClient, request: CommandInput) -> None:
        ack()
        with deps.session_factory.begin() as session:
            found = pair_for_new_goal(
                session, request.team_id, request.user_id, mentioned_user_ids(request.args)
            )
        if isinstance(found, Refusal):
            respond(text=found.message, response_type="ephemeral")
            return
        pair_id, mentor = found
        client.views_open(trigger_id=request.trigger_id, view=goal_modal(mentor, pair_id=pair_id))

    def list_goals(ack: Ack, respond: Respond, client: WebClient, request: CommandInput) -> None:
        with deps.session_factory.begin() as session:
            cards = goal_cards_for(session, request.team_id, request.user_id, deps.clock())
        ack(response_type="ephemeral", **goals_message(cards))

    deps.commands.add(GOAL, new_goal)
    deps.commands.add(GOALS, list_goals)

    @app.action(ids.GOAL_NEW)
    def new_goal_button(ack: Ack, client: WebClient, action_input: ActionInput) -> None:
        ack()
        team_id, user_id, pair_id = action_input.team_id, action_input.user_id, _number(action_input.value)
        with deps.session_factory.begin() as session:
            mentor = new_goal_form(session, team_id, pair_id or 0, user_id)
        if isinstance(mentor, Refusal):
            dm(client, user_id, mentor.message)
            return
        client.views_open(trigger_id=action_input.trigger_id, view=goal_modal(mentor, pair_id=pair_id or 0))

    @app.action(ids.GOAL_EDIT_OPEN)
    def edit_goal_button(ack: Ack, client: WebClient, action_input: ActionInput) -> None:
        ack()
        team_id, user_id, goal_id = action_input.team_id, action_input.user_id, _number(action_input.value)
        with deps.session_factory.begin() as session:
            edit = goal_edit_form(session, team_id, goal_id or 0, user_id, deps.clock())
        if isinstance(edit, Refusal):
            dm(client, user_id, edit.message)
            return
        view = goal_modal(edit.mentor_user_id, goal_id=edit.goal_id, initial=form_values(edit.form))
        client.views_open(trigger_id=action_input.trigger_id, view=view)

    def answer_submission(
        ack: Ack,
        client: WebClient,
        team_id: str,
        user_id: str,
        purpose: str,
        outcome: GoalSubmission | Refusal,
    ) -> None:
        """Answer a goal modal's submit, then tell the mentor and refresh Home."""
        if isinstance(outcome, Refusal):
            ack(response_action="errors", errors=outcome.errors())
            return
        if outcome.errors:
            ack(response_action="errors", errors=outcome.errors)
            return
        if outcome.coaching:
            coach = goal_coaching_modal(outcome.specific, outcome.coaching, purpose)
            ack(response_action="update", view=coach)
            return
        ack()
        if outcome.edited_goal_id is not None:
            refresh_pair_of_goal(client, team_id, user_id, outcome.edited_goal_id)
        elif outcome.created is not None:  # None: the same modal submitted twice, the goal exists
            created = outcome.created
            # No message of its own: the pair's open check-in lists it (or the first one will).
            show_in_checkin(client, team_id, created.goal_id)
            publish_home(deps, client, team_id, user_id)
            publish_home(deps, client, team_id, created.mentor_user_id)

    @app.view(ids.GOAL_MODAL)
    def submit_goal_form(ack: Ack, client: WebClient, submission: Submission) -> None:
        team_id, user_id = submission.team_id, submission.user_id
        purpose = submission.private_metadata
        with deps.session_factory.begin() as session:
            outcome = submit_goal(
                session, team_id, user_id, purpose, submission.values, submission.view_id, deps.clock()
            )
        answer_submission(ack, client, team_id, user_id, purpose, outcome)

    @app.view(ids.GOAL_COACH_MODAL)
    def keep_goal_as_written(ack: Ack, client: WebClient, submission: Submission) -> None:
        team_id, user_id = submission.team_id, submission.user_id
        with deps.session_factory.begin() as session:
            outcome = keep_as_written(session, team_id, user_id, submission.view_id, deps.clock())
        if isinstance(outcome, Refusal):
            ack(response_action="update", view=goal_not_saved_modal(outcome.message))
            return
        answer_submission(ack, client, team_id, user_id, submission.private_metadata, outcome)

    @app.action(ids.GOAL_COACH_EDIT)
    def edit_coached_goal(ack: Ack, client: WebClient, action_input: ActionInput) -> None:
        ack()
        team_id, user_id, view_id = action_input.team_id, action_input.user_id, action_input.view_id
        with deps.session_factory.begin() as session:
            spec = draft_form(session, team_id, user_id, view_id)
        if isinstance(spec, Refusal):
            client.views_update(view_id=view_id, view=goal_not_saved_modal(spec.message))
            return
        form = goal_modal(
            spec.mentor_user_id, pair_id=spec.pair_id, goal_id=spec.goal_id, initial=spec.initial
        )
        client.views_update(view_id=view_id, view=form)

    def goal_form(build: Callable[[GoalCard], dict], allowed: Callable[[GoalCard], bool], refusal: str):
        def open_form(ack: Ack, client: WebClient, action_input: ActionInput) -> None:
            ack()
            team_id, user_id = action_input.team_id, action_input.user_id
            goal_id = _number(action_input.value)
            with deps.session_factory.begin() as session:
                card = member_goal_card(session, team_id, goal_id or 0, user_id, deps.clock())
            if isinstance(card, Refusal) or not allowed(card):
                dm(client, user_id, card.message if isinstance(card, Refusal) else refusal)
                return
            client.views_open(trigger_id=action_input.trigger_id, view=build(card))

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

    def goal_id_of(submission: Submission) -> int:
        return _number(submission.private_metadata) or 0

    @app.view(ids.PROGRESS_MODAL)
    def submit_progress_form(ack: Ack, client: WebClient, submission: Submission) -> None:
        team_id, user_id = submission.team_id, submission.user_id
        with deps.session_factory.begin() as session:
            outcome = submit_progress(
                session, team_id, goal_id_of(submission), user_id, submission.values, deps.clock()
            )
        if isinstance(outcome, dict):
            ack(response_action="errors", errors=outcome)
            return
        if isinstance(outcome, Refusal):
            ack(response_action="errors", errors={ids.PROGRESS_NOTE: outcome.message})
            return
        ack()
        show_in_checkin(client, team_id, goal_id_of(submission))
        refresh_pair_of_goal(client, team_id, user_id, goal_id_of(submission))

    def show_in_checkin(client: WebClient, team_id: str, goal_id: int) -> None:
        """Show the goal as it now stands in the pair's open check-in, edited in place."""
        with deps.session_factory.begin() as session:
            shown = open_checkin(session, team_id, goal_id, deps.clock())
        if shown is not None and shown.at is not None:
            update_message(client, shown.at, checkin_message(shown.card))

    @app.view(ids.GOAL_CLOSE_MODAL)
    def submit_close(ack: Ack, client: WebClient, submission: Submission) -> None:
        team_id, user_id = submission.team_id, submission.user_id
        state = submission.state
        outcome_choice = state.option(ids.GOAL_CLOSE_OUTCOME) or ""
        if outcome_choice not in ("achieved", "dropped"):
            ack(response_action="errors", errors={ids.GOAL_CLOSE_OUTCOME: "Choose achieved or dropped."})
            return
        note = state.text(ids.GOAL_CLOSE_NOTE) or None
        with deps.session_factory.begin() as session:
            outcome = close_goal(
                session, team_id, goal_id_of(submission), user_id, outcome_choice, note, deps.clock()
            )
        if isinstance(outcome, Refusal):
            ack(response_action="errors", errors={ids.GOAL_CLOSE_OUTCOME: outcome.message})
            return
        ack()
        refresh_pair_of_goal(client, team_id, user_id, goal_id_of(submission))

    @app.view(ids.GOAL_FEEDBACK_MODAL)
    def submit_goal_feedback(ack: Ack, client: WebClient, submission: Submission) -> None:
        team_id, user_id = submission.team_id, submission.user_id
        text = submission.state.text(ids.GOAL_FEEDBACK_TEXT)
        if not 3 <= len(text) <= 2000:
            ack(
                response_action="errors",
                errors={ids.GOAL_FEEDBACK_TEXT: "Write your feedback (up to 2000 characters)."},
            )
            return
        now = deps.clock()
        with deps.session_factory.begin() as session:
            outcome = give_feedback(session, team_id, goal_id_of(submission), user_id, text, now)
            card = None
            if not isinstance(outcome, Refusal):
                card = member_goal_card(session, team_id, goal_id_of(submission), outcome[1], now)
            keys = (
                post(session, team_id, [feedback_letter(outcome[0], outcome[1], user_id, card)], now)
                if card is not None and not isinstance(outcome, Refusal) and not isinstance(card, Refusal)
                else []
            )
        if isinstance(outcome, Refusal) or isinstance(card, Refusal) or card is None:
            message = outcome.message if isinstance(outcome, Refusal) else "That goal is gone."
            ack(response_action="errors", errors={ids.GOAL_FEEDBACK_TEXT: message})
            return
        ack()
        deps.send_now(client, keys)

    def refresh_pair_of_goal(client: WebClient, team_id: str, user_id: str, goal_id: int) -> None:
        with deps.session_factory.begin() as session:
            card = member_goal_card(session, team_id, goal_id, user_id, deps.clock())
        publish_home(deps, client, team_id, user_id)
        if not isinstance(card, Refusal):
            publish_home(deps, client, team_id, card.partner_user_id)
