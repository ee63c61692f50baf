"""What every admin subcommand starts with: who is asking, and which program they administer."""

from __future__ import annotations

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.commands import CommandInput
from bot.deps import Deps
from bot.members import Member, fetch_member
from bot.programs import admin_program
from bot.refusal import Refusal
from storage.models import Program


def program_for_admin(
    deps: Deps, client: WebClient, respond: Respond, request: CommandInput, *, doing: str
) -> tuple[Member, Program] | None:
    """The caller and the program the command names, if they administer it; else tell them why not."""
    caller = fetch_member(client, request.user_id)
    if caller is None:
        respond(text="I could not look you up in Slack; try again in a moment.", response_type="ephemeral")
        return None
    with deps.session_factory.begin() as session:
        program = admin_program(
            session, request.team_id, caller, request.args, deps.settings, deps.clock(), doing=doing
        )
    if isinstance(program, Refusal):
        respond(text=program.message, response_type="ephemeral")
        return None
    return caller, program
