"""The stored-hash tree gives exactly the RFC 9162 answers of the in-memory one."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from consentry.ledger.merkle import (
    consistency_path,
    consistency_proof,
    inclusion_path,
    inclusion_proof,
    leaf_hash,
    root_hash,
)
from consentry.ledger.tiles import TILE_HEIGHT, StoredTree, subtrees_completed


class MemoryStore:
    """The HashStore protocol over dicts, filled the way the database is: batch by batch."""

    def __init__(self) -> None:
        self.leaves: list[bytes] = []
        self.subtrees: dict[tuple[int, int], bytes] = {}
        self.reads = 0

    def leaf_hashes(self, lo: int, hi: int) -> Sequence[bytes]:
        self.reads += 1
        return self.leaves[lo:hi]

    def subtree_hashes(self, height: int, lo: int, hi: int) -> Sequence[bytes]:
        self.reads += 1
        return [self.subtrees[(height, i)] for i in range(lo, hi) if (height, i) in self.subtrees]

    def append(self, leaves: Sequence[bytes]) -> None:
        old = len(self.leaves)
        self.leaves += leaves
        for height, index, value in subtrees_completed(self, old, len(self.leaves)):
            self.subtrees[(height, index)] = value


def _leaves(n: int, offset: int = 0) -> list[bytes]:
    return [leaf_hash(f"entry {i}".encode()) for i in range(offset, offset + n)]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 700), min_size=1, max_size=6), st.data())
def test_stored_tree_matches_the_in_memory_tree(batches: list[int],
                                                data: st.DataObject) -> None:
    store = MemoryStore()
    for batch in batches:
        store.append(_leaves(batch, len(store.leaves)))
    size = len(store.leaves)
    tree = StoredTree(store, size)
    assert tree.root() == root_hash(store.leaves)
    index = data.draw(st.integers(0, size - 1))
    assert inclusion_path(tree, index, size) == inclusion_proof(store.leaves, index)
    old = data.draw(st.integers(0, size))
    assert consistency_path(tree, old, size) == consistency_proof(store.leaves, old)
    # a smaller, older tree is answered from the same store
    assert StoredTree(store, old).root() == root_hash(store.leaves[:old])


def test_height_16_subtrees_are_stored_and_proofs_read_little() -> None:
    store = MemoryStore()
    for _ in range(5):
        store.append(_leaves(30_000, len(store.leaves)))
    size = len(store.leaves)
    assert (2 * TILE_HEIGHT, 1) in store.subtrees
    assert len(store.subtrees) == size // 256 + size // 65536
    store.reads = 0
    tree = StoredTree(store, size)
    proof = inclusion_path(tree, 123_456, size)
    assert proof == inclusion_proof(store.leaves, 123_456)
    assert store.reads < 40
