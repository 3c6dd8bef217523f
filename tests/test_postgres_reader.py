"""`db grant-reader`: a real PostgreSQL role reads every command's answer and cannot write."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError
from test_read_only import READS, WRITES, command_name, state

PG_ONLY = pytest.mark.parametrize("db", ["postgresql"], indirect=True)


def as_admin(db: str, *statements: str) -> None:
    engine = create_engine(db)
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        engine.dispose()


@pytest.fixture
def role(db):
    """A fresh LOGIN role, dropped afterwards (roles belong to the whole server, not one database)."""
    name = f"reporter_{uuid.uuid4().hex[:10]}"
    as_admin(db, f'CREATE ROLE "{name}" LOGIN')
    yield name
    as_admin(db, f'DROP OWNED BY "{name}"', f'DROP ROLE "{name}"')


def url_for(db: str, role: str) -> str:
    return make_url(db).set(username=role).render_as_string(hide_password=False)


def privileges(db: str, role: str, table: str) -> dict[str, bool]:
    engine = create_engine(db)
    try:
        with engine.connect() as conn:
            return {p: conn.execute(text("SELECT has_table_privilege(:r, :t, :p)"),
                                    {"r": role, "t": table, "p": p}).scalar()
                    for p in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")}
    finally:
        engine.dispose()


def tables(db: str) -> set[str]:
    engine = create_engine(db)
    try:
        with engine.connect() as conn:
            return set(conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))
                       .scalars())
    finally:
        engine.dispose()


@PG_ONLY
def test_a_reader_role_reads_every_answer_and_writes_nothing(demo, db, role, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "results.csv").write_text("Place,Name,Time\n1,Anna Nowak,2:31:07\n", encoding="utf-8")
    (tmp_path / "start.csv").write_text("Bib,Name\n7,Anna Nowak\n", encoding="utf-8")
    granted = demo("db", "grant-reader", role)
    assert granted.exit_code == 0, granted.output
    assert granted.stdout.startswith(f"Role {role} may now read {db} (SELECT only on ")
    for table in tables(db):
        assert privileges(db, role, table) == {"SELECT": True, "INSERT": False, "UPDATE": False,
                                               "DELETE": False, "TRUNCATE": False}, table

    reader = url_for(db, role)
    for args in READS:
        mine, theirs = demo(*args), demo("--db", reader, *args)
        assert theirs.exit_code == 0, (args, theirs.output)
        assert theirs.stdout == mine.stdout
    owner_info = json.loads(demo("info", "-f", "json").stdout)
    reader_info = json.loads(demo("--db", reader, "info", "-f", "json").stdout)
    assert {**reader_info, "database": None} == {**owner_info, "database": None}

    before = state(demo)
    for args in WRITES:
        if args[0] in ("init", "demo"):
            assert demo("--db", reader, *args).exit_code == 0  # nothing to do: the ledger is current and loaded
            continue
        if args[0] in ("db", "load"):
            continue  # see test_grant_reader_errors; load needs an empty ledger, whoever runs it
        if args[0] == "finish":
            continue  # its bibs come from a start list, which the reader cannot record: refused before writing
        result = demo("--db", reader, *args)
        assert result.exit_code == 1, (args, result.output)
        assert result.stderr.startswith("Error: "), result.stderr
        assert "permission denied" in result.stderr, (command_name(args), result.stderr)
    assert state(demo) == before


@PG_ONLY
def test_a_reader_role_cannot_write_even_in_plain_sql(demo, db, role):
    assert demo("db", "grant-reader", role).exit_code == 0
    engine = create_engine(url_for(db, role))
    try:
        for statement in ["INSERT INTO source (id, slug, name, kind, seq) VALUES (99, 'x', 'x', 'press', 1)",
                          "UPDATE claim SET position = 9", "DELETE FROM journal", "CREATE TABLE mine (x int)",
                          "DROP TABLE claim"]:
            with engine.begin() as conn, pytest.raises(ProgrammingError, match="permission denied|must be owner"):
                conn.execute(text(statement))
    finally:
        engine.dispose()


@PG_ONLY
def test_a_reader_loses_any_write_privilege_it_had(demo, db, role):
    as_admin(db, f'GRANT INSERT, UPDATE, DELETE ON claim TO "{role}"')
    assert demo("db", "grant-reader", role).exit_code == 0
    assert privileges(db, role, "claim") == {"SELECT": True, "INSERT": False, "UPDATE": False,
                                             "DELETE": False, "TRUNCATE": False}


@PG_ONLY
def test_re_running_it_covers_tables_a_later_migration_added(ledger, db, role):
    from ledger.store.engine import open_engine
    from ledger.store.migrate import downgrade, upgrade

    engine, _ = open_engine(db, create=True)
    try:
        downgrade(engine, "0001")
        assert ledger("--db", db, "db", "grant-reader", role).exit_code == 1  # older schema: upgrade first
        from ledger.store import access

        access.grant_reader(engine, role)
        older = tables(db)
        upgrade(engine)
        added = tables(db) - older
        assert added, "the newest migration adds no table: pick an older revision to start from"
        for table in added:
            assert not privileges(db, role, table)["SELECT"], table
        result = ledger("db", "grant-reader", role)
        assert result.exit_code == 0, result.output
        for table in added:
            assert privileges(db, role, table)["SELECT"], table
    finally:
        engine.dispose()


@PG_ONLY
def test_grant_reader_errors(ledger, db, role):
    missing = ledger("db", "grant-reader", "nobody_by_that_name")
    assert missing.exit_code == 1
    assert missing.stderr == ("Error: no PostgreSQL role 'nobody_by_that_name'; create it first, e.g. "
                              "CREATE ROLE nobody_by_that_name LOGIN PASSWORD '...'\n")
    me = make_url(db).username
    itself = ledger("db", "grant-reader", me)
    assert itself.exit_code == 1
    assert itself.stderr.startswith(f"Error: role {me!r} is ")
    assert itself.stderr.endswith("so it can always write; grant reading to a role of its own\n")
    not_yet = ledger("--db", url_for(db, role), "info")
    assert not_yet.exit_code == 1
    assert not_yet.stderr == (f"Error: {url_for(db, role)}: this role may not use the database's schema, so it "
                              "sees no ledger; the ledger's owner can let it read with: raceledger db grant-reader ROLE\n")
    assert ledger("db", "grant-reader", role).exit_code == 0
    as_reader = ledger("--db", url_for(db, role), "db", "grant-reader", role)
    assert as_reader.exit_code == 1
    assert as_reader.stderr.startswith(f"Error: role {role!r} is the role this command connects as")


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_grant_reader_is_postgresql_only(ledger):
    result = ledger("db", "grant-reader", "reporter")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: db grant-reader is PostgreSQL-only; a SQLite ledger's readers are set by file permissions "
        "(give reporters read access to the file and have them use --read-only)\n"
    )
