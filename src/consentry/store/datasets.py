"""Taking dataset snapshots: the eligible tracks at one instant, their manifest (written,
hashed, signed), the snapshot's rows and its log entry, all or nothing."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, insert, select
from sqlalchemy.engine import Engine

from consentry.consent import Consumer, decide_catalogue, settling_events
from consentry.datasets.manifest import (
    OWNER,
    SnapshotStatement,
    build_manifest,
    manifest_bytes,
    sha256_hex,
)
from consentry.errors import NotFound
from consentry.ledger.note import sign_note
from consentry.ledger.records import DATASET_SNAPSHOT
from consentry.store.columns import ColumnarReader, int_column
from consentry.store.decisions import catalogue_inputs
from consentry.store.log_sources import log_new_row
from consentry.store.schema import dataset_snapshots, dataset_tracks
from consentry.store.transparency_log import log_size
from consentry.store.withdrawal_detection import catch_up_snapshot
from consentry.timestamps import from_micros, to_micros, utcnow

ROWS_PER_INSERT = 50_000


@dataclass(frozen=True)
class Snapshot:
    id: int
    consumer_id: int | None
    purpose: str
    at: datetime
    created_at: datetime
    tracks: int
    manifest_sha256: str
    statement: str
    requested_by: str


def manifest_path(data_dir: Path, snapshot_id: int) -> Path:
    return Path(data_dir) / "datasets" / str(snapshot_id) / "manifest.parquet"


def _track_facts(engine: Engine, eligible: np.ndarray) -> tuple[pa.Array, pa.Array, np.ndarray,
                                                               pa.StructArray]:
    """Content hashes, rights holders and owners' shares of the eligible tracks, read as
    columns: a million tracks cost one query each, not a million rows of objects."""
    with ColumnarReader(engine) as reader:
        tracks = reader.query("SELECT id, artist_id, audio_sha256, rights_holder_id FROM tracks "
                              "ORDER BY id")
        shares = reader.query("SELECT track_id, artist_id, basis_points FROM track_shares")
    ids = int_column(tracks, "id")
    rows = pa.array(np.searchsorted(ids, eligible), pa.int64())
    content = tracks.column("audio_sha256").take(rows).cast(pa.string())
    holders = tracks.column("rights_holder_id").take(rows).cast(pa.int64())
    share_track = int_column(shares, "track_id")
    sole = np.setdiff1d(eligible, share_track, assume_unique=False)
    sole_artist = int_column(tracks, "artist_id")[np.searchsorted(ids, sole)]
    owner_track = np.concatenate((share_track, sole))
    owners = pa.StructArray.from_arrays(
        [pa.array(np.concatenate((int_column(shares, "artist_id"), sole_artist)), pa.int64()),
         pa.array(np.concatenate((int_column(shares, "basis_points"),
                                  np.full(len(sole), 10_000, np.int64))), pa.int32())],
        fields=list(OWNER))
    return content, holders, owner_track, owners


def create_snapshot(engine: Engine, data_dir: Path, purpose: str, at: datetime,
                    consumer: Consumer | None, origin: str, key: Ed25519PrivateKey,
                    requested_by: str) -> Snapshot:
    """Exactly the tracks eligible for ``purpose`` (for ``consumer``) at ``at``."""
    with engine.connect() as conn:
        seen_log_size = log_size(conn)  # before the decisions: see catch_up_snapshot
    columns, terms, agreements = catalogue_inputs(engine, purpose, at, consumer)
    # Choosing a snapshot's tracks is the one question a datasets-only consumer asks about
    # tracks outside its snapshots: consent decides it alone.
    selecting = replace(consumer, datasets_only=False) if consumer else None
    decided = decide_catalogue(columns, purpose, at, terms, agreements, selecting)
    eligible = decided.track_id[decided.allowed]
    event_track, event_id = [], []
    checked = [purpose] + ([extra] if consumer and (
        extra := consumer.extra_consent_purpose(purpose)) else [])
    for use in checked:
        settled = settling_events(columns, use, at)
        event_track += [columns.track_id, settled.co_owner_track_id]
        event_id += [settled.owner_event, settled.co_owner_event]
    tracks_of_events, events = np.concatenate(event_track), np.concatenate(event_id)
    keep = (events != 0) & np.isin(tracks_of_events, eligible)
    pairs = np.unique(np.stack((tracks_of_events[keep], events[keep]), axis=1), axis=0) \
        if keep.any() else np.zeros((0, 2), np.int64)
    content, holders, owner_track, owners = _track_facts(engine, eligible)
    table = build_manifest(eligible, content, pairs[:, 0], pairs[:, 1], terms.version,
                           holders, owner_track, owners)
    data = manifest_bytes(table)
    statement = SnapshotStatement(origin, purpose, consumer.id if consumer else None,
                                  to_micros(at), len(eligible), sha256_hex(data))
    note = sign_note(statement.body(), origin, key)
    created = utcnow()
    with engine.begin() as conn:
        snapshot_id = conn.execute(insert(dataset_snapshots).values(
            consumer_id=statement.consumer_id, purpose=purpose, at=statement.at_micros,
            created_at=to_micros(created), tracks=len(eligible),
            manifest_sha256=statement.manifest_sha256, statement=note,
            requested_by=requested_by[:200])).inserted_primary_key[0]  # type: ignore[index]
        for start in range(0, len(eligible), ROWS_PER_INSERT):
            conn.execute(insert(dataset_tracks), [
                {"snapshot_id": snapshot_id, "track_id": int(t)}
                for t in eligible[start:start + ROWS_PER_INSERT]])
        log_new_row(conn, DATASET_SNAPSHOT, snapshot_id)
        catch_up_snapshot(conn, snapshot_id, seen_log_size)
        _write(manifest_path(data_dir, snapshot_id), data)
    return get_snapshot_by_id(engine, snapshot_id)


def _write(path: Path, data: bytes) -> None:
    """Into place atomically, before the transaction commits: a crash leaves at most a file
    for a snapshot that was never recorded, never a recorded snapshot without its file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    with partial.open("wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    os.replace(partial, path)


def _snapshot(row: object) -> Snapshot:
    r = row
    return Snapshot(r.id, r.consumer_id, r.purpose, from_micros(r.at),  # type: ignore[attr-defined]
                    from_micros(r.created_at), r.tracks, r.manifest_sha256,  # type: ignore[attr-defined]
                    r.statement, r.requested_by)  # type: ignore[attr-defined]


def get_snapshot(conn: Connection, snapshot_id: int) -> Snapshot:
    row = conn.execute(select(dataset_snapshots)
                       .where(dataset_snapshots.c.id == snapshot_id)).first()
    if row is None:
        raise NotFound(f"dataset snapshot {snapshot_id} does not exist")
    return _snapshot(row)


def get_snapshot_by_id(engine: Engine, snapshot_id: int) -> Snapshot:
    with engine.connect() as conn:
        return get_snapshot(conn, snapshot_id)


def list_snapshots(conn: Connection, consumer_id: int | None = None) -> list[Snapshot]:
    query = select(dataset_snapshots).order_by(dataset_snapshots.c.id)
    if consumer_id is not None:
        query = query.where(dataset_snapshots.c.consumer_id == consumer_id)
    return [_snapshot(r) for r in conn.execute(query)]


def snapshots_containing(conn: Connection, track_id: int) -> list[Snapshot]:
    """Every snapshot that holds the track: where a withdrawal must reach."""
    query = (select(dataset_snapshots)
             .join(dataset_tracks, dataset_tracks.c.snapshot_id == dataset_snapshots.c.id)
             .where(dataset_tracks.c.track_id == track_id).order_by(dataset_snapshots.c.id))
    return [_snapshot(r) for r in conn.execute(query)]
