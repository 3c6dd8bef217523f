"""The schema is made only by Alembic migrations, and the models match what they make."""

from __future__ import annotations

import subprocess
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from ledger.core.models import Base
from ledger.store.engine import SCHEMA_REVISION, make_engine, resolve_target
from ledger.store.migrate import downgrade, script_location, upgrade

LEDGER_TABLES = {"journal", "event", "race", "category", "source", "athlete", "alias", "claim"}


@pytest.fixture
def engine(db):
    engine = make_engine(resolve_target(db))
    yield engine
    engine.dispose()


def tables(engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def stamped(engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def differences(engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def script_head() -> str:
    return ScriptDirectory(script_location()).get_current_head()


def test_schema_revision_is_the_head_of_the_migrations():
    assert SCHEMA_REVISION == script_head()


def test_the_migrations_have_a_single_head():
    assert len(ScriptDirectory(script_location()).get_heads()) == 1


def test_upgrade_creates_every_model_table_and_stamps_the_head(engine):
    upgrade(engine)
    assert tables(engine) >= LEDGER_TABLES | set(Base.metadata.tables)
    assert stamped(engine) == SCHEMA_REVISION


def test_models_match_the_migrated_schema(engine):
    upgrade(engine)
    assert differences(engine) == []


def test_the_live_claim_indexes_are_partial_on_both_databases(engine):
    """The models declare the predicate for SQLite only (ledger.core.models says why); the migrations
    make both indexes cover live claims alone on PostgreSQL as well, and the third withdrawn ones."""
    upgrade(engine)
    option = f"{engine.dialect.name}_where"
    where = {index["name"]: str(index.get("dialect_options", {}).get(option))
             for index in inspect(engine).get_indexes("claim")}
    for name in ("ix_claim_placing", "ix_claim_athlete"):
        assert where[name].strip("()") == "retracted_seq IS NULL"
    assert where["ix_claim_retracted"].strip("()") == "retracted_seq IS NOT NULL"
    assert where["ix_claim_bib"].replace("(", "").replace(")", "") == "retracted_seq IS NULL AND bib IS NOT NULL"


def test_a_reading_command_on_sqlite_does_not_import_the_postgresql_dialect(tmp_path):
    """Importing it costs 50 ms, a tenth of a reading command's start."""
    db = str(tmp_path / "ledger.db")
    script = ("import sys; from click.testing import CliRunner; import cli; "
              "result = CliRunner().invoke(cli.cli, ['--db', sys.argv[1], 'disputes', '-f', 'json']); "
              "assert result.exit_code == 0, result.output; "
              "print('sqlalchemy.dialects.postgresql' in sys.modules)")
    upgrade(make_engine(resolve_target(db)))
    found = subprocess.run([sys.executable, "-c", script, db], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "False"


def test_downgrade_to_base_removes_every_ledger_table(engine):
    upgrade(engine)
    downgrade(engine, "base")
    assert tables(engine) - {"alembic_version"} == set()
    assert stamped(engine) is None


def test_upgrade_downgrade_upgrade_gives_the_same_schema_matching_the_models(engine):
    upgrade(engine)
    first = tables(engine)
    downgrade(engine, "base")
    upgrade(engine)
    assert tables(engine) == first
    assert stamped(engine) == SCHEMA_REVISION
    assert differences(engine) == []


def test_each_revision_steps_down_and_up_again(engine):
    newest_first = list(ScriptDirectory(script_location()).walk_revisions("base", "heads"))
    upgrade(engine)
    for script in newest_first:
        downgrade(engine, "-1")
        assert stamped(engine) == script.down_revision
    for script in reversed(newest_first):
        upgrade(engine, "+1")
        assert stamped(engine) == script.revision
    assert differences(engine) == []


def test_init_runs_the_migrations(run, db, engine):
    result = run("init")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"Ledger created at {resolve_target(db).display} (schema revision {SCHEMA_REVISION}).\n"
    assert stamped(engine) == SCHEMA_REVISION
    assert differences(engine) == []


def test_init_twice_says_already_current_and_keeps_the_data(run, db, engine):
    assert run("init").exit_code == 0
    assert run("event", "add", "city-2025", "--name", "City", "--date", "2025-10-12").exit_code == 0
    result = run("init")
    assert result.exit_code == 0, result.stderr
    assert "already current" in result.stdout
    with engine.connect() as conn:
        assert conn.execute(text("SELECT slug FROM event")).scalars().all() == ["city-2025"]
