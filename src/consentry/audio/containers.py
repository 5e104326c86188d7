"""Structure checks libsndfile leaves out: it reads a WAV, FLAC or MP3 file whose header lies
about its length as the shorter file the header describes, and a WAV or Ogg file cut short as
a shorter one. Such a file must be refused at upload, not stored to fail when it is served.

Each check reads a bounded number of bytes (chunk and block headers, the last Ogg page or FLAC
frame, the first MPEG frame), whatever the file claims.
"""

from __future__ import annotations

from typing import BinaryIO

from consentry.audio.flac_framing import check_flac_framing
from consentry.audio.formats import FLAC, MP3, OGG, WAV, AudioFormat
from consentry.audio.mpeg_framing import check_mp3_framing
from consentry.errors import InvalidAudio

_MAX_WAV_CHUNKS = 64  # real files have a handful (fmt, fact, LIST, bext, data, id3 ...)
_MAX_OGG_PAGE = 27 + 255 + 255 * 255  # header, full segment table, full body (RFC 3533)
_OGG_END_OF_STREAM = 0x04


def check_framing(fmt: AudioFormat, file: BinaryIO, size: int) -> tuple[int, int] | None:
    """Refuse a file whose container contradicts itself; a WAV's (channels, rate)."""
    if fmt is WAV:
        return wav_layout(file, size)
    if fmt is OGG:
        check_ogg_end(file, size)
    elif fmt is FLAC:
        check_flac_framing(file, size)
    elif fmt is MP3:
        check_mp3_framing(file, size)
    return None


def wav_layout(file: BinaryIO, size: int) -> tuple[int, int]:
    """Channels and sample rate of a WAV file whose chunks tile it exactly.

    Every chunk must fit and be followed by another chunk or by the end of the file, and the
    RIFF size must be the file's: a data chunk that declares more bytes than follow is cut
    short, one that declares fewer leaves audio it does not count (Microsoft RIFF, 1991).
    """
    file.seek(4)
    declared = int.from_bytes(file.read(4), "little") + 8
    offset, layout, block_align, data, length = 12, None, 0, None, 0
    for _ in range(_MAX_WAV_CHUNKS):
        if offset >= size:
            break
        file.seek(offset)
        header = file.read(8)
        chunk, length = header[:4], int.from_bytes(header[4:8], "little")
        available = size - offset - 8
        if len(header) < 8 or not all(0x20 <= byte <= 0x7E for byte in chunk) or (
                data is not None and length > available):
            raise _not_a_chunk(offset, size, data)
        if chunk == b"fmt ":
            fmt = file.read(min(length, 14))  # tag, channels, rate, bytes/s, block align
            if len(fmt) < 14:
                raise InvalidAudio("the WAV file's format chunk is cut short")
            layout = (int.from_bytes(fmt[2:4], "little"), int.from_bytes(fmt[4:8], "little"))
            block_align = int.from_bytes(fmt[12:14], "little")
        elif chunk == b"data":
            if layout is None:
                raise InvalidAudio("the WAV file has audio data before its format chunk")
            if length > available:
                frames = f" ({length // block_align:,} frames)" if block_align else ""
                raise InvalidAudio(
                    f"the WAV file is truncated or its header is wrong: it declares "
                    f"{length:,} bytes of audio{frames} but only {available:,} follow")
            data = (length, available)
        if length > available:
            raise InvalidAudio(f"the WAV file's {chunk.decode()!r} chunk is cut short: it "
                               f"declares {length:,} bytes but only {available:,} follow")
        offset += 8 + length + (length & 1)  # chunks are padded to an even length
    else:
        if offset < size:
            raise InvalidAudio(f"the WAV file has more than {_MAX_WAV_CHUNKS} chunks")
    if layout is None or data is None:
        raise InvalidAudio("the WAV file has no audio data chunk")
    # the last chunk's pad byte is the one slack: some writers leave it out, or do not count it
    if declared != size and not (length & 1 and abs(declared - size) == 1):
        raise InvalidAudio(f"the WAV file's RIFF header declares {declared:,} bytes but the "
                           f"file holds {size:,}")
    return layout


def _not_a_chunk(offset: int, size: int, data: tuple[int, int] | None) -> InvalidAudio:
    if data is not None:
        length, available = data
        return InvalidAudio(
            f"the WAV file's data chunk declares {length:,} bytes of audio but {available:,} "
            f"follow it, and the bytes past its end (at {offset:,} of {size:,}) are not a "
            f"RIFF chunk that fits")
    return InvalidAudio(f"the WAV file has bytes at offset {offset:,} of {size:,} that are "
                        f"not a RIFF chunk")


def check_ogg_end(file: BinaryIO, size: int) -> None:
    """The last Ogg page must be whole and close the stream, as every encoder writes it."""
    start = max(0, size - _MAX_OGG_PAGE)
    file.seek(start)
    tail = file.read(size - start)
    position = tail.rfind(b"OggS")
    while position >= 0:
        if _page_end(tail, position) == len(tail):
            if tail[position + 5] & _OGG_END_OF_STREAM:
                return
            break
        position = tail.rfind(b"OggS", 0, position)
    raise InvalidAudio("the Ogg file is truncated: its last page is cut short or does not "
                       "end the stream")


def _page_end(data: bytes, position: int) -> int | None:
    """Where the Ogg page starting at ``position`` ends, if its header is there to say."""
    segments_at = position + 26
    if segments_at >= len(data):
        return None
    table_end = segments_at + 1 + data[segments_at]
    if table_end > len(data):
        return None
    return table_end + sum(data[segments_at + 1:table_end])
