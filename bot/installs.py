"""Installations: which bot token speaks for which workspace, with one token or installed through Slack.

With one bot token (`SLACK_BOT_TOKEN`, the default) every workspace is answered with it. In OAuth
mode (`SLACK_CLIENT_ID`, `SLACK_CLIENT_SECRET`, `SLACK_STATE_SECRET`) Bolt's own install flow
(`/slack/install`, `/slack/oauth_redirect`) saves each install in slack-sdk's SQLAlchemy
installation store, in mentorbot's database; listeners and the clock then use the token of the
workspace they work for.

Rotating tokens (when token rotation is on in the app's settings) are refreshed ahead of their
expiry by whichever process finds them due, the clock first, always inside a transaction that has
written the workspace's row: a second process waits for that lock, reads the token its rival just
stored and refreshes nothing, so a single-use refresh token is never spent twice.

An Enterprise Grid org that installs org-wide is one world (`tenant_of`): its rows carry the org's
id, so a person in several of its workspaces is one person.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_bolt.context import BoltContext
from slack_bolt.oauth.callback_options import CallbackOptions, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackTokenRotationError
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy import Engine, and_, delete, desc, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.clock import system_clock
from bot.config import Settings
from bot.inputs import ORG_WORLDS, REQUEST_TEAM, tenant_of
from storage import queries
from storage.db import SessionFactory
from storage.models import SLACK_BOTS, SLACK_INSTALLATIONS, SLACK_OAUTH_STATES, Workspace
from storage.workspaces import answers_in

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
# What the bot may do, and what an install asks for; the manifests ask for the same (tests check):
# the slash command, messages and DMs, group DMs for pairs, users.info and users.list for time
# zones and admin rights, joining a public announcement channel, each pair's calendar file.
BOT_SCOPES = (
    "commands",
    "chat:write",
    "im:write",
    "mpim:write",
    "users:read",
    "channels:join",
    "files:write",
)
STATE_SECONDS = 600  # an install started must finish within ten minutes
# The clock refreshes a rotating token this long before it expires; a listener only when it is
# nearly spent (the clock was down), so in practice the clock is the one process that refreshes.
CLOCK_REFRESH_AHEAD = timedelta(hours=2)
LISTENER_REFRESH_AHEAD = timedelta(minutes=10)
# How long a process may hold a workspace's refresh: far longer than a Slack call may take.
REFRESH_LEASE = timedelta(seconds=60)
NOT_INSTALLED = (
    ":warning: mentorbot is not installed in this workspace, or was removed from it. "
    "An admin can add it again from this mentorbot's “Add to Slack” page."
)


class Speakers(Protocol):
    """The Web API client that speaks for each workspace, or None where mentorbot may not speak."""

    def client_for(self, team_id: str) -> WebClient | None:
        """The client holding `team_id`'s bot token; None when the workspace has none (uninstalled)."""
        ...


@dataclass(frozen=True)
class OneToken:
    """Single-token mode: the same client for every workspace."""

    client: WebClient

    def client_for(self, team_id: str) -> WebClient | None:
        """The one client, whichever workspace."""
        return self.client


def speakers(clients: WebClient | Speakers) -> Speakers:
    """`clients` as per-workspace speakers: a plain client speaks for every workspace."""
    return OneToken(clients) if isinstance(clients, WebClient) else clients


@dataclass(frozen=True)
class Refreshed:
    """A workspace's bot after a refresh was considered, and whether its token was rotated now."""

    bot: Bot | None
    rotated: bool


class SignedStateStore(SQLAlchemyOAuthStateStore):
    """slack-sdk's state store with each state signed by `SLACK_STATE_SECRET` and taken only once.

    A state that is not signed with the secret is refused before the database is asked; a stored
    one is deleted by the one statement that checks it, so two callbacks cannot both take it.
    """

    def __init__(self, secret: str, engine: Engine, expiration_seconds: int = STATE_SECONDS) -> None:
        super().__init__(expiration_seconds=expiration_seconds, engine=engine)
        self._secret = secret.encode()

    def issue(self, *args: Any, **kwargs: Any) -> str:
        """A new state, stored, with its signature after a dot."""
        state = super().issue(*args, **kwargs)
        return f"{state}.{self._sign(state)}"

    def consume(self, state: str) -> bool:
        """True once for a state this store issued and signed, unexpired; False ever after."""
        raw, _, signature = state.rpartition(".")
        if not raw or not hmac.compare_digest(signature.encode(), self._sign(raw).encode()):
            log.warning("refused an install whose state was not signed by this mentorbot")
            return False
        now = datetime.now(UTC).replace(tzinfo=None)  # the store keeps naive UTC
        states = self.oauth_states.c
        try:
            with self.engine.begin() as connection:
                taken = connection.execute(
                    delete(self.oauth_states).where(states.state == raw, states.expire_at > now)
                )
        except SQLAlchemyError as error:  # as slack-sdk's store does: a state not found is refused
            log.warning("refused an install: its state could not be checked (%s)", type(error).__name__)
            return False
        if queries.changed(taken) != 1:
            log.warning("refused an install whose state was already used or had expired")
            return False
        return True

    def _sign(self, raw: str) -> str:
        return hmac.new(self._secret, raw.encode(), hashlib.sha256).hexdigest()[:32]


class Installations:
    """OAuth mode: the installation store, and each workspace's token, refreshed when due."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        session_factory: SessionFactory,
        make_client: Callable[[str | None], WebClient],
    ) -> None:
        assert settings.oauth, "Installations are for OAuth mode"
        self.settings = settings
        self.session_factory = session_factory
        # Slack's expiry times are instants on the real clock, as slack-sdk's rotator reads them.
        self.clock = system_clock
        client_id, client_secret = str(settings.slack_client_id), str(settings.slack_client_secret)
        self.store = SQLAlchemyInstallationStore(client_id=client_id, engine=engine)
        self.state_store = SignedStateStore(str(settings.slack_state_secret), engine)
        self._make_client = make_client
        self._rotator = TokenRotator(
            client_id=client_id,
            client_secret=client_secret,
            client=make_client(None),
        )
        self._clients: dict[str, WebClient] = {}

    # -- finding a workspace's bot -------------------------------------------------------------------

    def bot(self, team_id: str, *, ahead: timedelta = LISTENER_REFRESH_AHEAD) -> Bot | None:
        """The bot installed for `team_id` (a workspace or an org installed org-wide), refreshed if due."""
        with self.session_factory() as session:
            bot = latest_bot(session, self.settings.slack_client_id or "", team_id)
        if bot is None or not _due(bot, self.clock(), ahead):
            return bot
        return self.refresh(team_id, ahead=ahead).bot or bot

    def client_for(self, team_id: str) -> WebClient | None:
        """A client with `team_id`'s current bot token; None when mentorbot is not installed there."""
        bot = self.bot(team_id)
        if bot is None or not bot.bot_token:
            return None
        client = self._clients.get(team_id)
        if client is None or client.token != bot.bot_token:
            client = self._clients[team_id] = self._make_client(bot.bot_token)
        return client

    def answers_in(self, org_id: str, team_id: str) -> bool:
        """Whether the org-wide install of `org_id` answers in its workspace `team_id`.

        Once Slack has said which workspaces were granted (team_access_granted), only those; until
        then, whichever Slack sends requests from (it sends them only from granted workspaces).
        """
        with self.session_factory() as session:
            return answers_in(session, org_id, team_id)

    # -- token rotation --------------------------------------------------------------------------------

    def refresh(self, team_id: str, *, ahead: timedelta = CLOCK_REFRESH_AHEAD) -> Refreshed:
        """Refresh `team_id`'s rotating bot token if it expires within `ahead`.

        Only the process holding the workspace's refresh lease (a short conditional UPDATE,
        committed at once) asks Slack; a rival finds the lease taken and keeps the token it has,
        which is still valid. No transaction is open while Slack answers, and the new token is
        stored only over the refresh token it replaced.
        """
        client_id = self.settings.slack_client_id or ""
        now = self.clock()
        lease = now + REFRESH_LEASE
        try:
            with self.session_factory.begin() as session:
                queries.ensure_workspace(session, team_id, now)
                leased = session.execute(
                    update(Workspace)
                    .where(
                        Workspace.team_id == team_id,
                        or_(Workspace.token_refresh_until.is_(None), Workspace.token_refresh_until < now),
                    )
                    .values(token_refresh_until=lease)
                )
                row = _latest_bot_row(session, client_id, team_id)
        except SQLAlchemyError as error:  # busy or away: the current token serves until next time
            log.warning("could not take the refresh lease of %s: %s", team_id, type(error).__name__)
            return Refreshed(self._stored(team_id), rotated=False)
        bot = None if row is None else SQLAlchemyInstallationStore.build_bot_entity(row)
        if not queries.changed(leased):
            log.info("the bot token of %s is being refreshed by another process", team_id)
            return Refreshed(bot, rotated=False)
        try:
            if bot is None or not _due(bot, now, ahead):
                return Refreshed(bot, rotated=False)  # a rival refreshed it before this lease
            minutes = max(1, int(ahead.total_seconds() // 60))
            try:
                fresh = self._rotator.perform_bot_token_rotation(bot=bot, minutes_before_expiration=minutes)
            except (SlackTokenRotationError, SlackApiError, OSError) as error:
                log.error("could not refresh the bot token of %s: %s", team_id, error)
                return Refreshed(bot, rotated=False)  # still valid for a while: tried again later
            if fresh is None:
                return Refreshed(bot, rotated=False)
            with self.session_factory.begin() as session:
                stored = _store_refreshed(session, row, fresh)
            if not stored:
                log.warning("the bot token of %s changed while it was being refreshed", team_id)
                return Refreshed(self._stored(team_id), rotated=False)
            log.info("refreshed the bot token of %s", team_id)
            return Refreshed(fresh, rotated=True)
        finally:
            try:  # only this process's own lease: one that ran out may be a rival's by now
                with self.session_factory.begin() as session:
                    session.execute(
                        update(Workspace)
                        .where(Workspace.team_id == team_id, Workspace.token_refresh_until == lease)
                        .values(token_refresh_until=None)
                    )
            except SQLAlchemyError as error:  # the lease runs out by itself
                log.warning("could not release the refresh lease of %s: %s", team_id, type(error).__name__)

    def _stored(self, team_id: str) -> Bot | None:
        with self.session_factory() as session:
            return latest_bot(session, self.settings.slack_client_id or "", team_id)

    def refresh_due(self) -> int:
        """The clock's duty: refresh each workspace's newest rotating token expiring within the margin."""
        soon = (self.clock() + CLOCK_REFRESH_AHEAD).timestamp()
        newest: dict[str, Any] = {}
        with self.session_factory() as session:
            rows = session.execute(
                select(SLACK_BOTS)
                .where(
                    SLACK_BOTS.c.client_id == self.settings.slack_client_id,
                    SLACK_BOTS.c.bot_token.is_not(None),
                )
                .order_by(desc(SLACK_BOTS.c.installed_at), desc(SLACK_BOTS.c.id))
            ).mappings()
            for row in rows:
                newest.setdefault(_tenant_of_bot(row), row)
        due = sorted(
            team
            for team, row in newest.items()
            if row["bot_refresh_token"] and (_expires_at(row) or soon + 1) <= soon
        )
        return sum(1 for team_id in due if self.refresh(team_id).rotated)  # refresh never raises

    # -- installing and uninstalling -----------------------------------------------------------------

    def oauth_settings(self, on_installed: Callable[[str, str | None, str | None], None]) -> OAuthSettings:
        """Bolt's install flow, saving into this store; `on_installed(team, enterprise, name)` after each."""

        def success(args: SuccessArgs) -> BoltResponse:
            installation = args.installation
            team = tenant_of(
                installation.team_id, installation.enterprise_id, installation.is_enterprise_install
            )
            name = (
                installation.enterprise_name if installation.is_enterprise_install else installation.team_name
            )
            on_installed(team, installation.enterprise_id, name)
            return args.default.success(args)

        return OAuthSettings(
            client_id=self.settings.slack_client_id,
            client_secret=self.settings.slack_client_secret,
            scopes=list(BOT_SCOPES),
            install_path=INSTALL_PATH,
            redirect_uri_path=REDIRECT_PATH,
            installation_store=self.store,
            installation_store_bot_only=True,
            state_store=self.state_store,
            state_expiration_seconds=STATE_SECONDS,
            callback_options=CallbackOptions(success=success, failure=_failure),
        )


def _failure(args: Any) -> BoltResponse:
    log.warning("an install did not complete: %s", args.reason)
    return args.default.failure(args)


# Events about which workspaces an org-wide install may answer in: never refused for want of a grant.
ACCESS_EVENTS = ("team_access_granted", "team_access_revoked")


def note_request_team(org_worlds: bool) -> Callable[..., BoltResponse]:
    """Bolt middleware before authorize: the workspace a request came from, as its envelope says.

    With `org_worlds` (OAuth mode) an org-wide install is the org's one world.
    """

    def note(body: dict, context: BoltContext, next: Callable[[], BoltResponse]) -> BoltResponse:
        team = body.get("team")
        event = body.get("event")
        access = isinstance(event, dict) and event.get("type") in ACCESS_EVENTS
        envelope = body.get("team_id") or (team.get("id") if isinstance(team, dict) else None)
        context[REQUEST_TEAM] = None if access else envelope
        context[ORG_WORLDS] = org_worlds
        return next()

    return note


class WorkspaceAuthorize(Authorize):
    """Bolt's authorize step in OAuth mode: the bot token of the request's workspace, or None."""

    def __init__(self, installations: Installations) -> None:
        self.installations = installations

    def __call__(
        self,
        *,
        context: BoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        **_actor: Any,
    ) -> AuthorizeResult | None:
        tenant = tenant_of(team_id, enterprise_id, context.is_enterprise_install)
        bot = self.installations.bot(tenant) if tenant else None
        if bot is None or not bot.bot_token:
            log.info("a request from %s, where mentorbot is not installed", tenant or "no workspace")
            return None
        # An org-wide install's events name no workspace in their authorizations: the envelope does.
        workspace = team_id or context.get(REQUEST_TEAM)
        if workspace and tenant != workspace and not self.installations.answers_in(tenant, workspace):
            log.info("a request from %s, a workspace of %s that was not granted", workspace, tenant)
            return None
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=team_id,
            bot_user_id=bot.bot_user_id,
            bot_id=bot.bot_id,
            bot_token=bot.bot_token,
            bot_scopes=bot.bot_scopes,
            user_id=user_id,
        )


# -- the store's tables, read inside mentorbot's own transactions ----------------------------------


def _bots_of(client_id: str, team_id: str) -> Any:
    bots = SLACK_BOTS.c
    return and_(
        bots.client_id == client_id,
        or_(
            and_(bots.team_id == team_id, bots.is_enterprise_install.is_(False)),
            and_(bots.enterprise_id == team_id, bots.is_enterprise_install.is_(True)),
        ),
    )


def _latest_bot_row(session: Session, client_id: str, team_id: str) -> Any:
    bots = SLACK_BOTS.c
    return (
        session.execute(
            select(SLACK_BOTS)
            .where(_bots_of(client_id, team_id), bots.bot_token.is_not(None))
            .order_by(desc(bots.installed_at), desc(bots.id))
            .limit(1)
        )
        .mappings()
        .first()
    )


def latest_bot(session: Session, client_id: str, team_id: str) -> Bot | None:
    """The newest bot installed for `team_id` (a workspace, or an org by its id), as the store builds it."""
    row = _latest_bot_row(session, client_id, team_id)
    return None if row is None else SQLAlchemyInstallationStore.build_bot_entity(row)


def delete_tokens(session: Session, team_id: str) -> None:
    """Delete every installation and bot token kept for `team_id`, whatever the client id."""
    bots, installs = SLACK_BOTS.c, SLACK_INSTALLATIONS.c
    for table, columns in ((SLACK_BOTS, bots), (SLACK_INSTALLATIONS, installs)):
        session.execute(
            delete(table).where(
                or_(
                    and_(columns.team_id == team_id, columns.is_enterprise_install.is_(False)),
                    and_(columns.enterprise_id == team_id, columns.is_enterprise_install.is_(True)),
                )
            )
        )


def forget_expired_states(session: Session, now: datetime) -> int:
    """Delete install states nobody used in time; how many."""
    gone = session.execute(
        delete(SLACK_OAUTH_STATES).where(
            SLACK_OAUTH_STATES.c.expire_at <= now.astimezone(UTC).replace(tzinfo=None)
        )
    )
    return queries.changed(gone)


def _store_refreshed(session: Session, row: Any, fresh: Bot) -> bool:
    """Write a refreshed token over the bot row it came from, and over its installation's copy.

    Only where the row still holds the refresh token that was spent; False when it no longer did.
    """
    expires = (
        datetime.fromtimestamp(fresh.bot_token_expires_at, UTC).replace(tzinfo=None)
        if fresh.bot_token_expires_at
        else None
    )
    values = {
        "bot_token": fresh.bot_token,
        "bot_refresh_token": fresh.bot_refresh_token,
        "bot_token_expires_at": expires,
    }
    bots = SLACK_BOTS.c
    written = session.execute(
        update(SLACK_BOTS)
        .where(bots.id == row["id"], bots.bot_refresh_token == row["bot_refresh_token"])
        .values(**values)
    )
    installs = SLACK_INSTALLATIONS.c
    session.execute(
        update(SLACK_INSTALLATIONS)
        .where(installs.client_id == row["client_id"], installs.bot_token == row["bot_token"])
        .values(**values)
    )
    return queries.changed(written) == 1


def _expires_at(row: Any) -> float | None:
    value = row["bot_token_expires_at"]
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


def _due(bot: Bot, now: datetime, ahead: timedelta) -> bool:
    expires = bot.bot_token_expires_at
    return bool(bot.bot_refresh_token) and expires is not None and expires <= (now + ahead).timestamp()


def _tenant_of_bot(row: Any) -> str:
    return tenant_of(row["team_id"], row["enterprise_id"], row["is_enterprise_install"])
