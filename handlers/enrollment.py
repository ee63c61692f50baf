"""`/mentor join`, `/mentor profile` and `/mentor leave`: the sign-up modal and leaving."""

from __future__ import annotations

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import ids
from bot.agreements import calendar_cancellation
from bot.cohorts import cohort_line, signed_up
from bot.commands import CommandInput, Subcommand
from bot.deps import Deps
from bot.enrollment import enroll, join_form_data, leave, parse_join, program_ids, resolve_program
from bot.inputs import Submission
from bot.members import fetch_member
from bot.notify import cancellation_letter, left_letters
from bot.outbox import post
from bot.refusal import Refusal
from bot.views.common import escape_text, plural
from bot.views.join import join_modal, welcome_modal
from handlers.home import publish_home

JOIN = Subcommand("join", "join the mentorship program as a mentor, a mentee or both", "[program]")
PROFILE = Subcommand("profile", "see and change your mentoring profile")
LEAVE = Subcommand("leave", "leave a program; your open pairs end and your history is kept", "[program]")


def register(app: App, deps: Deps) -> None:
    """Route the enrollment subcommands and the sign-up modal's submission."""

    def open_join(ack: Ack, respond: Respond, client: WebClient, request: CommandInput) -> None:
        ack()
        member = fetch_member(client, request.user_id)
        if member is None or not member.can_take_part:
            respond(
                text="Only active members of this workspace can join mentoring.", response_type="ephemeral"
            )
            return
        with deps.session_factory.begin() as session:
            data = join_form_data(session, request.team_id, member, request.args, deps.clock())
        if isinstance(data, Refusal):
            respond(text=data.message, response_type="ephemeral")
            return
        joining = ids.JOINING if request.name == JOIN.name else None  # `/mentor profile` only edits
        view = join_modal(data.programs, data.program_id, data.defaults, editing=data.editing, cohort=joining)
        client.views_open(trigger_id=request.trigger_id, view=view)

    def leave_program(ack: Ack, respond: Respond, client: WebClient, request: CommandInput) -> None:
        ack()
        with deps.session_factory.begin() as session:
            program = resolve_program(session, request.team_id, request.user_id, request.args, deps.clock())
            if isinstance(program, Refusal):
                respond(text=program.message, response_type="ephemeral")
                return
            now = deps.clock()
            left = leave(session, request.team_id, request.user_id, program, now)
            ended_pairs = left.ended_pairs if left else ()
            letters = left_letters(left, now) if left else []
            letters += [
                cancellation_letter(c)
                for pair in ended_pairs
                if (c := calendar_cancellation(session, pair, now))
            ]
            keys = post(session, request.team_id, letters, now)
        if left is None:
            respond(
                text="You are not in that program, so there is nothing to leave.", response_type="ephemeral"
            )
            return
        deps.send_now(client, keys)
        for partner in left.partner_user_ids():
            publish_home(deps, client, request.team_id, partner)
        ended = len(left.ended_pairs)
        respond(
            text=f"You have left {escape_text(left.program_name)}."
            + (f" Your {plural(ended, 'open pair')} ended and your partners were told." if ended else "")
            + " Your history is kept; `/mentor join` brings you back.",
            response_type="ephemeral",
        )
        publish_home(deps, client, request.team_id, request.user_id)

    deps.commands.add(JOIN, open_join)
    deps.commands.add(PROFILE, open_join)
    deps.commands.add(LEAVE, leave_program)

    @app.view(ids.JOIN_MODAL)
    def submit_join(ack: Ack, client: WebClient, submission: Submission) -> None:
        team_id, user_id = submission.team_id, submission.user_id
        now = deps.clock()
        with deps.session_factory.begin() as session:
            allowed, default = program_ids(session, team_id, now)
        parsed = parse_join(submission.values, allowed, default)
        if isinstance(parsed, dict):
            ack(response_action="errors", errors=parsed)
            return
        member = fetch_member(client, user_id)
        if member is None or not member.can_take_part:
            ack(response_action="errors", errors={ids.JOIN_TZ: "Only active members can join mentoring."})
            return
        with deps.session_factory.begin() as session:
            enrolled = enroll(session, team_id, member, parsed, now)
            meta = ids.decode_join_metadata(submission.private_metadata)
            cohort = signed_up(session, enrolled, meta[1] if meta is not None else None, now)
        # The form itself says welcome, and which cohort they joined (one screen, no DM); a profile
        # edit that joins nothing just closes.
        said = cohort_line(cohort)
        if enrolled.created or said:
            ack(response_action="update", view=welcome_modal(said, new=enrolled.created))
        else:
            ack()
        publish_home(deps, client, team_id, user_id)
