"""Matching: scores every mentor-mentee pair and picks the assignment with the highest total score.

This module is pure: it reads no storage, no Slack and no clock (the caller passes `now`, which
turns IANA zone names into today's UTC offsets, so daylight saving time is respected).

A pair's score is the sum of these parts, in points (computed as integer milli-points, so equal
pairs tie exactly and floating-point noise cannot decide between them):

  shared skills     3 per growth area of the mentee that is among the mentor's skills
  experience        2 when the mentor is 1-2 levels ahead; 1 when level with the mentee or 3+
                    ahead; 1 when either level is unknown (no reward for a fit we cannot see, and
                    no penalty either); a mentor less experienced than the mentee is not allowed
  time zones        2 at the same UTC offset, falling linearly to 0 at 12 h apart (the distance
                    is taken around the clock, so UTC+13 and UTC-10 are 1 h apart); 1, as if 6 h
                    apart, when either zone is unknown
  meeting formats   +1 when they share at least one format; -0.5 when both stated formats and
                    none is shared; 0 when either stated none
  mentor capacity   +0.25 per free slot the mentor has, counting at most 4 (up to +1)

A pair is not allowed when it is one person with themselves, when the mentor is less experienced
than the mentee, when the mentor has no free capacity, or (in `propose_matches`) when the two were
ever paired before. Pairs without any shared skill are allowed, because an admin reviews every
proposal, but they rank below nearly any pair that shares one.

`propose_matches` gives each mentor one column per free slot and solves a maximum-weight
assignment with `scipy.optimize.linear_sum_assignment`: the optimal total, not first-come greedy.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

import numpy as np
from scipy.optimize import linear_sum_assignment

from bot.zones import is_valid_zone, local_time

# Weights in milli-points (1000 = 1 point); see the module docstring for what each one rewards.
SHARED_SKILL = 3_000
EXPERIENCE_IDEAL = 2_000
EXPERIENCE_OKAY = 1_000
EXPERIENCE_UNKNOWN = 1_000
SAME_ZONE = 2_000
ZONE_UNKNOWN = 1_000
SHARED_FORMAT = 1_000
NO_SHARED_FORMAT = -500
FREE_SLOT = 250
MAX_COUNTED_SLOTS = 4

# Every allowed pair scores more than zero: the worst one shares no skill (0), has the lowest
# experience points (+1), is 12 h apart (0), stated disjoint formats (-0.5) and its mentor has one
# free slot (+0.25), which is +0.75. That matters twice: a zero in the score matrix can only mean
# "not allowed", and the maximum-weight assignment never prefers leaving a mentee unmatched over
# giving them an allowed mentor, because every allowed pair adds to the total.
LOWEST_ALLOWED_SCORE = (
    min(EXPERIENCE_IDEAL, EXPERIENCE_OKAY, EXPERIENCE_UNKNOWN) + min(0, NO_SHARED_FORMAT) + FREE_SLOT
)

MAX_REASON_LENGTH = 150
_HALF_DAY = 12 * 60  # minutes: the farthest apart two clocks can be
_FORMAT_NAMES = {"in_person": "in person"}


@dataclass(frozen=True)
class Candidate:
    """One person as matching sees them, as a mentor or as a mentee."""

    person_id: int
    user_id: str  # Slack id, for display only
    skills: frozenset[str]  # what a mentor offers, already case-folded by the caller
    growth_areas: frozenset[str]  # what a mentee wants to grow in, case-folded
    experience: int | None  # 0 = newest .. 3 = most experienced; None = not given
    tz: str | None  # IANA zone name, e.g. "Europe/Berlin"; None = unknown
    formats: frozenset[str]  # a subset of {"video", "in_person", "chat"}
    free_capacity: int = 0  # mentors only: how many more mentees they can take now


@dataclass(frozen=True)
class Proposal:
    """A proposed pair, with its score and a one-line reason for the admin who reviews it."""

    mentor_id: int
    mentee_id: int
    score: float
    reason: str


def score_pair(mentor: Candidate, mentee: Candidate, now: datetime) -> tuple[float, str] | None:
    """Score one pair and explain it in a line; None when the pair is not allowed."""
    _require_aware(now)
    if mentor.person_id == mentee.person_id or mentor.free_capacity <= 0:
        return None
    gap = _experience_gap(mentor, mentee)
    if gap is not None and gap < 0:
        return None
    skills = sorted(mentee.growth_areas & mentor.skills)
    apart = _minutes_apart(_offset_minutes(mentor.tz, now), _offset_minutes(mentee.tz, now))
    formats = sorted(mentor.formats & mentee.formats)
    both_stated = bool(mentor.formats) and bool(mentee.formats)
    milli = (
        SHARED_SKILL * len(skills)
        + _experience_points(gap)
        + _zone_points(apart)
        + _format_points(len(formats), both_stated)
        + _capacity_points(mentor.free_capacity)
    )
    return milli / 1000, _reason(skills, apart, formats, both_stated, gap)


def propose_matches(
    mentors: Sequence[Candidate],
    mentees: Sequence[Candidate],
    past_pairs: Collection[tuple[int, int]],
    now: datetime,
) -> list[Proposal]:
    """Propose the pairs with the highest total score: each mentee once, each mentor up to capacity."""
    _require_aware(now)
    # Sorting by id makes the result independent of the order the caller happened to load people in.
    mentors = _sorted_unique(mentors, "mentor")
    mentees = _sorted_unique(mentees, "mentee")
    if not mentors or not mentees:
        return []
    scores = _score_matrix(mentors, mentees, now)
    mentor_index = {m.person_id: i for i, m in enumerate(mentors)}
    mentee_index = {m.person_id: i for i, m in enumerate(mentees)}
    for mentor_id, mentee_id in past_pairs:
        if mentor_id in mentor_index and mentee_id in mentee_index:
            scores[mentee_index[mentee_id], mentor_index[mentor_id]] = 0

    allowed = scores > 0
    # A mentor needs no more slots than there are mentees they may take; this keeps the matrix at
    # most as wide as it is useful, whatever capacities admins typed in.
    capacities = np.array([m.free_capacity for m in mentors], dtype=np.int64)
    slots_per_mentor = np.minimum(np.maximum(capacities, 0), allowed.sum(axis=0))
    slot_mentor = np.repeat(np.arange(len(mentors)), slots_per_mentor)
    rows = np.flatnonzero(allowed.any(axis=1))
    if slot_mentor.size == 0 or rows.size == 0:
        return []
    weights = scores[np.ix_(rows, slot_mentor)].astype(np.float64)  # integers, so sums are exact
    chosen_rows, chosen_slots = linear_sum_assignment(weights, maximize=True)

    proposals = []
    for r, s in zip(chosen_rows, chosen_slots, strict=True):
        if weights[r, s] <= 0:
            continue  # a forbidden pair the solver used as filler: that mentee stays unmatched
        mentor, mentee = mentors[slot_mentor[s]], mentees[rows[r]]
        scored = score_pair(mentor, mentee, now)
        assert scored is not None  # the matrix allowed it, so the scalar rules do too
        proposals.append(Proposal(mentor.person_id, mentee.person_id, scored[0], scored[1]))
    return sorted(proposals, key=lambda p: p.mentee_id)


def _score_matrix(mentors: Sequence[Candidate], mentees: Sequence[Candidate], now: datetime) -> np.ndarray:
    """Milli-point scores, one row per mentee and one column per mentor; 0 where not allowed."""
    # int32 holds any score here and halves the memory of a 2,000 x 1,000 program; each part is
    # added into `total` in place so only a couple of full-size temporaries exist at a time.
    total = _shared_counts([e.growth_areas for e in mentees], [m.skills for m in mentors])
    total *= SHARED_SKILL

    mentor_level, mentor_known = _levels(mentors)
    mentee_level, mentee_known = _levels(mentees)
    gap = mentor_level[None, :] - mentee_level[:, None]
    level_known = mentee_known[:, None] & mentor_known[None, :]
    total += np.where(
        level_known,
        np.where((gap == 1) | (gap == 2), EXPERIENCE_IDEAL, EXPERIENCE_OKAY),
        EXPERIENCE_UNKNOWN,
    ).astype(np.int32)
    allowed = ~(level_known & (gap < 0))
    del gap, level_known

    zones: dict[str | None, int | None] = {}
    mentor_offset, mentor_tz_known = _offsets(mentors, now, zones)
    mentee_offset, mentee_tz_known = _offsets(mentees, now, zones)
    apart = np.abs(mentor_offset[None, :] - mentee_offset[:, None]) % (2 * _HALF_DAY)
    np.minimum(apart, 2 * _HALF_DAY - apart, out=apart)
    total += np.where(
        mentee_tz_known[:, None] & mentor_tz_known[None, :],
        (SAME_ZONE * (_HALF_DAY - apart) + _HALF_DAY // 2) // _HALF_DAY,  # same rounding as _zone_points
        ZONE_UNKNOWN,
    ).astype(np.int32)
    del apart

    shared_formats = _shared_counts([e.formats for e in mentees], [m.formats for m in mentors])
    mentor_stated = np.array([bool(m.formats) for m in mentors])
    mentee_stated = np.array([bool(e.formats) for e in mentees])
    total += np.where(
        shared_formats > 0,
        SHARED_FORMAT,
        np.where(mentee_stated[:, None] & mentor_stated[None, :], NO_SHARED_FORMAT, 0),
    ).astype(np.int32)
    del shared_formats

    total += np.array([_capacity_points(m.free_capacity) for m in mentors], dtype=np.int32)[None, :]

    mentor_ids = np.array([m.person_id for m in mentors], dtype=np.int64)
    mentee_ids = np.array([e.person_id for e in mentees], dtype=np.int64)
    allowed &= mentee_ids[:, None] != mentor_ids[None, :]
    allowed &= np.array([m.free_capacity > 0 for m in mentors])[None, :]
    total[~allowed] = 0
    return total


def _shared_counts(wanted: Sequence[frozenset[str]], offered: Sequence[frozenset[str]]) -> np.ndarray:
    """How many words each wanted set shares with each offered set, as an integer matrix."""
    vocabulary = sorted(set().union(*wanted) & set().union(*offered))
    if not vocabulary:
        return np.zeros((len(wanted), len(offered)), dtype=np.int32)
    # float32 gives a BLAS matrix product; the counts are small integers, so they stay exact.
    return (_incidence(wanted, vocabulary) @ _incidence(offered, vocabulary).T).astype(np.int32)


def _incidence(sets: Sequence[frozenset[str]], vocabulary: Sequence[str]) -> np.ndarray:
    position = {word: i for i, word in enumerate(vocabulary)}
    matrix = np.zeros((len(sets), len(vocabulary)), dtype=np.float32)
    for row, words in enumerate(sets):
        matrix[row, [position[w] for w in words if w in position]] = 1
    return matrix


def _levels(people: Sequence[Candidate]) -> tuple[np.ndarray, np.ndarray]:
    known = np.array([p.experience is not None for p in people])
    levels = np.array([p.experience or 0 for p in people], dtype=np.int32)
    return levels, known


def _offsets(
    people: Sequence[Candidate], now: datetime, cache: dict[str | None, int | None]
) -> tuple[np.ndarray, np.ndarray]:
    for p in people:
        if p.tz not in cache:
            cache[p.tz] = _offset_minutes(p.tz, now)
    offsets = [cache[p.tz] for p in people]
    known = np.array([o is not None for o in offsets])
    return np.array([o or 0 for o in offsets], dtype=np.int32), known


def _experience_gap(mentor: Candidate, mentee: Candidate) -> int | None:
    if mentor.experience is None or mentee.experience is None:
        return None
    return mentor.experience - mentee.experience


def _experience_points(gap: int | None) -> int:
    if gap is None:
        return EXPERIENCE_UNKNOWN
    return EXPERIENCE_IDEAL if gap in (1, 2) else EXPERIENCE_OKAY


def _offset_minutes(tz: str | None, now: datetime) -> int | None:
    """The zone's UTC offset at `now` in minutes; None for no zone or a name zoneinfo doesn't know."""
    if not is_valid_zone(tz):
        # One stale or mistyped zone costs that person the time-zone points, not the match run.
        return None
    offset = local_time(now, tz).utcoffset()
    return None if offset is None else int(offset.total_seconds()) // 60


def _minutes_apart(a: int | None, b: int | None) -> int | None:
    if a is None or b is None:
        return None
    difference = abs(a - b) % (2 * _HALF_DAY)
    return min(difference, 2 * _HALF_DAY - difference)


def _zone_points(apart: int | None) -> int:
    if apart is None:
        return ZONE_UNKNOWN
    # Integer rounding, identical in the numpy matrix, so both paths give the same milli-points.
    return (SAME_ZONE * (_HALF_DAY - apart) + _HALF_DAY // 2) // _HALF_DAY


def _format_points(shared: int, both_stated: bool) -> int:
    if shared:
        return SHARED_FORMAT
    return NO_SHARED_FORMAT if both_stated else 0


def _capacity_points(free_capacity: int) -> int:
    return FREE_SLOT * min(max(free_capacity, 0), MAX_COUNTED_SLOTS)


def _reason(
    skills: list[str], apart: int | None, formats: list[str], both_stated: bool, gap: int | None
) -> str:
    """One line such as "3 shared skills (python, sql, testing), 2 h apart, both like video"."""
    rest = [_describe_zones(apart)]
    if formats:
        rest.append("both like " + _join_words([_FORMAT_NAMES.get(f, f) for f in formats]))
    elif both_stated:
        rest.append("no shared meeting format")
    if gap is not None:
        rest.append("same level" if gap == 0 else f"mentor {gap} level{'s' if gap > 1 else ''} ahead")
    tail = ", " + ", ".join(rest)
    if not skills:
        return "no shared skills" + tail
    count = f"{len(skills)} shared skill{'s' if len(skills) > 1 else ''}"
    # Name as many skills as fit in the line, alphabetically, and mark the cut with an ellipsis.
    for shown in range(len(skills), 0, -1):
        listed = ", ".join(skills[:shown]) + (", …" if shown < len(skills) else "")
        line = f"{count} ({listed}){tail}"
        if len(line) <= MAX_REASON_LENGTH:
            return line
    return f"{count}{tail}"


def _describe_zones(apart: int | None) -> str:
    if apart is None:
        return "time zones unknown"
    if apart == 0:
        return "same time zone"
    hours, minutes = divmod(apart, 60)
    if not minutes:
        return f"{hours} h apart"
    return f"{hours} h {minutes} min apart" if hours else f"{minutes} min apart"


def _join_words(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _sorted_unique(people: Iterable[Candidate], role: str) -> list[Candidate]:
    ordered = sorted(people, key=lambda p: p.person_id)
    for before, after in pairwise(ordered):
        if before.person_id == after.person_id:
            raise ValueError(f"{role} {before.person_id} appears twice in one match run")
    return ordered


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime (UTC), not a naive one")
