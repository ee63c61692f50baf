"""Matching proposes the pairs with the best total score, keeps every rule, and explains each pair."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache

import pytest

from bot.matching import (
    LOWEST_ALLOWED_SCORE,
    MAX_REASON_LENGTH,
    Candidate,
    Proposal,
    _score_matrix,
    propose_matches,
    score_pair,
)

NOW = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)
SKILLS = ["python", "sql", "design", "testing", "writing"]
ZONES = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Pacific/Auckland", "UTC", None]
FORMATS = ["video", "in_person", "chat"]
RANDOM_CASES = 400


def person(
    person_id: int,
    *,
    skills: Sequence[str] = (),
    wants: Sequence[str] = (),
    level: int | None = None,
    tz: str | None = None,
    formats: Sequence[str] = (),
    capacity: int = 0,
) -> Candidate:
    """A candidate with only the attributes a test cares about."""
    return Candidate(
        person_id=person_id,
        user_id=f"U{person_id:04d}",
        skills=frozenset(skills),
        growth_areas=frozenset(wants),
        experience=level,
        tz=tz,
        formats=frozenset(formats),
        free_capacity=capacity,
    )


def random_person(rng: random.Random, person_id: int, capacity: int = 0) -> Candidate:
    """Someone with random skills, wishes, level, zone and formats."""
    return person(
        person_id,
        skills=rng.sample(SKILLS, rng.randint(0, 3)),
        wants=rng.sample(SKILLS, rng.randint(0, 3)),
        level=rng.choice([0, 1, 2, 3, None]),
        tz=rng.choice(ZONES),
        formats=rng.sample(FORMATS, rng.randint(0, 2)),
        capacity=capacity,
    )


def random_case(seed: int) -> tuple[list[Candidate], list[Candidate], set[tuple[int, int]]]:
    """Up to 4 mentors (capacity 0-2) and 5 mentees drawn from 8 people, so some have both roles."""
    rng = random.Random(seed)
    ids = range(1, 9)
    mentors = [random_person(rng, i, rng.randint(0, 2)) for i in rng.sample(ids, rng.randint(0, 4))]
    mentees = [random_person(rng, i) for i in rng.sample(ids, rng.randint(0, 5))]
    past = {(m.person_id, e.person_id) for m in mentors for e in mentees if rng.random() < 0.2}
    return mentors, mentees, past


def milli(score: float) -> int:
    """A score back in the integer milli-points matching computes in."""
    return round(score * 1000)


def best_total_by_trying_everything(
    mentors: Sequence[Candidate], mentees: Sequence[Candidate], past: set[tuple[int, int]]
) -> int:
    """The highest total over every way to give each mentee one allowed mentor with room, or none."""
    scores = []
    for mentee in mentees:
        row = []
        for mentor in mentors:
            scored = score_pair(mentor, mentee, NOW)
            met_before = (mentor.person_id, mentee.person_id) in past
            row.append(None if scored is None or met_before else milli(scored[0]))
        scores.append(row)

    @cache
    def best(i: int, room: tuple[int, ...]) -> int:
        if i == len(mentees):
            return 0
        options = [best(i + 1, room)]
        for j, score in enumerate(scores[i]):
            if score is not None and room[j] > 0:
                options.append(score + best(i + 1, (*room[:j], room[j] - 1, *room[j + 1 :])))
        return max(options)

    return best(0, tuple(max(m.free_capacity, 0) for m in mentors))


def total(proposals: Sequence[Proposal]) -> int:
    """The proposals' summed score in milli-points."""
    return sum(milli(p.score) for p in proposals)


def test_matching_finds_the_same_best_total_as_trying_every_assignment() -> None:
    for seed in range(RANDOM_CASES):
        mentors, mentees, past = random_case(seed)

        proposals = propose_matches(mentors, mentees, past, NOW)

        assert total(proposals) == best_total_by_trying_everything(mentors, mentees, past), f"seed {seed}"


def test_each_proposal_carries_the_score_and_reason_score_pair_gives() -> None:
    for seed in range(RANDOM_CASES):
        mentors, mentees, past = random_case(seed)
        mentor_by_id = {m.person_id: m for m in mentors}
        mentee_by_id = {e.person_id: e for e in mentees}

        for p in propose_matches(mentors, mentees, past, NOW):
            scored = score_pair(mentor_by_id[p.mentor_id], mentee_by_id[p.mentee_id], NOW)
            assert scored == (p.score, p.reason), f"seed {seed}"


def test_the_fast_score_matrix_agrees_with_score_pair_on_every_pair() -> None:
    # The matrix is what the optimiser sees; score_pair is the readable definition of a score.
    for seed in range(RANDOM_CASES):
        mentors, mentees, _ = random_case(seed)
        if not mentors or not mentees:
            continue
        mentors.sort(key=lambda m: m.person_id)
        mentees.sort(key=lambda e: e.person_id)

        matrix = _score_matrix(mentors, mentees, NOW)

        for i, mentee in enumerate(mentees):
            for j, mentor in enumerate(mentors):
                scored = score_pair(mentor, mentee, NOW)
                assert matrix[i, j] == (milli(scored[0]) if scored else 0), f"seed {seed}"


def test_a_pair_that_met_before_is_never_proposed_again() -> None:
    for seed in range(RANDOM_CASES):
        mentors, mentees, past = random_case(seed)

        proposals = propose_matches(mentors, mentees, past, NOW)

        assert not {(p.mentor_id, p.mentee_id) for p in proposals} & past, f"seed {seed}"


def test_no_mentor_gets_more_mentees_than_they_have_room_for_and_no_mentee_gets_two() -> None:
    rng = random.Random(99)
    mentors = [random_person(rng, i, rng.randint(0, 3)) for i in range(1, 16)]
    mentees = [random_person(rng, i) for i in range(100, 160)]

    proposals = propose_matches(mentors, mentees, set(), NOW)

    room = {m.person_id: m.free_capacity for m in mentors}
    assert all(count <= room[mentor] for mentor, count in Counter(p.mentor_id for p in proposals).items())
    assert len({p.mentee_id for p in proposals}) == len(proposals)
    assert len(proposals) == min(len(mentees), sum(room.values()))


def test_someone_who_is_both_mentor_and_mentee_is_never_paired_with_themselves() -> None:
    both = dict(skills=["python"], wants=["python"], tz="UTC", formats=["video"])
    alex_mentors = person(1, capacity=2, **both)
    alex_learns = person(1, **both)

    assert score_pair(alex_mentors, alex_learns, NOW) is None
    assert propose_matches([alex_mentors], [alex_learns], set(), NOW) == []
    for seed in range(RANDOM_CASES):
        mentors, mentees, past = random_case(seed)
        proposals = propose_matches(mentors, mentees, past, NOW)
        assert all(p.mentor_id != p.mentee_id for p in proposals), f"seed {seed}"


def test_shuffling_the_people_does_not_change_the_proposals() -> None:
    # Few skills and zones and identical twins make ties everywhere, where order could leak through.
    rng = random.Random(5)
    mentors = [
        person(i, skills=["python"], tz="UTC", capacity=rng.randint(1, 2), level=2) for i in range(1, 21)
    ]
    mentees = [person(i, wants=["python"], tz=rng.choice(["UTC", "Europe/Berlin"])) for i in range(50, 90)]
    past = {(3, 55), (4, 60)}
    expected = propose_matches(mentors, mentees, past, NOW)

    for _ in range(20):
        rng.shuffle(mentors)
        rng.shuffle(mentees)
        assert propose_matches(mentors, mentees, list(past), NOW) == expected
    assert [p.mentee_id for p in expected] == sorted(p.mentee_id for p in expected)


def test_the_best_total_beats_first_come_greedy_when_greedy_falls_into_a_trap() -> None:
    # Ana and Ben each want python and sql. Only Mia knows both; Max knows python but already
    # mentored Ben. Greedy gives Ana to Mia because she comes first and Ben ends up with nobody.
    mia = person(1, skills=["python", "sql"], tz="UTC", capacity=1)
    max_ = person(2, skills=["python"], tz="UTC", capacity=1)
    ana = person(10, wants=["python", "sql"], tz="UTC")
    ben = person(11, wants=["python", "sql"], tz="UTC")
    past = {(2, 11)}

    proposals = propose_matches([mia, max_], [ana, ben], past, NOW)

    assert [(p.mentor_id, p.mentee_id) for p in proposals] == [(2, 10), (1, 11)]
    assert total(proposals) > first_come_greedy_total([mia, max_], [ana, ben], past)


def first_come_greedy_total(
    mentors: Sequence[Candidate], mentees: Sequence[Candidate], past: set[tuple[int, int]]
) -> int:
    """What handing each mentee, in turn, their best mentor still free would score."""
    room = {m.person_id: m.free_capacity for m in mentors}
    result = 0
    for mentee in mentees:
        options = [
            (milli(scored[0]), mentor.person_id)
            for mentor in mentors
            if room[mentor.person_id] > 0
            and (mentor.person_id, mentee.person_id) not in past
            and (scored := score_pair(mentor, mentee, NOW))
        ]
        if options:
            score, chosen = max(options)
            room[chosen] -= 1
            result += score
    return result


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2025, 1, 15, 12, tzinfo=UTC), "6 h apart"),
        # The US moves its clocks on 9 March 2025, the EU only on 30 March.
        (datetime(2025, 3, 20, 12, tzinfo=UTC), "5 h apart"),
        (datetime(2025, 7, 15, 12, tzinfo=UTC), "6 h apart"),
        # The EU moves back on 26 October 2025, the US only on 2 November.
        (datetime(2025, 10, 29, 12, tzinfo=UTC), "5 h apart"),
    ],
    ids=["january", "late-march", "july", "late-october"],
)
def test_berlin_and_new_york_are_as_far_apart_as_their_clocks_are_today(now: datetime, expected: str) -> None:
    berlin = person(1, tz="Europe/Berlin", capacity=1)
    new_york = person(2, tz="America/New_York")

    scored = score_pair(berlin, new_york, now)

    assert scored is not None
    assert expected in scored[1]


def test_time_zones_are_compared_around_the_clock_across_the_date_line() -> None:
    # In January Auckland is UTC+13 and Honolulu UTC-10: 23 h by subtraction, 1 h on the clock.
    auckland = person(1, tz="Pacific/Auckland", capacity=1)
    honolulu = person(2, tz="Pacific/Honolulu")
    next_door = person(3, tz="Pacific/Honolulu", capacity=1)

    scored = score_pair(auckland, honolulu, NOW)
    neighbours = score_pair(next_door, honolulu, NOW)

    assert scored is not None
    assert neighbours is not None
    assert "1 h apart" in scored[1]
    assert neighbours[0] > scored[0]


def test_half_hour_zones_are_described_in_hours_and_minutes() -> None:
    scored = score_pair(person(1, tz="Asia/Kolkata", capacity=1), person(2, tz="UTC"), NOW)

    assert scored is not None
    assert "5 h 30 min apart" in scored[1]


def test_the_reason_names_the_shared_skills_the_distance_the_format_and_the_gap() -> None:
    mentor = person(
        1,
        skills=["python", "sql", "testing", "go"],
        level=2,
        tz="Europe/Helsinki",
        formats=["video", "chat"],
        capacity=1,
    )
    mentee = person(
        2, wants=["testing", "sql", "python", "design"], level=1, tz="Europe/London", formats=["video"]
    )

    assert score_pair(mentor, mentee, NOW) == (
        # 3 skills x 3 + ideal gap 2 + 2 h apart 1.667 + a shared format 1 + one free slot 0.25
        13.917,
        "3 shared skills (python, sql, testing), 2 h apart, both like video, mentor 1 level ahead",
    )


@pytest.mark.parametrize(
    ("mentor", "mentee", "reason"),
    [
        (
            person(1, skills=["sql"], level=1, tz="UTC", formats=FORMATS, capacity=1),
            person(2, wants=["sql", "go"], level=1, tz="Etc/UTC", formats=FORMATS),
            "1 shared skill (sql), same time zone, both like chat, in person and video, same level",
        ),
        (
            person(1, skills=["sql"], capacity=1),
            person(2, wants=["design"]),
            "no shared skills, time zones unknown",
        ),
        (
            person(1, tz="UTC", formats=["video"], level=3, capacity=1),
            person(2, tz="Europe/Kyiv", formats=["in_person"], level=0),
            "no shared skills, 2 h apart, no shared meeting format, mentor 3 levels ahead",
        ),
    ],
    ids=["one-skill", "nothing-known", "nothing-shared"],
)
def test_the_reason_reads_naturally_however_much_the_two_have_in_common(
    mentor: Candidate, mentee: Candidate, reason: str
) -> None:
    scored = score_pair(mentor, mentee, NOW)

    assert scored is not None
    assert scored[1] == reason


def test_a_long_list_of_shared_skills_is_cut_with_an_ellipsis_to_fit_one_line() -> None:
    skills = [f"distributed-systems-topic-{i:02d}" for i in range(30)]
    mentor = person(1, skills=skills, tz="UTC", formats=["video"], capacity=1)
    mentee = person(2, wants=skills, tz="UTC", formats=["video"])

    scored = score_pair(mentor, mentee, NOW)

    assert scored is not None
    assert len(scored[1]) <= MAX_REASON_LENGTH
    assert scored[1].startswith("30 shared skills (distributed-systems-topic-00, ")
    assert ", …), same time zone, both like video" in scored[1]


def test_a_mentor_less_experienced_than_the_mentee_or_without_room_is_not_allowed() -> None:
    senior_mentee = person(2, wants=["python"], level=3)

    assert score_pair(person(1, skills=["python"], level=1, capacity=1), senior_mentee, NOW) is None
    assert score_pair(person(1, skills=["python"], level=3, capacity=0), senior_mentee, NOW) is None
    assert score_pair(person(1, skills=["python"], level=3, capacity=1), senior_mentee, NOW) is not None


def test_unknown_levels_and_zones_are_neutral_rather_than_forbidden() -> None:
    mentee = person(2, wants=["python"], level=2, tz="UTC")
    unknown = score_pair(person(1, skills=["python"], capacity=1), mentee, NOW)
    six_hours_level = score_pair(
        person(1, skills=["python"], level=2, tz="Asia/Dhaka", capacity=1), mentee, NOW
    )
    mistyped_zone = score_pair(person(1, skills=["python"], tz="Europe/Berlín", capacity=1), mentee, NOW)

    assert unknown is not None
    assert six_hours_level is not None
    assert mistyped_zone is not None
    assert unknown[0] == six_hours_level[0]
    assert "time zones unknown" in mistyped_zone[1]


def test_even_the_worst_allowed_pair_scores_above_zero_so_nobody_is_left_out_for_nothing() -> None:
    worst_mentor = person(1, skills=["go"], level=1, tz="Asia/Kamchatka", formats=["video"], capacity=1)
    worst_mentee = person(2, wants=["design"], level=1, tz="UTC", formats=["chat"])

    scored = score_pair(worst_mentor, worst_mentee, NOW)

    assert scored is not None
    assert "12 h apart" in scored[1]
    assert scored[0] == LOWEST_ALLOWED_SCORE / 1000 > 0
    assert propose_matches([worst_mentor], [worst_mentee], set(), NOW) == [
        Proposal(1, 2, scored[0], scored[1])
    ]


def test_no_mentors_or_no_mentees_means_no_proposals() -> None:
    someone = person(1, skills=["python"], wants=["python"], capacity=1)

    assert propose_matches([], [], set(), NOW) == []
    assert propose_matches([someone], [], set(), NOW) == []
    assert propose_matches([], [someone], set(), NOW) == []
    assert propose_matches([person(2, capacity=0)], [someone], set(), NOW) == []


def test_matching_refuses_a_clock_without_a_time_zone_or_a_person_listed_twice() -> None:
    mentor, mentee = person(1, capacity=1), person(2)

    with pytest.raises(ValueError, match="aware"):
        propose_matches([mentor], [mentee], set(), datetime(2025, 1, 15))  # noqa: DTZ001
    with pytest.raises(ValueError, match="mentee 2 appears twice"):
        propose_matches([mentor], [mentee, mentee], set(), NOW)
