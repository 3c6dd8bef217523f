"""The RFC 6962 Merkle tree over the journal: hashes, proofs and their checks, as pure functions.

A leaf is the 32 bytes of an entry's `entry_hash`; leaf index = seq - 1; tree size = the head's
seq. Proofs are built from the hashes of *complete* subtrees (2**level leaves starting at a
multiple of 2**level), asked for through a `node(level, index)` function, so the same code runs on
stored nodes (ledger.journal.tree, which fetches the ones a proof needs in one read) and on a list
of leaves in memory. Proofs are RFC 6962 section 2.1.1 PATH and 2.1.2 PROOF/SUBPROOF; the checks
are RFC 9162 section 2.1.3.2 and 2.1.4.2.
"""

from __future__ import annotations

from hashlib import sha256
from typing import Callable, Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = sha256(b"").digest()

# The hash of the complete subtree of 2**level leaves whose first leaf is index * 2**level.
Node = Callable[[int, int], bytes]


def leaf_hash(leaf: bytes) -> bytes:
    return sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right).digest()


def entry_leaf(entry_hash: str) -> bytes:
    """The leaf hash of a journal entry: its entry_hash's 32 bytes, hashed as a leaf."""
    return sha256(b"\x00" + bytes.fromhex(entry_hash)).digest()


def split_point(size: int) -> int:
    """RFC 6962's k: the largest power of two smaller than `size` (size > 1)."""
    return 1 << ((size - 1).bit_length() - 1)


def completed_levels(size: int) -> int:
    """How many complete subtrees above the leaves the `size`-th leaf completes (its trailing zero bits)."""
    return (size & -size).bit_length() - 1


def range_hash(start: int, end: int, node: Node) -> bytes:
    """MTH(D[start:end]) for a range a proof asks about: `start` a multiple of the power of two at
    least end - start, so the range is complete subtrees, largest first (O(log n) of them)."""
    if end <= start:
        return EMPTY_ROOT
    parts: list[bytes] = []
    while start < end:
        size = end - start
        level = size.bit_length() - 1  # the largest complete subtree that starts the range
        parts.append(node(level, start >> level))
        start += 1 << level
    result = parts.pop()
    while parts:
        result = node_hash(parts.pop(), result)
    return result


def root(size: int, node: Node) -> bytes:
    """The root of the tree of the first `size` leaves."""
    return range_hash(0, size, node)


def inclusion_proof(index: int, size: int, node: Node) -> list[bytes]:
    """RFC 6962 PATH(index, D[0:size]): the hashes from the leaf's sibling up to the root's child."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = split_point(end - start)
        if index < start + k:
            path.append(range_hash(start + k, end, node))
            end = start + k
        else:
            path.append(range_hash(start, start + k, node))
            start += k
    path.reverse()
    return path


def consistency_proof(old: int, new: int, node: Node) -> list[bytes]:
    """RFC 6962 PROOF(old, D[0:new]) = SUBPROOF(old, D[0:new], true), for 0 < old <= new."""
    if not 0 < old <= new:
        raise ValueError(f"no consistency proof from a tree of {old} leaves to one of {new}")
    proof: list[bytes] = []
    start, end, complete = 0, new, True
    while old != end:
        k = split_point(end - start)
        if old - start <= k:
            proof.append(range_hash(start + k, end, node))
            end = start + k
        else:
            proof.append(range_hash(start, start + k, node))
            start += k
            complete = False
    if not complete:
        proof.append(range_hash(start, end, node))
    proof.reverse()
    return proof


def needed(build: Callable[[Node], object]) -> list[tuple[int, int]]:
    """The (level, index) nodes `build` asks for: which ones depends on sizes and indexes, never on
    hashes, so a store fetches them all in one read before building for real."""
    asked: list[tuple[int, int]] = []

    def record(level: int, index: int) -> bytes:
        asked.append((level, index))
        return EMPTY_ROOT

    build(record)
    return asked


def leaves_node(leaf_hashes: Sequence[bytes]) -> Node:
    """A `node` function over leaf hashes held in memory (tests, small trees)."""
    def node(level: int, index: int) -> bytes:
        return range_root(leaf_hashes[index << level:(index + 1) << level])
    return node


def levels_node(leaf_hashes: Sequence[bytes]) -> Node:
    """A `node` function over every complete subtree of the leaves, hashed once (O(n)), so each
    proof after asks O(log n) lookups: many rows of one entry proven in turn (a site's proofs)."""
    level, levels = list(leaf_hashes), []
    while level:
        levels.append(b"".join(level))  # a level's hashes end to end: 32 bytes each, no object apiece
        level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
    return lambda level, index: levels[level][index * HASH_SIZE:(index + 1) * HASH_SIZE]


def range_root(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH over leaf hashes in memory, bottom up."""
    if not leaf_hashes:
        return EMPTY_ROOT
    level = list(leaf_hashes)
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


class Frontier:
    """The tree built one leaf at a time: the roots of its complete subtrees, largest first.

    `add` returns the subtrees the new leaf completes, as (level, hash) from level 1 up: what the
    journal stores for each entry, what verify and the migration recompute.
    """

    __slots__ = ("size", "_stack")

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[bytes] = []

    def add(self, leaf: bytes) -> list[tuple[int, bytes]]:
        stack, made, current = self._stack, [], leaf
        self.size += 1
        for level in range(1, completed_levels(self.size) + 1):
            current = node_hash(stack.pop(), current)
            made.append((level, current))
        stack.append(current)
        return made

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        result = self._stack[-1]
        for left in reversed(self._stack[:-1]):
            result = node_hash(left, result)
        return result


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Iterable[bytes]) -> bytes | None:
    """RFC 9162 2.1.3.2: the root an inclusion proof leads to, or None when the proof cannot be one
    for this index and size (wrong length, index out of range)."""
    if not 0 <= index < size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if len(p) != HASH_SIZE or sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], expected_root: bytes) -> bool:
    """Whether `proof` shows the leaf hash `leaf` at `index` in the tree of `size` leaves with `expected_root`."""
    return root_from_inclusion(index, size, leaf, proof) == expected_root


def verify_consistency(old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> bool:
    """RFC 9162 2.1.4.2: whether `proof` shows the tree of `new` leaves with `new_root` extends the
    tree of `old` leaves with `old_root`."""
    if not 0 < old <= new or any(len(p) != HASH_SIZE for p in proof):
        return False
    if old == new:
        return not proof and old_root == new_root
    if not proof:
        return False
    path = list(proof)
    if old & (old - 1) == 0:  # a power of two: the old root is the first node of the path
        path.insert(0, old_root)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0
