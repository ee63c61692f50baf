"""What listeners need from the outside world, handed to every `handlers.*.register(app, deps)`."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from slack_sdk import WebClient

from bot.clock import Clock, system_clock
from bot.commands import CommandRouter
from bot.config import Settings
from bot.delivery import deliver
from storage.db import SessionFactory


@dataclass(frozen=True)
class Deps:
    """Settings, the database and the clock, shared by all listeners of one app."""

    settings: Settings
    session_factory: SessionFactory
    clock: Clock = system_clock
    commands: CommandRouter = field(default_factory=CommandRouter)

    def send_now(self, client: WebClient, keys: Collection[str]) -> None:
        """Send the letters just queued under `keys` that may go now; the clock sends the rest."""
        deliver(self.session_factory, client, keys, self.clock, admins=self.settings.admin_user_ids)
