"""The process's in-memory fingerprint index, kept in step with the ``fingerprints`` table.

Built once at start (one merge sort for every recording), then refreshed by difference
whenever one small query (``fingerprint_version``) shows that this or another process added,
replaced or removed a recording: only the new rows' blobs are read. Searches and refreshes
take one lock, because the index reorganises its arrays when it changes.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Connection

from consentry.audio.fingerprint_index import FingerprintIndex
from consentry.audio.matching import Match, match_peaks
from consentry.audio.peaks import Peaks
from consentry.store.fingerprints import (
    decode_fingerprint,
    fingerprint_keys,
    fingerprint_version,
    load_fingerprints,
)

_BATCH = 500  # blobs read per query while loading


@dataclass(frozen=True)
class IndexLoad:
    """What the last refresh did, for the logs and the load benchmark."""

    added: int
    removed: int
    seconds: float


class CatalogueIndex:
    """Every stored fingerprint, searchable; ``match`` first brings it up to date."""

    def __init__(self) -> None:
        self._index = FingerprintIndex()
        self._rows: dict[int, str] = {}  # fingerprints.id -> recording key
        self._version: tuple[int, int] | None = None
        self._lock = threading.Lock()
        self.last_load = IndexLoad(0, 0, 0.0)

    @property
    def recordings(self) -> int:
        return len(self._index)

    @property
    def hours(self) -> float:
        return self._index.hours

    def refresh(self, conn: Connection) -> IndexLoad:
        """Bring the index up to date with the table (a no-op when nothing changed)."""
        version = fingerprint_version(conn)
        with self._lock:
            if version == self._version:
                return IndexLoad(0, 0, 0.0)
            return self._refresh(conn, version)

    def match(self, conn: Connection, peaks: Peaks,
              exclude: frozenset[str] = frozenset()) -> list[Match]:
        """The stored recordings the query's peaks contain, except ``exclude``'s keys."""
        version = fingerprint_version(conn)
        with self._lock:
            if version != self._version:
                self._refresh(conn, version)
            return [m for m in match_peaks(self._index, peaks) if m.track_id not in exclude]

    def _refresh(self, conn: Connection, version: tuple[int, int]) -> IndexLoad:
        started = time.perf_counter()
        present = fingerprint_keys(conn)
        removed = [row for row in self._rows if row not in present]
        for row in removed:
            self._index.remove(self._rows.pop(row))
        added = sorted(row for row in present if row not in self._rows)
        for start in range(0, len(added), _BATCH):
            for row, key, blob in load_fingerprints(conn, added[start:start + _BATCH]):
                if key in self._index:  # replaced by a row this refresh has not dropped yet
                    self._index.remove(key)
                    self._rows = {r: k for r, k in self._rows.items() if k != key}
                self._index.add(key, decode_fingerprint(blob))
                self._rows[row] = key
        self._index.search(np.zeros(0, np.uint32))  # merge the added rows now, in one sort
        self._version = version
        self.last_load = IndexLoad(len(added), len(removed), time.perf_counter() - started)
        return self.last_load
