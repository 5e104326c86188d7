"""The manifest of a dataset snapshot: one row per eligible track, saying what it is (its
content hash), why it may be used (the consent events, the terms version) and who holds it
(the rights holder and the owners' shares), written as Parquet and signed by hash.

The Parquet bytes are deterministic for one pyarrow version: rows sorted by track, fixed
writer options and no timestamps, so the same instant gives the same manifest hash.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq

from consentry.errors import InvalidInput

Ints = npt.NDArray[np.int64]
OWNER = pa.struct([("artist_id", pa.int64()), ("basis_points", pa.int32())])
SCHEMA = pa.schema([
    ("track_id", pa.int64()),
    ("content_sha256", pa.string()),
    ("consent_event_ids", pa.list_(pa.int64())),
    ("terms_version", pa.string()),
    ("rights_holder_id", pa.int64()),
    ("owners", pa.list_(OWNER)),
])
STATEMENT_HEADING = "consentry dataset snapshot v1"


def grouped(keys: Ints, values: pa.Array, track_ids: Ints) -> pa.ListArray:
    """``values`` gathered into one list per track of ``track_ids`` (sorted), by ``keys``."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    starts = np.searchsorted(sorted_keys, track_ids, side="left")
    ends = np.searchsorted(sorted_keys, track_ids, side="right")
    offsets = np.concatenate(([0], np.cumsum(ends - starts))).astype(np.int32)
    taken = np.concatenate([order[s:e] for s, e in zip(starts, ends, strict=True)]) \
        if len(track_ids) else np.zeros(0, np.int64)
    return pa.ListArray.from_arrays(pa.array(offsets), values.take(pa.array(taken, pa.int64())))


def build_manifest(track_ids: Ints, content_sha256: pa.Array, event_track_ids: Ints,
                   event_ids: Ints, terms_version: str, rights_holder_ids: pa.Array,
                   owner_track_ids: Ints, owners: pa.StructArray) -> pa.Table:
    """The manifest table; ``track_ids`` must be sorted and unique."""
    if len(track_ids) and np.any(np.diff(track_ids) <= 0):
        raise InvalidInput("manifest track ids must be sorted and unique")
    return pa.table({
        "track_id": pa.array(track_ids, pa.int64()),
        "content_sha256": content_sha256,
        "consent_event_ids": grouped(event_track_ids, pa.array(event_ids, pa.int64()),
                                     track_ids),
        "terms_version": pa.array([terms_version] * len(track_ids), pa.string()),
        "rights_holder_id": rights_holder_ids,
        "owners": grouped(owner_track_ids, owners, track_ids),
    }, schema=SCHEMA)


def manifest_bytes(table: pa.Table) -> bytes:
    """Parquet with fixed options, so equal tables give equal bytes."""
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd", compression_level=3,
                   write_statistics=False, use_dictionary=False)
    return sink.getvalue()


@dataclass(frozen=True)
class SnapshotStatement:
    """What the platform signs about a snapshot: which use, for whom, at which instant, and
    the manifest by hash. The signed text is a C2SP note body, one fact per line."""

    origin: str
    purpose: str
    consumer_id: int | None
    at_micros: int
    tracks: int
    manifest_sha256: str

    def body(self) -> str:
        return (f"{STATEMENT_HEADING}\n{self.origin}\n{self.purpose}\n"
                f"consumer {self.consumer_id if self.consumer_id is not None else '-'}\n"
                f"at {self.at_micros}\ntracks {self.tracks}\n"
                f"manifest sha256 {self.manifest_sha256}\n")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
