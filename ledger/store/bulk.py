"""Bulk inserts below the ORM: the DBAPI cursor in the session's own transaction.

An import or a load writes hundreds of thousands of derived rows; the ORM's unit of work (and even
Core's per-row parameter processing) costs several times the database's own work there. SQLite
gets `executemany` over plain tuples, PostgreSQL gets `COPY ... FROM STDIN`. Values must already be
what the column stores: ints, strings, None, and dates as ISO `YYYY-MM-DD` strings.
"""

from __future__ import annotations

import os
import sys
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

    It holds the DBAPI connection itself, so it may be called from one other thread while the
    session's own thread leaves the connection alone (SQLite releases the GIL while it writes).
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
        conn.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")


def insert_rows(session: Session, name: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """INSERT every row (a tuple in `columns` order) into table `name`, in the session's transaction."""
    inserter(session)(name, columns, rows)


def spare_core() -> bool:
    """Whether a core is free for a writer thread. Only then does one pay: a writer's statements cost
    more CPU than executemany in line, so on a busy machine (measured: 2 cores, load 3-4) writing
    in line is faster. The load average counts this process, and whatever ran just before it, as
    one busy core: with two cores, a load of 1 leaves the other one free."""
    try:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        load = os.getloadavg()[0]
    except OSError:
        return False
    return cores > 1 and load < cores - 0.5


# How long a thread holding the GIL may run before a waiting thread gets it (Python's default: 5 ms).
QUICK_HANDOFF_S = 0.0002


@contextmanager
def quick_handoffs(interval: float = QUICK_HANDOFF_S) -> Iterator[None]:
    """A short GIL switch interval for as long as a writer thread runs long statements without the GIL.

    Between two statements the writer needs the GIL back; with the default interval it waits up
    to 5 ms while the parsing thread runs, longer than many of its statements take.
    """
    before = sys.getswitchinterval()
    sys.setswitchinterval(interval)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


class BackgroundWriter:
    """Runs writes in one other thread, in order, while the caller goes on preparing the next batch.

    SQLite releases the GIL while it inserts, so parsing the next rows overlaps with writing the
    last ones. The first error stops the writes and is raised again by `close()` (or `submit`).
    """

    def __init__(self, depth: int = 3) -> None:
        import queue
        import threading

        self._queue: "queue.Queue" = queue.Queue(depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="raceledger-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (job := self._queue.get()) is not None:
            if self._error is None:
                try:
                    job[0](*job[1:])
                except BaseException as exc:  # handed to the caller's thread by close()
                    self._error = exc

    def submit(self, function: Callable[..., None], *args: Any) -> None:
        if self._error is not None:
            self.close()
        self._queue.put((function, *args))

    def stop(self) -> None:
        """Wait for the writes submitted so far (the thread then ends); raise nothing."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()

    def close(self) -> None:
        """Wait for every submitted write; raise the first error one of them raised."""
        self.stop()
        if self._error is not None:
            error, self._error = self._error, None
            raise error


_WRITER = "raceledger_writer"


@contextmanager
def background(session: Session) -> Iterator[None]:
    """Inside, `submit(session, ...)` runs writes in one writer thread, in order (SQLite, a core spare).

    While it is open the session's own thread must leave the connection alone: every write goes
    through `submit`. Nested uses share the outer writer. On leaving, every write is waited for
    and the first error raised.
    """
    if session.info.get(_WRITER) is not None or session.get_bind().dialect.name != "sqlite" or not spare_core():
        yield
        return
    writer = BackgroundWriter(depth=2)
    session.info[_WRITER] = writer
    try:
        yield
        writer.close()
    finally:
        writer.stop()
        session.info.pop(_WRITER, None)


def submit(session: Session, function: Callable[..., None], *args: Any) -> None:
    """Run a write in the session's writer thread if `background` is open, else now."""
    writer = session.info.get(_WRITER)
    if writer is None:
        function(*args)
    else:
        writer.submit(function, *args)
