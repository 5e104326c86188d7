"""How long do usage and compensation statements take over million-track snapshots?

    .venv/bin/python bench/usage.py [--tracks 1000000]

Builds the synthetic catalogue of bench/decisions.py in a fresh SQLite file, takes two
snapshots through ``store.datasets.create_snapshot`` (generative training, and
recommendations: most tracks are in one, many in both), then times what the statements do:
the whole pool's compensation (units per track, owners' shares, largest remainders), one
artist's uses and compensation lines, and the CSV of every use, streamed. The parts must sum
exactly to the pool.
"""

from __future__ import annotations

import argparse
import platform
import sqlite3
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import numpy as np
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from consentry.services.dataset_snapshots import create_snapshot
from consentry.store.database import make_engine
from consentry.store.usage import compensation, count_uses, iter_uses, list_uses
from consentry.timestamps import utcnow
from consentry.usage import USE_COLUMNS, UsageScope, View, compensation_lines, csv_chunks, use_row
from consentry.usage.inputs import Period
from cpu import one_core  # type: ignore[import-not-found]
from decisions import build_catalogue  # type: ignore[import-not-found]

POOL = 123_456_789_01  # €123,456,789.01 in cents


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args(argv)
    key = Ed25519PrivateKey.generate()
    with tempfile.TemporaryDirectory(prefix="consentry-bench-usage-") as tmp:
        directory = Path(tmp)
        engine = make_engine(f"sqlite:///{directory / 'bench.db'}")
        print(f"building {args.tracks:,} tracks ...", flush=True)
        build_catalogue(engine, args.tracks, np.random.default_rng(args.seed))
        at = utcnow()
        taken = [create_snapshot(engine, directory, purpose, at, None, "bench.example/log", key,
                                 "bench") for purpose in ("train-generative", "recommendations")]
        print("snapshots: " + ", ".join(f"{s.tracks:,} tracks" for s in taken), flush=True)
        today = at.date()
        period = Period(today - timedelta(days=30), today)
        figures = {}
        with one_core() as core, engine.connect() as conn:
            started = time.perf_counter()
            result = compensation(engine, POOL, period)
            figures["compensation"] = time.perf_counter() - started
            exact = sum(t.amount for t in result.tracks) == POOL == sum(
                p.amount for p in result.owners)
            artist = next(iter(result.artist_totals()))
            started = time.perf_counter()
            scope = UsageScope(artist_id=artist)
            uses = count_uses(conn, scope, period)
            list_uses(conn, scope, period, 100)
            figures["artist_page"] = time.perf_counter() - started
            started = time.perf_counter()
            lines = compensation_lines(result, View.ARTIST, artist, {}, {})
            figures["artist_lines"] = time.perf_counter() - started
            started = time.perf_counter()
            size = sum(len(chunk) for chunk in csv_chunks(
                USE_COLUMNS, (use_row(u) for u in iter_uses(conn, UsageScope(), period))))
            figures["csv"] = time.perf_counter() - started
        engine.dispose()
    print(f"""
consentry usage-statement benchmark (Python {platform.python_version()}, SQLite \
{sqlite3.sqlite_version}, {core})
uses         {result.total_units:,} (track in snapshot) over {len(result.tracks):,} tracks
compensation whole pool over {len(result.owners):,} owner lines: \
{figures['compensation']:.1f} s; parts sum exactly to the pool: {'yes' if exact else 'NO'}
artist       {uses} uses: count and first page {figures['artist_page'] * 1000:.0f} ms; \
{len(lines)} compensation lines picked in {figures['artist_lines'] * 1000:.0f} ms
csv          every use streamed: {figures['csv']:.1f} s, {size / 2**20:.0f} MiB""")
    return 0 if exact else 1


if __name__ == "__main__":
    sys.exit(main())
