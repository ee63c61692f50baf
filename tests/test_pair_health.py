"""Pair health: the fit check after the first meeting, drift after silence, pulses, re-pairing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from bot import ids
from bot.app import create_sending_client
from bot.config import Settings
from bot.delivery import dispatch_due
from storage.db import SessionFactory
from storage.models import CheckIn, FitAnswer, Goal, OutboxMessage, Pair, Person, Program, Pulse
from tests.blockkit import assert_valid_message, assert_valid_view
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import SlackSender, ticked
from tests.scenarios import ADMIN
from tests.test_checkins import seed_pair
from tests.test_pairing import blocks_of

# The clock looks a few hours after Tuesday's 09:00 meeting in Berlin: its check-in is due.
DUE = datetime(2026, 10, 6, 11, 0, tzinfo=UTC)


def latest_checkin_id(session_factory: SessionFactory) -> int:
    with session_factory() as session:
        return session.scalar(select(CheckIn.id).order_by(CheckIn.due_at.desc()))


def test_the_first_yes_we_met_asks_each_member_privately_about_fit_once(
    session_factory: SessionFactory, fake_slack: FakeSlack, settings: Settings, slack: SlackSender
) -> None:
    pair_id = seed_pair(session_factory, 1, mentee_tz="Europe/Berlin")
    dispatch_due(session_factory, create_sending_client(settings), DUE)
    checkin = str(latest_checkin_id(session_factory))

    slack.click(f"{ids.CHECKIN_MET}_yes", f"{checkin}:yes", user_id="UMENTEE1")
    slack.click(f"{ids.CHECKIN_MET}_yes", f"{checkin}:yes", user_id="UMENTOR1")

    questions = [
        fake_slack.wait_until(
            "chat.postEphemeral", lambda c, u=u: c.args["user"] == u and "good fit" in c.args["text"]
        )
        for u in ("UMENTOR1", "UMENTEE1")
    ]
    slack.click(f"{ids.CHECKIN_MET}_yes", f"{checkin}:yes", user_id="UMENTEE1")  # the same answer again
    slack.slash("help", user_id="UMENTOR1")  # a later request: the clicks' listeners have finished
    fake_slack.wait_until("chat.postMessage", lambda c: "Noted already" in c.args["text"])  # no message: DM
    fit_asks = [c for c in fake_slack.calls_to("chat.postEphemeral") if "good fit" in c.args["text"]]
    assert len(fit_asks) == 2, "asked once per member, privately where they answered, not once per click"
    assert {c.args["channel"] for c in fit_asks} == {"GPAIR00001"}
    assert [c for c in fake_slack.calls_to("chat.postMessage") if "good fit" in c.args.get("text", "")] == []
    assert "<@UMENTEE1>" in questions[0].args["text"]
    with session_factory() as session:
        assert session.get(Pair, pair_id).fit_asked_at is not None


def test_not_a_fit_alerts_the_admins_who_can_end_and_repair(
    session_factory: SessionFactory, fake_slack: FakeSlack, slack: SlackSender, settings: Settings
) -> None:
    pair_id = seed_pair(session_factory, 1, mentee_tz="Europe/Berlin")
    fake_slack.add_user("UBOSS", is_admin=True)
    fake_slack.add_user("UMENTEE1")
    with session_factory.begin() as session:
        session.scalars(select(Program)).one().admin_user_ids = ["UBOSS"]

    slack.click(f"{ids.FIT_ANSWER}_not_fit", str(pair_id), user_id="UMENTEE1")
    slack.click(f"{ids.FIT_ANSWER}_good", str(pair_id), user_id="UOUTSIDER")
    alert = fake_slack.wait_until("chat.postMessage", lambda c: c.args["channel"] == "UBOSS")
    refusal = fake_slack.wait_until("chat.postMessage", lambda c: c.args["channel"] == "UOUTSIDER")
    slack.click(ids.REPAIR, str(pair_id), user_id="UMENTEE1")
    denied = fake_slack.wait_for("views.update")[-1].args["view"]

    assert "not a good fit" in alert.args["text"]
    assert "not part of" in refusal.args["text"]
    assert "Only admins of that pair's program" in str(denied["blocks"])
    with session_factory() as session:
        answers = session.scalars(select(FitAnswer)).all()
        assert session.get(Pair, pair_id).status == "active"
    assert [a.answer for a in answers] == ["not_fit"]


def test_end_and_repair_proposes_a_new_mentor_and_the_mentee_brings_their_goals(
    program: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    program.slash("pair <@UMIA> <@UTOM>", user_id=ADMIN)
    fake_slack.wait_for("views.publish", count=2)
    with session_factory.begin() as session:
        pair = session.scalars(select(Pair)).one()
        pair_id = pair.id
        session.add(
            Goal(
                team_id=pair.team_id,
                pair_id=pair.id,
                owner_id=pair.mentee_id,
                specific="Give a talk at the guild",
                measure_kind="milestones",
                attainable="With practice",
                realistic="It is my job",
                deadline=date(2027, 6, 1),
            )
        )
    program.click(f"{ids.FIT_ANSWER}_not_fit", str(pair_id), user_id="UTOM")
    fake_slack.wait_until("chat.postMessage", lambda c: "answered privately" in c.args.get("text", ""))
    fake_slack.reset()

    program.click(ids.REPAIR, str(pair_id), user_id=ADMIN)
    review = fake_slack.wait_for("views.update")[-1].args["view"]
    for member in ("UMIA", "UTOM"):
        fake_slack.wait_until("chat.postMessage", lambda c, m=member: c.args["channel"] == m)
    notices = {c.args["channel"]: c.args["text"] for c in fake_slack.calls_to("chat.postMessage")}

    assert_valid_view(review)
    assert review["callback_id"] == ids.MATCH_MODAL
    assert "<@UMAX> → <@UTOM>" in str(review["blocks"]), "a new mentor, never the old one"
    assert "<@UMIA>" not in str(review["blocks"])
    for text in notices.values():
        assert "has ended" in text
        for leak in ("ended it", "an admin", "admin ended", "fit"):
            assert leak not in text, text
    assert "suggest a new pairing" in notices["UTOM"]
    assert "suggest a new pairing" not in notices["UMIA"]

    program.click(ids.REPAIR, str(pair_id), user_id=ADMIN)
    again = fake_slack.wait_for("views.update", count=2)[-1].args["view"]
    assert again["callback_id"] == ids.MATCH_MODAL, "a second click proposes again, calmly"
    assert len([c for c in fake_slack.calls_to("chat.postMessage") if "has ended" in c.args["text"]]) == 2

    keep = [o["value"] for b in review["blocks"] if b["type"] == "input" for o in b["element"]["options"]]
    reply = program.submit(review, {f"{ids.MATCH_KEEP}_0": ticked(*keep)}, user_id=ADMIN)
    assert reply.status == 200
    assert "Confirmed 1 new pair" in str(reply.json()["view"])
    question = fake_slack.wait_until(
        "chat.postMessage", lambda c: c.args["channel"] == "UTOM" and "open goal" in c.args["text"]
    )
    assert_valid_message(blocks_of(question))
    bring = next(e for b in blocks_of(question) if b["type"] == "actions" for e in b["elements"])
    assert bring["action_id"] == ids.GOALS_BRING
    program.click(ids.GOALS_BRING, bring["value"], user_id="UMIA")
    program.click(ids.GOALS_BRING, bring["value"], user_id="UTOM")
    fake_slack.wait_until("chat.postMessage", lambda c: "1 goal moved" in c.args.get("text", ""))
    program.click(ids.GOALS_CLOSE, bring["value"], user_id="UTOM")
    fake_slack.wait_until("chat.postMessage", lambda c: "Done already" in c.args.get("text", ""))

    with session_factory() as session:
        new = session.scalars(select(Pair).where(Pair.status == "active")).one()
        goal = session.scalars(select(Goal)).one()
        assert session.get(Person, new.mentor_id).user_id == "UMAX"
    assert (goal.pair_id, goal.status) == (new.id, "active")
    denied = [c for c in fake_slack.calls_to("chat.postMessage") if c.args["channel"] == "UMIA"]
    assert "Only the mentee" in denied[-1].args["text"]


def test_a_pulse_score_is_kept_for_the_person_asked_only(
    session_factory: SessionFactory, fake_slack: FakeSlack, slack: SlackSender
) -> None:
    pair_id = seed_pair(session_factory, 1, mentee_tz="Europe/Berlin")
    with session_factory.begin() as session:
        pair = session.get(Pair, pair_id)
        pulse = Pulse(team_id=pair.team_id, pair_id=pair.id, person_id=pair.mentee_id, asked_on=DUE.date())
        session.add(pulse)
        session.flush()
        pulse_id = pulse.id

    slack.click(f"{ids.PULSE_SCORE}_2", str(pulse_id), user_id="UMENTOR1")
    slack.click(f"{ids.PULSE_SCORE}_4", str(pulse_id), user_id="UMENTEE1")

    fake_slack.wait_until(
        "chat.postMessage", lambda c: c.args["channel"] == "UMENTEE1" and "4 of 5" in c.args["text"]
    )
    refused = fake_slack.wait_until("chat.postMessage", lambda c: c.args["channel"] == "UMENTOR1")
    assert "for someone else" in refused.args["text"]
    with session_factory() as session:
        assert session.get(Pulse, pulse_id).score == 4


def test_a_silent_pair_chooses_to_pause_from_the_drift_question(
    session_factory: SessionFactory, fake_slack: FakeSlack, slack: SlackSender
) -> None:
    pair_id = seed_pair(session_factory, 1, mentee_tz="Europe/Berlin")

    slack.click(f"{ids.DRIFT_ANSWER}_pause", str(pair_id), user_id="UMENTOR1")

    told = fake_slack.wait_until("chat.postMessage", lambda c: "chose: *pause for now*" in c.args["text"])
    fake_slack.wait_for("views.publish", count=2)
    assert [c.args["channel"] for c in fake_slack.calls_to("chat.postMessage")] == [told.args["channel"]]
    assert told.args["channel"] == "UMENTOR1", "clicked away from the question, so told to the clicker"
    with session_factory() as session:
        pair = session.get(Pair, pair_id)
        assert (pair.status, pair.next_checkin_at) == ("paused", None)
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_three_silent_checkins_ask_once_and_a_fourth_pauses_the_pair(
    session_factory: SessionFactory, fake_slack: FakeSlack, settings: Settings
) -> None:
    pair_id = seed_pair(session_factory, 1, mentee_tz="Europe/Berlin")
    client = create_sending_client(settings)

    for week in range(5):
        dispatch_due(
            session_factory, client, DUE + timedelta(weeks=week, hours=3)
        )  # after 09:00 whatever DST

    posted = [
        c.args["text"]
        for c in fake_slack.calls_to("chat.postMessage")
        if c.ok and c.args["channel"] == "GPAIR00001"
    ]
    asks = [
        c
        for c in fake_slack.calls_to("chat.postMessage")
        if c.ok and "keep going, pause, or end" in c.args["text"]
    ]
    assert len(asks) == 1
    assert sum("Check-in time" in t for t in posted) == 3, "the question stands in for the fourth check-in"
    assert not any("so I paused" in t for t in posted), "the pause is written over the unanswered question"
    (paused,) = [c for c in fake_slack.calls_to("chat.update") if "so I paused" in c.args.get("text", "")]
    assert paused.args["ts"] == asks[0].response["ts"]
    with session_factory() as session:
        pair = session.get(Pair, pair_id)
    assert (pair.status, pair.next_checkin_at) == ("paused", None)


def test_pulses_open_for_both_members_every_few_weeks_and_cost_no_message(
    session_factory: SessionFactory, fake_slack: FakeSlack, settings: Settings
) -> None:
    pair_id = seed_pair(session_factory, 1, mentee_tz="Europe/Berlin")
    with session_factory.begin() as session:
        session.get(Pair, pair_id).next_pulse_at = DUE
    client = create_sending_client(settings)

    dispatch_due(session_factory, client, DUE + timedelta(hours=1))
    dispatch_due(session_factory, client, DUE + timedelta(hours=2))

    # Each is asked privately on their next check-in answer (tests/test_answers_in_place.py).
    assert [c for c in fake_slack.calls_to("chat.postMessage") if "Quick pulse" in c.args["text"]] == []
    with session_factory() as session:
        assert session.get(Pair, pair_id).next_pulse_at == DUE + timedelta(hours=1, weeks=4)
        assert session.scalar(select(func.count()).select_from(Pulse)) == 2


def test_resuming_after_a_drift_pause_starts_the_silent_count_afresh(
    session_factory: SessionFactory, fake_slack: FakeSlack, settings: Settings, slack: SlackSender
) -> None:
    pair_id = seed_pair(session_factory, 1, mentee_tz="Europe/Berlin")
    fake_slack.add_user("UMENTEE1")
    client = create_sending_client(settings)
    for week in range(5):
        dispatch_due(session_factory, client, DUE + timedelta(weeks=week, hours=3))
    with session_factory() as session:
        assert session.get(Pair, pair_id).status == "paused"

    slack.click(ids.PAIR_RESUME, str(pair_id), user_id="UMENTEE1", view={"type": "home"})
    fake_slack.wait_until("chat.postMessage", lambda c: "resumed" in c.args.get("text", ""))
    with session_factory() as session:
        resumed = session.get(Pair, pair_id)
    assert resumed.status == "active"
    assert resumed.next_checkin_at is not None
    dispatch_due(session_factory, client, resumed.next_checkin_at + timedelta(hours=3))

    with session_factory() as session:
        pair = session.get(Pair, pair_id)
        assert (pair.status, pair.drift_asked_at) == ("active", None)
        assert pair.unanswered_checkins == 0, "the check-in left unanswered before the pause does not count"
    paused_notices = [
        c
        for c in fake_slack.calls_to("chat.postMessage") + fake_slack.calls_to("chat.update")
        if "Nobody answered" in c.args.get("text", "")
    ]
    assert len(paused_notices) == 1, "paused once, by the silence before the resume"
