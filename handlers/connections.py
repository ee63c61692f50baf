"""`/mentor connect`, `/mentor find`, `/mentor introductions` and `/mentor forget-me`."""

from __future__ import annotations

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import ids
from bot.commands import CommandInput, Subcommand
from bot.connections import (
    ConnectTarget,
    connect_target,
    find_people,
    home_connect_target,
    parse_connect,
    record_introduction,
    set_introductions,
)
from bot.deps import Deps
from bot.inputs import ActionInput, Submission
from bot.members import fetch_member, mentioned_user_ids
from bot.notify import dm, forgotten_letters, introduction_letters
from bot.outbox import post
from bot.privacy import forget_me
from bot.refusal import Refusal
from bot.views.connections import connect_modal, forget_modal, found_message
from handlers.home import publish_home

CONNECT = Subcommand(
    "connect", "introduce your mentee to someone who can help (mentors)", "@person [@mentee]"
)
FIND = Subcommand("find", "find people in your programs who offer a skill", "<skill>")
INTRODUCTIONS = Subcommand("introductions", "let mentors find and introduce you, or not", "on|off")
FORGET = Subcommand("forget-me", "delete your profile and what you wrote; your pairs end")


def register(app: App, deps: Deps) -> None:
    """Route the connection and privacy subcommands and their modals."""

    def connect(ack: Ack, respond: Respond, client: WebClient, request: CommandInput) -> None:
        ack()
        mentions = mentioned_user_ids(request.args)
        if not mentions:
            respond(text="Mention who to introduce: `/mentor connect @person`.", response_type="ephemeral")
            return
        person = fetch_member(client, mentions[0])
        if person is None:
            respond(text="I could not find that person in this workspace.", response_type="ephemeral")
            return
        with deps.session_factory.begin() as session:
            target = connect_target(session, request.team_id, request.user_id, person, mentions[1:])
        if isinstance(target, Refusal):
            respond(text=target.message, response_type="ephemeral")
            return
        client.views_open(trigger_id=request.trigger_id, view=connect_modal(target))

    def find(ack: Ack, respond: Respond, client: WebClient, request: CommandInput) -> None:
        with deps.session_factory.begin() as session:
            found = find_people(session, request.team_id, request.user_id, request.args)
        if isinstance(found, Refusal):
            ack(response_type="ephemeral", text=found.message)
            return
        ack(response_type="ephemeral", **found_message(request.args, found))

    def introductions(ack: Ack, respond: Respond, client: WebClient, request: CommandInput) -> None:
        choice = request.args.strip().lower()
        if choice not in ("on", "off"):
            ack(
                response_type="ephemeral",
                text="Say `/mentor introductions on` or `/mentor introductions off`.",
            )
            return
        with deps.session_factory.begin() as session:
            set_introductions(session, request.team_id, request.user_id, choice == "on", deps.clock())
        ack(
            response_type="ephemeral",
            text="Mentors can now find and introduce you."
            if choice == "on"
            else "Done: you will not be suggested or introduced.",
        )

    def forget(ack: Ack, respond: Respond, client: WebClient, request: CommandInput) -> None:
        ack()
        client.views_open(trigger_id=request.trigger_id, view=forget_modal())

    deps.commands.add(CONNECT, connect)
    deps.commands.add(FIND, find)
    deps.commands.add(INTRODUCTIONS, introductions)
    deps.commands.add(FORGET, forget)

    @app.action(ids.HOME_CONNECT)
    def connect_from_home(ack: Ack, client: WebClient, action_input: ActionInput) -> None:
        ack()
        pair_id = ids.decode_number(action_input.value)
        with deps.session_factory.begin() as session:
            target = (
                home_connect_target(session, action_input.team_id, action_input.user_id, pair_id)
                if pair_id is not None
                else Refusal("That button is broken.")
            )
        if isinstance(target, Refusal):
            dm(client, action_input.user_id, target.message)
            return
        client.views_open(trigger_id=action_input.trigger_id, view=connect_modal(target))

    @app.view(ids.CONNECT_MODAL)
    def submit_connect(ack: Ack, client: WebClient, submission: Submission) -> None:
        parsed = parse_connect(submission.values)
        if isinstance(parsed, dict):
            ack(response_action="errors", errors=parsed)
            return
        meta = ids.decode_connect_metadata(submission.private_metadata)
        picked = submission.state.user(ids.CONNECT_PERSON)
        person_id = (meta.person_user_id if meta else None) or picked
        field = ids.CONNECT_REASON if meta and meta.person_user_id else ids.CONNECT_PERSON
        person = fetch_member(client, person_id) if person_id else None
        with deps.session_factory.begin() as session:
            target = (
                connect_target(session, submission.team_id, submission.user_id, person, [], meta.pair_id)
                if person and meta
                else Refusal("Choose whom to introduce.")
            )
        if isinstance(target, Refusal):
            ack(response_action="errors", errors={field: target.message})
            return
        ack()
        introduce(client, submission.team_id, target, parsed)

    def introduce(client: WebClient, team_id: str, target: ConnectTarget, form) -> None:
        now = deps.clock()
        with deps.session_factory.begin() as session:
            introduction = record_introduction(session, team_id, target, form, None, now)
            keys = post(session, team_id, introduction_letters(introduction.id, target, form), now)
        deps.send_now(client, keys)

    @app.view(ids.FORGET_MODAL)
    def submit_forget(ack: Ack, client: WebClient, submission: Submission) -> None:
        team_id, user_id = submission.team_id, submission.user_id
        now = deps.clock()
        with deps.session_factory.begin() as session:
            forgotten = forget_me(session, team_id, user_id, now)
            keys = post(session, team_id, forgotten_letters(forgotten, now) if forgotten else [], now)
        ack()
        deps.send_now(client, keys)
        for partner in forgotten.partner_user_ids if forgotten else ():
            publish_home(deps, client, team_id, partner)
        dm(client, user_id, "Done: mentorbot has forgotten your profile and what you wrote.")
        publish_home(deps, client, team_id, user_id)
