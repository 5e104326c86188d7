"""The manifest table: lists grouped per track, sorted ids enforced, deterministic bytes."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from consentry.datasets.manifest import (
    OWNER,
    SnapshotStatement,
    build_manifest,
    manifest_bytes,
    sha256_hex,
)
from consentry.errors import InvalidInput


def _manifest(order: list[int]) -> pa.Table:
    events = np.array([[2, 11], [1, 10], [2, 12]])[order]
    owners = pa.StructArray.from_arrays([pa.array([7, 8, 7]), pa.array([6000, 4000, 10_000],
                                                                        pa.int32())],
                                        fields=list(OWNER))
    return build_manifest(np.array([1, 2]), pa.array(["ab" * 32, None]), events[:, 0],
                          events[:, 1], "1", pa.array([None, 5], pa.int64()),
                          np.array([1, 1, 2]), owners)


def test_rows_carry_their_own_events_and_owners() -> None:
    rows = _manifest([0, 1, 2]).to_pylist()
    assert [r["consent_event_ids"] for r in rows] == [[10], [11, 12]]
    assert rows[0]["owners"] == [{"artist_id": 7, "basis_points": 6000},
                                 {"artist_id": 8, "basis_points": 4000}]
    assert rows[1]["rights_holder_id"] == 5 and rows[1]["content_sha256"] is None


def test_equal_tables_give_equal_bytes() -> None:
    first = manifest_bytes(_manifest([0, 1, 2]))
    assert sha256_hex(first) == sha256_hex(manifest_bytes(_manifest([0, 1, 2])))


def test_unsorted_tracks_are_refused() -> None:
    with pytest.raises(InvalidInput):
        build_manifest(np.array([2, 1]), pa.array([None, None], pa.string()), np.zeros(0, int),
                       np.zeros(0, int), "1", pa.array([None, None], pa.int64()),
                       np.zeros(0, int), pa.StructArray.from_arrays(
                           [pa.array([], pa.int64()), pa.array([], pa.int32())],
                           fields=list(OWNER)))


def test_the_statement_names_every_fact_once_per_line() -> None:
    body = SnapshotStatement("m.example/log", "train-ai", None, 5, 2, "ab" * 32).body()
    assert body.splitlines() == ["consentry dataset snapshot v1", "m.example/log", "train-ai",
                                 "consumer -", "at 5", "tracks 2", f"manifest sha256 {'ab' * 32}"]
