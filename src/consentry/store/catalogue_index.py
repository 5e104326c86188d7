"""The process's in-memory fingerprint index, kept in step with the ``fingerprints`` table.

Sorting every landmark is what building an index costs (about 0.15 s per million landmarks
here, so half a minute for hundreds of hours), so it is done rarely: the sorted index is saved
beside the data (``snapshot``) and read back at start without sorting, and recordings added
since go to a small second index that is searched too. One small query
(``fingerprint_version``) before each search tells whether this or another process added,
replaced or removed a recording; only the new rows' blobs are then read. When the second
index grows past a tenth of the first, the two are merged (the new entries sorted, then
merged in one linear pass) and the snapshot rewritten.
Searches and refreshes take one lock, because the indexes reorganise their arrays on change.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import Connection

from consentry.audio.fingerprint import Fingerprint
from consentry.audio.fingerprint_index import FingerprintIndex
from consentry.audio.matching import Match, match_peaks
from consentry.audio.peaks import Peaks
from consentry.errors import InvalidInput
from consentry.store.fingerprints import (
    decode_fingerprint,
    fingerprint_keys,
    fingerprint_version,
    load_fingerprints,
)

INDEX_SNAPSHOT = "fingerprint-index.npz"  # in the data directory
_BATCH = 500  # blobs read per query while loading
_FOLD_SHARE = 0.1  # merge the recent index into the main one past this share of landmarks
logger = logging.getLogger("consentry.store")


@dataclass(frozen=True)
class IndexLoad:
    """What a refresh did, for the logs and the load benchmark."""

    added: int
    removed: int
    seconds: float
    from_snapshot: bool = False


class CatalogueIndex:
    """Every stored fingerprint, searchable; ``match`` first brings it up to date.

    With a ``snapshot`` path, the sorted index is read from it at the first refresh and
    written to it whenever the main index is rebuilt.
    """

    def __init__(self, snapshot: Path | None = None) -> None:
        self.snapshot = snapshot
        self._main = FingerprintIndex()
        self._recent = FingerprintIndex()
        self._recent_prints: dict[str, Fingerprint] = {}  # kept to merge them later
        self._rows: dict[int, str] = {}  # fingerprints.id -> recording key
        self._version: tuple[int, int] | None = None
        self._lock = threading.Lock()

    @property
    def recordings(self) -> int:
        return len(self._main) + len(self._recent)

    @property
    def loaded(self) -> bool:
        """Whether the first refresh is done (until then a match would read every row)."""
        return self._version is not None

    @property
    def hours(self) -> float:
        return self._main.hours + self._recent.hours

    def refresh(self, conn: Connection) -> IndexLoad:
        """Bring the index up to date with the table (one small query when nothing changed)."""
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
            found = [m for index in (self._main, self._recent) if len(index)
                     for m in match_peaks(index, peaks) if m.track_id not in exclude]
        return sorted(found, key=lambda m: (m.query_start, -m.significance))

    def _refresh(self, conn: Connection, version: tuple[int, int]) -> IndexLoad:
        started = time.perf_counter()
        from_snapshot = self._version is None and self._read_snapshot()
        present = fingerprint_keys(conn)
        removed = [row for row, key in self._rows.items() if present.get(row) != key]
        for row in removed:
            self._drop(self._rows.pop(row))
        added = sorted(row for row in present if row not in self._rows)
        for start in range(0, len(added), _BATCH):
            for row, key, blob in load_fingerprints(conn, added[start:start + _BATCH]):
                if self._drop(key):  # replaced by a row this refresh has not dropped yet
                    self._rows = {r: k for r, k in self._rows.items() if k != key}
                fingerprint = decode_fingerprint(blob)
                self._recent.add(key, fingerprint)
                self._recent_prints[key] = fingerprint
                self._rows[row] = key
        self._version = version
        if self._recent.landmark_count > _FOLD_SHARE * self._main.landmark_count:
            self._fold()
        else:
            self._recent.prepare()  # sort the few added rows now, not in the next match
        return IndexLoad(len(added), len(removed), time.perf_counter() - started, from_snapshot)

    def _drop(self, key: str) -> bool:
        """Remove the recording from whichever index holds it; whether one did."""
        held = key in self._main or key in self._recent
        if key in self._main:
            self._main.remove(key)
        if key in self._recent:
            self._recent.remove(key)
            del self._recent_prints[key]
        return held

    def _fold(self) -> None:
        """Merge the recent recordings into the main index and save it."""
        self._main.add_many(self._recent_prints.items())
        self._main.prepare()
        self._recent, self._recent_prints = FingerprintIndex(), {}
        self._write_snapshot()

    def _read_snapshot(self) -> bool:
        if self.snapshot is None or not self.snapshot.is_file():
            return False
        try:
            with np.load(self.snapshot, allow_pickle=False) as stored:
                arrays = {name: stored[name] for name in stored.files}
            main = FingerprintIndex.from_arrays(arrays)
            main.prepare()  # the search directory, before the first request rather than in it
            rows = dict(zip((int(r) for r in arrays["row_ids"]),
                            (str(k) for k in arrays["row_keys"]), strict=True))
        except (InvalidInput, ValueError, KeyError, OSError) as error:
            logger.warning("fingerprint index snapshot %s unusable, rebuilding: %s",
                           self.snapshot, error)
            return False
        if set(rows.values()) != set(main.track_ids):
            logger.warning("fingerprint index snapshot %s disagrees with itself", self.snapshot)
            return False
        self._main, self._rows = main, rows
        return True

    def _write_snapshot(self) -> None:
        """Written whole to a temporary file, then renamed: readers see the old or the new."""
        if self.snapshot is None:
            return
        in_main = {row: key for row, key in self._rows.items() if key in self._main}
        arrays = self._main.to_arrays() | {
            "row_ids": np.array(list(in_main), dtype=np.int64),
            "row_keys": np.array(list(in_main.values()), dtype=np.str_)}
        name = ""
        try:  # a read-only or full data directory only costs the next start its speed-up
            self.snapshot.parent.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(prefix=".index-", dir=self.snapshot.parent)
            with os.fdopen(handle, "wb") as file:
                np.savez(file, **arrays)
            os.replace(name, self.snapshot)
        except OSError:
            if name:
                Path(name).unlink(missing_ok=True)
            logger.exception("could not save the fingerprint index to %s", self.snapshot)
