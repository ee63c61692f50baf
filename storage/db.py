"""Engines and sessions: the one place that knows how to connect to SQLite or PostgreSQL.

Callers own the unit of work: `with session_factory.begin() as session:` commits on success and
rolls back on error. Data-access helpers take a session and never commit.
"""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SessionFactory = sessionmaker[Session]


def create_db_engine(url: str, *, echo: bool = False) -> Engine:
    """Make an engine for `url`; SQLite gets foreign keys, WAL and a busy timeout on every connection."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, echo=echo, connect_args={"timeout": 15})
        event.listen(engine, "connect", _sqlite_on_connect)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _sqlite_on_connect(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
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
