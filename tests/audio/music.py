"""Music-like test signals: chords, a melody of enveloped notes and drums from noise bursts.

Each seed gives a different piece (tempo, key, chords, melody), deterministically, so that
fingerprint tests have a catalogue of distinct tracks without shipping recordings.
"""

from __future__ import annotations

import numpy as np

RATE = 8_000
_MAJOR = np.array([0, 2, 4, 5, 7, 9, 11])


def piece(seed: int, seconds: float = 30.0, rate: int = RATE) -> np.ndarray:
    """A mono piece at ``rate``, peak level about 0.5."""
    rng = np.random.default_rng(seed)
    total = int(seconds * rate)
    out = np.zeros(total + rate, dtype=np.float64)
    beat = 60.0 / rng.uniform(84, 150)
    root = 48 + int(rng.integers(0, 12))  # MIDI note of the key's tonic
    time = 0.0
    while time < seconds:
        degree = int(rng.integers(0, 7))
        chord = [root + _MAJOR[(degree + k) % 7] + 12 * ((degree + k) // 7) for k in (0, 2, 4)]
        for midi in chord:  # a bar-long chord
            _add(out, _note(midi, 4 * beat, rate, rng, 0.12), time, rate)
        for step in range(8):  # melody in eighth notes, an octave up
            if rng.random() < 0.8:
                midi = root + 12 + _MAJOR[int(rng.integers(0, 7))] + 12 * int(rng.integers(0, 2))
                _add(out, _note(midi, beat * rng.choice([0.5, 1.0]), rate, rng, 0.25),
                     time + step * beat / 2, rate)
        for hit in range(4):  # kick on every beat, snare on two and four
            _add(out, _drum(rate, rng, snare=hit % 2 == 1), time + hit * beat, rate)
        time += 4 * beat
    out = out[:total]
    return (0.5 * out / np.max(np.abs(out))).astype(np.float32)


def _note(midi: float, seconds: float, rate: int, rng: np.random.Generator,
          level: float) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    hz = 440.0 * 2 ** ((midi - 69) / 12)
    tone = sum(np.sin(2 * np.pi * hz * k * t + rng.uniform(0, 6.3)) / k ** 1.5
               for k in range(1, 5) if hz * k < rate / 2)
    attack = np.minimum(1.0, t / 0.01)
    decay = np.exp(-t * rng.uniform(1.5, 4.0))
    return level * np.asarray(tone) * attack * decay


def _drum(rate: int, rng: np.random.Generator, snare: bool) -> np.ndarray:
    t = np.arange(int(0.25 * rate)) / rate
    if snare:
        return 0.3 * rng.standard_normal(len(t)) * np.exp(-t * 25)
    sweep = np.sin(2 * np.pi * (60 + 100 * np.exp(-t * 30)) * t)
    return 0.6 * sweep * np.exp(-t * 12) + 0.05 * rng.standard_normal(len(t)) * np.exp(-t * 60)


def _add(out: np.ndarray, sound: np.ndarray, at: float, rate: int) -> None:
    start = int(at * rate)
    end = min(len(out), start + len(sound))
    if start < end:
        out[start:end] += sound[:end - start]


def with_noise(samples: np.ndarray, snr_db: float, seed: int = 0) -> np.ndarray:
    """``samples`` plus white noise at ``snr_db`` below the signal's power."""
    noise = np.random.default_rng(seed).standard_normal(len(samples))
    gain = np.sqrt(np.mean(samples.astype(np.float64) ** 2) / 10 ** (snr_db / 10))
    return (samples + gain * noise).astype(np.float32)


def played_at(samples: np.ndarray, speed: float) -> np.ndarray:
    """``samples`` played ``speed`` times faster (pitch and tempo), as a turntable would."""
    from scipy.signal import resample_poly

    return resample_poly(samples, 1000, round(1000 * speed)).astype(np.float32)
