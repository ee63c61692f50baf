"""`/mentor agreement` and its buttons: the pair agrees how it meets, and both get the summary."""

from __future__ import annotations

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import ids
from bot.agreements import agreement_form_data, parse_agreement, save_agreement
from bot.commands import CommandInput, Subcommand
from bot.deps import Deps
from bot.inputs import ActionInput, Submission
from bot.meeting_actions import follow_agreement
from bot.members import mentioned_user_ids
from bot.notify import agreement_letter, dm
from bot.outbox import post
from bot.pairing import pair_for_command
from bot.refusal import Refusal
from bot.views.agreement import agreement_modal
from bot.zones import local_today
from handlers.home import publish_home
from storage.models import PairStatus

AGREEMENT = Subcommand("agreement", "agree with your partner how often, when and how you meet", "[@partner]")
OPEN_PAIRS = (PairStatus.ACTIVE.value, PairStatus.PAUSED.value)


def register(app: App, deps: Deps) -> None:
    """Route `/mentor agreement`, the agreement buttons and the agreement modal."""

    def open_form(
        client: WebClient, team_id: str, user_id: str, pair_id: int, trigger_id: str
    ) -> Refusal | None:
        now = deps.clock()
        with deps.session_factory.begin() as session:
            data = agreement_form_data(session, team_id, pair_id, user_id, now)
        if isinstance(data, Refusal):
            return data
        today = local_today(data.current.tz if data.current else data.default_tz, now)
        client.views_open(trigger_id=trigger_id, view=agreement_modal(data, today))
        return None

    def command(ack: Ack, respond: Respond, client: WebClient, request: CommandInput) -> None:
        ack()
        with deps.session_factory.begin() as session:
            pair_id = pair_for_command(
                session, request.team_id, request.user_id, mentioned_user_ids(request.args), OPEN_PAIRS
            )
        if isinstance(pair_id, Refusal):
            respond(text=pair_id.message, response_type="ephemeral")
            return
        problem = open_form(client, request.team_id, request.user_id, pair_id, request.trigger_id)
        if problem:
            respond(text=problem.message, response_type="ephemeral")

    deps.commands.add(AGREEMENT, command)

    @app.action(ids.AGREEMENT_OPEN)
    def button(ack: Ack, client: WebClient, action_input: ActionInput) -> None:
        ack()
        team_id, user_id, raw = action_input.team_id, action_input.user_id, action_input.value
        problem = (
            open_form(client, team_id, user_id, int(raw), action_input.trigger_id)
            if raw.isdigit()
            else Refusal("That button is broken.")
        )
        if problem:
            dm(client, user_id, problem.message)

    @app.view(ids.AGREEMENT_MODAL)
    def submit(ack: Ack, client: WebClient, submission: Submission) -> None:
        team_id, user_id = submission.team_id, submission.user_id
        now = deps.clock()
        meta = ids.decode_agreement_metadata(submission.private_metadata)
        parsed = parse_agreement(submission.values, now, meta.saved_start if meta else None)
        if isinstance(parsed, dict):
            ack(response_action="errors", errors=parsed)
            return
        with deps.session_factory.begin() as session:
            saved = (
                save_agreement(session, team_id, meta.pair_id, user_id, parsed, now)
                if meta is not None
                else Refusal("That form is broken: open it again.")
            )
            # The summary is written with the agreement; the same agreement again tells nobody.
            keys = (
                []
                if isinstance(saved, Refusal) or saved.unchanged
                else post(
                    session,
                    team_id,
                    [
                        agreement_letter(saved, parsed, user_id, now),
                        *follow_agreement(
                            session,
                            team_id,
                            saved.pair_id,
                            now,
                            time_changed=saved.moves_meetings,
                        ),
                    ],
                    now,
                )
            )
        if isinstance(saved, Refusal):
            ack(response_action="errors", errors={ids.AGREE_EXPECTATIONS: saved.message})
            return
        ack()
        if saved.unchanged:
            return
        deps.send_now(client, keys)
        publish_home(deps, client, team_id, saved.mentor_user_id)
        publish_home(deps, client, team_id, saved.mentee_user_id)
