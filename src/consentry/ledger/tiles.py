"""A Merkle tree whose hashes live in storage: the leaf hashes, plus the hash of every complete
aligned subtree at heights 8, 16, 24, ... (the idea of the C2SP tlog-tiles layout).

Any subtree hash a proof needs is then at most 255 joins away from stored hashes, whatever the
size of the log: a proof at ten million entries reads a few dozen rows instead of the whole
log, and the stored hashes add 1/255 to the leaves' storage.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from consentry.errors import InvalidInput
from consentry.ledger.merkle import EMPTY_ROOT, node_hash, split_size

TILE_HEIGHT = 8


class HashStore(Protocol):
    """Where the tree's hashes are kept (the database, or memory in tests)."""

    def leaf_hashes(self, lo: int, hi: int) -> Sequence[bytes]:
        """The leaf hashes of entries ``lo`` to ``hi - 1``."""
        ...

    def subtree_hashes(self, height: int, lo: int, hi: int) -> Sequence[bytes]:
        """Stored hashes of the complete subtrees ``lo`` to ``hi - 1`` of ``height`` (a
        multiple of ``TILE_HEIGHT``), subtree ``i`` covering leaves ``i << height`` onwards."""
        ...


def _fold(hashes: Sequence[bytes]) -> bytes:
    """The root of a complete subtree given its 2^k hashes at one level."""
    level = list(hashes)
    while len(level) > 1:
        level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def _level(store: HashStore, height: int, lo: int, hi: int) -> Sequence[bytes]:
    hashes = (store.leaf_hashes(lo, hi) if height == 0
              else store.subtree_hashes(height, lo, hi))
    if len(hashes) != hi - lo:
        raise InvalidInput(f"the log store lacks hashes {lo}..{hi - 1} at height {height}")
    return hashes


class StoredTree:
    """MTH over the first ``size`` entries, answered from a ``HashStore``."""

    def __init__(self, store: HashStore, size: int) -> None:
        self.store, self.size = store, size

    def aligned(self, height: int, index: int) -> bytes:
        """The complete subtree of ``2**height`` leaves starting at ``index << height``."""
        if (index + 1) << height > self.size:
            raise InvalidInput(f"subtree {index} of height {height} is not complete yet")
        base = height - height % TILE_HEIGHT
        first = index << (height - base)
        return _fold(_level(self.store, base, first, first + (1 << (height - base))))

    def mth(self, lo: int, hi: int) -> bytes:
        """MTH(D[lo:hi]) for the subtrees the RFC 9162 recursions reach (aligned ones)."""
        size = hi - lo
        if size == 0:
            return EMPTY_ROOT
        if size & (size - 1) == 0:
            height = size.bit_length() - 1
            return self.aligned(height, lo >> height)
        k = split_size(size)
        return node_hash(self.mth(lo, lo + k), self.mth(lo + k, hi))

    def root(self) -> bytes:
        return self.mth(0, self.size)


def subtrees_completed(store: HashStore, old_size: int,
                       new_size: int) -> list[tuple[int, int, bytes]]:
    """The ``(height, index, hash)`` of every stored-height subtree that the growth from
    ``old_size`` to ``new_size`` completes, lowest height first. The new leaf hashes must be
    in the store already; the new subtree hashes are not, and are computed here in order."""
    if not 0 <= old_size <= new_size:
        raise InvalidInput(f"a log cannot shrink from {old_size} to {new_size} entries")
    new: dict[tuple[int, int], bytes] = {}
    height = TILE_HEIGHT
    while (1 << height) <= new_size:
        below = height - TILE_HEIGHT
        # subtrees one tile-height down that were complete, hence stored, before the growth
        known = new_size if below == 0 else old_size >> below
        for index in range(old_size >> height, new_size >> height):
            first, last = index << TILE_HEIGHT, (index + 1) << TILE_HEIGHT
            hashes = list(_level(store, below, first, min(last, known))
                          if first < known else [])
            hashes += [new[(below, i)] for i in range(max(first, known), last)]
            new[(height, index)] = _fold(hashes)
        height += TILE_HEIGHT
    return [(h, i, value) for (h, i), value in new.items()]
