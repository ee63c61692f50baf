"""Mentees choose: `/mentor mentors`, the browsing modal, asking, and the mentor's and admins' answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import ids
from bot.commands import CommandInput, Subcommand
from bot.deps import Deps
from bot.forms import FormState, fit
from bot.inplace import show_answer, tell_clicker, update_message
from bot.inputs import ActionInput, MessageAt, Submission
from bot.members import fetch_member
from bot.outbox import post, post_new
from bot.refusal import Refusal
from bot.requests import (
    Answered,
    accept,
    approve,
    ask,
    browse,
    decline,
    mentor_to_ask,
    request_message_at,
    talk_first,
    withdraw,
)
from bot.views import requests as views
from handlers.home import publish_home

MENTORS = Subcommand("mentors", "browse mentors with room, best suited first, and ask one", "[skill]")


def register(app: App, deps: Deps) -> None:
    """Route `/mentor mentors`, the browsing modal, requests and their answers."""

    def open_browse(
        client: WebClient,
        team_id: str,
        user_id: str,
        trigger_id: str,
        program_id: int | None,
        skill: str | None,
    ) -> Refusal | None:
        with deps.session_factory.begin() as session:
            found = browse(session, team_id, user_id, program_id, skill, 0, deps.clock())
        if isinstance(found, Refusal):
            return found
        client.views_open(trigger_id=trigger_id, view=views.browse_modal(found))
        return None

    def mentors(ack: Ack, respond: Respond, client: WebClient, request: CommandInput) -> None:
        ack()
        refused = open_browse(
            client, request.team_id, request.user_id, request.trigger_id, None, request.args or None
        )
        if refused is not None:
            respond(text=refused.message, response_type="ephemeral")

    deps.commands.add(MENTORS, mentors)

    @app.action(ids.HOME_FIND_MENTOR)
    def find(ack: Ack, client: WebClient, action_input: ActionInput) -> None:
        ack()
        program_id = ids.decode_number(action_input.value)
        refused = open_browse(
            client, action_input.team_id, action_input.user_id, action_input.trigger_id, program_id, None
        )
        if refused is not None:
            tell_clicker(client, action_input, refused.message)

    @app.action(ids.BROWSE_SKILL)
    @app.action(ids.BROWSE_PAGE)
    def turn(ack: Ack, client: WebClient, action_input: ActionInput) -> None:
        ack()
        meta = ids.decode_browse_metadata(action_input.private_metadata)
        if meta is None:
            return
        program_id, skill = meta
        page = 0
        if action_input.action_id == ids.BROWSE_SKILL:
            skill = None if action_input.value == ids.ANY_SKILL else action_input.value or None
        else:
            page = ids.decode_number(action_input.value) or 0
        with deps.session_factory.begin() as session:
            found = browse(
                session, action_input.team_id, action_input.user_id, program_id, skill, page, deps.clock()
            )
        if isinstance(found, Refusal):
            return
        client.views_update(
            view_id=action_input.view_id, hash=action_input.view_hash or None, view=views.browse_modal(found)
        )

    @app.action(ids.BROWSE_ASK)
    def open_ask(ack: Ack, client: WebClient, action_input: ActionInput) -> None:
        ack()
        meta = ids.decode_browse_metadata(action_input.private_metadata)
        mentor_id = ids.decode_number(action_input.value)
        if meta is None or mentor_id is None:
            return
        with deps.session_factory.begin() as session:
            name = mentor_to_ask(
                session, action_input.team_id, meta[0], action_input.user_id, mentor_id, deps.clock()
            )
        if isinstance(name, Refusal):
            tell_clicker(client, action_input, name.message)
            return
        client.views_push(trigger_id=action_input.trigger_id, view=views.ask_modal(meta[0], mentor_id, name))

    @app.view(ids.ASK_MODAL)
    def submit_ask(ack: Ack, client: WebClient, submission: Submission) -> None:
        meta = ids.decode_ask_metadata(submission.private_metadata)
        if meta is None:
            ack(response_action="errors", errors={ids.ASK_NOTE: views.OUT_OF_DATE})
            return
        note = fit(ids.ASK_NOTE, FormState(submission.values).text(ids.ASK_NOTE))
        now = deps.clock()
        with deps.session_factory.begin() as session:
            asked = ask(session, submission.team_id, meta[0], submission.user_id, meta[1], note, now)
            keys = [] if isinstance(asked, Refusal) else post(session, submission.team_id, asked.letters, now)
        if isinstance(asked, Refusal):
            ack(response_action="errors", errors={ids.ASK_NOTE: asked.message})
            return
        ack(response_action="update", view=views.asked_modal(asked.mentor_user_id, asked.expires_at))
        deps.send_now(client, keys)
        publish_home(deps, client, submission.team_id, submission.user_id)

    def answered(client: WebClient, click: ActionInput, outcome: Answered | Refusal, keys: list[str]) -> None:
        """Show the answer where it was clicked, send what it queued, refresh the pair's Homes."""
        if isinstance(outcome, Refusal):
            tell_clicker(client, click, outcome.message)
            return
        if click.message is not None:
            update_message(client, click.message, outcome.message)
        deps.send_now(client, keys)
        for user_id in outcome.pair_user_ids:
            publish_home(deps, client, click.team_id, user_id)

    def decided(
        client: WebClient, action_input: ActionInput, decide: Callable
    ) -> tuple[Any, list[str]] | None:
        """Accept or approve the request a button names, its letters queued; None for a garbled click."""
        request_id, member = ids.decode_number(action_input.value), fetch_member(client, action_input.user_id)
        if request_id is None or member is None:
            return None
        now = deps.clock()
        with deps.session_factory.begin() as session:
            outcome = decide(session, action_input.team_id, request_id, member, deps.settings, now)
            letters = [] if isinstance(outcome, Refusal) else outcome.letters
            return outcome, post(session, action_input.team_id, letters, now)

    @app.action(ids.REQUEST_ACCEPT)
    def accept_request(ack: Ack, client: WebClient, action_input: ActionInput) -> None:
        ack()
        decision = decided(client, action_input, accept)
        if decision is not None:
            answered(client, action_input, *decision)

    @app.action(ids.REQUEST_APPROVE)
    def approve_request(ack: Ack, client: WebClient, action_input: ActionInput) -> None:
        ack()
        decision = decided(client, action_input, approve)
        if decision is None:
            return
        outcome, keys = decision
        if isinstance(outcome, Refusal):
            tell_clicker(client, action_input, outcome.message)
            return
        show_answer(client, action_input, views.APPROVED)
        deps.send_now(client, keys)
        for user_id in outcome.pair_user_ids:
            publish_home(deps, client, action_input.team_id, user_id)

    @app.action(ids.REQUEST_DECLINE)
    def open_decline(ack: Ack, client: WebClient, action_input: ActionInput) -> None:
        ack()
        request_id = ids.decode_number(action_input.value)
        if request_id is None:
            return
        at = action_input.message
        view = views.decline_modal(request_id, at.channel if at else None, at.ts if at else None)
        client.views_open(trigger_id=action_input.trigger_id, view=view)

    @app.view(ids.DECLINE_MODAL)
    def submit_decline(ack: Ack, client: WebClient, submission: Submission) -> None:
        meta = ids.decode_request_message(submission.private_metadata)
        member = fetch_member(client, submission.user_id)
        if meta is None or member is None:
            ack(response_action="errors", errors={ids.DECLINE_REASON: views.OUT_OF_DATE})
            return
        reason = fit(ids.DECLINE_REASON, FormState(submission.values).text(ids.DECLINE_REASON))
        now = deps.clock()
        given = MessageAt(meta[1], meta[2]) if meta[1] and meta[2] else None
        with deps.session_factory.begin() as session:
            outcome = decline(session, submission.team_id, meta[0], member, deps.settings, reason, now)
            keys = (
                []
                if isinstance(outcome, Refusal)
                else post(session, submission.team_id, outcome.letters, now)
            )
            at = request_message_at(session, meta[0], given)
        if isinstance(outcome, Refusal):
            ack(response_action="errors", errors={ids.DECLINE_REASON: outcome.message})
            return
        ack()
        if at is not None:
            update_message(client, at, outcome.message)
        deps.send_now(client, keys)

    @app.action(ids.REQUEST_TALK)
    def talk(ack: Ack, client: WebClient, action_input: ActionInput) -> None:
        ack()
        request_id = ids.decode_number(action_input.value)
        if request_id is None:
            return
        now = deps.clock()
        with deps.session_factory.begin() as session:
            letter = talk_first(session, action_input.team_id, request_id, action_input.user_id, now)
            fresh = not isinstance(letter, Refusal) and post_new(session, action_input.team_id, letter, now)
        if isinstance(letter, Refusal):
            tell_clicker(client, action_input, letter.message)
        elif not fresh:
            tell_clicker(client, action_input, views.TALKING_ALREADY)
        else:
            deps.send_now(client, [letter.key])

    @app.action(ids.REQUEST_WITHDRAW)
    def withdraw_request(ack: Ack, client: WebClient, action_input: ActionInput) -> None:
        ack()
        request_id = ids.decode_number(action_input.value)
        if request_id is None:
            return
        now = deps.clock()
        with deps.session_factory.begin() as session:
            letters = withdraw(session, action_input.team_id, request_id, action_input.user_id, now)
            keys = [] if isinstance(letters, Refusal) else post(session, action_input.team_id, letters, now)
        if isinstance(letters, Refusal):
            tell_clicker(client, action_input, letters.message)
            return
        deps.send_now(client, keys)
        publish_home(deps, client, action_input.team_id, action_input.user_id)
