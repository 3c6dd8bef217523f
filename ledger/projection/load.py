"""Loading an export (ledger.journal.export) into an empty ledger: every line checked, then replayed.

A line is read in pieces: a long one (an import's body can be tens of megabytes) goes to a
temporary file, not memory; the entries go through the projection code every write uses.
"""

from __future__ import annotations

import codecs
import json
import os
import stat
import tempfile
from contextlib import ExitStack
from typing import BinaryIO, Iterator

from sqlalchemy.orm import Session

from ledger.core.errors import LedgerError
from ledger.core.progress import Progress, silent
from ledger.journal import chain
from ledger.journal.export import OPEN, TAIL_FIELDS, tail
from ledger.projection import replay

_OPEN_BYTES = OPEN.encode()
_TAIL_BYTES = b',"entry_hash":'
READ_PIECE = 1 << 20
# Room for the fields after the body (hashes, kind, when, who) at the end of a line.
_TAIL_WINDOW = 1 << 16


def _parse_tail(data: bytes, where: str) -> dict:
    try:
        fields = json.loads(b"{" + data[1:])
    except ValueError:
        fields = None
    if (not isinstance(fields, dict) or tuple(sorted(fields)) != TAIL_FIELDS
            or not isinstance(fields["seq"], int) or isinstance(fields["seq"], bool)
            or not all(isinstance(fields[k], str) for k in TAIL_FIELDS if k != "seq")
            or tail(fields).encode() != data):
        raise LedgerError(f"{where}: not a journal entry line (expected canonical JSON with body, entry_hash, kind, "
                          "prev_hash, recorded_at, recorded_by and seq); nothing was loaded")
    return fields


def _decoded(chunks: Iterator[bytes], where: str) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in chunks:
            text = decoder.decode(chunk)
            if text:
                yield text
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise LedgerError(f"{where}: not UTF-8 text; nothing was loaded") from None


def _entry(fields: dict, where: str, pieces) -> replay.SourceEntry:
    return replay.SourceEntry(fields["seq"], fields["kind"], fields["prev_hash"], fields["entry_hash"],
                              fields["recorded_at"], fields["recorded_by"], pieces, where)


class _Reader:
    """Entries of an export, one line at a time; a long line goes to a temporary file, not memory."""

    def __init__(self, stream: BinaryIO, name: str, stack: ExitStack, advance) -> None:
        self._stream, self._name, self._stack, self._advance = stream, name, stack, advance
        self._spool: BinaryIO | None = None

    def __iter__(self) -> Iterator[replay.SourceEntry]:
        number = 0
        while True:
            first = self._stream.readline(READ_PIECE)
            if not first:
                return
            number += 1
            self._advance(len(first))
            where = f"{self._name}:{number}"
            if first.endswith(b"\n") or len(first) < READ_PIECE:
                if first.strip():
                    yield self._short(first.rstrip(b"\r\n"), where)
            else:
                yield self._long(first, where)

    def _short(self, line: bytes, where: str) -> replay.SourceEntry:
        cut = line.rfind(_TAIL_BYTES)
        if not line.startswith(_OPEN_BYTES) or cut < 0 or not line.endswith(b"}"):
            raise LedgerError(f"{where}: not a journal entry line (expected {OPEN}...); nothing was loaded")
        fields = _parse_tail(line[cut:], where)
        body = line[len(_OPEN_BYTES):cut]
        text = "".join(_decoded(iter([body]), where))
        return _entry(fields, where, lambda: iter([text]))

    def _long(self, first: bytes, where: str) -> replay.SourceEntry:
        if self._spool is None:
            self._spool = self._stack.enter_context(tempfile.TemporaryFile(prefix="raceledger-load-"))
        spool = self._spool
        spool.seek(0)
        spool.truncate()
        if not first.startswith(_OPEN_BYTES):
            raise LedgerError(f"{where}: not a journal entry line (expected {OPEN}...); nothing was loaded")
        spool.write(first)
        window = first[-_TAIL_WINDOW:]
        while not window.endswith(b"\n"):
            piece = self._stream.readline(READ_PIECE)
            if not piece:
                break
            self._advance(len(piece))
            spool.write(piece)
            window = (window + piece)[-_TAIL_WINDOW:]
        stripped = window.rstrip(b"\r\n")
        line_end = spool.tell() - (len(window) - len(stripped))
        cut = stripped.rfind(_TAIL_BYTES)
        if cut < 0 or not stripped.endswith(b"}"):
            raise LedgerError(f"{where}: not a journal entry line (its end is not a journal entry's); nothing was loaded")
        fields = _parse_tail(stripped[cut:], where)
        body_start, body_end = len(_OPEN_BYTES), line_end - len(stripped) + cut

        def pieces() -> Iterator[str]:
            def chunks() -> Iterator[bytes]:
                spool.seek(body_start)
                left = body_end - body_start
                while left > 0:
                    chunk = spool.read(min(READ_PIECE, left))
                    if not chunk:
                        return
                    left -= len(chunk)
                    yield chunk
            return _decoded(chunks(), where)

        return _entry(fields, where, pieces)


def _size(stream: BinaryIO) -> int | None:
    """The bytes to read, for a progress bar: known for a file, not for a pipe."""
    try:
        found = os.fstat(stream.fileno())
    except (OSError, ValueError):
        return None
    return found.st_size if stat.S_ISREG(found.st_mode) else None


def load_journal(session: Session, stream: BinaryIO, name: str, progress: Progress = silent) -> chain.Head:
    """Replay an export into the empty ledger of `session`: all of it, or nothing (LedgerError).
    No entries at all is refused as well: an empty file (or /dev/null) is no export of a ledger."""
    with ExitStack() as stack:
        size = _size(stream)
        advance = stack.enter_context(progress(f"Loading {name}", size)) if size else (lambda n: None)
        head = replay.replay(session, iter(_Reader(stream, name, stack, advance)), check_rows=True)
    if head.seq == 0:
        raise LedgerError(f"{name}: no journal entries to load (an empty ledger is made with: raceledger init)")
    return head
