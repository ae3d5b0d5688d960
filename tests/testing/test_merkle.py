"""The Merkle tree against an independent RFC 9162 inclusion-proof verifier."""

from __future__ import annotations

import hashlib

import pytest

from pyprov.testing.sigstore._merkle import MerkleTree, leaf_hash, node_hash


def _root_from_proof(index: int, size: int, leaf: bytes, proof: list[bytes]) -> bytes:
    """RFC 9162, section 2.1.3.2: recompute the root from a leaf hash and its audit path."""
    fn, sn, result = index, size - 1, leaf
    for sibling in proof:
        assert sn != 0, "proof too long"
        if fn & 1 or fn == sn:
            result = node_hash(sibling, result)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            result = node_hash(result, sibling)
        fn, sn = fn >> 1, sn >> 1
    assert sn == 0, "proof too short"
    return result


def test_known_roots() -> None:
    tree = MerkleTree()
    assert tree.root() == hashlib.sha256(b"").digest()
    tree.append(b"a")
    assert tree.root() == hashlib.sha256(b"\x00a").digest()
    tree.append(b"b")
    tree.append(b"c")
    ab = node_hash(leaf_hash(b"a"), leaf_hash(b"b"))
    assert tree.root() == node_hash(ab, leaf_hash(b"c"))


@pytest.mark.parametrize("size", range(1, 34))
def test_every_inclusion_proof_leads_to_the_root(size: int) -> None:
    tree = MerkleTree()
    for i in range(size):
        assert tree.append(f"leaf {i}".encode()) == i
    for index in range(size):
        proof = tree.inclusion_proof(index)
        assert _root_from_proof(index, size, leaf_hash(f"leaf {index}".encode()), proof) == tree.root()


def test_proof_against_an_older_tree_head() -> None:
    tree = MerkleTree()
    for i in range(10):
        tree.append(bytes([i]))
    proof = tree.inclusion_proof(3, size=6)
    assert _root_from_proof(3, 6, leaf_hash(bytes([3])), proof) == tree.root(6)


def test_index_outside_the_tree() -> None:
    tree = MerkleTree()
    tree.append(b"only")
    with pytest.raises(IndexError, match="leaf 1 is not in a tree of size 1"):
        tree.inclusion_proof(1)
