"""The journal as JSON Lines: what `raceledger export` writes and `load` (ledger.projection.load) reads.

One entry a line, as canonical JSON (sorted keys, no spaces, UTF-8):
`{"body":{...},"entry_hash":"...","kind":"...","prev_hash":"...","recorded_at":"...","recorded_by":"...","seq":N}`.
The body is the entry's canonical body text itself, so a line is written and read in pieces
(an import's body can be tens of megabytes) and export -> load -> export gives the same bytes.
"""

from __future__ import annotations

from typing import Any, BinaryIO, Callable, Mapping, TextIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.core.canonical import canonical_json
from ledger.core.models import JournalEntry
from ledger.core.progress import Progress, silent
from ledger.journal import chain
from ledger.store.files import is_stream, text_over, written_whole

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


def export_to(session: Session, file: str | None, stdout: BinaryIO, progress: Progress = silent,
              written: Callable[[chain.Head], None] = lambda head: None) -> chain.Head:
    """The journal into FILE, whole or not at all (`written_whole`, then `written` is told), or onto
    `stdout` when FILE is None or `-`. An interrupt carries a note of what it left, unless that is
    nothing: an export streamed into standard output or a device is incomplete; a file told
    `written` is whole."""
    to_file = file is not None and file != "-"
    streamed = not to_file or is_stream(file)  # written into as it goes, not renamed into place at the end
    done = f"the export into {file if to_file else 'standard output'} is incomplete" if streamed else None
    try:
        if not to_file:
            with text_over(stdout) as out:
                return export_journal(session, out, progress)
        with written_whole(file) as out:
            head = export_journal(session, out, progress)
        done = f"{file} was written whole"
        written(head)
        return head
    except KeyboardInterrupt as interrupt:
        if done:
            interrupt.add_note(done)
        raise
