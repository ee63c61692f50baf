"""Bolt refuses requests that Slack did not sign, or signed too long ago."""

from __future__ import annotations

import time

from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import SlackSender


def test_rejects_a_bad_signature(slack: SlackSender, fake_slack: FakeSlack) -> None:
    reply = slack.post(
        slack.command_body("help", user_id="UALICE"),
        "application/x-www-form-urlencoded",
        signature="v0=" + "0" * 64,
    )

    assert reply.status == 401
    assert fake_slack.calls_to("chat.postMessage") == []


def test_rejects_a_timestamp_over_five_minutes_old(slack: SlackSender) -> None:
    reply = slack.slash("help", timestamp=int(time.time()) - 6 * 60)

    assert reply.status == 401


def test_rejects_a_body_changed_after_signing(slack: SlackSender) -> None:
    body = slack.command_body("help", user_id="UALICE")
    signed = SlackSender(slack.url)._verifier.generate_signature(timestamp=str(int(time.time())), body=body)

    reply = slack.post(
        body.replace("UALICE", "UMALLORY"), "application/x-www-form-urlencoded", signature=signed
    )

    assert reply.status == 401


def test_accepts_a_timestamp_four_minutes_old(slack: SlackSender) -> None:
    reply = slack.slash("help", timestamp=int(time.time()) - 4 * 60)

    assert reply.status == 200
