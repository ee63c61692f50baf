"""Admin insights on the Home tab: refreshing the health section and nudging an at-risk pair.

Pausing and ending an at-risk pair use the pair buttons' own ids (`handlers.pairing`).
"""

from __future__ import annotations

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import ids
from bot.deps import Deps
from bot.inputs import ActionInput
from bot.insights import already_nudged, nudge_pair
from bot.notify import dm, nudge_letter
from bot.outbox import post_new
from bot.refusal import Refusal
from bot.views.common import time_phrase
from bot.views.insights import NUDGE_PAIR
from handlers.home import member_or_none, publish_home


def register(app: App, deps: Deps) -> None:
    """Listen for the health section's Refresh and Nudge pair buttons."""

    @app.action(ids.INSIGHTS_OPEN)
    def refresh(ack: Ack, client: WebClient, action_input: ActionInput) -> None:
        ack()
        team_id, user_id = action_input.team_id, action_input.user_id
        publish_home(deps, client, team_id, user_id, member_or_none(client, user_id))

    @app.action(NUDGE_PAIR)
    def nudge(ack: Ack, client: WebClient, action_input: ActionInput) -> None:
        ack()
        team_id, user_id, raw = action_input.team_id, action_input.user_id, action_input.value
        member = member_or_none(client, user_id)
        if member is None or not raw.isdigit():
            return
        with deps.session_factory.begin() as session:
            now = deps.clock()
            outcome = nudge_pair(session, team_id, int(raw), member, deps.settings, now)
            # Of two clicks at once, the one whose letter is queued nudges; the other is told it is done.
            if not isinstance(outcome, Refusal) and not post_new(
                session, team_id, nudge_letter(outcome), now
            ):
                outcome = already_nudged(outcome.mentor_user_id, outcome.mentee_user_id)
            keys = [] if isinstance(outcome, Refusal) else [outcome.key]
        if isinstance(outcome, Refusal):
            dm(client, user_id, outcome.message)
            return
        later = outcome.not_before > deps.clock()
        when = f"{time_phrase(outcome.not_before)}, in their daytime" if later else "in a moment"
        dm(
            client,
            user_id,
            f"I will nudge <@{outcome.mentor_user_id}> and <@{outcome.mentee_user_id}> in their DM {when}.",
        )
        deps.send_now(client, keys)
        publish_home(deps, client, team_id, user_id, member)
