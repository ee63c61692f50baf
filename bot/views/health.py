"""Messages about a pair's health: the fit question, the drift question, pulses, admin alerts."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, ConfirmObject, SectionBlock

from bot import ids
from bot.health import FIT_ANSWERS
from bot.views.common import context, mrkdwn, render, user


def fit_question(pair_id: int, partner_user_id: str) -> dict:
    """Asked privately of each member after their first meeting."""
    text = f"You have met {user(partner_user_id)}. Between us: is this mentorship a good fit?"
    blocks: list[Block] = [
        SectionBlock(text=mrkdwn(text)),
        ActionsBlock(
            elements=[
                ButtonElement(text=label, action_id=ids.encode_fit_answer(key), value=str(pair_id))
                for key, label in FIT_ANSWERS.items()
            ]
        ),
        context("Only the program's admins hear about it, and only if it is not a fit."),
    ]
    return {"text": text, "blocks": render(blocks)}


def fit_answered(answer: str) -> str:
    """A fit question once answered: the answer where its buttons were."""
    return (
        f"You answered privately: *{FIT_ANSWERS.get(answer, answer)}*. "
        "Only the program's admins hear about it, and only if it is not a fit."
    )


def not_fit_alert(pair_id: int, mentor_user_id: str, mentee_user_id: str) -> dict:
    """The admins' alert when a member says the pair is not a fit."""
    text = (
        f"Someone in the pair {user(mentor_user_id)} → {user(mentee_user_id)} says it is not a good fit. "
        "You may want to re-pair them."
    )
    blocks: list[Block] = [
        SectionBlock(text=mrkdwn(text)),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="End and re-pair",
                    action_id=ids.REPAIR,
                    value=str(pair_id),
                    style="danger",
                    confirm=ConfirmObject(
                        title="End and re-pair?",
                        text="This ends the mentorship for both of them, without saying why, and "
                        "proposes a new mentor for the mentee for you to review.",
                        confirm="End and re-pair",
                        deny="Not now",
                    ),
                )
            ]
        ),
    ]
    return {"text": text, "blocks": render(blocks)}


DRIFT_CHOICES = {"keep": "Keep going", "pause": "Pause for now", "end": "End it"}


def drift_question(pair_id: int, mentor_user_id: str, mentee_user_id: str) -> dict:
    """Asked once of a pair that left three check-ins unanswered."""
    text = (
        f"{user(mentor_user_id)}, {user(mentee_user_id)}: I have not heard from you for three check-ins. "
        "Do you want to keep going, pause, or end your mentorship? If nobody answers, I will pause it."
    )
    blocks: list[Block] = [
        SectionBlock(text=mrkdwn(text)),
        ActionsBlock(
            elements=[
                ButtonElement(text=label, action_id=ids.encode_drift_answer(key), value=str(pair_id))
                for key, label in DRIFT_CHOICES.items()
            ]
        ),
    ]
    return {"text": text, "blocks": render(blocks)}


def drift_answered(user_id: str, choice: str) -> str:
    """The drift question once a member has chosen, for both of them to read."""
    after = {
        "keep": "Check-ins go on as agreed.",
        "pause": "Your mentorship is paused; resume it any time from my Home tab.",
        "end": "Your mentorship has ended.",
    }
    return f"{user(user_id)} chose: *{DRIFT_CHOICES.get(choice, choice).lower()}*. {after.get(choice, '')}"


def pulse_question(pulse_id: int, partner_user_id: str) -> dict:
    """The periodic one-question pulse."""
    text = (
        f"Quick pulse: how is your mentorship with {user(partner_user_id)} going, "
        "from 1 (poorly) to 5 (great)?"
    )
    blocks: list[Block] = [
        SectionBlock(text=mrkdwn(text)),
        ActionsBlock(
            elements=[
                ButtonElement(text=str(score), action_id=ids.encode_pulse_score(score), value=str(pulse_id))
                for score in ids.PULSE_SCORES
            ]
        ),
        context("Admins see only the average."),
    ]
    return {"text": text, "blocks": render(blocks)}


def pulse_answered(score: int) -> str:
    """A pulse once answered: the score where its buttons were."""
    return f"You answered *{score} of 5*. Thank you; admins see only the average."
