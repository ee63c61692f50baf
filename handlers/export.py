"""`/mentor export`: an admin gets the program's data as CSV files in a DM with mentorbot."""

from __future__ import annotations

import logging
from datetime import UTC

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.commands import CommandInput, Subcommand
from bot.deps import Deps
from bot.export import ExportFile, export_files, export_reply, gather_export
from handlers.admin import program_for_admin

log = logging.getLogger(__name__)

EXPORT = Subcommand(
    "export",
    "get the program's participants, pairs, check-ins, goals and outcomes as CSV files",
    "[program]",
    True,
)


def register(app: App, deps: Deps) -> None:
    """Route `/mentor export`."""

    def export(ack: Ack, respond: Respond, client: WebClient, request: CommandInput) -> None:
        ack()
        found = program_for_admin(deps, client, respond, request, doing="export its data")
        if found is None:
            return
        now = deps.clock()
        with deps.session_factory.begin() as session:
            data = gather_export(session, found[1], now)
        files = export_files(data, now.astimezone(UTC).date())
        channel = client.conversations_open(users=request.user_id)["channel"]["id"]
        sent: list[ExportFile] = []
        failed: dict[str, str] = {}
        for file in files:
            try:
                client.files_upload_v2(
                    channel=channel, content=file.content, filename=file.filename, title=file.title
                )
                sent.append(file)
            except SlackApiError as error:
                failed[file.name] = str(error.response.get("error"))
                log.warning("export upload of %s failed: %s", file.filename, failed[file.name])
        respond(text=export_reply(data.program_name, sent, failed, data.free_text), response_type="ephemeral")

    deps.commands.add(EXPORT, export)
