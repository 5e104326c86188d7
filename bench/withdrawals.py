"""How long does a consent change take when it withdraws many tracks from large snapshots?

    .venv/bin/python bench/withdrawals.py [--tracks 1000000] [--artist-tracks 50000]

Builds the synthetic catalogue of bench/decisions.py in a fresh SQLite file, adds one artist
with ``--artist-tracks`` tracks who allows generative training, takes two snapshots of the
whole catalogue for it, then times ``consent_choices.record_choice`` (the transaction that
records the event, logs it, finds the withdrawals, logs them and queues their webhooks) for: her
artist-wide "no" (every one of her tracks leaves both snapshots), one track's "no" by an
ordinary artist, and a "no" by an artist in no snapshot (five of each, the median).
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
from sqlalchemy import func, select

from consentry.consent import Choice, ConsentChoice
from consentry.services import consent_choices
from consentry.services.dataset_snapshots import create_snapshot
from consentry.store import parties
from consentry.store.database import make_engine
from consentry.store.schema import dataset_tracks, tracks, withdrawn_tracks
from consentry.timestamps import to_micros, utcnow
from cpu import one_core  # type: ignore[import-not-found]
from decisions import build_catalogue  # type: ignore[import-not-found]

PURPOSE = "train-generative"
REPEATS = 5


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=1_000_000)
    parser.add_argument("--artist-tracks", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args(argv)
    key = Ed25519PrivateKey.generate()
    with tempfile.TemporaryDirectory(prefix="consentry-bench-withdrawals-") as tmp:
        directory = Path(tmp)
        engine = make_engine(f"sqlite:///{directory / 'bench.db'}")
        print(f"building {args.tracks:,} tracks ...", flush=True)
        catalogue = build_catalogue(engine, args.tracks, np.random.default_rng(args.seed))
        with engine.begin() as conn:
            big = parties.create_artist(conn, "Prolific").id
            first = int(conn.execute(select(func.max(tracks.c.id))).scalar_one()) + 1
            now = to_micros(utcnow())
            conn.execute(tracks.insert(), [
                {"id": i, "title": f"Prolific {i}", "artist_id": big, "created_at": now}
                for i in range(first, first + args.artist_tracks)])
            consent_choices.record_choice(conn, ConsentChoice(big, PURPOSE, Choice.ALLOW))
        print("taking two snapshots ...", flush=True)
        snapshots = [create_snapshot(engine, directory, PURPOSE, utcnow(), None,
                                     "bench.example/log", key, "bench") for _ in range(2)]
        with engine.connect() as conn:
            ordinary = conn.execute(
                select(tracks.c.id, tracks.c.artist_id)
                .where(tracks.c.id.in_(select(dataset_tracks.c.track_id)
                                       .where(dataset_tracks.c.snapshot_id == snapshots[0].id)),
                       tracks.c.artist_id != big).limit(REPEATS)).all()
        with engine.begin() as conn:
            outsiders = [parties.create_artist(conn, f"Outsider {i}").id
                         for i in range(REPEATS + 1)]
        with engine.begin() as conn:  # warm the caches: the first event of a process is slow
            consent_choices.record_choice(conn, ConsentChoice(
                outsiders[-1], "ai-input", Choice.DENY))
        cases = {
            "artist-wide 'no'": [ConsentChoice(big, PURPOSE, Choice.DENY)],
            "one track's 'no'": [ConsentChoice(a, PURPOSE, Choice.DENY, track_id=t)
                                 for t, a in ordinary],
            "in no snapshot": [ConsentChoice(o, PURPOSE, Choice.DENY) for o in outsiders[:-1]],
        }
        timings: dict[str, list[float]] = {}
        with one_core() as core:
            for name, choices in cases.items():
                for choice in choices:
                    started = time.perf_counter()
                    with engine.begin() as conn:
                        consent_choices.record_choice(conn, choice)
                    timings.setdefault(name, []).append(time.perf_counter() - started)
        with engine.connect() as conn:
            withdrawn = conn.execute(select(func.count()).select_from(withdrawn_tracks)
                                     ).scalar_one()
        engine.dispose()
    print(f"""
consentry withdrawal benchmark (Python {platform.python_version()}, SQLite \
{sqlite3.sqlite_version}, {core})
catalogue  {args.tracks + args.artist_tracks:,} tracks, {catalogue.events:,} consent events; \
two snapshots of {snapshots[0].tracks:,} tracks each
withdrawn  {withdrawn:,} (snapshot, track) pairs in all""")
    for name, seconds in timings.items():
        print(f"{name:17}  {statistics.median(seconds) * 1000:,.0f} ms (the whole transaction"
              + (f", median of {len(seconds)})" if len(seconds) > 1 else ")"))
    expected = 2 * args.artist_tracks + 2 * REPEATS
    return 0 if withdrawn == expected else 1


if __name__ == "__main__":
    sys.exit(main())
