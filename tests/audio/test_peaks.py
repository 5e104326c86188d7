"""Peaks sit on the partials of the music, at a bounded density, and move with it in time."""

from __future__ import annotations

import numpy as np

from consentry.audio.peaks import FRAME_SECONDS, HOP, MAX_HZ, MIN_HZ, PEAKS_PER_SECOND, find_peaks
from tests.audio.music import RATE, piece


def test_a_steady_tone_gives_peaks_at_its_frequency() -> None:
    t = np.arange(3 * RATE) / RATE
    tone = (0.5 * np.sin(2 * np.pi * 1_000.0 * t)).astype(np.float32)
    tone += 0.01 * np.random.default_rng(0).standard_normal(len(t)).astype(np.float32)
    peaks = find_peaks(tone)
    assert len(peaks.frames)
    strongest = np.median(peaks.hz[np.abs(peaks.hz - 1_000) < 50])
    assert abs(strongest - 1_000) < 3  # refined between 15.6 Hz bins


def test_silence_has_no_peaks() -> None:
    assert len(find_peaks(np.zeros(2 * RATE, dtype=np.float32)).frames) == 0


def test_peaks_stay_in_band_and_within_the_density_budget() -> None:
    samples = piece(1, 20.0)
    peaks = find_peaks(samples)
    assert peaks.frame_count == (len(samples) - 512) // HOP + 1
    assert np.all((peaks.hz >= MIN_HZ - 25) & (peaks.hz <= MAX_HZ + 25))  # bin edges
    per_second = np.bincount(peaks.frames // round(1 / FRAME_SECONDS))
    assert per_second.max() <= PEAKS_PER_SECOND
    assert len(peaks.frames) / peaks.seconds > PEAKS_PER_SECOND / 2
    assert np.all(np.diff(peaks.frames) >= 0)


def test_peaks_shift_with_the_audio_by_whole_frames() -> None:
    samples = piece(2, 12.0)
    shifted = find_peaks(samples[5 * HOP:])
    original = find_peaks(samples)
    keep = (original.frames >= 10) & (original.frames < original.frame_count - 40)
    expected = {(int(f) - 5, round(float(h))) for f, h in
                zip(original.frames[keep], original.hz[keep], strict=True)}
    found = {(int(f), round(float(h))) for f, h in zip(shifted.frames, shifted.hz, strict=True)}
    assert len(expected & found) / len(expected) > 0.8  # budgets per second move too
