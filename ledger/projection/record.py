"""The one way an entry is written: appended to the journal and projected, in one transaction.

Single entries, imports and replayed entries (load, verify --deep) all end in `apply`; entries whose
body is large (an import's rows) are stored and projected through `project_chunked`, piece by piece.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Iterable, Iterator

from sqlalchemy.orm import Session

from ledger.core import limits, row_tree
from ledger.core.canonical import canonical_json
from ledger.core.errors import LedgerError
from ledger.core.views import Head
from ledger.journal import chain
from ledger.journal.bodies import RowsBody
from ledger.projection.apply import apply
from ledger.store import bulk

CHUNK_COLUMNS = ("seq", "n", "data")


def record(session: Session, kind: str, body: dict[str, Any], recorded_by: str) -> int:
    """Append one entry of `kind` and write its derived rows; returns its seq."""
    limits.check_entry(kind, body, recorded_by)
    body_json = canonical_json(body)
    rows = row_tree.INLINE_ROWS.get(kind) if body.get(row_tree.FORM_KEY) == row_tree.FORM else None
    hashed = row_tree.inline_hashed(body, rows) if rows is not None else None
    seq = chain.append(session, kind, body_json, recorded_by, hashed)
    apply(session, seq, kind, json.loads(body_json))
    return seq


def record_chunked(session: Session, previous: Head, kind: str, body_sha256: str, pieces: Iterable[str],
                   recorded_by: str, advance: Callable[[int], None] | None = None) -> int:
    """Append an entry whose body is too large to hold (hashed already, given in pieces) right after
    `previous` (the head the caller reserved), then store and project it; returns its seq."""
    limits.text(recorded_by, "recorded by", "who records the entry (--as)")
    seq = chain.insert_large(session, previous, kind, body_sha256, recorded_by)
    project_chunked(session, seq, kind, pieces, f"entry {seq}", advance)
    return seq


def project_chunked(session: Session, seq: int, kind: str, pieces: Iterable[str], where: str,
                    advance: Callable[[int], None] | None = None,
                    check: Callable[[list[Any]], None] | None = None) -> None:
    """Store a large body's text as journal chunks, cut at row boundaries, while `apply` projects
    its rows as they are read: memory holds one piece, whatever the body's size. `check` holds
    each row to the limits first (a body from outside the ledger: `load`)."""
    reader = RowsBody(pieces, where)
    insert = bulk.inserter(session)

    def rows() -> Iterator[list[Any]]:
        for n, (text, batch) in enumerate(reader.segments()):
            insert("journal_chunk", CHUNK_COLUMNS, [(seq, n, text)])
            if check is not None:
                for row in batch:
                    try:
                        check(row)
                    except LedgerError as exc:
                        raise LedgerError(f"{where}, row {row[0] if row else '?'}: {exc}") from None
            yield from batch
            if advance is not None:
                advance(len(batch))

    remaining = rows()
    apply(session, seq, kind, {"header": reader.header, "rows": remaining})
    for _ in remaining:  # a projection that stops early still stores the whole body
        pass
