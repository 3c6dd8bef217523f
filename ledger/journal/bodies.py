"""Large journal bodies: a header, many rows and a summary, written and read in pieces, never whole.

Such a body is canonical JSON like any other,
`{"header":{...},"rows":[[...],[...],...],"summary":{...}}` (sorted keys: the header comes before
the rows, the summary, with what is known only at the end such as the row count, after them), but
it is produced and consumed as text pieces of about a megabyte cut at row boundaries, so neither
hashing, storing, exporting nor replaying it needs memory that grows with the number of rows.
Rows are flat JSON arrays of strings, integers and nulls.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Iterator

from ledger.core.canonical import canonical_json
from ledger.core.errors import LedgerError

PIECE_CHARS = 1 << 20
OPEN = '{"header":'
ROWS = ',"rows":['
SUMMARY = '],"summary":'
# A header is small (a mapping, ids, a citation); anything bigger is not a rows body.
MAX_HEADER_CHARS = 1 << 24
# How many row boundaries to try from the end of a buffer before reading on (a boundary-like
# text inside a name makes a try fail; the next piece usually brings a real boundary).
_BOUNDARY_TRIES = 3

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


def encode_rows(rows: list[list[Any]]) -> str:
    """Rows as canonical JSON array elements joined by commas (no brackets).

    Callers build rows from strings, integers and None only (times are integer milliseconds), so
    the per-value float check of canonical_json is left out of this hot path.
    """
    return _encode(rows)[1:-1]


class PieceEncoder:
    """Builds the body's canonical text piece by piece: `add(rows)` returns a piece when one is full.

    The first piece opens the body with its header, every later piece starts with the comma that
    separates its first row from the previous one, and `close(summary)` gives the last piece.
    """

    def __init__(self, header: dict[str, Any]) -> None:
        self._parts = [OPEN + canonical_json(header) + ROWS]
        self._size = len(self._parts[0])
        self._first_row = True

    def add(self, rows: list[list[Any]]) -> str | None:
        return self.add_encoded(encode_rows(rows)) if rows else None

    def add_encoded(self, text: str) -> str | None:
        """`add` for rows the caller has encoded already (with encode_rows)."""
        if not self._first_row:
            text = "," + text
        self._first_row = False
        self._parts.append(text)
        self._size += len(text)
        if self._size < PIECE_CHARS:
            return None
        piece, self._parts, self._size = "".join(self._parts), [], 0
        return piece

    def close(self, summary: dict[str, Any]) -> str:
        self._parts.append(SUMMARY + canonical_json(summary) + "}")
        piece, self._parts = "".join(self._parts), []
        return piece


class RowsBody:
    """Reads a rows body from text pieces cut anywhere: the header first, then rows as they come.

    `segments()` yields `(text, rows)`: consecutive slices of the body text, cut at row boundaries
    (so they can be stored as chunks and joined back to the exact body), with the rows each holds.
    """

    def __init__(self, pieces: Iterable[str], where: str) -> None:
        self._pieces = iter(pieces)
        self._where = where
        buffer = ""
        while True:
            piece = next(self._pieces, None)
            if piece is None:
                raise LedgerError(f"{where}: the body ends before its rows begin")
            buffer += piece
            header = self._header(buffer, more=True)
            if header is not None:
                break
        self.header: dict[str, Any] = header[0]
        self.summary: dict[str, Any] | None = None
        self._prefix = buffer[:header[1]]
        self._pending = buffer[header[1]:]

    def _header(self, buffer: str, more: bool) -> tuple[dict[str, Any], int] | None:
        if not buffer.startswith(OPEN[:len(buffer)]):
            raise LedgerError(f"{self._where}: not a rows body (expected it to begin with {OPEN})")
        try:
            header, end = json.JSONDecoder().raw_decode(buffer, len(OPEN))
        except (json.JSONDecodeError, IndexError):
            if len(buffer) > MAX_HEADER_CHARS:
                raise LedgerError(f"{self._where}: a rows body header longer than {MAX_HEADER_CHARS} characters") from None
            return None
        if len(buffer) < end + len(ROWS):
            return None
        if not isinstance(header, dict) or buffer[end:end + len(ROWS)] != ROWS:
            raise LedgerError(f"{self._where}: not a rows body (expected an object header, then {ROWS})")
        return header, end + len(ROWS)

    def _rows(self, text: str) -> list[list[Any]]:
        try:
            rows = json.loads("[" + (text[1:] if text.startswith(",") else text) + "]")
        except json.JSONDecodeError as exc:
            raise LedgerError(f"{self._where}: bad rows in the body ({exc.msg})") from None
        for row in rows:
            if row.__class__ is not list:
                raise LedgerError(f"{self._where}: a row of the body is not a list")
        return rows

    def _cut(self, pending: str) -> tuple[int, list[list[Any]]] | None:
        """The end of the last complete row in `pending` and the rows before it, if found quickly.

        A cut inside a string or an array cannot parse (the string or array stays open), so a
        parse that succeeds proves the cut is a row boundary.
        """
        end = len(pending)
        for _ in range(_BOUNDARY_TRIES):
            k = pending.rfind("],[", 0, end)
            if k < 0:
                return None
            try:
                return k + 1, self._rows(pending[:k + 1])
            except LedgerError:
                end = k
        return None

    def segments(self) -> Iterator[tuple[str, list[list[Any]]]]:
        """Consecutive slices of the body text with the rows in each; `summary` is set at the end."""
        prefix, pending = self._prefix, self._pending
        for piece in self._pieces:
            pending += piece
            if len(pending) < PIECE_CHARS // 2:
                continue
            found = self._cut(pending)
            if found is None:
                continue
            cut, rows = found
            text, pending = pending[:cut], pending[cut:]
            yield prefix + text, rows
            prefix = ""
        end = pending.rfind(SUMMARY)
        try:
            summary = json.loads(pending[end + len(SUMMARY):-1]) if end >= 0 and pending.endswith("}") else None
        except json.JSONDecodeError:
            summary = None
        if not isinstance(summary, dict) or canonical_json(summary) != pending[end + len(SUMMARY):-1]:
            raise LedgerError(f"{self._where}: the body does not end with its summary ({SUMMARY}{{...}}}})")
        self.summary = summary
        yield prefix + pending, self._rows(pending[:end])
