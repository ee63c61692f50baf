"""Small Block Kit helpers shared by the view modules, plus the limits they keep."""

from __future__ import annotations

from datetime import UTC, datetime

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock

from bot import ids

# Slack's documented Block Kit limits.
MAX_BLOCKS_MESSAGE = 50
MAX_BLOCKS_VIEW = 100
MAX_SECTION_TEXT = 3000
MAX_MESSAGE_TEXT = 4000


def mrkdwn(text: str) -> MarkdownTextObject:
    """A mrkdwn text object, cut to what a section may hold."""
    return MarkdownTextObject(text=clip(text, MAX_SECTION_TEXT))


def context(text: str) -> ContextBlock:
    """A small grey line of mrkdwn."""
    return ContextBlock(elements=[mrkdwn(text)])


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, with an ellipsis when something was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape_text(text: str) -> str:
    """Text a person wrote, with Slack's control characters `&`, `<`, `>` as entities.

    Slack parses `<!channel>`, `<!here>`, `<@U…>` and `<url|label>` in mrkdwn and message `text`;
    escaped, they show as typed and ping or link nobody. `&` goes first so entities are not doubled.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escaped(text: str, limit: int) -> str:
    """What a person typed, escaped for mrkdwn, then cut to `limit` characters between entities.

    Escaping first keeps the limit true of what Slack gets (an `&` becomes five characters).
    """
    out = escape_text(text)
    if len(out) <= limit:
        return out
    cut = out[: limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]  # never half an entity
    return cut + "…"


def plural(n: int, word: str, plural: str | None = None) -> str:
    """`n` with `word` in the right number: "1 active pair", "2 active pairs", "3 replies"."""
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def day_phrase(moment: datetime) -> str:
    """A date Slack shows in the reader's own time zone, e.g. "Dec 3, 2026"."""
    moment = _utc(moment)
    return f"<!date^{int(moment.timestamp())}^{{date_short}}|{moment:%Y-%m-%d}>"


def time_phrase(moment: datetime) -> str:
    """A date and time in the reader's own zone that reads in a sentence: "tomorrow at 08:00"."""
    moment = _utc(moment)
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} at {{time}}|{moment:%Y-%m-%d %H:%M} UTC>"


def user(user_id: str) -> str:
    """A mention that Slack renders as the person's name."""
    return f"<@{user_id}>"


def render(blocks: list[Block]) -> list[dict]:
    """Blocks as dicts; `to_dict()` checks the per-field limits slack_sdk knows."""
    return [block.to_dict() for block in blocks]


def answered(blocks: list[dict], text: str, answer: str) -> dict:
    """A message whose buttons gave way to the answer given: the answer stands where they were.

    `blocks` are the message's blocks as Slack sent them with the click; an earlier answer is
    replaced, so a repeated or changed click still leaves one answer.
    """
    kept: list[Block] = []
    placed = False
    for block in (Block.parse(raw) for raw in blocks):
        if block is None:
            continue
        if block.type == "actions" or block.block_id == ids.ANSWERED:
            if not placed:
                kept.append(SectionBlock(block_id=ids.ANSWERED, text=mrkdwn(answer)))
                placed = True
            continue
        kept.append(block)
    if not placed:
        kept.append(SectionBlock(block_id=ids.ANSWERED, text=mrkdwn(answer)))
    return {"text": text, "blocks": render(kept)}
