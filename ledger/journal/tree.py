"""The journal's Merkle tree as stored: nodes written as entries are appended, proofs read back.

Each append that completes a subtree of 2**LOWEST or more leaves stores it (`tree_node`: one row
every 2**(LOWEST-1) entries on average, none for most appends); a smaller subtree is hashed from its
leaves, the entries' own entry_hash, when a proof needs it (at most 2**LOWEST leaves a level). A
root, an inclusion proof or a consistency proof reads the O(log n) rows it needs in two queries
(ledger.core.merkle.needed says which). The nodes are derived data: `TreeCheck` compares every one
with the tree recomputed from the entry hashes `verify` streams.
"""

from __future__ import annotations

from hashlib import sha256
from operator import itemgetter
from typing import Any, Callable, Iterable, Sequence

from sqlalchemy import bindparam, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ledger.core import merkle
from ledger.core.errors import LedgerError
from ledger.core.models import JournalEntry, TreeNode
from ledger.core.row_tree import RowsRoot

# The smallest subtrees stored: 16 leaves. Lower levels cost more rows (and verify more reads) than
# hashing at most 16 leaves again when a proof passes through them.
LOWEST = 4

# Statements run on appends, built once.
_INSERT = insert(TreeNode.__table__)
_AT = select(TreeNode.seq, TreeNode.level, TreeNode.hash).where(TreeNode.seq.in_(bindparam("seqs", expanding=True)))
_LEAVES = select(JournalEntry.seq, JournalEntry.entry_hash).where(JournalEntry.seq.in_(bindparam("seqs", expanding=True)))
_LAST_LEAVES = select(JournalEntry.entry_hash).where(
    JournalEntry.seq.between(bindparam("low"), bindparam("high"))).order_by(JournalEntry.seq)


# verify's reads of the stored nodes, on the driver's own cursor (as ledger.journal.chain.entry_tuples
# reads the journal): a statement compiled by SQLAlchemy costs verify a tenth of its time in a fresh
# process, and each execution more than the rows it reads. {0} is the driver's placeholder.
_RANGE_SQL = "SELECT seq, level, hash FROM tree_node WHERE seq BETWEEN {0} AND {0} ORDER BY seq, level"
_BEYOND_SQL = "SELECT seq, level FROM tree_node WHERE seq > {0} ORDER BY seq, level LIMIT 10"


def _driver(session: Session) -> tuple[Any, str]:
    """The session's driver connection and its placeholder (taken once: each session.connection()
    costs SQLAlchemy's bookkeeping)."""
    connection = session.connection()
    return connection.connection.driver_connection, "?" if connection.dialect.paramstyle == "qmark" else "%s"


def _driver_rows(driver: tuple[Any, str], sql: str, params: tuple) -> list[tuple]:
    cursor = driver[0].cursor()
    try:
        cursor.execute(sql.format(driver[1]), params)
        return [tuple(row) for row in cursor.fetchall()]
    finally:
        cursor.close()


def _entry_leaves(rows: Sequence[tuple]) -> list[bytes]:
    """The leaf hashes of journal rows (entry_hash fifth, in hex), up to the first row whose hash is
    not hex."""
    try:
        return list(map(_digest, map(sha256, map(b"\x00".__add__, map(bytes.fromhex, map(_ENTRY_HASH, rows))))))
    except (ValueError, TypeError):
        leaves = []
        for row in rows:
            try:
                leaves.append(sha256(b"\x00" + bytes.fromhex(row[4])).digest())
            except (ValueError, TypeError):
                break
        return leaves


_digest = type(sha256()).digest
_ENTRY_HASH = itemgetter(4)


def node_seq(level: int, index: int) -> int:
    """The seq of the entry that completes subtree (level, index): its last leaf's."""
    return (index + 1) << level


def describe(level: int, seq: int) -> str:
    return f"the Merkle tree node of entries {seq - (1 << level) + 1}-{seq} (level {level})"


def add_leaf(connection: Connection, seq: int) -> None:
    """Store the subtrees of LOWEST levels or more that entry `seq` (written already) completes."""
    levels = merkle.completed_levels(seq)
    if levels < LOWEST:
        return
    low = seq - (1 << LOWEST) + 1
    leaves = [merkle.entry_leaf(h) for h in connection.execute(_LAST_LEAVES, {"low": low, "high": seq}).scalars()]
    if len(leaves) != 1 << LOWEST:
        raise LedgerError(f"entries {low}-{seq} are not all in the journal, so entry {seq} cannot be added to the "
                          "Merkle tree; raceledger verify says what else is wrong")
    current = merkle.range_root(leaves)
    rows = [{"seq": seq, "level": LOWEST, "hash": current.hex()}]
    if levels > LOWEST:
        lefts = [seq - (1 << (level - 1)) for level in range(LOWEST + 1, levels + 1)]
        found = {s: h for s, level, h in connection.execute(_AT, {"seqs": lefts})
                 if level == merkle.completed_levels(s)}
        for level, left in enumerate(lefts, start=LOWEST + 1):
            if left not in found:
                raise LedgerError(f"{describe(level - 1, left)} is missing, so entry {seq} cannot be added to the "
                                  "Merkle tree; raceledger verify says what else is wrong")
            current = merkle.node_hash(bytes.fromhex(found[left]), current)
            rows.append({"seq": seq, "level": level, "hash": current.hex()})
    connection.execute(_INSERT, rows)


def stored(session: Session, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """The hashes of complete subtrees (level, index): from tree_node, or below LOWEST from their leaves."""
    wanted = set(keys)
    connection = session.connection()
    found: dict[tuple[int, int], bytes] = {}
    small = [(level, index) for level, index in wanted if level < LOWEST]
    seqs = sorted({seq for level, index in small for seq in range((index << level) + 1, ((index + 1) << level) + 1)})
    if seqs:
        leaves = {seq: merkle.entry_leaf(h) for seq, h in connection.execute(_LEAVES, {"seqs": seqs})}
        for level, index in small:
            span = range((index << level) + 1, ((index + 1) << level) + 1)
            if all(seq in leaves for seq in span):
                found[(level, index)] = merkle.range_root([leaves[seq] for seq in span])
    nodes = {(node_seq(level, index), level) for level, index in wanted if level >= LOWEST}
    if nodes:
        # By seq alone, the primary key's first column, each seq's few levels read and the wanted kept:
        # SQLite answers a (seq, level) row-value IN by scanning the whole table.
        for seq, level, hash_ in connection.execute(_AT, {"seqs": sorted({seq for seq, _ in nodes})}):
            if (seq, level) in nodes:
                found[(level, (seq >> level) - 1)] = _node_bytes(hash_, level, seq)
    missing = wanted - found.keys()
    if missing:
        level, index = min(missing)
        raise LedgerError(f"{describe(level, node_seq(level, index))} is missing from the ledger: "
                          "raceledger verify says what else is wrong")
    return found


def _node_bytes(stored_hash: object, level: int, seq: int) -> bytes:
    """A stored node's 32 bytes; a value that is not 64 hex digits (damage: by hand or on disk) refused."""
    if isinstance(stored_hash, str) and len(stored_hash) == 2 * merkle.HASH_SIZE:
        try:
            return bytes.fromhex(stored_hash)
        except ValueError:
            pass
    raise LedgerError(f"{describe(level, seq)} is damaged (not a hash): raceledger verify says what else is wrong")


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
        self._tree = RowsRoot()  # the tree of the entries checked so far, as its complete subtrees
        self.stopped_at: int | None = None
        self._driver: tuple[Any, str] | None = None

    @property
    def size(self) -> int:
        return self._tree.count

    def run(self, batch: Sequence[tuple]) -> None:
        """Rows as ledger.journal.chain.entry_tuples gives them: seq first, entry_hash fifth.

        The batch's leaves are hashed in one pass of C calls (map) and its tree a level at a time
        (RowsRoot.add_leaves): two SHA-256 an entry, and no Python loop an entry."""
        if self.stopped_at is not None or not batch:
            return
        size = self.size
        good = len(batch)
        if batch[0][0] != size + 1 or batch[-1][0] != size + good:  # seqs rise: the ends tell a gap
            good = next(n for n, row in enumerate(batch) if row[0] != size + 1 + n)
        leaves = _entry_leaves(batch[:good] if good < len(batch) else batch)
        if len(leaves) < len(batch):
            self.stopped_at = size + len(leaves)
        if not leaves:
            return
        computed = [(seq, level, node.hex()) for seq, level, node in self._tree.add_leaves(leaves, keep=LOWEST)]
        if self._driver is None:
            self._driver = _driver(self.session)
        found = _driver_rows(self._driver, _RANGE_SQL, (size + 1, self.size))
        if found != computed:
            self._differences(computed, found)

    def stop(self) -> None:
        """No further nodes are checked (the chain is broken after the entries checked so far)."""
        if self.stopped_at is None:
            self.stopped_at = self.size

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
        last = self.size
        beyond = _driver_rows(_driver(session), _BEYOND_SQL, (last,))
        if self.stopped_at is None:
            for seq, level in beyond:
                self.add(seq, f"the tree_node row at level {level} ending at entry {seq} is past the end of the journal")
        return self._tree.root()
