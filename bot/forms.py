"""Reading modal state by block id, and the field errors Slack shows under inputs.

Every input block mentorbot renders holds exactly one element whose action_id is `ids.VALUE`,
so a field is addressed by its block id alone.
"""

from __future__ import annotations

from typing import Any

from bot import ids

FieldErrors = dict[str, str]


class FormState:
    """Typed access to a `view.state.values` payload."""

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values or {}

    def _element(self, block_id: str) -> dict[str, Any]:
        block = self._values.get(block_id) or {}
        return block.get(ids.VALUE) or next(iter(block.values()), {})

    def text(self, block_id: str) -> str:
        """A text input's value, stripped; empty when blank or absent."""
        return (self._element(block_id).get("value") or "").strip()

    def option(self, block_id: str) -> str | None:
        """A select's or radio group's chosen value."""
        selected = self._element(block_id).get("selected_option")
        return selected.get("value") if selected else None

    def options(self, block_id: str) -> list[str]:
        """A multi-select's or checkbox group's chosen values."""
        return [option["value"] for option in self._element(block_id).get("selected_options") or []]

    def conversation(self, block_id: str) -> str | None:
        """A conversation select's chosen channel id."""
        element = self._element(block_id)
        return element.get("selected_conversation") or element.get("selected_channel")

    def date(self, block_id: str) -> str | None:
        """A date picker's YYYY-MM-DD."""
        return self._element(block_id).get("selected_date")

    def time(self, block_id: str) -> str | None:
        """A time picker's HH:mm."""
        return self._element(block_id).get("selected_time")

    def user(self, block_id: str) -> str | None:
        """A single user select's chosen user id."""
        return self._element(block_id).get("selected_user")

    def users(self, block_id: str) -> list[str]:
        """A multi-user select's chosen user ids."""
        return list(self._element(block_id).get("selected_users") or [])


def split_list(text: str, *, limit: int, max_length: int) -> tuple[list[str], str | None]:
    """Split comma- or line-separated items, deduplicated case-insensitively; or an error message."""
    items: list[str] = []
    seen: set[str] = set()
    for raw in text.replace("\n", ",").split(","):
        item = " ".join(raw.split())
        if not item or item.casefold() in seen:
            continue
        if len(item) > max_length:
            return [], f"“{item[:20]}…” is too long: keep each item under {max_length} characters."
        seen.add(item.casefold())
        items.append(item)
    if len(items) > limit:
        return [], f"That is {len(items)} items; the most is {limit}."
    return items, None
