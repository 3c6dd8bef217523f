"""Opening a ledger database: URLs, SQLite pragmas, write locking and the schema check."""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, DBAPIError
from sqlalchemy.orm import Session

from ledger.errors import LedgerError

DEFAULT_DB = "raceledger.db"
# The Alembic head this code expects; a test keeps it equal to the newest migration.
SCHEMA_REVISION = "0002"
BUSY_TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class Target:
    """Where the ledger lives: a SQLAlchemy URL and a name safe to print (no password)."""

    url: str
    display: str

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @property
    def sqlite_path(self) -> str | None:
        return make_url(self.url).database if self.is_sqlite else None


def resolve_target(db: str | None) -> Target:
    """A plain path is a SQLite file; anything with `://` is a SQLAlchemy URL."""
    db = db or DEFAULT_DB
    if "://" not in db:
        path = os.path.abspath(db)
        return Target(f"sqlite:///{path}", db)
    try:
        url = make_url(db)
    except ArgumentError:
        raise LedgerError(f"bad database URL {db!r}: expected e.g. postgresql+psycopg://user@host/db") from None
    return Target(db, url.render_as_string(hide_password=True))


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own handling defers it).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()


def make_engine(target: Target, write: bool = True) -> Engine:
    """Writers take SQLite's write lock at BEGIN, so two writers queue instead of failing midway."""
    try:
        engine = create_engine(target.url)
    except (ArgumentError, ImportError) as exc:
        raise LedgerError(f"cannot open {target.display}: {exc}") from None
    if target.is_sqlite:
        begin = "BEGIN IMMEDIATE" if write else "BEGIN"
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql(begin))
    return engine


def _check_openable(target: Target, create: bool) -> None:
    path = target.sqlite_path
    if path and path != ":memory:" and not create and not os.path.exists(path):
        raise LedgerError(f"no ledger at {target.display}; create one with: raceledger init")


def schema_revision(engine: Engine, target: Target) -> str | None:
    """The Alembic revision stamped in the database, None for an empty one."""
    try:
        with engine.connect() as conn:
            names = set(inspect(conn).get_table_names())
            if "alembic_version" not in names:
                if names:
                    raise LedgerError(f"{target.display} is not a raceledger database")
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DatabaseError as exc:
        if "file is not a database" in str(exc.orig):
            raise LedgerError(f"{target.display} is not a raceledger database") from None
        raise LedgerError(f"cannot open {target.display}: {exc.orig}") from None


def open_engine(db: str | None, create: bool = False, write: bool = True) -> tuple[Engine, Target]:
    """An engine for an existing ledger at the current schema (or for `init` to create one)."""
    target = resolve_target(db)
    _check_openable(target, create)
    engine = make_engine(target, write)
    if not create:
        revision = schema_revision(engine, target)
        if revision is None:
            raise LedgerError(f"{target.display} holds no ledger yet; create one with: raceledger init")
        if revision != SCHEMA_REVISION:
            raise LedgerError(
                f"{target.display} is at schema revision {revision}, this raceledger needs "
                f"{SCHEMA_REVISION}; upgrade it with: raceledger init"
            )
    return engine, target


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: committed when the block ends, rolled back on any error."""
    try:
        with Session(engine) as session, session.begin():
            yield session
    except DBAPIError as exc:
        raise LedgerError(f"database error, nothing was written: {str(exc.orig).strip()}") from None
