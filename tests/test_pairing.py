"""Pairing people, as an admin does it in Slack: by hand, by matching, and what follows."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from bot import ids
from storage.db import SessionFactory
from storage.models import Pair, PairFeedback
from tests.blockkit import assert_valid_message, assert_valid_view
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import SlackSender, picked, ticked, typed
from tests.scenarios import ADMIN, configure, enroll


def blocks_of(call) -> list[dict]:
    """A message's blocks, whether slack_sdk sent them as JSON text or as a list."""
    blocks = call.args.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else blocks


def last_reply(fake_slack: FakeSlack, count: int = 1) -> str:
    return fake_slack.wait_for("response_url", count=count)[-1].args["text"]


def last_question(fake_slack: FakeSlack) -> dict:
    """The newest ephemeral reply that carries buttons, as Slack shows it."""
    fake_slack.wait_until("response_url", lambda call: bool(call.args.get("blocks")))
    return [c.args for c in fake_slack.calls_to("response_url") if c.args.get("blocks")][-1]


def confirm_end(
    slack: SlackSender, fake_slack: FakeSlack, user_id: str, question: dict, keep: bool = False
) -> None:
    """Click "End it" (or "Keep it") on the ephemeral `/mentor end` asked with."""
    wanted = ids.END_KEEP if keep else ids.END_CONFIRM
    button = next(
        e
        for b in question["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == wanted
    )
    slack.interaction(
        {
            "type": "block_actions",
            "user": {"id": user_id, "team_id": slack.team_id},
            "trigger_id": "1.1.trigger",
            "response_url": fake_slack.response_url,
            "container": {"type": "message", "is_ephemeral": True},
            "actions": [{"action_id": wanted, "block_id": "b", "value": button["value"], "type": "button"}],
        }
    )


def pair_count(session_factory: SessionFactory) -> int:
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(Pair))


def test_admin_pairs_two_people_who_are_announced_and_introduced(
    program: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    fake_slack.add_channel("CPROGRAM", bot_is_member=False)
    configure(program, fake_slack, "CPROGRAM")

    program.slash("pair <@UMIA|mia> <@UTOM|tom>", user_id=ADMIN)

    assert "Paired <@UMIA> (mentor) with <@UTOM> (mentee)" in last_reply(fake_slack)
    fake_slack.wait_for("views.publish", count=2)
    (joined,) = fake_slack.calls_to("conversations.join")
    assert joined.args["channel"] == "CPROGRAM"
    posts = fake_slack.calls_to("chat.postMessage")
    announcement = [p for p in posts if p.args["channel"] == "CPROGRAM" and p.ok]
    assert len(announcement) == 1
    assert "<@UMIA> is mentoring <@UTOM>" in announcement[0].args["text"]
    assert "Leadership" not in announcement[0].args["text"], "no profile details in public"
    (opened,) = fake_slack.calls_to("conversations.open")
    assert opened.args["users"] == "UMIA,UTOM"
    kickoff = [p for p in posts if p.args["channel"].startswith("G")]
    assert len(kickoff) == 1
    assert_valid_message(blocks_of(kickoff[0]))
    assert "how often you meet" in str(kickoff[0].args["blocks"])
    with session_factory() as session:
        pair = session.scalars(select(Pair)).one()
    assert pair.status == "active"
    assert pair.dm_channel_id == kickoff[0].args["channel"]


@pytest.mark.parametrize(
    ("text", "user_id", "expected"),
    [
        ("pair <@UMIA> <@UTOM>", "UTOM", "Only program admins can pair people"),
        ("pair <@UMIA>", ADMIN, "Mention the mentor, then the mentee"),
        ("pair @mia @tom", ADMIN, "Mention the mentor, then the mentee"),
        ("pair <@UMIA> <@UMIA>", ADMIN, "cannot mentor themselves"),
        ("pair <@UTOM> <@UTIA>", ADMIN, "<@UTOM> has not joined Mentorship as a mentor"),
        ("pair <@UMIA> <@UMAX>", ADMIN, "<@UMAX> has not joined Mentorship as a mentee"),
        ("pair <@UMIA> <@UBOT>", ADMIN, "<@UBOT> is a bot"),
        ("pair <@UMIA> <@UGONE>", ADMIN, "deactivated"),
        ("pair <@UMIA> <@UNOBODY>", ADMIN, "could not find one of those people"),
    ],
)
def test_pairing_refusals_say_what_to_do(
    program: SlackSender,
    fake_slack: FakeSlack,
    session_factory: SessionFactory,
    text: str,
    user_id: str,
    expected: str,
) -> None:
    fake_slack.add_user("UBOT", is_bot=True)
    fake_slack.add_user("UGONE", deleted=True)

    program.slash(text, user_id=user_id)

    assert expected in last_reply(fake_slack)
    assert pair_count(session_factory) == 0


def test_pairing_twice_and_past_capacity_are_refused_unless_overridden(
    program: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    program.slash("pair <@UMIA> <@UTOM>", user_id=ADMIN)
    assert "Paired <@UMIA>" in last_reply(fake_slack, 1)
    program.slash("pair <@UMIA> <@UTOM>", user_id=ADMIN)
    assert "already mentors <@UTOM>" in last_reply(fake_slack, 2)

    program.slash("pair <@UMIA> <@UTIA>", user_id=ADMIN)
    assert "already mentors 1 of the 1 mentees" in last_reply(fake_slack, 3)
    assert "override" in last_reply(fake_slack, 3)

    program.slash("pair <@UMIA> <@UTIA> override", user_id=ADMIN)
    assert "Paired <@UMIA> (mentor) with <@UTIA>" in last_reply(fake_slack, 4)
    assert pair_count(session_factory) == 2


def test_a_private_announcement_channel_makes_the_admin_invite_the_bot(
    program: SlackSender, fake_slack: FakeSlack
) -> None:
    fake_slack.add_channel("GSECRET", private=True)
    configure(program, fake_slack, "GSECRET")

    program.slash("pair <@UMIA> <@UTOM>", user_id=ADMIN)

    note = fake_slack.wait_until("chat.postMessage", lambda call: call.args["channel"] == ADMIN)
    assert "/invite @mentorbot" in note.args["text"]


def test_matching_proposes_pairs_the_admin_reviews_and_confirms_once(
    program: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    fake_slack.add_channel("CPROGRAM", bot_is_member=True)
    configure(program, fake_slack, "CPROGRAM")

    program.slash("match", user_id=ADMIN)

    loading = fake_slack.wait_for("views.open", count=2)[-1].args["view"]
    assert "Finding the best pairs" in str(loading)
    review = fake_slack.wait_for("views.update")[0].args["view"]
    assert_valid_view(review)
    options = [o for b in review["blocks"] if b["type"] == "input" for o in b["element"]["options"]]
    assert len(options) == 2, "two mentors with room for one mentee each"
    reasons = next(b for b in review["blocks"] if b["type"] == "section" and "→" in b["text"]["text"])
    assert reasons["text"]["text"].count("shared skills") == 2, "each proposal's reason, in full"
    keep = options[0]["value"]

    first = program.submit(review, {f"{ids.MATCH_KEEP}_0": ticked(keep)}, user_id=ADMIN)
    again = program.submit(review, {f"{ids.MATCH_KEEP}_0": ticked(keep)}, user_id=ADMIN)

    confirmed = [reply.json()["view"]["blocks"][0]["text"]["text"] for reply in (first, again)]
    assert confirmed == [  # the form says so: no DM; a second submit changes nothing and says so
        "Confirmed 1 new pair. I am introducing them now.",
        "No new pairs: the proposals you kept were paired already.",
    ]
    fake_slack.wait_for("conversations.open")
    assert pair_count(session_factory) == 1
    announcements = [
        c for c in fake_slack.calls_to("chat.postMessage") if c.args["channel"] == "CPROGRAM" and c.ok
    ]
    assert len(announcements) == 1
    assert len(fake_slack.calls_to("conversations.open")) == 1


def test_only_admins_can_match(program: SlackSender, fake_slack: FakeSlack) -> None:
    program.slash("match", user_id="UMIA")

    assert "Only program admins can run matching" in last_reply(fake_slack)
    assert fake_slack.calls_to("views.open") == []


def test_a_member_pauses_resumes_and_ends_their_pair_and_gives_feedback(
    program: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    program.slash("pair <@UMIA> <@UTOM>", user_id=ADMIN)
    fake_slack.wait_for("conversations.open")

    program.slash("pause", user_id="UTOM")
    assert "your mentorship is paused" in last_reply(fake_slack, 2)
    program.slash("pause", user_id="UTOM")
    assert "no mentorship pair that this applies to" in last_reply(fake_slack, 3)
    program.slash("resume <@UMIA>", user_id="UTOM")
    assert "active again" in last_reply(fake_slack, 4)
    program.slash("end", user_id="UMIA")
    assert "End your mentorship with <@UTOM> for both of you?" in last_reply(fake_slack, 5)
    with session_factory() as session:
        assert session.scalar(select(Pair.status)) == "active", "nothing ends before the confirmation"
    confirm_end(program, fake_slack, "UMIA", last_question(fake_slack))
    answer = fake_slack.wait_for("response_url", count=6)[-1].args
    assert "Your mentorship with <@UTOM> has ended" in answer["text"], "the question turns into the answer"
    assert ids.FEEDBACK_OPEN in str(answer["blocks"]), "with the feedback button for the one who ended it"

    fake_slack.wait_for("views.publish", count=8)
    posts = fake_slack.calls_to("chat.postMessage")
    ended = [c for c in posts if "has ended" in c.args.get("text", "")]
    assert [c.args["channel"] for c in ended] == ["UTOM"], "the partner is told, the one who clicked is not"
    paused = [c for c in posts if "paused your mentorship" in c.args.get("text", "")]
    resumed = [c for c in posts if "resumed your mentorship" in c.args.get("text", "")]
    assert [c.args["channel"] for c in paused + resumed] == ["UMIA", "UMIA"]
    to_tom = next(c for c in ended if c.args["channel"] == "UTOM")
    blocks = blocks_of(to_tom)
    button = next(e for b in blocks if b["type"] == "actions" for e in b["elements"])
    program.click(ids.FEEDBACK_OPEN, button["value"], user_id="UTOM", message={"text": to_tom.args["text"]})
    form = fake_slack.wait_for("views.open")[-1].args["view"]
    assert_valid_view(form)

    missing = program.submit(form, {ids.FEEDBACK_RATING: picked(None)}, user_id="UTOM").json()
    thanks = program.submit(
        form,
        {ids.FEEDBACK_RATING: picked("4"), ids.FEEDBACK_COMMENT: typed("Great listener.")},
        user_id="UTOM",
    ).json()
    outsider = program.submit(form, {ids.FEEDBACK_RATING: picked("1")}, user_id="UTIA").json()

    assert ids.FEEDBACK_RATING in missing["errors"]
    assert thanks["response_action"] == "update"
    assert "not part of" in outsider["errors"][ids.FEEDBACK_RATING]
    with session_factory() as session:
        feedback = session.scalars(select(PairFeedback)).one()
        assert session.scalar(select(Pair.status)) == "ended"
    assert (feedback.rating, feedback.comment) == (4, "Great listener.")


def test_home_buttons_change_the_pair_and_outsiders_cannot(
    program: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    program.slash("pair <@UMIA> <@UTOM>", user_id=ADMIN)
    home = fake_slack.wait_until(
        "views.publish",
        lambda call: call.args["user_id"] == "UTOM" and ids.PAIR_PAUSE in str(call.args["view"]),
    ).args["view"]
    assert_valid_view(home)
    pause = next(
        e
        for b in home["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == ids.PAIR_PAUSE
    )

    program.click(ids.PAIR_PAUSE, pause["value"], user_id="UTIA", view=home)
    refusal = fake_slack.wait_until("chat.postMessage", lambda call: call.args["channel"] == "UTIA")
    with session_factory() as session:
        assert session.scalar(select(Pair.status)) == "active"
    program.click(ids.PAIR_PAUSE, pause["value"], user_id="UTOM", view=home)
    fake_slack.wait_until(
        "chat.postMessage", lambda call: "paused your mentorship" in call.args.get("text", "")
    )

    assert "Only the pair's mentor" in refusal.args["text"]
    with session_factory() as session:
        assert session.scalar(select(Pair.status)) == "paused"


def test_admin_list_pages_through_a_large_program(program: SlackSender, fake_slack: FakeSlack) -> None:
    for n in range(45):
        user_id = f"UNEW{n:03d}"
        fake_slack.add_user(user_id)
        enroll(program, fake_slack, user_id, mentor=False)
    fake_slack.wait_for("views.publish", count=45)
    fake_slack.reset()

    program.slash("list", user_id=ADMIN)
    first = fake_slack.wait_for("views.open")[0].args["view"]
    program.click(ids.LIST_NEXT, "1", user_id=ADMIN, view=first)
    second = fake_slack.wait_for("views.update")[0].args["view"]

    assert_valid_view(first)
    assert_valid_view(second)
    assert "*Unpaired mentees* (48)" in str(first["blocks"])
    assert "Page 1 of 3" in str(first["blocks"])
    assert "Page 2 of 3" in str(second["blocks"])


def test_the_admin_list_shows_feedback_only_as_totals(
    program: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    program.slash("pair <@UMIA> <@UTOM>", user_id=ADMIN)
    fake_slack.wait_for("conversations.open")
    program.slash("end", user_id="UTOM")
    confirm_end(program, fake_slack, "UTOM", last_question(fake_slack))
    fake_slack.wait_until("chat.postMessage", lambda call: "has ended" in call.args.get("text", ""))
    with session_factory() as session:
        pair_id = session.scalar(select(Pair.id))
    form = {"callback_id": ids.FEEDBACK_MODAL, "private_metadata": str(pair_id)}
    program.submit(
        form, {ids.FEEDBACK_RATING: picked("5"), ids.FEEDBACK_COMMENT: typed("Secret words")}, user_id="UTOM"
    )
    program.submit(form, {ids.FEEDBACK_RATING: picked("2")}, user_id="UMIA")

    program.slash("list", user_id=ADMIN)

    shown = str(fake_slack.wait_for("views.open")[-1].args["view"])
    assert "2 ratings, average 3.5 of 5" in shown
    assert "Secret words" not in shown


def test_mentor_end_asks_first_and_keep_it_changes_nothing(
    paired: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    paired.slash("end", user_id="UTOM")
    question = last_question(fake_slack)
    confirm_end(paired, fake_slack, "UTOM", question, keep=True)
    assert "nothing changed" in last_reply(fake_slack, 2)
    paired.slash("end <@UMIA> <@UTOM>", user_id="UTIA")
    refused = last_reply(fake_slack, 3)

    assert_valid_message(question["blocks"])
    assert "End your mentorship with <@UMIA>" in question["text"]
    assert "Only the pair's mentor" in refused
    with session_factory() as session:
        assert session.scalar(select(Pair.status)) == "active"
    assert not [c for c in fake_slack.calls_to("chat.postMessage") if "has ended" in c.args.get("text", "")]

    confirm_end(paired, fake_slack, "UTOM", question)
    confirm_end(paired, fake_slack, "UTOM", question)
    fake_slack.wait_until("response_url", lambda call: "ended already" in call.args.get("text", ""))
    fake_slack.wait_until(
        "chat.postMessage", lambda c: c.args["channel"] == "UMIA" and "has ended" in c.args["text"]
    )
    with session_factory() as session:
        assert session.scalar(select(Pair.status)) == "ended"
    ended = [c for c in fake_slack.calls_to("chat.postMessage") if "has ended" in c.args.get("text", "")]
    assert [c.args["channel"] for c in ended] == ["UMIA"], "the partner is told once"
    in_place = [c for c in fake_slack.calls_to("response_url") if "Thank you" in c.args.get("text", "")]
    assert len(in_place) == 1, "the one who ended it sees it where they clicked, once"
