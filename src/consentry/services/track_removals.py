"""Removing a track without rewriting anything: the removal is a record of its own.

The track's row, its consent events and every log entry about it stay, so the record of
what was allowed and used before stays provable. From the removal on, the track is left out
of every page, list, lookup and decision (a lookup answers ``TrackRemoved``: 410 in the
API), its audio is no longer served, and it is withdrawn from every dataset snapshot that
holds it, whatever the snapshot's purpose. Who may remove: an admin, or the artist who
manages the track; its co-owners and its label may not (docs/withdrawal.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert
from sqlalchemy.exc import IntegrityError

from consentry.access import Principal, Role
from consentry.consent import Track
from consentry.errors import Forbidden, TrackRemoved
from consentry.ledger.records import TRACK_REMOVAL
from consentry.services.withdrawal_causes import removal_cause
from consentry.services.withdrawal_detection import record_cause
from consentry.store.catalogue import get_track
from consentry.store.log_sources import log_new_row
from consentry.store.schema import track_removals
from consentry.timestamps import to_micros, utcnow


@dataclass(frozen=True)
class TrackRemoval:
    id: int
    track_id: int
    removed_at: datetime
    removed_by: str
    withdrawals: int  # snapshots the track was withdrawn from


def may_remove(role: Role, artist_id: int | None, track: Track) -> bool:
    return role is Role.ADMIN or (role is Role.ARTIST and artist_id == track.artist_id)


def require_remover(who: Principal, track: Track) -> None:
    if not may_remove(who.role, who.subject_id, track):
        raise Forbidden(f"only the artist who manages track {track.id} or an admin may "
                        "remove it")


def remove_track(conn: Connection, track_id: int, by: str,
                 now: datetime | None = None) -> TrackRemoval:
    """Record the removal, log it, and withdraw the track from every snapshot, in one
    transaction; ``TrackRemoved`` if it already was. The caller checks who may."""
    now = now or utcnow()
    get_track(conn, track_id)
    try:
        removal_id = int(conn.execute(insert(track_removals).values(
            track_id=track_id, removed_at=to_micros(now), removed_by=by[:200],
        ).returning(track_removals.c.id)).scalar_one())
    except IntegrityError as lost_race:
        # Another removal of this track committed between our lookup and our insert: the
        # one unique removal per track is theirs, and to this caller the track is gone
        raise TrackRemoved(f"track {track_id} was removed") from lost_race
    log_new_row(conn, TRACK_REMOVAL, removal_id)  # before the withdrawals: see detection
    withdrawn = record_cause(conn, removal_cause(removal_id, track_id, now))
    return TrackRemoval(removal_id, track_id, now, by[:200], len(withdrawn))
