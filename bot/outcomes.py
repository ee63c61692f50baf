"""Program outcomes for admins: how each cohort's pairs fared, and the hiding rule for answers.

Every figure comes from an aggregate query in `storage.outcomes` (four statements per program,
whatever its history). Admins see counts, shares, medians and averages, never what anyone wrote.

Definitions (the Home tab, the weekly report, its chart and the export use them as they are);
a group is a cohort's pairs, the pairs matched outside any cohort ("Open-ended"), or all of the
program's pairs ("All pairs"):

- pairs by status: active, paused, ended early (`ended`), completed (ran to its cohort's end);
- sign-up to match: the median, over the group's pairs, of the pair's creation minus the mentee's
  sign-up: their `cohort_members.joined_at` in the pair's cohort, or for a pair outside any cohort
  their `profiles.joined_at` in the program; a negative gap counts as 0, an unknown sign-up leaves
  the pair out;
- match to first meeting: the median, over pairs that met, of the start of their first meeting
  that happened (where it was moved to, else when it was due) minus the pair's creation, negative
  gaps as 0; a meeting happened when its check-in was asked (not one still to come, nor skipped)
  and the check-in or either member's answer says "yes, we met";
- met at least once: pairs that met / all the group's pairs;
- survival at 30, 90 and 180 days: among pairs created at least that many days before now, the
  share not stopped within that many days of creation: ended with `ended_at` up to that day, or
  paused now with `paused_at` up to that day, fails (an unknown instant counts as day 0);
  completed, active and later stops survive. With no pair that old: "not yet";
- completion: among the pairs of cohorts that have ended (`cohorts.completed_at` set), the share
  completed; none for open-ended pairs or cohorts still running;
- goals: the goals of the group's pairs; achieved is rated "achieved" at graduation, or not
  rated and marked achieved; partly is rated "partly";
- midpoint and closing ratings: the mean of `midpoint_checks.rating` and of the closing surveys'
  ratings (1-5); recommend score: % of closing answers 9-10 minus % 0-6 (from -100 to 100).

Privacy: a figure computed from fewer than MIN_ANSWERS different people is not shown ("not enough
answers yet"), per group and for the program separately: the midpoint and closing averages and
the recommend score count the people who answered, the goals figure counts the goals' owners.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from storage import outcomes as store
from storage.models import Program

MIN_ANSWERS = 5
OPEN_ENDED = "Open-ended"
ALL_PAIRS = "All pairs"
SURVIVAL_DAYS = store.SURVIVAL_DAYS


def share(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to divide by."""
    return part / whole if whole else None


@dataclass(frozen=True)
class Survival:
    """Pairs old enough to be counted at `days`, and how many of them had not stopped by then."""

    days: int
    old_enough: int
    survived: int

    @property
    def share(self) -> float | None:
        """Survived / old enough; None ("not yet") while no pair is that old."""
        return share(self.survived, self.old_enough)


@dataclass(frozen=True)
class Goals:
    """The group's goals: how many, achieved and partly achieved (shown from MIN_ANSWERS owners)."""

    total: int
    achieved: int
    partly: int

    @property
    def achieved_share(self) -> float | None:
        return share(self.achieved, self.total)

    @property
    def partly_share(self) -> float | None:
        return share(self.partly, self.total)


@dataclass(frozen=True)
class Rating:
    """An average of answers (or a recommend score) and how many answers it comes from."""

    value: float
    answers: int


@dataclass(frozen=True)
class GroupOutcomes:
    """One cohort's pairs, the open-ended pairs, or all of the program's pairs, and how they fared.

    `goals`, `midpoint`, `closing` and `recommend` are None when fewer than MIN_ANSWERS people
    answered (or own goals): the views say "not enough answers yet".
    """

    name: str
    cohort_id: int | None = None
    is_total: bool = False
    cohort_ended: bool = False
    pairs: int = 0
    active: int = 0
    paused: int = 0
    ended_early: int = 0
    completed: int = 0
    met: int = 0
    signup_to_match: float | None = None  # median seconds
    match_to_meeting: float | None = None  # median seconds
    survival: tuple[Survival, ...] = tuple(Survival(days, 0, 0) for days in SURVIVAL_DAYS)
    in_ended_cohorts: int = 0
    completed_in_ended_cohorts: int = 0
    goals: Goals | None = None
    midpoint: Rating | None = None
    closing: Rating | None = None
    recommend: Rating | None = None

    @property
    def is_open_ended(self) -> bool:
        return self.cohort_id is None and not self.is_total

    @property
    def met_share(self) -> float | None:
        """Pairs that met at least once / the group's pairs."""
        return share(self.met, self.pairs)

    @property
    def completion(self) -> float | None:
        """Completed / pairs of ended cohorts; None for open-ended pairs and cohorts still running."""
        return share(self.completed_in_ended_cohorts, self.in_ended_cohorts)

    def survival_at(self, days: int) -> Survival:
        """The survival figure at `days` (one of SURVIVAL_DAYS)."""
        return next(s for s in self.survival if s.days == days)


@dataclass(frozen=True)
class Outcomes:
    """A program's outcomes as of `as_of`: its cohorts (earliest first), open-ended pairs, all pairs."""

    program_id: int
    program_name: str
    as_of: datetime
    groups: tuple[GroupOutcomes, ...]
    total: GroupOutcomes

    @property
    def cohorts(self) -> tuple[GroupOutcomes, ...]:
        """The program's cohorts, open-ended pairs aside."""
        return tuple(group for group in self.groups if group.cohort_id is not None)


def shown(value: float | None, people: int, answers: int) -> Rating | None:
    """The hiding rule: a figure from fewer than MIN_ANSWERS different people is not shown."""
    if value is None or people < MIN_ANSWERS:
        return None
    return Rating(value, answers)


def recommend_score(promoters: int, detractors: int, answers: int) -> float | None:
    """% promoters (9-10) minus % detractors (0-6) of the answers: -100 to 100."""
    return 100 * (promoters - detractors) / answers if answers else None


def program_outcomes(session: Session, program: Program, now: datetime) -> Outcomes:
    """The program's outcomes now, per cohort, for open-ended pairs and overall: four queries."""
    cohorts = store.cohorts(session, program.id)
    pairs = {(row.total, row.cohort_id): row for row in store.pair_figures(session, program.id, now)}
    goals = {(row.total, row.cohort_id): row for row in store.goal_figures(session, program.id)}
    answers = {(row.total, row.cohort_id): row for row in store.answer_figures(session, program.id)}

    def group(key: tuple[int, int | None], name: str, ended: bool = False) -> GroupOutcomes:
        p, g, a = pairs.get(key), goals.get(key), answers.get(key)
        figures: dict = {}
        if p is not None:
            figures.update(
                pairs=p.pairs,
                active=p.active,
                paused=p.paused,
                ended_early=p.ended,
                completed=p.completed,
                met=p.met,
                signup_to_match=p.signup_to_match,
                match_to_meeting=p.match_to_meeting,
                survival=tuple(
                    Survival(days, old, alive)
                    for days, old, alive in zip(SURVIVAL_DAYS, p.old_enough, p.survived, strict=True)
                ),
                in_ended_cohorts=p.in_ended_cohorts,
                completed_in_ended_cohorts=p.completed_in_ended_cohorts,
            )
        if g is not None and g.owners >= MIN_ANSWERS:
            figures["goals"] = Goals(g.goals, g.achieved, g.partly)
        if a is not None:
            figures.update(
                midpoint=shown(a.midpoint_average, a.midpoint_people, a.midpoint_answers),
                closing=shown(a.closing_average, a.closing_people, a.closing_answers),
                recommend=shown(
                    recommend_score(a.promoters, a.detractors, a.recommend_answers),
                    a.recommend_people,
                    a.recommend_answers,
                ),
            )
        return GroupOutcomes(
            name=name,
            cohort_id=key[1],
            is_total=key[0] == 1,
            cohort_ended=ended,
            **figures,
        )

    groups = [group((0, c.cohort_id), c.name, c.completed_at is not None) for c in cohorts]
    if (0, None) in pairs:
        groups.append(group((0, None), OPEN_ENDED))
    keys = [(0, c.cohort_id) for c in cohorts] + [(0, None)]

    def people(key: tuple[int, int | None], figure: str) -> int:
        g, a = goals.get(key), answers.get(key)
        if figure == "goals":
            return g.owners if g is not None else 0
        return getattr(a, f"{figure}_people") if a is not None else 0

    # A group's hidden figure could be worked out from the program's total and the groups shown
    # (six answers overall, five in one cohort: the sixth is the difference), so a figure hidden
    # anywhere is hidden in the total too.
    hidden_somewhere: dict[str, Any] = {
        figure: None
        for figure in ("goals", "midpoint", "closing", "recommend")
        if any(0 < people(key, figure) < MIN_ANSWERS for key in keys)
    }
    return Outcomes(
        program_id=program.id,
        program_name=program.name,
        as_of=now,
        groups=tuple(groups),
        total=replace(group((1, None), ALL_PAIRS), **hidden_somewhere),
    )
