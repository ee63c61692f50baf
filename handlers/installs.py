"""Installation events: mentorbot removed from a workspace, tokens revoked, Grid workspaces granted."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from bot.inputs import context_tenant
from bot.workspaces import granted, removed, revoked


def register(app: App, deps: Deps) -> None:
    """Listen for app_uninstalled, tokens_revoked, team_access_granted and team_access_revoked."""

    @app.event("app_uninstalled")
    def uninstalled(context: dict) -> None:
        with deps.session_factory.begin() as session:
            removed(session, context_tenant(context), deps.clock())

    @app.event("tokens_revoked")
    def tokens_revoked(event: dict, context: dict) -> None:
        if not (event.get("tokens") or {}).get("bot"):
            return  # only people's own tokens, which mentorbot never asked for
        with deps.session_factory.begin() as session:
            removed(session, context_tenant(context), deps.clock())

    @app.event("team_access_granted")
    def access_granted(event: dict, context: dict) -> None:
        with deps.session_factory.begin() as session:
            granted(session, context_tenant(context), list(event.get("team_ids") or ()), deps.clock())

    @app.event("team_access_revoked")
    def access_revoked(event: dict, context: dict) -> None:
        with deps.session_factory.begin() as session:
            revoked(session, context_tenant(context), list(event.get("team_ids") or ()))
