"""The uses of the period read from the snapshots, and what the pool's arithmetic needs.

A use is one track in one dataset snapshot taken in the period (see docs/usage.md): the rows
of ``dataset_tracks`` joined to their snapshot, filtered to one artist's tracks (co-owned ones
included), one label's catalogue, one consumer's snapshots, or none of these for admins.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
from sqlalchemy import Connection, Row, Select, func, select, tuple_
from sqlalchemy.engine import Engine

from consentry.store import parties
from consentry.store.columns import ColumnarReader, int_column
from consentry.store.schema import (
    artists,
    consumers,
    dataset_snapshots,
    dataset_tracks,
    track_shares,
    tracks,
)
from consentry.store.share_answers import accepted_track_ids
from consentry.timestamps import from_micros, to_micros
from consentry.usage import (
    SHARE_UNITS,
    Compensation,
    Period,
    TrackUse,
    UsageScope,
    Use,
    View,
    distribute_columns,
)

PAGE_ROWS = 10_000


def check_parties(conn: Connection, scope: UsageScope) -> None:
    """``NotFound`` for an artist, label or consumer the scope names that does not exist: an
    empty statement would read as "no uses" instead."""
    if scope.artist_id is not None:
        parties.get_artist(conn, scope.artist_id)
    if scope.rights_holder_id is not None:
        parties.get_rights_holder(conn, scope.rights_holder_id)
    if scope.consumer_id is not None:
        parties.get_consumer(conn, scope.consumer_id)


def _filtered(query: Select[Any], scope: UsageScope, period: Period) -> Select[Any]:
    query = query.where(  # a revision is its parent less withdrawn tracks: no use of its own
        dataset_snapshots.c.revision_of.is_(None),
        dataset_snapshots.c.created_at >= to_micros(period.starts_at),
        dataset_snapshots.c.created_at < to_micros(period.ends_before))
    if scope.artist_id is not None:
        # the tracks whose share counts for the artist: an invited owner who has not
        # accepted (or declined) sees no use of them, as they read none of its choices
        query = query.where(dataset_tracks.c.track_id.in_(accepted_track_ids(scope.artist_id)))
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


def _use(row: Row[Any]) -> Use:
    r = row
    return Use(r.snapshot_id, from_micros(r.created_at), from_micros(r.at),
               r.consumer_id, r.consumer_name, r.purpose, r.track_id, r.title,
               r.rights_holder_id)


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
    shares and rights holder, as objects: the reference path, which ``compensation`` reads
    as columns instead (a store test keeps the two equal)."""
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
    return [TrackUse(t, n, tuple(owners.get(t, [(artist, SHARE_UNITS)])), holder)
            for t, (n, artist, holder) in sorted(units.items())]


def compensation(engine: Engine, pool: int, period: Period,
                 consumer_id: int | None = None) -> Compensation:
    """The pool shared over the period's uses (of one consumer's snapshots, if given), read
    as columns and computed over arrays: a million used tracks cost two queries."""
    with ColumnarReader(engine) as reader:
        mark = reader.placeholder
        params: list[object] = [to_micros(period.starts_at), to_micros(period.ends_before)]
        where = (f"s.revision_of IS NULL AND s.created_at >= {mark}1 "
                 f"AND s.created_at < {mark}2")
        if consumer_id is not None:
            where += f" AND s.consumer_id = {mark}3"
            params.append(consumer_id)
        snapshot_rows = "dataset_tracks d JOIN dataset_snapshots s ON s.id = d.snapshot_id"
        counted = reader.query_ints(
            "SELECT d.track_id, COUNT(*) AS units, MIN(t.artist_id) AS artist_id, "
            "MIN(COALESCE(t.rights_holder_id, 0)) AS holder "
            f"FROM {snapshot_rows} JOIN tracks t ON t.id = d.track_id WHERE {where} "
            "GROUP BY d.track_id", params)
        shares = reader.query_ints(
            "SELECT track_id, artist_id, basis_points FROM track_shares WHERE track_id IN "
            f"(SELECT d.track_id FROM {snapshot_rows} WHERE {where})", params)
    track_id = int_column(counted, "track_id")
    share_track = int_column(shares, "track_id")
    alone = ~np.isin(track_id, share_track)  # tracks imported without share rows
    return distribute_columns(
        pool, track_id, int_column(counted, "units"), int_column(counted, "holder"),
        np.concatenate((share_track, track_id[alone])),
        np.concatenate((int_column(shares, "artist_id"),
                        int_column(counted, "artist_id")[alone])),
        np.concatenate((int_column(shares, "basis_points"),
                        np.full(int(alone.sum()), SHARE_UNITS, np.int64))))


def names_for(conn: Connection, lines_of: Compensation, view: View,
              subject_id: int | None) -> tuple[dict[int, str], dict[int, str]]:
    """Track titles and artist names for the lines ``view`` shows, and no others."""
    if view is View.RIGHTS_HOLDER:
        track_ids = lines_of.track_id[lines_of.rights_holder == (subject_id or 0)].tolist()
        artist_ids: list[int] = []
    elif view is View.ARTIST:
        track_ids = lines_of.owner_track_id[
            lines_of.owner_artist_id == (subject_id or 0)].tolist()
        artist_ids = [subject_id or 0]
    else:
        track_ids = lines_of.track_id.tolist()
        artist_ids = sorted(lines_of.artist_totals())
    return (_by_id(conn, tracks.c.id, tracks.c.title, track_ids),
            _by_id(conn, artists.c.id, artists.c.name, artist_ids))


def _by_id(conn: Connection, key: Any, value: Any, ids: list[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for start in range(0, len(ids), PAGE_ROWS):
        chunk = ids[start:start + PAGE_ROWS]
        found.update((r[0], r[1]) for r in conn.execute(select(key, value).where(key.in_(chunk))))
    return found
