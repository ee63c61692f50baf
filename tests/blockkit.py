"""Block Kit checks the way Slack applies them, for the fake Slack and for view tests.

slack_sdk's models check several field limits in `to_dict()` but not block counts, duplicate
block ids or modal-level rules; this module checks those too and returns readable problems.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MAX_BLOCKS = {"message": 50, "modal": 100, "home": 100}
KNOWN_TYPES = {
    "actions", "context", "divider", "file", "header", "image", "input", "rich_text", "section",
    "video", "markdown", "table",
}  # fmt: skip
TEXT_LIMITS = {"section": 3000, "header": 150}
MAX_ID = 255


def block_kit_problems(
    blocks: list[dict[str, Any]], *, surface: str, view: dict[str, Any] | None = None
) -> list[str]:
    """Everything Slack would refuse in `blocks` on `surface` ("message", "modal" or "home")."""
    problems: list[str] = []
    limit = MAX_BLOCKS.get(surface)
    if limit is None:
        return [f"unknown surface {surface!r}"]
    if len(blocks) > limit:
        problems.append(f"{len(blocks)} blocks, over the {surface} limit of {limit}")
    seen_ids: set[str] = set()
    for index, block in enumerate(blocks):
        where = f"block {index} ({block.get('type')})"
        problems += [f"{where}: {p}" for p in _block_problems(block)]
        block_id = block.get("block_id")
        if block_id is not None:
            if block_id in seen_ids:
                problems.append(f"{where}: duplicate block_id {block_id!r}")
            seen_ids.add(block_id)
    if view is not None:
        problems += _view_problems(view, blocks)
    return problems


def _block_problems(block: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    kind = block.get("type")
    if kind not in KNOWN_TYPES:
        return [f"unknown block type {kind!r}"]
    try:
        parsed = Block.parse(block)
        if parsed is None:
            return ["slack_sdk could not parse it"]
        parsed.to_dict()
    except (SlackObjectFormationError, KeyError, TypeError, ValueError) as error:
        problems.append(f"invalid: {error}")
    text = block.get("text")
    if isinstance(text, dict) and kind in TEXT_LIMITS and len(text.get("text", "")) > TEXT_LIMITS[kind]:
        problems.append(f"text over {TEXT_LIMITS[kind]} characters")
    if kind == "section" and not text and not block.get("fields"):
        problems.append("a section needs text or fields")
    if kind == "header" and (not isinstance(text, dict) or text.get("type") != "plain_text"):
        problems.append("a header needs plain_text")
    if kind == "context" and not 0 < len(block.get("elements", [])) <= 10:
        problems.append("a context holds 1 to 10 elements")
    if kind == "actions" and not 0 < len(block.get("elements", [])) <= 25:
        problems.append("an actions block holds 1 to 25 elements")
    for key in ("block_id",):
        if len(str(block.get(key, ""))) > MAX_ID:
            problems.append(f"{key} over {MAX_ID} characters")
    for element in _elements(block):
        if len(str(element.get("action_id", ""))) > MAX_ID:
            problems.append("action_id over 255 characters")
        if element.get("type") == "button" and len(element.get("text", {}).get("text", "")) > 75:
            problems.append("button text over 75 characters")
        if element.get("type") == "plain_text_input" and element.get("initial_value"):
            # Slack counts UTF-16 code units; an initial value over max_length (or 3000) is refused.
            length = len(element["initial_value"].encode("utf-16-le")) // 2
            if length > min(element.get("max_length") or 3000, 3000):
                problems.append(f"initial_value of {length} over max_length {element.get('max_length')}")
    return problems


def _elements(block: dict[str, Any]) -> list[dict[str, Any]]:
    elements = list(block.get("elements", []))
    if isinstance(block.get("accessory"), dict):
        elements.append(block["accessory"])
    if isinstance(block.get("element"), dict):
        elements.append(block["element"])
    return [e for e in elements if isinstance(e, dict)]


def _view_problems(view: dict[str, Any], blocks: list[dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    kind = view.get("type")
    if kind not in ("modal", "home"):
        return [f"view type {kind!r} is neither modal nor home"]
    if kind == "modal":
        for key in ("title", "submit", "close"):
            value = view.get(key)
            if value is None:
                if key == "title":
                    problems.append("a modal needs a title")
                continue
            if value.get("type") != "plain_text" or len(value.get("text", "")) > 24:
                problems.append(f"modal {key} must be plain_text of at most 24 characters")
        if any(b.get("type") == "input" for b in blocks) and view.get("submit") is None:
            problems.append("a modal with inputs needs a submit button")
    if len(view.get("private_metadata") or "") > 3000:
        problems.append("private_metadata over 3000 characters")
    if len(view.get("callback_id") or "") > MAX_ID:
        problems.append("callback_id over 255 characters")
    try:
        View(**{k: v for k, v in view.items() if k in _VIEW_FIELDS}).to_dict()
    except (SlackObjectFormationError, TypeError, ValueError) as error:
        problems.append(f"view invalid: {error}")
    return problems


_VIEW_FIELDS = {
    "type", "title", "blocks", "close", "submit", "private_metadata", "callback_id",
    "clear_on_close", "notify_on_close", "external_id", "submit_disabled",
}  # fmt: skip


def assert_valid_view(view: dict[str, Any]) -> None:
    """Fail with every problem listed when `view` is not valid Block Kit."""
    problems = block_kit_problems(view.get("blocks") or [], surface=view.get("type", "modal"), view=view)
    assert not problems, "invalid Block Kit:\n" + "\n".join(problems)


def assert_valid_message(blocks: list[dict[str, Any]]) -> None:
    """Fail with every problem listed when `blocks` are not a valid message."""
    problems = block_kit_problems(blocks, surface="message")
    assert not problems, "invalid Block Kit:\n" + "\n".join(problems)
