"""The one way a domain function says no: a `Refusal` with words for the person who asked.

Functions in bot/ return a `Refusal` instead of raising for expected outcomes, and change nothing
when they do. Handlers turn it into an ephemeral message, or a field error when `field` names the
input block that was wrong.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Refusal:
    """Why an action was not taken, in words for the person who asked; `field` is a block id."""

    message: str
    field: str | None = None

    def errors(self) -> dict[str, str]:
        """The modal field errors for `ack(response_action="errors", ...)`."""
        return {self.field: self.message} if self.field else {}
