"""The accepted audio formats, told apart by their bytes and by what a client claims.

The bytes decide: a file's name and the content type it was sent with are claims, checked
against the bytes so that a mislabelled file is refused instead of stored under a wrong type.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import BinaryIO

from consentry.errors import InvalidAudio, UnrecognisedAudio


@dataclass(frozen=True)
class AudioFormat:
    name: str
    label: str
    mime: str
    extensions: tuple[str, ...]
    content_types: tuple[str, ...]  # what clients send for it, besides ``mime``


WAV = AudioFormat("wav", "WAV", "audio/wav", (".wav", ".wave"),
                  ("audio/x-wav", "audio/wave", "audio/vnd.wave", "audio/x-pn-wav"))
FLAC = AudioFormat("flac", "FLAC", "audio/flac", (".flac",), ("audio/x-flac",))
OGG = AudioFormat("ogg", "Ogg Vorbis", "audio/ogg", (".ogg", ".oga"),
                  ("application/ogg", "audio/vorbis", "audio/x-vorbis+ogg", "video/ogg"))
MP3 = AudioFormat("mp3", "MP3", "audio/mpeg", (".mp3",),
                  ("audio/mp3", "audio/x-mp3", "audio/mpeg3", "audio/x-mpeg", "audio/mpg"))
FORMATS = (WAV, FLAC, OGG, MP3)
ACCEPTED = ", ".join(f.label for f in FORMATS)
# Content types that say nothing about the bytes (curl sends the first for unknown suffixes).
GENERIC_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream",
                           "application/unknown"})

_SNIFF_BYTES = 4096
_OGG_CODECS = {b"\x01vorbis": None, b"OpusHead": "Ogg Opus", b"\x7fFLAC": "Ogg FLAC",
               b"Speex   ": "Ogg Speex", b"\x80theora": "Ogg Theora (video)"}
# MPEG audio Layer III (ISO 11172-3, 13818-3): kbit/s by bitrate index, Hz by rate index.
MP3_KBPS = {1: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
             2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)}
MP3_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def sniff(file: BinaryIO, size: int) -> AudioFormat:
    """The format the bytes are in, or ``InvalidAudio`` naming what they are instead."""
    file.seek(0)
    head = file.read(_SNIFF_BYTES)
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return WAV
    if head[:4] == b"fLaC":
        return FLAC
    if head[:4] == b"OggS":
        return _ogg(head)
    offset = 0
    if head[:3] == b"ID3" and len(head) >= 10:
        offset = _id3_length(head)
        if offset >= size:
            raise InvalidAudio("the file holds an ID3 tag and no audio after it")
        file.seek(offset)
        head = file.read(_SNIFF_BYTES)
        if head[:4] == b"fLaC":
            return FLAC
    if _mp3_frames_at(head):
        return MP3
    found = _describe(head, offset)
    raise UnrecognisedAudio(f"the file is not in an accepted audio format ({ACCEPTED}): {found}",
                            {"accepted": [f.name for f in FORMATS]}, found)


def audio_offset(head: bytes) -> int:
    """Where the audio starts: past an ID3v2 tag in front of it, if there is one."""
    return _id3_length(head) if head[:3] == b"ID3" and len(head) >= 10 else 0


def claimed_by_name(name: str | None) -> AudioFormat | None:
    """The format a file name's extension claims, if it names an accepted one."""
    suffix = PurePosixPath((name or "").replace("\\", "/")).suffix.lower()
    return next((f for f in FORMATS if suffix in f.extensions), None)


def content_type_matches(content_type: str | None, fmt: AudioFormat) -> bool:
    """True for the format's own types and for types that claim nothing."""
    bare = (content_type or "").split(";")[0].strip().lower()
    return bare in GENERIC_TYPES or bare == fmt.mime or bare in fmt.content_types


def label_of_type(content_type: str) -> str:
    """A content type as a person reads it: ``audio/mpeg (MP3)``."""
    bare = content_type.split(";")[0].strip().lower()
    fmt = next((f for f in FORMATS if bare == f.mime or bare in f.content_types), None)
    return f"{bare} ({fmt.label})" if fmt else bare


def _ogg(head: bytes) -> AudioFormat:
    """An Ogg file is accepted when its first packet opens a Vorbis stream."""
    if len(head) < 27 or len(head) < 27 + head[26]:
        raise InvalidAudio("the file is a truncated Ogg file: its first page is incomplete")
    packet = head[27 + head[26]:]
    for magic, other in _OGG_CODECS.items():
        if packet.startswith(magic):
            if other is None:
                return OGG
            raise UnrecognisedAudio(f"the file is {other}; of Ogg files only Ogg Vorbis is "
                                    f"accepted ({ACCEPTED})",
                                    {"accepted": [f.name for f in FORMATS]}, f"it is {other}")
    raise UnrecognisedAudio(f"the file is an Ogg file with an unknown codec; accepted: "
                            f"{ACCEPTED}", {"accepted": [f.name for f in FORMATS]},
                            "it is an Ogg file with an unknown codec")


def _id3_length(head: bytes) -> int:
    """Bytes taken by an ID3v2 tag: 10 of header, a syncsafe size, 10 more with a footer."""
    size = 0
    for byte in head[6:10]:
        size = (size << 7) | (byte & 0x7F)
    return 10 + size + (10 if head[5] & 0x10 else 0)


@dataclass(frozen=True)
class Mp3Frame:
    """What a Layer III frame header says: the frame's bytes, its bitrate and sample rate."""

    length: int
    kbps: int
    rate: int
    bytes_per_kbit: int  # 144 for MPEG-1, 72 for MPEG-2 and 2.5: length = this * kbps / kHz

    def length_at(self, kbps: int) -> float:
        """The length of a frame of this stream at another bitrate (padding averaged out)."""
        return self.bytes_per_kbit * kbps * 1000 / self.rate

    @property
    def bitrates(self) -> tuple[int, ...]:
        """The bitrates a frame of this stream may have."""
        return MP3_KBPS[1 if self.bytes_per_kbit == 144 else 2][1:]


def mp3_frame(header: bytes) -> Mp3Frame | None:
    """The Layer III frame this header opens, or None if it opens none."""
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return None
    version, layer = (header[1] >> 3) & 3, (header[1] >> 1) & 3
    bitrate_index, rate_index = header[2] >> 4, (header[2] >> 2) & 3
    if version == 1 or layer != 1 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    kbps = MP3_KBPS[1 if version == 3 else 2][bitrate_index]
    rate = MP3_RATES[version][rate_index]
    per_kbit = 144 if version == 3 else 72
    return Mp3Frame(per_kbit * kbps * 1000 // rate + ((header[2] >> 1) & 1), kbps, rate,
                    per_kbit)


def _mp3_frame_length(header: bytes) -> int | None:
    frame = mp3_frame(header)
    return frame.length if frame else None


def _mp3_frames_at(head: bytes) -> bool:
    """A Layer III frame header at the start, followed by another where the first one ends.

    Two in a row make a chance match in random bytes negligible (one header alone is about
    one in five thousand).
    """
    length = _mp3_frame_length(head[:4])
    if length is None:
        return False
    following = head[length:length + 4]
    return len(following) < 4 or _mp3_frame_length(following) is not None


def _describe(head: bytes, offset: int) -> str:
    """What a refused file looks like, so that the message helps the person who sent it."""
    if offset:
        return "an ID3 tag is followed by no MP3 or FLAC audio"
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return "it is AIFF"
    if head[4:8] == b"ftyp":
        return "it is MP4/M4A (AAC or ALAC)"
    if head[:4] in (b"RF64", b"RIFX") or head[:4] == b"riff":
        return "it is a WAV variant (RF64, RIFX or Wave64) that is not accepted"
    if head[:4] == b"RIFF":
        return "it is a RIFF file but not WAVE audio"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0:
        return "it is raw AAC (ADTS)"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        return "it looks like MPEG audio but no two valid Layer III frames follow each other"
    return "its first bytes match none of them"
