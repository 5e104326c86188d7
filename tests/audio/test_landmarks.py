"""Landmark keys are deterministic, fit their bits, and survive a speed change once the query
is scaled by the right speed hypothesis."""

from __future__ import annotations

import numpy as np

from consentry.audio.landmarks import group_peaks, hash_groups, landmarks
from consentry.audio.peaks import HOP, find_peaks
from tests.audio.music import piece, played_at


def test_keys_are_deterministic_and_fit_in_31_bits() -> None:
    peaks = find_peaks(piece(3, 15.0))
    first, second = landmarks(peaks), landmarks(peaks)
    np.testing.assert_array_equal(first.hashes, second.hashes)
    assert first.hashes.dtype == np.uint32 and int(first.hashes.max()) < 1 << 31
    assert len(first) > 50 * peaks.seconds  # about six triplets a peak
    assert np.all(np.diff(first.frames) >= 0)


def test_the_same_music_later_gives_the_same_keys_later() -> None:
    samples = piece(4, 15.0)
    original = landmarks(find_peaks(samples))
    later = landmarks(find_peaks(np.concatenate([np.zeros(7 * HOP, np.float32), samples])))
    pairs = {(int(h), int(f) + 7) for h, f in zip(original.hashes, original.frames, strict=True)}
    shifted = {(int(h), int(f)) for h, f in zip(later.hashes, later.frames, strict=True)}
    assert len(pairs & shifted) / len(pairs) > 0.5  # a key needs all three peaks back


def test_a_faster_copy_shares_keys_only_under_its_own_speed_hypothesis() -> None:
    samples = piece(5, 20.0)
    reference = set(landmarks(find_peaks(samples)).hashes.tolist())
    faster = find_peaks(played_at(samples, 1.04))
    groups = group_peaks(faster)

    def shared(speed: float) -> float:
        keys = hash_groups(faster, groups, speed).hashes.tolist()
        return sum(k in reference for k in keys) / len(keys)

    assert shared(1.04) > 0.15
    assert shared(1.04) > 4 * shared(1.0)
