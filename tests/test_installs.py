"""Installed through Slack: workspaces side by side, forged installs refused, uninstalling, Grid, rotation.

Everything goes over HTTP: the browser's way through `/slack/install` and `/slack/oauth_redirect`,
requests signed like Slack's from each workspace, and the fake Slack's `oauth.v2.access`, which
gives each workspace its own token and records which token every call used.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot import ids
from bot.app import ListenerPool, create_installations, create_sending_client
from bot.config import ConfigError, Settings
from bot.delivery import dispatch_due
from bot.jobs import clock_jobs
from bot.outbox import Letter, post
from storage import queries
from storage.db import SessionFactory, create_db_engine, create_session_factory
from storage.migrate import upgrade
from storage.models import SLACK_BOTS, SLACK_INSTALLATIONS, Base, OutboxMessage, Pair, Person, Workspace
from storage.workspaces import granted_teams, owned_by
from tests.fakes.slack_api import TEAM_ID, FakeSlack, FakeWorkspace
from tests.fakes.slack_requests import SlackSender
from tests.installing import Hosted, finish_install, install, start_install
from tests.scenarios import enroll
from tests.test_cli import base_env, run

ALPHA = FakeWorkspace("T0ALPHA", name="Alpha")
BETA = FakeWorkspace("T0BETA", name="Beta")


def people_of(fake_slack: FakeSlack, team_id: str) -> tuple[str, str, str]:
    """An admin, a mentor and a mentee of `team_id`, known to the fake Slack."""
    letter = team_id[2]
    admin, mentor, mentee = f"U{letter}ADMIN", f"U{letter}MIA", f"U{letter}TOM"
    fake_slack.add_user(admin, team_id=team_id, is_admin=True)
    fake_slack.add_user(mentor, team_id=team_id, tz="Europe/Berlin")
    fake_slack.add_user(mentee, team_id=team_id, tz="Europe/Paris")
    return admin, mentor, mentee


def run_a_program(hosted: Hosted, team_id: str) -> tuple[SlackSender, tuple[str, str, str]]:
    """In `team_id`, a mentor and a mentee sign up and an admin pairs them; their kickoff is posted."""
    fake_slack = hosted.fake_slack
    sender = hosted.sender(team_id)
    admin, mentor, mentee = people = people_of(fake_slack, team_id)
    enroll(sender, fake_slack, mentor, mentor=True)
    enroll(sender, fake_slack, mentee, mentor=False)
    assert sender.slash(f"pair <@{mentor}> <@{mentee}>", user_id=admin).status == 200
    fake_slack.wait(
        lambda: any(
            c.team == team_id and c.ok and c.args.get("channel", "").startswith("G")
            for c in fake_slack.calls_to("chat.postMessage")
        ),
        f"the kickoff in {team_id}'s group DM",
    )
    return sender, people


def queue_a_letter_to_each(session_factory: SessionFactory, *people: tuple[str, str]) -> datetime:
    """A letter in the outbox for each (user, workspace), as the clock's jobs write them; their time."""
    now = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0) + timedelta(days=1)
    with session_factory.begin() as session:
        for user_id, team_id in people:
            queries.ensure_workspace(session, team_id, now)
            letter = Letter(
                key=f"test:{team_id}:{user_id}", kind="test", to=user_id, payload={"text": "Hello"}
            )
            post(session, team_id, [letter], now)
    return now


def calls_of(fake_slack: FakeSlack) -> list:
    """Every Web API call mentorbot made with a bot token (not the install's exchange)."""
    return [c for c in fake_slack.calls if c.method not in ("oauth.v2.access", "response_url")]


def test_two_workspaces_installed_through_slack_run_programs_with_their_own_tokens(
    hosted: Hosted, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    for workspace in (ALPHA, BETA):
        page = install(hosted.base_url, fake_slack, workspace)
        assert page.status == 200, page.body
    _, (_, alpha_mentor, alpha_mentee) = run_a_program(hosted, ALPHA.team_id)
    beta, (beta_admin, beta_mentor, beta_mentee) = run_a_program(hosted, BETA.team_id)

    # The clock, outside any request, sends what waits with each workspace's own token too.
    clients = create_installations(hosted.settings, session_factory, sending=True)
    now = queue_a_letter_to_each(session_factory, (alpha_mentee, ALPHA.team_id), (beta_mentee, BETA.team_id))
    report = dispatch_due(session_factory, clients, now, lanes=2)
    assert report.sent >= 2

    calls = calls_of(fake_slack)
    assert calls
    assert all(c.team in (ALPHA.team_id, BETA.team_id) for c in calls), {c.token for c in calls}
    assert all(c.response.get("error") != "invalid_auth" for c in calls)
    assert fake_slack.crossed == [], [(c.method, c.args, c.team) for c in fake_slack.crossed]
    for team, people in (
        (ALPHA.team_id, {alpha_mentor, alpha_mentee}),
        (BETA.team_id, {beta_mentor, beta_mentee}),
    ):
        homes = {c.args.get("user_id") for c in fake_slack.calls_to("views.publish") if c.team == team}
        assert people <= homes, (team, homes)
        assert all(fake_slack.team_of(token) == team for token in fake_slack.tokens_of(team))
    with session_factory() as session:
        teams = dict(session.execute(select(Person.user_id, Person.team_id)).all())
        assert teams[alpha_mentor] == ALPHA.team_id
        assert teams[beta_mentor] == BETA.team_id
        alpha_pair = session.scalars(select(Pair).where(Pair.team_id == ALPHA.team_id)).one()

    # Beta's admin replays Alpha's pause button with Alpha's pair id: Beta has no such pair.
    before = len(fake_slack.calls)
    assert (
        beta.click(ids.PAIR_PAUSE, str(alpha_pair.id), user_id=beta_admin, view={"type": "home"}).status
        == 200
    )
    fake_slack.wait_until("chat.postMessage", lambda c: c.args.get("channel") == beta_admin)
    with session_factory() as session:
        assert session.get(Pair, alpha_pair.id).status == "active"
    assert not [
        c for c in fake_slack.calls[before:] if c.args.get("channel") in (alpha_mentor, alpha_mentee)
    ], "Alpha's people heard nothing"


def test_an_install_with_a_forged_or_reused_state_is_refused(
    hosted: Hosted, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    state, cookie = start_install(hosted.base_url)
    raw, _, signature = state.rpartition(".")

    forged = [
        (
            f"{raw}.{'0' * len(signature)}",
            cookie.replace(state, f"{raw}.{'0' * len(signature)}"),
        ),  # not signed
        ("made-up-state", "slack-app-oauth-state=made-up-state"),  # never issued
        (state, None),  # a browser that did not start the install
    ]
    for forged_state, forged_cookie in forged:
        page = finish_install(hosted.base_url, fake_slack.approve(ALPHA), forged_state, forged_cookie)
        assert page.status != 200, forged_state
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(SLACK_BOTS)) == 0

    assert finish_install(hosted.base_url, fake_slack.approve(ALPHA), state, cookie).status == 200
    reused = finish_install(hosted.base_url, fake_slack.approve(BETA), state, cookie)
    assert reused.status != 200, "a state works once"
    with session_factory() as session:
        teams = set(session.scalars(select(SLACK_BOTS.c.team_id)))
    assert teams == {ALPHA.team_id}


def test_a_request_from_a_workspace_that_never_installed_gets_a_clear_answer_and_changes_nothing(
    hosted: Hosted, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    assert install(hosted.base_url, fake_slack, ALPHA).status == 200
    stranger = hosted.sender("T0STRANGER")
    reply = stranger.slash("join", user_id="USTRANGER")

    assert reply.status == 200
    answer = fake_slack.wait_for("response_url")[-1].args["text"]
    assert "not installed in this workspace" in answer
    assert not fake_slack.calls_to("views.open")
    with session_factory() as session:
        assert session.get(Workspace, "T0STRANGER") is None
        assert session.scalar(select(func.count()).select_from(Person)) == 0


def rows_of(session_factory: SessionFactory, team_id: str) -> dict[str, int]:
    """How many rows each table holds for `team_id`, leaving out empty ones."""
    with session_factory() as session:
        counts = {
            table.name: session.scalar(
                select(func.count()).select_from(table).where(owned_by(table, team_id))
            )
            for table in Base.metadata.sorted_tables
        }
    return {name: count for name, count in counts.items() if count}


def test_after_app_uninstalled_nothing_is_sent_and_the_rows_go_after_the_retention_period(
    hosted: Hosted, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    for workspace in (ALPHA, BETA):
        install(hosted.base_url, fake_slack, workspace)
    alpha, (_, _, alpha_mentee) = run_a_program(hosted, ALPHA.team_id)
    _, (_, _, beta_mentee) = run_a_program(hosted, BETA.team_id)
    alpha_tokens = fake_slack.tokens_of(ALPHA.team_id)
    beta_before = rows_of(session_factory, BETA.team_id)

    fake_slack.uninstall(ALPHA.team_id)
    assert alpha.event({"type": "app_uninstalled"}).status == 200
    assert hosted.listeners.wait_idle(30), "the event was handled"
    assert rows_of(session_factory, ALPHA.team_id).get("slack_bots") is None, "tokens deleted"
    with session_factory() as session:
        uninstalled_at = session.get(Workspace, ALPHA.team_id).uninstalled_at
    assert uninstalled_at is not None
    after_uninstall = len(fake_slack.calls)

    clients = create_installations(hosted.settings, session_factory, sending=True)
    jobs = clock_jobs(session_factory, clients, hosted.settings, installations=clients)
    now = queue_a_letter_to_each(session_factory, (alpha_mentee, ALPHA.team_id), (beta_mentee, BETA.team_id))
    for days in (0, 8, 29):  # what falls due in both workspaces goes to Beta only
        for job in jobs:
            job.run(now + timedelta(days=days))
    later = fake_slack.calls[after_uninstall:]
    assert not [c for c in later if c.token in alpha_tokens], "no call with Alpha's token"
    assert any(c.team == BETA.team_id and c.method == "chat.postMessage" for c in later)
    assert rows_of(session_factory, ALPHA.team_id).get("pairs") == 1, "kept during the retention period"

    for job in jobs:
        job.run(uninstalled_at + timedelta(days=hosted.settings.retention_days, minutes=1))
    assert rows_of(session_factory, ALPHA.team_id) == {}
    beta_after = rows_of(session_factory, BETA.team_id)
    with session_factory() as session:  # counted without `owned_by`: every row left is Beta's
        everything = {
            t.name: session.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables
        }
    assert {name: count for name, count in everything.items() if count} == beta_after
    assert {name for name in beta_before} <= set(beta_after)
    assert beta_after["pairs"] == 1


def test_reinstalling_within_the_retention_period_brings_everything_back(
    hosted: Hosted, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    install(hosted.base_url, fake_slack, ALPHA)
    alpha, (admin, mentor, _) = run_a_program(hosted, ALPHA.team_id)
    fake_slack.uninstall(ALPHA.team_id)
    alpha.event({"type": "app_uninstalled"})
    assert hosted.listeners.wait_idle(30), "the event was handled"
    assert rows_of(session_factory, ALPHA.team_id).get("slack_bots") is None, "tokens deleted"

    assert install(hosted.base_url, fake_slack, ALPHA).status == 200
    with session_factory() as session:
        workspace = session.get(Workspace, ALPHA.team_id)
        assert workspace.uninstalled_at is None
        uninstalled_for = workspace.created_at + timedelta(days=400)
    jobs = clock_jobs(
        session_factory, create_installations(hosted.settings, session_factory, sending=True), hosted.settings
    )
    for job in jobs:
        job.run(uninstalled_for)
    assert rows_of(session_factory, ALPHA.team_id)["pairs"] == 1
    fake_slack.reset()
    alpha.open_home(mentor)
    home = fake_slack.wait_for("views.publish")[-1]
    assert home.team == ALPHA.team_id
    assert fake_slack.team_of(home.token) == ALPHA.team_id
    assert admin


def test_rotating_tokens_are_refreshed_once_when_two_processes_find_them_due(
    hosted: Hosted, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    rotating = FakeWorkspace("T0ROTATE", name="Rotating", rotating=True, expires_in=600)
    assert install(hosted.base_url, fake_slack, rotating).status == 200
    first = fake_slack.tokens_of("T0ROTATE")
    clock, web = (create_installations(hosted.settings, session_factory, sending=True) for _ in range(2))
    held = fake_slack.hold("oauth.v2.access", when=lambda args: args.get("grant_type") == "refresh_token")
    results: dict[str, object] = {}
    refreshing = threading.Thread(target=lambda: results.update(clock=clock.refresh("T0ROTATE")))
    refreshing.start()
    assert fake_slack.wait_held(held, 1), "the clock asks Slack for a new token"

    # Meanwhile a web worker finds the token nearly due too: it keeps the one it has, still valid.
    rival = web.refresh("T0ROTATE", ahead=timedelta(hours=2))
    held.release()
    refreshing.join(30)

    assert not refreshing.is_alive()
    assert fake_slack.refresh_attempts == 1, "one refresh token, asked for once"
    assert rival.rotated is False
    assert rival.bot is not None
    assert rival.bot.bot_token in first
    refreshed = results["clock"]
    assert refreshed.rotated  # type: ignore[attr-defined]
    token = refreshed.bot.bot_token  # type: ignore[attr-defined]
    assert token not in first
    with session_factory() as session:
        assert set(session.scalars(select(SLACK_BOTS.c.bot_token))) == {token}
        assert set(session.scalars(select(SLACK_INSTALLATIONS.c.bot_token))) == {token}
    # Refreshed two hours ahead: the web worker now finds it fresh and spends nothing.
    assert web.client_for("T0ROTATE").token == token
    assert clock.refresh_due() == 0
    assert fake_slack.refresh_attempts == 1


def test_an_org_wide_install_answers_in_granted_workspaces_and_a_person_is_one_person(
    hosted: Hosted, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    org = FakeWorkspace("T0GRIDA", name="Grid", enterprise_id="E0GRID", org_wide=True)
    assert install(hosted.base_url, fake_slack, org).status == 200
    first = hosted.sender("T0GRIDA", enterprise_id="E0GRID", org_wide=True)
    second = hosted.sender("T0GRIDB", enterprise_id="E0GRID", org_wide=True)
    elsewhere = hosted.sender("T0GRIDC", enterprise_id="E0GRID", org_wide=True)
    first.event({"type": "team_access_granted", "team_ids": ["T0GRIDA", "T0GRIDB"]})
    assert hosted.listeners.wait_idle(30)
    assert _granted(session_factory, "E0GRID") == ["T0GRIDA", "T0GRIDB"]
    fake_slack.add_user("WGRACE", team_id="T0GRIDA", enterprise_id="E0GRID", tz="Europe/Berlin")

    enroll(first, fake_slack, "WGRACE", mentor=True)
    fake_slack.reset()
    second.open_home("WGRACE")
    home = fake_slack.wait_for("views.publish")[-1]
    assert "mentor" in str(home.args["view"]).lower()
    with session_factory() as session:
        people = session.execute(select(Person.team_id, Person.user_id)).all()
    assert people == [("E0GRID", "WGRACE")], "one person across the org's workspaces"

    elsewhere.slash("join", user_id="WGRACE")
    assert "not installed in this workspace" in fake_slack.wait_for("response_url")[-1].args["text"]
    first.event({"type": "team_access_revoked", "team_ids": ["T0GRIDB"]})
    assert hosted.listeners.wait_idle(30)
    assert _granted(session_factory, "E0GRID") == ["T0GRIDA"]
    fake_slack.reset()
    second.slash("help", user_id="WGRACE")
    assert "not installed in this workspace" in fake_slack.wait_for("response_url")[-1].args["text"]
    second.open_home("WGRACE")  # an event of an org-wide install names its workspace in the envelope
    first.event({"type": "team_access_revoked", "team_ids": ["T0GRIDA"]})
    assert hosted.listeners.wait_idle(30)
    assert _granted(session_factory, "E0GRID") == []
    first.slash("help", user_id="WGRACE")
    fake_slack.wait(lambda: len(fake_slack.calls_to("response_url")) == 2, "the second answer")
    assert "not installed in this workspace" in fake_slack.calls_to("response_url")[-1].args["text"]
    assert fake_slack.calls_to("views.publish") == [], "no workspace is granted any more"


def _granted(session_factory: SessionFactory, org_id: str) -> list[str]:
    with session_factory() as session:
        return granted_teams(session, org_id)


def test_mentorbot_purge_deletes_one_workspace_at_once_and_leaves_the_others(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'mentorbot.db'}"
    engine = create_db_engine(url)
    upgrade(engine)
    factory = create_session_factory(engine)
    now = datetime.now(UTC)
    with factory.begin() as session:
        for team_id in ("T0GONE", "T0STAYS"):
            session.add(Workspace(team_id=team_id, created_at=now))
            session.flush()
            session.add(Person(team_id=team_id, user_id="UPERSON", created_at=now, updated_at=now))
    engine.dispose()

    result = run(["purge", "--team", "T0GONE"], base_env(DATABASE_URL=url), tmp_path)
    again = run(["purge", "--team", "T0GONE"], base_env(DATABASE_URL=url), tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "deleted 2 rows of T0GONE"
    assert again.stdout.strip() == "nothing of T0GONE was kept"
    engine = create_db_engine(url)
    with create_session_factory(engine)() as session:
        assert session.scalars(select(Person.team_id)).all() == ["T0STAYS"]
        assert session.scalars(select(Workspace.team_id)).all() == ["T0STAYS"]
    engine.dispose()


def test_installing_through_slack_needs_all_three_settings_unless_a_bot_token_is_there() -> None:
    partial = {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "secret"}

    with pytest.raises(ConfigError, match="SLACK_STATE_SECRET is not set"):
        Settings.from_env(partial)
    with pytest.raises(ConfigError, match="too short"):
        Settings.from_env(partial | {"SLACK_STATE_SECRET": "short"})
    assert Settings.from_env(partial | {"SLACK_STATE_SECRET": "x" * 32}).oauth
    single = Settings.from_env(partial | {"SLACK_BOT_TOKEN": "xoxb-1"})
    assert not single.oauth
    assert single.slack_client_id is None


def test_with_one_bot_token_an_uninstalled_workspace_is_sent_nothing_more(
    paired: SlackSender,
    fake_slack: FakeSlack,
    session_factory: SessionFactory,
    settings: Settings,
    listeners: ListenerPool,
) -> None:
    now = queue_a_letter_to_each(session_factory, ("UTOM", TEAM_ID))
    assert paired.event({"type": "app_uninstalled"}).status == 200
    assert listeners.wait_idle(30), "the event was handled"
    assert _uninstalled(session_factory, TEAM_ID)
    fake_slack.reset()

    for job in clock_jobs(session_factory, create_sending_client(settings), settings):
        job.run(now + timedelta(days=8))

    assert fake_slack.calls == []
    with session_factory() as session:
        statuses = set(session.scalars(select(OutboxMessage.status).where(OutboxMessage.team_id == TEAM_ID)))
    assert "pending" not in statuses


def _uninstalled(session_factory: SessionFactory, team_id: str) -> bool:
    with session_factory() as session:
        workspace = session.get(Workspace, team_id)
        return workspace is not None and workspace.uninstalled_at is not None


def test_the_clock_paces_each_workspace_at_the_send_rate_by_default() -> None:
    assert Settings.from_env({}).send_rate == 300
    assert Settings.from_env({"MENTORBOT_SEND_RATE": "120"}).send_rate == 120
    with pytest.raises(ConfigError, match="MENTORBOT_SEND_RATE"):
        Settings.from_env({"MENTORBOT_SEND_RATE": "fast"})
    with pytest.raises(ConfigError, match="MENTORBOT_RETENTION_DAYS"):
        Settings.from_env({"MENTORBOT_RETENTION_DAYS": "-1"})


def test_socket_mode_refuses_to_install_through_slack(tmp_path: Path) -> None:
    env = base_env(
        SLACK_APP_TOKEN="xapp-1-A-1-x",
        SLACK_CLIENT_ID="1.2",
        SLACK_CLIENT_SECRET="secret",
        SLACK_STATE_SECRET="x" * 32,
    )
    result = run(["socket"], env, tmp_path)

    assert result.returncode != 0
    assert "run `mentorbot web`" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_workspace_slack_asks_to_wait_steps_aside_for_the_others_in_its_lane(
    fake_slack: FakeSlack, session_factory: SessionFactory, settings: Settings
) -> None:
    now = queue_a_letter_to_each(
        session_factory, *[(f"UA{n}", "T0AAA") for n in range(3)], *[(f"UB{n}", "T0BBB") for n in range(3)]
    )
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=100)  # T0AAA's first letter
    slept: list[float] = []

    report = dispatch_due(session_factory, create_sending_client(settings), now, sleep=slept.append, lanes=1)

    posted = [c.args["channel"] for c in fake_slack.calls_to("chat.postMessage") if c.ok]
    assert posted == ["UB0", "UB1", "UB2"], "Beta was not held up by Alpha's wait"
    assert report.deferred == 3
    assert slept, "the lane waited for Alpha only once Beta was done"
    assert min(slept) >= 99
    with session_factory() as session:
        waiting = session.scalars(
            select(OutboxMessage.not_before).where(
                OutboxMessage.team_id == "T0AAA", OutboxMessage.status == "pending"
            )
        ).all()
    assert len(waiting) == 3
    assert all(when >= now + timedelta(seconds=99) for when in waiting)
