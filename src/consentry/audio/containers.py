"""Structure checks libsndfile leaves out: it reads a WAV or Ogg file cut short as a shorter one.

Each check reads a bounded number of bytes (chunk headers, the last Ogg page), whatever the
file claims.
"""

from __future__ import annotations

from typing import BinaryIO

from consentry.errors import InvalidAudio

_MAX_WAV_CHUNKS = 64  # real files have a handful (fmt, fact, LIST, bext, data ...)
_MAX_OGG_PAGE = 27 + 255 + 255 * 255  # header, full segment table, full body (RFC 3533)
_OGG_END_OF_STREAM = 0x04


def wav_layout(file: BinaryIO, size: int) -> tuple[int, int]:
    """Channels and sample rate of a WAV file whose data chunk is all there."""
    offset, layout, block_align = 12, None, 0
    for _ in range(_MAX_WAV_CHUNKS):
        file.seek(offset)
        header = file.read(8)
        if len(header) < 8:
            break
        chunk, length = header[:4], int.from_bytes(header[4:], "little")
        if chunk == b"fmt ":
            fmt = file.read(min(length, 14))  # tag, channels, rate, bytes/s, block align
            if len(fmt) < 14:
                raise InvalidAudio("the WAV file's format chunk is cut short")
            layout = (int.from_bytes(fmt[2:4], "little"), int.from_bytes(fmt[4:8], "little"))
            block_align = int.from_bytes(fmt[12:14], "little")
        elif chunk == b"data":
            if layout is None:
                raise InvalidAudio("the WAV file has audio data before its format chunk")
            available = size - offset - 8
            if length > available:
                frames = f" ({length // block_align:,} frames)" if block_align else ""
                raise InvalidAudio(
                    f"the WAV file is truncated or its header is wrong: it declares "
                    f"{length:,} bytes of audio{frames} but only {available:,} follow")
            return layout
        offset += 8 + length + (length & 1)  # chunks are padded to an even length
    raise InvalidAudio("the WAV file has no audio data chunk")


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
