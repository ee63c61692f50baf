"""Reading modal state by block id, the field errors Slack shows under inputs, and text limits.

Every input block mentorbot renders holds exactly one element whose action_id is `ids.VALUE`,
so a field is addressed by its block id alone.

`MAX_LENGTH` is the one home of each text field's limit: the input's `max_length`, the check on
submit and the `initial_value` when the form opens again all read it, so text accepted once always
fits the form again. Lengths count UTF-16 code units, as Slack's limits do (an emoji counts two).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from bot import ids

FieldErrors = dict[str, str]

MAX_LENGTH: dict[str, int] = {
    ids.JOIN_SKILLS_OTHER: 600,
    ids.JOIN_GROWTH_OTHER: 600,
    ids.JOIN_MOTIVATIONS: 1000,
    ids.JOIN_BACKGROUND: 1000,
    ids.JOIN_TZ: 64,
    ids.CONFIG_NAME: 80,
    ids.CONFIG_SKILLS: 3000,
    ids.AGREE_TZ: 64,
    ids.AGREE_LOCATION: 500,
    ids.AGREE_EXPECTATIONS: 2000,
    ids.GOAL_SPECIFIC: 1000,
    ids.GOAL_TARGET: 20,
    ids.GOAL_UNIT: 60,
    ids.GOAL_START: 20,
    ids.GOAL_MILESTONES: 2010,  # ten milestones of 200, one per line
    ids.GOAL_ATTAINABLE: 1000,
    ids.GOAL_REALISTIC: 1000,
    ids.PROGRESS_VALUE: 20,
    ids.PREP_TOPICS: 1500,
    ids.PREP_QUESTIONS: 1500,
    ids.PREP_WENT_WELL: 1000,
    ids.PREP_HARD: 1000,
    ids.NOTES_SHARED: 2500,
    ids.NOTES_PRIVATE: 2500,
    ids.COHORT_NAME: 80,
    ids.ASK_NOTE: 500,
    ids.DECLINE_REASON: 500,
    ids.MIDPOINT_NOTE: 1000,
    ids.CLOSING_CHANGED: 1500,
    ids.ACTION_TEXT: 300,
}

# NUL and other control characters (tabs and line breaks aside), and halves of surrogate pairs:
# PostgreSQL refuses NUL in text, and nobody means to type any of them.
_UNTYPABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(text: str) -> str:
    """What a person typed, without control characters; emoji, right-to-left and joiners stay."""
    return _UNTYPABLE.sub("", text)


def slack_length(text: str) -> int:
    """The length Slack's limits count: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def too_long(block_id: str, text: str) -> str | None:
    """The field error when `text` is over the field's limit, else None."""
    limit = MAX_LENGTH[block_id]
    if slack_length(text) <= limit:
        return None
    return f"Keep it under {limit} characters ({slack_length(text)} now; an emoji counts as two)."


def fit(block_id: str, text: str | None) -> str | None:
    """`text` as a form's initial value: None when empty, cut to the field's limit if ever longer."""
    if not text:
        return None
    limit, used = MAX_LENGTH[block_id], 0
    for index, character in enumerate(text):
        used += 2 if ord(character) > 0xFFFF else 1
        if used > limit:
            return text[:index] or None
    return text


class FormState:
    """Typed access to a `view.state.values` payload."""

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values or {}

    def _element(self, block_id: str) -> dict[str, Any]:
        block = self._values.get(block_id) or {}
        return block.get(ids.VALUE) or next(iter(block.values()), {})

    def text(self, block_id: str) -> str:
        """A text input's value without control characters, stripped; empty when blank or absent."""
        value = self._element(block_id).get("value")
        return clean_text(value).strip() if isinstance(value, str) else ""

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


# Explicit directional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): an
# unclosed one flips or swallows whatever Slack shows after the text, and right-to-left scripts
# read correctly without them. Marks (LRM, RLM) and joiners (ZWJ, ZWNJ) stay: Persian words and
# emoji sequences need them.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_OTHER_BREAKS = re.compile("[\t\v\f\x85\u2028\u2029]")


def tidy(text: str, *, multiline: bool = True) -> str:
    """`clean_text`, without directional overrides, with one kind of line break (none on one line)."""
    text = _BIDI_CONTROLS.sub("", clean_text(text.replace("\r\n", "\n").replace("\r", "\n")))
    text = _OTHER_BREAKS.sub(" ", text)
    return (text if multiline else text.replace("\n", " ")).strip()


def cut_to(text: str, limit: int) -> str:
    """`text` cut to at most `limit` Slack characters, never inside a surrogate pair."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            return text[:index]
    return text


def text_size(text: str) -> int:
    """How much a text says, for minimum lengths in any script, not counting spaces.

    Counts user-perceived characters: combining marks, variation selectors and the parts of
    joined emoji count with the character before them, and a wide East Asian letter counts two,
    since one carries about as much as a short word does in English.
    """
    size = 0
    joined = False
    for char in text:
        category = unicodedata.category(char)
        if char == "\u200d":
            joined = True
            continue
        if joined or (category in ("Mn", "Me", "Cf", "Sk") and size) or char.isspace():
            joined = False
            continue
        wide = unicodedata.east_asian_width(char) in ("W", "F") and category.startswith("L")
        size += 2 if wide else 1
    return size
