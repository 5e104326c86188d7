"""How long does a dataset snapshot of a large catalogue take?

    .venv/bin/python bench/datasets.py [--tracks 1000000] [--purpose train-generative]

Builds the synthetic catalogue of bench/decisions.py in a fresh SQLite file (1,000,000
tracks, co-owners, labels, 300,000 consent events), then takes snapshots through the same
function as the API (``store.datasets.create_snapshot``): decisions, settling events, the
manifest (Parquet), its signature, the snapshot's rows and its log entry. Two snapshots at one
instant must have the same manifest hash. Target (issue 8): under 30 s for 1,000,000 tracks.
"""

from __future__ import annotations

import argparse
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from consentry.services.dataset_snapshots import create_snapshot
from consentry.store.database import make_engine
from consentry.store.datasets import manifest_path
from consentry.timestamps import utcnow
from cpu import one_core  # type: ignore[import-not-found]
from decisions import build_catalogue  # type: ignore[import-not-found]

TARGET_S = 30.0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=1_000_000)
    parser.add_argument("--purpose", default="train-generative")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args(argv)
    key = Ed25519PrivateKey.generate()
    with tempfile.TemporaryDirectory(prefix="consentry-bench-datasets-") as tmp:
        directory = Path(tmp)
        engine = make_engine(f"sqlite:///{directory / 'bench.db'}")
        print(f"building {args.tracks:,} tracks ...", flush=True)
        catalogue = build_catalogue(engine, args.tracks, np.random.default_rng(args.seed))
        at = utcnow()
        seconds, hashes, sizes = [], set(), []
        with one_core() as core:
            for run in range(args.runs):
                started = time.perf_counter()
                snapshot = create_snapshot(engine, directory, args.purpose, at, None,
                                           "bench.example/log", key, "bench")
                seconds.append(time.perf_counter() - started)
                hashes.add(snapshot.manifest_sha256)
                sizes.append(manifest_path(directory, snapshot.id).stat().st_size)
                print(f"  run {run + 1}: {seconds[-1]:.1f} s, {snapshot.tracks:,} tracks",
                      flush=True)
        engine.dispose()
    median = statistics.median(seconds)
    print(f"""
consentry dataset-snapshot benchmark (Python {platform.python_version()}, SQLite \
{sqlite3.sqlite_version}, {core})
catalogue  {args.tracks:,} tracks, {catalogue.events:,} consent events (built in \
{catalogue.build_s:.0f} s)
snapshot   '{args.purpose}': {snapshot.tracks:,} eligible tracks, median {median:.1f} s \
(min {min(seconds):.1f} s) over {args.runs} runs; manifest {sizes[-1] / 2**20:.1f} MiB
           same instant, same manifest hash: {'yes' if len(hashes) == 1 else 'NO'}
target     under {TARGET_S:.0f} s: {'met' if median < TARGET_S else 'MISSED'}""")
    return 0 if len(hashes) == 1 else 1


if __name__ == "__main__":
    sys.exit(main())
