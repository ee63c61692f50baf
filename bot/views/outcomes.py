"""Program outcomes for admins: one compact line per cohort on the Home tab and in the weekly report.

Pure functions of `bot.outcomes` data. Durations read in days with one decimal ("1.5 days"), or
in whole hours under a day ("15 hours"). A figure hidden by the privacy rule reads "not enough
answers yet"; there is nothing else to show, because the data never holds what anyone wrote.
"""

from __future__ import annotations

from slack_sdk.models.blocks import SectionBlock

from bot.outcomes import MIN_ANSWERS, SURVIVAL_DAYS, GroupOutcomes, Outcomes, Rating
from bot.views.common import MAX_SECTION_TEXT, clip, escape_text, mrkdwn, plural

NOT_ENOUGH = "not enough answers yet"
NOT_YET = "not yet"
MAX_COHORTS_HOME = 6  # the latest ones; the export has them all
MAX_COHORTS_REPORT = 4
OUTCOMES_NOTE = (
    f"Ratings, scores and goals show once {MIN_ANSWERS} different people have answered; "
    "what anyone wrote stays with them."
)


def percent(share: float | None, none: str = "n/a") -> str:
    """A share as a whole percentage, or `none` when there is nothing to divide by."""
    return none if share is None else f"{round(share * 100)}%"


def duration(seconds: float | None) -> str:
    """A median duration: days with one decimal, whole hours under a day, "n/a" without one."""
    if seconds is None:
        return "n/a"
    if seconds < 86400:
        return plural(round(seconds / 3600), "hour")
    days = seconds / 86400
    return f"{days:.1f} days"


def _rating(label: str, rating: Rating | None, scale: str = " of 5") -> str:
    return f"{label} {NOT_ENOUGH}" if rating is None else f"{label} {rating.value:.1f}{scale}"


def _recommend(rating: Rating | None) -> str:
    return f"recommend {NOT_ENOUGH}" if rating is None else f"recommend {rating.value:+.0f}"


def group_label(group: GroupOutcomes) -> str:
    """The group's name as a line starts it: a cohort (ended or running), open-ended, all pairs."""
    name = f"*{escape_text(group.name)}*"
    if group.cohort_id is not None:
        name += " (ended)" if group.cohort_ended else " (running)"
    return name


def group_line(group: GroupOutcomes) -> str:
    """One group's outcomes in two short lines of mrkdwn."""
    head = (
        f"{group_label(group)} · {plural(group.pairs, 'pair')}: {group.active} active, "
        f"{group.paused} paused, {group.ended_early} ended early, {group.completed} completed"
    )
    survival = " / ".join(percent(group.survival_at(days).share, NOT_YET) for days in SURVIVAL_DAYS)
    parts = [
        f"matched {duration(group.signup_to_match)} after sign-up",
        f"first meeting {duration(group.match_to_meeting)} after the match",
        f"met {percent(group.met_share)}",
        f"still going at {'/'.join(str(d) for d in SURVIVAL_DAYS)} days {survival}",
    ]
    if not group.is_open_ended:
        if group.completion is None:
            parts.append("completed: " + ("no cohort has ended yet" if group.is_total else "still running"))
        else:
            of = " of ended cohorts' pairs" if group.is_total else ""
            parts.append(f"completed {percent(group.completion)}{of}")
    if group.goals is None and group.midpoint is None and group.closing is None and group.recommend is None:
        parts.append(f"goals and ratings: {NOT_ENOUGH}")
    else:
        goals = group.goals
        parts.append(
            f"goals {NOT_ENOUGH}"
            if goals is None
            else f"goals achieved {goals.achieved} of {goals.total} (partly {goals.partly})"
        )
        parts += [
            _rating("midpoint", group.midpoint),
            _rating("closing", group.closing),
            _recommend(group.recommend),
        ]
    return head + "\n      " + " · ".join(parts)


def shown_groups(outcomes: Outcomes, max_cohorts: int) -> tuple[list[GroupOutcomes], int]:
    """The latest `max_cohorts` cohorts, then open-ended pairs and all pairs; and how many were left out."""
    cohorts = list(outcomes.cohorts)
    hidden = max(0, len(cohorts) - max_cohorts)
    groups = cohorts[hidden:] + [g for g in outcomes.groups if g.is_open_ended]
    if len(outcomes.groups) > 1 or not groups:
        groups.append(outcomes.total)  # one group alone is already the whole program
    return groups, hidden


def outcome_text(outcomes: Outcomes, max_cohorts: int = MAX_COHORTS_HOME) -> str:
    """The program's outcomes as mrkdwn: a title, one line per group, what is left out."""
    groups, hidden = shown_groups(outcomes, max_cohorts)
    lines = [f"*Outcomes of {escape_text(outcomes.program_name)}*"]
    if outcomes.total.pairs == 0:
        lines.append("No pairs yet.")
    else:
        lines += [f"• {group_line(group)}" for group in groups]
    if hidden:
        lines.append(f"…and {plural(hidden, 'earlier cohort')}: `/mentor export` has them all.")
    lines.append(f"_{OUTCOMES_NOTE}_")
    return clip("\n".join(lines), MAX_SECTION_TEXT)


def outcomes_block(outcomes: Outcomes, max_cohorts: int = MAX_COHORTS_HOME) -> SectionBlock:
    """One section holding the program's outcome lines."""
    return SectionBlock(text=mrkdwn(outcome_text(outcomes, max_cohorts)))
