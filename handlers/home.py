"""App Home: each person's dashboard, and the pair and profile buttons on it."""

from __future__ import annotations

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import ids
from bot.deps import Deps
from bot.enrollment import join_form_data
from bot.home import load_home
from bot.members import fetch_member
from bot.views.home import home_view
from bot.views.join import join_modal


def publish_home(deps: Deps, client: WebClient, team_id: str, user_id: str) -> None:
    """Render and publish the person's Home tab from what is stored now."""
    with deps.session_factory.begin() as session:
        snapshot = load_home(session, team_id, user_id, deps.clock())
    client.views_publish(user_id=user_id, view=home_view(snapshot, deps.commands.subcommands))


def register(app: App, deps: Deps) -> None:
    """Publish the Home tab on `app_home_opened`; open the profile form from its button."""

    @app.event("app_home_opened")
    def on_home_opened(event: dict, context: dict, client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        publish_home(deps, client, context["team_id"], event["user"])

    @app.action(ids.HOME_PROFILE)
    def open_profile(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        team_id, user_id = body["team"]["id"], body["user"]["id"]
        member = fetch_member(client, user_id)
        if member is None or not member.can_take_part:
            return
        with deps.session_factory.begin() as session:
            data = join_form_data(session, team_id, member, "", deps.clock())
        if isinstance(data, str):
            return
        view = join_modal(data.programs, data.program_id, data.defaults, editing=data.editing)
        client.views_open(trigger_id=body["trigger_id"], view=view)
