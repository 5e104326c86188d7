"""Dataset snapshots in the database and on disk: their rows, the tracks each holds, and the
manifest file beside them. Taking one is ``consentry.services.dataset_snapshots``."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Row, Select, select
from sqlalchemy.engine import Engine

from consentry.errors import NotFound
from consentry.store.paging import Page, Window, read_page
from consentry.store.schema import dataset_snapshots, dataset_tracks
from consentry.timestamps import from_micros

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


def write_manifest(path: Path, data: bytes) -> None:
    """Into place atomically, before the transaction commits: a crash leaves at most a file
    for a snapshot that was never recorded, never a recorded snapshot without its file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    try:
        with partial.open("wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(partial, path)
    finally:  # a full disk must not leave half a manifest behind
        partial.unlink(missing_ok=True)


def _snapshot(row: Row[Any]) -> Snapshot:
    r = row
    return Snapshot(r.id, r.consumer_id, r.purpose, from_micros(r.at),
                    from_micros(r.created_at), r.tracks, r.manifest_sha256,
                    r.statement, r.requested_by)


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
    return [_snapshot(r) for r in conn.execute(_snapshots_query(consumer_id))]


def snapshot_page(conn: Connection, window: Window,
                  consumer_id: int | None = None) -> Page[Snapshot]:
    return read_page(conn, _snapshots_query(consumer_id), window).map(_snapshot)


def _snapshots_query(consumer_id: int | None) -> Select[Any]:
    query = select(dataset_snapshots).order_by(dataset_snapshots.c.id)
    if consumer_id is not None:
        query = query.where(dataset_snapshots.c.consumer_id == consumer_id)
    return query


def snapshots_containing(conn: Connection, track_id: int) -> list[Snapshot]:
    """Every snapshot that holds the track: where a withdrawal must reach."""
    query = (select(dataset_snapshots)
             .join(dataset_tracks, dataset_tracks.c.snapshot_id == dataset_snapshots.c.id)
             .where(dataset_tracks.c.track_id == track_id).order_by(dataset_snapshots.c.id))
    return [_snapshot(r) for r in conn.execute(query)]
