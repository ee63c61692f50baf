"""The `/mentor` slash command: routes subcommands and answers `help` and anything unknown."""

from __future__ import annotations

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import ids
from bot.commands import CommandInput, Subcommand
from bot.deps import Deps
from bot.inputs import ORG_WORLDS
from bot.views.help import help_message

HELP = Subcommand("help", "show this list of commands")


def register(app: App, deps: Deps) -> None:
    """Listen for `/mentor` and route each subcommand through `deps.commands`."""
    router = deps.commands

    def show_help(ack: Ack, respond: Respond, client: WebClient, request: CommandInput) -> None:
        ack(response_type="ephemeral", **help_message(router.subcommands))

    router.add(HELP, show_help)

    @app.command(ids.COMMAND)
    def mentor(ack: Ack, respond: Respond, client: WebClient, command: dict, context: dict) -> None:
        request = CommandInput.from_payload(command, org=bool(context.get(ORG_WORLDS)))
        handler = router.lookup(request.name or HELP.name)
        if handler is None:
            ack(response_type="ephemeral", **help_message(router.subcommands, unknown=request.name))
            return
        handler(ack=ack, respond=respond, client=client, request=request)
