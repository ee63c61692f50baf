"""Engines and sessions: the one place that knows how to connect to SQLite or PostgreSQL.

Callers own the unit of work: `with session_factory.begin() as session:` commits on success and
rolls back on error. Data-access helpers take a session and never commit.

Every wait on the database is bounded, so a database that is down, hung or locked costs a listener
a couple of seconds and an error, never a thread held for good: connecting, waiting for a pooled
connection, waiting for a lock, and (on PostgreSQL) running one statement each have a limit.
"""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event, exc, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SessionFactory = sessionmaker[Session]

# Seconds. Slack wants an answer within 3 s, so a failure has to be known well before that.
CONNECT_TIMEOUT = 2  # libpq's smallest useful connect_timeout
LOCK_TIMEOUT = 2.0
POOL_TIMEOUT = 2.0
STATEMENT_TIMEOUT = 10.0

# PostgreSQL error classes that mean "not now" rather than "wrong": connection exceptions, a
# read-only (standby) server, out of resources, a lock or statement timeout, operator intervention.
_UNAVAILABLE_SQLSTATES = ("08", "25006", "53", "55P03", "57")


def create_db_engine(url: str, *, echo: bool = False) -> Engine:
    """Make an engine for `url` with bounded waits; SQLite gets foreign keys and WAL on every connection."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, echo=echo, connect_args={"timeout": LOCK_TIMEOUT})
        event.listen(engine, "connect", _sqlite_on_connect)
        return engine
    options = " ".join(
        part
        for part in (
            str(parsed.query.get("options") or ""),
            f"-c lock_timeout={int(LOCK_TIMEOUT * 1000)}",
            f"-c statement_timeout={int(STATEMENT_TIMEOUT * 1000)}",
        )
        if part
    )
    return create_engine(
        url,
        echo=echo,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=10,
        pool_timeout=POOL_TIMEOUT,
        connect_args={"connect_timeout": CONNECT_TIMEOUT, "options": options},
    )


def _sqlite_on_connect(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(LOCK_TIMEOUT * 1000)}")
        # WAL lets the web process read while another process writes; memory databases refuse it.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def create_session_factory(engine: Engine) -> SessionFactory:
    """A session factory whose objects stay readable after commit (views render them afterwards)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def database_answers(engine: Engine) -> bool:
    """True when the database accepts a trivial query; used by the health check."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # any driver or network failure means "not healthy", and /healthz says so
        return False
    return True


def is_unavailable(error: BaseException) -> bool:
    """True when `error` says the database is down, hung, locked or read-only, not that the code is wrong.

    These pass by themselves (or when an operator acts), so people are asked to try again later.
    """
    if isinstance(error, exc.TimeoutError):  # no pooled connection came free in time
        return True
    if isinstance(error, exc.OperationalError | exc.InterfaceError):
        return True
    sqlstate = str(getattr(getattr(error, "orig", None), "sqlstate", None) or "")
    return sqlstate.startswith(_UNAVAILABLE_SQLSTATES)


def describe_unavailable(error: BaseException) -> str:
    """The first line of what the driver said, for a one-line log or error message."""
    original = getattr(error, "orig", None) or error
    lines = str(original).strip().splitlines()
    return lines[0] if lines else type(original).__name__
