"""Pairing: `/mentor pair`, `/mentor match` and its review modal, pause/resume/end, and feedback."""

from __future__ import annotations

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot import ids
from bot.commands import CommandInput, Subcommand
from bot.deps import Deps
from bot.inputs import ActionInput, Submission
from bot.members import fetch_member, mentioned_user_ids
from bot.notify import dm, end_answer, no_channel_problem, status_letters, welcome
from bot.outbox import post
from bot.pairing import (
    FeedbackForm,
    NewPair,
    carry_goals,
    change_status,
    confirm_match_run,
    match_program,
    open_pair_by_users,
    pair_by_hand,
    pair_for_command,
    pair_to_end,
    program_for_pair,
    record_feedback,
    review_lines,
)
from bot.programs import is_admin
from bot.refusal import Refusal
from bot.views.common import escape_text
from bot.views.pairing import (
    FINDING,
    KEPT,
    end_confirmation,
    feedback_modal,
    goals_carried_text,
    match_confirmed_modal,
    match_review_modal,
    notice_modal,
)
from handlers.admin import program_for_admin
from handlers.home import publish_home
from storage.models import PairStatus

PAIR = Subcommand("pair", "pair a mentor with a mentee", "@mentor @mentee [override]", admin_only=True)
MATCH = Subcommand(
    "match", "propose pairs for every unpaired mentee, to review", "[program]", admin_only=True
)
PAUSE = Subcommand("pause", "pause your mentorship for a while", "[@partner]")
RESUME = Subcommand("resume", "resume a paused mentorship", "[@partner]")
END = Subcommand("end", "end your mentorship, with a word of feedback", "[@partner]")

STATUSES_FOR = {
    "pause": (PairStatus.ACTIVE.value,),
    "resume": (PairStatus.PAUSED.value,),
    "end": (PairStatus.ACTIVE.value, PairStatus.PAUSED.value),
}


def register(app: App, deps: Deps) -> None:
    """Route the pairing subcommands, the review modal, the Home buttons and feedback."""

    def welcome_pairs(
        client: WebClient, team_id: str, pairs: list[NewPair], admin_user_id: str, keys: list[str]
    ) -> None:
        """Send what may go now of the new pairs' announcement and kickoffs (queued with the pairs
        under `keys`), tell the admin what could not be announced, refresh Home."""
        deps.send_now(client, keys)
        for problem in dict.fromkeys(p for new in pairs if (p := no_channel_problem(new))):
            dm(client, admin_user_id, problem)  # the admin's own click: answered now
        for new in pairs:
            publish_home(deps, client, team_id, new.mentor_user_id)
            publish_home(deps, client, team_id, new.mentee_user_id)

    def pair(ack: Ack, respond: Respond, client: WebClient, request: CommandInput) -> None:
        ack()
        mentions = mentioned_user_ids(request.args)
        if len(mentions) != 2:
            respond(
                text="Mention the mentor, then the mentee: `/mentor pair @mentor @mentee`. "
                "Add `override` to go past the mentor's capacity.",
                response_type="ephemeral",
            )
            return
        caller = fetch_member(client, request.user_id)
        mentor, mentee = (fetch_member(client, user_id) for user_id in mentions)
        if caller is None or mentor is None or mentee is None:
            respond(text="I could not find one of those people in this workspace.", response_type="ephemeral")
            return
        now = deps.clock()
        with deps.session_factory.begin() as session:
            program = program_for_pair(session, request.team_id, mentor.user_id, mentee.user_id, now)
            if not is_admin(caller, deps.settings, program):
                respond(
                    text="Only program admins can pair people. Ask one of them.", response_type="ephemeral"
                )
                return
            outcome = pair_by_hand(
                session,
                team_id=request.team_id,
                program=program,
                mentor=mentor,
                mentee=mentee,
                by_user_id=caller.user_id,
                override_capacity="override" in request.args.lower().split(),
                now=now,
            )
            letters = [] if isinstance(outcome, Refusal) else welcome([outcome], caller.user_id)
            keys = post(session, request.team_id, letters, now)  # with the pair, in one transaction
        if isinstance(outcome, Refusal):
            respond(text=outcome.message, response_type="ephemeral")
            return
        respond(
            text=f"Paired <@{outcome.mentor_user_id}> (mentor) with <@{outcome.mentee_user_id}> (mentee) "
            f"in {escape_text(outcome.program_name)}. I am introducing them now.",
            response_type="ephemeral",
        )
        welcome_pairs(client, request.team_id, [outcome], caller.user_id, keys)

    def match(ack: Ack, respond: Respond, client: WebClient, request: CommandInput) -> None:
        ack()
        found = program_for_admin(deps, client, respond, request, doing="run matching")
        if found is None:
            return
        caller, program = found
        loading = notice_modal("Proposed pairs", FINDING)
        opened = client.views_open(trigger_id=request.trigger_id, view=loading)
        with deps.session_factory.begin() as session:
            run = match_program(session, request.team_id, program, caller.user_id, deps.clock())
            lines, unmatched = review_lines(session, run)
            view = match_review_modal(run.id, program.name, lines, unmatched)
        client.views_update(view_id=opened["view"]["id"], hash=opened["view"].get("hash"), view=view)

    @app.view(ids.MATCH_MODAL)
    def confirm_match(ack: Ack, client: WebClient, submission: Submission) -> None:
        team_id, user_id = submission.team_id, submission.user_id
        meta = ids.decode_match_metadata(submission.private_metadata)
        state = submission.state
        keep = {
            number
            for block_id in submission.values
            if ids.decode_match_keep(block_id) is not None
            for value in state.options(block_id)
            if (number := ids.decode_number(value)) is not None
        }
        caller = fetch_member(client, user_id)
        now = deps.clock()
        with deps.session_factory.begin() as session:
            outcome = (
                confirm_match_run(session, team_id, meta[0], keep, caller, deps.settings, now)
                if caller is not None and meta is not None
                else Refusal("Those match proposals no longer exist: run `/mentor match` again.")
            )
            letters = [] if isinstance(outcome, Refusal) else welcome(outcome, user_id)
            keys = post(session, team_id, letters, now)  # with the pairs, in one transaction
        if isinstance(outcome, Refusal):
            ack(response_action="errors", errors={ids.encode_match_keep(0): outcome.message})
            return
        ack(response_action="update", view=match_confirmed_modal(len(outcome)))  # no DM: the form says it
        welcome_pairs(client, team_id, outcome, user_id, keys)

    def which_pair(session: Session, request: CommandInput, action: str) -> int | Refusal:
        mentions = mentioned_user_ids(request.args)
        if len(mentions) == 2:  # an admin naming a pair
            return open_pair_by_users(session, request.team_id, *mentions)
        return pair_for_command(session, request.team_id, request.user_id, mentions, STATUSES_FOR[action])

    def lifecycle(action: str):
        def run(ack: Ack, respond: Respond, client: WebClient, request: CommandInput) -> None:
            ack()
            caller = fetch_member(client, request.user_id)
            if caller is None:
                return
            now = deps.clock()
            with deps.session_factory.begin() as session:
                pair_id = which_pair(session, request, action)
                outcome = (
                    pair_id
                    if isinstance(pair_id, Refusal)
                    else change_status(session, request.team_id, pair_id, action, caller, deps.settings, now)
                )
                keys = (
                    []
                    if isinstance(outcome, Refusal)
                    else post(session, request.team_id, status_letters(outcome, now), now)
                )
            if isinstance(outcome, Refusal):
                respond(text=outcome.message, response_type="ephemeral")
                return
            respond(text=f"Done: your mentorship is {_past(action)}.", response_type="ephemeral")
            deps.send_now(client, keys)
            publish_home(deps, client, request.team_id, outcome.mentor_user_id)
            publish_home(deps, client, request.team_id, outcome.mentee_user_id)

        return run

    def end(ack: Ack, respond: Respond, client: WebClient, request: CommandInput) -> None:
        """Ending is for good: ask first; the "End it" button (END_CONFIRM) ends the pair."""
        ack()
        caller = fetch_member(client, request.user_id)
        if caller is None:
            return
        with deps.session_factory.begin() as session:
            pair_id = which_pair(session, request, "end")
            question = (
                pair_id
                if isinstance(pair_id, Refusal)
                else pair_to_end(session, request.team_id, pair_id, caller, deps.settings)
            )
        if isinstance(question, Refusal):
            respond(text=question.message, response_type="ephemeral")
            return
        message = end_confirmation(
            question.pair_id, caller.user_id, question.mentor_user_id, question.mentee_user_id
        )
        respond(response_type="ephemeral", **message)

    deps.commands.add(PAIR, pair)
    deps.commands.add(MATCH, match)
    for subcommand in (PAUSE, RESUME):
        deps.commands.add(subcommand, lifecycle(subcommand.name))
    deps.commands.add(END, end)

    def home_button(action: str):
        def run(ack: Ack, client: WebClient, action_input: ActionInput) -> None:
            ack()
            team_id, user_id, raw = action_input.team_id, action_input.user_id, action_input.value
            caller = fetch_member(client, user_id)
            if caller is None or not raw.isdigit():
                return
            now = deps.clock()
            with deps.session_factory.begin() as session:
                outcome = change_status(session, team_id, int(raw), action, caller, deps.settings, now)
                keys = (
                    []
                    if isinstance(outcome, Refusal)
                    else post(session, team_id, status_letters(outcome, now), now)
                )
            if isinstance(outcome, Refusal):
                dm(client, user_id, outcome.message)
                publish_home(deps, client, team_id, user_id)
                return
            if action == "end" and user_id in (outcome.mentor_user_id, outcome.mentee_user_id):
                client.chat_postMessage(channel=user_id, **end_answer(outcome, user_id))  # with feedback
            deps.send_now(client, keys)
            for member in dict.fromkeys((outcome.mentor_user_id, outcome.mentee_user_id, user_id)):
                publish_home(deps, client, team_id, member)  # an admin who clicked sees the change too

        return run

    @app.action(ids.END_CONFIRM)
    def confirm_end(ack: Ack, respond: Respond, client: WebClient, action_input: ActionInput) -> None:
        ack()
        team_id, user_id, raw = action_input.team_id, action_input.user_id, action_input.value
        caller = fetch_member(client, user_id)
        if caller is None or not raw.isdigit():
            return
        now = deps.clock()
        with deps.session_factory.begin() as session:
            outcome = change_status(session, team_id, int(raw), "end", caller, deps.settings, now)
            keys = (
                []
                if isinstance(outcome, Refusal)
                else post(session, team_id, status_letters(outcome, now), now)
            )
        answer = {"text": outcome.message} if isinstance(outcome, Refusal) else end_answer(outcome, user_id)
        if action_input.response_url:
            respond(replace_original=True, **answer)
        else:
            client.chat_postMessage(channel=user_id, **answer)
        if isinstance(outcome, Refusal):
            return
        deps.send_now(client, keys)
        for member in dict.fromkeys((outcome.mentor_user_id, outcome.mentee_user_id, user_id)):
            publish_home(deps, client, team_id, member)

    @app.action(ids.END_KEEP)
    def keep(ack: Ack, respond: Respond, action_input: ActionInput) -> None:
        ack()
        if action_input.response_url:
            respond(text=KEPT, replace_original=True)

    def carry(choice: str):
        def run(ack: Ack, respond: Respond, client: WebClient, action_input: ActionInput) -> None:
            ack()
            team_id, user_id, raw = action_input.team_id, action_input.user_id, action_input.value
            if not raw.isdigit():
                return
            with deps.session_factory.begin() as session:
                outcome = carry_goals(session, team_id, int(raw), user_id, choice, deps.clock())
            text = (
                outcome.message
                if isinstance(outcome, Refusal)
                else goals_carried_text(outcome.choice, outcome.goals, outcome.mentor_user_id)
            )
            if action_input.response_url and not isinstance(outcome, Refusal):
                respond(text=text, replace_original=True)  # the question is answered: no buttons left
            else:
                dm(client, user_id, text)
            if not isinstance(outcome, Refusal):
                publish_home(deps, client, team_id, user_id)

        return run

    app.action(ids.GOALS_BRING)(carry("bring"))
    app.action(ids.GOALS_CLOSE)(carry("close"))
    app.action(ids.PAIR_PAUSE)(home_button("pause"))
    app.action(ids.PAIR_RESUME)(home_button("resume"))
    app.action(ids.PAIR_END)(home_button("end"))

    @app.action(ids.FEEDBACK_OPEN)
    def open_feedback(ack: Ack, client: WebClient, action_input: ActionInput) -> None:
        ack()
        raw = action_input.value
        if not raw.isdigit():
            return
        partner = _partner_from_message(action_input)
        client.views_open(trigger_id=action_input.trigger_id, view=feedback_modal(int(raw), partner))

    @app.view(ids.FEEDBACK_MODAL)
    def submit_feedback(ack: Ack, submission: Submission) -> None:
        team_id, user_id = submission.team_id, submission.user_id
        state = submission.state
        rating = state.option(ids.FEEDBACK_RATING) or ""
        if rating not in {"1", "2", "3", "4", "5"}:
            ack(response_action="errors", errors={ids.FEEDBACK_RATING: "Choose a rating from 1 to 5."})
            return
        comment = state.text(ids.FEEDBACK_COMMENT)
        if len(comment) > 1000:
            ack(response_action="errors", errors={ids.FEEDBACK_COMMENT: "Keep it under 1000 characters."})
            return
        pair_id = submission.private_metadata
        with deps.session_factory.begin() as session:
            refused = (
                record_feedback(
                    session,
                    team_id,
                    int(pair_id),
                    user_id,
                    FeedbackForm(int(rating), comment or None),
                    deps.clock(),
                )
                if pair_id.isdigit()
                else Refusal("That feedback form is broken: open it again from the message.")
            )
        if refused is not None:
            ack(response_action="errors", errors={ids.FEEDBACK_RATING: refused.message})
            return
        thanks = notice_modal("Thank you", "Thank you! Your feedback helps the program match people better.")
        ack(response_action="update", view=thanks)


def _past(action: str) -> str:
    return {"pause": "paused", "resume": "active again", "end": "ended"}[action]


def _partner_from_message(click: ActionInput) -> str:
    """The partner named in the message the feedback button sits on (display only)."""
    mentions = mentioned_user_ids(click.message_text)
    return mentions[0] if mentions else click.user_id
