"""Snapshot revisions: the parent's manifest minus every track withdrawn from it, signed and
logged like any snapshot. The rows keep the parent's purpose, consumer and instant (the
consent behind each remaining track is the parent's), and name the parent."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import insert
from sqlalchemy.engine import Engine

from consentry.datasets.manifest import SnapshotStatement, manifest_bytes, sha256_hex
from consentry.errors import InvalidInput, NotFound
from consentry.ledger.note import sign_note
from consentry.ledger.records import DATASET_SNAPSHOT
from consentry.services.withdrawal_causes import catch_up_snapshot
from consentry.store.datasets import (
    ROWS_PER_INSERT,
    Snapshot,
    get_snapshot,
    get_snapshot_by_id,
    manifest_path,
    write_manifest,
)
from consentry.store.log_sources import log_new_row
from consentry.store.schema import dataset_snapshots, dataset_tracks
from consentry.store.transparency_log import log_size
from consentry.store.withdrawals import withdrawn_from
from consentry.timestamps import to_micros, utcnow


@dataclass(frozen=True)
class Revision:
    snapshot: Snapshot
    revision_of: int
    excluded: tuple[int, ...]


def revision_statement(statement: SnapshotStatement, parent_id: int) -> str:
    """The snapshot statement's lines, and which snapshot this one revises."""
    return statement.body() + f"revision of {parent_id}\n"


def create_revision(engine: Engine, data_dir: Path, parent_id: int, origin: str,
                    key: Ed25519PrivateKey, requested_by: str) -> Revision:
    """A new snapshot without the tracks withdrawn from ``parent_id`` so far; a withdrawal
    recorded while it is made reaches the revision too (``catch_up_snapshot``)."""
    with engine.connect() as conn:
        seen_log_size = log_size(conn)
        parent = get_snapshot(conn, parent_id)
        excluded = withdrawn_from(conn, parent_id)
    if not excluded:
        raise InvalidInput(f"nothing has been withdrawn from snapshot {parent_id}: a revision "
                           "would hold the same tracks")
    path = manifest_path(data_dir, parent_id)
    if not path.exists():
        raise NotFound(f"the manifest of snapshot {parent_id} is missing from storage")
    table = pq.read_table(path)
    table = table.filter(pc.invert(pc.is_in(table.column("track_id"),
                                            value_set=pa.array(excluded, pa.int64()))))
    data = manifest_bytes(table)
    statement = SnapshotStatement(origin, parent.purpose, parent.consumer_id,
                                  to_micros(parent.at), table.num_rows, sha256_hex(data))
    note = sign_note(revision_statement(statement, parent_id), origin, key)
    kept = table.column("track_id").to_pylist()
    with engine.begin() as conn:
        snapshot_id = conn.execute(insert(dataset_snapshots).values(
            consumer_id=parent.consumer_id, purpose=parent.purpose, at=statement.at_micros,
            created_at=to_micros(utcnow()), tracks=table.num_rows,
            manifest_sha256=statement.manifest_sha256, statement=note,
            requested_by=requested_by[:200], revision_of=parent_id,
        )).inserted_primary_key[0]  # type: ignore[index]
        for start in range(0, len(kept), ROWS_PER_INSERT):
            conn.execute(insert(dataset_tracks), [
                {"snapshot_id": snapshot_id, "track_id": t}
                for t in kept[start:start + ROWS_PER_INSERT]])
        log_new_row(conn, DATASET_SNAPSHOT, snapshot_id)
        catch_up_snapshot(conn, snapshot_id, seen_log_size)
        write_manifest(manifest_path(data_dir, snapshot_id), data)
    return Revision(get_snapshot_by_id(engine, snapshot_id), parent_id, tuple(excluded))
