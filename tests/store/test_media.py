"""Content-addressed storage: one file per recording, in place whole or not at all."""

from __future__ import annotations

import hashlib
import io
import stat
from pathlib import Path

import pytest

from consentry.errors import InvalidAudio, InvalidInput, PayloadTooLarge
from consentry.store.media import CHUNK_BYTES, audio_path, store_upload
from tests.audio.synth import audio_bytes

LIMIT = 10 * 1024 * 1024
HOUR = 3600.0


def files_under(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file())


def test_a_recording_is_stored_under_its_hash(tmp_path: Path) -> None:
    data = audio_bytes("flac")
    stored = store_upload(io.BytesIO(data), tmp_path, LIMIT, max_seconds=HOUR,
                          declared_name="take.flac", declared_type="audio/flac")
    sha = hashlib.sha256(data).hexdigest()
    assert (stored.sha256, stored.size, stored.info.format) == (sha, len(data), "flac")
    assert stored.path == audio_path(tmp_path, sha) == tmp_path / "audio" / sha[:2] / sha
    assert stored.path.read_bytes() == data
    assert not stat.S_IMODE(stored.path.stat().st_mode) & 0o222  # stored files never change
    assert files_under(tmp_path) == [stored.path]


def test_the_same_recording_twice_is_stored_once(tmp_path: Path) -> None:
    data = audio_bytes("wav")
    first = store_upload(io.BytesIO(data), tmp_path, LIMIT, max_seconds=HOUR)
    mtime = first.path.stat().st_mtime_ns
    second = store_upload(io.BytesIO(data), tmp_path, LIMIT, max_seconds=HOUR,
                          declared_name="again.wav")
    other = store_upload(io.BytesIO(audio_bytes("wav", seed=1)), tmp_path, LIMIT,
                         max_seconds=HOUR)
    assert first == second != other
    assert first.path.stat().st_mtime_ns == mtime  # the stored file was left as it was
    assert files_under(tmp_path) == sorted([first.path, other.path])


@pytest.mark.parametrize(("data", "error"), [
    (b"", InvalidAudio),
    (b"not audio at all" * 100, InvalidAudio),
    (audio_bytes("wav")[:30_000], InvalidAudio),
    (audio_bytes("wav"), PayloadTooLarge),
])
def test_a_refused_upload_leaves_nothing_behind(tmp_path: Path, data: bytes,
                                                error: type[Exception]) -> None:
    kept = store_upload(io.BytesIO(audio_bytes("ogg")), tmp_path, LIMIT, max_seconds=HOUR)
    with pytest.raises(error):
        store_upload(io.BytesIO(data), tmp_path, 50_000, max_seconds=HOUR,
                     declared_name="take.wav")
    assert files_under(tmp_path) == [kept.path]


def test_the_size_limit_is_exact(tmp_path: Path) -> None:
    data = audio_bytes("wav")
    with pytest.raises(PayloadTooLarge) as refused:
        store_upload(io.BytesIO(data), tmp_path, len(data) - 1, max_seconds=HOUR)
    assert refused.value.detail == {"max_bytes": len(data) - 1}
    assert store_upload(io.BytesIO(data), tmp_path, len(data), max_seconds=HOUR).size == len(data)


class Endless:
    """A sender that never stops: zeros, counted."""

    def __init__(self) -> None:
        self.sent = 0

    def read(self, size: int = -1, /) -> bytes:
        piece = b"\0" * (64 * 1024 if size < 0 else min(size, 64 * 1024))
        self.sent += len(piece)
        return piece


def test_an_endless_upload_is_cut_off_as_soon_as_it_passes_the_limit(tmp_path: Path) -> None:
    sender = Endless()
    with pytest.raises(PayloadTooLarge, match="larger than the limit of 3 MiB"):
        store_upload(sender, tmp_path, 3 * 1024 * 1024, max_seconds=HOUR)
    assert sender.sent <= 3 * 1024 * 1024 + CHUNK_BYTES
    assert files_under(tmp_path) == []


class Breaking:
    """A sender whose connection drops half-way."""

    def __init__(self, data: bytes) -> None:
        self.stream = io.BytesIO(data[:len(data) // 2])

    def read(self, size: int = -1, /) -> bytes:
        piece = self.stream.read(size)
        if not piece:
            raise ConnectionResetError("client went away")
        return piece


def test_a_dropped_connection_leaves_nothing_behind(tmp_path: Path) -> None:
    with pytest.raises(ConnectionResetError):
        store_upload(Breaking(audio_bytes("wav")), tmp_path, LIMIT, max_seconds=HOUR)
    assert files_under(tmp_path) == []


@pytest.mark.parametrize("sha", ["../../etc/passwd", "A" * 64, "0" * 63, ""])
def test_audio_paths_are_only_made_from_hashes(tmp_path: Path, sha: str) -> None:
    with pytest.raises(InvalidInput):
        audio_path(tmp_path, sha)
