"""App Home: publishes each person's dashboard when they open the bot's Home tab."""

from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient

from bot.deps import Deps
from bot.home import load_home
from bot.views.home import home_view


def register(app: App, deps: Deps) -> None:
    """Publish the Home tab on `app_home_opened`."""

    @app.event("app_home_opened")
    def publish_home(event: dict, context: dict, client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        user_id = event["user"]
        with deps.session_factory.begin() as session:
            snapshot = load_home(session, context["team_id"], user_id)
        client.views_publish(user_id=user_id, view=home_view(snapshot, deps.commands.subcommands))
