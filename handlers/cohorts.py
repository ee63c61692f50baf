"""Cohorts: `/mentor cohort`, the cohort form, Join, the start's review, the midpoint check,
graduation's goals and survey, and the choice at the end."""

from __future__ import annotations

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import ids
from bot.cohorts import (
    Joined,
    NeedsProfile,
    answer_closing,
    answer_midpoint,
    choose_after,
    cohort_lines,
    cohort_pair,
    cohort_to_add,
    cohort_to_change,
    goals_to_rate,
    join_cohort,
    match_cohort,
    parse_closing,
    parse_cohort_form,
    parse_goal_ratings,
    parse_midpoint,
    rate_goals,
    save_cohort,
)
from bot.commands import CommandInput, Subcommand
from bot.deps import Deps
from bot.enrollment import join_form_data
from bot.inplace import tell_clicker, update_message
from bot.inputs import ActionInput, MessageAt, Submission
from bot.members import fetch_member
from bot.outbox import post
from bot.programs import administered_program
from bot.refusal import Refusal
from bot.views import cohorts as views
from bot.views.join import join_modal
from bot.views.pairing import FINDING, match_review_modal, notice_modal
from bot.zones import local_today
from handlers.admin import program_for_admin
from handlers.home import publish_home

COHORT = Subcommand(
    "cohort", "run a program in cohorts: see, add or change them", "[program]", admin_only=True
)


def _message_at(raw_metadata: str) -> tuple[int, MessageAt | None] | None:
    decoded = ids.decode_pair_message(raw_metadata)
    if decoded is None:
        return None
    pair_id, channel, ts = decoded
    return pair_id, MessageAt(channel, ts) if channel and ts else None


def _look_back(state: views.GraduationState) -> dict:
    return views.completion_message(state) if state.completed else views.graduation_message(state)


def register(app: App, deps: Deps) -> None:
    """Route `/mentor cohort` and every cohort button and form."""

    def cohorts(ack: Ack, respond: Respond, client: WebClient, request: CommandInput) -> None:
        ack()
        found = program_for_admin(deps, client, respond, request, doing="run it in cohorts")
        if found is None:
            return
        program = found[1]
        with deps.session_factory.begin() as session:
            message = views.cohorts_message(
                program.id, program.name, cohort_lines(session, program, deps.clock())
            )
        respond(response_type="ephemeral", **message)

    deps.commands.add(COHORT, cohorts)

    @app.action(ids.COHORT_NEW)
    @app.action(ids.COHORT_EDIT)
    def open_form(ack: Ack, client: WebClient, action_input: ActionInput) -> None:
        ack()
        caller = fetch_member(client, action_input.user_id)
        number = ids.decode_number(action_input.value)
        if caller is None or number is None:
            return
        with deps.session_factory.begin() as session:
            opened = cohort_to_add if action_input.action_id == ids.COHORT_NEW else cohort_to_change
            data = opened(session, action_input.team_id, number, caller, deps.settings)
        if isinstance(data, Refusal):
            tell_clicker(client, action_input, data.message)
            return
        client.views_open(trigger_id=action_input.trigger_id, view=views.cohort_modal(data))

    @app.view(ids.COHORT_MODAL)
    def submit_form(ack: Ack, client: WebClient, submission: Submission) -> None:
        meta = ids.decode_cohort_metadata(submission.private_metadata)
        caller = fetch_member(client, submission.user_id)
        now = deps.clock()
        if meta is None or caller is None:
            ack(response_action="errors", errors={ids.COHORT_NAME: views.OUT_OF_DATE})
            return
        parsed = parse_cohort_form(submission.values, local_today(caller.tz, now), new=meta[1] is None)
        if isinstance(parsed, dict):
            ack(response_action="errors", errors=parsed)
            return
        with deps.session_factory.begin() as session:
            program = administered_program(session, submission.team_id, str(meta[0]), caller, deps.settings)
            saved = (
                save_cohort(session, program, meta[1], parsed, caller, now)
                if program is not None
                else {ids.COHORT_NAME: views.ONLY_ADMINS}
            )
        if isinstance(saved, dict):
            ack(response_action="errors", errors=saved)
            return
        ack()
        deps.send_now(client, saved.keys)

    @app.action(ids.COHORT_JOIN)
    def join(ack: Ack, client: WebClient, action_input: ActionInput) -> None:
        ack()
        member = fetch_member(client, action_input.user_id)
        number = ids.decode_number(action_input.value)
        if member is None or number is None:
            return
        if not member.can_take_part:
            tell_clicker(client, action_input, views.ONLY_ACTIVE)
            return
        now = deps.clock()
        with deps.session_factory.begin() as session:
            outcome = join_cohort(session, action_input.team_id, number, member, now)
            form = (
                join_form_data(session, action_input.team_id, member, outcome.program_name, now)
                if isinstance(outcome, NeedsProfile)
                else None
            )
        if isinstance(outcome, Refusal):
            tell_clicker(client, action_input, outcome.message)
        elif isinstance(outcome, Joined):
            text = views.joined_text(
                outcome.cohort_name, outcome.program_name, outcome.starts_on, already=outcome.already
            )
            tell_clicker(client, action_input, text)
            publish_home(deps, client, action_input.team_id, member.user_id, member)
        elif form is not None and not isinstance(form, Refusal):
            # No profile yet: the sign-up form, for this program; signing up joins the open cohort.
            view = join_modal(
                form.programs, form.program_id, form.defaults, editing=form.editing, cohort=outcome.cohort_id
            )
            client.views_open(trigger_id=action_input.trigger_id, view=view)

    @app.action(ids.COHORT_MATCH)
    def review(ack: Ack, client: WebClient, action_input: ActionInput) -> None:
        ack()
        caller = fetch_member(client, action_input.user_id)
        number = ids.decode_number(action_input.value)
        if caller is None or number is None:
            return
        loading = notice_modal("Proposed pairs", FINDING)
        opened = client.views_open(trigger_id=action_input.trigger_id, view=loading)
        with deps.session_factory.begin() as session:
            found = match_cohort(session, action_input.team_id, number, caller, deps.settings, deps.clock())
        view = (
            notice_modal("Proposed pairs", found.message)
            if isinstance(found, Refusal)
            else match_review_modal(found.run_id, found.program_name, found.lines, found.unmatched)
        )
        client.views_update(view_id=opened["view"]["id"], hash=opened["view"].get("hash"), view=view)

    @app.action(ids.MIDPOINT_OPEN)
    @app.action(ids.CLOSING_OPEN)
    def open_question(ack: Ack, client: WebClient, action_input: ActionInput) -> None:
        ack()
        pair_id = ids.decode_number(action_input.value)
        if pair_id is None:
            return
        with deps.session_factory.begin() as session:
            found = cohort_pair(session, action_input.team_id, pair_id, action_input.user_id)
        if isinstance(found, Refusal):
            tell_clicker(client, action_input, found.message)
            return
        at = action_input.message
        channel, ts = (at.channel, at.ts) if at is not None else (None, None)
        make = views.midpoint_modal if action_input.action_id == ids.MIDPOINT_OPEN else views.closing_modal
        client.views_open(
            trigger_id=action_input.trigger_id, view=make(pair_id, found.partner_name, channel, ts)
        )

    @app.view(ids.MIDPOINT_MODAL)
    def submit_midpoint(ack: Ack, client: WebClient, submission: Submission) -> None:
        target = _message_at(submission.private_metadata)
        parsed = parse_midpoint(submission.values)
        if isinstance(parsed, dict):
            ack(response_action="errors", errors=parsed)
            return
        if target is None:
            ack(response_action="errors", errors={ids.MIDPOINT_RATING: views.OUT_OF_DATE})
            return
        now = deps.clock()
        with deps.session_factory.begin() as session:
            outcome = answer_midpoint(
                session,
                submission.team_id,
                target[0],
                submission.user_id,
                parsed,
                now,
                deps.settings.admin_user_ids,
                target[1],
            )
            keys = (
                []
                if isinstance(outcome, Refusal)
                else post(session, submission.team_id, outcome.letters, now)
            )
        if isinstance(outcome, Refusal):
            ack(response_action="errors", errors={ids.MIDPOINT_RATING: outcome.message})
            return
        ack()
        if outcome.at is not None:
            update_message(client, outcome.at, outcome.message)
        deps.send_now(client, keys)

    @app.action(ids.GRADUATION_GOALS_OPEN)
    def open_goals(ack: Ack, client: WebClient, action_input: ActionInput) -> None:
        ack()
        pair_id = ids.decode_number(action_input.value)
        if pair_id is None:
            return
        with deps.session_factory.begin() as session:
            goals = goals_to_rate(session, action_input.team_id, pair_id, action_input.user_id)
        if isinstance(goals, Refusal):
            tell_clicker(client, action_input, goals.message)
            return
        at = action_input.message
        channel, ts = (at.channel, at.ts) if at is not None else (None, None)
        client.views_open(trigger_id=action_input.trigger_id, view=views.goals_modal(goals, channel, ts))

    @app.view(ids.GRADUATION_GOALS_MODAL)
    def submit_goals(ack: Ack, client: WebClient, submission: Submission) -> None:
        target = _message_at(submission.private_metadata)
        ratings = parse_goal_ratings(submission.values)
        first = next(iter(submission.values), ids.GOAL_RATING)
        if target is None:
            ack(response_action="errors", errors={first: views.OUT_OF_DATE})
            return
        with deps.session_factory.begin() as session:
            looked = rate_goals(
                session, submission.team_id, target[0], submission.user_id, ratings, deps.clock(), target[1]
            )
        if isinstance(looked, Refusal):
            ack(response_action="errors", errors={first: looked.message})
            return
        ack()
        if looked.at is not None:
            update_message(client, looked.at, _look_back(looked.state))

    @app.view(ids.CLOSING_MODAL)
    def submit_closing(ack: Ack, client: WebClient, submission: Submission) -> None:
        target = _message_at(submission.private_metadata)
        parsed = parse_closing(submission.values)
        if isinstance(parsed, dict):
            ack(response_action="errors", errors=parsed)
            return
        if target is None:
            ack(response_action="errors", errors={ids.CLOSING_RATING: views.OUT_OF_DATE})
            return
        with deps.session_factory.begin() as session:
            looked = answer_closing(
                session, submission.team_id, target[0], submission.user_id, parsed, deps.clock(), target[1]
            )
        if isinstance(looked, Refusal):
            ack(response_action="errors", errors={ids.CLOSING_RATING: looked.message})
            return
        ack()
        if looked.at is not None:
            update_message(client, looked.at, _look_back(looked.state))

    @app.action(ids.AFTER_KEEP)
    @app.action(ids.AFTER_CLOSE)
    def choose(ack: Ack, client: WebClient, action_input: ActionInput) -> None:
        ack()
        pair_id = ids.decode_number(action_input.value)
        if pair_id is None:
            return
        choice = "keep" if action_input.action_id == ids.AFTER_KEEP else "close"
        now = deps.clock()
        with deps.session_factory.begin() as session:
            outcome = choose_after(session, action_input.team_id, pair_id, action_input.user_id, choice, now)
            keys = (
                []
                if isinstance(outcome, Refusal)
                else post(session, action_input.team_id, outcome.letters, now)
            )
        if isinstance(outcome, Refusal):
            tell_clicker(client, action_input, outcome.message)
            return
        if action_input.message is not None:
            update_message(client, action_input.message, views.completion_message(outcome.state))
        deps.send_now(client, keys)
