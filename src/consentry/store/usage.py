"""The uses of the period read from the snapshots, and what the pool's arithmetic needs.

A use is one track in one dataset snapshot taken in the period (see docs/usage.md): the rows
of ``dataset_tracks`` joined to their snapshot, filtered to one artist's tracks (co-owned ones
included), one label's catalogue, one consumer's snapshots, or none of these for admins.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, Select, exists, func, select, tuple_

from consentry.store.schema import (
    artists,
    consumers,
    dataset_snapshots,
    dataset_tracks,
    track_shares,
    tracks,
)
from consentry.timestamps import from_micros, to_micros
from consentry.usage import (
    Compensation,
    Period,
    TrackUse,
    UsageScope,
    Use,
    View,
    distribute,
)

PAGE_ROWS = 10_000


def owned_track_ids(artist_id: int) -> Select[tuple[int]]:
    """An artist's tracks: those they hold a share of, and those they manage alone when the
    catalogue lists no shares for them (bulk imports)."""
    shared = select(track_shares.c.track_id).where(track_shares.c.artist_id == artist_id)
    alone = select(tracks.c.id).where(
        tracks.c.artist_id == artist_id,
        ~exists().where(track_shares.c.track_id == tracks.c.id))
    return shared.union(alone)  # type: ignore[return-value]


def _filtered(query: Select[Any], scope: UsageScope, period: Period) -> Select[Any]:
    query = query.where(
        dataset_snapshots.c.created_at >= to_micros(period.starts_at),
        dataset_snapshots.c.created_at < to_micros(period.ends_before))
    if scope.artist_id is not None:
        query = query.where(dataset_tracks.c.track_id.in_(owned_track_ids(scope.artist_id)))
    if scope.rights_holder_id is not None:
        query = query.where(tracks.c.rights_holder_id == scope.rights_holder_id)
    if scope.consumer_id is not None:
        query = query.where(dataset_snapshots.c.consumer_id == scope.consumer_id)
    return query


def _joined(*columns: Any) -> Select[Any]:
    return (select(*columns)
            .select_from(dataset_tracks)
            .join(dataset_snapshots, dataset_snapshots.c.id == dataset_tracks.c.snapshot_id)
            .join(tracks, tracks.c.id == dataset_tracks.c.track_id))


def _use_query(scope: UsageScope, period: Period) -> Select[Any]:
    query = _joined(
        dataset_snapshots.c.id.label("snapshot_id"), dataset_snapshots.c.created_at,
        dataset_snapshots.c.at, dataset_snapshots.c.consumer_id,
        consumers.c.name.label("consumer_name"), dataset_snapshots.c.purpose,
        dataset_tracks.c.track_id, tracks.c.title, tracks.c.rights_holder_id,
    ).outerjoin(consumers, consumers.c.id == dataset_snapshots.c.consumer_id)
    return _filtered(query, scope, period).order_by(dataset_tracks.c.snapshot_id,
                                                    dataset_tracks.c.track_id)


def _use(row: object) -> Use:
    r = row
    return Use(r.snapshot_id, from_micros(r.created_at), from_micros(r.at),  # type: ignore[attr-defined]
               r.consumer_id, r.consumer_name, r.purpose, r.track_id, r.title,  # type: ignore[attr-defined]
               r.rights_holder_id)  # type: ignore[attr-defined]


def list_uses(conn: Connection, scope: UsageScope, period: Period, limit: int = 100,
              offset: int = 0) -> list[Use]:
    """One page of uses, in the order the snapshots were taken, then by track."""
    rows = conn.execute(_use_query(scope, period).limit(limit).offset(offset))
    return [_use(r) for r in rows]


def count_uses(conn: Connection, scope: UsageScope, period: Period) -> int:
    return int(conn.execute(_filtered(_joined(func.count()), scope, period)).scalar_one())


def iter_uses(conn: Connection, scope: UsageScope, period: Period,
              rows: int = PAGE_ROWS) -> Iterator[Use]:
    """Every use, a page at a time from where the last page ended (no growing OFFSET), so a
    million-track snapshot streams in constant memory."""
    after: tuple[int, int] | None = None
    while True:
        query = _use_query(scope, period)
        if after is not None:
            query = query.where(
                tuple_(dataset_tracks.c.snapshot_id, dataset_tracks.c.track_id) > after)
        page = [_use(r) for r in conn.execute(query.limit(rows))]
        yield from page
        if len(page) < rows:
            return
        after = (page[-1].snapshot_id, page[-1].track_id)


def track_uses(conn: Connection, period: Period, consumer_id: int | None = None) -> list[TrackUse]:
    """Every used track of the period with its units (one per snapshot holding it), owners'
    shares and rights holder: the whole pool's input, read in two grouped queries."""
    scope = UsageScope(consumer_id=consumer_id)
    counted = _filtered(_joined(dataset_tracks.c.track_id, tracks.c.artist_id,
                                tracks.c.rights_holder_id, func.count().label("units")),
                        scope, period).group_by(
        dataset_tracks.c.track_id, tracks.c.artist_id, tracks.c.rights_holder_id)
    units = {r.track_id: (r.units, r.artist_id, r.rights_holder_id)
             for r in conn.execute(counted)}
    used = select(dataset_tracks.c.track_id).join(
        dataset_snapshots, dataset_snapshots.c.id == dataset_tracks.c.snapshot_id)
    used = _filtered(used, scope, period)
    owners: dict[int, list[tuple[int, int]]] = {}
    for r in conn.execute(select(track_shares).where(track_shares.c.track_id.in_(used))):
        owners.setdefault(r.track_id, []).append((r.artist_id, r.basis_points))
    return [TrackUse(t, n, tuple(owners.get(t, [(artist, 10_000)])), holder)
            for t, (n, artist, holder) in sorted(units.items())]



def compensation(conn: Connection, pool: int, period: Period,
                 consumer_id: int | None = None) -> Compensation:
    """The pool shared over the period's uses (of one consumer's snapshots, if given)."""
    return distribute(pool, track_uses(conn, period, consumer_id))


def names_for(conn: Connection, lines_of: Compensation, view: View,
              subject_id: int | None) -> tuple[dict[int, str], dict[int, str]]:
    """Track titles and artist names for the lines ``view`` shows, and no others."""
    if view is View.RIGHTS_HOLDER:
        track_ids = [t.track_id for t in lines_of.tracks_of(subject_id or 0)]
        artist_ids: list[int] = []
    elif view is View.ARTIST:
        track_ids = [p.track_id for p in lines_of.parts_of(subject_id or 0)]
        artist_ids = [subject_id or 0]
    else:
        track_ids = [t.track_id for t in lines_of.tracks]
        artist_ids = sorted(lines_of.artist_totals())
    return (_by_id(conn, tracks.c.id, tracks.c.title, track_ids),
            _by_id(conn, artists.c.id, artists.c.name, artist_ids))


def _by_id(conn: Connection, key: Any, value: Any, ids: list[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for start in range(0, len(ids), PAGE_ROWS):
        chunk = ids[start:start + PAGE_ROWS]
        found.update((r[0], r[1]) for r in conn.execute(select(key, value).where(key.in_(chunk))))
    return found
