"""The RFC 6962 Merkle tree (ledger.core.merkle): known answers, and every proof against the RFC's own
recursive definitions, for random sizes and indexes; any changed byte makes a proof fail."""

from __future__ import annotations

from hashlib import sha256

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.core import merkle

# The eight leaves of the reference tree and the roots of its first 1..8 leaves (kSHA256Roots), from
# certificate-transparency's cpp/merkletree/merkle_tree_test.cc (Debian's
# golang-github-google-certificate-transparency-dev, /usr/share/gocode/src/github.com/google/
# certificate-transparency/cpp/merkletree/merkle_tree_test.cc); transparency-dev/merkle's test data
# holds the same values.
INPUTS = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                     "606162636465666768696a6b6c6d6e6f")]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# The same file's kSHA256EmptyTreeHash, kSHA256Paths (leaf numbered from 1, tree size, path) and
# kSHA256Proofs (old size, new size, proof).
EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
PATHS = [
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (3, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (2, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (1, 1, []),
]
PROOFS = [
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]

LEAVES = [merkle.leaf_hash(leaf) for leaf in INPUTS]


# --- RFC 6962 section 2.1, word for word: the reference the stored-node code is held to ---------


def mth(leaves: list[bytes]) -> bytes:
    """MTH(D[n]) over leaf hashes."""
    if not leaves:
        return sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = merkle.split_point(len(leaves))
    return merkle.node_hash(mth(leaves[:k]), mth(leaves[k:]))


def path(m: int, leaves: list[bytes]) -> list[bytes]:
    """PATH(m, D[n])."""
    if len(leaves) == 1:
        return []
    k = merkle.split_point(len(leaves))
    if m < k:
        return path(m, leaves[:k]) + [mth(leaves[k:])]
    return path(m - k, leaves[k:]) + [mth(leaves[:k])]


def subproof(m: int, leaves: list[bytes], b: bool) -> list[bytes]:
    """SUBPROOF(m, D[n], b)."""
    n = len(leaves)
    if m == n:
        return [] if b else [mth(leaves)]
    k = merkle.split_point(n)
    if m <= k:
        return subproof(m, leaves[:k], b) + [mth(leaves[k:])]
    return subproof(m - k, leaves[k:], False) + [mth(leaves[:k])]


def hexes(hashes: list[bytes]) -> list[str]:
    return [h.hex() for h in hashes]


def flipped(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]


# --- known answers --------------------------------------------------------------------------------


def test_the_empty_tree_hash_is_sha256_of_nothing():
    assert merkle.EMPTY_ROOT.hex() == EMPTY
    assert merkle.root(0, merkle.leaves_node([])).hex() == EMPTY


@pytest.mark.parametrize("size", range(1, 9))
def test_the_roots_of_the_reference_tree(size):
    node = merkle.leaves_node(LEAVES)
    assert merkle.root(size, node).hex() == ROOTS[size - 1]
    assert merkle.range_root(LEAVES[:size]).hex() == ROOTS[size - 1]
    frontier = merkle.Frontier()
    for leaf in LEAVES[:size]:
        frontier.add(leaf)
    assert frontier.root().hex() == ROOTS[size - 1]


@pytest.mark.parametrize("leaf, size, expected", PATHS)
def test_the_inclusion_proofs_of_the_reference_tree(leaf, size, expected):
    node = merkle.leaves_node(LEAVES)
    proof = merkle.inclusion_proof(leaf - 1, size, node)
    assert hexes(proof) == expected
    assert merkle.verify_inclusion(leaf - 1, size, LEAVES[leaf - 1], proof, bytes.fromhex(ROOTS[size - 1]))


@pytest.mark.parametrize("old, new, expected", PROOFS)
def test_the_consistency_proofs_of_the_reference_tree(old, new, expected):
    node = merkle.leaves_node(LEAVES)
    proof = merkle.consistency_proof(old, new, node)
    assert hexes(proof) == expected
    assert merkle.verify_consistency(old, new, bytes.fromhex(ROOTS[old - 1]), bytes.fromhex(ROOTS[new - 1]), proof)


def test_the_frontier_gives_the_complete_subtrees_each_leaf_completes():
    frontier = merkle.Frontier()
    made = [frontier.add(leaf) for leaf in LEAVES]
    assert [[level for level, _ in m] for m in made] == [[], [1], [], [1, 2], [], [1], [], [1, 2, 3]]
    assert made[7][-1][1].hex() == ROOTS[7]
    assert made[3][-1][1].hex() == ROOTS[3]


# --- properties -----------------------------------------------------------------------------------

MANY = [merkle.leaf_hash(n.to_bytes(2, "big")) for n in range(300)]
NODE = merkle.leaves_node(MANY)


@st.composite
def sized_index(draw):
    size = draw(st.integers(1, 300))
    return size, draw(st.integers(0, size - 1))


@st.composite
def two_sizes(draw):
    new = draw(st.integers(1, 300))
    return draw(st.integers(1, new)), new


@settings(max_examples=300, deadline=None)
@given(sized_index())
def test_every_inclusion_proof_is_the_rfc_path_and_verifies(case):
    size, index = case
    proof = merkle.inclusion_proof(index, size, NODE)
    assert proof == path(index, MANY[:size])
    assert merkle.verify_inclusion(index, size, MANY[index], proof, mth(MANY[:size]))


@settings(max_examples=300, deadline=None)
@given(two_sizes())
def test_every_consistency_proof_is_the_rfc_proof_and_verifies(case):
    old, new = case
    proof = merkle.consistency_proof(old, new, NODE)
    assert proof == subproof(old, MANY[:new], True)
    assert merkle.verify_consistency(old, new, mth(MANY[:old]), mth(MANY[:new]), proof)


@settings(max_examples=200, deadline=None)
@given(sized_index(), st.data())
def test_any_changed_byte_of_leaf_path_or_root_fails_an_inclusion_proof(case, data):
    size, index = case
    proof, root, leaf = merkle.inclusion_proof(index, size, NODE), mth(MANY[:size]), MANY[index]
    what = data.draw(st.sampled_from(["leaf", "root", "path"] if proof else ["leaf", "root"]))
    at = data.draw(st.integers(0, 31))
    if what == "leaf":
        leaf = flipped(leaf, at)
    elif what == "root":
        root = flipped(root, at)
    else:
        n = data.draw(st.integers(0, len(proof) - 1))
        proof[n] = flipped(proof[n], at)
    assert not merkle.verify_inclusion(index, size, leaf, proof, root)


@settings(max_examples=200, deadline=None)
@given(two_sizes(), st.data())
def test_any_changed_byte_of_either_root_or_the_proof_fails_a_consistency_proof(case, data):
    old, new = case
    proof, old_root, new_root = merkle.consistency_proof(old, new, NODE), mth(MANY[:old]), mth(MANY[:new])
    what = data.draw(st.sampled_from(["old", "new", "proof"] if proof else ["old", "new"]))
    at = data.draw(st.integers(0, 31))
    if what == "old":
        old_root = flipped(old_root, at)
    elif what == "new":
        new_root = flipped(new_root, at)
    else:
        n = data.draw(st.integers(0, len(proof) - 1))
        proof[n] = flipped(proof[n], at)
    assert not merkle.verify_consistency(old, new, old_root, new_root, proof)


@settings(max_examples=100, deadline=None)
@given(sized_index(), st.integers(0, 299))
def test_a_proof_for_another_index_fails(case, other):
    """(The size is bound by the root: a checkpoint signs both together.)"""
    size, index = case
    proof, root = merkle.inclusion_proof(index, size, NODE), mth(MANY[:size])
    if other != index and other < size:
        assert not merkle.verify_inclusion(other, size, MANY[index], proof, root)


def test_malformed_proofs_fail_without_an_exception():
    root = mth(MANY[:8])
    proof = merkle.inclusion_proof(3, 8, NODE)
    assert not merkle.verify_inclusion(3, 8, MANY[3], proof + [MANY[0]], root)
    assert not merkle.verify_inclusion(3, 8, MANY[3], proof[:-1], root)
    assert not merkle.verify_inclusion(3, 8, MANY[3], [p[:31] for p in proof], root)
    assert not merkle.verify_inclusion(8, 8, MANY[3], proof, root)
    assert not merkle.verify_consistency(0, 8, merkle.EMPTY_ROOT, root, [])
    assert not merkle.verify_consistency(9, 8, root, root, [])
    assert not merkle.verify_consistency(4, 8, mth(MANY[:4]), root, [])
    assert not merkle.verify_consistency(8, 8, root, root, [root])
    assert merkle.verify_consistency(8, 8, root, root, [])


def test_each_proof_asks_for_few_stored_nodes():
    """O(log n): a proof in a tree of a million leaves asks for at most a few dozen complete subtrees."""
    for size, index in ((1_000_000, 0), (1_000_000, 999_999), (1_000_001, 524_288), (999_999, 777_777)):
        asked = merkle.needed(lambda node: merkle.inclusion_proof(index, size, node))
        assert len(asked) <= 2 * size.bit_length()
        asked = merkle.needed(lambda node: merkle.consistency_proof(index + 1, size, node))
        assert len(asked) <= 2 * size.bit_length()
