"""The mentor's question bank: which open coaching questions a mentor gets before a pair's meeting.

This module owns the bank (bot/questions.toml, data a program admin can extend), its validation,
the situations a meeting is in, and the choice of 3 or 4 questions for one pair at one meeting. It
is pure: it reads no storage, no Slack and no clock; the caller says what the pair's state is, which
questions the pair got lately, and passes a seed (e.g. a hash of the pair's id and meeting number).

Questions follow the GROW coaching model (Goal, Reality, Options, Way forward) and each one asks,
none tells: it ends with "?", begins with an open interrogative and carries no advice phrasing.

How `choose` picks, for the situations that hold (see `situations`):

  eligible    every tag in a question's `when` holds, and any {goal} or {blocker} it quotes exists
  fresh       questions the pair got in its last four meetings (`recent`) are left out while
              anything else is eligible
  pressing    the situations are addressed in priority order, first > blocker > behind >
              near_deadline > achieved > missed > motivation and level, one question each while
              there is room; the first meeting gets half its questions (rounded up) tagged `first`.
              The most pressing situation, a blocker and a goal behind schedule are always
              addressed, with a recent question if the bank has no fresh one for them
  stages      the remaining room goes to GROW stages not yet covered, then to questions that add
              nothing already addressed, so one long-running situation does not use up its
              questions several at a time
  ties        broken by `random.Random(seed)`, so two pairs in the same state, and one pair's
              weeks, get different questions
"""

from __future__ import annotations

import functools
import math
import random
import re
import tomllib
from collections.abc import Collection
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

STAGES = ("goal", "reality", "options", "way_forward")
LEVELS = ("new", "developing", "experienced", "expert")  # the sign-up form's experience levels

FIRST = "first"
BLOCKER = "blocker"
BEHIND = "behind"
NEAR_DEADLINE = "near_deadline"
ACHIEVED = "achieved"
MISSED = "missed"
# Most pressing first. Levels and motivation themes come after these, at equal rank.
PRIORITY = (FIRST, BLOCKER, BEHIND, NEAR_DEADLINE, ACHIEVED, MISSED)
LEVEL_TAG = "level:"
MOTIVATION_TAG = "motivation:"
# Situations addressed whenever they hold, even by a question the pair got lately.
ALWAYS_ADDRESSED = frozenset({FIRST, BLOCKER, BEHIND})

OPEN_OPENERS = ("What", "How", "Which", "Where", "When", "Who", "Why")
ADVICE_PHRASES = (
    "you should",
    "you must",
    "try to",
    "make sure",
    "i suggest",
    "i recommend",
    # Advice dressed up as a question.
    "why not",
    "why don't you",
    "you need to",
    "you ought to",
)
GOAL_PLACEHOLDER = "goal"
BLOCKER_PLACEHOLDER = "blocker"
PLACEHOLDERS = (GOAL_PLACEHOLDER, BLOCKER_PLACEHOLDER)
QUOTED_LIMIT = 80  # characters of a goal or blocker quoted in a question, "…" included

_OPENER = re.compile(rf"^(?:(?:{'|'.join(OPEN_OPENERS)})\b|If )", re.IGNORECASE)
# Whole words only: "why not" is advice, "why nothing moved" is not.
_ADVICE = re.compile(rf"\b(?:{'|'.join(map(re.escape, ADVICE_PHRASES))})\b")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_QUESTION_KEYS = frozenset({"id", "stage", "text", "when"})
# Which goal a question quotes: the one its own tag is about, else the first of these that exists.
_GOAL_TAGS = (BEHIND, NEAR_DEADLINE, ACHIEVED)


@dataclass(frozen=True)
class Question:
    """One entry of the bank."""

    id: str
    stage: str  # one of STAGES
    text: str  # may quote {goal} or {blocker}
    when: tuple[str, ...]  # situation tags, all of which must hold; () fits any meeting


@dataclass(frozen=True)
class Bank:
    """The questions and the motivation themes they may be tagged with."""

    questions: tuple[Question, ...]
    motivations: dict[str, tuple[str, ...]]  # theme -> lowercase keywords


@dataclass(frozen=True)
class MeetingState:
    """What the choice follows: this pair at this meeting."""

    meeting_number: int  # 1 for the pair's first meeting
    behind: str | None = None  # the goal behind schedule (its text), if any
    near_deadline: str | None = None  # a goal due within 14 days (its text)
    achieved: str | None = None  # a goal achieved since the last meeting
    blocker: str | None = None  # reported at the last check-in
    missed_lately: int = 0  # meetings missed or skipped among the last three
    level: str | None = None  # "new" | "developing" | "experienced" | "expert" | None
    motivations: str = ""  # the mentee's own words

    def __post_init__(self) -> None:
        if isinstance(self.meeting_number, bool) or not isinstance(self.meeting_number, int):
            raise ValueError(f"meeting_number must be a whole number, not {self.meeting_number!r}")
        if self.meeting_number < 1:
            raise ValueError(f"meeting_number counts from 1, not {self.meeting_number}")
        if self.missed_lately < 0:
            raise ValueError(f"missed_lately cannot be negative, not {self.missed_lately}")
        if self.level is not None and self.level not in LEVELS:
            raise ValueError(f"level must be one of {', '.join(LEVELS)} or None, not {self.level!r}")


@dataclass(frozen=True)
class Chosen:
    """A question chosen for a meeting, its placeholders filled."""

    id: str
    stage: str
    text: str


def is_open_question(text: str) -> bool:
    """Whether `text` asks an open question: ends with "?", opens with What/How/.../If, gives no advice."""
    text = text.strip()
    if not text.endswith("?") or not _OPENER.match(text):
        return False
    lowered = text.casefold().replace("\u2019", "'")  # a typographic apostrophe would hide "don't"
    return not _ADVICE.search(lowered)


def load_bank(path: Path | None = None) -> Bank:
    """Read and check a bank; without `path`, the packaged bot/questions.toml."""
    if path is None:
        name = "bot/questions.toml"
        source = resources.files("bot").joinpath("questions.toml").read_text(encoding="utf-8")
    else:
        name = str(path)
        source = Path(path).read_text(encoding="utf-8")
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{name}: not valid TOML: {exc}") from None
    motivations = _motivations(data.get("motivations", {}), name)
    tags = known_tags(motivations)
    entries = data.get("question")
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{name}: no questions: the bank needs [[question]] entries")
    unknown = sorted(set(data) - {"motivations", "question"})
    if unknown:
        raise ValueError(f"{name}: unknown section {unknown[0]!r}: only [motivations] and [[question]]")
    questions: list[Question] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        question = _question(entry, name, number, tags)
        if question.id in seen:
            raise ValueError(f"{name}: question {question.id!r} appears twice: ids must be unique")
        seen.add(question.id)
        questions.append(question)
    return Bank(tuple(questions), motivations)


@functools.cache
def default_bank() -> Bank:
    """The packaged bank, read once."""
    return load_bank()


def known_tags(motivations: Collection[str]) -> frozenset[str]:
    """Every situation tag a question may carry, given the bank's motivation themes."""
    return frozenset(
        (*PRIORITY, *(LEVEL_TAG + level for level in LEVELS), *(MOTIVATION_TAG + t for t in motivations))
    )


def situations(state: MeetingState, bank: Bank) -> frozenset[str]:
    """The situation tags that hold for this pair at this meeting."""
    holding: set[str] = set()
    if state.meeting_number == 1:
        holding.add(FIRST)
    for tag, value in (
        (BLOCKER, state.blocker),
        (BEHIND, state.behind),
        (NEAR_DEADLINE, state.near_deadline),
        (ACHIEVED, state.achieved),
    ):
        if _given(value):
            holding.add(tag)
    if state.missed_lately > 0:
        holding.add(MISSED)
    if state.level is not None:
        holding.add(LEVEL_TAG + state.level)
    words = state.motivations.casefold()
    for theme, keywords in bank.motivations.items():
        if any(keyword in words for keyword in keywords):
            holding.add(MOTIVATION_TAG + theme)
    return frozenset(holding)


def choose(
    bank: Bank, state: MeetingState, recent: Collection[str], *, seed: int, count: int = 4
) -> list[Chosen]:
    """The questions for this meeting, ordered Goal, Reality, Options, Way forward."""
    if count < 1:
        raise ValueError(f"count must be at least 1, not {count}")
    holding = situations(state, bank)
    eligible = [q for q in bank.questions if set(q.when) <= holding and _quotable(q, state)]
    rng = random.Random(seed)
    draw = {q.id: rng.random() for q in eligible}
    left_out = set(recent)
    chosen: list[Question] = []

    def addressed() -> set[str]:
        return {tag for q in chosen for tag in q.when}

    def stages() -> set[str]:
        return {q.stage for q in chosen}

    def carrying(tag: str, *, fresh: bool) -> list[Question]:
        return [q for q in eligible if tag in q.when and q not in chosen and not (fresh and q.id in left_out)]

    def for_situation(q: Question) -> tuple[int, bool, float]:
        # One question that speaks to two open situations saves a slot for a GROW stage.
        return (-len(set(q.when) & (holding - addressed())), q.stage in stages(), draw[q.id])

    pressing = sorted(holding, key=_rank)
    must = ({pressing[0]} if pressing else set()) | (holding & ALWAYS_ADDRESSED)
    for tag in pressing:
        wanted = math.ceil(count / 2) if tag == FIRST else 1
        while len(chosen) < count and sum(tag in q.when for q in chosen) < wanted:
            pool = carrying(tag, fresh=True)
            if not pool and tag in must and tag not in addressed():
                pool = carrying(tag, fresh=False)
            if not pool:
                break
            chosen.append(min(pool, key=for_situation))

    def for_room(q: Question) -> tuple[bool, bool, bool, float]:
        repeats = bool(q.when) and set(q.when) <= addressed()
        off_first = FIRST in holding and FIRST not in q.when  # the first meeting stays on expectations
        return (q.stage in stages(), off_first, repeats, draw[q.id])

    while len(chosen) < count:
        rest = [q for q in eligible if q not in chosen]
        pool = [q for q in rest if q.id not in left_out] or rest
        if not pool:
            break
        chosen.append(min(pool, key=for_room))

    chosen.sort(key=lambda q: STAGES.index(q.stage))  # stable: within a stage, the order chosen
    return [Chosen(q.id, q.stage, _filled(q, state)) for q in chosen]


def _rank(tag: str) -> tuple[int, str]:
    """Where a situation stands in priority order; the name keeps equal ranks in a fixed order."""
    return (PRIORITY.index(tag) if tag in PRIORITY else len(PRIORITY), tag)


def _given(value: str | None) -> str | None:
    """The text, whitespace collapsed, or None when there is none."""
    if value is None:
        return None
    return " ".join(value.split()) or None


def _goal_of(question: Question, state: MeetingState) -> str | None:
    """The goal a question's {goal} quotes: the one its tag is about, else the first there is."""
    by_tag = {BEHIND: state.behind, NEAR_DEADLINE: state.near_deadline, ACHIEVED: state.achieved}
    own = [tag for tag in _GOAL_TAGS if tag in question.when]
    for tag in own or _GOAL_TAGS:
        if goal := _given(by_tag[tag]):
            return goal
    return None


def _values(question: Question, state: MeetingState) -> dict[str, str | None]:
    return {GOAL_PLACEHOLDER: _goal_of(question, state), BLOCKER_PLACEHOLDER: _given(state.blocker)}


def _quotable(question: Question, state: MeetingState) -> bool:
    """Whether every placeholder the question quotes has a value in this state."""
    values = _values(question, state)
    return all(values[name] for name in _PLACEHOLDER.findall(question.text))


def _filled(question: Question, state: MeetingState) -> str:
    """The question's text with its placeholders filled; eligibility made sure each has a value."""
    values = _values(question, state)
    # One pass, not str.format or a replace per name: braces in what the mentee typed stay as typed.
    return _PLACEHOLDER.sub(lambda match: _shortened(values[match.group(1)] or ""), question.text)


def _shortened(value: str) -> str:
    """A goal or blocker short enough to quote: at most QUOTED_LIMIT characters, cut with "…"."""
    value = value.rstrip(" .;:,")  # the question's own punctuation follows the quote
    if len(value) <= QUOTED_LIMIT:
        return value
    return value[: QUOTED_LIMIT - 1].rstrip() + "…"


def _motivations(table: Any, name: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(table, dict):
        raise ValueError(f"{name}: [motivations] must be a table of theme = [keywords]")
    themes: dict[str, tuple[str, ...]] = {}
    for theme, keywords in table.items():
        if not _SLUG.match(theme):
            raise ValueError(
                f"{name}: motivation theme {theme!r} must be a lowercase slug such as 'promotion'"
            )
        if (
            not isinstance(keywords, list)
            or not keywords
            or not all(isinstance(k, str) and k.strip() for k in keywords)
        ):
            raise ValueError(f"{name}: motivation theme {theme!r} needs a list of keywords (text)")
        themes[theme] = tuple(k.strip().casefold() for k in keywords)
    return themes


def _question(entry: Any, name: str, number: int, tags: frozenset[str]) -> Question:
    """The `number`-th [[question]] entry of file `name`, checked; errors name it by its id."""
    if not isinstance(entry, dict):
        raise ValueError(f"{name}: question #{number} must be a [[question]] table")
    qid = entry.get("id")
    if not isinstance(qid, str) or not _SLUG.match(qid):
        raise ValueError(
            f"{name}: question #{number}: id must be a short lowercase slug such as 'goal-this-hour', "
            f"not {qid!r}"
        )
    where = f"{name}: question {qid!r}"
    unknown = sorted(set(entry) - _QUESTION_KEYS)
    if unknown:
        raise ValueError(f"{where}: unknown key {unknown[0]!r}: a question has id, stage, text and when")
    stage = entry.get("stage")
    if stage not in STAGES:
        raise ValueError(f"{where}: stage must be one of {', '.join(STAGES)}, not {stage!r}")
    text = entry.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"{where}: text is missing")
    text = text.strip()
    if not is_open_question(text):
        raise ValueError(
            f"{where}: {text!r} is not an open question: it must end with '?', begin with "
            f"{', '.join(OPEN_OPENERS)} or 'If ', and give no advice"
        )
    for placeholder in _PLACEHOLDER.findall(text):
        if placeholder not in PLACEHOLDERS:
            raise ValueError(f"{where}: unknown placeholder {{{placeholder}}}: only {{goal}} and {{blocker}}")
    when = entry.get("when")
    if not isinstance(when, list) or not all(isinstance(tag, str) for tag in when):
        raise ValueError(f"{where}: when must be a list of situation tags ([] fits any meeting)")
    for tag in when:
        if tag not in tags:
            raise ValueError(f"{where}: unknown situation tag {tag!r}")
    if len(set(when)) != len(when):
        raise ValueError(f"{where}: a situation tag is listed twice in when")
    return Question(qid, stage, text, tuple(when))
