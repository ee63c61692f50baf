"""The App Home tab: a person's programs and pairs with their actions, or a welcome."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    DividerBlock,
    HeaderBlock,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot import ids
from bot.commands import Subcommand
from bot.home import Enrollment, HomeSnapshot, PairSummary
from bot.views.checkins import MET_LABELS
from bot.views.common import (
    MAX_BLOCKS_VIEW,
    clip,
    context,
    day_phrase,
    escape_text,
    escaped,
    mrkdwn,
    plural,
    time_phrase,
    user,
)
from bot.views.goals import goal_line
from bot.views.insights import insights_blocks

# A pair takes two blocks and each shown goal up to two more; past these numbers the rest are
# summarised so the tab stays within Slack's 100-block limit.
MAX_LISTED_PAIRS = 8
MAX_GOALS_PER_PAIR = 3


def home_view(snapshot: HomeSnapshot, subcommands: list[Subcommand]) -> dict:
    """The Home tab for `snapshot`, as a `views.publish` view; admins get their programs on top."""
    blocks: list[Block] = [HeaderBlock(text="Mentorship")]
    if not snapshot.enrollments and not snapshot.pairs:
        blocks += _welcome(snapshot.user_id)
    else:
        blocks += _programs(snapshot)
        blocks += _asking(snapshot)
        blocks += _pairs(snapshot)
    blocks += [DividerBlock(), *_commands(subcommands)]
    if snapshot.health:
        # The admin section takes what the person's own part leaves, less a divider between them.
        asking = [context(line) for line in snapshot.request_lines[:3]]
        room = MAX_BLOCKS_VIEW - len(blocks) - 1 - len(asking)
        admin = insights_blocks(snapshot.health, room, snapshot.outcomes)
        blocks = [*admin, *asking, DividerBlock(), *blocks] if admin else blocks
    assert len(blocks) <= MAX_BLOCKS_VIEW, "home view over Slack's block limit"
    return View(type="home", blocks=blocks).to_dict()


def _welcome(user_id: str) -> list[Block]:
    return [
        SectionBlock(
            text=mrkdwn(
                f"Welcome, {user(user_id)}! mentorbot pairs mentors and mentees in this workspace, "
                "helps each pair agree how they will meet, keeps SMART goals, and checks in on "
                "their progress."
            )
        ),
        SectionBlock(text=mrkdwn("You are not in a mentorship program yet.")),
        ActionsBlock(
            elements=[ButtonElement(text="Join mentoring", action_id=ids.HOME_PROFILE, style="primary")]
        ),
    ]


def _cohort(enrollment: Enrollment) -> str:
    if enrollment.cohort is None:
        return ""
    name, starts, ends = enrollment.cohort
    return f", in {escape_text(name)} ({starts.day} {starts:%B} to {ends.day} {ends:%B})"


def _programs(snapshot: HomeSnapshot) -> list[Block]:
    if not snapshot.enrollments:
        return []
    lines = [f"• *{escape_text(e.program_name)}*: {e.role}{_cohort(e)}" for e in snapshot.enrollments]
    return [
        SectionBlock(
            text=mrkdwn("*Your programs*\n" + "\n".join(lines)),
            accessory=ButtonElement(text="Edit profile", action_id=ids.HOME_PROFILE),
        )
    ]


def _asking(snapshot: HomeSnapshot) -> list[Block]:
    blocks: list[Block] = []
    for asking in snapshot.asking[:3]:
        program = escape_text(asking.program_name)
        if asking.request_id is not None and asking.mentor_user_id and asking.expires_at:
            blocks.append(
                SectionBlock(
                    text=mrkdwn(
                        f"*{program}*: your request to {user(asking.mentor_user_id)} waits for an answer "
                        f"until {day_phrase(asking.expires_at)}."
                    ),
                    accessory=ButtonElement(
                        text="Withdraw", action_id=ids.REQUEST_WITHDRAW, value=str(asking.request_id)
                    ),
                )
            )
        else:
            blocks.append(
                SectionBlock(
                    text=mrkdwn(f"*{program}*: see the mentors with room who would suit you, and ask one."),
                    accessory=ButtonElement(
                        text="Find a mentor",
                        action_id=ids.HOME_FIND_MENTOR,
                        value=str(asking.program_id),
                        style="primary",
                    ),
                )
            )
    return blocks


def _pairs(snapshot: HomeSnapshot) -> list[Block]:
    if not snapshot.pairs:
        return [SectionBlock(text=mrkdwn("*Your pairs*\nYou have no mentorship pair yet."))]
    blocks: list[Block] = [SectionBlock(text=mrkdwn("*Your pairs*"))]
    for pair in snapshot.pairs[:MAX_LISTED_PAIRS]:
        partner_role = "mentee" if pair.role == "mentor" else "mentor"
        lines = [
            f"Your {partner_role} {user(pair.partner_user_id)}, {pair.status} since {day_phrase(pair.since)}",
            f"Meeting {pair.agreement}" if pair.agreement else "_No agreement yet on how you meet._",
        ]
        if pair.next_meeting:
            lines.append(f"Next meeting: {time_phrase(pair.next_meeting)}")
        if pair.last_checkin:
            answer = MET_LABELS.get(pair.last_checkin_met or "", "not answered yet")
            lines.append(f"Last check-in: {day_phrase(pair.last_checkin)} ({answer.lower()})")
        if pair.partner_story.motivations:
            lines.append(f"They hope to get: {escaped(pair.partner_story.motivations, 400)}")
        if pair.partner_story.background:
            lines.append(f"Their background: {escaped(pair.partner_story.background, 400)}")
        blocks.append(SectionBlock(text=mrkdwn("\n".join(lines))))
        if meeting := _meeting_lines(pair):
            blocks.append(SectionBlock(text=mrkdwn(clip(meeting, 3000))))
        blocks.append(ActionsBlock(block_id=f"pair_{pair.pair_id}", elements=_pair_buttons(pair)))
        blocks += _goals(pair)
    hidden = len(snapshot.pairs) - MAX_LISTED_PAIRS
    if hidden > 0:
        blocks.append(context(f"…and {plural(hidden, 'more pair')}."))
    return blocks


def _goals(pair: PairSummary) -> list[Block]:
    blocks: list[Block] = []
    for card in pair.goals[:MAX_GOALS_PER_PAIR]:
        accessory = None
        if card.is_mentor:
            accessory = ButtonElement(
                text="Give feedback", action_id=ids.GOAL_FEEDBACK_OPEN, value=str(card.goal_id)
            )
        blocks.append(SectionBlock(text=mrkdwn(goal_line(card)), accessory=accessory))
        if card.is_owner and card.status == "active":
            value = str(card.goal_id)
            blocks.append(
                ActionsBlock(
                    elements=[
                        ButtonElement(text="Update progress", action_id=ids.PROGRESS_OPEN, value=value),
                        ButtonElement(text="Change", action_id=ids.GOAL_EDIT_OPEN, value=value),
                        ButtonElement(text="Close goal", action_id=ids.GOAL_CLOSE_OPEN, value=value),
                    ]
                )
            )
    hidden = len(pair.goals) - MAX_GOALS_PER_PAIR
    if hidden > 0:
        blocks.append(context(f"…and {plural(hidden, 'more goal')}: `/mentor goals` lists them all."))
    return blocks


def _meeting_lines(pair: PairSummary) -> str:
    """The next meeting's agenda, the mentor's questions for it and the open action items."""
    lines = []
    if pair.upcoming:
        agenda = pair.agenda
        if agenda is not None and not agenda.empty:
            parts = [text for text in (agenda.topics, agenda.questions) if text]
            lines.append("*Agenda:* " + escaped(" · ".join(parts) or "what went well and what was hard", 600))
        elif pair.role == "mentee":
            lines.append("*Agenda:* nothing yet; add to it from the meeting's message in your DM.")
        if pair.questions:
            asked = "\n".join(f"   • {escaped(q, 300)}" for q in pair.questions)
            lines.append(f"*Questions to ask* (only you see these):\n{asked}")
    if pair.actions:
        items = "\n".join(
            f"   • {escaped(a.text, 200)} ({user(a.owner_user_id)}"
            f"{f', by {a.due_on:%d %b}' if a.due_on else ''}){' — *late*' if a.late else ''}"
            for a in pair.actions[:MAX_HOME_ACTIONS]
        )
        lines.append(f"*Open action items*\n{items}")
    return "\n".join(lines)


MAX_HOME_ACTIONS = 3


def _pair_buttons(pair: PairSummary) -> list[ButtonElement]:
    value = str(pair.pair_id)
    toggle = (
        ButtonElement(text="Resume", action_id=ids.PAIR_RESUME, value=value)
        if pair.status == "paused"
        else ButtonElement(text="Pause", action_id=ids.PAIR_PAUSE, value=value)
    )
    end = ButtonElement(
        text="End mentorship",
        action_id=ids.PAIR_END,
        value=value,
        style="danger",
        confirm=ConfirmObject(
            title="End this mentorship?",
            text=f"This ends your mentorship with {user(pair.partner_user_id)} for both of you.",
            confirm="End it",
            deny="Keep it",
        ),
    )
    buttons = [ButtonElement(text="How we meet", action_id=ids.AGREEMENT_OPEN, value=value)]
    if pair.role == "mentee" and pair.status == "active":
        buttons.append(ButtonElement(text="New goal", action_id=ids.GOAL_NEW, value=value))
    if pair.role == "mentor" and pair.status == "active":
        buttons.append(ButtonElement(text="Introduce someone", action_id=ids.HOME_CONNECT, value=value))
    if pair.meeting_id is not None:
        buttons.append(
            ButtonElement(text="Meeting notes", action_id=ids.MEETING_NOTES_OPEN, value=str(pair.meeting_id))
        )
        buttons.append(ButtonElement(text="Our meetings", action_id=ids.MEETING_HISTORY_OPEN, value=value))
    buttons += [
        ButtonElement(
            text=clip(f"Done: {a.text}", 75),
            action_id=ids.encode_action_done(a.item_id),
            value=str(a.item_id),
        )
        for a in pair.actions[:MAX_HOME_ACTIONS]
    ]
    return [*buttons, toggle, end]


def _commands(subcommands: list[Subcommand]) -> list[Block]:
    lines = [f"`{sub.example}`: {sub.summary}" for sub in subcommands if not sub.admin_only]
    return [SectionBlock(text=mrkdwn("*Commands*\n" + "\n".join(lines)))]
