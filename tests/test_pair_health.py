"""Pair health: the fit check after the first meeting, drift after silence, pulses, re-pairing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot import ids
from bot.app import create_sending_client
from bot.config import Settings
from bot.delivery import dispatch_due
from storage.db import SessionFactory
from storage.models import CheckIn, FitAnswer, OutboxMessage, Pair, Program, Pulse
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import SlackSender
from tests.test_checkins import seed_pair

DUE = datetime(2026, 10, 6, 7, 0, tzinfo=UTC)  # Tuesday 09:00 in Berlin


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
            "chat.postMessage", lambda c, u=u: c.args["channel"] == u and "good fit" in c.args["text"]
        )
        for u in ("UMENTOR1", "UMENTEE1")
    ]
    slack.slash("help", user_id="UMENTOR1")  # a later request: both clicks' listeners have finished
    fit_asks = [c for c in fake_slack.calls_to("chat.postMessage") if "good fit" in c.args.get("text", "")]
    assert len(fit_asks) == 2, "asked once per member, not once per answer"
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
    slack.click(ids.REPAIR, str(pair_id), user_id="UBOSS")
    fake_slack.wait_until(
        "chat.postMessage", lambda c: "find each of them someone new" in c.args.get("text", "")
    )

    assert "not a good fit" in alert.args["text"]
    assert "not part of" in refusal.args["text"]
    with session_factory() as session:
        answers = session.scalars(select(FitAnswer)).all()
        assert session.get(Pair, pair_id).status == "ended"
    assert [a.answer for a in answers] == ["not_fit"]
    denied = [
        c
        for c in fake_slack.calls_to("chat.postMessage")
        if "Only admins of that pair's program" in c.args.get("text", "")
    ]
    assert [c.args["channel"] for c in denied] == ["UMENTEE1"]


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

    fake_slack.wait_until("chat.postMessage", lambda c: "chose: pause for now" in c.args.get("text", ""))
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
    asks = [t for t in posted if "keep going, pause, or end" in t]
    assert len(asks) == 1
    assert sum("Check-in time" in t for t in posted) == 4, (
        "the fourth silent week pauses instead of asking again"
    )
    assert any("so I paused your mentorship" in t for t in posted)
    with session_factory() as session:
        pair = session.get(Pair, pair_id)
    assert (pair.status, pair.next_checkin_at) == ("paused", None)


def test_pulses_go_to_both_members_every_few_weeks(
    session_factory: SessionFactory, fake_slack: FakeSlack, settings: Settings
) -> None:
    pair_id = seed_pair(session_factory, 1, mentee_tz="Europe/Berlin")
    with session_factory.begin() as session:
        session.get(Pair, pair_id).next_pulse_at = DUE
    client = create_sending_client(settings)

    dispatch_due(session_factory, client, DUE + timedelta(hours=1))
    dispatch_due(session_factory, client, DUE + timedelta(hours=2))

    pulses = [
        c.args["channel"]
        for c in fake_slack.calls_to("chat.postMessage")
        if c.ok and "Quick pulse" in c.args["text"]
    ]
    assert sorted(pulses) == ["UMENTEE1", "UMENTOR1"]
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
        assert pair.unanswered_checkins <= 1
    paused_notices = [
        c for c in fake_slack.calls_to("chat.postMessage") if "Nobody answered" in c.args.get("text", "")
    ]
    assert len(paused_notices) == 1, "paused once, by the silence before the resume"
