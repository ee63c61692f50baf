"""The schema on SQLite and PostgreSQL: migrations match the models, constraints hold, times stay UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, StatementError

from storage.db import SessionFactory, create_db_engine, create_session_factory
from storage.migrate import downgrade, schema_state, upgrade
from storage.models import Base, Pair, PairStatus, Person, Profile, Program, Workspace
from tests.conftest import TestDatabase

TEAM = "T0STORAGE"


def _people(session, *user_ids: str) -> tuple[Program, list[Person]]:
    session.add(Workspace(team_id=TEAM))
    session.flush()
    program = Program(team_id=TEAM, name="Default", is_default=True)
    people = [Person(team_id=TEAM, user_id=user_id) for user_id in user_ids]
    session.add_all([program, *people])
    session.flush()
    return program, people


def test_migrations_create_exactly_the_models(database: TestDatabase) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    assert schema_state(database.engine).is_current


def test_times_come_back_aware_utc(session_factory: SessionFactory) -> None:
    berlin_morning = datetime(2026, 3, 29, 9, 0, tzinfo=timezone(timedelta(hours=2)))
    with session_factory.begin() as session:
        _, (mentor, mentee) = _people(session, "UA", "UB")
        program_id = session.scalar(select(Program.id))
        session.add(
            Pair(
                team_id=TEAM,
                program_id=program_id,
                mentor_id=mentor.id,
                mentee_id=mentee.id,
                created_at=berlin_morning,
            )
        )

    with session_factory() as session:
        stored = session.scalar(select(Pair.created_at))
    assert stored == berlin_morning
    assert stored.tzinfo is not None
    assert stored.utcoffset() == timedelta(0)


def test_naive_times_are_refused(session_factory: SessionFactory) -> None:
    with pytest.raises(StatementError, match="naive datetime"), session_factory.begin() as session:
        session.add(Workspace(team_id=TEAM, created_at=datetime(2026, 1, 1)))  # noqa: DTZ001 - the point


def test_foreign_keys_are_enforced(session_factory: SessionFactory) -> None:
    with pytest.raises(IntegrityError), session_factory.begin() as session:
        session.add(Person(team_id="T0NOWHERE", user_id="UX"))


def test_one_open_pair_per_mentor_and_mentee_but_history_is_kept(session_factory: SessionFactory) -> None:
    with session_factory.begin() as session:
        program, (mentor, mentee) = _people(session, "UMENTOR", "UMENTEE")
        ids = {"team_id": TEAM, "program_id": program.id, "mentor_id": mentor.id, "mentee_id": mentee.id}
        session.add(Pair(**ids, status=PairStatus.ENDED, ended_at=datetime.now(UTC)))
        session.add(Pair(**ids))

    with pytest.raises(IntegrityError), session_factory.begin() as session:
        session.add(Pair(**ids, status=PairStatus.PAUSED))


def test_nobody_mentors_themselves(session_factory: SessionFactory) -> None:
    with session_factory.begin() as session:
        program, (alice,) = _people(session, "UALICE")
        ids = {"team_id": TEAM, "program_id": program.id}

    with pytest.raises(IntegrityError), session_factory.begin() as session:
        session.add(Pair(**ids, mentor_id=alice.id, mentee_id=alice.id))


@pytest.mark.parametrize(("column", "value"), [("role", "sponsor"), ("mentor_capacity", 99)])
def test_profile_values_are_checked(session_factory: SessionFactory, column: str, value: object) -> None:
    with session_factory.begin() as session:
        program, (alice,) = _people(session, "UALICE")
        ids = {"team_id": TEAM, "program_id": program.id, "person_id": alice.id, "role": "mentor"}

    with pytest.raises(IntegrityError), session_factory.begin() as session:
        session.add(Profile(**(ids | {column: value})))


def test_one_default_program_per_workspace(session_factory: SessionFactory) -> None:
    with session_factory.begin() as session:
        _people(session)

    with pytest.raises(IntegrityError), session_factory.begin() as session:
        session.add(Program(team_id=TEAM, name="Second default", is_default=True))


def test_profile_lists_round_trip(session_factory: SessionFactory) -> None:
    with session_factory.begin() as session:
        program, (alice,) = _people(session, "UALICE")
        session.add(
            Profile(
                team_id=TEAM,
                program_id=program.id,
                person_id=alice.id,
                role="both",
                skills=["Python", "Public speaking"],
                meeting_formats=["video"],
            )
        )

    with session_factory() as session:
        profile = session.scalars(select(Profile)).one()
    assert profile.skills == ["Python", "Public speaking"]
    assert profile.growth_areas == []


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_upgrading_a_database_with_programs_keeps_them(empty_database_url: str) -> None:
    engine = create_db_engine(empty_database_url)
    upgrade(engine, "0001")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO workspaces (team_id, created_at) VALUES ('T1', '2026-01-01')"))
        connection.execute(
            text(
                "INSERT INTO programs (team_id, name, is_default, created_at) "
                "VALUES ('T1', 'Mentorship', true, CURRENT_TIMESTAMP)"
            )
        )

    upgrade(engine)

    with create_session_factory(engine)() as session:
        program = session.scalars(select(Program)).one()
    engine.dispose()
    assert (program.name, program.skills, program.admin_user_ids) == ("Mentorship", [], [])
    assert program.default_cadence == "biweekly"


def test_upgrading_keeps_pairs_and_what_refers_to_them_and_lets_pairs_complete(
    empty_database_url: str,
) -> None:
    engine = create_db_engine(empty_database_url)
    upgrade(engine, "0011")
    with engine.begin() as connection:
        for statement in (
            "INSERT INTO workspaces (team_id, created_at) VALUES ('T1', '2026-01-01')",
            "INSERT INTO programs (id, team_id, name, is_default, skills, admin_user_ids, default_cadence, "
            "pulse_every_weeks, export_free_text, created_at) "
            "VALUES (1, 'T1', 'Mentorship', true, '[]', '[]', 'biweekly', 4, false, CURRENT_TIMESTAMP)",
            "INSERT INTO people (id, team_id, user_id, no_introductions, workspace_admin, created_at, "
            "updated_at) "
            "VALUES (1, 'T1', 'U1', false, false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP), "
            "(2, 'T1', 'U2', false, false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
            "INSERT INTO pairs (id, team_id, program_id, mentor_id, mentee_id, status, created_at, "
            "unanswered_checkins) VALUES (7, 'T1', 1, 1, 2, 'active', CURRENT_TIMESTAMP, 0)",
            "INSERT INTO checkins (team_id, pair_id, due_at, created_at, stage) "
            "VALUES ('T1', 7, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'checkin')",
        ):
            connection.execute(text(statement))

    upgrade(engine)

    with engine.begin() as connection:
        assert connection.execute(text("SELECT count(*) FROM checkins WHERE pair_id = 7")).scalar() == 1
        connection.execute(text("UPDATE pairs SET status = 'completed' WHERE id = 7"))
        # A completed pair is history: the same two people may be paired again (in the next cohort).
        connection.execute(
            text(
                "INSERT INTO pairs (team_id, program_id, mentor_id, mentee_id, status, created_at, "
                "unanswered_checkins) VALUES ('T1', 1, 1, 2, 'active', CURRENT_TIMESTAMP, 0)"
            )
        )
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text("UPDATE pairs SET status = 'finished' WHERE id = 7"))
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_a_migration_that_fails_half_way_changes_nothing_and_can_be_run_again(
    empty_database_url: str,
) -> None:
    engine = create_db_engine(empty_database_url)
    upgrade(engine, "0011")
    with engine.begin() as connection:  # 0012 adds this column last: it fails after making its tables
        connection.execute(text("ALTER TABLE goals ADD COLUMN rated_at VARCHAR(10)"))

    with pytest.raises(Exception, match="rated_at"):
        upgrade(engine)

    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_heads() == ("0011",)
        tables = set(sa_inspect(connection).get_table_names())
    assert "cohorts" not in tables
    assert not any(name.startswith("_alembic_tmp") for name in tables)
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE goals DROP COLUMN rated_at"))
    assert upgrade(engine).is_current
    engine.dispose()


def test_the_cohort_migration_goes_down_and_up_again_with_rows_in_place(empty_database_url: str) -> None:
    engine = create_db_engine(empty_database_url)
    upgrade(engine)
    with create_session_factory(engine).begin() as session:
        session.add(Workspace(team_id="T1"))
        session.flush()
        program = Program(team_id="T1", name="Mentorship", is_default=True, skills=[], admin_user_ids=[])
        mentor, mentee = Person(team_id="T1", user_id="U1"), Person(team_id="T1", user_id="U2")
        session.add_all([program, mentor, mentee])
        session.flush()
        session.add(Pair(team_id="T1", program_id=program.id, mentor_id=mentor.id, mentee_id=mentee.id))

    assert downgrade(engine, "0011").current == ("0011",)
    assert upgrade(engine).is_current
    with create_session_factory(engine)() as session:
        assert len(session.scalars(select(Pair)).all()) == 1
    engine.dispose()
