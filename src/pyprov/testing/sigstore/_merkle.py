"""An append-only RFC 6962 Merkle tree with inclusion proofs (SHA-256)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


def leaf_hash(data: bytes) -> bytes:
    """Return the RFC 6962 hash of a leaf: ``SHA-256(0x00 || data)``."""
    return hashlib.sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return the RFC 6962 hash of an interior node: ``SHA-256(0x01 || left || right)``."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def _split(size: int) -> int:
    """Return the largest power of two strictly smaller than ``size`` (``size >= 2``)."""
    return 1 << ((size - 1).bit_length() - 1)


def subtree_root(leaves: Sequence[bytes]) -> bytes:
    """Return the Merkle tree hash (RFC 6962, section 2.1) of a list of leaf hashes."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return node_hash(subtree_root(leaves[:k]), subtree_root(leaves[k:]))


def inclusion_path(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """Return the audit path (RFC 6962, section 2.1.1) of leaf ``index``, from the leaf upwards."""
    if not 0 <= index < len(leaves):
        raise IndexError(f"leaf {index} is not in a tree of size {len(leaves)}")
    if len(leaves) == 1:
        return []
    k = _split(len(leaves))
    if index < k:
        return [*inclusion_path(index, leaves[:k]), subtree_root(leaves[k:])]
    return [*inclusion_path(index - k, leaves[k:]), subtree_root(leaves[:k])]


class MerkleTree:
    """An in-memory append-only Merkle tree of leaf hashes.

    Not thread-safe: the caller serialises access.
    """

    def __init__(self) -> None:
        self._leaves: list[bytes] = []

    @property
    def size(self) -> int:
        """Return the number of leaves."""
        return len(self._leaves)

    def append(self, data: bytes) -> int:
        """Append a leaf holding ``data`` and return its index."""
        self._leaves.append(leaf_hash(data))
        return len(self._leaves) - 1

    def root(self, size: int | None = None) -> bytes:
        """Return the root hash of the first ``size`` leaves (default: all)."""
        return subtree_root(self._leaves[: self.size if size is None else size])

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """Return the audit path of leaf ``index`` in the tree of the first ``size`` leaves."""
        return inclusion_path(index, self._leaves[: self.size if size is None else size])
