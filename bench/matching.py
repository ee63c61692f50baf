"""Benchmark: how long `/mentor match` takes to propose pairs for a large program.

What it measures: the wall time of one `bot.matching.propose_matches` call (building the score
matrix, solving the assignment, writing the reasons) on a seeded random program of `--mentees`
mentees and `--mentors` mentors with free capacities 1-3, a vocabulary of 60 skills, 3-8 skills or
growth areas per person, 20 IANA zones (a few people without one), random experience levels and
meeting formats, 50 people who are both mentor and mentee, and about 500 past pairs. It runs the
call `--repeat` times and prints the best and the median time, then runs it once more under
tracemalloc for the peak memory Python and numpy allocated, and prints the process's peak RSS.

Run it from the repository root:

    python bench/matching.py [--mentees 2000] [--mentors 1000] [--repeat 3] [--seed 1]

Target (from the issue): under 5 s for 2,000 mentees against 1,000 mentors. The script prints
PASS or MISS against that target and exits 0 either way.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

# Run as `python bench/matching.py`: make `bot.*` importable from the repo root.
REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from bot.matching import Candidate, propose_matches  # noqa: E402

TARGET_SECONDS = 5.0
NOW = datetime(2025, 3, 20, 12, 0, tzinfo=UTC)  # between the US and EU DST switches, on purpose
SKILLS = [f"skill-{i:02d}" for i in range(60)]
ZONES = [
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Warsaw",
    "Europe/Helsinki",
    "Africa/Lagos",
    "Africa/Nairobi",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
    "UTC",
]
FORMATS = ["video", "in_person", "chat"]
BOTH_ROLES = 50
PAST_PAIRS = 500


def random_program(
    n_mentees: int, n_mentors: int, seed: int
) -> tuple[list[Candidate], list[Candidate], set[tuple[int, int]]]:
    """A seeded program: mentees, mentors (some people in both lists) and past pairs."""
    rng = random.Random(seed)

    def person(person_id: int, capacity: int) -> Candidate:
        return Candidate(
            person_id=person_id,
            user_id=f"U{person_id:08d}",
            skills=frozenset(rng.sample(SKILLS, rng.randint(3, 8))),
            growth_areas=frozenset(rng.sample(SKILLS, rng.randint(3, 8))),
            experience=rng.choice([0, 1, 2, 3, None]),
            tz=rng.choice([*ZONES, None]),
            formats=frozenset(f for f in FORMATS if rng.random() < 0.5),
            free_capacity=capacity,
        )

    mentees = [person(i, 0) for i in range(n_mentees)]
    # Mentor ids start just below the last mentee's, so the first BOTH_ROLES mentors are mentees too.
    first_mentor = max(n_mentees - BOTH_ROLES, 0)
    mentors = [person(first_mentor + i, rng.randint(1, 3)) for i in range(n_mentors)]
    past = {(rng.choice(mentors).person_id, rng.choice(mentees).person_id) for _ in range(PAST_PAIRS)}
    return mentors, mentees, past


def main() -> None:
    """Time `propose_matches` on a seeded program and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentees", type=int, default=2000)
    parser.add_argument("--mentors", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    mentors, mentees, past = random_program(args.mentees, args.mentors, args.seed)
    slots = sum(m.free_capacity for m in mentors)
    print(
        f"program: {len(mentees)} mentees, {len(mentors)} mentors ({slots} free slots), "
        f"{len(past)} past pairs, seed {args.seed}"
    )

    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        proposals = propose_matches(mentors, mentees, past, NOW)
        times.append(time.perf_counter() - start)
    best, median = min(times), statistics.median(times)

    # A separate run: tracemalloc slows allocation down, so it must not touch the timed runs.
    tracemalloc.start()
    propose_matches(mentors, mentees, past, NOW)
    _, peak_traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # ru_maxrss is in KiB on Linux (bytes on macOS); the figure is for Linux.
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    total = sum(p.score for p in proposals)
    shared = sum(not p.reason.startswith("no shared") for p in proposals)
    print(f"proposals: {len(proposals)} ({shared} with at least one shared skill)")
    print(f"total score: {total:.3f} (mean {total / max(len(proposals), 1):.3f} per pair)")
    print(f"time over {args.repeat} runs: best {best:.3f} s, median {median:.3f} s")
    print(f"peak memory: {peak_traced / 2**20:.1f} MiB traced in one run, {peak_rss / 2**20:.1f} MiB RSS")
    print(f"target: best under {TARGET_SECONDS:.0f} s: {'PASS' if best < TARGET_SECONDS else 'MISS'}")


if __name__ == "__main__":
    main()
