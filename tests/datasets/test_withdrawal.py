"""Withdrawn pairs, vectorized, agree with the obvious loop on random snapshots."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from consentry.datasets.withdrawal import withdrawn_pairs


@given(st.lists(st.tuples(st.integers(1, 5), st.integers(1, 30)), max_size=60, unique=True),
       st.lists(st.booleans(), min_size=30, max_size=30))
def test_withdrawn_pairs_match_a_loop(pairs: list[tuple[int, int]], allowed: list[bool]) -> None:
    decided = np.arange(1, 31, dtype=np.int64)
    snapshots = np.array([s for s, _ in pairs], np.int64)
    tracks = np.array([t for _, t in pairs], np.int64)
    found = withdrawn_pairs(snapshots, tracks, decided, np.array(allowed))
    expected: dict[int, list[int]] = {}
    for s, t in sorted(pairs):
        if not allowed[t - 1]:
            expected.setdefault(s, []).append(t)
    assert {w.snapshot_id: w.track_ids.tolist() for w in found} == expected
    assert [w.snapshot_id for w in found] == sorted(expected)


def test_a_pair_without_a_decision_is_an_error() -> None:
    with pytest.raises(ValueError, match="needs a decision"):
        withdrawn_pairs(np.array([1]), np.array([7]), np.array([1, 2]), np.array([True, False]))
