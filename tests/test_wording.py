"""What mentorbot says reads true: dates that mean what they say, changes that happened, counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from bot import ids
from storage.db import SessionFactory
from storage.models import Agreement, Pair
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import SlackSender
from tests.test_agreements import agreement_fields, open_agreement


def _field(view: dict, block_id: str) -> dict:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)["element"]


def test_changing_only_the_time_says_so_and_keeps_a_start_date_that_has_passed(
    paired: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    paired.submit(open_agreement(paired, fake_slack, "UTOM"), agreement_fields(), user_id="UTOM")
    fake_slack.wait_for("files.completeUploadExternal")
    started = datetime.now(UTC).date() - timedelta(days=20)  # the pair has met for weeks since
    with session_factory.begin() as session:
        session.execute(update(Agreement).values(start_date=started))

    view = open_agreement(paired, fake_slack, "UMIA")
    assert _field(view, ids.AGREE_START)["initial_date"] == started.isoformat()
    kept = {ids.AGREE_START: {"type": "datepicker", "selected_date": started.isoformat()}}
    answer = paired.submit(
        view, agreement_fields(**kept, **{ids.AGREE_TIME: {"selected_time": "16:00"}}), user_id="UMIA"
    )

    assert answer.body == ""
    change = fake_slack.wait_until(
        "files.completeUploadExternal", lambda c: "changed the" in (c.args.get("initial_comment") or "")
    )
    assert "<@UMIA> changed the time of how you meet" in change.args["initial_comment"]
    with session_factory() as session:
        assert session.scalars(select(Agreement)).one().start_date == started
    moved = paired.submit(
        open_agreement(paired, fake_slack, "UMIA"),
        agreement_fields(**{ids.AGREE_START: {"selected_date": (started - timedelta(days=1)).isoformat()}}),
        user_id="UMIA",
    ).json()
    assert "cannot be in the past" in moved["errors"][ids.AGREE_START]


def test_home_says_since_when_a_pair_is_paused_not_when_it_was_formed(
    paired: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    formed = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    with session_factory.begin() as session:
        session.execute(update(Pair).values(created_at=formed))
    paired.slash("pause", user_id="UTOM")
    fake_slack.wait_until(  # the pause happens after the ack; Tom's Home then offers Resume
        "views.publish", lambda c: c.args["user_id"] == "UTOM" and ids.PAIR_RESUME in str(c.args["view"])
    )
    with session_factory() as session:
        paused_at = session.scalars(select(Pair)).one().paused_at
    assert paused_at is not None

    paired.open_home("UMIA")
    home = fake_slack.wait_until(
        "views.publish", lambda c: c.args["user_id"] == "UMIA" and "paused since" in str(c.args["view"])
    ).args["view"]

    text = str(home["blocks"])
    assert f"paused since <!date^{int(paused_at.replace(tzinfo=UTC).timestamp())}^" in text
    assert "2026-01-05" not in text
