"""A second look at a candidate alignment: do the query's peaks land on the track's peaks,
more often than they would by chance?

Hash votes alone confuse two pieces in the same key and tempo (measured: out-of-catalogue
10 s queries of game music reach 18 aligned votes). Peaks mapped through the candidate's
speed and offset land within a frame and a bin of a track peak for most of a true copy and
for few of a different piece. How few depends on the music: the same notes held for bars on
end land anywhere near the right time. So the share at the alignment is compared with the
share at the same alignment shifted by a few seconds, which only chance and the music's own
repetitions explain, and the verdict is how many standard deviations it lies above that.
On the benchmark's development queries, a bar on the share that kept out-of-catalogue music
out let 82% of 10 s queries at 5 dB SNR through; a bar on the significance, 98% (with the
matcher's allowance for the peaks that made the votes, ``matching``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import bdtrc, ndtri

from consentry.audio.decode import ANALYSIS_RATE
from consentry.audio.peaks import N_FFT, Peaks

_CELL_HZ = ANALYSIS_RATE / N_FFT / 4  # a quarter of an FFT bin
_CELLS = int(4_000 / _CELL_HZ) + 8  # quarter bins up to above the highest peak
_HZ_TOLERANCE = 0.5 * ANALYSIS_RATE / N_FFT  # peaks are refined between bins: half a bin
_SPEED_TOLERANCE = 0.003  # what the fitted speed may still be off
# frames (0.7-3.1 s) by which the alignment is moved to see what chance gives; not multiples
# of one another, so that one beat or bar length does not repeat in all of them
CHANCE_SHIFTS = (-97, -61, -37, -23, 23, 37, 61, 97)
_SMALLEST_TAIL = 1e-300  # about 37 standard deviations: beyond it all copies look alike
_MIN_CHANCE = 0.03  # a floor: sparse tracks must not make any landing look significant


@dataclass(frozen=True)
class Alignment:
    """Track time = ``offset`` + ``speed`` x query time (frames); frequencies divide by it."""

    speed: float
    offset: float


@dataclass(frozen=True)
class Agreement:
    """How many query peaks landed, of how many, and the share expected by chance."""

    landed: int
    total: int
    chance: float | None  # None: not worked out, the share being too small to matter

    @property
    def share(self) -> float:
        return self.landed / max(self.total, 1)

    @property
    def significance(self) -> float:
        """How unlikely so many landings are by chance, as standard deviations of a normal
        distribution: the exact binomial tail, not the normal approximation, which overrates
        a few landings among few peaks (a 3 s query) when chance is small."""
        if not self.total or self.chance is None:
            return 0.0
        chance = min(max(self.chance, _MIN_CHANCE), 1.0)
        if self.landed <= chance * self.total:
            return (self.share - chance) / math.sqrt(chance * (1 - chance) / self.total + 1e-12)
        tail = float(bdtrc(self.landed - 1, self.total, chance))  # P(at least this many)
        return float(-ndtri(max(tail, _SMALLEST_TAIL)))

    def without(self, landed: int) -> Agreement:
        """The agreement left when ``landed`` of the landed peaks are set aside (both counts)."""
        landed = min(landed, self.landed)
        return Agreement(self.landed - landed, self.total - landed, self.chance)


def peak_agreement(query: Peaks, track: Peaks, alignment: Alignment, first_frame: int,
                   last_frame: int, min_share: float = 0.0) -> Agreement:
    """How the query peaks between two query frames land on the track's peaks.

    A peak lands when a track peak lies within one frame and half an FFT bin of where the
    alignment maps it; the tolerance widens with frequency by what the speed may be off.
    Chance is the median share over ``CHANCE_SHIFTS``, each counting only the peaks it maps
    inside the track; it is not worked out (and the significance is 0) when the share is
    under ``min_share``, which spares most candidates eight of the nine counts.
    """
    inside = (query.frames >= first_frame) & (query.frames <= last_frame)
    mapped = alignment.offset + query.frames[inside] * alignment.speed
    hz = query.hz[inside].astype(np.float64) / alignment.speed
    (landed,), (total,) = _landings(mapped, hz, track, (0,))
    if not total or landed < min_share * total:
        return Agreement(landed, total, None)
    counts, totals = _landings(mapped, hz, track, CHANCE_SHIFTS)
    usable = totals >= total // 2  # shifts that left the track say nothing
    if not usable.any():
        return Agreement(landed, total, 1.0)
    return Agreement(landed, total, float(np.median(counts[usable] / totals[usable])))


def _landings(mapped: np.ndarray, hz: np.ndarray, track: Peaks,
              shifts: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Peaks landed and peaks inside the track, for the alignment moved by each shift.

    The track's peaks near the mapped frames become sorted (frame, quarter bin) keys; a query
    peak lands when the first key at or above the low end of its window, in any of its three
    frames, is not above the high end: one binary search per peak and frame.
    """
    if not len(mapped):
        zeros = np.zeros(len(shifts), dtype=np.int64)
        return zeros, zeros
    frames = np.rint(mapped[None, :] + np.array(shifts, dtype=np.float64)[:, None]).astype(
        np.int64)
    within = (frames >= 0) & (frames < track.frame_count)
    lo = np.searchsorted(track.frames, int(frames.min()) - 1, side="left")
    hi = np.searchsorted(track.frames, int(frames.max()) + 2, side="left")
    keys = track.frames[lo:hi].astype(np.int64) * _CELLS + np.minimum(
        np.rint(track.hz[lo:hi] / _CELL_HZ).astype(np.int64), _CELLS - 1)
    if np.any(keys[1:] < keys[:-1]):  # peaks come sorted by frame and frequency; if not
        keys = np.sort(keys)
    keys = np.append(keys, np.iinfo(np.int64).max)  # what a search past the last key finds
    centre = np.rint(hz / _CELL_HZ).astype(np.int64)
    reach = np.rint((_HZ_TOLERANCE + hz * _SPEED_TOLERANCE) / _CELL_HZ).astype(np.int64)
    low = np.clip(centre - reach, 0, _CELLS - 1)
    high = np.clip(centre + reach, 0, _CELLS - 1)
    landed = np.zeros(frames.shape, dtype=bool)
    for row in (-1, 0, 1):  # a track peak in the frame before, the same frame or the next
        base = (frames + row) * _CELLS
        landed |= keys[np.searchsorted(keys, base + low)] <= base + high
    landed &= within
    return landed.sum(axis=1), within.sum(axis=1)
