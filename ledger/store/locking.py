"""Many writers, one chain: every write transaction takes the ledger's write lock when it begins.

SQLite takes its database lock with `BEGIN IMMEDIATE` (waiting up to the busy timeout); PostgreSQL
takes a transaction-scoped advisory lock (waiting up to `lock_timeout`). Because the lock is taken
before the transaction reads anything, two writers can never compute the same next id or seq, and
a lock timeout can only happen before any work: the transaction is simply begun again.
"""

from __future__ import annotations

import random
import time
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ledger.core.errors import LedgerError
from ledger.store import urls

# Any fixed number works: it names the lock every PostgreSQL writer queues on (journal.append too).
PG_WRITE_LOCK = 0x7261636564
# A connection execution option: this connection only reads, so it takes no write lock at BEGIN.
NO_WRITE_LOCK = "raceledger_no_write_lock"
# How often a transaction is begun before giving up, each try waiting up to the lock timeout.
ATTEMPTS = 3
# PostgreSQL SQLSTATEs worth beginning again: lock_not_available, serialization_failure, deadlock_detected.
RETRY_SQLSTATES = frozenset({"55P03", "40001", "40P01"})
# SQLite primary result codes: SQLITE_BUSY, SQLITE_LOCKED.
RETRY_SQLITE_CODES = frozenset({5, 6})


def is_busy(exc: DBAPIError) -> bool:
    """True when another writer held the lock too long (or the database asked us to try again)."""
    orig = exc.orig
    if getattr(orig, "sqlstate", None) in RETRY_SQLSTATES:
        return True
    code = getattr(orig, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in RETRY_SQLITE_CODES


def describe(exc: DBAPIError, url: URL | None = None) -> str:
    """The driver's message on one line, secrets masked."""
    return urls.scrub(str(exc.orig), url)


def pg_write_lock(timeout_ms: int):
    """A `begin` listener for a PostgreSQL writer's engine: queue on the ledger's advisory lock."""

    def take(conn: Connection) -> None:
        if conn.get_execution_options().get(NO_WRITE_LOCK):
            return
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = {int(timeout_ms)}")
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_WRITE_LOCK})")
        conn.exec_driver_sql("SET LOCAL lock_timeout TO DEFAULT")

    return take


def _begun(engine: Engine) -> Session:
    """A session whose transaction has begun and holds the write lock (on a writer's engine)."""
    started = time.monotonic()
    for attempt in range(1, ATTEMPTS + 1):
        session = Session(engine)
        session.begin()
        try:
            session.connection()
            return session
        except DBAPIError as exc:
            session.close()
            if not is_busy(exc):
                raise
        if attempt < ATTEMPTS:
            time.sleep(random.uniform(0.01, 0.05) * attempt)
    waited = time.monotonic() - started
    raise LedgerError(
        f"the ledger is busy: another writer held its write lock for {waited:.0f} s over {ATTEMPTS} tries; "
        "nothing was written, try again later"
    )


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """Begin (retrying while the ledger is busy), commit when the block ends, roll back on error."""
    session = _begun(engine)
    with session, session.get_transaction():
        yield session
