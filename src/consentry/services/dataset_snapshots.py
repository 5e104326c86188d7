"""Taking a dataset snapshot: the eligible tracks at one instant, their manifest (written,
hashed, signed), the snapshot's rows and its log entry, all or nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import insert
from sqlalchemy.engine import Engine

from consentry.consent import Consumer, decide_catalogue, settling_events
from consentry.datasets.manifest import (
    OWNER,
    SnapshotStatement,
    build_manifest,
    manifest_bytes,
    sha256_hex,
)
from consentry.ledger.note import sign_note
from consentry.ledger.records import DATASET_SNAPSHOT
from consentry.services.decisions import catalogue_inputs
from consentry.services.withdrawal_causes import catch_up_snapshot
from consentry.store.columns import ColumnarReader, int_column
from consentry.store.datasets import (
    ROWS_PER_INSERT,
    Snapshot,
    get_snapshot_by_id,
    manifest_path,
    write_manifest,
)
from consentry.store.log_sources import log_new_row
from consentry.store.schema import dataset_snapshots, dataset_tracks
from consentry.store.transparency_log import log_size
from consentry.timestamps import to_micros, utcnow


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
    """Exactly the tracks eligible for ``purpose`` (for ``consumer``) at ``at`` and still
    eligible now: a snapshot of a past instant never takes back a track withdrawn since."""
    with engine.connect() as conn:
        seen_log_size = log_size(conn)  # before the decisions: see catch_up_snapshot
    checked_at = utcnow()
    columns, terms, agreements = catalogue_inputs(engine, purpose, at, consumer)
    # Choosing a snapshot's tracks is the one question a datasets-only consumer asks about
    # tracks outside its snapshots: consent decides it alone.
    selecting = replace(consumer, datasets_only=False) if consumer else None
    decided = decide_catalogue(columns, purpose, at, terms, agreements, selecting)
    eligible = decided.track_id[decided.allowed]
    if at < checked_at:
        columns_now, terms_now, agreements_now = catalogue_inputs(engine, purpose, checked_at,
                                                                  consumer)
        now = decide_catalogue(columns_now, purpose, checked_at, terms_now, agreements_now,
                               selecting)
        eligible = np.intersect1d(eligible, now.track_id[now.allowed], assume_unique=True)
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
        write_manifest(manifest_path(data_dir, snapshot_id), data)
    return get_snapshot_by_id(engine, snapshot_id)
