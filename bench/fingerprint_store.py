"""How fast does the fingerprint index load from the database at server start?

Fills a fresh SQLite file (or the PostgreSQL database in --database) with synthetic
fingerprints at the density real music has (24 peaks and about 145 landmarks a second,
measured with consentry.audio on generated music), four-minute recordings, then times
``CatalogueIndex.refresh`` from empty with no snapshot (the first start: one sort of every
landmark, then the snapshot is written), a start from the snapshot (every later start), a
refresh when nothing changed (what every identification does first), one after another
process added a recording, and the refresh that folds a tenth more recordings into the main
index (a sort of the new ones, a linear merge, the snapshot rewritten).

    python bench/fingerprint_store.py [--hours 300] [--database URL]
"""

from __future__ import annotations

import argparse
import platform
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, insert

from consentry.audio.fingerprint import Fingerprint
from consentry.audio.landmarks import Landmarks
from consentry.audio.peaks import FRAME_SECONDS, Peaks
from consentry.store.catalogue_index import INDEX_SNAPSHOT, CatalogueIndex
from consentry.store.database import make_engine
from consentry.store.fingerprints import encode_fingerprint, reference_key, save_fingerprint
from consentry.store.migrate import upgrade
from consentry.store.parties import create_rights_holder
from consentry.store.schema import fingerprints, reference_recordings

TRACK_SECONDS = 240.0
PEAKS_PER_SECOND = 24
LANDMARKS_PER_SECOND = 145


def synthetic(rng: np.random.Generator, seconds: float) -> Fingerprint:
    frames = int(seconds / FRAME_SECONDS)
    n_peaks, n_marks = int(seconds * PEAKS_PER_SECOND), int(seconds * LANDMARKS_PER_SECOND)
    peaks = Peaks(np.sort(rng.integers(0, frames, n_peaks)).astype(np.int32),
                  rng.uniform(150, 3800, n_peaks).astype(np.float32), frames)
    marks = Landmarks(rng.integers(0, 1 << 31, n_marks, dtype=np.uint32),
                      np.sort(rng.integers(0, frames, n_marks)).astype(np.int32))
    return Fingerprint(peaks, marks)


def fill(url: str, hours: float) -> tuple[int, float]:
    engine = make_engine(url)
    upgrade(engine)
    rng = np.random.default_rng(7)
    count = int(hours * 3600 / TRACK_SECONDS)
    stored = 0
    with engine.begin() as conn:
        holder = create_rights_holder(conn, "Bench Records").id
    for start in range(0, count, 200):
        with engine.begin() as conn:
            for number in range(start, min(count, start + 200)):
                fingerprint = synthetic(rng, TRACK_SECONDS)
                reference = conn.execute(insert(reference_recordings).values(
                    rights_holder_id=holder, title=f"bench {number}",
                    audio_sha256=f"{number:064x}", duration_ms=int(TRACK_SECONDS * 1000),
                    created_at=0)).inserted_primary_key[0]
                blob = encode_fingerprint(fingerprint)
                stored += len(blob)
                conn.execute(insert(fingerprints).values(
                    recording_key=reference_key(reference), reference_id=reference,
                    audio_sha256=f"{number:064x}", frame_count=fingerprint.peaks.frame_count,
                    landmarks=len(fingerprint.landmarks), data=blob, created_at=0))
    engine.dispose()
    return count, stored / hours


def add_tenth(engine: Engine, recordings: int) -> int:
    """Store a tenth more recordings and one: enough for the next refresh to fold them in."""
    rng, count = np.random.default_rng(11), recordings // 10 + 1
    with engine.begin() as conn:
        for number in range(count):
            save_fingerprint(conn, f"track:{number + 2}", synthetic(rng, TRACK_SECONDS),
                             "e" * 64)
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=300.0)
    parser.add_argument("--database", help="a database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="consentry-bench-") as directory:
        url = args.database or f"sqlite:///{Path(directory) / 'bench.db'}"
        started = time.perf_counter()
        count, per_hour = fill(url, args.hours)
        print(f"stored {count} recordings ({args.hours:g} hours, {per_hour / 1e6:.2f} MB of "
              f"blob per hour) in {time.perf_counter() - started:.1f} s")
        engine = make_engine(url)
        snapshot = Path(directory) / INDEX_SNAPSHOT
        with engine.connect() as conn:
            load = CatalogueIndex(snapshot).refresh(conn)
        print(f"first start (no snapshot): loaded {load.added} recordings in "
              f"{load.seconds:.2f} s, snapshot of {snapshot.stat().st_size / 1e9:.2f} GB "
              f"written; peak memory "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6:.2f} GB")
        index = CatalogueIndex(snapshot)
        with engine.connect() as conn:
            load = index.refresh(conn)
            print(f"start from the snapshot: {index.recordings} recordings "
                  f"({index.hours:.0f} hours) in {load.seconds:.2f} s")
            started = time.perf_counter()
            for _ in range(100):
                index.refresh(conn)
            print(f"unchanged check: {(time.perf_counter() - started) * 10:.2f} ms each")
        with engine.begin() as conn:
            save_fingerprint(conn, "track:1", synthetic(np.random.default_rng(1), 240.0),
                             "f" * 64)
        with engine.connect() as conn:
            load = index.refresh(conn)
        print(f"after another process added one recording: refreshed in {load.seconds:.2f} s")
        added = add_tenth(engine, index.recordings)
        with engine.connect() as conn:
            load = index.refresh(conn)
        print(f"after {added} more recordings, folded into the main index (snapshot "
              f"rewritten) in {load.seconds:.2f} s")
        print(f"python {platform.python_version()}, {platform.machine()}, "
              f"{engine.url.get_backend_name()}")
        engine.dispose()


if __name__ == "__main__":
    main()
