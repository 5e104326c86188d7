"""The log's Merkle tree, hashed and proved as RFC 9162 (Certificate Transparency v2) §2.1 says.

Using the CT tree rather than a home-made one lets any CT or C2SP tlog verifier check our roots
and proofs. Functions take the list of leaf hashes and return bytes; storage is someone else's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Protocol

from consentry.errors import InvalidInput

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """Hash one entry; the 0x00 prefix keeps a leaf from passing for an interior node."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Join two subtree hashes under the 0x01 prefix (§2.1.1)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_size(n: int) -> int:
    """Where §2.1.1 cuts a tree of n >= 2 leaves: the largest power of two smaller than n."""
    return 1 << ((n - 1).bit_length() - 1)


class MerkleTree(Protocol):
    """Anything that answers MTH(D[lo:hi]) for the subtrees the RFC's recursions reach: an
    in-memory list here, stored subtree hashes in the database (``ledger.tiles``)."""

    def mth(self, lo: int, hi: int) -> bytes: ...


class _Subtrees:
    """Every complete, aligned power-of-two subtree hash, built once (n - 1 hashes) so each
    MTH a proof needs is a lookup plus at most log n joins instead of a fresh O(n) walk."""

    def __init__(self, leaf_hashes: Sequence[bytes]) -> None:
        level = list(leaf_hashes)
        if any(len(h) != HASH_SIZE for h in level):
            raise InvalidInput(f"leaf hashes must be {HASH_SIZE} bytes")
        self.levels = [level]
        while len(level) > 1:
            level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
            self.levels.append(level)

    def mth(self, lo: int, hi: int) -> bytes:
        """MTH(D[lo:hi]) for a subtree the §2.1 recursion reaches.

        Those subtrees start at a multiple of the smallest power of two >= their size, so a
        power-of-two one is always complete and aligned, hence in ``levels``.
        """
        size = hi - lo
        if size == 0:
            return EMPTY_ROOT
        if size & (size - 1) == 0:
            height = size.bit_length() - 1
            return self.levels[height][lo >> height]
        k = split_size(size)
        return node_hash(self.mth(lo, lo + k), self.mth(lo + k, hi))


def root_hash(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH of the whole list (§2.1.1); SHA-256 of nothing for an empty log."""
    return _Subtrees(leaf_hashes).mth(0, len(leaf_hashes))


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """PATH(index, D[n]) of §2.1.3.1 for a list of leaf hashes."""
    return inclusion_path(_Subtrees(leaf_hashes), index, len(leaf_hashes))


def inclusion_path(tree: MerkleTree, index: int, size: int) -> list[bytes]:
    """PATH(index, D[size]) of §2.1.3.1: the sibling hashes from the leaf up to the root."""
    if not 0 <= index < size:
        raise InvalidInput(f"leaf index {index} is outside a tree of {size} leaves")
    path: list[bytes] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = split_size(hi - lo)
        if index < lo + k:
            path.append(tree.mth(lo + k, hi))
            hi = lo + k
        else:
            path.append(tree.mth(lo, lo + k))
            lo += k
    path.reverse()
    return path


def consistency_proof(leaf_hashes: Sequence[bytes], old_size: int) -> list[bytes]:
    """PROOF(old_size, D[n]) of §2.1.4.1 for a list of leaf hashes."""
    return consistency_path(_Subtrees(leaf_hashes), old_size, len(leaf_hashes))


def consistency_path(tree: MerkleTree, old_size: int, size: int) -> list[bytes]:
    """PROOF(old_size, D[size]) of §2.1.4.1: why the tree of old_size leaves is a prefix of
    this one. Empty when there is nothing to prove (an empty or unchanged tree)."""
    if not 0 <= old_size <= size:
        raise InvalidInput(f"old size {old_size} is outside 0..{size}")
    if old_size in (0, size):
        return []
    path: list[bytes] = []
    lo, hi, m, whole_old_tree = 0, size, old_size, True
    while hi - lo != m:
        k = split_size(hi - lo)
        if m <= k:
            path.append(tree.mth(lo + k, hi))
            hi = lo + k
        else:
            path.append(tree.mth(lo, lo + k))
            lo, m, whole_old_tree = lo + k, m - k, False
    if not whole_old_tree:
        path.append(tree.mth(lo, hi))
    path.reverse()
    return path


def _all_hashes(*hashes: bytes) -> bool:
    return all(len(h) == HASH_SIZE for h in hashes)


def verify_inclusion(
    leaf: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Whether ``proof`` shows ``leaf`` at ``index`` in the tree of ``tree_size`` with ``root``
    (§2.1.3.2); malformed input is a failed proof, never an exception."""
    if not 0 <= index < tree_size or not _all_hashes(leaf, root, *proof):
        return False
    fn, sn, r = index, tree_size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Whether ``proof`` shows the old tree is a prefix of the new one (§2.1.4.2).

    Equal sizes need equal roots and an empty proof; an empty old tree needs the empty root.
    """
    if not 0 <= old_size <= new_size or not _all_hashes(old_root, new_root, *proof):
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof and old_root == EMPTY_ROOT
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == old_root and sr == new_root
