"""Any upload as mono samples at the analysis rate, in bounded memory and time.

Accepted formats (WAV, FLAC, Ogg Vorbis, MP3) get ``probe_audio``'s format and container
checks, then are read by libsndfile in blocks and resampled block by block, so memory follows
the decoded seconds (capped), never the header's claims. Since every frame is decoded, a file
is truncated when its audio stops well short of what its header declares (a few ms short is
common in real Ogg and MP3 files, and is accepted). MP4/M4A, raw AAC and Ogg Opus, which
the probe does not accept, go through an ``ffmpeg`` subprocess pinned to one demuxer, with a
timeout and an output cap. ``decoded_formats`` is what this reads, here: a file in none of
them is refused naming those, not only the formats uploads accept.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from math import gcd
from pathlib import Path

import numpy as np
import soundfile
from scipy.signal import resample_poly

from consentry.audio.containers import check_framing
from consentry.audio.formats import FORMATS, MP3, OGG, AudioFormat, sniff
from consentry.audio.probe import check_layout
from consentry.errors import InvalidAudio, UnrecognisedAudio

ANALYSIS_RATE = 8_000  # Hz: the landmarks live below 4 kHz, where codecs and noise leave most
DEFAULT_MAX_SECONDS = 2 * 3600.0
FFMPEG_TIMEOUT_SECONDS = 120.0
_BLOCK_SECONDS = 30  # decoded per read; a 48 kHz 8-channel block is 46 MB of float32
_TRUNCATION_SECONDS = 0.5  # decoders end a few ms short of some real files' headers
_SNDFILE_MP3 = "MP3" in soundfile.available_formats()
_HEAD_BYTES = 512  # enough for the first Ogg page, which names the codec
_CONTEXT = 64  # filter half-length in output samples kept around each block's cut
# ffmpeg writes each decoded frame (about 200 samples) to its pipe unless told to gather
# them; reading those writes one by one cost Python more CPU than the Vorbis decoding
_PIPE_SAMPLES = 16_384


@dataclass(frozen=True)
class FfmpegFormat:
    """A format the probe refuses but ffmpeg decodes, read with this one demuxer."""

    name: str
    label: str
    demuxer: str


FFMPEG_FORMATS = (FfmpegFormat("m4a", "MP4/M4A (AAC, ALAC)", "mov"),
                  FfmpegFormat("aac", "AAC (ADTS)", "aac"),
                  FfmpegFormat("opus", "Ogg Opus", "ogg"))


def decoded_formats() -> list[tuple[str, str]]:
    """(name, label) of every format ``decode_audio`` reads on this machine: the ones uploads
    accept, and with ffmpeg installed those it alone decodes (MP3 too, if libsndfile cannot)."""
    ffmpeg = shutil.which("ffmpeg") is not None
    found = [(f.name, f.label) for f in FORMATS if f is not MP3 or _SNDFILE_MP3 or ffmpeg]
    return found + [(f.name, f.label) for f in FFMPEG_FORMATS if ffmpeg]


@dataclass(frozen=True)
class DecodedAudio:
    """Mono float32 samples at ``rate``, and what the source was before downmixing."""

    samples: np.ndarray
    rate: int
    source_format: str
    source_rate: int
    source_channels: int

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate


def decode_audio(path: Path, max_seconds: float = DEFAULT_MAX_SECONDS,
                 rate: int = ANALYSIS_RATE) -> DecodedAudio:
    """Decode ``path`` to mono at ``rate``; refuse files that are not sound audio or too long."""
    size = path.stat().st_size
    if size == 0:
        raise InvalidAudio("the file is empty")
    with path.open("rb") as file:
        head = file.read(_HEAD_BYTES)
        try:
            fmt = sniff(file, size)
        except InvalidAudio as error:
            other = _ffmpeg_format(head)
            if other is None:
                raise _in_decoded_formats(error) from None
            decoded = _decode_with_ffmpeg(path, other.demuxer, other.label, max_seconds, rate)
            return DecodedAudio(decoded, rate, other.name, rate, 1)
        layout = check_framing(fmt, file, size)
        if layout is not None:
            check_layout(*layout)
    if fmt is MP3 and not _SNDFILE_MP3:
        decoded = _decode_with_ffmpeg(path, "mp3", fmt.label, max_seconds, rate)
        return DecodedAudio(decoded, rate, fmt.name, rate, 1)
    # ffmpeg decodes Vorbis 2-3x faster than libsndfile (a 207 s file: 530x against 153x
    # real time, resampling included); libsndfile reads the header, and decodes the few real
    # files whose Ogg headers ffmpeg refuses
    samples: np.ndarray | None = None
    try:
        with soundfile.SoundFile(path) as sound:
            source_rate, channels, declared = sound.samplerate, sound.channels, sound.frames
            check_layout(channels, source_rate)
            if declared > max_seconds * source_rate:
                raise InvalidAudio(f"the file declares {declared / source_rate:,.0f} s of audio, "
                                   f"longer than the limit of {max_seconds:,.0f} s",
                                   {"max_seconds": max_seconds})
            if fmt is OGG:
                samples = _fast_decode(path, fmt, max_seconds, rate)
            if samples is None:
                samples = _read_resampled(sound, source_rate, rate, max_seconds)
    except soundfile.LibsndfileError as error:
        raise InvalidAudio(f"the file is a corrupt {fmt.label} file "
                           f"(libsndfile: {error.error_string})") from error
    if samples is None or not len(samples):
        raise InvalidAudio("the file holds no audio")
    shortfall = declared / source_rate - len(samples) / rate
    if shortfall > max(_TRUNCATION_SECONDS, 0.01 * declared / source_rate):
        raise InvalidAudio(f"the file is a truncated {fmt.label} file: its audio stops at "
                           f"{len(samples) / rate:,.1f} s of the {declared / source_rate:,.1f} s "
                           f"its header declares")
    return DecodedAudio(samples, rate, fmt.name, source_rate, channels)


def _fast_decode(path: Path, fmt: AudioFormat, max_seconds: float,
                 rate: int) -> np.ndarray | None:
    if shutil.which("ffmpeg") is None:
        return None
    try:
        return _decode_with_ffmpeg(path, fmt.name, fmt.label, max_seconds, rate)
    except InvalidAudio:
        return None


def resample(samples: np.ndarray, source_rate: int, rate: int) -> np.ndarray:
    """Polyphase resampling of a whole mono signal (for signals already in memory)."""
    if source_rate == rate:
        return np.asarray(samples, dtype=np.float32)
    common = gcd(source_rate, rate)
    out = resample_poly(np.asarray(samples, dtype=np.float32), rate // common,
                        source_rate // common)
    return np.asarray(out, dtype=np.float32)


def _read_resampled(sound: soundfile.SoundFile, source_rate: int, rate: int,
                    max_seconds: float) -> np.ndarray:
    """Read in blocks and resample each with some context, so cuts leave no seam.

    Blocks start at multiples of the decimation factor, so each block's output samples fall
    exactly on the grid the whole signal's would; the context absorbs the filter's edges.
    """
    common = gcd(source_rate, rate)
    up, down = rate // common, source_rate // common
    block = max(1, _BLOCK_SECONDS * source_rate // down) * down
    context = (-(-_CONTEXT * down // up) // down + 1) * down  # input samples, a multiple of down
    limit = int(max_seconds * source_rate) + 1
    pieces: list[np.ndarray] = []
    before = np.zeros(0, dtype=np.float32)
    current = _read_mono(sound, block)
    consumed = len(current)
    while len(current):
        following = _read_mono(sound, block)
        consumed += len(following)
        if consumed > limit:
            raise InvalidAudio(f"the recording is longer than the limit of {max_seconds:,.0f} s",
                               {"max_seconds": max_seconds})
        window = np.concatenate([before, current, following[:context]])
        out = resample_poly(window, up, down) if up != down else window
        start = len(before) * up // down
        pieces.append(np.asarray(out[start:start + len(current) * up // down], dtype=np.float32))
        before = current[-context:]
        current = following
    return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)


def _read_mono(sound: soundfile.SoundFile, frames: int) -> np.ndarray:
    data: np.ndarray = sound.read(frames, dtype="float32", always_2d=True)
    if data.shape[1] == 1:
        return data[:, 0]
    weights = np.full(data.shape[1], 1.0 / data.shape[1], dtype=np.float32)
    return np.asarray(data @ weights, dtype=np.float32)


def _ffmpeg_format(head: bytes) -> FfmpegFormat | None:
    """Which of the formats the probe refuses the bytes are in, or None."""
    m4a, aac, opus = FFMPEG_FORMATS
    if head[4:8] == b"ftyp":
        return m4a
    if head[:4] == b"OggS" and b"OpusHead" in head[:_HEAD_BYTES]:
        return opus
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0:
        return aac
    return None


def _in_decoded_formats(error: InvalidAudio) -> InvalidAudio:
    """The probe's refusal of an unknown format, naming what decodes rather than what
    uploads accept; its other refusals (a truncated Ogg page, a lone ID3 tag) as they are."""
    if not isinstance(error, UnrecognisedAudio):
        return error
    formats = decoded_formats()
    return UnrecognisedAudio(
        f"the file is not in an audio format this server decodes "
        f"({', '.join(label for _, label in formats)}): {error.found}",
        {"accepted": [name for name, _ in formats]}, error.found)


def _decode_with_ffmpeg(path: Path, demuxer: str, label: str, max_seconds: float,
                        rate: int) -> np.ndarray:
    """Decode through ffmpeg with one demuxer and the file protocol only.

    Pinning the demuxer and protocol keeps ffmpeg from following playlists or probing other
    formats in a crafted upload; ``-t`` and the byte cap bound the output whatever the file
    claims, and the timeout bounds the time.
    """
    binary = shutil.which("ffmpeg")
    if binary is None:
        raise InvalidAudio(f"this server cannot decode {label} audio "
                           "(ffmpeg is not installed)")
    cap_seconds = max_seconds + 1.0
    command = [binary, "-nostdin", "-hide_banner", "-v", "error", "-protocol_whitelist", "file",
               "-f", demuxer, "-i", f"file:{path}", "-map", "0:a:0", "-vn", "-t",
               f"{cap_seconds:.3f}", "-ac", "1", "-af",
               f"aresample={rate}:filter_size=8,asetnsamples=n={_PIPE_SAMPLES}:p=0",
               "-flush_packets", "0", "-f", "f32le", "pipe:1"]
    try:
        done = subprocess.run(command, capture_output=True, timeout=FFMPEG_TIMEOUT_SECONDS,
                              check=False)
    except subprocess.TimeoutExpired as error:
        raise InvalidAudio("the file took too long to decode") from error
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = reason[-1].replace(str(path), "<upload>") if reason else "no detail"
        raise InvalidAudio(f"the file is a corrupt or unsupported {label} file "
                           f"(ffmpeg: {detail})")
    usable = len(done.stdout) // 4 * 4
    samples = np.frombuffer(done.stdout[:usable], dtype="<f4").astype(np.float32)
    if not len(samples):
        raise InvalidAudio(f"the {label} file holds no audio")
    if len(samples) > max_seconds * rate + 1:
        raise InvalidAudio(f"the recording is longer than the limit of {max_seconds:,.0f} s",
                           {"max_seconds": max_seconds})
    return samples
