"""Schema migrations: apply Alembic revisions and tell whether a database is up to date."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

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
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # A migration that copies a table (SQLite's way to change a CHECK) drops the original,
            # which rows elsewhere refer to: SQLite asks for foreign keys off meanwhile, set before
            # the transaction begins, and a check of them all before it commits.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
                    raise RuntimeError("a migration left rows that refer to nothing; nothing was changed")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
    return schema_state(engine)
