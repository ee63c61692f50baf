"""Program insights for admins: the Home tab's health section, the weekly report, a pair's nudge.

Pure functions of `bot.insights` data. They show counts and states, and name at-risk pairs by
their members; nothing here can show what a pair wrote, because the data never holds it.
"""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot import ids
from bot.insights import AtRiskPair, ProgramHealth, WeekPoint
from bot.outcomes import Outcomes
from bot.views.checkins import MET_LABELS
from bot.views.common import (
    MAX_BLOCKS_MESSAGE,
    clip,
    context,
    day_phrase,
    escape_text,
    mrkdwn,
    plural,
    render,
    user,
)
from bot.views.outcomes import MAX_COHORTS_REPORT, outcomes_block

# The nudge button's action id, derived from INSIGHTS_OPEN the way FIT_ANSWER's are; value: pair id.
# INSIGHTS_OPEN itself refreshes the section (value: program id).
NUDGE_PAIR = ids.INSIGHTS_NUDGE
MAX_AT_RISK_SHOWN = 10  # per program on the Home tab, budget permitting
MAX_AT_RISK_REPORTED = 15  # names in the weekly report
PRIVACY_NOTE = (
    "Counts and states only: what pairs write (goals, answers, agendas, notes, action items, feedback) "
    "stays between them."
)


def percent(share: float | None) -> str:
    """A share as a whole percentage, or "n/a" when there is nothing to divide by."""
    return "n/a" if share is None else f"{round(share * 100)}%"


def health_fields(health: ProgramHealth) -> list[str]:
    """The program's figures as short mrkdwn fields (at most 10, as a section allows)."""
    pulse = (
        f"{health.pulse_average:.1f} of 5 ({plural(health.pulse_answers, 'answer')})"
        if health.pulse_average is not None
        else "no answers yet"
    )
    return [
        f"*People*\n{plural(health.mentors, 'mentor')} · {plural(health.mentees, 'mentee')} · "
        f"{health.both} both",
        f"*Waiting for a pair*\n{plural(health.unpaired_mentees, 'mentee')} · "
        f"room for {health.free_mentor_capacity} more with {plural(health.mentors_with_room, 'mentor')}",
        f"*Pairs*\n{health.pairs_active} active · {health.pairs_paused} paused · {health.pairs_ended} ended",
        f"*Check-ins answered*\n{percent(health.answered_share)} "
        f"({health.checkins_answered} of {health.checkins})",
        f"*Said they met*\n{percent(health.met_share)} of answers "
        f"({health.met_yes} of {health.checkins_answered})",
        f"*Goals*\n{health.goals_set} set · {health.goals_achieved} achieved · "
        f"{health.goals_overdue} overdue",
        f"*Average pulse*\n{pulse}",
        f"*At risk*\n{plural(health.at_risk_count, 'pair')}",
        f"*Meetings prepared*\n{percent(health.prepared_share)} "
        f"({health.meetings_prepared} of {health.meetings})",
        f"*Action items done*\n{health.actions_done} of {health.actions}",
    ]


def _summary(health: ProgramHealth) -> SectionBlock:
    return SectionBlock(
        text=mrkdwn(f"*{escape_text(health.program_name)}*"),
        fields=[MarkdownTextObject(text=clip(field, 2000)) for field in health_fields(health)],
    )


def at_risk_line(pair: AtRiskPair) -> str:
    """Who, how many check-ins unanswered, since when: states only."""
    return (
        f"{user(pair.mentor_user_id)} → {user(pair.mentee_user_id)}: "
        f"{plural(pair.unanswered, 'check-in')} unanswered in a row, at risk since {day_phrase(pair.since)}"
    )


def _at_risk_blocks(program_id: int, pair: AtRiskPair) -> list[Block]:
    value = str(pair.pair_id)
    end = ButtonElement(
        text="End",
        action_id=ids.PAIR_END,
        value=value,
        style="danger",
        confirm=ConfirmObject(
            title="End this mentorship?",
            text=f"This ends the mentorship of {user(pair.mentor_user_id)} and {user(pair.mentee_user_id)} "
            "for both of them; each is asked for private feedback.",
            confirm="End it",
            deny="Keep it",
        ),
    )
    return [
        SectionBlock(text=mrkdwn(at_risk_line(pair))),
        ActionsBlock(
            block_id=f"insights_{program_id}_{pair.pair_id}",
            elements=[
                ButtonElement(text="Nudge pair", action_id=NUDGE_PAIR, value=value, style="primary"),
                ButtonElement(text="Pause", action_id=ids.PAIR_PAUSE, value=value),
                end,
            ],
        ),
    ]


def insights_blocks(
    healths: Sequence[ProgramHealth], max_blocks: int, outcomes: Sequence[Outcomes] = ()
) -> list[Block]:
    """The admin section of the Home tab in at most `max_blocks` blocks (nothing under 3).

    Each program gets one block of figures, its at-risk count among them, and one of outcome lines
    when `outcomes` has the program's (budget permitting). At-risk pairs (two blocks each, with
    Nudge pair, Pause and End) fill what is left, program by program, with a line saying how many
    more there are.
    """
    if not healths or max_blocks < 3:
        return []
    blocks: list[Block] = [
        HeaderBlock(text="Program health"),
        SectionBlock(
            text=mrkdwn(PRIVACY_NOTE),
            accessory=ButtonElement(
                text="Refresh", action_id=ids.INSIGHTS_OPEN, value=str(healths[0].program_id)
            ),
        ),
    ]
    by_program = {found.program_id: found for found in outcomes}
    heads: list[tuple[ProgramHealth, list[Block]]] = []
    for health in healths:
        head: list[Block] = [_summary(health)]
        if health.program_id in by_program:
            head.append(outcomes_block(by_program[health.program_id]))
        heads.append((health, head))
    room = max_blocks - len(blocks)
    if sum(len(head) for _, head in heads) > room:
        room -= 1  # for the line saying how many programs are left out
        fitted: list[tuple[ProgramHealth, list[Block]]] = []
        for health, head in heads:
            if len(head) > room:
                head = head[:1]  # the figures without the outcome lines
            if len(head) > room:
                break
            fitted.append((health, head))
            room -= len(head)
        heads = fitted
    hidden_programs = len(healths) - len(heads)
    free = max_blocks - len(blocks) - sum(len(head) for _, head in heads) - (1 if hidden_programs else 0)
    for health, head in heads:
        blocks += head
        rows = min(len(health.at_risk), MAX_AT_RISK_SHOWN)
        while rows > 0 and 2 * rows + (1 if rows < health.at_risk_count else 0) > free:
            rows -= 1
        if rows == 0:
            continue  # the figures still say how many pairs are at risk
        for pair in health.at_risk[:rows]:
            blocks += _at_risk_blocks(health.program_id, pair)
        free -= 2 * rows
        hidden = health.at_risk_count - rows
        if hidden > 0:
            blocks.append(
                context(
                    f"…and {plural(hidden, 'more at-risk pair')}: "
                    f"`/mentor list {escape_text(health.program_name)}` lists them all."
                )
            )
            free -= 1
    if hidden_programs:
        blocks.append(context(f"…and {plural(hidden_programs, 'more program')} you administer."))
    assert len(blocks) <= max_blocks, "insights section over its block budget"
    return blocks


def report_message(
    health: ProgramHealth, series: Sequence[WeekPoint], outcomes: Outcomes | None = None
) -> dict:
    """The weekly report DM for one program: figures, outcomes, the last weeks in numbers, at-risk pairs."""
    weeks = "; ".join(
        f"{point.week_start:%b} {point.week_start.day}: {point.meetings} met, {point.answered} answered"
        for point in series[-4:]
    )
    blocks: list[Block] = [
        HeaderBlock(text=clip(f"Weekly report: {health.program_name}", 150)),
        _summary(health),
        *([outcomes_block(outcomes, MAX_COHORTS_REPORT)] if outcomes is not None else []),
        SectionBlock(text=mrkdwn(f"*Recent weeks* (meetings, answered check-ins)\n{weeks or 'none yet'}")),
    ]
    if health.at_risk:
        lines = [f"• {at_risk_line(pair)}" for pair in health.at_risk[:MAX_AT_RISK_REPORTED]]
        more = health.at_risk_count - len(lines)
        if more > 0:
            lines.append(f"…and {more} more: `/mentor list {escape_text(health.program_name)}`")
        blocks.append(
            SectionBlock(
                text=mrkdwn("*At risk* (nudge, pause or end them from my Home tab)\n" + "\n".join(lines))
            )
        )
    chart = "meetings and answered check-ins per week"
    if outcomes is not None and outcomes.cohorts:
        chart += ", and the cohorts side by side"
    blocks.append(context(f"{PRIVACY_NOTE} The chart below shows {chart}."))
    assert len(blocks) <= MAX_BLOCKS_MESSAGE
    text = (
        f"Weekly report for {escape_text(health.program_name)}: "
        f"{plural(health.pairs_active, 'active pair')}, "
        f"{percent(health.answered_share)} of check-ins answered, {health.at_risk_count} at risk."
    )
    return {"text": text, "blocks": render(blocks), "comment": _as_comment(text, blocks)}


def _as_comment(text: str, blocks: Sequence[Block]) -> str:
    """The report as the mrkdwn comment of its chart, so that report and chart are one message."""
    parts = [text]
    for block in blocks[1:]:
        if isinstance(block, SectionBlock):
            parts.append(block.text.text if block.text else "")
            parts.extend(field.text for field in block.fields or ())
        elif isinstance(block, ContextBlock):
            parts.append(
                "_"
                + " ".join(getattr(e, "text", "") for e in block.elements).replace(
                    "The chart below", "The chart"
                )
                + "_"
            )
    return clip("\n".join(part for part in parts if part), 3900)


def nudge_message(
    admin_user_id: str, mentor_user_id: str, mentee_user_id: str, checkin_id: int | None
) -> dict:
    """A friendly nudge in the pair's DM, with the latest check-in's buttons when it is unanswered."""
    text = (
        f"{user(mentor_user_id)}, {user(mentee_user_id)}: your program admin {user(admin_user_id)} is "
        "checking in. Your last check-ins went unanswered; how is your mentorship going?"
    )
    blocks: list[Block] = [SectionBlock(text=mrkdwn(text))]
    if checkin_id is not None:
        blocks += [
            SectionBlock(text=mrkdwn("*Did you meet since the last check-in?*")),
            ActionsBlock(
                block_id=f"nudge_met_{checkin_id}",
                elements=[
                    ButtonElement(
                        text=label,
                        action_id=ids.encode_checkin_met_action(key),
                        value=ids.encode_checkin_met(checkin_id, key),
                    )
                    for key, label in MET_LABELS.items()
                ],
            ),
        ]
    blocks.append(context("A pause or an end is fine too: `/mentor pause` or `/mentor end`."))
    return {"text": text, "blocks": render(blocks)}
