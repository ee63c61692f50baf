"""What listeners need from the outside world, handed to every `handlers.*.register(app, deps)`."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.clock import Clock, system_clock
from bot.commands import CommandRouter
from bot.config import Settings
from storage.db import SessionFactory


@dataclass(frozen=True)
class Deps:
    """Settings, the database and the clock, shared by all listeners of one app."""

    settings: Settings
    session_factory: SessionFactory
    clock: Clock = system_clock
    commands: CommandRouter = field(default_factory=CommandRouter)
