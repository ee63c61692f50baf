"""Every button and modal mentorbot renders has a listener: a deaf one would leave Slack waiting.

Bolt answers 404 to an interaction nothing listens for; here each id is clicked or submitted with
a value that matches nothing, and the app must still take it (and say no politely).
"""

from __future__ import annotations

import time

import pytest

from bot import ids
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import SlackSender

BUTTONS = [
    ids.HOME_PROFILE,
    ids.HOME_CONNECT,
    ids.PAIR_PAUSE,
    ids.PAIR_RESUME,
    ids.PAIR_END,
    ids.FEEDBACK_OPEN,
    ids.LIST_NEXT,
    ids.LIST_PREVIOUS,
    ids.AGREEMENT_OPEN,
    ids.GOAL_NEW,
    ids.PROGRESS_OPEN,
    f"{ids.PROGRESS_OPEN}_12",
    ids.GOAL_EDIT_OPEN,
    ids.GOAL_CLOSE_OPEN,
    ids.GOAL_FEEDBACK_OPEN,
    f"{ids.CHECKIN_MET}_yes",
    f"{ids.CHECKIN_MET}_not_yet",
    f"{ids.CHECKIN_MET}_rescheduled",
    ids.CHECKIN_ANSWER_OPEN,
    ids.REMINDER_ACHIEVED,
    ids.REMINDER_EXTEND,
    ids.REMINDER_DROP,
    f"{ids.FIT_ANSWER}_good",
    f"{ids.FIT_ANSWER}_not_fit",
    f"{ids.DRIFT_ANSWER}_keep",
    f"{ids.PULSE_SCORE}_3",
    ids.REPAIR,
    ids.INSIGHTS_OPEN,
    ids.INSIGHTS_NUDGE,
]
MODALS = [
    ids.JOIN_MODAL,
    ids.CONFIG_MODAL,
    ids.MATCH_MODAL,
    ids.FEEDBACK_MODAL,
    ids.AGREEMENT_MODAL,
    ids.GOAL_MODAL,
    ids.PROGRESS_MODAL,
    ids.GOAL_CLOSE_MODAL,
    ids.GOAL_FEEDBACK_MODAL,
    ids.CHECKIN_ANSWER_MODAL,
    ids.EXTEND_MODAL,
    ids.CONNECT_MODAL,
    ids.FORGET_MODAL,
]


def listener_errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Failures the app-wide error handler logged, after the listeners had a moment to run."""
    time.sleep(0.3)  # listeners run after the ack, on Bolt's thread pool
    return [r.getMessage() for r in caplog.records if r.name == "handlers.errors"]


@pytest.mark.parametrize("action_id", BUTTONS)
def test_every_button_has_a_listener_that_copes_with_nonsense(
    slack: SlackSender, caplog: pytest.LogCaptureFixture, action_id: str
) -> None:
    reply = slack.click(action_id, "999999", user_id="UNOBODY", view={"type": "home", "private_metadata": ""})

    assert reply.status == 200, f"{action_id} is not listened for"
    assert listener_errors(caplog) == []


@pytest.mark.parametrize("callback_id", MODALS)
def test_every_modal_has_a_listener_that_copes_with_nonsense(
    slack: SlackSender, caplog: pytest.LogCaptureFixture, callback_id: str
) -> None:
    reply = slack.submit({"callback_id": callback_id, "private_metadata": "999999"}, {}, user_id="UNOBODY")

    assert reply.status == 200, f"{callback_id} is not listened for"
    assert listener_errors(caplog) == []


def test_an_unknown_button_gets_bolts_404_so_these_checks_can_fail(slack: SlackSender) -> None:
    reply = slack.click("nobody_listens_for_this", "1", user_id="UNOBODY", view={"type": "home"})

    assert reply.status == 404


def test_a_listener_that_fails_is_logged_so_these_checks_can_fail(
    slack: SlackSender, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    fake_slack.fail_next("users.info", status=500)

    slack.click(ids.HOME_PROFILE, "", user_id="UNOBODY", view={"type": "home"})

    assert listener_errors(caplog)
