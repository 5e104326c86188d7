"""An MP3 file's Xing, Info or VBRI header against the stream it describes.

libsndfile and mutagen take an MP3's length from that header, so one that declares a tenth of
the frames makes three seconds of audio read, and stored, as 0.3 s. The header's byte count
must be the stream's, and its frame count one the stream's bytes can hold at the bitrates
its version allows (at its own bitrate, for the constant-bitrate Info header).
"""

from __future__ import annotations

from typing import BinaryIO

from consentry.audio.formats import Mp3Frame, audio_offset, mp3_frame
from consentry.errors import InvalidAudio

_LARGEST_FRAME = 1441 + 4  # 144 * 320 kbit/s / 32 kHz, padded, and the next header
_SLACK = 0.02  # encoders round; mpg123 itself warns only past 1 %
_VBRI_AT = 36  # after the frame header and 32 bytes of MPEG-1 side information


def check_mp3_framing(file: BinaryIO, size: int) -> None:
    """Refuse an MP3 whose length header disagrees with its stream."""
    file.seek(0)
    start = audio_offset(file.read(10))
    file.seek(start)
    head = file.read(_LARGEST_FRAME)
    frame = mp3_frame(head[:4])
    if frame is None:
        return
    declared = _length_header(head[:frame.length])
    if declared is None:
        return
    kind, frames, stream_bytes = declared
    audio = size - start - _trailing_tags(file, size)
    if stream_bytes is not None and abs(stream_bytes - audio) > max(_SLACK * audio,
                                                                    frame.length):
        raise _disagreement(kind, f"{stream_bytes:,} bytes", audio, stream_bytes > audio)
    if frames is not None:
        fewest, most = _frames_held(frame, audio, constant=kind == "Info")
        if not fewest * (1 - _SLACK) - 2 <= frames <= most * (1 + _SLACK) + 2:
            raise _disagreement(kind, f"{frames:,} frames", audio, frames > most)


def _length_header(frame: bytes) -> tuple[str, int | None, int | None] | None:
    """(kind, frames, bytes) from the first frame's Xing, Info or VBRI header."""
    if frame[_VBRI_AT:_VBRI_AT + 4] == b"VBRI":
        fields = frame[_VBRI_AT + 10:_VBRI_AT + 18]
        return "VBRI", int.from_bytes(fields[4:8]), int.from_bytes(fields[:4])
    for kind in ("Xing", "Info"):
        at = frame.find(kind.encode(), 4)
        if at < 0:
            continue
        flags = int.from_bytes(frame[at + 4:at + 8])
        values = frame[at + 8:at + 16]
        frames = int.from_bytes(values[:4]) if flags & 1 else None
        stream_bytes = int.from_bytes(values[4:8] if flags & 1 else values[:4]) \
            if flags & 2 else None
        return kind, frames, stream_bytes
    return None


def _frames_held(frame: Mp3Frame, audio: int, constant: bool) -> tuple[float, float]:
    """The fewest and the most frames ``audio`` bytes hold."""
    if constant:
        return (audio / frame.length_at(frame.kbps),) * 2
    return audio / frame.length_at(max(frame.bitrates)), audio / frame.length_at(
        min(frame.bitrates))


def _trailing_tags(file: BinaryIO, size: int) -> int:
    """Bytes of an ID3v1 tag and an APEv2 tag after the audio, which no header counts."""
    tags = 0
    if size >= 128:
        file.seek(size - 128)
        if file.read(3) == b"TAG":
            tags = 128
    if size - tags >= 32:
        file.seek(size - tags - 32)
        footer = file.read(32)
        if footer[:8] == b"APETAGEX":
            with_header = 32 if int.from_bytes(footer[20:24], "little") & 0x80000000 else 0
            tags += int.from_bytes(footer[12:16], "little") + with_header
    return min(tags, size)


def _disagreement(kind: str, declared: str, audio: int, short: bool) -> InvalidAudio:
    if short:
        return InvalidAudio(f"the MP3 file is truncated or its {kind} header is wrong: it "
                            f"declares {declared} but {audio:,} bytes of audio follow")
    return InvalidAudio(f"the MP3 file holds more audio than its {kind} header declares "
                        f"({declared}; {audio:,} bytes of audio follow)")
