"""Dataset snapshots over HTTP: an AI consumer asks for exactly the tracks eligible for one of
its purposes at one instant, and gets a signed, logged manifest; admins see every snapshot."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from sqlalchemy import Connection

from consentry import access
from consentry.access import Principal, Role
from consentry.errors import DeliveryUnavailable, Forbidden, InvalidInput, NotFound
from consentry.ledger.records import DATASET_SNAPSHOT
from consentry.services.dataset_snapshots import create_snapshot
from consentry.store import parties
from consentry.store import transparency_log as log
from consentry.store.datasets import Snapshot, get_snapshot, manifest_path, snapshot_page
from consentry.timestamps import utcnow
from consentry.web.api.listing import Listed
from consentry.web.dependencies import Db, EngineDep, SettingsDep, principal_in
from consentry.web.errors import error_responses

router = APIRouter(prefix="/datasets", tags=["datasets"], responses=error_responses(403))
# Snapshots are taken and read by AI consumers (their own) and admins
Taker = Annotated[Principal, principal_in(Role.CONSUMER, Role.ADMIN)]
ONE_SNAPSHOT = error_responses(404)


class SnapshotIn(BaseModel):
    purpose: str = Field(max_length=100)
    at: datetime | None = Field(None, description="The instant to decide at (default: now)")
    consumer_id: int | None = Field(None, description="Admins only: for which consumer")


class SnapshotOut(BaseModel):
    id: int
    consumer_id: int | None
    purpose: str
    at: datetime
    created_at: datetime
    tracks: int
    manifest_sha256: str
    statement: str = Field(description="The signed note that vouches for the manifest")
    log_index: int | None

    @classmethod
    def of(cls, snapshot: Snapshot, log_index: int | None) -> SnapshotOut:
        return cls(id=snapshot.id, consumer_id=snapshot.consumer_id, purpose=snapshot.purpose,
                   at=snapshot.at, created_at=snapshot.created_at, tracks=snapshot.tracks,
                   manifest_sha256=snapshot.manifest_sha256, statement=snapshot.statement,
                   log_index=log_index)


def _out(db: Connection, snapshot: Snapshot) -> SnapshotOut:
    entry = log.entry_of(db, DATASET_SNAPSHOT, snapshot.id)
    return SnapshotOut.of(snapshot, entry.index if entry else None)


def _visible(who: Principal, snapshot: Snapshot) -> None:
    if who.role is Role.ADMIN:
        return
    if who.role is Role.CONSUMER and who.subject_id == snapshot.consumer_id:
        return
    raise Forbidden(f"no access to dataset snapshot {snapshot.id}")


@router.post("", response_model=SnapshotOut, status_code=201,
             responses=error_responses(404, 503))
async def create(body: SnapshotIn, request: Request,
                 who: Annotated[Principal, principal_in(Role.CONSUMER, Role.ADMIN,
                                                        briefly=True)],
                 engine: EngineDep, settings: SettingsDep) -> SnapshotOut:
    """Exactly the tracks eligible for the purpose at the instant, with a manifest (track,
    content hash, consent events, terms version, rights holder, owners' shares), signed with
    the log's key and appended to the log."""
    access.require_catalogue_access(who, body.purpose)
    consumer_id = who.subject_id if who.role is Role.CONSUMER else body.consumer_id
    if who.role is Role.CONSUMER and body.consumer_id not in (None, who.subject_id):
        raise Forbidden("a consumer takes snapshots for itself only")
    at = body.at or utcnow()
    if at.tzinfo is None:
        raise InvalidInput("'at' must carry a timezone offset (e.g. 2026-01-01T00:00:00Z)")
    key = request.app.state.log_key
    if key is None:
        raise DeliveryUnavailable(request.app.state.no_log_key)
    with engine.connect() as conn:
        consumer = parties.get_consumer(conn, consumer_id) if consumer_id else None
    snapshot = await anyio.to_thread.run_sync(
        lambda: create_snapshot(engine, settings.data_dir, body.purpose, at, consumer,
                                settings.log_origin, key, who.label))
    with engine.connect() as conn:
        return _out(conn, snapshot)


@router.get("", response_model=list[SnapshotOut])
def index(db: Db, who: Taker, listing: Listed) -> list[SnapshotOut]:
    """A consumer's own snapshots; every snapshot for admins."""
    consumer_id = who.subject_id if who.role is Role.CONSUMER else None
    found = snapshot_page(db, listing.window, consumer_id)
    return listing.answer(found.map(lambda s: _out(db, s)))


@router.get("/{snapshot_id}", response_model=SnapshotOut, responses=ONE_SNAPSHOT)
def show(snapshot_id: int, db: Db, who: Taker) -> SnapshotOut:
    snapshot = get_snapshot(db, snapshot_id)
    _visible(who, snapshot)
    return _out(db, snapshot)


@router.get("/{snapshot_id}/manifest", response_class=FileResponse,
            responses=ONE_SNAPSHOT | {200: {"description": "The manifest, as Parquet", "content": {
                "application/vnd.apache.parquet": {
                    "schema": {"type": "string", "format": "binary"}}}}})
def manifest(snapshot_id: int, db: Db, who: Taker, settings: SettingsDep) -> FileResponse:
    """The manifest as Parquet; its SHA-256 is the one the signed statement names."""
    snapshot = get_snapshot(db, snapshot_id)
    _visible(who, snapshot)
    path = manifest_path(settings.data_dir, snapshot_id)
    if not path.exists():
        raise NotFound(f"the manifest of snapshot {snapshot_id} is missing from storage")
    return FileResponse(path, media_type="application/vnd.apache.parquet",
                        filename=f"dataset-{snapshot_id}-manifest.parquet",
                        headers={"ETag": f'"{snapshot.manifest_sha256}"'})
