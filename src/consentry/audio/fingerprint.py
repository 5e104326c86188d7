"""A recording's fingerprint: its peaks and the landmark hashes made from them.

The one entry point from audio to what the index stores and what the matcher searches with,
so that catalogue tracks and queries are always analysed the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from consentry.audio.decode import ANALYSIS_RATE, DEFAULT_MAX_SECONDS, decode_audio, resample
from consentry.audio.landmarks import Landmarks, landmarks
from consentry.audio.peaks import Peaks, find_peaks


@dataclass(frozen=True)
class Fingerprint:
    peaks: Peaks
    landmarks: Landmarks

    @property
    def seconds(self) -> float:
        return self.peaks.seconds


def fingerprint_samples(samples: np.ndarray, rate: int = ANALYSIS_RATE) -> Fingerprint:
    """Fingerprint mono ``samples`` at ``rate`` (resampled to the analysis rate if needed)."""
    peaks = find_peaks(resample(np.asarray(samples, dtype=np.float32), rate, ANALYSIS_RATE))
    return Fingerprint(peaks, landmarks(peaks))


def fingerprint_file(path: Path, max_seconds: float = DEFAULT_MAX_SECONDS) -> Fingerprint:
    """Decode and fingerprint an audio file; ``InvalidAudio`` if it is not sound audio."""
    return fingerprint_samples(decode_audio(path, max_seconds).samples)
