"""Alembic environment: runs migrations on the connection `storage.migrate` hands over,
or on `DATABASE_URL` when Alembic's own command line is used during development."""

from __future__ import annotations

import os
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection

from bot.config import DEFAULT_DATABASE_URL, normalize_database_url
from storage.db import create_db_engine
from storage.migrate import migrating
from storage.models import Base
from storage.types import UTCDateTime

config = context.config
target_metadata = Base.metadata


def _render_item(kind: str, item: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Write mentorbot's own column types as plain SQLAlchemy ones, so migrations never import them."""
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_item=_render_item,
        # SQLite cannot ALTER most things in place; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = normalize_database_url(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
    engine = create_db_engine(url)
    try:
        with migrating(engine) as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("mentorbot migrations run online only: point DATABASE_URL at the database.")
run_migrations_online()
