"""Bolt listeners: thin functions that parse a payload, call `bot/`, render a view, answer Slack.

Each module exposes `register(app, deps)`; `register_all` wires every one of them.
"""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from bot.inputs import parse_inputs
from handlers import (
    agreements,
    checkins,
    cohorts,
    commands,
    connections,
    enrollment,
    errors,
    export,
    goals,
    health,
    home,
    insights,
    installs,
    meetings,
    pairing,
    programs,
    requests,
)


def register_all(app: App, deps: Deps) -> None:
    """Attach every listener module to `app`, after the middleware that parses typed inputs."""
    app.use(parse_inputs)
    for module in (
        errors,
        installs,
        commands,
        enrollment,
        pairing,
        agreements,
        goals,
        checkins,
        meetings,
        connections,
        health,
        programs,
        cohorts,
        requests,
        export,
        home,
        insights,
    ):
        module.register(app, deps)
