"""Real recordings for the tests: a few seconds of tone and noise, written by libsndfile."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import soundfile

# Our format name -> libsndfile's format and subtype
WRITERS = {"wav": ("WAV", "PCM_16"), "flac": ("FLAC", "PCM_16"), "ogg": ("OGG", "VORBIS"),
           "mp3": ("MP3", "MPEG_LAYER_III")}
EXTENSIONS = {"wav": ".wav", "flac": ".flac", "ogg": ".ogg", "mp3": ".mp3"}


def signal(seconds: float = 2.0, rate: int = 22_050, channels: int = 1,
           seed: int = 0) -> np.ndarray:
    """A chord with a little noise, different in each channel, so encoders have real work."""
    t = np.arange(round(seconds * rate)) / rate
    noise = np.random.default_rng(seed).standard_normal((len(t), channels))
    tones = np.stack([np.sin(2 * np.pi * (220 + 110 * c) * t) for c in range(channels)], 1)
    return (0.4 * tones + 0.05 * noise).astype(np.float32)


def audio_bytes(fmt: str = "wav", seconds: float = 2.0, rate: int = 22_050,
                channels: int = 1, seed: int = 0) -> bytes:
    major, subtype = WRITERS[fmt]
    buffer = io.BytesIO()
    soundfile.write(buffer, signal(seconds, rate, channels, seed), rate, format=major,
                    subtype=subtype)
    return buffer.getvalue()


def write_audio(path: Path, fmt: str = "wav", seconds: float = 2.0, rate: int = 22_050,
                channels: int = 1, seed: int = 0) -> Path:
    path.write_bytes(audio_bytes(fmt, seconds, rate, channels, seed))
    return path
