"""Views are pure functions of plain data, valid Block Kit whatever the data."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.commands import CommandRouter, Subcommand, split_subcommand
from bot.home import Enrollment, HomeSnapshot, PairSummary
from bot.pairing import ProgramLists
from bot.views.help import help_message
from bot.views.home import MAX_LISTED_PAIRS, home_view
from bot.views.pairing import list_modal
from tests.blockkit import assert_valid_message, assert_valid_view

SUBCOMMANDS = [
    Subcommand("help", "show help"),
    Subcommand("pair", "pair two people", "@mentor @mentee", True),
]


def test_home_for_someone_with_hundreds_of_pairs_stays_within_limits() -> None:
    pairs = tuple(
        PairSummary(
            pair_id=i, role="mentor", partner_user_id=f"U{i:05d}", status="active", since=datetime.now(UTC)
        )
        for i in range(300)
    )
    snapshot = HomeSnapshot(user_id="UBUSY", enrollments=(Enrollment("Leadership", "mentor"),), pairs=pairs)

    view = home_view(snapshot, SUBCOMMANDS)

    assert_valid_view(view)
    assert f"and {300 - MAX_LISTED_PAIRS} more pairs" in str(view["blocks"])


def test_home_lists_admin_commands_only_in_help() -> None:
    view = home_view(HomeSnapshot(user_id="UNEW"), SUBCOMMANDS)

    assert "/mentor help" in str(view)
    assert "/mentor pair" not in str(view)
    assert "/mentor pair @mentor @mentee" in help_message(SUBCOMMANDS)["text"]


def test_help_with_a_very_long_unknown_word_is_still_valid() -> None:
    message = help_message(SUBCOMMANDS, unknown="x" * 5000)

    assert_valid_message(message["blocks"])


def test_split_subcommand() -> None:
    assert split_subcommand("") == ("", "")
    assert split_subcommand("  Pair   <@U1>  <@U2> ") == ("pair", "<@U1>  <@U2>")
    assert split_subcommand("help") == ("help", "")


def test_router_refuses_a_subcommand_registered_twice() -> None:
    router = CommandRouter()
    router.add(SUBCOMMANDS[0], lambda **_: None)

    with pytest.raises(ValueError, match="registered twice"):
        router.add(SUBCOMMANDS[0], lambda **_: None)


def test_the_admin_list_shows_what_failed_and_what_still_waits_for_slack() -> None:
    lists = ProgramLists(
        "Mentorship",
        [],
        [],
        [("UMIA", "UTOM")],
        [],
        undelivered=[("failed", "channel_not_found", 1), ("waiting", "ratelimited", 3)],
    )

    view = list_modal(lists, 0, 1)

    assert_valid_view(view)
    shown = str(view["blocks"])
    assert "Undelivered messages: 1 (channel_not_found)." in shown
    assert "Waiting for Slack, retried until they go out: 3 (ratelimited)." in shown
