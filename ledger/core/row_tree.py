"""The rows form of an entry of many rows (issue 26): its entry_hash is computed over a small header
holding the count of its rows and the RFC 6962 root over them, not over the rows themselves, so
one row is proven by that header, the row and the row's path to the root, never the whole body.

The rows are stored, exported and replayed as before (ledger.journal.bodies): only the text the
entry_hash covers changes. An import's body `{"header":H,"rows":[R1,R2,...],"summary":S}` is hashed
as `{"header":H,"rows":{"count":N,"root":"<hex>"},"summary":S}` (canonical JSON), a leaf being a
row's canonical JSON (UTF-8) hashed as an RFC 6962 leaf; the header says so with `"form": 2`. A
finish file's body, one JSON text, says so itself, and is hashed with its `claims` so replaced
(INLINE_ROWS). An entry without the mark (every one written before this form, and a `finish --live`
line, one claim alone) is hashed over its whole body, as it always was.
"""

from __future__ import annotations

from hashlib import sha256
from typing import Any, Sequence

from ledger.core import merkle
from ledger.core.canonical import canonical_json

FORM_KEY = "form"
FORM = 2
# Kinds whose body is one JSON text that may be in the rows form, and the key holding its rows.
INLINE_ROWS = {"finish": "claims"}


def leaf(row_text: str) -> bytes:
    """The leaf hash of a row, given as its canonical JSON."""
    return sha256(b"\x00" + row_text.encode()).digest()


class RowsRoot:
    """The root over rows given one at a time, in O(log n) memory (the complete subtrees so far)."""

    __slots__ = ("count", "_stack")

    def __init__(self) -> None:
        self.count = 0
        self._stack: list[bytes] = []

    def add(self, row_texts: Sequence[str]) -> None:
        self.add_leaves([sha256(b"\x00" + text.encode()).digest() for text in row_texts])

    def add_leaves(self, leaves: Sequence[bytes], keep: int | None = None) -> list[tuple[int, int, bytes]]:
        """Leaf hashes in order, a level at a time (each level paired in one comprehension): the
        subtree waiting on the stack at a level takes the level's first node as its right sibling,
        and an odd last node waits on the stack in its turn.

        With `keep`, the nodes completed at level `keep` or above are returned as (the count of
        leaves up to the node's last, level, hash), ordered so (the journal's tree as verify checks
        it, ledger.journal.tree); the same streaming root serves both trees."""
        stack, nodes, start = self._stack, list(leaves), self.count
        self.count += len(nodes)
        waiting: list[bytes] = []
        kept: list[tuple[int, int, bytes]] = []
        level = 0
        while nodes:
            if start & 1:
                nodes.insert(0, stack.pop())
            if len(nodes) & 1:
                waiting.append(nodes.pop())
            nodes = [sha256(b"\x01" + left + right).digest() for left, right in zip(nodes[::2], nodes[1::2])]
            start >>= 1
            level += 1
            if keep is not None and level >= keep:
                kept.extend([((start + 1 + n) << level, level, node) for n, node in enumerate(nodes)])
        stack.extend(reversed(waiting))
        if kept:
            kept.sort()
        return kept

    def root(self) -> bytes:
        if not self._stack:
            return merkle.EMPTY_ROOT
        result = self._stack[-1]
        for left in reversed(self._stack[:-1]):
            result = merkle.node_hash(left, result)
        return result


def rows_field(count: int, root: bytes) -> dict[str, object]:
    """What stands for the rows in the hashed text."""
    return {"count": count, "root": root.hex()}


def hashed_text(header_json: str, count: int, root: bytes, summary_json: str) -> str:
    """The canonical text an entry of the rows form is hashed over (header and summary given as
    their canonical JSON)."""
    return f'{{"header":{header_json},"rows":{canonical_json(rows_field(count, root))},"summary":{summary_json}}}'


def inline_hashed(body: dict[str, Any], key: str) -> str:
    """The text a body of one JSON text in the rows form is hashed over: its rows (a list under
    `key`, each row's canonical JSON a leaf) replaced by their count and root."""
    root = RowsRoot()
    root.add([canonical_json(row) for row in body[key]])
    return inline_text(body, key, root.count, root.root())


def inline_text(body: dict[str, Any], key: str, count: int, root: bytes) -> str:
    """That text, the count and root of the rows under `key` given."""
    return canonical_json({**body, key: rows_field(count, root)})


def holds(row_text: str, index: int, count: int, row_path: Sequence[bytes], root: bytes) -> bool:
    """Whether `row_path` leads from the row at `index` to `root` over `count` rows."""
    return merkle.verify_inclusion(index, count, leaf(row_text), row_path, root)
