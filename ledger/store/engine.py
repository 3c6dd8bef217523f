"""Opening a ledger database: URLs, SQLite pragmas, write locking and the schema check."""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Iterator

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, DBAPIError, InterfaceError
from sqlalchemy.orm import Session

from ledger import __version__
from ledger.core.errors import LedgerError
from ledger.store import access, locking, urls

DEFAULT_DB = "raceledger.db"
# The Alembic head this code expects; a test keeps it equal to the newest migration.
SCHEMA_REVISION = "0012"
BUSY_TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class Target:
    """Where the ledger lives: a SQLAlchemy URL and a name safe to print (no password).

    `immutable`: a SQLite file opened by a reader as an immutable snapshot, because it may not write
    the file's folder (a read-only deployment; see `readable_snapshot`). Such a target is read-only too."""

    url: str
    display: str
    read_only: bool = False
    immutable: bool = False

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @property
    def sqlite_path(self) -> str | None:
        """The SQLite file (None for another database), also when the URL names it as a `file:` URI."""
        if not self.is_sqlite:
            return None
        url = make_url(self.url)
        path = url.database
        if url.query.get("uri") != "true" or not path or not path.startswith("file:"):
            return path
        path = path[len("file:"):].partition("?")[0]
        return "/" + path[2:].partition("/")[2] if path.startswith("//") else path  # file://host/path

    @property
    def file_missing(self) -> bool:
        """A SQLite ledger whose file does not exist (yet)."""
        path = self.sqlite_path
        return bool(path) and path != ":memory:" and not os.path.exists(path)


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
    options = access.read_only_engine_options(url, target.immutable) if target.read_only else {}
    try:
        engine = create_engine(url, **options)
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
    if target.file_missing and not create:
        raise LedgerError(f"no ledger at {target.display}; create one with: raceledger init")


def _folder(target: Target) -> str | None:
    """The folder of a SQLite ledger's file, where SQLite keeps its -wal and -shm files; None for
    another database or an in-memory one."""
    path = target.sqlite_path
    return None if not path or path == ":memory:" else os.path.dirname(os.path.abspath(path))


def _check_writable(target: Target) -> None:
    """A writer must be able to make files beside a SQLite ledger (its -wal and -shm): say so first."""
    folder = _folder(target)
    if folder is not None and not os.access(folder, os.W_OK):
        raise LedgerError(f"cannot write {target.display}: this user may not write its folder {folder}, "
                          "where SQLite keeps its write-ahead log; nothing was written")


def readable_snapshot(target: Target) -> Target:
    """A reader of a SQLite ledger whose folder it may not write (a read-only deployment) opens the
    file as an immutable snapshot (SQLite `immutable=1`): SQLite then makes no -shm or -wal file
    beside it, which it could not. Such a snapshot neither reads a -wal file nor sees later writes,
    so a ledger whose last writes are still in one is refused, never shown shorter; and the file is
    taken not to change while it is open, as nobody may write there."""
    folder = _folder(target)
    if folder is None or target.file_missing or os.access(folder, os.W_OK):
        return target
    wal = f"{target.sqlite_path}-wal"
    try:
        pending = os.stat(wal).st_size
    except FileNotFoundError:
        pending = 0
    if pending:
        raise LedgerError(
            f"{target.display}'s last writes are still in its write-ahead log {wal}, which a reader that "
            f"may not write the folder cannot read; a writer must checkpoint it first, e.g. by running "
            f"raceledger --db {target.display} init (which changes nothing else), or "
            f"sqlite3 {target.sqlite_path} 'PRAGMA wal_checkpoint(TRUNCATE)'")
    return replace(target, read_only=True, immutable=True)


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
    """An engine for an existing ledger at the current schema (or for `init` to create one). A reader
    (not `write`) of a SQLite file in a folder it may not write gets an immutable snapshot
    (readable_snapshot; `target.immutable` says so); a writer there is refused at once."""
    target = resolve_target(db, read_only)
    _check_openable(target, create)
    if write or create:
        _check_writable(target)
    else:
        target = readable_snapshot(target)
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


@contextmanager
def ready_for_load(engine: Engine, target: Target, new_file: bool) -> Iterator[None]:
    """A new database gets this version's schema for the block; one at another revision is refused,
    since an export is replayed only into a new (or empty) ledger of this version. A load that fails
    leaves no ledger where there was none: the SQLite file it made (`new_file`) is removed, or the
    tables it made are dropped."""
    from ledger.store.migrate import downgrade, upgrade

    revision = schema_revision(engine, target)
    if revision is not None and revision != SCHEMA_REVISION:
        raise LedgerError(f"{target.display} is at schema revision {revision}, this raceledger needs "
                          f"{SCHEMA_REVISION}; load into a new database instead")
    if revision is None:
        upgrade(engine)
    try:
        yield
    except BaseException:
        if revision is None:
            if new_file:
                engine.dispose()  # SQLite removes its -wal and -shm files as the last connection closes
                os.remove(target.sqlite_path)
            else:
                downgrade(engine, "base")
                with engine.begin() as conn:
                    conn.execute(text("DROP TABLE alembic_version"))
        raise


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: committed when the block ends, rolled back on any error.

    On a writer's engine the write lock is taken before the block runs (retried while busy)."""
    try:
        with locking.session_scope(engine) as session:
            yield session
    except DBAPIError as exc:
        raise LedgerError(f"{_trouble(exc)}, nothing was written: {locking.describe(exc, engine.url)}") from None


def _trouble(exc: DBAPIError) -> str:
    lost = exc.connection_invalidated or isinstance(exc, InterfaceError)
    return "lost the connection to the database" if lost else "database error"


def failure(exc: Exception) -> str | None:
    """The one line `raceledger` shows for an error that no command turned into a LedgerError: the
    database's (a lost connection, a refused write) or the operating system's (a full disk). None for
    any other exception: that is a bug."""
    if isinstance(exc, LedgerError):
        return str(exc)
    if isinstance(exc, DBAPIError):
        return f"{_trouble(exc)}: {urls.scrub(str(exc.orig))}"
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else "")
    if isinstance(exc, ValueError) and "null byte" in str(exc):  # os refuses a path holding NUL
        return "a file name cannot hold a NUL byte; nothing was written"
    return None
