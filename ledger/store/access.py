"""Read-only reporters: read-only connections, and PostgreSQL roles that may only SELECT.

`--read-only` is enforced by the database itself, not only by the CLI refusing write commands:
SQLite files are opened with `mode=ro`, PostgreSQL sessions start with
`default_transaction_read_only=on`, so any write that slipped through would still be refused.
A SQLite file in a folder its reader may not write is read as an immutable snapshot (`immutable=1`),
which makes nothing beside it (ledger.store.engine.readable_snapshot).
"""

from __future__ import annotations

import sqlite3
from typing import Any
from urllib.parse import quote, urlencode

from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import DBAPIError

from ledger.core import limits
from ledger.core.errors import LedgerError
from ledger.store.locking import describe

_PG_READ_ONLY = "-c default_transaction_read_only=on"
# Privileges a reader must not hold on a ledger table (SELECT is the one it keeps).
_WRITE_PRIVILEGES = "INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER"


def read_only_refusal(command: str) -> LedgerError:
    return LedgerError(
        f"'{command}' writes to the ledger, but it is open read-only (--read-only or RACELEDGER_READ_ONLY=1); "
        "nothing was written"
    )


def read_only_engine_options(url: URL, immutable: bool = False) -> dict[str, Any]:
    """create_engine() keyword arguments that make every connection of `url` read-only; with
    `immutable`, a SQLite file is read as a snapshot that makes nothing beside it (`immutable=1`:
    no -shm or -wal file, no lock; ledger.store.engine.readable_snapshot says when)."""
    if url.get_backend_name() == "sqlite":
        path = url.database or ""
        if path in ("", ":memory:"):
            raise LedgerError("--read-only needs a database file, not an in-memory database")
        query = {"mode": "ro", **({"immutable": "1"} if immutable else {})}
        if url.query.get("uri") == "true" and path.startswith("file:"):  # a URI already: keep its parameters
            path, query = path[len("file:"):], {**{k: v for k, v in url.query.items() if k != "uri"}, **query}
        uri = f"file:{quote(path)}?{urlencode(query, doseq=True)}"
        return {"creator": lambda: sqlite3.connect(uri, uri=True, check_same_thread=False)}
    if url.get_backend_name() == "postgresql":
        existing = url.query.get("options")
        options = f"{existing} {_PG_READ_ONLY}" if isinstance(existing, str) else _PG_READ_ONLY
        return {"connect_args": {"options": options}}
    raise LedgerError(f"--read-only is not supported for {url.get_backend_name()} databases")


def check_schema_visible(conn: Connection, display: str) -> None:
    """A PostgreSQL database that looks empty may only be one whose schema this role may not use."""
    if conn.dialect.name == "postgresql" and conn.execute(text("SELECT current_schema()")).scalar() is None:
        raise LedgerError(f"{display}: this role may not use the database's schema, so it sees no ledger; "
                          "the ledger's owner can let it read with: raceledger db grant-reader ROLE")


def ledger_tables(engine: Engine) -> list[str]:
    """The ledger's tables present in the database: the models' tables and Alembic's version table."""
    from ledger.core.models import Base

    wanted = {*Base.metadata.tables, "alembic_version"}
    with engine.connect() as conn:
        present = set(inspect(conn).get_table_names())
    return sorted(wanted & present)


def _quoted(engine: Engine, name: str) -> str:
    return engine.dialect.identifier_preparer.quote(name)


def grant_reader(engine: Engine, role: str) -> list[str]:
    """Let an existing PostgreSQL role SELECT the ledger's tables and nothing more; returns the tables.

    Run it again after `raceledger init` upgrades the schema: a later migration's new tables get the
    same grant then (and only then).
    """
    if engine.dialect.name != "postgresql":
        raise LedgerError(
            "db grant-reader is PostgreSQL-only; a SQLite ledger's readers are set by file permissions "
            "(give reporters read access to the file and have them use --read-only)"
        )
    limits.text(role, "name", "role")
    try:
        return _grant(engine, role)
    except DBAPIError as exc:
        raise LedgerError(f"cannot grant reading to {role!r}: {describe(exc, engine.url)}") from None


def _grant(engine: Engine, role: str) -> list[str]:
    tables = ledger_tables(engine)
    with engine.begin() as conn:
        found = conn.execute(
            text("SELECT rolsuper, rolname = current_user AS is_me FROM pg_roles WHERE rolname = :role"),
            {"role": role},
        ).first()
        if found is None:
            raise LedgerError(
                f"no PostgreSQL role {role!r}; create it first, e.g. CREATE ROLE {_quoted(engine, role)} LOGIN PASSWORD '...'"
            )
        if found.is_me or found.rolsuper:
            why = "is the role this command connects as" if found.is_me else "is a superuser"
            raise LedgerError(f"role {role!r} {why}, so it can always write; grant reading to a role of its own")
        schema = conn.execute(text("SELECT current_schema()")).scalar()
        who = _quoted(engine, role)
        conn.execute(text(f"GRANT USAGE ON SCHEMA {_quoted(engine, schema)} TO {who}"))
        for table in tables:
            name = f"{_quoted(engine, schema)}.{_quoted(engine, table)}"
            conn.execute(text(f"REVOKE {_WRITE_PRIVILEGES} ON {name} FROM {who}"))
            conn.execute(text(f"GRANT SELECT ON {name} TO {who}"))
    return tables
