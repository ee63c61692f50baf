"""Browsing mentors, asking one, and the answers: pure functions of plain data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    InputBlock,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot import ids
from bot.enrollment import Story
from bot.forms import MAX_LENGTH
from bot.views.common import clip, context, day_phrase, escape_text, escaped, mrkdwn, plural, render, user

NO_ROOM = (
    "There is no room left for another mentee: decline the request, or take more mentees in "
    "`/mentor profile` first."
)
NO_ROOM_ADMIN = "The mentor has no room left for another mentee: decline the request."
MOOT = (
    "That request no longer stands (the mentee has a mentor now, or one of you left the program), "
    "so it is withdrawn."
)
OUT_OF_DATE = "This form is out of date: open it again."
APPROVED = "Approved: they are paired, and I am introducing them."
TALKING_ALREADY = "Your group message with them is open already."
MAX_SKILL_OPTIONS = 98  # a static select holds 100: "any skill", 98 of the program's, and one typed
MAX_SKILL = 75  # a select option's text


@dataclass(frozen=True)
class MentorCard:
    """A mentor a mentee may ask, and why they would suit."""

    person_id: int
    user_id: str
    name: str
    reason: str
    offers: tuple[str, ...]
    free: int
    score: float = 0.0


@dataclass(frozen=True)
class Browsing:
    """A page of the mentors a mentee may ask."""

    program_id: int
    program_name: str
    can_ask: bool
    skill: str | None
    skills: tuple[str, ...]
    page: int
    pages: int
    total: int
    cards: tuple[MentorCard, ...]
    waiting_for: str | None = None  # the mentor their open request waits for


def browse_modal(browsing: Browsing) -> dict:
    """The mentors with room, best suited first, with a skill filter and pages."""
    skills = [clip(skill, MAX_SKILL) for skill in browsing.skills[:MAX_SKILL_OPTIONS]]
    if browsing.skill and browsing.skill not in skills:
        skills.append(browsing.skill)  # typed after `/mentor mentors`, not one of the program's
    options = [Option(value=ids.ANY_SKILL, text="Any skill")] + [Option(value=s, text=s) for s in skills]
    chosen = next((o for o in options if o.value == browsing.skill), options[0])
    blocks: list[Block] = [
        ActionsBlock(
            block_id=ids.BROWSE_SKILL,
            elements=[
                StaticSelectElement(action_id=ids.BROWSE_SKILL, options=options, initial_option=chosen)
            ],
        )
    ]
    if browsing.waiting_for:
        blocks.append(
            context(
                f"Your request to {user(browsing.waiting_for)} waits for an answer; "
                "withdraw it on Home to ask someone else."
            )
        )
    elif not browsing.can_ask:
        blocks.append(
            context(
                f"In {escape_text(browsing.program_name)} admins pair people: "
                "ask one of them for the mentor you would like."
            )
        )
    if not browsing.cards:
        blocks.append(
            SectionBlock(
                text=mrkdwn(
                    "No mentor with room right now"
                    + (f" offers {escape_text(browsing.skill)}" if browsing.skill else "")
                    + ". Try another skill, or look again in a few days."
                )
            )
        )
    for card in browsing.cards:
        offers = ", ".join(escape_text(s) for s in card.offers[:6]) + (", …" if len(card.offers) > 6 else "")
        section = SectionBlock(
            text=mrkdwn(
                f"*{user(card.user_id)}*: {escape_text(card.reason)}\nOffers: {offers or 'not said'}"
            ),
            accessory=ButtonElement(text="Ask", action_id=ids.BROWSE_ASK, value=str(card.person_id))
            if browsing.can_ask and not browsing.waiting_for
            else None,
        )
        blocks += [section, ContextBlock(elements=[mrkdwn(f"Room for {plural(card.free, 'more mentee')}")])]
    buttons = []
    if browsing.page > 0:
        buttons.append(
            ButtonElement(text="Previous", action_id=ids.BROWSE_PAGE, value=str(browsing.page - 1))
        )
    if browsing.page + 1 < browsing.pages:
        buttons.append(ButtonElement(text="Next", action_id=ids.BROWSE_PAGE, value=str(browsing.page + 1)))
    if buttons:
        blocks += [DividerBlock(), ActionsBlock(block_id="browse_pages", elements=buttons)]
    blocks.append(
        context(
            f"{plural(browsing.total, 'mentor')} with room · page {browsing.page + 1} of {browsing.pages}"
        )
    )
    return View(
        type="modal",
        callback_id=ids.BROWSE_MODAL,
        title="Find a mentor",
        close="Close",
        private_metadata=ids.encode_browse_metadata(browsing.program_id, browsing.skill),
        blocks=blocks,
    ).to_dict()


def ask_modal(program_id: int, mentor_id: int, mentor_name: str) -> dict:
    """Ask one mentor, with a short note."""
    return View(
        type="modal",
        callback_id=ids.ASK_MODAL,
        title="Ask a mentor",
        submit="Ask",
        close="Back",
        private_metadata=ids.encode_ask_metadata(program_id, mentor_id),
        blocks=[
            SectionBlock(
                text=mrkdwn(
                    f"You are asking *{escape_text(mentor_name)}* to mentor you. "
                    "They see your profile and this note."
                )
            ),
            InputBlock(
                block_id=ids.ASK_NOTE,
                label="A short note",
                optional=True,
                hint="Why them, and what you hope to work on.",
                element=PlainTextInputElement(
                    action_id=ids.VALUE, multiline=True, max_length=MAX_LENGTH[ids.ASK_NOTE]
                ),
            ),
        ],
    ).to_dict()


def asked_modal(mentor_user_id: str, expires_at: datetime) -> dict:
    """What the request form turns into once sent."""
    return View(
        type="modal",
        title="Ask a mentor",
        close="Close",
        blocks=[
            SectionBlock(
                text=mrkdwn(
                    f"Sent: {user(mentor_user_id)} has until {day_phrase(expires_at)} to answer. "
                    "You can withdraw it from your Home tab."
                )
            )
        ],
    ).to_dict()


@dataclass(frozen=True)
class RequestView:
    """A request as its messages show it."""

    request_id: int
    program_name: str
    mentee_user_id: str
    mentor_user_id: str
    growth_areas: tuple[str, ...]
    experience: str | None
    story: Story
    note: str | None
    status: str
    expires_at: datetime
    approval: bool  # admins approve what the mentor accepts
    decline_reason: str | None = None
    why: str | None = None  # who closed it, as it closes: mentor, admins, full or expired


STATUS_LINES = {
    "accepted": "✓ Accepted: you are introduced in a group message.",
    "approving": "✓ You accepted: the program's admins approve it, then you are introduced.",
    "declined": "You declined; they have been told, kindly, and shown other mentors.",
    "withdrawn": "They withdrew the request.",
    "expired": "The request expired before anyone answered.",
}


CLOSED_LINES = {
    "mentor": "You declined; they have been told, kindly, and shown other mentors.",
    "admins": "The program's admins did not approve it; they have been told, and shown other mentors.",
    "full": "Your last place went to another request, so this one closed; they have been told.",
    "expired": "The request expired before you answered.",
}


def request_message(view: RequestView) -> dict:
    """To the mentor: who asks, their profile and note, and the answers; once answered, what happened."""
    lines = [f"{user(view.mentee_user_id)} asks you to mentor them in *{escape_text(view.program_name)}*."]
    if view.growth_areas:
        lines.append(f"Wants to grow in: {', '.join(escape_text(a) for a in view.growth_areas[:8])}")
    if view.experience:
        lines.append(f"Experience: {escape_text(view.experience)}")
    if view.story.motivations:
        lines.append(f"Hopes to get: {escaped(view.story.motivations, 500)}")
    if view.note:
        lines.append(f">{escaped(view.note, 600)}")
    blocks: list[Block] = [SectionBlock(text=mrkdwn("\n".join(lines)))]
    if view.status == "pending":
        blocks += [
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text="Accept",
                        action_id=ids.REQUEST_ACCEPT,
                        value=str(view.request_id),
                        style="primary",
                    ),
                    ButtonElement(text="Decline", action_id=ids.REQUEST_DECLINE, value=str(view.request_id)),
                    ButtonElement(
                        text="Let's talk first", action_id=ids.REQUEST_TALK, value=str(view.request_id)
                    ),
                ]
            ),
            context(
                f"Answer by {day_phrase(view.expires_at)}."
                + (" Admins approve what you accept." if view.approval else "")
            ),
        ]
    else:
        line = CLOSED_LINES.get(view.why or "") if view.why else None
        blocks.append(context(line or STATUS_LINES.get(view.status, view.status)))
    return {"text": f"A mentoring request from {user(view.mentee_user_id)}", "blocks": render(blocks)}


def approval_message(view: RequestView) -> dict:
    """To the program's admins: a mentor accepted a request; approve or decline."""
    text = (
        f"{user(view.mentor_user_id)} accepted {user(view.mentee_user_id)}'s request to be their mentor in "
        f"*{escape_text(view.program_name)}*. Approve it to pair them."
    )
    blocks: list[Block] = [
        SectionBlock(text=mrkdwn(text)),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="Approve", action_id=ids.REQUEST_APPROVE, value=str(view.request_id), style="primary"
                ),
                ButtonElement(text="Decline", action_id=ids.REQUEST_DECLINE, value=str(view.request_id)),
            ]
        ),
    ]
    return {"text": text, "blocks": render(blocks)}


def decline_modal(request_id: int, channel: str | None, ts: str | None) -> dict:
    """Decline, with an optional reason the mentee reads."""
    return View(
        type="modal",
        callback_id=ids.DECLINE_MODAL,
        title="Decline the request",
        submit="Decline",
        close="Back",
        private_metadata=ids.encode_request_message(request_id, channel, ts),
        blocks=[
            InputBlock(
                block_id=ids.DECLINE_REASON,
                label="A word for them (optional)",
                optional=True,
                hint="They read it with a few other mentors to ask.",
                element=PlainTextInputElement(
                    action_id=ids.VALUE, multiline=True, max_length=MAX_LENGTH[ids.DECLINE_REASON]
                ),
            )
        ],
    ).to_dict()


def closed_notice(view: RequestView, others: tuple[MentorCard, ...], program_id: int) -> dict:
    """To the mentee, once: a declined or expired request, kindly, and who else to ask."""
    mentor = user(view.mentor_user_id)
    if view.why == "admins":
        first = f"The program's admins could not approve {mentor} as your mentor this time."
    elif view.why == "full":
        first = f"{mentor} has no room left for another mentee, so your request has closed."
    elif view.status == "expired":
        first = f"{mentor} could not answer your request in time, so it has closed."
    else:
        first = f"{mentor} cannot take you on as a mentee this time."
    if view.decline_reason:
        writer = "The admins" if view.why == "admins" else "They"
        first += f" {writer} wrote:\n>{escaped(view.decline_reason, 500)}"
    lines = [first]
    if others:
        lines.append("Mentors with room who would suit you:")
        lines += [f"• {user(card.user_id)}: {escape_text(card.reason)}" for card in others]
    blocks: list[Block] = [
        SectionBlock(text=mrkdwn("\n".join(lines))),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="Find a mentor",
                    action_id=ids.HOME_FIND_MENTOR,
                    value=str(program_id),
                    style="primary",
                )
            ]
        ),
    ]
    return {"text": first, "blocks": render(blocks)}


def talk_first_message(view: RequestView) -> dict:
    """In a group DM of the two: the mentor would like to talk before deciding."""
    text = (
        f"{user(view.mentee_user_id)}, {user(view.mentor_user_id)} would like to talk before deciding "
        "on your request. Find a moment for a short chat here; the request stays open until they answer."
    )
    return {"text": text}


def already(status: str) -> str:
    """The calm answer to a repeated or late click on a request."""
    return {
        "pending": "That request still waits for the mentor.",
        "approving": "That request waits for an admin's approval already.",
        "accepted": "That request was accepted already: the pair exists.",
        "declined": "That request was declined already.",
        "withdrawn": "That request was withdrawn, so it can no longer be answered.",
        "expired": "That request expired, so it can no longer be answered.",
    }.get(status, "That request is closed.")


@dataclass(frozen=True)
class RequestFigures:
    """A program's requests in counts and times, for admins."""

    pending: int
    approving: int
    expired: int
    accepted_share: float | None
    median_answer_hours: float | None


def figures_line(figures: RequestFigures) -> str:
    """One line for admins: requests waiting, expired, accepted, how fast answered."""
    parts = [f"{plural(figures.pending, 'request')} waiting for a mentor"]
    if figures.approving:
        parts.append(f"{figures.approving} for your approval")
    parts.append(f"{figures.expired} expired")
    if figures.accepted_share is not None:
        parts.append(f"{round(100 * figures.accepted_share)}% accepted")
    if figures.median_answer_hours is not None:
        hours = figures.median_answer_hours
        parts.append(
            f"answered in {hours:.0f} h (median)" if hours >= 1 else "answered within the hour (median)"
        )
    return "Requests: " + ", ".join(parts) + "."
