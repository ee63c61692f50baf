"""A slow Slack holds up only the people it is slow for: everyone else is still acknowledged.

The fake Slack leaves every `views.open` unanswered (as when Slack hangs) while sixteen people
type `/mentor join` at once, and others ask for help and their goals meanwhile.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from bot.app import ListenerPool
from tests.conftest import LISTENER_DEADLINE
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import SlackSender

JOINERS = [f"UJOIN{n:02d}" for n in range(16)]
OTHERS = ["help", "goals", "help", "nonsense"]


def test_hung_modal_calls_do_not_keep_other_commands_from_their_ack(
    program: SlackSender, fake_slack: FakeSlack, listeners: ListenerPool
) -> None:
    for user_id in JOINERS:
        fake_slack.add_user(user_id)
    hung = fake_slack.hold("views.open")
    try:
        with ThreadPoolExecutor(max_workers=len(JOINERS)) as senders:
            joins = list(senders.map(lambda user_id: program.slash("join", user_id=user_id), JOINERS))
            assert [r.status for r in joins] == [200] * len(JOINERS)
            assert fake_slack.wait_held(hung, len(JOINERS), LISTENER_DEADLINE), (
                "some joins never reached views.open"
            )
            others = list(senders.map(lambda text: program.slash(text, user_id="UOTHER"), OTHERS))
    finally:
        hung.release()
    assert listeners.wait_idle(LISTENER_DEADLINE)

    assert [r.status for r in others] == [200] * len(OTHERS)
    assert "/mentor join" in others[0].body
    assert "/mentor join" in others[3].body
