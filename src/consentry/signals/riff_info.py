"""RIFF ``LIST``/``INFO`` tags in a WAV file, written by hand because mutagen cannot.

mutagen (1.48) reads and writes only an ``id3 `` chunk in WAV files; the INFO list that Windows,
ExifTool, ffmpeg and most DAWs show is left to us. The rules followed (Microsoft RIFF, 1991):
every chunk is padded to an even length, the RIFF size counts everything after its own field,
and a file holds one INFO list, so an existing one is replaced (merged) rather than joined by a
second. Every other chunk, ``data`` included, is copied byte for byte.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from consentry.errors import InvalidAudio

_MAX_CHUNKS = 1024  # real files have a handful; a bound keeps a hostile file cheap
_MAX_INFO_BYTES = 1 << 20  # INFO lists hold a few short strings
_COPY_BLOCK = 1 << 20


@dataclass(frozen=True)
class _Chunk:
    id: bytes
    offset: int  # of the chunk header
    length: int  # of the data, without the pad byte

    @property
    def is_info(self) -> bool:
        return self.id == b"LIST"


def read_info(path: Path) -> dict[str, str]:
    """The INFO fields (``INAM``, ``ICOP``...) of every INFO list, the first one winning."""
    with path.open("rb") as file:
        return _decoded(_existing_info(file, _chunks(file, path.stat().st_size)))


def write_info(source: Path, dest: Path, fields: Mapping[str, str],
               keep_existing: frozenset[str] = frozenset()) -> None:
    """Copy ``source`` to ``dest`` with ``fields`` in its one INFO list.

    Fields named in ``keep_existing`` are written only where the file has none. The list
    replaces the first existing one, or goes just before ``data`` so that players reading a
    stream see it before the audio.
    """
    with source.open("rb") as file, dest.open("wb") as out:
        chunks = _chunks(file, source.stat().st_size)
        info = _existing_info(file, chunks)
        for key, value in fields.items():
            if key not in keep_existing or key not in info:
                info[key] = value.encode("utf-8")
        new_list = _info_list(info)
        lists = [c for c in chunks if c.is_info and _list_type(file, c) == b"INFO"]
        place = lists[0] if lists else next(c for c in chunks if c.id == b"data")
        out.write(b"RIFF\0\0\0\0WAVE")
        for chunk in chunks:
            if chunk is place:
                out.write(new_list)
            if chunk not in lists:
                _copy_chunk(file, out, chunk)
        total = out.tell()
        out.seek(4)
        out.write((total - 8).to_bytes(4, "little"))


def _chunks(file: BinaryIO, size: int) -> list[_Chunk]:
    file.seek(0)
    head = file.read(12)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        raise InvalidAudio("the file is not a RIFF WAVE file")
    chunks: list[_Chunk] = []
    offset = 12
    while offset + 8 <= size:  # fewer than 8 trailing bytes are junk, not a chunk
        if len(chunks) == _MAX_CHUNKS:
            raise InvalidAudio(f"the WAV file has more than {_MAX_CHUNKS} chunks")
        file.seek(offset)
        header = file.read(8)
        length = int.from_bytes(header[4:], "little")
        if offset + 8 + length > size:
            raise InvalidAudio(f"the WAV file's {header[:4]!r} chunk is cut short: it declares "
                               f"{length:,} bytes but only {size - offset - 8:,} follow")
        chunks.append(_Chunk(header[:4], offset, length))
        offset += 8 + length + (length & 1)
    if not any(c.id == b"data" for c in chunks):
        raise InvalidAudio("the WAV file has no audio data chunk")
    return chunks


def _list_type(file: BinaryIO, chunk: _Chunk) -> bytes:
    file.seek(chunk.offset + 8)
    return file.read(4) if chunk.length >= 4 else b""


def _existing_info(file: BinaryIO, chunks: list[_Chunk]) -> dict[str, bytes]:
    fields: dict[str, bytes] = {}
    for chunk in chunks:
        if not (chunk.is_info and _list_type(file, chunk) == b"INFO"):
            continue
        if chunk.length > _MAX_INFO_BYTES:
            raise InvalidAudio(f"the WAV file's INFO list is {chunk.length:,} bytes long, more "
                               f"than any real tag list")
        body = file.read(chunk.length - 4)
        position = 0
        while position + 8 <= len(body):
            key, length = body[position:position + 4], int.from_bytes(
                body[position + 4:position + 8], "little")
            value = body[position + 8:position + 8 + length]
            fields.setdefault(key.decode("latin-1"), value)
            position += 8 + length + (length & 1)
    return fields


def _info_list(fields: Mapping[str, bytes]) -> bytes:
    body = b"INFO"
    for key, value in fields.items():
        text = value.rstrip(b"\0") + b"\0"  # ZSTR: the size counts the terminating NUL
        body += key.encode("latin-1")[:4].ljust(4) + len(text).to_bytes(4, "little") + text
        body += b"\0" * (len(text) & 1)
    return b"LIST" + len(body).to_bytes(4, "little") + body


def _copy_chunk(file: BinaryIO, out: BinaryIO, chunk: _Chunk) -> None:
    """The chunk as it is, with its pad byte written even where the source left it out at the
    end of the file, since the copy may not end with it."""
    file.seek(chunk.offset)
    remaining = 8 + chunk.length
    while remaining:
        block = file.read(min(remaining, _COPY_BLOCK))
        if not block:
            raise InvalidAudio("the WAV file changed or ended while it was being copied")
        out.write(block)
        remaining -= len(block)
    if chunk.length & 1:
        out.write(b"\0")


def _decoded(fields: Mapping[str, bytes]) -> dict[str, str]:
    """UTF-8 as written here and by ffmpeg; Latin-1 for older tools that wrote the ANSI page."""
    decoded = {}
    for key, value in fields.items():
        raw = value.split(b"\0", 1)[0]
        try:
            decoded[key] = raw.decode("utf-8")
        except UnicodeDecodeError:
            decoded[key] = raw.decode("latin-1")
    return decoded
