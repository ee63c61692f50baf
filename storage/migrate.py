"""Schema migrations: apply Alembic revisions and tell whether a database is up to date."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.pool import NullPool

from storage.db import LOCK_TIMEOUT

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    """An Alembic config pointing at the migrations shipped inside this package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


@dataclass(frozen=True)
class SchemaState:
    """Where a database's schema stands against the migrations this code ships."""

    current: tuple[str, ...]
    head: str

    @property
    def is_current(self) -> bool:
        """True when the database is at the newest migration."""
        return self.current == (self.head,)

    @property
    def is_empty(self) -> bool:
        """True when no migration has ever run on the database."""
        return not self.current


def schema_state(engine: Engine) -> SchemaState:
    """Read the database's Alembic revision and compare it with the newest shipped one."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations shipped"
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
    return SchemaState(current=tuple(current), head=head)


def upgrade(engine: Engine, revision: str = "head") -> SchemaState:
    """Apply every migration up to `revision`; running it again is a no-op."""
    config = alembic_config()
    with migrating(engine) as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    return schema_state(engine)


def downgrade(engine: Engine, revision: str) -> SchemaState:
    """Undo migrations down to `revision` (for development: data in dropped columns is lost)."""
    config = alembic_config()
    with migrating(engine) as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
    return schema_state(engine)


@contextmanager
def migrating(engine: Engine) -> Iterator[Connection]:
    """A connection whose migrations commit all together or not at all, on PostgreSQL or SQLite.

    PostgreSQL's DDL is transactional as it comes. SQLite's is too, but its Python driver begins a
    transaction only before a change of rows, so DDL before that would commit as it went and a
    failed migration leave half a schema: here the transaction is begun explicitly, on a
    connection of its own. Copying a table (SQLite's way to change a CHECK) drops the original,
    which rows elsewhere refer to, so foreign keys are off meanwhile, as SQLite's own procedure
    asks, and any row the migration left referring to nothing undoes it all.
    """
    url = engine.url
    if engine.dialect.name != "sqlite":
        with engine.begin() as connection:
            yield connection
        return
    if url.database in (None, "", ":memory:"):  # a memory database lives on its one connection
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
            try:
                with connection.begin():
                    yield connection
            finally:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        return
    own = create_engine(url, poolclass=NullPool)

    @event.listens_for(own, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # the transaction below is begun by hand
        dbapi_connection.execute("PRAGMA foreign_keys=OFF")
        dbapi_connection.execute(f"PRAGMA busy_timeout={int(LOCK_TIMEOUT * 1000)}")

    @event.listens_for(own, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    try:
        with own.begin() as connection:
            before = _dangling(connection)
            yield connection
            added = _dangling(connection) - before
            if added:
                raise RuntimeError(
                    f"the migration left rows that refer to nothing ({', '.join(sorted(added))}); "
                    "nothing was changed"
                )
    finally:
        own.dispose()


def _dangling(connection: Connection) -> set[str]:
    """`table row -> referred table` for every row that breaks a foreign key (SQLite)."""
    return {
        f"{row[0]} {row[1]} -> {row[2]}" for row in connection.exec_driver_sql("PRAGMA foreign_key_check")
    }
