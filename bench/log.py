"""How fast is the transparency log? Appends with their stored hashes, and proofs at scale.

    .venv/bin/python bench/log.py [--entries 10000000] [--append 200000] [--batch 1000]

1. Append throughput: consent-event-sized records appended through the same function the
   ledger uses (``store.transparency_log.append``), in batches, each batch with its signed
   checkpoint, on one core, into a fresh SQLite file. Target: at least 100,000 entries/s
   (issue 21). Baseline in the same run: the plain path (SQLAlchemy's executemany, the new
   leaves read back to fold the subtrees), as append was before.
2. Proof latency: a log of ``--entries`` entries (small records, built in large batches through
   the same function), then random inclusion and consistency proofs from the stored hashes,
   each verified against the root. Baseline in the same run: the same proofs recomputed from
   the list of leaf hashes (the in-memory path of ``ledger.merkle``) on a smaller log.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, insert, update
from sqlalchemy.engine import Engine

from consentry.ledger import merkle
from consentry.ledger.records import LogRecord, canonical
from consentry.ledger.tiles import subtrees_completed
from consentry.store.database import make_engine
from consentry.store.migrate import upgrade
from consentry.store.schema import log_entries, log_head, log_subtrees
from consentry.store.transparency_log import (
    DatabaseHashes,
    append,
    consistency_proof,
    entries,
    inclusion_proof,
    root_at,
    sign_current,
)
from consentry.timestamps import to_micros, utcnow
from cpu import one_core  # type: ignore[import-not-found]

APPEND_TARGET = 100_000


def _event(i: int) -> LogRecord:
    """A record the size of a real consent event."""
    return LogRecord("consent-event", i + 1, canonical({
        "format": 1, "kind": "consent-event", "id": i + 1, "artist_id": 1 + i % 100_000,
        "track_id": None if i % 3 else 1 + i % 1_000_000, "purpose": "train-generative",
        "choice": "deny" if i % 2 else "allow", "recorded_at": 1_790_000_000_000_000 + i,
        "source": "web", "recorded_by": f"user:{1 + i % 5000}",
        "terms_version": "1"}))


def _small(i: int) -> LogRecord:
    return LogRecord("bench", i, i.to_bytes(8, "big") * 2)


def _engine(directory: Path, name: str) -> Engine:
    engine = make_engine(f"sqlite:///{directory / name}")
    upgrade(engine)
    return engine


def plain_append(conn: Connection, records: Sequence[LogRecord]) -> None:
    """The append before issue 21: SQLAlchemy's executemany, leaves read back to fold."""
    new_size = conn.execute(update(log_head).where(log_head.c.id == 1)
                            .values(size=log_head.c.size + len(records))
                            .returning(log_head.c.size)).scalar_one()
    old_size, now = new_size - len(records), to_micros(utcnow())
    conn.execute(insert(log_entries), [
        {"idx": old_size + i, "kind": r.kind, "source_id": r.source_id, "data": r.data,
         "leaf_hash": r.leaf_hash, "appended_at": now} for i, r in enumerate(records)])
    completed = subtrees_completed(DatabaseHashes(conn), old_size, new_size)
    if completed:
        conn.execute(insert(log_subtrees), [
            {"height": h, "idx": i, "hash": value} for h, i, value in completed])


def bench_append(directory: Path, total: int, batch: int, name: str = "append.db",
                 appender=append) -> dict[str, float]:  # type: ignore[no-untyped-def]
    engine = _engine(directory, name)
    key = Ed25519PrivateKey.generate()
    rates = []
    start_all = time.perf_counter()
    for start in range(0, total, batch):
        records = [_event(i) for i in range(start, min(start + batch, total))]
        start_batch = time.perf_counter()
        with engine.begin() as conn:
            appender(conn, records)
            sign_current(conn, "bench.example/log", key)
        rates.append(len(records) / (time.perf_counter() - start_batch))
    seconds = time.perf_counter() - start_all
    engine.dispose()
    return {"entries": total, "batch": batch, "seconds": seconds,
            "overall_per_s": total / seconds, "median_batch_per_s": statistics.median(rates)}


def build_log(directory: Path, total: int) -> tuple[Engine, float]:
    engine = _engine(directory, "proofs.db")
    started = time.perf_counter()
    step = 100_000
    for start in range(0, total, step):
        with engine.begin() as conn:
            append(conn, [_small(i) for i in range(start, min(start + step, total))])
        done = min(start + step, total)
        if done % 1_000_000 == 0 or done == total:
            print(f"  built {done:,} entries", flush=True)
    return engine, time.perf_counter() - started


def _timed(calls: Sequence[tuple[str, int, int]], engine: Engine, size: int,
           root: bytes) -> dict[str, float]:
    latencies: dict[str, list[float]] = {"inclusion": [], "consistency": []}
    with engine.connect() as conn:
        old_roots = {}
        for kind, a, _b in calls:
            if kind == "consistency" and a not in old_roots:
                old_roots[a] = root_at(conn, a)
        for kind, a, _b in calls:
            started = time.perf_counter()
            if kind == "inclusion":
                proof = inclusion_proof(conn, a, size)
                latencies[kind].append(time.perf_counter() - started)
                leaf = entries(conn, a, a + 1)[0].leaf_hash
                assert merkle.verify_inclusion(leaf, a, size, proof, root)
            else:
                proof = consistency_proof(conn, a, size)
                latencies[kind].append(time.perf_counter() - started)
                assert merkle.verify_consistency(a, size, old_roots[a], root, proof)
    return {f"{kind}_{q}_ms": statistics.quantiles(v, n=100)[p] * 1000
            for kind, v in latencies.items() for q, p in (("p50", 49), ("p99", 98))}


def bench_proofs(engine: Engine, size: int, count: int) -> dict[str, float]:
    rng = random.Random(7)
    with engine.connect() as conn:
        root = root_at(conn, size)
    calls = [("inclusion", rng.randrange(size), size) for _ in range(count)]
    calls += [("consistency", rng.randrange(1, size), size) for _ in range(count // 5)]
    return _timed(calls, engine, size, root)


def bench_baseline(size: int, count: int) -> dict[str, float]:
    """Proofs from the in-memory list, as ``ledger.merkle`` computes them for any list."""
    leaves = [merkle.leaf_hash(_small(i).data) for i in range(size)]
    rng = random.Random(7)
    times = []
    for _ in range(count):
        started = time.perf_counter()
        merkle.inclusion_proof(leaves, rng.randrange(size))
        times.append(time.perf_counter() - started)
    return {"entries": size, "inclusion_p50_ms": statistics.median(times) * 1000}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000_000, help="log size for proofs")
    parser.add_argument("--append", type=int, default=200_000, help="entries to append, timed")
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--proofs", type=int, default=1_000)
    parser.add_argument("--baseline-entries", type=int, default=100_000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="consentry-bench-log-") as tmp, one_core() as core:
        directory = Path(tmp)
        print(f"appending {args.append:,} entries in batches of {args.batch:,} ...", flush=True)
        appended = bench_append(directory, args.append, args.batch)
        plain = bench_append(directory, args.append, args.batch, "plain.db", plain_append)
        print(f"building a log of {args.entries:,} entries ...", flush=True)
        engine, build_s = build_log(directory, args.entries)
        print("timing proofs ...", flush=True)
        proofs = bench_proofs(engine, args.entries, args.proofs)
        db_bytes = (directory / "proofs.db").stat().st_size
        engine.dispose()
        baseline = bench_baseline(args.baseline_entries, 20)
    figures = {
        "configuration": {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
                          "cpu_count": os.cpu_count(), "pinned_to": core},
        "append": appended, "plain_append": plain,
        "build": {"entries": args.entries, "seconds": build_s, "database_bytes": db_bytes},
        "proofs": proofs | {"entries": args.entries, "count": args.proofs},
        "baseline": baseline,
    }
    verdict = "met" if appended["overall_per_s"] >= APPEND_TARGET else "MISSED"
    print(f"""
consentry transparency-log benchmark (Python {platform.python_version()}, SQLite \
{sqlite3.sqlite_version}, {core})
append   {appended['entries']:,} consent-event records in batches of {appended['batch']:,}: \
{appended['overall_per_s']:,.0f} entries/s overall, median batch \
{appended['median_batch_per_s']:,.0f}/s, a signed checkpoint per batch \
(target {APPEND_TARGET:,}/s: {verdict})
         the plain path in the same run: {plain['overall_per_s']:,.0f} entries/s \
({appended['overall_per_s'] / plain['overall_per_s']:.2f}x)
build    {args.entries:,} small entries in {build_s:.0f} s ({args.entries / build_s:,.0f}/s), \
{db_bytes / 2**20:,.0f} MiB
proofs   at {args.entries:,} entries, each verified: inclusion p50 \
{proofs['inclusion_p50_ms']:.2f} ms, p99 {proofs['inclusion_p99_ms']:.2f} ms; consistency p50 \
{proofs['consistency_p50_ms']:.2f} ms, p99 {proofs['consistency_p99_ms']:.2f} ms
baseline in-memory recomputation at {baseline['entries']:,} entries: inclusion p50 \
{baseline['inclusion_p50_ms']:.1f} ms""")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
