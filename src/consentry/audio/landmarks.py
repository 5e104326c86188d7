"""Landmark hashes: triplets of nearby peaks, each reduced to a 31-bit key and an anchor time.

A triplet's key is (anchor frequency, each target's frequency relative to the anchor, the
time to the first target, the time from the first to the second), quantised on a warped
frequency scale: about one FFT bin wide at low frequencies, where bins are coarse, and a fixed
share of the frequency above (about 3%), where a playback speed change moves peaks by more
Hz. Queries played faster or slower are matched by scaling their peaks by each speed
hypothesis before hashing (``speed``), not by changing the keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np

from consentry.audio.peaks import Peaks

KNEE_HZ = 500.0  # below it the scale is nearly linear, above it nearly logarithmic
STEPS_PER_OCTAVE = 24  # above the knee: about 2.9% per step
MIN_DT, MAX_DT = 1, 48  # frames from anchor to a target: the target zone
MAX_DF = 31  # steps of the scale between anchor and target, either way
TARGETS = 4  # targets per anchor; every two of them make a triplet
_LOOKAHEAD = 64  # later peaks examined per anchor when choosing its targets
_CHUNK = 16_384  # anchors paired at once, to bound the temporary arrays
_F_BITS, _DF_BITS, _DT_BITS = 7, 6, 6
_PAIRS_OF_TARGETS = np.array(list(combinations(range(TARGETS), 2)), dtype=np.intp)


@dataclass(frozen=True)
class Landmarks:
    """Hash keys with their anchor times (frames, in the reference time scale)."""

    hashes: np.ndarray  # uint32
    frames: np.ndarray  # int32

    def __len__(self) -> int:
        return len(self.hashes)


@dataclass(frozen=True)
class PeakGroups:
    """Anchor and two target indices into a ``Peaks``: chosen once, hashed per speed."""

    anchors: np.ndarray
    first: np.ndarray
    second: np.ndarray


def frequency_scale(hz: np.ndarray) -> np.ndarray:
    """Position on the warped scale, in steps (continuous)."""
    return STEPS_PER_OCTAVE * np.log2(1.0 + np.asarray(hz, dtype=np.float64) / KNEE_HZ)


def group_peaks(peaks: Peaks) -> PeakGroups:
    """Each peak with every two of its ``TARGETS`` nearest peaks in its target zone."""
    count = len(peaks.frames)
    scale = frequency_scale(peaks.hz)
    parts = [_group_chunk(peaks.frames, scale, start, min(start + _CHUNK, count))
             for start in range(0, count, _CHUNK)]
    if not parts:
        empty = np.zeros(0, dtype=np.intp)
        return PeakGroups(empty, empty, empty)
    return PeakGroups(*(np.concatenate([p[k] for p in parts]) for k in range(3)))


def _group_chunk(frames: np.ndarray, scale: np.ndarray, start: int,
                 stop: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    count = len(frames)
    anchors = np.arange(start, stop)[:, None]
    candidates = anchors + np.arange(1, _LOOKAHEAD + 1)[None, :]
    inside = candidates < count
    candidates = np.minimum(candidates, count - 1)
    dt = frames[candidates] - frames[anchors]
    df = scale[candidates] - scale[anchors]
    # margins keep a target that a speed change moves a little still inside the zone
    valid = inside & (dt >= MIN_DT) & (dt <= MAX_DT) & (np.abs(df) <= MAX_DF - 2)
    rank = np.cumsum(valid, axis=1)
    full = rank[:, -1] >= TARGETS
    chosen = valid & (rank <= TARGETS)
    rows, columns = np.nonzero(chosen[full])
    targets = candidates[full][rows, columns].reshape(-1, TARGETS)
    owners = np.arange(start, stop)[full]
    first = targets[:, _PAIRS_OF_TARGETS[:, 0]].ravel()
    second = targets[:, _PAIRS_OF_TARGETS[:, 1]].ravel()
    return np.repeat(owners, len(_PAIRS_OF_TARGETS)), first, second


def hash_groups(peaks: Peaks, groups: PeakGroups, speed: float = 1.0) -> Landmarks:
    """Keys of ``groups`` as they would be if the recording were played at 1/``speed``.

    ``speed`` > 1 means the query is faster than the reference: its frequencies are divided
    and its times multiplied by it to bring them back to the reference's scale.
    """
    steps = np.floor(frequency_scale(peaks.hz.astype(np.float64) / speed))
    frames = peaks.frames.astype(np.float64) * speed
    anchor = steps[groups.anchors]
    f_key = np.clip(anchor, 0, (1 << _F_BITS) - 1).astype(np.uint32)
    first_df = _field(steps[groups.first] - anchor + MAX_DF, _DF_BITS)
    second_df = _field(steps[groups.second] - anchor + MAX_DF, _DF_BITS)
    anchor_frames = np.rint(frames[groups.anchors])
    first_frames = np.rint(frames[groups.first])
    first_dt = _field(first_frames - anchor_frames, _DT_BITS)
    second_dt = _field(np.rint(frames[groups.second]) - first_frames, _DT_BITS)
    hashes = f_key
    for field, bits in ((first_df, _DF_BITS), (second_df, _DF_BITS), (first_dt, _DT_BITS),
                        (second_dt, _DT_BITS)):
        hashes = (hashes << bits) | field
    return Landmarks(hashes, anchor_frames.astype(np.int32))


def _field(values: np.ndarray, bits: int) -> np.ndarray:
    return np.asarray(np.clip(values, 0, (1 << bits) - 1), dtype=np.uint32)


def landmarks(peaks: Peaks) -> Landmarks:
    """The landmark hashes of a reference recording, one per peak triplet."""
    return hash_groups(peaks, group_peaks(peaks))
