"""Admin rights on pairs, tried as an attacker would: an admin of program B replays program A's buttons.

Every admin action on a pair (pause, end, end and re-pair, nudge, confirming a match run, `/mentor
end @a @b`) checks that the person administers that pair's program; a refused one changes nothing.
"""

from __future__ import annotations

from sqlalchemy import func, select

from bot import ids
from bot.insights import NUDGE
from bot.views.insights import NUDGE_PAIR
from storage.db import SessionFactory
from storage.models import MatchProposal, MatchRun, OutboxMessage, Pair, Person, Program
from tests.fakes.slack_api import TEAM_ID, FakeSlack
from tests.fakes.slack_requests import SlackSender, ticked
from tests.test_checkins import seed_pair

A_ADMIN = "UAADMIN"
B_ADMIN = "UBADMIN"


def two_programs(session_factory: SessionFactory, fake_slack: FakeSlack) -> int:
    """Program A (the default, with a pair) run by A_ADMIN, and program B run by B_ADMIN."""
    pair_id = seed_pair(session_factory, 1, mentee_tz="UTC")
    with session_factory.begin() as session:
        session.scalars(select(Program)).one().admin_user_ids = [A_ADMIN]
        session.add(Program(team_id=TEAM_ID, name="Program B", skills=[], admin_user_ids=[B_ADMIN]))
    for user_id in (A_ADMIN, B_ADMIN, "UMENTOR1", "UMENTEE1"):
        fake_slack.add_user(user_id, tz="UTC")
    return pair_id


def dms_to(fake_slack: FakeSlack, user_id: str) -> list[str]:
    return [
        c.args.get("text", "")
        for c in fake_slack.calls_to("chat.postMessage")
        if c.args["channel"] == user_id
    ]


def wait_for_dms(fake_slack: FakeSlack, user_id: str, count: int, timeout: float = 10.0) -> list[str]:
    """Wait until `user_id` has had `count` messages (listeners run after the ack)."""
    what = f"{count} messages to {user_id}"
    fake_slack.wait(lambda: len(dms_to(fake_slack, user_id)) >= count, what, timeout)
    return dms_to(fake_slack, user_id)


def pair_row(session_factory: SessionFactory, pair_id: int) -> tuple[str, int | None]:
    with session_factory() as session:
        pair = session.get(Pair, pair_id)
        return pair.status, pair.ended_at


def test_an_admin_of_another_program_cannot_pause_end_repair_or_nudge_a_pair(
    session_factory: SessionFactory, fake_slack: FakeSlack, slack: SlackSender
) -> None:
    pair_id = two_programs(session_factory, fake_slack)
    forged = [
        (ids.PAIR_PAUSE, {"view": {"type": "home"}}),
        (ids.PAIR_END, {"view": {"type": "home"}}),
        (NUDGE_PAIR, {"view": {"type": "home"}}),
    ]

    for count, (action_id, where) in enumerate(forged, start=1):
        assert slack.click(action_id, str(pair_id), user_id=B_ADMIN, **where).status == 200
        wait_for_dms(fake_slack, B_ADMIN, count)
    slack.slash("end <@UMENTOR1> <@UMENTEE1>", user_id=B_ADMIN)
    reply = fake_slack.wait_for("response_url")[-1].args["text"]
    slack.click(ids.REPAIR, str(pair_id), user_id=B_ADMIN)
    repair = fake_slack.wait_for("views.update")[-1].args["view"]
    slack.click(ids.END_CONFIRM, str(pair_id), user_id=B_ADMIN)
    wait_for_dms(fake_slack, B_ADMIN, len(forged) + 1)

    assert all("admin" in text for text in dms_to(fake_slack, B_ADMIN)), dms_to(fake_slack, B_ADMIN)
    assert "admin of its program" in reply
    assert "Only admins of that pair's program" in str(repair["blocks"])
    assert pair_row(session_factory, pair_id) == ("active", None)
    with session_factory() as session:
        assert (
            session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == NUDGE))
            == 0
        )
    assert not dms_to(fake_slack, "UMENTOR1"), "nobody was told anything"
    assert not dms_to(fake_slack, "UMENTEE1")

    slack.click(ids.PAIR_PAUSE, str(pair_id), user_id=A_ADMIN, view={"type": "home"})
    fake_slack.wait_until("chat.postMessage", lambda c: c.args["channel"] == "UMENTEE1")
    assert pair_row(session_factory, pair_id)[0] == "paused", "the program's own admin may"


def test_an_admin_of_another_program_cannot_confirm_its_match_run(
    session_factory: SessionFactory, fake_slack: FakeSlack, slack: SlackSender
) -> None:
    pair_id = two_programs(session_factory, fake_slack)
    with session_factory.begin() as session:
        program_a = session.scalars(select(Program).where(Program.is_default)).one()
        session.get(Pair, pair_id).status = "ended"
        mentor = session.scalars(select(Person).where(Person.user_id == "UMENTOR1")).one()
        mentee = session.scalars(select(Person).where(Person.user_id == "UMENTEE1")).one()
        run = MatchRun(team_id=TEAM_ID, program_id=program_a.id, created_by_user_id=A_ADMIN)
        run.proposals = [
            MatchProposal(mentor_id=mentor.id, mentee_id=mentee.id, score=1.0, reason="Shared skills")
        ]
        session.add(run)
        session.flush()
        run_id, proposal_id = run.id, run.proposals[0].id
    view = {
        "callback_id": ids.MATCH_MODAL,
        "private_metadata": ids.encode_match_metadata(run_id, [proposal_id]),
    }

    reply = slack.submit(view, {f"{ids.MATCH_KEEP}_0": ticked(str(proposal_id))}, user_id=B_ADMIN)

    assert reply.status == 200
    assert "Only admins of that program" in reply.body
    with session_factory() as session:
        assert session.get(MatchRun, run_id).confirmed_at is None
        assert session.scalar(select(func.count()).select_from(Pair).where(Pair.status == "active")) == 0
