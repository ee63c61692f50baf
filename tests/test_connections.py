"""Mentors connect their mentees with people who can help; people can opt out or be forgotten."""

from __future__ import annotations

from sqlalchemy import select

from bot import ids
from storage.db import SessionFactory
from storage.models import Goal, Introduction, Pair, Person, Profile
from tests.blockkit import assert_valid_view
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import SlackSender, picked, typed
from tests.scenarios import ADMIN
from tests.test_goals import goal_fields, open_goal_form


def reply(slack: SlackSender, text: str, user_id: str) -> str:
    """Type a command whose answer comes in the acknowledgement."""
    return slack.slash(text, user_id=user_id).json()["text"]


def test_find_lists_people_who_offer_a_skill_except_those_who_opted_out(paired: SlackSender) -> None:
    assert "<@UMAX> (mentor): Public speaking" in reply(paired, "find public speak", "UTOM")

    assert "you will not be suggested" in reply(paired, "introductions off", "UMAX")
    assert "<@UMAX>" not in reply(paired, "find public speaking", "UTOM")
    assert "Nobody in your programs offers “Rust”" in reply(paired, "find Rust", "UTOM")
    assert "Mentors can now find" in reply(paired, "introductions on", "UMAX")
    assert "<@UMAX>" in reply(paired, "find Leadership", "UTOM")
    assert "Join a program first" in reply(paired, "find leadership", "UOUTSIDER")


def test_a_mentor_introduces_their_mentee_in_a_group_dm_kept_on_the_pair(
    paired: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    paired.slash("connect <@UMAX|max>", user_id="UMIA")
    view = fake_slack.wait_for("views.open")[0].args["view"]
    assert_valid_view(view)

    short = paired.submit(view, {ids.CONNECT_REASON: typed("hi")}, user_id="UMIA").json()
    done = paired.submit(
        view,
        {
            ids.CONNECT_REASON: typed("Max ran the payments guild talks for two years."),
            ids.CONNECT_QUESTION: typed("How do you pick a talk topic?"),
            ids.CONNECT_WHO: picked("three"),
        },
        user_id="UMIA",
    )

    assert ids.CONNECT_REASON in short["errors"]
    assert done.body == ""
    opened = fake_slack.wait_for("conversations.open")[-1]
    assert opened.args["users"] == "UMIA,UTOM,UMAX"
    intro = fake_slack.wait_until(
        "chat.postMessage", lambda c: "would like to introduce" in c.args.get("text", "")
    )
    assert "How do you pick a talk topic?" in intro.args["text"]
    with session_factory() as session:
        introduction = session.scalars(select(Introduction)).one()
    assert introduction.with_mentor is True
    assert intro.args["channel"] == opened.response["channel"]["id"], "in the group DM of the three"


def test_only_a_mentor_can_introduce_and_not_to_people_who_opted_out(
    paired: SlackSender, fake_slack: FakeSlack
) -> None:
    fake_slack.add_user("UBOT", is_bot=True)
    paired.slash("introductions off", user_id="UMAX")

    asked = [("UTOM", "UMAX"), ("UMIA", "UMAX"), ("UMIA", "UBOT"), ("UMIA", "UTOM")]
    for count, (mentor, person) in enumerate(asked, start=1):
        paired.slash(f"connect <@{person}>", user_id=mentor)
        fake_slack.wait_for("response_url", count=count)  # answers come after the ack, in any order

    replies = [r.args["text"] for r in fake_slack.calls_to("response_url")]
    assert "Introductions come from a mentor" in replies[0]
    assert "asked not to be introduced" in replies[1]
    assert "bots and deactivated accounts" in replies[2]
    assert "someone other than the two of you" in replies[3]
    assert fake_slack.calls_to("views.open") == []


def test_forget_me_deletes_what_they_wrote_ends_pairs_and_keeps_counts(
    paired: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    paired.submit(open_goal_form(paired, fake_slack), goal_fields(), user_id="UTOM")
    paired.slash("forget-me", user_id="UTOM")
    confirm = fake_slack.wait_for("views.open", count=2)[-1].args["view"]
    assert_valid_view(confirm)

    assert paired.submit(confirm, {}, user_id="UTOM").body == ""

    told = fake_slack.wait_until(
        "chat.postMessage", lambda c: c.args["channel"] == "UMIA" and "has ended" in c.args.get("text", "")
    )
    assert "left mentoring" in told.args["text"]
    with session_factory() as session:
        people = {p.id: p for p in session.scalars(select(Person))}
        forgotten = next(p for p in people.values() if p.forgotten_at is not None)
        goal = session.scalars(select(Goal)).one()
        profile = session.scalars(select(Profile).where(Profile.person_id == forgotten.id)).one()
        pair = session.scalars(select(Pair)).one()
    assert forgotten.user_id.startswith("forgotten-")
    assert "UTOM" not in {p.user_id for p in people.values()}
    assert goal.specific == "(forgotten)"
    assert profile.motivations is None
    assert profile.left_at is not None
    assert pair.status == "ended"
    assert "no goals yet" in paired.slash("goals", user_id="UTOM").json()["text"]


def test_a_mentor_introduces_someone_from_the_home_tab(
    paired: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    paired.open_home("UMIA")
    home = fake_slack.wait_until(
        "views.publish", lambda c: c.args["user_id"] == "UMIA" and ids.HOME_CONNECT in str(c.args["view"])
    ).args["view"]
    button = next(
        e
        for b in home["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == ids.HOME_CONNECT
    )

    paired.click(ids.HOME_CONNECT, button["value"], user_id="UMIA", view=home)
    view = fake_slack.wait_for("views.open")[-1].args["view"]
    assert_valid_view(view)
    nobody = paired.submit(
        view, {ids.CONNECT_REASON: typed("Max knows the guild well.")}, user_id="UMIA"
    ).json()
    done = paired.submit(
        view,
        {
            ids.CONNECT_PERSON: {"type": "users_select", "selected_user": "UMAX"},
            ids.CONNECT_REASON: typed("Max knows the guild well."),
            ids.CONNECT_WHO: picked("two"),
        },
        user_id="UMIA",
    )

    assert ids.CONNECT_PERSON in {b.get("block_id") for b in view["blocks"]}
    assert "Choose whom" in nobody["errors"][ids.CONNECT_PERSON]
    assert done.body == ""
    opened = fake_slack.wait_for("conversations.open")[-1]
    assert opened.args["users"] == "UTOM,UMAX"
    fake_slack.wait_until(
        "chat.postMessage", lambda c: c.args["channel"] == "UMIA" and "I introduced" in c.args["text"]
    )
    with session_factory() as session:
        assert session.scalars(select(Introduction)).one().with_mentor is False


def _introduced(fake_slack: FakeSlack, session_factory: SessionFactory, count: int) -> list[tuple[str, str]]:
    """(mentee, person) of each introduction kept so far, once `count` of them exist."""
    fake_slack.wait_until(
        "chat.postMessage",
        lambda _call: (
            sum("would like to introduce" in c.args.get("text", "") for c in fake_slack.calls) >= count
        ),
    )
    with session_factory() as session:
        pairs = {pair.id: pair.mentee.user_id for pair in session.scalars(select(Pair))}
        people = {person.id: person.user_id for person in session.scalars(select(Person))}
        return [
            (pairs[introduction.pair_id], people[introduction.person_id])
            for introduction in session.scalars(select(Introduction).order_by(Introduction.id))
        ]


def test_a_mentor_of_two_mentees_introduces_each_by_command_and_from_the_home_tab(
    paired: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    paired.slash("pair <@UMIA> <@UTIA> override", user_id=ADMIN)
    fake_slack.wait_until("views.publish", lambda c: c.args["user_id"] == "UTIA")
    reason = {ids.CONNECT_REASON: typed("Max ran the payments guild talks for two years.")}

    paired.slash("connect <@UMAX> <@UTIA>", user_id="UMIA")
    by_command = fake_slack.wait_for("views.open")[-1].args["view"]
    assert paired.submit(by_command, reason, user_id="UMIA").body == ""
    assert _introduced(fake_slack, session_factory, 1) == [("UTIA", "UMAX")]

    with session_factory() as session:
        toms = session.scalars(select(Pair).where(Pair.mentee.has(Person.user_id == "UTOM"))).one().id
    before = len(fake_slack.calls_to("views.open"))
    paired.click(ids.HOME_CONNECT, str(toms), user_id="UMIA")
    from_home = fake_slack.wait_for("views.open", count=before + 1)[-1].args["view"]
    assert_valid_view(from_home)
    picked_max = {ids.CONNECT_PERSON: {"type": "users_select", "selected_user": "UMAX"}}
    assert paired.submit(from_home, reason | picked_max, user_id="UMIA").body == ""
    assert _introduced(fake_slack, session_factory, 2) == [("UTIA", "UMAX"), ("UTOM", "UMAX")]
