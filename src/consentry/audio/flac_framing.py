"""FLAC's framing, as RFC 9639 lays it out: metadata blocks that end where the first frame
begins, a STREAMINFO that says how many samples the frames hold, and frames that hold no more.

libsndfile trusts STREAMINFO's count: a file that declares 100 samples and carries three
seconds of frames is read, and stored, as 2 ms of audio.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from consentry.audio.formats import audio_offset
from consentry.errors import InvalidAudio

_MAX_BLOCKS = 1024  # real files have a handful (STREAMINFO, SEEKTABLE, comments, pictures)
_STREAMINFO_BYTES = 34
_UNKNOWN_FRAME_TAIL = 1 << 20  # read when STREAMINFO does not give the largest frame's size
_MAX_TAIL = 4 << 20
_BITS = {1: 8, 2: 12, 4: 16, 5: 20, 6: 24, 7: 32}  # sample size codes in a frame header


@dataclass(frozen=True)
class StreamInfo:
    max_block: int
    max_frame: int
    channels: int
    bits: int
    samples: int


def check_flac_framing(file: BinaryIO, size: int) -> None:
    """Refuse a FLAC file whose blocks overrun its frames, whose STREAMINFO declares no
    length, or whose frames go on past the samples it declares."""
    file.seek(0)
    start = audio_offset(file.read(10)) + 4  # after "fLaC", behind an ID3v2 tag if any
    info, frames_at = _metadata(file, start, size)
    file.seek(frames_at)
    if not _is_sync(file.read(2)):
        raise InvalidAudio("the FLAC file's metadata blocks do not end where its first audio "
                           "frame begins")
    if info.samples == 0:
        raise InvalidAudio("the FLAC file does not declare how many samples it holds (its "
                           "STREAMINFO says 0)")
    last = _last_frame_start(file, size, frames_at, info)
    if last is not None and last >= info.samples:
        raise InvalidAudio(f"the FLAC file holds more audio than its header declares: a frame "
                           f"starts at sample {last:,} of the {info.samples:,} it declares")


def _metadata(file: BinaryIO, offset: int, size: int) -> tuple[StreamInfo, int]:
    """STREAMINFO, and where the frames begin."""
    info = None
    for _ in range(_MAX_BLOCKS):
        file.seek(offset)
        header = file.read(4)
        if len(header) < 4:
            raise InvalidAudio("the FLAC file ends inside its metadata")
        last, kind, length = header[0] & 0x80, header[0] & 0x7F, int.from_bytes(header[1:4])
        if offset + 4 + length > size:
            raise InvalidAudio(f"the FLAC file's metadata block {kind} is cut short: it "
                               f"declares {length:,} bytes but only {size - offset - 4:,} "
                               f"follow")
        if info is None:
            if kind != 0 or length != _STREAMINFO_BYTES:
                raise InvalidAudio(f"the FLAC file does not open with a STREAMINFO block of "
                                   f"{_STREAMINFO_BYTES} bytes (it opens with a block of type "
                                   f"{kind} and {length:,} bytes)")
            info = _streaminfo(file.read(_STREAMINFO_BYTES))
        offset += 4 + length
        if last:
            return info, offset
    raise InvalidAudio(f"the FLAC file has more than {_MAX_BLOCKS} metadata blocks")


def _streaminfo(data: bytes) -> StreamInfo:
    fields = int.from_bytes(data[10:18])  # rate 20 bits, channels 3, bits 5, samples 36
    return StreamInfo(max_block=int.from_bytes(data[2:4]), max_frame=int.from_bytes(data[7:10]),
                      channels=((fields >> 41) & 7) + 1, bits=((fields >> 36) & 31) + 1,
                      samples=fields & ((1 << 36) - 1))


def _is_sync(data: bytes) -> bool:
    return len(data) == 2 and data[0] == 0xFF and data[1] & 0xFE == 0xF8


def _last_frame_start(file: BinaryIO, size: int, frames_at: int,
                      info: StreamInfo) -> int | None:
    """The first sample of the last frame, found in the file's tail.

    A frame header is trusted when its CRC-8 holds, it matches STREAMINFO, and the frame
    before it ends where it begins: audio bytes that merely look like a header do all three
    about never.
    """
    span = 2 * info.max_frame + 64 if info.max_frame else _UNKNOWN_FRAME_TAIL
    start = max(frames_at, size - min(span, _MAX_TAIL))
    file.seek(start)
    tail = file.read(size - start)
    found: list[tuple[int, int]] = []  # (first sample, block size) of each header, in order
    position = tail.find(b"\xff")
    while 0 <= position < len(tail) - 1:
        header = _frame_header(tail, position, info)
        if header is not None:
            found.append(header)
        position = tail.find(b"\xff", position + 1)
    ends: set[int] = set()
    last = None
    for first, block in found:
        if first in ends:
            last = first
        ends.add(first + block)
    return last


def _frame_header(data: bytes, at: int, info: StreamInfo) -> tuple[int, int] | None:
    """(first sample, block size) of a valid frame header at ``at``, else None."""
    if not _is_sync(data[at:at + 2]) or at + 5 > len(data):
        return None
    block_code, rate_code = data[at + 2] >> 4, data[at + 2] & 15
    channel_code, size_code = data[at + 3] >> 4, (data[at + 3] >> 1) & 7
    if block_code == 0 or rate_code == 15 or data[at + 3] & 1 or channel_code > 10:
        return None
    channels = channel_code + 1 if channel_code < 8 else 2
    if channels != info.channels or (size_code and _BITS.get(size_code) != info.bits):
        return None
    coded = _coded_number(data, at + 4)
    if coded is None:
        return None
    number, block_at = coded
    block_bytes = {6: 1, 7: 2}.get(block_code, 0)
    crc_at = block_at + block_bytes + {12: 1, 13: 2, 14: 2}.get(rate_code, 0)
    if crc_at >= len(data) or _crc8(data[at:crc_at]) != data[crc_at]:
        return None
    block = _block_size(block_code, data[block_at:block_at + block_bytes])
    variable = data[at + 1] & 1  # sample numbers; fixed-size blocks count frames
    return (number if variable else number * info.max_block), block


def _block_size(code: int, stored: bytes) -> int:
    if code == 1:
        return 192
    if code <= 5:
        return 576 << (code - 2)
    if code <= 7:
        return int.from_bytes(stored) + 1
    return 256 << (code - 8)


def _coded_number(data: bytes, at: int) -> tuple[int, int] | None:
    """The frame or sample number, coded as UTF-8 codes a character (up to 7 bytes), and
    where the header goes on after it."""
    if at >= len(data):
        return None
    first = data[at]
    length = 0
    while length < 8 and first & (0x80 >> length):
        length += 1
    if length == 0:
        return first, at + 1
    if not 2 <= length <= 7 or at + length > len(data):
        return None
    value = first & (0x7F >> length)
    for byte in data[at + 1:at + length]:
        if byte & 0xC0 != 0x80:
            return None
        value = value << 6 | byte & 0x3F
    return value, at + length


def _crc8(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc = _CRC8[crc ^ byte]
    return crc


def _crc8_table() -> list[int]:
    table = []
    for value in range(256):
        crc = value
        for _ in range(8):
            crc = (crc << 1 ^ 0x07 if crc & 0x80 else crc << 1) & 0xFF
        table.append(crc)
    return table


_CRC8 = _crc8_table()  # polynomial x^8 + x^2 + x + 1 (RFC 9639, 9.1.8)
