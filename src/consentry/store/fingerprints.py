"""Fingerprints in the database: one row per indexed recording, its arrays in one blob.

The blob is the arrays back to back behind a small header, not an ``.npz``: it loads with
``np.frombuffer`` (no parsing, no copy), 6 bytes a peak and 8 a landmark. A row is derived
data, replaced when its recording's audio is, so ``fingerprint_version`` (newest id and row
count) changes whenever the index must.
"""

from __future__ import annotations

import struct

import numpy as np
from sqlalchemy import Connection, delete, func, insert, select

from consentry.audio.fingerprint import Fingerprint
from consentry.audio.landmarks import Landmarks
from consentry.audio.peaks import Peaks
from consentry.errors import InvalidInput
from consentry.store.schema import fingerprints
from consentry.timestamps import to_micros, utcnow

_HEADER = struct.Struct("<4sIII")  # magic, frame count, peaks, landmarks
_MAGIC = b"cfp1"
_HZ_UNIT = 0.25  # the index keeps peak frequencies to a quarter hertz anyway


def track_key(track_id: int) -> str:
    return f"track:{track_id}"


def reference_key(reference_id: int) -> str:
    return f"reference:{reference_id}"


def parse_key(key: str) -> tuple[str, int]:
    """("track" or "reference", id) from an index key."""
    kind, _, number = key.partition(":")
    if kind not in ("track", "reference") or not number.isdigit():
        raise InvalidInput(f"{key!r} is not a recording key")
    return kind, int(number)


def encode_fingerprint(fingerprint: Fingerprint) -> bytes:
    peaks, marks = fingerprint.peaks, fingerprint.landmarks
    header = _HEADER.pack(_MAGIC, int(peaks.frame_count), len(peaks.frames), len(marks))
    hz = np.clip(np.rint(peaks.hz / _HZ_UNIT), 0, 65535).astype("<u2")
    return b"".join((header, peaks.frames.astype("<i4").tobytes(), hz.tobytes(),
                     marks.hashes.astype("<u4").tobytes(), marks.frames.astype("<i4").tobytes()))


def decode_fingerprint(data: bytes) -> Fingerprint:
    if len(data) < _HEADER.size:
        raise InvalidInput("a stored fingerprint is truncated")
    magic, frame_count, n_peaks, n_marks = _HEADER.unpack_from(data)
    if magic != _MAGIC or len(data) != _HEADER.size + 6 * n_peaks + 8 * n_marks:
        raise InvalidInput("a stored fingerprint is not in the format this version reads")
    offset = _HEADER.size

    def take(dtype: str, count: int) -> np.ndarray:
        nonlocal offset
        array = np.frombuffer(data, dtype=dtype, count=count, offset=offset)
        offset += array.nbytes
        return array

    frames, hz = take("<i4", n_peaks), take("<u2", n_peaks)
    hashes, anchors = take("<u4", n_marks), take("<i4", n_marks)
    return Fingerprint(Peaks(frames, hz.astype(np.float32) * np.float32(_HZ_UNIT), frame_count),
                       Landmarks(hashes, anchors))


def save_fingerprint(conn: Connection, key: str, fingerprint: Fingerprint, audio_sha256: str,
                     *, track_id: int | None = None, reference_id: int | None = None) -> int:
    """Store (or replace) the fingerprint of one recording; the new row's id."""
    conn.execute(delete(fingerprints).where(fingerprints.c.recording_key == key))
    new_id: int = conn.execute(insert(fingerprints).values(
        recording_key=key, track_id=track_id, reference_id=reference_id,
        audio_sha256=audio_sha256, frame_count=int(fingerprint.peaks.frame_count),
        landmarks=len(fingerprint.landmarks), data=encode_fingerprint(fingerprint),
        created_at=to_micros(utcnow()))).inserted_primary_key[0]  # type: ignore[index]
    return new_id


def delete_fingerprint(conn: Connection, key: str) -> bool:
    return bool(conn.execute(
        delete(fingerprints).where(fingerprints.c.recording_key == key)).rowcount)


def fingerprint_version(conn: Connection) -> tuple[int, int]:
    """Newest row id and row count: any insert, replacement or removal changes one of them."""
    row = conn.execute(select(func.max(fingerprints.c.id), func.count())
                       .select_from(fingerprints)).one()
    return int(row[0] or 0), int(row[1])


def fingerprint_keys(conn: Connection) -> dict[int, str]:
    """Row id to recording key, for every stored fingerprint (a few bytes a row)."""
    return {r.id: r.recording_key for r in conn.execute(
        select(fingerprints.c.id, fingerprints.c.recording_key))}


def load_fingerprints(conn: Connection, row_ids: list[int]) -> list[tuple[int, str, bytes]]:
    """(row id, key, blob) of these rows, those that still exist."""
    rows = conn.execute(select(fingerprints.c.id, fingerprints.c.recording_key,
                               fingerprints.c.data).where(fingerprints.c.id.in_(row_ids)))
    return [(r.id, r.recording_key, bytes(r.data)) for r in rows]
