"""The journal's Merkle tree as stored: nodes written as entries are appended, proofs read back.

Each append stores the complete subtrees its leaf completes (`tree_node`, level >= 1: amortised one
row per entry, none for an odd seq); leaves are read from the journal's own entry_hash. A root, an
inclusion proof or a consistency proof reads the O(log n) nodes it needs in two queries
(ledger.core.merkle.needed says which). The nodes are derived data: `TreeCheck` compares every one
with the tree recomputed from the entry hashes `verify` streams.
"""

from __future__ import annotations

from typing import Callable, Iterable, Sequence

from sqlalchemy import bindparam, insert, select, tuple_
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ledger.core import merkle
from ledger.core.errors import LedgerError
from ledger.core.models import JournalEntry, TreeNode

# Statements run on appends, built once.
_INSERT = insert(TreeNode.__table__)
_AT = select(TreeNode.seq, TreeNode.level, TreeNode.hash).where(TreeNode.seq.in_(bindparam("seqs", expanding=True)))
_NODES = select(TreeNode.seq, TreeNode.level, TreeNode.hash).where(
    tuple_(TreeNode.seq, TreeNode.level).in_(bindparam("keys", expanding=True)))
_LEAVES = select(JournalEntry.seq, JournalEntry.entry_hash).where(JournalEntry.seq.in_(bindparam("seqs", expanding=True)))
_RANGE = select(TreeNode.seq, TreeNode.level, TreeNode.hash).where(
    TreeNode.seq.between(bindparam("low"), bindparam("high"))).order_by(TreeNode.seq, TreeNode.level)


def node_seq(level: int, index: int) -> int:
    """The seq of the entry that completes subtree (level, index): its last leaf's."""
    return (index + 1) << level


def describe(level: int, seq: int) -> str:
    return f"the Merkle tree node of entries {seq - (1 << level) + 1}-{seq} (level {level})"


def add_leaf(connection: Connection, seq: int, entry_hash: str, prev_hash: str) -> None:
    """Store the subtrees entry `seq` completes; `prev_hash` is entry seq-1's hash (its leaf)."""
    levels = merkle.completed_levels(seq)
    if not levels:
        return
    current = merkle.node_hash(merkle.entry_leaf(prev_hash), merkle.entry_leaf(entry_hash))
    if levels == 1:
        connection.execute(_INSERT, {"seq": seq, "level": 1, "hash": current.hex()})
        return
    rows = [{"seq": seq, "level": 1, "hash": current.hex()}]
    lefts = [seq - (1 << (level - 1)) for level in range(2, levels + 1)]
    found = {s: h for s, level, h in connection.execute(_AT, {"seqs": lefts})
             if level == merkle.completed_levels(s)}
    for level, left in enumerate(lefts, start=2):
        if left not in found:
            raise LedgerError(f"{describe(level - 1, left)} is missing, so entry {seq} cannot be added to the tree; "
                              "raceledger verify says what else is wrong")
        current = merkle.node_hash(bytes.fromhex(found[left]), current)
        rows.append({"seq": seq, "level": level, "hash": current.hex()})
    connection.execute(_INSERT, rows)


def stored(session: Session, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """The stored hashes of complete subtrees (level, index): leaves from the journal, the rest from tree_node."""
    wanted = set(keys)
    connection = session.connection()
    found: dict[tuple[int, int], bytes] = {}
    leaves = sorted(index + 1 for level, index in wanted if level == 0)
    if leaves:
        for seq, entry_hash in connection.execute(_LEAVES, {"seqs": leaves}):
            found[(0, seq - 1)] = merkle.entry_leaf(entry_hash)
    nodes = sorted((node_seq(level, index), level) for level, index in wanted if level > 0)
    if nodes:
        for seq, level, hash_ in connection.execute(_NODES, {"keys": nodes}):
            found[(level, (seq >> level) - 1)] = bytes.fromhex(hash_)
    missing = wanted - found.keys()
    if missing:
        level, index = min(missing)
        raise LedgerError(f"{describe(level, node_seq(level, index))} is missing from the ledger: "
                          "raceledger verify says what else is wrong")
    return found


def _built(session: Session, build: Callable[[merkle.Node], object]):
    nodes = stored(session, merkle.needed(build))
    return build(lambda level, index: nodes[(level, index)])


def root(session: Session, size: int) -> bytes:
    """The root of the tree of the first `size` entries (the head's seq for the whole journal)."""
    return _built(session, lambda node: merkle.root(size, node))


def inclusion_proof(session: Session, seq: int, size: int) -> list[bytes]:
    """The RFC 6962 inclusion proof of entry `seq` (leaf seq - 1) in the tree of `size` entries."""
    if not 1 <= seq <= size:
        raise LedgerError(f"entry {seq} is not in a tree of {size} entries")
    return _built(session, lambda node: merkle.inclusion_proof(seq - 1, size, node))


def consistency_proof(session: Session, old: int, new: int) -> list[bytes]:
    """The RFC 6962 consistency proof that the tree of `new` entries extends the tree of `old`."""
    if not 1 <= old <= new:
        raise LedgerError(f"no consistency proof from a tree of {old} entries to one of {new}")
    return _built(session, lambda node: merkle.consistency_proof(old, new, node))


class TreeCheck:
    """`verify`'s check of the stored nodes: the tree is rebuilt from the entry hashes of each batch
    of journal rows verify reads, and compared with the stored nodes of the same seqs (one range read a
    batch). Stops, with a warning, where the journal's numbering breaks (the chain check says how)."""

    def __init__(self, session: Session, add: Callable[[int | None, str], None]) -> None:
        self.session, self._add = session, add
        self.found = 0  # problems found in the stored nodes
        self.frontier = merkle.Frontier()
        self.stopped_at: int | None = None

    def run(self, batch: Sequence[tuple]) -> None:
        """Rows as ledger.journal.chain.entry_tuples gives them: seq first, entry_hash fifth."""
        if self.stopped_at is not None or not batch:
            return
        frontier, computed = self.frontier, []
        add, leaf = frontier.add, merkle.entry_leaf
        for row in batch:
            seq = row[0]
            try:
                if seq != frontier.size + 1:
                    raise ValueError
                made = add(leaf(row[4]))
            except (ValueError, TypeError):
                self.stopped_at = frontier.size
                break
            for level, node in made:
                computed.append((seq, level, node.hex()))
        high = frontier.size
        if high < batch[0][0]:
            return
        found = [tuple(r) for r in self.session.connection().execute(_RANGE, {"low": batch[0][0], "high": high})]
        if found != computed:
            self._differences(computed, found)

    def add(self, seq: int, message: str) -> None:
        self.found += 1
        self._add(seq, message)

    def _differences(self, computed: list[tuple], found: list[tuple]) -> None:
        want = {(seq, level): h for seq, level, h in computed}
        have = {(seq, level): h for seq, level, h in found}
        for seq, level in sorted(want.keys() | have.keys()):
            expected, stored_hash = want.get((seq, level)), have.get((seq, level))
            if expected == stored_hash:
                continue
            if stored_hash is None:
                self.add(seq, f"{describe(level, seq)} is missing (it is derived from the journal; "
                              "a proof through it cannot be given)")
            elif expected is None:
                self.add(seq, f"the tree_node row at level {level} ending at entry {seq} is not a node of the "
                              "journal's Merkle tree")
            else:
                self.add(seq, f"{describe(level, seq)} does not match the journal: stored {stored_hash[:12]}..., "
                              f"computed {expected[:12]}... from the entry hashes (proofs through it would be false)")

    def finish(self, session: Session) -> bytes:
        """The recomputed root; nodes stored past the last entry checked are reported."""
        last = self.frontier.size
        beyond = session.connection().execute(
            select(TreeNode.seq, TreeNode.level).where(TreeNode.seq > last).order_by(TreeNode.seq, TreeNode.level)
            .limit(10)).all()
        if self.stopped_at is None:
            for seq, level in beyond:
                self.add(seq, f"the tree_node row at level {level} ending at entry {seq} is past the end of the journal")
        return self.frontier.root()
