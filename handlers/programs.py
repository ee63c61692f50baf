"""`/mentor config` and `/mentor list`: program settings and the admin's overview."""

from __future__ import annotations

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import ids
from bot.commands import CommandInput, Subcommand
from bot.deps import Deps
from bot.inputs import ActionInput, Submission
from bot.members import fetch_member
from bot.pairing import program_lists
from bot.programs import (
    admin_program,
    administered_program,
    parse_program_form,
    program_settings,
    save_program,
    start_program,
)
from bot.refusal import Refusal
from bot.requests import requests_line
from bot.views.join import program_modal
from bot.views.pairing import list_modal
from handlers.admin import program_for_admin

CONFIG = Subcommand(
    "config", "change a program's settings, or start one with `new <name>`", "[program | new <name>]", True
)
LIST = Subcommand("list", "see mentors with room, unpaired mentees and pairs", "[program]", admin_only=True)


def register(app: App, deps: Deps) -> None:
    """Route `/mentor config` and `/mentor list`, the settings modal and list paging."""

    def config(ack: Ack, respond: Respond, client: WebClient, request: CommandInput) -> None:
        ack()
        caller = fetch_member(client, request.user_id)
        if caller is None:
            return
        words = request.args.split(None, 1)
        creating = bool(words) and words[0].lower() == "new"
        now = deps.clock()
        with deps.session_factory.begin() as session:
            if creating:
                name = " ".join((words[1] if len(words) > 1 else "").split())
                program = start_program(session, request.team_id, name, caller, deps.settings, now)
            else:
                program = admin_program(
                    session,
                    request.team_id,
                    caller,
                    request.args,
                    deps.settings,
                    now,
                    doing="change its settings",
                )
            if isinstance(program, Refusal):
                respond(text=program.message, response_type="ephemeral")
                return
            view = program_modal(program_settings(program))
        client.views_open(trigger_id=request.trigger_id, view=view)

    def show_list(ack: Ack, respond: Respond, client: WebClient, request: CommandInput) -> None:
        ack()
        found = program_for_admin(deps, client, respond, request, doing="see its lists")
        if found is None:
            return
        with deps.session_factory.begin() as session:
            view = list_modal(
                program_lists(session, found[1]), 0, found[1].id, requests_line(session, found[1])
            )
        client.views_open(trigger_id=request.trigger_id, view=view)

    deps.commands.add(CONFIG, config)
    deps.commands.add(LIST, show_list)

    @app.view(ids.CONFIG_MODAL)
    def submit_config(ack: Ack, client: WebClient, submission: Submission) -> None:
        team_id, user_id = submission.team_id, submission.user_id
        parsed = parse_program_form(submission.values)
        if isinstance(parsed, dict):
            ack(response_action="errors", errors=parsed)
            return
        caller = fetch_member(client, user_id)
        raw_id = submission.private_metadata
        with deps.session_factory.begin() as session:
            program = administered_program(session, team_id, raw_id, caller, deps.settings)
            if program is None:
                ack(response_action="errors", errors={ids.CONFIG_NAME: "Only program admins can change it."})
                return
            errors = save_program(session, program, parsed, caller, deps.clock())
        if errors:
            ack(response_action="errors", errors=errors)
        else:
            ack()

    @app.action(ids.LIST_NEXT)
    @app.action(ids.LIST_PREVIOUS)
    def turn_page(ack: Ack, client: WebClient, action_input: ActionInput) -> None:
        ack()
        team_id, user_id, raw_page = action_input.team_id, action_input.user_id, action_input.value
        page = int(raw_page) if raw_page.isdigit() else 0
        raw_id = action_input.private_metadata
        caller = fetch_member(client, user_id)
        with deps.session_factory.begin() as session:
            program = administered_program(session, team_id, raw_id, caller, deps.settings)
            if program is None:
                return
            updated = list_modal(
                program_lists(session, program), page, program.id, requests_line(session, program)
            )
        client.views_update(view_id=action_input.view_id, hash=action_input.view_hash or None, view=updated)
