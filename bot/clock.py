"""Where mentorbot learns the time: domain code takes `now`; only entry points ask a clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The current instant, aware UTC."""
    return datetime.now(UTC)
