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

from ledger import __version__
from ledger.core.errors import LedgerError
from ledger.store import access, locking, urls

DEFAULT_DB = "raceledger.db"
# The Alembic head this code expects; a test keeps it equal to the newest migration.
SCHEMA_REVISION = "0005"
BUSY_TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class Target:
    """Where the ledger lives: a SQLAlchemy URL and a name safe to print (no password)."""

    url: str
    display: str
    read_only: bool = False

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @property
    def sqlite_path(self) -> str | None:
        return make_url(self.url).database if self.is_sqlite else None


def resolve_target(db: str | None, read_only: bool = False) -> Target:
    """A plain path is a SQLite file; anything with `://` is a SQLAlchemy URL (shown masked)."""
    db = db or DEFAULT_DB
    if "://" not in db:
        path = os.path.abspath(db)
        return Target(f"sqlite:///{path}", db, read_only)
    try:
        url = make_url(db)
    except (ArgumentError, ValueError):
        raise LedgerError(f"bad database URL {urls.mask_text(db)!r}: expected e.g. "
                          "postgresql+psycopg://user@host/db") from None
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")  # psycopg 3, from the postgresql extra
    return Target(url.render_as_string(hide_password=False), urls.masked(url), read_only)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own handling defers it).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()


def _sqlite_read_only_pragmas(dbapi_connection, _record) -> None:
    # As above, less WAL: switching a journal mode is a write, which a read-only file refuses.
    dbapi_connection.isolation_level = None
    dbapi_connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    dbapi_connection.execute("PRAGMA query_only = ON")


def _sqlite_begin(write: bool):
    def begin(conn) -> None:
        immediate = write and not conn.get_execution_options().get(locking.NO_WRITE_LOCK)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return begin


def make_engine(target: Target, write: bool = True) -> Engine:
    """Writers take the write lock at BEGIN (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock),
    so two writers queue instead of failing midway. A read-only target's connections refuse writes."""
    url = make_url(target.url)
    try:
        engine = create_engine(url, **(access.read_only_engine_options(url) if target.read_only else {}))
    except ImportError as exc:
        hint = "; install it with: pip install 'raceledger[postgresql]'" if url.get_backend_name() == "postgresql" else ""
        raise LedgerError(f"cannot open {target.display}: {exc}{hint}") from None
    except ArgumentError as exc:
        raise LedgerError(f"cannot open {target.display}: {urls.scrub(str(exc), url)}") from None
    takes_lock = write and not target.read_only
    if target.is_sqlite:
        event.listen(engine, "connect", _sqlite_read_only_pragmas if target.read_only else _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin(takes_lock))
    elif engine.dialect.name == "postgresql" and takes_lock:
        event.listen(engine, "begin", locking.pg_write_lock(BUSY_TIMEOUT_MS))
    return engine


def _check_openable(target: Target, create: bool) -> None:
    path = target.sqlite_path
    if path and path != ":memory:" and not create and not os.path.exists(path):
        raise LedgerError(f"no ledger at {target.display}; create one with: raceledger init")


def schema_revision(engine: Engine, target: Target) -> str | None:
    """The Alembic revision stamped in the database, None for an empty one."""
    try:
        with engine.connect() as conn:
            conn.execution_options(**{locking.NO_WRITE_LOCK: True})  # a read: never wait for writers
            names = set(inspect(conn).get_table_names())
            if "alembic_version" not in names:
                if names:
                    raise LedgerError(f"{target.display} is not a raceledger database")
                access.check_schema_visible(conn, target.display)
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DatabaseError as exc:
        if "file is not a database" in str(exc.orig):
            raise LedgerError(f"{target.display} is not a raceledger database") from None
        raise LedgerError(f"cannot open {target.display}: {urls.scrub(str(exc.orig), engine.url)}") from None


def open_engine(db: str | None, create: bool = False, write: bool = True,
                read_only: bool = False) -> tuple[Engine, Target]:
    """An engine for an existing ledger at the current schema (or for `init` to create one)."""
    target = resolve_target(db, read_only)
    _check_openable(target, create)
    engine = make_engine(target, write)
    revision = schema_revision(engine, target)  # also proves the database can be reached
    if not create:
        if revision is None:
            raise LedgerError(f"{target.display} holds no ledger yet; create one with: raceledger init")
        if revision != SCHEMA_REVISION:
            from ledger.store.migrate import known_revisions

            if revision not in known_revisions():
                raise LedgerError(
                    f"{target.display} is at schema revision {revision}, which raceledger {__version__} "
                    f"does not know: it was written by a newer raceledger; use that version"
                )
            raise LedgerError(
                f"{target.display} is at schema revision {revision}, this raceledger needs "
                f"{SCHEMA_REVISION}; upgrade it with: raceledger init"
            )
    return engine, target


def upgrade_ledger(engine: Engine, target: Target) -> str | None:
    """Create the ledger's tables, or upgrade them to SCHEMA_REVISION; returns the revision found
    before (None: the database held no ledger)."""
    from ledger.store.migrate import upgrade

    before = schema_revision(engine, target)
    upgrade(engine)
    return before


def ready_for_load(engine: Engine, target: Target) -> None:
    """A new database gets this version's schema; one at another revision is refused, since an
    export is replayed only into a new (or empty) ledger of this version."""
    from ledger.store.migrate import upgrade

    revision = schema_revision(engine, target)
    if revision is None:
        upgrade(engine)
    elif revision != SCHEMA_REVISION:
        raise LedgerError(f"{target.display} is at schema revision {revision}, this raceledger needs "
                          f"{SCHEMA_REVISION}; load into a new database instead")


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: committed when the block ends, rolled back on any error.

    On a writer's engine the write lock is taken before the block runs (retried while busy)."""
    try:
        with locking.session_scope(engine) as session:
            yield session
    except DBAPIError as exc:
        raise LedgerError(f"database error, nothing was written: {locking.describe(exc, engine.url)}") from None
