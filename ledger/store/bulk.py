"""Bulk inserts below the ORM: the DBAPI cursor in the session's own transaction.

An import or a load writes hundreds of thousands of derived rows; the ORM's unit of work (and even
Core's per-row parameter processing) costs several times the database's own work there. SQLite
gets `executemany` over plain tuples, PostgreSQL gets `COPY ... FROM STDIN`. Values must already be
what the column stores: ints, strings, None, and dates as ISO `YYYY-MM-DD` strings.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator, Sequence

from sqlalchemy import column, event, insert, table
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

# SQLite's page cache while a bulk write builds several indexes at once (the default is 2 MB):
# fewer pages spilled and read back; memory stays well inside an import's budget.
BULK_CACHE_KIB = 8192

Inserter = Callable[[str, Sequence[str], Iterable[Sequence[Any]]], None]


def inserter(session: Session) -> Inserter:
    """`insert(table, columns, rows)` on the session's connection and transaction.

    """
    conn = session.connection()
    dialect = conn.dialect.name
    driver = conn.connection.driver_connection
    if dialect == "sqlite":
        def insert_sqlite(name: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
            driver.executemany(f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                               rows)
        return insert_sqlite
    if dialect == "postgresql":
        def insert_postgresql(name: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
            with driver.cursor() as cursor, cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return insert_postgresql

    def insert_core(name: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        batch = [dict(zip(columns, row)) for row in rows]
        if batch:
            conn.execute(insert(table(name, *(column(c) for c in columns))), batch)
    return insert_core


def trusted_references(engine: Engine) -> None:
    """SQLite: this engine's transactions run without per-row foreign-key checks.

    Only for a bulk import, which resolves every reference itself, under the write lock and in the
    same transaction (its category and source, the existing athletes it links, the athletes and
    journal entry it creates): checking each of its hundreds of thousands of rows again costs about
    a fifth of the insert time and proves nothing more. SQLite only reads the pragma outside a
    transaction, so it is set when a connection is checked out of the pool, and set back when it
    returns. Replaying an import (load, verify --deep) keeps the checks on.
    """
    if engine.dialect.name != "sqlite":
        return

    def off(dbapi_connection, _record, _proxy) -> None:
        dbapi_connection.execute("PRAGMA foreign_keys = OFF")

    def on(dbapi_connection, _record) -> None:
        if dbapi_connection is not None:  # None: an interrupt invalidated the connection, nothing to reset
            dbapi_connection.execute("PRAGMA foreign_keys = ON")

    event.listen(engine.pool, "checkout", off)
    event.listen(engine.pool, "checkin", on)


@contextmanager
def sqlite_cache(session: Session, kib: int = BULK_CACHE_KIB) -> Iterator[None]:
    """A larger SQLite page cache for the duration of a bulk write (nothing on other databases)."""
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        yield
        return
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        if not (conn.closed or conn.invalidated):  # an interrupt may have dropped the connection
            conn.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")
