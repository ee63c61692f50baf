"""Mentees choose, over HTTP: browse the mentors with room, ask one, and the answers.

The shared `program` scene: Mia (Berlin) and Max (New York) mentor one mentee each; Tom, Tia and
Ted want a mentor. A program lets mentees ask when its pairing mode says so.
"""

from __future__ import annotations

import json
import threading
from datetime import timedelta

from sqlalchemy import func, select, update

from bot import ids
from bot.app import create_sending_client
from bot.config import Settings
from bot.delivery import dispatch_due
from storage.db import SessionFactory
from storage.models import MentorRequest, Pair, Person, Program
from tests.blockkit import assert_valid_view
from tests.fakes.slack_api import Call, FakeSlack
from tests.fakes.slack_requests import SlackSender, people, picked, typed
from tests.scenarios import ADMIN, configure, join_fields, open_join


def set_mode(session_factory: SessionFactory, mode: str) -> None:
    with session_factory.begin() as session:
        session.execute(update(Program).values(pairing_mode=mode))


def browse(slack: SlackSender, fake_slack: FakeSlack, user_id: str, text: str = "mentors") -> dict:
    opened = len(fake_slack.calls_to("views.open"))
    assert slack.slash(text, user_id=user_id).status == 200
    view = fake_slack.wait_for("views.open", count=opened + 1)[-1].args["view"]
    assert_valid_view(view)
    return view


def listed_users(view: dict) -> list[str]:
    return [
        b["text"]["text"].split("*")[1].strip("<@>")
        for b in view["blocks"]
        if b["type"] == "section" and b["text"]["text"].startswith("*<@")
    ]


def person_id(session_factory: SessionFactory, user_id: str) -> int:
    with session_factory() as session:
        found = session.scalar(select(Person.id).where(Person.user_id == user_id))
        assert found is not None
        return found


def ask(
    slack: SlackSender, fake_slack: FakeSlack, browsing: dict, mentor: str, mentee: str, note: str
) -> dict:
    """Press Ask beside `mentor` in the browsing modal and send the request form; returns the reply."""
    pushes = len(fake_slack.calls_to("views.push"))
    button = next(
        b["accessory"]
        for b in browsing["blocks"]
        if b.get("accessory", {}).get("action_id") == ids.BROWSE_ASK and f"<@{mentor}>" in b["text"]["text"]
    )
    slack.click(ids.BROWSE_ASK, button["value"], user_id=mentee, view={"type": "modal", **browsing})
    form = fake_slack.wait_for("views.push", count=pushes + 1)[-1].args["view"]
    return slack.submit(form, {ids.ASK_NOTE: typed(note)}, user_id=mentee).json()


def request_to(fake_slack: FakeSlack, mentor: str, count: int = 1) -> Call:
    """The request message to `mentor` (the `count`-th one)."""

    def sent() -> list[Call]:
        return [
            c
            for c in fake_slack.calls_to("chat.postMessage")
            if c.args["channel"] == mentor and ids.REQUEST_ACCEPT in json.dumps(c.args.get("blocks"))
        ]

    fake_slack.wait(lambda: len(sent()) >= count, f"request {count} to {mentor}")
    return sent()[count - 1]


def press(slack: SlackSender, fake_slack: FakeSlack, call: Call, action_id: str, user_id: str) -> None:
    before = len(fake_slack.calls)
    assert slack.press(fake_slack.message_of(call), action_id, user_id=user_id).status == 200
    fake_slack.wait(lambda: len(fake_slack.calls) > before, f"{action_id} to be handled")


def pairs(session_factory: SessionFactory) -> list[tuple[str, str]]:
    with session_factory() as session:
        users = {pid: uid for pid, uid in session.execute(select(Person.id, Person.user_id))}
        return sorted((users[p.mentor_id], users[p.mentee_id]) for p in session.scalars(select(Pair)))


def test_browsing_lists_mentors_with_room_best_first_and_never_those_kept_out(
    program: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    set_mode(session_factory, "mentor_decides")

    view = browse(program, fake_slack, "UTOM")
    assert sorted(listed_users(view)) == ["UMAX", "UMIA"]
    assert "shared skill" in json.dumps(view)  # each with the one-line reason matching gives
    assert json.dumps(view).count(ids.BROWSE_ASK) == 2

    # Tom would rather not have Max; Mia opts out of introductions: neither appears to Tom.
    form = open_join(program, fake_slack, "UTOM", "profile")
    fields = join_fields() | {ids.JOIN_TZ: typed("Europe/Paris"), ids.JOIN_EXCLUDE: people("UMAX")}
    assert program.submit(form, fields, user_id="UTOM").body == ""
    assert listed_users(browse(program, fake_slack, "UTOM")) == ["UMIA"]
    assert "will not be suggested" in program.slash("introductions off", user_id="UMIA").body
    assert listed_users(browse(program, fake_slack, "UTOM")) == []
    # Max never sees Tom's wish, and Tia, who excluded nobody, still sees Max.
    assert "UMAX" in listed_users(browse(program, fake_slack, "UTIA"))

    # Filtered by a skill nobody offers: none, said plainly.
    assert "No mentor with room" in json.dumps(browse(program, fake_slack, "UTIA", "mentors Rust"))


def test_where_admins_pair_people_mentees_browse_but_cannot_ask(
    program: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    view = browse(program, fake_slack, "UTOM")

    assert ids.BROWSE_ASK not in json.dumps(view)
    assert "admins pair people" in json.dumps(view)
    reply = program.submit(
        {"callback_id": ids.ASK_MODAL, "private_metadata": ids.encode_ask_metadata(1, 1)},
        {ids.ASK_NOTE: typed("please")},
        user_id="UTOM",
    )
    assert reply.json()["response_action"] == "errors"  # a crafted request is refused
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(MentorRequest)) == 0


def test_an_accepted_request_makes_one_pair_however_often_accept_is_clicked(
    program: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    fake_slack.add_channel("CPROGRAM", bot_is_member=True)
    configure(program, fake_slack, "CPROGRAM")
    set_mode(session_factory, "mentor_decides")

    reply = ask(
        program, fake_slack, browse(program, fake_slack, "UTOM"), "UMIA", "UTOM", "I want to lead reviews."
    )
    assert reply["response_action"] == "update"
    assert "has until" in json.dumps(reply["view"])
    request = request_to(fake_slack, "UMIA")
    assert "I want to lead reviews." in json.dumps(request.args["blocks"])

    # Mia clicks Accept twice at the same moment; Tia, not the mentor, tries too.
    clicks = [
        threading.Thread(
            target=program.press,
            args=(fake_slack.message_of(request), ids.REQUEST_ACCEPT),
            kwargs={"user_id": "UMIA"},
        )
        for _ in range(2)
    ]
    for click in clicks:
        click.start()
    for click in clicks:
        click.join()
    program.press(fake_slack.message_of(request), ids.REQUEST_ACCEPT, user_id="UTIA")
    fake_slack.wait_until("chat.postEphemeral", lambda c: c.args["user"] == "UTIA")
    fake_slack.wait_until("chat.update", lambda c: c.args.get("ts") == request.response["ts"])
    fake_slack.wait_until("chat.postMessage", lambda c: c.args["channel"].startswith("G"))  # the kickoff

    assert pairs(session_factory) == [("UMIA", "UTOM")]
    announced = [c for c in fake_slack.calls_to("chat.postMessage") if c.args["channel"] == "CPROGRAM"]
    kickoffs = [c for c in fake_slack.calls_to("chat.postMessage") if c.args["channel"].startswith("G")]
    assert (len(announced), len(kickoffs)) == (1, 1)
    assert ids.REQUEST_ACCEPT not in json.dumps(fake_slack.message_of(request)["blocks"])


def test_two_mentees_asking_for_the_last_place_give_one_pair_and_a_kind_answer_to_the_other(
    program: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    set_mode(session_factory, "mentor_decides")
    ask(program, fake_slack, browse(program, fake_slack, "UTIA"), "UMAX", "UTIA", "Tia here")
    ask(program, fake_slack, browse(program, fake_slack, "UTOM"), "UMAX", "UTOM", "Tom here")
    first, second = request_to(fake_slack, "UMAX", 1), request_to(fake_slack, "UMAX", 2)
    stale_second = fake_slack.message_of(second)

    press(program, fake_slack, first, ids.REQUEST_ACCEPT, "UMAX")
    told = fake_slack.wait_until(
        "chat.postMessage",
        lambda c: c.args["channel"] == "UTOM" and "has closed" in (c.args["text"] or ""),
    )
    assert "no room left" in json.dumps(told.args["blocks"])
    assert ids.HOME_FIND_MENTOR in json.dumps(told.args["blocks"])  # and the way to the next best
    fake_slack.wait_until("chat.update", lambda c: c.args.get("ts") == second.response["ts"])
    assert ids.REQUEST_ACCEPT not in json.dumps(fake_slack.message_of(second)["blocks"])

    program.press(stale_second, ids.REQUEST_ACCEPT, user_id="UMAX")  # as Max saw it before
    refused = fake_slack.wait_until("chat.postEphemeral", lambda c: c.args["user"] == "UMAX")
    assert "declined already" in refused.args["text"]
    assert pairs(session_factory) == [("UMAX", "UTIA")]


def _request_id(session_factory: SessionFactory, mentee: str) -> int:
    with session_factory() as session:
        found = session.scalar(
            select(MentorRequest.id)
            .join(Person, Person.id == MentorRequest.mentee_id)
            .where(Person.user_id == mentee)
        )
        assert found is not None
        return found


def test_a_declined_request_tells_the_mentee_once_kindly_with_the_reason_and_who_else_to_ask(
    program: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    set_mode(session_factory, "mentor_decides")
    ask(program, fake_slack, browse(program, fake_slack, "UTOM"), "UMIA", "UTOM", "Tom here")
    request = request_to(fake_slack, "UMIA")
    opened = len(fake_slack.calls_to("views.open"))
    press(program, fake_slack, request, ids.REQUEST_DECLINE, "UMIA")
    form = fake_slack.wait_for("views.open", count=opened + 1)[-1].args["view"]

    for _ in range(2):  # a double submit declines once
        program.submit(form, {ids.DECLINE_REASON: typed("I am away most of spring.")}, user_id="UMIA")
    told = fake_slack.wait_until("chat.postMessage", lambda c: c.args["channel"] == "UTOM")

    assert "I am away most of spring." in json.dumps(told.args["blocks"])
    assert "<@UMAX>" in json.dumps(told.args["blocks"])  # the next best mentor
    fake_slack.wait_until("chat.update", lambda c: c.args.get("ts") == request.response["ts"])
    assert [c.args["channel"] for c in fake_slack.calls_to("chat.postMessage")].count("UTOM") == 1
    assert pairs(session_factory) == []


def test_a_withdrawn_request_can_no_longer_be_accepted(
    program: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    set_mode(session_factory, "mentor_decides")
    ask(program, fake_slack, browse(program, fake_slack, "UTOM"), "UMIA", "UTOM", "Tom here")
    request = request_to(fake_slack, "UMIA")
    stale = fake_slack.message_of(request)

    # Talk first, twice: one group message of the two.
    for _ in range(2):
        press(program, fake_slack, request, ids.REQUEST_TALK, "UMIA")
    fake_slack.wait_until("chat.postEphemeral", lambda c: "open already" in c.args["text"])
    fake_slack.wait_until("chat.postMessage", lambda c: "would like to talk" in (c.args["text"] or ""))
    talks = [
        c for c in fake_slack.calls_to("chat.postMessage") if "would like to talk" in (c.args["text"] or "")
    ]
    assert len(talks) == 1

    withdrawn = str(_request_id(session_factory, "UTOM"))
    program.click(ids.REQUEST_WITHDRAW, withdrawn, user_id="UTOM", view={"type": "home"})
    fake_slack.wait_until("chat.update", lambda c: c.args.get("ts") == request.response["ts"])
    program.click(ids.REQUEST_WITHDRAW, withdrawn, user_id="UTOM", view={"type": "home"})  # again
    fake_slack.wait_until(
        "chat.postMessage", lambda c: c.args["channel"] == "UTOM" and "withdrawn" in (c.args["text"] or "")
    )
    program.press(stale, ids.REQUEST_ACCEPT, user_id="UMIA")
    refused = fake_slack.wait_until(
        "chat.postEphemeral", lambda c: c.args["user"] == "UMIA" and "open already" not in c.args["text"]
    )

    assert "withdrawn" in refused.args["text"]
    assert pairs(session_factory) == []


def test_a_request_nobody_answers_expires_and_the_mentee_hears_once(
    program: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory, settings: Settings
) -> None:
    set_mode(session_factory, "mentor_decides")
    ask(program, fake_slack, browse(program, fake_slack, "UTOM"), "UMIA", "UTOM", "Tom here")
    request_to(fake_slack, "UMIA")
    sender = create_sending_client(settings)
    with session_factory() as session:
        expires = session.scalars(select(MentorRequest.expires_at)).one()
    later = expires + timedelta(minutes=1)

    for _ in range(2):
        dispatch_due(session_factory, sender, later, sleep=lambda _s: None)

    told = [c for c in fake_slack.calls_to("chat.postMessage") if c.args["channel"] == "UTOM"]
    assert len(told) <= 1  # once, in Tom's daytime (perhaps still waiting for it)
    with session_factory() as session:
        assert session.scalars(select(MentorRequest.status)).all() == ["expired"]


def test_where_admins_approve_an_accepted_request_waits_for_them(
    program: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    fake_slack.add_channel("CPROGRAM", bot_is_member=True)
    configure(program, fake_slack, "CPROGRAM")  # the admin who sets it up hears its approvals
    set_mode(session_factory, "admin_approval")
    ask(program, fake_slack, browse(program, fake_slack, "UTOM"), "UMIA", "UTOM", "Tom here")
    press(program, fake_slack, request_to(fake_slack, "UMIA"), ids.REQUEST_ACCEPT, "UMIA")
    approval = fake_slack.wait_until(
        "chat.postMessage", lambda c: ids.REQUEST_APPROVE in json.dumps(c.args.get("blocks"))
    )
    assert pairs(session_factory) == []

    press(program, fake_slack, approval, ids.REQUEST_APPROVE, "UTOM")  # not an admin
    fake_slack.wait_until("chat.postEphemeral", lambda c: c.args["user"] == "UTOM")
    assert pairs(session_factory) == []
    press(program, fake_slack, approval, ids.REQUEST_APPROVE, approval.args["channel"])
    fake_slack.wait(lambda: pairs(session_factory) == [("UMIA", "UTOM")], "the pair")
    program.press(approval_as_sent(approval), ids.REQUEST_APPROVE, user_id=approval.args["channel"])  # again
    again = fake_slack.wait_until("chat.postEphemeral", lambda c: c.args["user"] == approval.args["channel"])
    assert "accepted already" in again.args["text"]
    assert pairs(session_factory) == [("UMIA", "UTOM")]


def approval_as_sent(call: Call) -> dict:
    blocks = call.args["blocks"]
    return {
        "channel": call.response["channel"],
        "ts": call.response["ts"],
        "blocks": json.loads(blocks) if isinstance(blocks, str) else blocks,
    }


def test_admins_set_the_pairing_mode_in_the_program_settings(
    program: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    opened = len(fake_slack.calls_to("views.open"))
    program.slash("config", user_id=ADMIN)
    view = fake_slack.wait_for("views.open", count=opened + 1)[-1].args["view"]
    assert ids.CONFIG_PAIRING in json.dumps(view)
    reply = program.submit(
        view,
        {
            ids.CONFIG_NAME: typed("Mentorship"),
            ids.CONFIG_SKILLS: typed("Leadership\nPublic speaking"),
            ids.CONFIG_CADENCE: picked("weekly"),
            ids.CONFIG_PAIRING: picked("mentor_decides"),
            ids.CONFIG_REQUEST_DAYS: picked("5"),
            ids.CONFIG_ADMINS: people(),
        },
        user_id=ADMIN,
    )
    assert reply.body == ""
    with session_factory() as session:
        found = session.scalars(select(Program)).one()
    assert (found.pairing_mode, found.request_days) == ("mentor_decides", 5)


def test_a_request_that_no_longer_stands_becomes_no_pair(
    program: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    set_mode(session_factory, "mentor_decides")
    ask(program, fake_slack, browse(program, fake_slack, "UTOM"), "UMIA", "UTOM", "Tom here")
    ask(program, fake_slack, browse(program, fake_slack, "UTIA"), "UMIA", "UTIA", "Tia here")
    to_tom, to_tia = request_to(fake_slack, "UMIA", 1), request_to(fake_slack, "UMIA", 2)

    # An admin pairs Tom with Max meanwhile, and Mia keeps Tia out of her pairings.
    program.slash("pair <@UMAX> <@UTOM>", user_id=ADMIN)
    fake_slack.wait(lambda: pairs(session_factory) == [("UMAX", "UTOM")], "the admin's pair")
    form = open_join(program, fake_slack, "UMIA", "profile")
    mentor = join_fields() | {
        ids.JOIN_ROLE: picked("mentor"),
        ids.JOIN_SKILLS: {"type": "checkboxes", "selected_options": [{"value": "Leadership"}]},
        ids.JOIN_CAPACITY: picked("1"),
        ids.JOIN_EXPERIENCE: picked("expert"),
        ids.JOIN_TZ: typed("Europe/Berlin"),
        ids.JOIN_EXCLUDE: people("UTIA"),
    }
    assert program.submit(form, mentor, user_id="UMIA").body == ""

    for request in (to_tom, to_tia):
        before = len(fake_slack.calls_to("chat.postEphemeral"))
        program.press(fake_slack.message_of(request), ids.REQUEST_ACCEPT, user_id="UMIA")
        told = fake_slack.wait_for("chat.postEphemeral", count=before + 1)[-1]
        assert "no longer stands" in told.args["text"] or "withdrawn" in told.args["text"]

    assert pairs(session_factory) == [("UMAX", "UTOM")]


def test_two_accepts_at_once_for_the_last_place_make_one_pair_and_answer_both(
    program: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    set_mode(session_factory, "mentor_decides")
    ask(program, fake_slack, browse(program, fake_slack, "UTOM"), "UMAX", "UTOM", "Tom here")
    ask(program, fake_slack, browse(program, fake_slack, "UTIA"), "UMAX", "UTIA", "Tia here")
    first, second = request_to(fake_slack, "UMAX", 1), request_to(fake_slack, "UMAX", 2)
    messages = [fake_slack.message_of(first), fake_slack.message_of(second)]
    updates = len(fake_slack.calls_to("chat.update"))

    clicks = [
        threading.Thread(target=program.press, args=(message, ids.REQUEST_ACCEPT), kwargs={"user_id": "UMAX"})
        for message in messages
    ]
    for click in clicks:
        click.start()
    for click in clicks:
        click.join()
    fake_slack.wait_for("chat.update", count=updates + 2)  # both messages answered, none left hanging

    assert len(pairs(session_factory)) == 1
    with session_factory() as session:
        assert sorted(session.scalars(select(MentorRequest.status)).all()) == ["accepted", "declined"]


def test_where_admins_approve_the_last_place_closes_the_others_and_admins_speak_for_themselves(
    program: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    fake_slack.add_channel("CPROGRAM", bot_is_member=True)
    configure(program, fake_slack, "CPROGRAM")
    set_mode(session_factory, "admin_approval")
    ask(program, fake_slack, browse(program, fake_slack, "UTOM"), "UMAX", "UTOM", "Tom here")
    ask(program, fake_slack, browse(program, fake_slack, "UTIA"), "UMAX", "UTIA", "Tia here")
    for count in (1, 2):
        press(program, fake_slack, request_to(fake_slack, "UMAX", count), ids.REQUEST_ACCEPT, "UMAX")
    fake_slack.wait(
        lambda: (
            len(
                [
                    c
                    for c in fake_slack.calls_to("chat.postMessage")
                    if ids.REQUEST_APPROVE in json.dumps(c.args.get("blocks"))
                ]
            )
            == 2
        ),
        "two approvals",
    )
    approvals = [
        c
        for c in fake_slack.calls_to("chat.postMessage")
        if ids.REQUEST_APPROVE in json.dumps(c.args.get("blocks"))
    ]

    press(program, fake_slack, approvals[0], ids.REQUEST_APPROVE, ADMIN)
    told = fake_slack.wait_until(
        "chat.postMessage", lambda c: c.args["channel"] == "UTIA" and "has closed" in (c.args["text"] or "")
    )
    assert "no room left" in told.args["text"]
    assert "wrote" not in json.dumps(told.args["blocks"])  # nobody's words put in anyone's mouth
    assert pairs(session_factory) == [("UMAX", "UTOM")]


def test_a_skill_typed_in_any_case_filters_by_the_programs_own(
    program: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    set_mode(session_factory, "mentor_decides")
    view = browse(program, fake_slack, "UTOM", "mentors leadership")

    select_block = next(b for b in view["blocks"] if b.get("block_id") == ids.BROWSE_SKILL)
    assert select_block["elements"][0]["initial_option"]["value"] == "Leadership"
    assert len(listed_users(view)) == 2
    long = browse(program, fake_slack, "UTOM", "mentors " + "x" * 4000)  # too long for a filter: cut
    assert "No mentor with room" in json.dumps(long)


def test_admins_see_requests_in_counts_on_home_and_in_the_list_never_the_notes(
    program: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    fake_slack.add_channel("CPROGRAM", bot_is_member=True)
    configure(program, fake_slack, "CPROGRAM")
    set_mode(session_factory, "mentor_decides")
    ask(program, fake_slack, browse(program, fake_slack, "UTOM"), "UMIA", "UTOM", "A very private note")

    program.open_home(ADMIN)
    home = fake_slack.wait_until(
        "views.publish", lambda c: c.args["user_id"] == ADMIN and "Requests:" in json.dumps(c.args["view"])
    ).args["view"]
    opened = len(fake_slack.calls_to("views.open"))
    program.slash("list", user_id=ADMIN)
    listing = fake_slack.wait_for("views.open", count=opened + 1)[-1].args["view"]

    for surface in (home, listing):
        assert "1 request waiting for a mentor" in json.dumps(surface)
        assert "A very private note" not in json.dumps(surface)


def test_crafted_requests_are_refused_and_change_nothing(
    program: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    set_mode(session_factory, "mentor_decides")
    program.slash("pair <@UMAX> <@UTIA>", user_id=ADMIN)  # Max is full now
    fake_slack.wait(lambda: pairs(session_factory) == [("UMAX", "UTIA")], "the pair")
    with session_factory() as session:
        program_id = session.scalars(select(Program.id)).one()
    max_id, ted_id = person_id(session_factory, "UMAX"), person_id(session_factory, "UTED")

    full = {"callback_id": ids.ASK_MODAL, "private_metadata": ids.encode_ask_metadata(program_id, max_id)}
    assert "cannot take a request" in program.submit(full, {ids.ASK_NOTE: typed("")}, user_id="UTOM").body
    mentor_asks_mentor = {
        "callback_id": ids.ASK_MODAL,
        "private_metadata": ids.encode_ask_metadata(program_id, ted_id),
    }
    assert "errors" in program.submit(mentor_asks_mentor, {ids.ASK_NOTE: typed("")}, user_id="UMIA").body
    other = {
        "callback_id": ids.ASK_MODAL,
        "private_metadata": ids.encode_ask_metadata(program_id + 99, max_id),
    }
    assert "no longer exists" in program.submit(other, {ids.ASK_NOTE: typed("")}, user_id="UTOM").body
    ephemerals = len(fake_slack.calls_to("chat.postMessage"))
    program.click(ids.HOME_FIND_MENTOR, str(program_id + 99), user_id="UTOM", view={"type": "home"})
    fake_slack.wait(lambda: len(fake_slack.calls_to("chat.postMessage")) > ephemerals, "the refusal")

    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(MentorRequest)) == 0
    assert pairs(session_factory) == [("UMAX", "UTIA")]


def test_a_program_that_stops_letting_mentees_ask_closes_its_requests(
    program: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    set_mode(session_factory, "mentor_decides")
    ask(program, fake_slack, browse(program, fake_slack, "UTOM"), "UMIA", "UTOM", "Tom here")
    request = request_to(fake_slack, "UMIA")
    opened = len(fake_slack.calls_to("views.open"))
    program.slash("config", user_id=ADMIN)
    view = fake_slack.wait_for("views.open", count=opened + 1)[-1].args["view"]
    settings = {
        ids.CONFIG_NAME: typed("Mentorship"),
        ids.CONFIG_SKILLS: typed("Leadership\nPublic speaking"),
        ids.CONFIG_CADENCE: picked("weekly"),
        ids.CONFIG_PAIRING: picked("admins"),
        ids.CONFIG_ADMINS: people(),
    }
    assert program.submit(view, settings, user_id=ADMIN).body == ""

    for action_id in (ids.REQUEST_TALK, ids.REQUEST_ACCEPT):
        before = len(fake_slack.calls_to("chat.postEphemeral"))
        program.press(fake_slack.message_of(request), action_id, user_id="UMIA")
        fake_slack.wait_for("chat.postEphemeral", count=before + 1)

    assert pairs(session_factory) == []
    assert not [
        c for c in fake_slack.calls_to("chat.postMessage") if "would like to talk" in (c.args["text"] or "")
    ]
    with session_factory() as session:
        assert session.scalars(select(MentorRequest.status)).all() == ["withdrawn"]
