"""The journal as JSON Lines: what `raceledger export` writes and `load` (ledger.projection.load) reads.

One entry a line, as canonical JSON (sorted keys, no spaces, UTF-8):
`{"body":{...},"entry_hash":"...","kind":"...","prev_hash":"...","recorded_at":"...","recorded_by":"...","seq":N}`.
The body is the entry's canonical body text itself, so a line is written and read in pieces
(an import's body can be tens of megabytes) and export -> load -> export gives the same bytes.
"""

from __future__ import annotations

from typing import Any, Mapping, TextIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.core.canonical import canonical_json
from ledger.core.models import JournalEntry
from ledger.core.progress import Progress, silent
from ledger.journal import chain

OPEN = '{"body":'
TAIL_FIELDS = ("entry_hash", "kind", "prev_hash", "recorded_at", "recorded_by", "seq")


def tail(fields: Mapping[str, Any]) -> str:
    """The line after the body: `,"entry_hash":...,"seq":N}` (canonical, keys after "body")."""
    return "," + canonical_json({name: fields[name] for name in TAIL_FIELDS})[1:]


def export_journal(session: Session, out: TextIO, progress: Progress = silent) -> chain.Head:
    """Write every entry, in seq order, one canonical JSON line each; returns the head written."""
    total = session.execute(select(func.count()).select_from(JournalEntry)).scalar_one()
    head = chain.Head(0, chain.GENESIS_HASH)
    with progress("Exporting", total) as advance:
        for row in chain.stream(session):
            out.write(OPEN)
            for piece in chain.body_pieces(session, row.seq, row.body):
                out.write(piece)
            out.write(tail(row._asdict()) + "\n")
            head = chain.Head(row.seq, row.entry_hash)
            advance(1)
    return head
