"""`/mentor help` and unknown subcommands, sent over HTTP signed like Slack."""

from __future__ import annotations

from tests.blockkit import assert_valid_message
from tests.fakes.slack_requests import SlackSender


def test_help_lists_subcommands_ephemerally_within_slacks_deadline(slack: SlackSender) -> None:
    reply = slack.slash("help")

    assert reply.status == 200
    assert reply.elapsed < 3.0
    answer = reply.json()
    assert answer["response_type"] == "ephemeral"
    assert "/mentor help" in answer["text"]
    assert_valid_message(answer["blocks"])


def test_bare_command_answers_with_help(slack: SlackSender) -> None:
    answer = slack.slash("").json()

    assert answer["response_type"] == "ephemeral"
    assert "/mentor help" in answer["text"]


def test_unknown_subcommand_names_it_and_shows_help(slack: SlackSender) -> None:
    answer = slack.slash("frobnicate the thing").json()

    assert answer["response_type"] == "ephemeral"
    assert "I don't know `/mentor frobnicate`" in answer["text"]
    assert "/mentor help" in answer["text"]


def test_subcommand_is_case_insensitive(slack: SlackSender) -> None:
    answer = slack.slash("  HELP  ").json()

    assert "I don't know" not in answer["text"]
    assert "/mentor help" in answer["text"]
