"""Audio files stored by content: ``<data_dir>/audio/<sha256[:2]>/<sha256>``.

A file's name is its hash, so the same recording uploaded twice is stored once, a stored file
never changes, and a file is either wholly in place or not there at all: uploads stream to a
temporary file beside the store and are renamed into place only once hashed and probed.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from consentry.audio import AudioInfo, probe_audio
from consentry.errors import InvalidInput, PayloadTooLarge

CHUNK_BYTES = 1024 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_TEMP_PREFIX = ".upload-"


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True)
class StoredAudio:
    """A probed recording in the store, and where it lies."""

    sha256: str
    path: Path
    size: int
    info: AudioInfo


def audio_root(data_dir: Path) -> Path:
    return data_dir / "audio"


def audio_path(data_dir: Path, sha256: str) -> Path:
    """Where the recording with this hash lies; the hash is checked so no path escapes."""
    if not _SHA256.match(sha256):
        raise InvalidInput(f"{sha256!r} is not a SHA-256 in lowercase hex")
    return audio_root(data_dir) / sha256[:2] / sha256


def store_upload(
    stream: Readable, data_dir: Path, max_bytes: int, *, max_seconds: float,
    declared_name: str | None = None, declared_type: str | None = None,
) -> StoredAudio:
    """Stream ``stream`` into the store, hashing and counting, and keep it only if it is sound
    audio no larger than ``max_bytes``: on any failure nothing of it remains."""
    root = audio_root(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=_TEMP_PREFIX, suffix=".part", dir=root)
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as file:
            sha256, size = _copy_hashing(stream, file, max_bytes)
            file.flush()
            os.fsync(file.fileno())
        info = probe_audio(temporary, declared_name, declared_type, max_seconds)
        final = audio_path(data_dir, sha256)
        if final.is_file():  # the same recording is stored already; keep its file as it is
            temporary.unlink()
        else:
            final.parent.mkdir(exist_ok=True)
            temporary.chmod(0o444)  # content-addressed files never change
            os.replace(temporary, final)
            _sync_directory(final.parent)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return StoredAudio(sha256, final, size, info)


def spool_upload(stream: Readable, data_dir: Path, max_bytes: int) -> Path:
    """A temporary copy of ``stream`` (at most ``max_bytes``) beside the store, for audio that
    is only looked at, never kept: the caller deletes it. Nothing remains on failure."""
    root = audio_root(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=_TEMP_PREFIX, suffix=".query", dir=root)
    try:
        with os.fdopen(handle, "wb") as file:
            _copy_hashing(stream, file, max_bytes)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def _copy_hashing(stream: Readable, file: IO[bytes], max_bytes: int) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK_BYTES):
        size += len(chunk)
        if size > max_bytes:
            raise payload_too_large(max_bytes)
        digest.update(chunk)
        file.write(chunk)
    return digest.hexdigest(), size


def payload_too_large(max_bytes: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"the upload is larger than the limit of {_human(max_bytes)}",
                           {"max_bytes": max_bytes})


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX); Windows cannot open a directory for this."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _human(size: int) -> str:
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= factor:
            return f"{size / factor:.3g} {unit}"
    return f"{size} bytes"
