"""What an uploaded file really is: format from its bytes, layout from its header, and proof
that it decodes, in bounded time and memory whatever the header claims.

Decoding the first and the last second catches files cut short or damaged at either end
without decoding hours of audio; damage in the middle is left to the players.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import soundfile
from mutagen import MutagenError
from mutagen.mp3 import MP3 as MutagenMP3

from consentry.audio.containers import check_framing
from consentry.audio.formats import (
    MP3,
    AudioFormat,
    claimed_by_name,
    content_type_matches,
    label_of_type,
    sniff,
)
from consentry.errors import InvalidAudio

MIN_SAMPLE_RATE, MAX_SAMPLE_RATE = 8_000, 384_000
MIN_CHANNELS, MAX_CHANNELS = 1, 8
_DECODE_BLOCK = 16_384  # frames per read: at most 8 channels x 16k x 4 bytes = 512 KiB
_SNDFILE_MP3 = "MP3" in soundfile.available_formats()  # libsndfile >= 1.1 decodes MPEG


@dataclass(frozen=True)
class AudioInfo:
    """The facts about a recording that the platform stores and serves."""

    format: str
    mime: str
    duration_seconds: float
    sample_rate: int
    channels: int
    frames: int


def probe_audio(path: Path, declared_name: str | None, declared_type: str | None,
                max_seconds: float) -> AudioInfo:
    """Check that ``path`` is sound audio in an accepted format and describe it.

    ``declared_name`` and ``declared_type`` are what the client said the file is; a claim the
    bytes contradict is refused rather than corrected, since it means a mix-up upstream.
    """
    size = path.stat().st_size
    if size == 0:
        raise InvalidAudio("the file is empty")
    with path.open("rb") as file:
        fmt = sniff(file, size)
        _check_claims(fmt, declared_name, declared_type)
        layout = check_framing(fmt, file, size)
        if layout is not None:
            check_layout(*layout)
    if fmt is MP3 and not _SNDFILE_MP3:
        return _mp3_from_headers(path, max_seconds)
    try:
        with soundfile.SoundFile(path) as sound:
            frames, rate = int(sound.frames), int(sound.samplerate)
            channels = int(sound.channels)
            if fmt is MP3 and frames <= 0:  # no Xing header and an unknown bitrate
                frames = round(_mp3_seconds(path) * rate)
            info = _described(fmt, frames, rate, channels, max_seconds)
            _decode_ends(sound, frames, rate, fmt)
    except soundfile.LibsndfileError as error:
        raise InvalidAudio(f"the file is a corrupt or truncated {fmt.label} file "
                           f"(libsndfile: {error.error_string})") from error
    return info


def _check_claims(fmt: AudioFormat, name: str | None, content_type: str | None) -> None:
    named = claimed_by_name(name)
    if named is not None and named is not fmt:
        raise InvalidAudio(f"{name!r} is named as {named.label} but its bytes are {fmt.label}",
                           {"format": fmt.name, "declared": named.name})
    if content_type is not None and not content_type_matches(content_type, fmt):
        raise InvalidAudio(f"the file was sent as {label_of_type(content_type)} but its bytes "
                           f"are {fmt.label}", {"format": fmt.name, "declared": content_type})


def check_layout(channels: int, rate: int) -> None:
    """Refuse channel counts and sample rates outside the accepted ranges, before anything
    is read on the strength of what a header claims."""
    if not MIN_CHANNELS <= channels <= MAX_CHANNELS:
        raise InvalidAudio(f"the file declares {channels} channels; accepted: "
                           f"{MIN_CHANNELS} to {MAX_CHANNELS}")
    if not MIN_SAMPLE_RATE <= rate <= MAX_SAMPLE_RATE:
        raise InvalidAudio(f"the file declares a sample rate of {rate:,} Hz; accepted: "
                           f"{MIN_SAMPLE_RATE:,} to {MAX_SAMPLE_RATE:,} Hz")


def _described(fmt: AudioFormat, frames: int, rate: int, channels: int,
               max_seconds: float) -> AudioInfo:
    check_layout(channels, rate)
    if frames <= 0:
        raise InvalidAudio("the file holds no audio: its header declares no frames")
    seconds = frames / rate
    if seconds > max_seconds:
        raise InvalidAudio(f"the recording lasts {_clock(seconds)}, longer than the limit of "
                           f"{_clock(max_seconds)}", {"max_seconds": max_seconds})
    return AudioInfo(fmt.name, fmt.mime, seconds, rate, channels, frames)


def _decode_ends(sound: Any, frames: int, rate: int, fmt: AudioFormat) -> None:
    """Decode about a second at each end into one small buffer; a short read is truncation."""
    span = min(frames, rate)
    buffer = np.empty((min(span, _DECODE_BLOCK), sound.channels), dtype=np.float32)
    for start in sorted({0, frames - span}):
        sound.seek(start)
        remaining = span
        while remaining:
            want = min(remaining, len(buffer))
            got = len(sound.read(want, out=buffer[:want]))
            if got == 0:
                raise InvalidAudio(
                    f"the file is a truncated {fmt.label} file: its audio stops before the "
                    f"{frames / rate:,.1f} s its header declares")
            remaining -= got


def _mp3_seconds(path: Path) -> float:
    """MP3 length from mutagen, which reads Xing/VBRI headers or estimates from the bitrate."""
    return float(_mutagen_mp3(path).length)


def _mp3_from_headers(path: Path, max_seconds: float) -> AudioInfo:
    """Where libsndfile cannot decode MPEG, the frame headers (through mutagen) must do."""
    info = _mutagen_mp3(path)
    rate, channels = int(info.sample_rate), int(info.channels)
    return _described(MP3, round(float(info.length) * rate), rate, channels, max_seconds)


def _mutagen_mp3(path: Path) -> Any:
    try:
        return MutagenMP3(path).info  # type: ignore[no-untyped-call]
    except MutagenError as error:
        raise InvalidAudio(f"the file is a corrupt MP3 file ({error})") from error


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"
