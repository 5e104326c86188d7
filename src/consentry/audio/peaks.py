"""Spectral peaks: the few time-frequency points of a recording that survive noise and codecs.

A peak is a local maximum of the log spectrogram over a small neighbourhood (3 frames x 9
bins) that stands out from its frame's spectral envelope; each second keeps its loudest ones,
so that any few seconds of a track carry enough of them. Measured on 30 real clips (share of
clean peaks found again within a frame and a bin): ranking by level rather than prominence
and the small neighbourhood raised survival at 5 dB SNR white noise from 0.34 to 0.71 (pink:
0.51 to 0.74; MP3 64 kbps: 0.96 to 0.99); subtracting each bin's median level, which should
whiten noise, lowered it to 0.27.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.fft
from numpy.lib.stride_tricks import sliding_window_view
from scipy.ndimage import maximum_filter, uniform_filter1d

from consentry.audio.decode import ANALYSIS_RATE

N_FFT = 512  # 64 ms at 8 kHz: resolves notes a semitone apart above ~250 Hz
HOP = 256  # 32 ms frames: the unit of every time offset the matcher reports
FRAME_SECONDS = HOP / ANALYSIS_RATE
MIN_HZ, MAX_HZ = 150.0, 3_800.0
PEAKS_PER_SECOND = 24
_NEIGHBOURHOOD = (3, 9)  # frames x bins a peak must dominate: 96 ms x 140 Hz
_ENVELOPE_BINS = 31  # spectral envelope width for prominence (about 480 Hz)
_MIN_PROMINENCE = 1.0  # natural-log power above the envelope, about 4.3 dB
_SILENCE = 1e-9  # power per bin below which there is nothing to hear
_WINDOW = np.hanning(N_FFT + 2)[1:-1].astype(np.float32)


@dataclass(frozen=True)
class Peaks:
    """Peak times (frames of ``FRAME_SECONDS``) and frequencies (Hz), sorted by time."""

    frames: np.ndarray  # int32
    hz: np.ndarray  # float32, refined between bins
    frame_count: int

    @property
    def seconds(self) -> float:
        return self.frame_count * FRAME_SECONDS


def log_spectrogram(samples: np.ndarray) -> np.ndarray:
    """Log power, frames x bins, at the analysis rate (``samples`` must already be there)."""
    samples = np.asarray(samples, dtype=np.float32)
    if len(samples) < N_FFT:
        samples = np.pad(samples, (0, N_FFT - len(samples)))
    frames = sliding_window_view(samples, N_FFT)[::HOP]
    spectrum = scipy.fft.rfft(frames * _WINDOW, axis=1)  # 3x numpy's on float32 frames
    power = spectrum.real ** 2 + spectrum.imag ** 2
    return np.asarray(np.log(power.astype(np.float32) + np.float32(_SILENCE)), dtype=np.float32)


def find_peaks(samples: np.ndarray) -> Peaks:
    """The landmark peaks of mono ``samples`` at ``ANALYSIS_RATE``."""
    spectrogram = log_spectrogram(samples)
    low = int(MIN_HZ * N_FFT / ANALYSIS_RATE)
    high = int(MAX_HZ * N_FFT / ANALYSIS_RATE) + 1
    band = spectrogram[:, low - 1:high + 1]  # one bin of margin for interpolation
    inner = band[:, 1:-1]
    envelope = uniform_filter1d(inner, _ENVELOPE_BINS, axis=1, mode="nearest")
    prominence = inner - envelope
    is_peak = ((maximum_filter(inner, size=_NEIGHBOURHOOD, mode="constant", cval=-np.inf)
                == inner) & (prominence > _MIN_PROMINENCE)
               & (inner > np.float32(np.log(_SILENCE) + 4.0)))
    frames, bins = np.nonzero(is_peak)
    keep = _even_density(frames, inner[frames, bins], len(spectrogram))
    frames, bins = frames[keep], bins[keep]
    left, centre, right = band[frames, bins], band[frames, bins + 1], band[frames, bins + 2]
    curvature = left - 2 * centre + right
    shift = np.where(curvature < 0, 0.5 * (left - right) / np.minimum(curvature, -1e-6), 0.0)
    hz = (bins + low + np.clip(shift, -0.5, 0.5)) * (ANALYSIS_RATE / N_FFT)
    order = np.lexsort((hz, frames))
    return Peaks(frames[order].astype(np.int32), hz[order].astype(np.float32),
                 len(spectrogram))


def _even_density(frames: np.ndarray, strength: np.ndarray, frame_count: int) -> np.ndarray:
    """Indices of the loudest peaks of each second, ``PEAKS_PER_SECOND`` at most.

    A budget per second rather than one global threshold keeps quiet passages searchable;
    the loudest peaks are the ones that added noise leaves on top.
    """
    if not len(frames):
        return np.zeros(0, dtype=np.intp)
    per_block = max(1, round(1.0 / FRAME_SECONDS))
    block = frames // per_block
    order = np.lexsort((-strength, block))
    sorted_block = block[order]
    first = np.searchsorted(sorted_block, sorted_block, side="left")
    rank = np.arange(len(order)) - first
    return np.sort(order[rank < PEAKS_PER_SECOND])
