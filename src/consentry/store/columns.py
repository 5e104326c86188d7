"""Read a whole catalogue as columns (Arrow tables, then numpy arrays).

The rules then run on contiguous arrays (consent/catalogue_decisions.py) instead of one
Python object per track; PostgreSQL even hands the columns over directly (ADBC).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from sqlalchemy.engine import Engine

from consentry.consent import CatalogueColumns

# A removed track is no longer in the catalogue (services/track_removals.py).
_LIVE = "id NOT IN (SELECT track_id FROM track_removals)"
_TRACKS = f"SELECT id, artist_id FROM tracks WHERE {_LIVE} ORDER BY id"
# Only catalogues under an agreement matter to the rules: an index answers this, not a scan.
_CATALOGUED = ("SELECT id, rights_holder_id FROM tracks WHERE rights_holder_id IN ({holders}) "
               f"AND {_LIVE}")
# A sole owner holds all 10,000 basis points, so this skips most rows without a join;
# the managing artists among the rest are dropped in numpy (see _co_owners).
_SHARED = "SELECT track_id, artist_id FROM track_shares WHERE basis_points < 10000"
# Purpose and choice arrive as integers: strings cost the driver more than every other column.
_EVENTS = ("SELECT id, artist_id, COALESCE(track_id, -1) AS track_id, "
           "CASE purpose {codes} END AS purpose, CASE choice WHEN 'allow' THEN 1 "
           "WHEN 'deny' THEN 0 ELSE 2 END AS choice, recorded_at FROM consent_events "
           "WHERE recorded_at <= {at} AND purpose IN ({chain})")

# Every status change of every claim made by the instant, with whether it leaves it active.
_CLAIM_CHANGES = ("SELECT ch.claim_id, cl.track_id, ch.id, "
                  "CASE WHEN ch.status = 'released' THEN 0 ELSE 1 END AS active, "
                  "ch.at, COALESCE(ch.respond_by, 0) AS respond_by "
                  "FROM claim_changes ch JOIN content_claims cl ON cl.id = ch.claim_id "
                  "WHERE ch.at <= {at}")
_CLAIM_SCHEMA = pa.schema([("claim_id", pa.int64()), ("track_id", pa.int64()),
                           ("id", pa.int64()), ("active", pa.int64()), ("at", pa.int64()),
                           ("respond_by", pa.int64())])

# Share invitations and answers made by the instant: a row per owner named by someone else.
_ANSWERS = ("SELECT id, track_id, artist_id, CASE WHEN accepted THEN 1 ELSE 0 END AS accepted, "
            "at FROM share_answers WHERE at <= {at}")
_ANSWER_SCHEMA = pa.schema([("id", pa.int64()), ("track_id", pa.int64()),
                            ("artist_id", pa.int64()), ("accepted", pa.int64()),
                            ("at", pa.int64())])

_EVENT_SCHEMA = pa.schema([("id", pa.int64()), ("artist_id", pa.int64()),
                           ("track_id", pa.int64()), ("purpose", pa.int64()),
                           ("choice", pa.int64()), ("recorded_at", pa.int64())])


class ColumnarReader:
    """Queries answered as Arrow tables, from the same database as ``engine``.

    PostgreSQL goes through ADBC, which hands over columns without a Python object per row.
    SQLite goes through the engine's own driver (Python's sqlite3): ADBC bundles a second copy
    of the SQLite library, and two copies in one process do not see each other's POSIX locks,
    so reads went stale after the process wrote, and closing one copy's file would drop the
    other's locks (https://sqlite.org/howtocorrupt.html, section 2.2).
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sqlite = engine.url.get_backend_name() == "sqlite"
        self._conn: Any = None

    def __enter__(self) -> ColumnarReader:
        if self.sqlite:
            self._conn = self.engine.raw_connection()
        else:
            import adbc_driver_postgresql.dbapi

            uri = self.engine.url.set(drivername="postgresql").render_as_string(
                hide_password=False)
            self._conn = adbc_driver_postgresql.dbapi.connect(uri)
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.sqlite:
            self._conn.rollback()  # a read: end its transaction before the pool takes it back
        self._conn.close()

    @property
    def placeholder(self) -> str:
        return "?" if self.sqlite else "$"

    def query(self, sql: str, params: Sequence[object] = ()) -> pa.Table:
        cursor = self._conn.cursor()
        try:
            cursor.execute(sql, list(params) if params else ([] if self.sqlite else None))
            if not self.sqlite:
                return cursor.fetch_arrow_table()
            names = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
        finally:
            cursor.close()
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
        return pa.table({name: pa.array(values) for name, values in
                         zip(names, columns, strict=True)})

    def query_ints(self, sql: str, params: Sequence[object] = ()) -> pa.Table:
        """For queries of non-null integers only: on SQLite the rows go straight into one
        int64 array (twice as fast as building a column per row), elsewhere as ``query``."""
        if not self.sqlite:
            return self.query(sql, params)
        cursor = self._conn.cursor()
        try:
            cursor.execute(sql, list(params))
            names = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
        finally:
            cursor.close()
        flat = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.int64,
                           count=len(rows) * len(names)).reshape(len(rows), len(names))
        return pa.table({name: flat[:, i].copy() for i, name in enumerate(names)})


def int_column(table: pa.Table, column: str) -> np.ndarray:
    values = table.column(column)
    if values.null_count or pa.types.is_null(values.type):
        values = values.cast(pa.int64()).fill_null(0)
    return np.asarray(values.to_numpy(), dtype=np.int64)


def load_columns(
    engine: Engine, purposes: Sequence[str], at_micros: int, rights_holders: Sequence[int] = (),
) -> CatalogueColumns:
    """Every track, every co-owner, and the events about ``purposes`` up to ``at_micros``.

    An event's purpose code is the position of its purpose in ``purposes``. Tracks carry their
    rights holder only when it is one of ``rights_holders`` (those with agreements).
    """
    reader = ColumnarReader(engine)
    mark = reader.placeholder
    params = [f"{mark}{i + 1}" for i in range(len(purposes))]
    events_sql = _EVENTS.format(
        codes=" ".join(f"WHEN {p} THEN {i}" for i, p in enumerate(params)),
        at=int(at_micros), chain=", ".join(params))
    with reader:
        tracks = _track_columns(reader, tuple(int(h) for h in rights_holders))
        # An empty result carries no types (SQLite infers them from rows): state them.
        events = (reader.query_ints(events_sql, purposes).cast(_EVENT_SCHEMA) if purposes
                  else _EVENT_SCHEMA.empty_table())
        claims = reader.query_ints(_CLAIM_CHANGES.format(at=int(at_micros)))
        claims = claims.cast(_CLAIM_SCHEMA) if claims.num_rows else _CLAIM_SCHEMA.empty_table()
        answers = reader.query_ints(_ANSWERS.format(at=int(at_micros)))
        answers = (answers.cast(_ANSWER_SCHEMA) if answers.num_rows
                   else _ANSWER_SCHEMA.empty_table())
    return CatalogueColumns(
        track_id=tracks.track_id,
        artist_id=tracks.artist_id,
        rights_holder_id=tracks.rights_holder_id,
        co_owner_track_id=tracks.co_owner_track_id,
        co_owner_artist_id=tracks.co_owner_artist_id,
        event_id=int_column(events, "id"),
        event_artist_id=int_column(events, "artist_id"),
        event_track_id=int_column(events, "track_id"),
        event_purpose=int_column(events, "purpose"),
        event_allow=int_column(events, "choice") == 1,
        event_deny=int_column(events, "choice") == 0,
        event_recorded_at=int_column(events, "recorded_at"),
        purpose_names=tuple(purposes),
        claim_id=int_column(claims, "claim_id"),
        claim_track_id=int_column(claims, "track_id"),
        claim_change_id=int_column(claims, "id"),
        claim_active=int_column(claims, "active") == 1,
        claim_at=int_column(claims, "at"),
        claim_respond_by=int_column(claims, "respond_by"),
        answer_id=int_column(answers, "id"),
        answer_track_id=int_column(answers, "track_id"),
        answer_artist_id=int_column(answers, "artist_id"),
        answer_accepted=int_column(answers, "accepted") == 1,
        answer_at=int_column(answers, "at"),
    )


@dataclass(frozen=True)
class _TrackColumns:
    """Who owns which track and under which label: the part of the catalogue's columns that
    only changes when tracks are added or removed (no code path updates a track's artist,
    label or shares, or deletes a track)."""

    track_id: np.ndarray
    artist_id: np.ndarray
    rights_holder_id: np.ndarray
    co_owner_track_id: np.ndarray
    co_owner_artist_id: np.ndarray


# On SQLite, per database file: the columns and the state they were read at. Reading them is
# most of a whole-catalogue decision (a million rows through the sqlite3 driver, ~1 s), and
# only new and removed tracks change them. PostgreSQL hands columns over through ADBC, so it
# reads afresh.
_SQLITE_TRACKS: dict[tuple[str, int, int], tuple[tuple[int, ...], _TrackColumns]] = {}
_SQLITE_TRACKS_LOCK = threading.Lock()
# Writers are serialised on SQLite, so ids become visible in order: a new track raises the
# largest id or the count, new shares come with a new track, and removals are only added.
_SQLITE_STATE = ("SELECT COALESCE((SELECT max(id) FROM tracks), 0) AS last, "
                 "(SELECT count(*) FROM tracks) AS tracks, "
                 "(SELECT count(*) FROM track_shares) AS shares, "
                 "(SELECT count(*) FROM track_removals) AS removals")


def forget_track_columns() -> None:
    """Drop the kept columns, as a new track would (for measuring the read they save)."""
    with _SQLITE_TRACKS_LOCK:
        _SQLITE_TRACKS.clear()


def _track_columns(reader: ColumnarReader, holders: tuple[int, ...]) -> _TrackColumns:
    if not reader.sqlite:
        return _read_track_columns(reader, holders)
    database = Path(reader.engine.url.database or "")
    try:
        stat = database.stat()
    except OSError:  # not a file (an in-memory database): nothing to key a cache on
        return _read_track_columns(reader, holders)
    place = (str(database.resolve()), stat.st_dev, stat.st_ino)
    state = holders + tuple(int(v) for v in reader.query_ints(_SQLITE_STATE).to_pylist()[0]
                            .values())
    with _SQLITE_TRACKS_LOCK:
        cached = _SQLITE_TRACKS.get(place)
    if cached is not None and cached[0] == state:
        return cached[1]
    columns = _read_track_columns(reader, holders)
    with _SQLITE_TRACKS_LOCK:
        _SQLITE_TRACKS[place] = (state, columns)
    return columns


def _read_track_columns(reader: ColumnarReader, holders: tuple[int, ...]) -> _TrackColumns:
    tracks = reader.query_ints(_TRACKS)
    catalogued = (reader.query_ints(_CATALOGUED.format(holders=", ".join(map(str, holders))))
                  if holders else None)
    shared = reader.query_ints(_SHARED)
    track_id, artist_id = int_column(tracks, "id"), int_column(tracks, "artist_id")
    rights_holder_id = np.full(len(track_id), -1, np.int64)
    if catalogued is not None and catalogued.num_rows:
        rights_holder_id[_positions(track_id, int_column(catalogued, "id"))] = int_column(
            catalogued, "rights_holder_id")
    co_owner_track_id, co_owner_artist_id = _co_owners(
        track_id, artist_id, int_column(shared, "track_id"), int_column(shared, "artist_id"))
    arrays = (track_id, artist_id, rights_holder_id, co_owner_track_id, co_owner_artist_id)
    for array in arrays:
        array.setflags(write=False)  # shared by every decision until the next new track
    return _TrackColumns(*arrays)


def _co_owners(
    track_id: np.ndarray, artist_id: np.ndarray, share_track: np.ndarray, share_artist: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Share rows minus the managing artist's own: the owners whose consent is extra."""
    position = _positions(track_id, share_track)
    known = position >= 0
    keep = known.copy()
    keep[known] = artist_id[position[known]] != share_artist[known]
    return share_track[keep], share_artist[keep]


def _positions(sorted_ids: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Index of each id in ``sorted_ids`` (-1 where absent): a table when ids are dense."""
    if not len(sorted_ids) or not len(ids):
        return np.full(len(ids), -1, np.int64)
    if sorted_ids[0] >= 0 and sorted_ids[-1] < 4 * len(sorted_ids) + 1024:
        table = np.full(int(sorted_ids[-1]) + 1, -1, np.int64)
        table[sorted_ids] = np.arange(len(sorted_ids))
        inside = (ids >= 0) & (ids < len(table))
        found = np.full(len(ids), -1, np.int64)
        found[inside] = table[ids[inside]]
        return found
    position = np.minimum(np.searchsorted(sorted_ids, ids), len(sorted_ids) - 1)
    return np.where(sorted_ids[position] == ids, position, -1)
