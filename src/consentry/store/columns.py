"""Read a whole catalogue as columns (Arrow via ADBC): no Python object per row.

This is what keeps a million-track decision under a second: the database hands over
contiguous arrays, and consent/catalogue_decisions.py works on them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy.engine import Engine

from consentry.consent import CatalogueColumns

_TRACKS = "SELECT id, artist_id, COALESCE(rights_holder_id, -1) AS rights_holder_id FROM tracks"
_CO_OWNERS = ("SELECT s.track_id, s.artist_id FROM track_shares s "
              "JOIN tracks t ON t.id = s.track_id WHERE s.artist_id <> t.artist_id")
_EVENTS = ("SELECT id, artist_id, COALESCE(track_id, -1) AS track_id, purpose, choice, "
           "recorded_at FROM consent_events WHERE recorded_at <= {at} AND purpose IN ({chain})")

_EVENT_SCHEMA = pa.schema([("id", pa.int64()), ("artist_id", pa.int64()),
                           ("track_id", pa.int64()), ("purpose", pa.string()),
                           ("choice", pa.string()), ("recorded_at", pa.int64())])


def connect_columnar(engine: Engine) -> Any:
    """An ADBC connection to the same database as ``engine``."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        import adbc_driver_sqlite.dbapi

        return adbc_driver_sqlite.dbapi.connect(url.database)
    import adbc_driver_postgresql.dbapi

    uri = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return adbc_driver_postgresql.dbapi.connect(uri)


def _query(conn: Any, sql: str, params: Sequence[object] = ()) -> pa.Table:
    with conn.cursor() as cursor:
        cursor.execute(sql, list(params) if params else None)
        return cursor.fetch_arrow_table()


def _ints(table: pa.Table, column: str) -> np.ndarray:
    return table.column(column).to_numpy().astype(np.int64, copy=False)


def load_columns(engine: Engine, purposes: Sequence[str], at_micros: int) -> CatalogueColumns:
    """Every track, every co-owner, and the events about ``purposes`` up to ``at_micros``."""
    placeholders = ", ".join(["?" if engine.url.get_backend_name() == "sqlite" else f"${i + 1}"
                              for i in range(len(purposes))])
    with connect_columnar(engine) as conn:
        tracks = _query(conn, _TRACKS + " ORDER BY id")
        co_owners = _query(conn, _CO_OWNERS)
        events = _query(conn, _EVENTS.format(at=int(at_micros), chain=placeholders), purposes)
    # An empty result carries no types (SQLite infers them from rows): state them.
    events = events.cast(_EVENT_SCHEMA)
    purpose = pc.dictionary_encode(events.column("purpose")).combine_chunks()
    return CatalogueColumns(
        track_id=_ints(tracks, "id"),
        artist_id=_ints(tracks, "artist_id"),
        rights_holder_id=_ints(tracks, "rights_holder_id"),
        co_owner_track_id=_ints(co_owners, "track_id"),
        co_owner_artist_id=_ints(co_owners, "artist_id"),
        event_id=_ints(events, "id"),
        event_artist_id=_ints(events, "artist_id"),
        event_track_id=_ints(events, "track_id"),
        event_purpose=purpose.indices.to_numpy(zero_copy_only=False).astype(np.int64),
        event_allow=pc.equal(events.column("choice"), "allow").to_numpy(zero_copy_only=False),
        event_recorded_at=_ints(events, "recorded_at"),
        purpose_names=tuple(purpose.dictionary.to_pylist()),
    )
