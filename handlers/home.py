"""App Home: each person's dashboard, the pair and profile buttons on it, and DMs sent to the bot."""

from __future__ import annotations

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import ids
from bot.deps import Deps
from bot.enrollment import join_form_data
from bot.home import load_home
from bot.inbox import Inbox
from bot.inputs import ActionInput, context_tenant
from bot.insights import administered_programs
from bot.members import Member, fetch_member
from bot.refusal import Refusal
from bot.views.help import dm_pointer_message
from bot.views.home import home_view
from bot.views.join import join_modal


def publish_home(
    deps: Deps, client: WebClient, team_id: str, user_id: str, member: Member | None = None
) -> None:
    """Render and publish the person's Home tab from what is stored now.

    Admins get their programs' health on top. With `member` (from users.info) workspace admins
    count too; without it, MENTORBOT_ADMINS and each program's own admins.
    """
    now = deps.clock()
    with deps.session_factory.begin() as session:
        admin_of = administered_programs(session, team_id, user_id, deps.settings, member)
        snapshot = load_home(session, team_id, user_id, now, admin_of=admin_of)
    client.views_publish(user_id=user_id, view=home_view(snapshot, deps.commands.subcommands))


def member_or_none(client: WebClient, user_id: str) -> Member | None:
    """users.info for the Home tab's admin check; a Slack hiccup only costs the workspace-admin check."""
    try:
        return fetch_member(client, user_id)
    except SlackApiError:
        return None


def register(app: App, deps: Deps) -> None:
    """Publish the Home tab on `app_home_opened`; open the profile form from its button; answer DMs."""
    inbox = Inbox()

    @app.event("app_home_opened")
    def on_home_opened(event: dict, context: dict, client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        user_id = event["user"]
        publish_home(deps, client, context_tenant(context), user_id, member_or_none(client, user_id))

    @app.event("message")
    def on_message(event: dict, body: dict, context: dict, client: WebClient) -> None:
        if inbox.should_answer(body.get("event_id"), context_tenant(context), event, deps.clock()):
            client.chat_postMessage(channel=event["channel"], **dm_pointer_message())

    @app.action(ids.HOME_PROFILE)
    def open_profile(ack: Ack, client: WebClient, action_input: ActionInput) -> None:
        ack()
        team_id, user_id = action_input.team_id, action_input.user_id
        member = fetch_member(client, user_id)
        if member is None or not member.can_take_part:
            return
        with deps.session_factory.begin() as session:
            data = join_form_data(session, team_id, member, "", deps.clock())
        if isinstance(data, Refusal):
            return
        view = join_modal(data.programs, data.program_id, data.defaults, editing=data.editing)
        client.views_open(trigger_id=action_input.trigger_id, view=view)
