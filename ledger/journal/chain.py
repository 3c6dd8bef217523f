"""The hash-chained journal: its head, appending entries, and reading bodies back in pieces.

Nothing here writes derived rows: ledger.projection.record appends an entry and projects it.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
from typing import Any, Callable, Iterable, Iterator

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from ledger.core.canonical import GENESIS_HASH, chain_hash, sha256_hex
from ledger.core.models import JournalChunk, JournalEntry
from ledger.core.views import Head
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


def head(session: Session) -> Head:
    row = session.execute(
        select(JournalEntry.seq, JournalEntry.entry_hash).order_by(JournalEntry.seq.desc()).limit(1)
    ).first()
    return Head(row.seq, row.entry_hash) if row else Head(0, GENESIS_HASH)


def _lock_chain_head(session: Session) -> None:
    # SQLite writers already hold the database lock (BEGIN IMMEDIATE); PostgreSQL needs one.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_APPEND_LOCK})


def append(session: Session, kind: str, body_json: str, recorded_by: str) -> int:
    """Write one entry (its canonical body text) after the current head; returns its seq."""
    _lock_chain_head(session)
    previous = head(session)
    seq = previous.seq + 1
    recorded_at = utc_now()
    entry_hash = chain_hash(previous.hash, seq, kind, recorded_at, recorded_by, sha256_hex(body_json))
    session.execute(
        insert(JournalEntry).values(
            seq=seq, kind=kind, body=body_json, prev_hash=previous.hash,
            entry_hash=entry_hash, recorded_at=recorded_at, recorded_by=recorded_by,
        )
    )
    return seq


def next_id(session: Session, column) -> int:
    """The id the next projected row of a table gets (appends are serialised, so no race)."""
    return (session.execute(select(func.max(column))).scalar() or 0) + 1


# --- large bodies: an import's rows are kept in journal_chunk, the entry's body column is NULL ---

# Kinds whose body is kept in chunks (whatever its size, so a replay stores it the same way).
CHUNKED_KINDS = frozenset({"import"})
# How many entries a streaming read fetches at a time.
STREAM_BATCH = 1000


def body_pieces(session: Session, seq: int, body: str | None) -> Iterator[str]:
    """The canonical body text of entry `seq`, in pieces whose concatenation is the whole body.

    `body` is the entry's `journal.body` column: the text itself for an ordinary entry (one piece),
    NULL for a large one, whose pieces are read from journal_chunk one at a time, in order, so
    memory holds one piece (about 1 MB) whatever the body's size. Every reader of bodies (hashing,
    export, replay, verify) goes through here.
    """
    if body is not None:
        yield body
        return
    n = 0
    while True:
        data = session.execute(
            select(JournalChunk.data).where(JournalChunk.seq == seq, JournalChunk.n == n)).scalar()
        if data is None:
            return
        yield data
        n += 1


def body_hash(session: Session, seq: int, body: str | None) -> str:
    """sha256 of the entry's canonical body, computed piece by piece."""
    import hashlib

    digest = hashlib.sha256()
    for piece in body_pieces(session, seq, body):
        digest.update(piece.encode("utf-8"))
    return digest.hexdigest()


def stream(session: Session, after: int = 0) -> Iterator[Any]:
    """Journal rows (seq, kind, body, prev_hash, entry_hash, recorded_at, recorded_by) in seq order,
    fetched in batches (server-side on PostgreSQL): memory does not grow with the journal."""
    columns = (JournalEntry.seq, JournalEntry.kind, JournalEntry.body, JournalEntry.prev_hash,
               JournalEntry.entry_hash, JournalEntry.recorded_at, JournalEntry.recorded_by)
    while True:
        rows = session.execute(select(*columns).where(JournalEntry.seq > after)
                               .order_by(JournalEntry.seq).limit(STREAM_BATCH)).all()
        yield from rows
        if len(rows) < STREAM_BATCH:
            return
        after = rows[-1].seq


def store_chunks(session: Session, seq: int, pieces: Iterable[str]) -> int:
    """Write a large body's pieces to journal_chunk as chunks 0, 1, 2...; returns how many."""
    n = 0
    for n, data in enumerate(pieces, 1):
        session.execute(insert(JournalChunk).values(seq=seq, n=n - 1, data=data))
    return n


def reserve(session: Session) -> Head:
    """Take the chain's write lock and return the current head: the next entry is head.seq + 1.

    For an entry whose chunks and derived rows are written before its journal row (SQLite, with
    foreign keys deferred to the commit): nobody else can append until the transaction ends.
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
    session.execute(insert(JournalEntry).values(
        seq=seq, kind=kind, body=None, prev_hash=previous.hash, entry_hash=entry_hash,
        recorded_at=recorded_at, recorded_by=recorded_by))
    return seq


def append_large(session: Session, kind: str, body_sha256: str, pieces: Callable[[], Iterable[str]],
                 recorded_by: str, project: Callable[[int], None]) -> int:
    """Append one entry whose canonical body is too large to hold: hashed already, stored in chunks.

    `pieces()` gives the body text in pieces (about 1 MB, cut at row boundaries) whose sha256 is
    `body_sha256`; `project(seq)` writes the derived rows. Returns the entry's seq.
    """
    seq = insert_large(session, reserve(session), kind, body_sha256, recorded_by)
    store_chunks(session, seq, pieces())
    project(seq)
    return seq
