"""Large journal bodies: a header, many rows and a summary, written and read in pieces, never whole.

Such a body is canonical JSON like any other,
`{"header":{...},"rows":[[...],[...],...],"summary":{...}}` (sorted keys: the header comes before
the rows, the summary, with what is known only at the end such as the row count, after them), but
it is produced and consumed as text pieces of about a megabyte cut at row boundaries, so neither
hashing, storing, exporting nor replaying it needs memory that grows with the number of rows.
Rows are flat JSON arrays of strings, integers and nulls.

A body whose header says `"form": 2` is hashed in the rows form (ledger.core.row_tree): over its
header, its summary and the root over its rows, each row's canonical text a leaf.
"""

from __future__ import annotations

import json
from hashlib import sha256
from itertools import repeat
from typing import Any, Callable, Iterable, Iterator

from ledger.core import row_tree
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


def row_texts(rows: list[list[Any]]) -> list[str]:
    """Each row's canonical JSON alone: the leaves of the rows form (ledger.core.row_tree)."""
    return [_encode(row) for row in rows]


def _leaves(text: bytes) -> list[bytes] | None:
    """The leaf hashes of the rows in `text` (canonical rows joined by commas, UTF-8), cut at each
    `],[` without parsing them (parsing costs ten times the hashing); None when a cut may have fallen
    inside a string or a row: a piece with an odd number of quotes, or with a backslash or a bracket
    (a list inside a row) and not a whole row; None too when `text` does not begin with `[` and end
    with `]`, which the leaves put back rather than read (so a changed first or last byte is found).

    Whether any piece holds a backslash or a bracket is read from the whole text (it holds the rows'
    own brackets only, one pair a piece, unless a piece holds one), so piece by piece only quotes are
    counted, in C (map): the checks cost a fifth of the leaves' hashing, where they cost as much."""
    if not (text.startswith(b"[") and text.endswith(b"]")):
        return None
    parts = text.split(b"],[")
    parts[0] = parts[0][1:]  # without copying `text` (text[1:-1]); one row loses both brackets
    parts[-1] = parts[-1][:-1]
    if b"\\" in text or text.count(b"[") != len(parts) or text.count(b"]") != len(parts):
        for part in parts:
            if b"\\" in part or b"[" in part or b"]" in part:
                if not _whole_row(part.decode()):
                    return None
            elif part.count(b'"') & 1:
                return None
    elif any(map(_ODD, map(bytes.count, parts, repeat(b'"')))):
        return None
    return [sha256(b"\x00[" + part + b"]").digest() for part in parts]


_ODD = (1).__and__


def _whole_row(part: str) -> bool:
    try:
        row = json.loads(f"[{part}]")
    except ValueError:
        return False
    return row.__class__ is list and _encode(row) == f"[{part}]"


class PieceEncoder:
    """Builds the body's canonical text piece by piece: `add(rows)` returns a piece when one is full.

    The first piece opens the body with its header, every later piece starts with the comma that
    separates its first row from the previous one, and `close(summary)` gives the last piece. A
    header of the rows form has each row encoded alone, its text both the body's and a leaf of the
    root (`hashed()`: the text the entry's hash covers).
    """

    def __init__(self, header: dict[str, Any]) -> None:
        self._header = canonical_json(header)
        self._parts = [OPEN + self._header + ROWS]
        self._size = len(self._parts[0])
        self._first_row = True
        self._root = row_tree.RowsRoot() if header.get(row_tree.FORM_KEY) == row_tree.FORM else None
        self._summary = ""

    def add(self, rows: list[list[Any]]) -> str | None:
        if not rows:
            return None
        if self._root is None:
            return self._add_encoded(encode_rows(rows))
        text = encode_rows(rows)
        leaves = _leaves(text.encode())
        if leaves is None:
            self._root.add(row_texts(rows))
        else:
            self._root.add_leaves(leaves)
        return self._add_encoded(text)

    def _add_encoded(self, text: str) -> str | None:
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
        self._summary = canonical_json(summary)
        self._parts.append(SUMMARY + self._summary + "}")
        piece, self._parts = "".join(self._parts), []
        return piece

    def hashed(self) -> str | None:
        """After close: the text the entry's hash covers in the rows form (None: the whole body)."""
        if self._root is None:
            return None
        return row_tree.hashed_text(self._header, self._root.count, self._root.root(), self._summary)


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

    def header_text(self) -> str:
        """The header as stored (hashed as it is in the rows form: another spelling is another hash)."""
        return self._prefix[len(OPEN):-len(ROWS)]

    def rest(self) -> str:
        """The text read past the header (where the rows begin), for a reader that cuts rows itself
        from the pieces left (entry_sha256)."""
        return self._pending

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


def inline_sha256(kind: str, text: str) -> str:
    """The SHA-256 an entry's hash covers, for a body kept as one text: of the text; or, for a body
    of INLINE_ROWS in the rows form (and stored as its canonical text), of its hashed text."""
    key = row_tree.INLINE_ROWS.get(kind)
    if key is not None and _FORM_MARK in text:
        try:
            body = json.loads(text)
        except ValueError:
            body = None
        if (body.__class__ is dict and body.get(row_tree.FORM_KEY) == row_tree.FORM
                and body.get(key).__class__ is list and canonical_json(body) == text):
            return sha256(row_tree.inline_hashed(body, key).encode()).hexdigest()
    return sha256(text.encode()).hexdigest()


_FORM_MARK = f'"{row_tree.FORM_KEY}":{row_tree.FORM}'
_SUMMARY_BYTES = SUMMARY.encode()
# The bytes of rows whose leaves are hashed at a time.
_WINDOW = 1 << 16


def entry_sha256(pieces: Callable[[], Iterable[str]], where: str) -> tuple[str, str | None]:
    """The SHA-256 an entry's hash covers, for a rows body whose pieces `pieces()` gives, and what is
    wrong with the body, if anything: of its whole text; or, in the rows form, of its hashed text with
    the root recomputed from its stored rows (cut without parsing; parsed only when a cut may fall
    inside a string)."""
    whole, hashing_whole = sha256(), [True]  # the whole text's hash, needed until the form is known

    def hashing() -> Iterator[str]:
        for piece in pieces():
            if hashing_whole:
                whole.update(piece.encode())
            yield piece

    source = hashing()
    try:
        reader: RowsBody | None = RowsBody(source, where)
    except LedgerError:
        reader = None  # not a rows body: its hash, over the whole text, says it was changed
    if reader is None or reader.header.get(row_tree.FORM_KEY) != row_tree.FORM:
        for _ in source:
            pass
        return whole.hexdigest(), None
    hashing_whole.clear()
    header = reader.header_text()
    root, buffer = row_tree.RowsRoot(), reader.rest().encode()  # bytes: each piece encoded once
    for piece in source:
        buffer += piece.encode()
        at = 0
        while len(buffer) - at > _WINDOW:  # a window at a time: memory once touched is used again
            cut = buffer.rfind(b"],[", at, at + _WINDOW)
            if cut < 0:  # a row longer than the window
                cut = buffer.find(b"],[", at + _WINDOW)
                if cut < 0:
                    break
            leaves = _leaves(buffer[at:cut + 1])
            if leaves is None:
                return _parsed_sha256(pieces, where)
            root.add_leaves(leaves)
            at = cut + 2
        buffer = buffer[at:]
    end = buffer.rfind(_SUMMARY_BYTES)
    leaves = _leaves(buffer[:end]) if end > 0 else []  # SUMMARY's `]` closes the rows' array
    summary = buffer[end + len(_SUMMARY_BYTES):-1].decode() if end >= 0 and buffer.endswith(b"}") else ""
    if leaves is None:
        return _parsed_sha256(pieces, where)
    root.add_leaves(leaves)
    try:
        found = json.loads(summary)
    except ValueError:
        found = None
    if not isinstance(found, dict) or canonical_json(found) != summary:
        return "", f"{where}: the body does not end with its summary ({SUMMARY}{{...}}}})"
    return sha256(row_tree.hashed_text(header, root.count, root.root(), summary).encode()).hexdigest(), None


def _parsed_sha256(pieces: Callable[[], Iterable[str]], where: str) -> tuple[str, str | None]:
    """entry_sha256 of a rows-form body whose rows are parsed (a string holds `],[`): each row
    encoded again, the body refused unless its text is the canonical text of its parts."""
    whole = sha256()

    def hashing() -> Iterator[str]:
        for piece in pieces():
            whole.update(piece.encode())
            yield piece

    reader = RowsBody(hashing(), where)
    header = reader.header_text()
    root, rebuilt = row_tree.RowsRoot(), sha256((OPEN + header + ROWS).encode())
    try:
        for _, rows in reader.segments():
            texts = row_texts(rows)
            if texts:
                rebuilt.update(("," if root.count else "").encode() + ",".join(texts).encode())
            root.add(texts)
    except (LedgerError, ValueError) as exc:
        return "", f"its rows cannot be read ({exc})"
    summary = canonical_json(reader.summary)
    rebuilt.update((SUMMARY + summary + "}").encode())
    hashed = sha256(row_tree.hashed_text(header, root.count, root.root(), summary).encode()).hexdigest()
    if rebuilt.digest() != whole.digest():
        return hashed, "its rows are not stored as the canonical text of their values (spacing, escapes or order changed)"
    return hashed, None
