"""Messages and modals about pairs: announcement, kickoff, match review, lists, ending and feedback."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot import ids
from bot.enrollment import Story
from bot.pairing import ProgramLists, ProposalLine
from bot.programs import CADENCES
from bot.views.common import MAX_BLOCKS_VIEW, clip, context, escape_text, mrkdwn, plural, render, user

# A checkbox group holds at most 10 options; the review modal shows this many groups.
PROPOSALS_PER_GROUP = 10
MAX_REVIEW_GROUPS = 40


def announcement_message(pairs: Sequence[tuple[str, str]], program_name: str) -> dict:
    """The channel post for new pairs (mentor, mentee), one post for all: names only, no profiles."""
    program = escape_text(program_name)
    if len(pairs) == 1:
        ((mentor, mentee),) = pairs
        text = (
            f":tada: New mentorship in *{program}*: {user(mentor)} is mentoring {user(mentee)}. "
            "Welcome to the program, both of you!"
        )
        return {"text": text, "blocks": render([SectionBlock(text=mrkdwn(text))])}
    lines = "\n".join(f"• {user(mentor)} is mentoring {user(mentee)}" for mentor, mentee in pairs)
    head = f":tada: {plural(len(pairs), 'new mentorship')} in *{program}*:"
    text = clip(f"{head}\n{lines}\nWelcome to the program, all of you!", 2900)
    return {"text": text, "blocks": render([SectionBlock(text=mrkdwn(text))])}


def kickoff_message(
    pair_id: int,
    mentor_user_id: str,
    mentee_user_id: str,
    program_name: str,
    reason: str | None,
    cadence: str,
    stories: tuple[Story, Story] = (Story(), Story()),
) -> dict:
    """The group DM that introduces mentor and mentee and asks them to agree how they will meet.

    `stories` are the mentor's and the mentee's motivations and background, shown to both.
    """
    why = f"Why you two: {escape_text(reason)}." if reason else "An admin of the program paired you."
    blocks: list[Block] = [
        HeaderBlock(text="Meet your mentorship partner"),
        SectionBlock(
            text=mrkdwn(
                f"{user(mentor_user_id)} is the *mentor* and {user(mentee_user_id)} the *mentee* "
                f"in *{escape_text(program_name)}*.\n{why}"
            )
        ),
        *[
            SectionBlock(text=mrkdwn(text))
            for member, story in zip((mentor_user_id, mentee_user_id), stories, strict=True)
            if (text := story_text(member, story))
        ],
        SectionBlock(
            text=mrkdwn(
                "*Start by setting expectations.* Before anything else, agree together:\n"
                "• how often you meet (the program suggests "
                f"{CADENCES.get(cadence, 'every two weeks')}),\n"
                "• on which day and time, and in whose time zone,\n"
                "• how you meet: video, in person or chat.\n"
                f"{user(mentee_user_id)}, then think about one or two goals you want to reach."
            )
        ),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="Agree how we meet",
                    action_id=ids.AGREEMENT_OPEN,
                    value=str(pair_id),
                    style="primary",
                ),
                ButtonElement(text="Set a goal (mentee)", action_id=ids.GOAL_NEW, value=str(pair_id)),
            ]
        ),
        context("Mentors: ask about progress rather than handing out answers."),
    ]
    text = f"{user(mentor_user_id)} will mentor {user(mentee_user_id)} in {escape_text(program_name)}."
    return {"text": text, "blocks": render(blocks)}


def story_text(user_id: str, story: Story) -> str:
    """A member's motivations and background in mrkdwn, for their partner; empty if they wrote none."""
    lines = []
    if story.motivations:
        lines.append(f"*Hopes to get:* {escape_text(clip(story.motivations, 1200))}")
    if story.background:
        lines.append(f"*Background:* {escape_text(clip(story.background, 1200))}")
    return f"*About {user(user_id)}*\n" + "\n".join(lines) if lines else ""


def match_review_modal(run_id: int, program_name: str, proposals: list[ProposalLine], unmatched: int) -> dict:
    """The admin's review of proposed pairs: untick any to drop, then confirm."""
    blocks: list[Block] = []
    shown = proposals[: PROPOSALS_PER_GROUP * MAX_REVIEW_GROUPS]
    summary = f"{plural(len(proposals), 'proposed pair')} for *{escape_text(program_name)}*."
    if unmatched:
        have = "has" if unmatched == 1 else "have"
        summary += f" {plural(unmatched, 'mentee')} {have} no suitable mentor with free capacity."
    if len(shown) < len(proposals):
        summary += f" The first {len(shown)} are shown; run `/mentor match` again after confirming."
    blocks.append(SectionBlock(text=mrkdwn(summary)))
    if not shown:
        blocks.append(SectionBlock(text=mrkdwn("There is nobody to pair right now.")))
    for page, start in enumerate(range(0, len(shown), PROPOSALS_PER_GROUP)):
        lines = shown[start : start + PROPOSALS_PER_GROUP]
        # Reasons in full above the boxes: an option's description would cut them at 75 characters.
        why = "\n".join(
            f"• {user(line.mentor_user_id)} → {user(line.mentee_user_id)}: {escape_text(line.reason)}"
            for line in lines
        )
        blocks.append(SectionBlock(text=mrkdwn(why)))
        options = [
            Option(
                value=str(line.proposal_id),
                text=mrkdwn(clip(f"{user(line.mentor_user_id)} → {user(line.mentee_user_id)}", 75)),
            )
            for line in lines
        ]
        blocks.append(
            InputBlock(
                block_id=ids.encode_match_keep(page),
                label="Mentor → mentee" if page == 0 else " ",
                optional=True,
                element=CheckboxesElement(action_id=ids.VALUE, options=options, initial_options=options),
            )
        )
    assert len(blocks) <= MAX_BLOCKS_VIEW
    return View(
        type="modal",
        callback_id=ids.MATCH_MODAL,
        title="Proposed pairs",
        submit="Confirm pairs" if shown else None,
        close="Cancel",
        private_metadata=ids.encode_match_metadata(run_id, [line.proposal_id for line in shown]),
        blocks=blocks,
    ).to_dict()


def status_notice(action: str, by_user_id: str, partner_user_id: str) -> str:
    """What a member is told when their pair is paused, resumed or ended by someone."""
    verb = {"pause": "paused", "resume": "resumed", "end": "ended"}[action]
    if by_user_id == partner_user_id:
        return f"{user(by_user_id)} {verb} your mentorship."
    return f"{user(by_user_id)} {verb} your mentorship with {user(partner_user_id)}."


def ended_message(
    pair_id: int, partner_user_id: str, by_user_id: str | None, next_step: str | None = None
) -> dict:
    """The DM after a pair ends: thanks, and a button for private feedback.

    It names who ended it only when that was the partner: an end by an admin reads like any other,
    so it never hints that someone answered the private fit question with "not a fit".
    """
    who = f" ({user(by_user_id)} ended it)" if by_user_id and by_user_id == partner_user_id else ""
    text = (
        f"Your mentorship with {user(partner_user_id)} has ended{who}. "
        "Thank you for the time and care you gave it!"
    )
    if next_step:
        text += f" {next_step}"
    blocks: list[Block] = [
        SectionBlock(text=mrkdwn(text)),
        ActionsBlock(
            elements=[ButtonElement(text="Give feedback", action_id=ids.FEEDBACK_OPEN, value=str(pair_id))]
        ),
        context("Feedback goes to the program's admins only as totals, never with your name."),
    ]
    return {"text": text, "blocks": render(blocks)}


REPAIR_NEXT_STEP = "The program admins will suggest a new pairing for you."


def waiting_goals_message(new_pair_id: int, mentor_user_id: str, goals: int) -> dict:
    """Asked of a mentee paired again: bring the open goals of their last mentorship, or close them."""
    text = (
        f"You have {plural(goals, 'open goal')} from your last mentorship. Bring "
        f"{'it' if goals == 1 else 'them'} to your new mentorship with {user(mentor_user_id)}, or close "
        f"{'it' if goals == 1 else 'them'}?"
    )
    blocks: list[Block] = [
        SectionBlock(text=mrkdwn(text)),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="Bring my goals to the new mentorship",
                    action_id=ids.GOALS_BRING,
                    value=str(new_pair_id),
                    style="primary",
                ),
                ButtonElement(text="Close them", action_id=ids.GOALS_CLOSE, value=str(new_pair_id)),
            ]
        ),
    ]
    return {"text": text, "blocks": render(blocks)}


def goals_carried_text(choice: str, goals: int, mentor_user_id: str) -> str:
    """What the mentee's goals question says once answered."""
    if choice == "bring":
        return f"Done: {plural(goals, 'goal')} moved to your mentorship with {user(mentor_user_id)}."
    return f"Done: {plural(goals, 'goal')} from your last mentorship closed."


def end_confirmation(pair_id: int, asker_user_id: str, mentor_user_id: str, mentee_user_id: str) -> dict:
    """The ephemeral `/mentor end` answers with: end it, or keep it."""
    if asker_user_id in (mentor_user_id, mentee_user_id):
        partner = mentee_user_id if asker_user_id == mentor_user_id else mentor_user_id
        text = f"End your mentorship with {user(partner)} for both of you?"
    else:
        text = f"End the mentorship of {user(mentor_user_id)} and {user(mentee_user_id)}?"
    blocks: list[Block] = [
        SectionBlock(text=mrkdwn(text)),
        ActionsBlock(
            elements=[
                ButtonElement(text="End it", action_id=ids.END_CONFIRM, value=str(pair_id), style="danger"),
                ButtonElement(text="Keep it", action_id=ids.END_KEEP, value=str(pair_id)),
            ]
        ),
    ]
    return {"text": text, "blocks": render(blocks)}


KEPT = "Kept: nothing changed."


def feedback_modal(pair_id: int, partner_user_id: str) -> dict:
    """A rating and a comment on an ended pair."""
    ratings = [Option(value=str(n), text=f"{n} {'★' * n}") for n in range(5, 0, -1)]
    return View(
        type="modal",
        callback_id=ids.FEEDBACK_MODAL,
        title="Mentorship feedback",
        submit="Send",
        close="Skip",
        private_metadata=str(pair_id),
        blocks=[
            SectionBlock(text=mrkdwn(f"How was your mentorship with {user(partner_user_id)}?")),
            InputBlock(
                block_id=ids.FEEDBACK_RATING,
                label="Overall",
                element=StaticSelectElement(action_id=ids.VALUE, options=ratings),
            ),
            InputBlock(
                block_id=ids.FEEDBACK_COMMENT,
                label="Anything the program should know?",
                optional=True,
                element=PlainTextInputElement(action_id=ids.VALUE, multiline=True, max_length=1000),
            ),
        ],
    ).to_dict()


LIST_PAGE_SIZE = 20


def list_modal(lists: ProgramLists, page: int, program_id: int, requests: str | None = None) -> dict:
    """An admin's paginated overview of the program."""
    sections = [
        ("Mentors with free capacity", [f"{user(u)}: {n} of {cap}" for u, n, cap in lists.mentors_with_room]),
        ("Unpaired mentees", [user(u) for u in lists.unpaired_mentees]),
        ("Active pairs", [f"{user(m)} → {user(e)}" for m, e in lists.active_pairs]),
        ("Paused pairs", [f"{user(m)} → {user(e)}" for m, e in lists.paused_pairs]),
    ]
    pages = max(1, *(-(-len(items) // LIST_PAGE_SIZE) for _, items in sections))
    page = min(max(page, 0), pages - 1)
    blocks: list[Block] = [HeaderBlock(text=clip(lists.program_name, 150))]
    for title, items in sections:
        chunk = items[page * LIST_PAGE_SIZE : (page + 1) * LIST_PAGE_SIZE]
        body = "\n".join(chunk) if chunk else ("_none_" if not items else "_no more on this page_")
        blocks.append(SectionBlock(text=mrkdwn(f"*{title}* ({len(items)})\n{body}")))
    if lists.at_risk_pairs:
        risky = ", ".join(f"{user(m)} → {user(e)}" for m, e in lists.at_risk_pairs[:LIST_PAGE_SIZE])
        blocks.append(SectionBlock(text=mrkdwn(f"*At risk* (2+ check-ins unanswered)\n{risky}")))
    if lists.undelivered:
        failed = [f"{count} ({error})" for state, error, count in lists.undelivered if state == "failed"]
        waiting = [f"{count} ({error})" for state, error, count in lists.undelivered if state == "waiting"]
        if failed:
            blocks.append(context(f"Undelivered messages: {', '.join(failed)}."))
        if waiting:
            blocks.append(context(f"Waiting for Slack, retried until they go out: {', '.join(waiting)}."))
    if requests:
        blocks.append(context(requests))
    if lists.feedback_count:
        blocks.append(
            context(
                f"Closing feedback: {plural(lists.feedback_count, 'rating')}, "
                f"average {lists.average_rating:.1f} of 5."
            )
        )
    blocks.append(DividerBlock())
    buttons = []
    if page > 0:
        buttons.append(ButtonElement(text="Previous", action_id=ids.LIST_PREVIOUS, value=str(page - 1)))
    if page + 1 < pages:
        buttons.append(ButtonElement(text="Next", action_id=ids.LIST_NEXT, value=str(page + 1)))
    if buttons:
        blocks.append(ActionsBlock(elements=buttons))
    blocks.append(ContextBlock(elements=[mrkdwn(f"Page {page + 1} of {pages}")]))
    return View(
        type="modal",
        callback_id=ids.LIST_MODAL,
        title="Program overview",
        close="Close",
        private_metadata=str(program_id),
        blocks=blocks,
    ).to_dict()


FINDING = "Finding the best pairs… this takes a few seconds."


def notice_modal(title: str, text: str) -> dict:
    """A modal that only says something: a loading notice, or thanks."""
    return View(
        type="modal", title=clip(title, 24), close="Close", blocks=[SectionBlock(text=mrkdwn(text))]
    ).to_dict()


def match_confirmed_modal(count: int) -> dict:
    """What the match review turns into once confirmed."""
    if not count:
        return notice_modal("Proposed pairs", "No new pairs: the proposals you kept were paired already.")
    return notice_modal(
        "Proposed pairs", f"Confirmed {plural(count, 'new pair')}. I am introducing them now."
    )
