"""Appending to the hash-chained journal: one write, one entry, projected in the same transaction."""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
from typing import Any, NamedTuple

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from ledger import projector
from ledger.canonical import GENESIS_HASH, canonical_json, chain_hash, sha256_hex
from ledger.models import JournalEntry

# Any fixed number works: it names the lock every PostgreSQL writer queues on.
_PG_APPEND_LOCK = 0x7261636564


class Head(NamedTuple):
    seq: int
    hash: str


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


def append(session: Session, kind: str, body: dict[str, Any], recorded_by: str) -> int:
    """Write one entry after the current head and project it; returns its seq."""
    _lock_chain_head(session)
    previous = head(session)
    seq = previous.seq + 1
    body_json = canonical_json(body)
    recorded_at = utc_now()
    entry_hash = chain_hash(previous.hash, seq, kind, recorded_at, recorded_by, sha256_hex(body_json))
    session.execute(
        insert(JournalEntry).values(
            seq=seq, kind=kind, body=body_json, prev_hash=previous.hash,
            entry_hash=entry_hash, recorded_at=recorded_at, recorded_by=recorded_by,
        )
    )
    projector.apply(session, seq, kind, json.loads(body_json))
    return seq


def next_id(session: Session, column) -> int:
    """The id the next projected row of a table gets (appends are serialised, so no race)."""
    return (session.execute(select(func.max(column))).scalar() or 0) + 1
