"""Replaying a journal into an empty database: every link and hash checked, every entry projected.

Used by `raceledger load` (entries read from an exported JSON Lines file) and by
`raceledger verify --deep` (entries read from another database), so both rebuild a ledger the same
way writing it did: the journal rows as they were (bodies of CHUNKED_KINDS in journal_chunk), and
the derived tables through ledger.projection.apply.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from sqlalchemy import func, select
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from ledger.core import limits
from ledger.core.canonical import GENESIS_HASH, canonical_json, chain_hash
from ledger.core.errors import LedgerError
from ledger.core.models import JournalEntry
from ledger.core.progress import Advance
from ledger.journal import chain
from ledger.journal.bodies import entry_sha256, inline_sha256
from ledger.projection.apply import apply
from ledger.projection.import_rows import check_row
from ledger.projection.record import project_chunked


@dataclass(frozen=True)
class SourceEntry:
    """One journal entry to replay, from wherever it was read.

    `pieces()` returns a fresh iterator over the canonical body text in pieces (it is called twice:
    once to check the hash, once to apply), and `where` says where the entry came from in messages
    (`"FILE:12"` for line 12 of a file, `"entry 12"` for another database).
    """

    seq: int
    kind: str
    prev_hash: str
    entry_hash: str
    recorded_at: str
    recorded_by: str
    pieces: Callable[[], Iterator[str]]
    where: str


def from_session(session: Session) -> Iterator[SourceEntry]:
    """The entries of another ledger's database, streamed in seq order (for `verify --deep`)."""
    for row in chain.stream(session):
        yield SourceEntry(row.seq, row.kind, row.prev_hash, row.entry_hash, row.recorded_at, row.recorded_by,
                          lambda seq=row.seq, body=row.body: chain.body_pieces(session, seq, body),
                          f"entry {row.seq}")


def _check(entry: SourceEntry, expected_seq: int, previous_hash: str) -> None:
    if entry.seq != expected_seq:
        raise LedgerError(f"{entry.where}: entry {entry.seq} where entry {expected_seq} should be "
                          "(an entry is missing, duplicated or out of order); nothing was loaded")
    if entry.prev_hash != previous_hash:
        raise LedgerError(f"{entry.where}: entry {entry.seq} does not link to the entry before it "
                          f"(its prev_hash is {entry.prev_hash[:12]}..., the previous entry's hash is "
                          f"{previous_hash[:12]}...); nothing was loaded")
    if entry.kind in chain.CHUNKED_KINDS:
        digest, wrong = entry_sha256(entry.pieces, entry.where)
        if wrong is not None:
            raise LedgerError(f"{entry.where}: entry {entry.seq}: {wrong}; nothing was loaded")
    else:
        digest = inline_sha256(entry.kind, "".join(entry.pieces()))
    computed = chain_hash(previous_hash, entry.seq, entry.kind, entry.recorded_at, entry.recorded_by, digest)
    if computed != entry.entry_hash:
        raise LedgerError(f"{entry.where}: entry {entry.seq} does not match its hash (its content or who or when "
                          f"was changed after it was written: computed {computed[:12]}..., recorded "
                          f"{entry.entry_hash[:12]}...); nothing was loaded")


def _journal_row(session: Session, entry: SourceEntry, body: str | None) -> None:
    chain.insert_entry(session, entry.seq, entry.kind, body, entry.prev_hash, entry.entry_hash,
                       entry.recorded_at, entry.recorded_by)


def _apply_inline(session: Session, entry: SourceEntry) -> None:
    text = "".join(entry.pieces())
    try:
        body = json.loads(text)
    except ValueError:
        raise LedgerError(f"{entry.where}: entry {entry.seq}'s body is not JSON; nothing was loaded") from None
    if not isinstance(body, dict) or canonical_json(body) != text:
        raise LedgerError(f"{entry.where}: entry {entry.seq}'s body is not canonical JSON (an object with sorted "
                          "keys, no spaces, no floats); nothing was loaded")
    try:
        limits.check_entry(entry.kind, body, entry.recorded_by)
    except LedgerError as exc:
        raise LedgerError(f"{entry.where}: entry {entry.seq}: {exc}; nothing was loaded") from None
    _journal_row(session, entry, text)
    apply(session, entry.seq, entry.kind, body)


def replay(session: Session, entries: Iterable[SourceEntry], advance: Advance | None = None,
           check_rows: bool = False) -> chain.Head:
    """Replay `entries` (seq 1, 2, ... in order) into the empty ledger `session` is open on.

    Each entry is checked before it is applied: its seq follows the previous one, its prev_hash is
    the previous entry's hash, and its entry_hash is the chain hash of its fields and body. The first
    failure raises LedgerError naming the entry's `where`; the caller's transaction then rolls back,
    so nothing is written. Applying stores the journal row (a CHUNKED_KINDS body in journal_chunk,
    cut at row boundaries) and projects it with ledger.projection.apply.apply, in the caller's transaction.
    `advance(1)` is called after each entry. Returns the new head (seq 0 for no entries). With
    `check_rows`, an import's rows are held to the limits too (entries from outside: `load`).
    """
    existing = session.execute(select(func.count()).select_from(JournalEntry)).scalar_one()
    if existing:
        raise LedgerError(f"the ledger already holds {existing} journal entries; replay needs an empty one "
                          "(load into a new database: raceledger --db NEW.db load FILE)")
    seq, previous = 0, GENESIS_HASH
    for entry in entries:
        _check(entry, seq + 1, previous)
        try:
            if entry.kind in chain.CHUNKED_KINDS:
                _journal_row(session, entry, None)
                project_chunked(session, entry.seq, entry.kind, entry.pieces(), f"{entry.where}: entry {entry.seq}",
                                check=check_row if check_rows else None)
            else:
                _apply_inline(session, entry)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError, OverflowError) as exc:
            raise LedgerError(f"{entry.where}: entry {entry.seq} ({entry.kind}) cannot be applied "
                              f"({type(exc).__name__}: {exc}); nothing was loaded") from None
        except (StatementError, session.get_bind().dialect.loaded_dbapi.Error) as exc:
            # The database refused a value (through SQLAlchemy, or the bulk path's own cursor).
            reason = " ".join(str(getattr(exc, "orig", None) or exc).split())
            raise LedgerError(f"{entry.where}: entry {entry.seq} ({entry.kind}) cannot be applied "
                              f"({reason}); nothing was loaded") from None
        seq, previous = entry.seq, entry.entry_hash
        if advance is not None:
            advance(1)
    return chain.Head(seq, previous)
