"""The `/mentor` subcommand table: parsing the text after the command and routing it.

Handler modules add their subcommands with `CommandRouter.add`; help is rendered from the same
table, so it lists exactly the subcommands that exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.inputs import tenant_of


@dataclass(frozen=True)
class Subcommand:
    """One `/mentor` subcommand as people see it in help."""

    name: str
    summary: str
    usage: str = ""
    admin_only: bool = False

    @property
    def example(self) -> str:
        """The subcommand as someone would type it, e.g. `/mentor pair @mentor @mentee`."""
        return f"/mentor {self.name} {self.usage}".rstrip()


@dataclass(frozen=True)
class CommandInput:
    """A parsed `/mentor ...` invocation."""

    team_id: str
    user_id: str
    channel_id: str
    name: str
    args: str
    trigger_id: str
    response_url: str

    @classmethod
    def from_payload(cls, command: dict[str, Any], *, org: bool = False) -> CommandInput:
        """Build from Bolt's `command` payload; the subcommand is the first word, case-folded.

        Slack sends what people typed with `&`, `<` and `>` as entities (mentions stay `<@U…>`);
        they are read back here, so "R&D" is "R&D" to search and store, and is escaped again only
        where Slack shows it.
        """
        name, args = split_subcommand(unescape_slack(command.get("text") or ""))
        return cls(
            team_id=tenant_of(
                command.get("team_id"),
                command.get("enterprise_id"),
                org and command.get("is_enterprise_install"),
            ),
            user_id=command.get("user_id") or "",
            channel_id=command.get("channel_id") or "",
            name=name,
            args=args,
            trigger_id=command.get("trigger_id") or "",
            response_url=command.get("response_url") or "",
        )


def unescape_slack(text: str) -> str:
    """Text as typed, from Slack's escaping of `&`, `<` and `>`."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def split_subcommand(text: str) -> tuple[str, str]:
    """Split `"Pair  <@U1> <@U2>"` into `("pair", "<@U1> <@U2>")`; empty text gives `("", "")`."""
    parts = text.strip().split(None, 1)
    if not parts:
        return "", ""
    return parts[0].casefold(), parts[1].strip() if len(parts) > 1 else ""


Handler = Callable[..., None]


class CommandRouter:
    """Maps subcommand names to listener functions, in the order they were added."""

    def __init__(self) -> None:
        self._routes: dict[str, tuple[Subcommand, Handler]] = {}

    def add(self, subcommand: Subcommand, handler: Handler) -> None:
        """Route `/mentor <subcommand.name>` to `handler`."""
        if subcommand.name in self._routes:
            raise ValueError(f"subcommand {subcommand.name!r} is registered twice")
        self._routes[subcommand.name] = (subcommand, handler)

    def lookup(self, name: str) -> Handler | None:
        """The handler for `name`, or None when no such subcommand exists."""
        route = self._routes.get(name)
        return route[1] if route else None

    @property
    def subcommands(self) -> list[Subcommand]:
        """Every registered subcommand, for help and App Home."""
        return [subcommand for subcommand, _ in self._routes.values()]
