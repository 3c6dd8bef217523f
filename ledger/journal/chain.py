"""The hash-chained journal: its head, appending entries, and reading bodies back in pieces.

Nothing here writes derived rows: ledger.projection.record appends an entry and projects it.
"""

from __future__ import annotations

import datetime as dt
import functools
import getpass
import os
from contextlib import contextmanager
from typing import Iterable, Iterator, NamedTuple

from sqlalchemy import Select, func, insert, select, text
from sqlalchemy.orm import Session

from ledger.core.canonical import GENESIS_HASH, body_hash, chain_hash
from ledger.core.models import JournalChunk, JournalEntry
from ledger.core.views import Head
from ledger.journal import tree
from ledger.store.locking import PG_WRITE_LOCK

# The lock every PostgreSQL writer queues on (a writer's engine already takes it at BEGIN).
_PG_APPEND_LOCK = PG_WRITE_LOCK


def default_user() -> str:
    """Who records an entry when `--as` is not given: RACELEDGER_USER, else the OS user."""
    if os.environ.get("RACELEDGER_USER"):
        return os.environ["RACELEDGER_USER"]
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return f"uid:{os.getuid()}"


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")


# Statements run on every entry, built once: building one costs more than running it.
_HEAD = select(JournalEntry.seq, JournalEntry.entry_hash).order_by(JournalEntry.seq.desc()).limit(1)
_APPEND = insert(JournalEntry.__table__)


def head(session: Session) -> Head:
    row = session.connection().execute(_HEAD).first()
    return Head(row.seq, row.entry_hash) if row else Head(0, GENESIS_HASH)


def _lock_chain_head(session: Session) -> None:
    # SQLite writers already hold the database lock (BEGIN IMMEDIATE); PostgreSQL needs one.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_APPEND_LOCK})


def append(session: Session, kind: str, body_json: str, recorded_by: str, hashed: str | None = None) -> int:
    """Write one entry (its canonical body text) after the current head; returns its seq. `hashed`
    is the text its hash covers when that is not the body (the rows form, ledger.core.row_tree)."""
    _lock_chain_head(session)
    previous = head(session)
    seq = previous.seq + 1
    recorded_at = utc_now()
    entry_hash = chain_hash(previous.hash, seq, kind, recorded_at, recorded_by,
                            body_hash((body_json if hashed is None else hashed,)))
    insert_entry(session, seq, kind, body_json, previous.hash, entry_hash, recorded_at, recorded_by)
    return seq


def insert_entry(session: Session, seq: int, kind: str, body: str | None, prev_hash: str, entry_hash: str,
                 recorded_at: str, recorded_by: str) -> None:
    """The one way a journal row is written (append, insert_large, and replay for load and verify --deep):
    the row, then its leaf in the Merkle tree (the subtrees it completes, ledger.journal.tree)."""
    connection = session.connection()
    connection.execute(_APPEND, {
        "seq": seq, "kind": kind, "body": body, "prev_hash": prev_hash, "entry_hash": entry_hash,
        "recorded_at": recorded_at, "recorded_by": recorded_by})
    tree.add_leaf(connection, seq)


@functools.cache
def _largest(column) -> Select:
    return select(func.max(column))


def next_id(session: Session, column) -> int:
    """The id the next projected row of a table gets (appends are serialised, so no race)."""
    return (session.connection().execute(_largest(column)).scalar() or 0) + 1


# --- large bodies: an import's rows are kept in journal_chunk, the entry's body column is NULL ---

# Kinds whose body is kept in chunks (whatever its size, so a replay stores it the same way).
CHUNKED_KINDS = frozenset({"import"})
# How many rows a streaming read fetches at a time.
STREAM_BATCH = 1000


def body_pieces(session: Session, seq: int, body: str | None) -> Iterable[str]:
    """The canonical body text of entry `seq`, in pieces whose concatenation is the whole body.

    `body` is the entry's `journal.body` column: the text itself for an ordinary entry (one piece, in
    a tuple: cheaper than a generator in verify's loop over every entry), NULL for a large one, whose
    pieces are read from journal_chunk one at a time, in order, so memory holds one piece (about
    1 MB) whatever the body's size. Every reader of bodies (hashing, export, replay, verify) goes
    through here.
    """
    return (body,) if body is not None else _chunks(session, seq)


def _chunks(session: Session, seq: int) -> Iterator[str]:
    n = 0
    while True:
        data = session.execute(
            select(JournalChunk.data).where(JournalChunk.seq == seq, JournalChunk.n == n)).scalar()
        if data is None:
            return
        yield data
        n += 1


class EntryRow(NamedTuple):
    """A journal row as stream() gives it."""

    seq: int
    kind: str
    body: str | None  # NULL for a CHUNKED_KINDS entry: read it with body_pieces
    prev_hash: str
    entry_hash: str
    recorded_at: str
    recorded_by: str


_ENTRIES_SQL = f"SELECT {', '.join(EntryRow._fields)} FROM journal ORDER BY seq"


@contextmanager
def entry_tuples(session: Session) -> Iterator[Iterable[tuple]]:
    """The journal's rows as plain tuples (EntryRow's fields, in order), in seq order.

    The driver's own cursor (a server-side one on PostgreSQL), fetching STREAM_BATCH rows at a
    time: memory holds one batch, never the journal, and no row costs more than the driver's work,
    since verify loops over these and SQLAlchemy's rows would add a twentieth to a whole run of it.
    """
    connection = session.connection()
    driver = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        with driver.cursor(name="raceledger_journal") as cursor:
            cursor.itersize = STREAM_BATCH
            cursor.execute(_ENTRIES_SQL)
            yield cursor
    else:
        cursor = driver.cursor()
        try:
            cursor.arraysize = STREAM_BATCH
            yield cursor.execute(_ENTRIES_SQL)
        finally:
            cursor.close()


def stream(session: Session) -> Iterator[EntryRow]:
    """The journal's rows, in seq order, with their fields named (entry_tuples, which see)."""
    with entry_tuples(session) as rows:
        yield from map(EntryRow._make, rows)


def reserve(session: Session) -> Head:
    """Take the chain's write lock and return the current head: the next entry is head.seq + 1.

    For an entry prepared before its journal row is written (an import reads its whole file
    first): nobody else can append until the transaction ends.
    """
    _lock_chain_head(session)
    return head(session)


def insert_large(session: Session, previous: Head, kind: str, body_sha256: str, recorded_by: str) -> int:
    """The journal row (body NULL) of a CHUNKED_KINDS entry after `previous`; returns its seq."""
    if kind not in CHUNKED_KINDS:
        raise ValueError(f"entries of kind {kind!r} keep their body in the journal row")
    seq = previous.seq + 1
    recorded_at = utc_now()
    entry_hash = chain_hash(previous.hash, seq, kind, recorded_at, recorded_by, body_sha256)
    insert_entry(session, seq, kind, None, previous.hash, entry_hash, recorded_at, recorded_by)
    return seq
