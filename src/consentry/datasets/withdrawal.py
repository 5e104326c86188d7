"""Withdrawal propagation: which (snapshot, track) pairs a consent change takes out.

Pure and vectorized: the store gathers the pairs a change could reach and the decisions for
their tracks after it; this says which pairs are no longer allowed, grouped by snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class WithdrawnFromSnapshot:
    snapshot_id: int
    track_ids: Ints  # sorted, unique


def withdrawn_pairs(pair_snapshot: Ints, pair_track: Ints, decided_track: Ints,
                    allowed: Bools) -> list[WithdrawnFromSnapshot]:
    """The pairs whose track is not allowed any more, one group per snapshot (ascending).

    The pairs must be unique (as a snapshot's rows are); ``decided_track`` must be sorted and
    hold every track of ``pair_track``."""
    if not len(pair_track):
        return []
    position = np.searchsorted(decided_track, pair_track)
    if np.any(position >= len(decided_track)) or np.any(decided_track[position] != pair_track):
        raise ValueError("every paired track needs a decision")
    out = ~allowed[position]
    snapshots, tracks = pair_snapshot[out], pair_track[out]
    order = np.lexsort((tracks, snapshots))
    snapshots, tracks = snapshots[order], tracks[order]
    bounds = np.flatnonzero(np.diff(snapshots)) + 1
    return [WithdrawnFromSnapshot(int(group_snapshots[0]), group_tracks)
            for group_snapshots, group_tracks in zip(np.split(snapshots, bounds),
                                                     np.split(tracks, bounds), strict=True)
            if len(group_snapshots)]
