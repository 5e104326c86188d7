"""How fast are decisions? The whole catalogue at once, the per-track loop, one over HTTP.

Builds a synthetic catalogue in a fresh SQLite file, so any machine can reproduce the figures:

    python bench/decisions.py [--tracks N] [--requests N] [--concurrency 1,4,16] [--json PATH]

The catalogue and the per-track loop are timed pinned to one core, because the vectorized path
is meant to be single-threaded; the HTTP load runs the real server (`consentry serve`) as a
subprocess on loopback and its client in this process.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import sqlite3
import statistics
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from sqlalchemy import Connection, Table
from sqlalchemy.engine import Engine

from consentry.access import Role
from consentry.consent import CatalogueDecisions, Rule, decide_catalogue
from consentry.purposes import deny_chain, get_purpose
from consentry.services.decisions import decide_all, decide_tracks
from consentry.store.catalogue import create_agreement, get_tracks, list_agreements
from consentry.store.columns import forget_track_columns, load_columns
from consentry.store.database import make_engine
from consentry.store.migrate import upgrade
from consentry.store.parties import create_rights_holder
from consentry.store.schema import artists, consent_events, track_shares, tracks
from consentry.store.terms import ensure_baseline_terms, terms_at
from consentry.store.tokens import create_token
from consentry.timestamps import to_micros, utcnow
from cpu import one_core  # type: ignore[import-not-found]
from loopback import load, serve  # type: ignore[import-not-found]

DECIDE_TARGET_S = 0.5
HTTP_P99_TARGET_MS = 20.0
BUILD_TARGET_S = 120.0
CHUNK = 100_000
BUILD_CACHE_KIB = 512 * 1024  # the indexes' random inserts stay in memory until the commit
YEAR_MICROS = 365 * 86_400 * 1_000_000
# Purposes of the synthetic events, with their weights: mostly training, some internal uses.
EVENT_PURPOSES = {
    "train-generative": 0.25, "train-ai": 0.15, "voice-likeness": 0.10,
    "train-non-generative": 0.10, "third-party-training": 0.10, "recommendations": 0.10,
    "ai-use": 0.10, "ai-input": 0.05, "content-organisation": 0.05,
}
# (restricted purposes, starts years ago, ends years ago or None): one per rights holder.
AGREEMENTS = [
    (frozenset({"train-generative"}), 2.0, None),
    (frozenset({"train-ai"}), 3.0, 1.0),
    (frozenset({"voice-likeness"}), 1.0, None),
    (frozenset({"third-party-training"}), 4.0, None),
]
RIGHTS_HOLDERS = len(AGREEMENTS) + 1


@dataclass(frozen=True)
class Catalogue:
    tracks: int
    artists: int
    rights_holders: int
    agreements: int
    co_owned_tracks: int
    share_rows: int
    events: int
    artist_wide_events: int
    build_s: float

    @property
    def co_owned_share(self) -> float:
        return self.co_owned_tracks / self.tracks


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    get_purpose(args.purpose)
    rng = np.random.default_rng(args.seed)
    with tempfile.TemporaryDirectory(prefix="consentry-bench-") as directory:
        url = f"sqlite:///{Path(directory) / 'bench.db'}"
        engine = make_engine(url)
        print(f"building {args.tracks:,} tracks in {url} ...", flush=True)
        catalogue = build_catalogue(engine, args.tracks, rng)
        print(f"built in {catalogue.build_s:.1f} s", flush=True)
        at = utcnow()
        with one_core() as core:
            print(f"deciding the whole catalogue (pinned to {core}) ...", flush=True)
            whole, decided = bench_whole_catalogue(engine, args.purpose, at, args.runs)
            print("deciding a sample track by track ...", flush=True)
            per_track = bench_per_track(engine, args.purpose, at, decided, rng,
                                        min(args.sample, args.tracks), args.batch)
        secret = secrets.token_urlsafe(48)
        with engine.begin() as conn:
            token = create_token(conn, secret, "bench", Role.ADMIN).secret
        engine.dispose()
        print(f"HTTP: {args.requests:,} requests at each concurrency of {args.concurrency}, "
              f"{args.workers} server worker(s) ...", flush=True)
        http = bench_http(url, secret, token, Path(directory), args, rng)
    figures = _figures(args, catalogue, core, whole, per_track, http)
    print()
    print(_report(figures))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
        print(f"\nwrote {args.json}")
    return 0 if figures["targets"]["HTTP all answered 200"] else 1


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=3_000, help="HTTP decisions to time")
    parser.add_argument("--concurrency", type=_levels, default=[1, 4, 16],
                        help="HTTP requests in flight, comma-separated levels (default 1,4,16)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="Server worker processes (default: one per CPU)")
    parser.add_argument("--json", type=Path, help="Also write the figures here")
    parser.add_argument("--purpose", default="train-generative")
    parser.add_argument("--runs", type=int, default=5, help="Whole-catalogue repetitions")
    parser.add_argument("--sample", type=int, default=20_000, help="Tracks for the loop")
    parser.add_argument("--batch", type=int, default=1_000, help="Tracks per loop batch")
    parser.add_argument("--http-seconds", type=float, default=180,
                        help="Stop sending HTTP requests after this long")
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args(argv)
    if args.tracks < 1_000:
        parser.error("--tracks must be at least 1000")
    return args


def _levels(text: str) -> list[int]:
    levels = [int(part) for part in text.split(",") if part.strip()]
    if not levels or min(levels) < 1:
        raise argparse.ArgumentTypeError("concurrency levels must be positive integers")
    return levels


# The catalogue ---------------------------------------------------------------------------


def build_catalogue(engine: Engine, n_tracks: int, rng: np.random.Generator) -> Catalogue:
    """A migrated database with artists, labels, co-owned tracks and a consent ledger.

    Rows go in with executemany of plain tuples, in one transaction: row-at-a-time inserts
    through the repositories would take an hour for a million tracks.
    """
    start = time.perf_counter()
    upgrade(engine)
    now = to_micros(utcnow())
    n_artists = max(n_tracks // 10, 3)
    track_artist = rng.integers(1, n_artists + 1, n_tracks)
    holder = np.where(rng.random(n_tracks) < 0.3,
                      rng.integers(1, RIGHTS_HOLDERS + 1, n_tracks), 0)
    owners, points = _co_owners(track_artist, n_artists, rng)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"PRAGMA cache_size = -{BUILD_CACHE_KIB}")
        ensure_baseline_terms(conn)
        agreements = _rights_holders(conn)
        _insert(conn, artists, n_artists, lambda lo, hi: [
            (i, f"Artist {i}", now) for i in range(lo + 1, hi + 1)])
        _insert(conn, tracks, n_tracks, lambda lo, hi: [
            (i, f"Track {i}", a, h or None, f"ZZBEN{i % 10_000_000:07d}", now)
            for i, a, h in zip(range(lo + 1, hi + 1), track_artist[lo:hi].tolist(),
                               holder[lo:hi].tolist(), strict=True)])
        share_rows = _insert_shares(conn, owners, points)
        events, wide = _insert_events(conn, n_tracks, n_artists, owners, now, rng)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return Catalogue(
        tracks=n_tracks, artists=n_artists, rights_holders=RIGHTS_HOLDERS,
        agreements=agreements, co_owned_tracks=int((owners[:, 1] > 0).sum()),
        share_rows=share_rows, events=events, artist_wide_events=wide,
        build_s=time.perf_counter() - start)


def _co_owners(
    track_artist: np.ndarray, n_artists: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Owners (managing artist first, 0 for none) and basis points, one row per track.

    15% of tracks have two or three owners, all distinct; shares add up to 10,000.
    """
    n = len(track_artist)
    count = np.where(rng.random(n) < 0.15, rng.integers(2, 4, n), 1)
    first = rng.integers(1, n_artists, n)
    second = rng.integers(1, n_artists - 1, n)
    second += second >= first
    owners = np.zeros((n, 3), np.int64)
    owners[:, 0] = track_artist
    owners[:, 1] = np.where(count >= 2, (track_artist - 1 + first) % n_artists + 1, 0)
    owners[:, 2] = np.where(count == 3, (track_artist - 1 + second) % n_artists + 1, 0)
    points = np.zeros((n, 3), np.int64)
    points[:, 0] = np.where(count == 1, 10_000, rng.integers(20, 61, n) * 100)
    rest = 10_000 - points[:, 0]
    points[:, 1] = np.where(count == 2, rest, np.where(count == 3, rest // 2, 0))
    points[:, 2] = np.where(count == 3, rest - rest // 2, 0)
    return owners, points


def _rights_holders(conn: Connection) -> int:
    now = utcnow()
    holders = [create_rights_holder(conn, f"Label {i}") for i in range(1, RIGHTS_HOLDERS + 1)]
    for holder, (restricted, starts, ends) in zip(holders, AGREEMENTS, strict=False):
        create_agreement(
            conn, holder.id, f"{holder.name} catalogue deal", restricted,
            now - timedelta(days=365 * starts),
            None if ends is None else now - timedelta(days=365 * ends))
    return len(AGREEMENTS)


def _insert_shares(conn: Connection, owners: np.ndarray, points: np.ndarray) -> int:
    present = owners > 0
    track_id = np.broadcast_to(np.arange(1, len(owners) + 1)[:, None], owners.shape)[present]
    artist_id, basis_points = owners[present], points[present]
    _insert(conn, track_shares, len(track_id), lambda lo, hi: list(zip(
        track_id[lo:hi].tolist(), artist_id[lo:hi].tolist(), basis_points[lo:hi].tolist(),
        strict=True)))
    return len(track_id)


def _insert_events(
    conn: Connection, n_tracks: int, n_artists: int, owners: np.ndarray, now: int,
    rng: np.random.Generator,
) -> tuple[int, int]:
    """About 0.3 events per track over five years: 60% artist-wide, 40% on a track they own.

    Ids follow the recorded time, as they do in a ledger that only appends.
    """
    n = max(n_tracks * 3 // 10, 1)
    wide = rng.random(n) < 0.6
    track = np.where(wide, 0, rng.integers(1, n_tracks + 1, n))
    on_track = owners[np.maximum(track - 1, 0)]
    owner_count = (on_track > 0).sum(axis=1)
    which = (rng.random(n) * owner_count).astype(np.int64)
    artist = np.where(wide, rng.integers(1, n_artists + 1, n),
                      on_track[np.arange(n), which])
    names = np.array(list(EVENT_PURPOSES))
    weights = np.array(list(EVENT_PURPOSES.values()))
    purpose = names[rng.choice(len(names), n, p=weights / weights.sum())]
    choice = np.where(rng.random(n) < 0.5, "allow", "deny")
    recorded_at = np.sort(rng.integers(now - 5 * YEAR_MICROS, now - 60_000_000, n))
    _insert(conn, consent_events, n, lambda lo, hi: [
        (i, a, t or None, p, c, r, "bench", "1", "bench")
        for i, a, t, p, c, r in zip(
            range(lo + 1, hi + 1), artist[lo:hi].tolist(), track[lo:hi].tolist(),
            purpose[lo:hi].tolist(), choice[lo:hi].tolist(), recorded_at[lo:hi].tolist(),
            strict=True)])
    return n, int(wide.sum())


def _insert(
    conn: Connection, table: Table, count: int, rows: Callable[[int, int], list[tuple[Any, ...]]]
) -> None:
    """``rows(lo, hi)`` gives rows lo..hi with the table's leading columns, in order (later
    columns, such as a track's recording, stay empty); sent in big chunks."""
    for lo in range(0, count, CHUNK):
        chunk = rows(lo, min(lo + CHUNK, count))
        if not chunk:
            continue
        names = [c.name for c in table.columns][:len(chunk[0])]
        sql = (f"INSERT INTO {table.name} ({', '.join(names)}) "
               f"VALUES ({', '.join('?' for _ in names)})")
        conn.exec_driver_sql(sql, chunk)


# The whole catalogue, and the per-track loop ----------------------------------------------


def bench_whole_catalogue(
    engine: Engine, purpose: str, at: datetime, runs: int
) -> tuple[dict[str, Any], CatalogueDecisions]:
    """``decide_all`` end to end, then its two halves: reading columns, and the rules."""
    decided = decide_all(engine, purpose, at)  # warm the page cache and the imports
    totals, colds = [], []
    for _ in range(runs):
        start = time.perf_counter()
        decide_all(engine, purpose, at)
        totals.append(time.perf_counter() - start)
    for _ in range(runs):  # as after a new track: the owners' and labels' columns read again
        forget_track_columns()
        start = time.perf_counter()
        decide_all(engine, purpose, at)
        colds.append(time.perf_counter() - start)
    with engine.connect() as conn:
        terms, agreements = terms_at(conn, at), tuple(list_agreements(conn))
    purposes, at_micros = sorted(deny_chain(purpose)), to_micros(at)
    reads, rules = [], []
    for _ in range(runs):
        start = time.perf_counter()
        columns = load_columns(engine, purposes, at_micros)
        read = time.perf_counter()
        decide_catalogue(columns, purpose, at, terms, agreements)
        reads.append(read - start)
        rules.append(time.perf_counter() - read)
    allowed = int(decided.allowed.sum())
    return {
        "purpose": purpose, "runs": runs, "tracks": len(decided.track_id),
        "allowed": allowed, "denied": len(decided.track_id) - allowed,
        "by_rule": _by_rule(decided),
        "total_median_s": statistics.median(totals), "total_min_s": min(totals),
        "after_new_track_median_s": statistics.median(colds),
        "read_columns_median_s": statistics.median(reads), "read_columns_min_s": min(reads),
        "rules_median_s": statistics.median(rules), "rules_min_s": min(rules),
        "events_read": len(columns.event_id), "co_owner_rows_read": len(columns.co_owner_track_id),
    }, decided


def _by_rule(decided: CatalogueDecisions) -> dict[str, int]:
    counts = np.bincount(decided.rule, minlength=len(Rule))
    return {rule.value: int(counts[rule.code]) for rule in Rule if counts[rule.code]}


def bench_per_track(
    engine: Engine, purpose: str, at: datetime, decided: CatalogueDecisions,
    rng: np.random.Generator, sample: int, batch: int,
) -> dict[str, Any]:
    """The one-track rules on a random sample, batch by batch as the batch API runs them.

    Every answer must equal the vectorized one for the same track.
    """
    ids = rng.choice(decided.track_id, sample, replace=False).tolist()
    start = time.perf_counter()
    decisions = []
    with engine.connect() as conn:
        for lo in range(0, sample, batch):
            decisions += decide_tracks(conn, get_tracks(conn, ids[lo:lo + batch]), purpose, at)
    seconds = time.perf_counter() - start
    position = np.searchsorted(decided.track_id, [d.track_id for d in decisions])
    one = [(d.track_id, d.allowed, d.rule.code) for d in decisions]
    whole = list(zip(decided.track_id[position].tolist(), decided.allowed[position].tolist(),
                     decided.rule[position].tolist(), strict=True))
    mismatches = [(a, b) for a, b in zip(one, whole, strict=True) if a != b]
    if len(decisions) != sample or mismatches:
        raise AssertionError(f"{sample - len(decisions)} sampled tracks not found; "
                             f"{len(mismatches)} disagree, e.g. {mismatches[:5]}")
    print("agree: yes", flush=True)
    rate = sample / seconds
    return {"sample": sample, "batch": batch, "seconds": seconds, "tracks_per_s": rate,
            "full_catalogue_s": len(decided.track_id) / rate, "agree": True}


# HTTP ------------------------------------------------------------------------------------


def bench_http(
    url: str, secret: str, token: str, directory: Path, args: argparse.Namespace,
    rng: np.random.Generator,
) -> dict[str, Any]:
    """One server; for each concurrency level a warm-up, then ``args.requests`` timed."""
    levels = []
    env = {"CONSENTRY_DATABASE_URL": url, "CONSENTRY_SECRET_KEY": secret,
           "CONSENTRY_DATA_DIR": str(directory)}
    headers = {"Authorization": f"Bearer {token}"}
    query = urllib.parse.urlencode({"purpose": args.purpose})
    with serve(env, directory, args.workers) as port:
        for concurrency in args.concurrency:
            warmup = max(100, concurrency * 10)
            ids = rng.integers(1, args.tracks + 1, warmup + args.requests).tolist()
            requests = [("GET", f"/v1/tracks/{i}/decision?{query}", headers) for i in ids]
            load(port, requests[:warmup], concurrency, args.http_seconds)
            result = load(port, requests[warmup:], concurrency, args.http_seconds)
            done = len(result.latencies)
            p50, p90, p99 = (float(v) * 1000
                             for v in np.percentile(result.latencies, [50, 90, 99]))
            levels.append({
                "requests": args.requests, "completed": done, "not_sent": args.requests - done,
                "concurrency": concurrency, "warmup": warmup, "workers": args.workers,
                "p50_ms": p50, "p90_ms": p90, "p99_ms": p99,
                "max_ms": max(result.latencies) * 1000,
                "throughput_rps": done / result.seconds,
                "non_200": done - result.outcomes["200"],
                "outcomes": dict(sorted(result.outcomes.items())),
            })
    return {"levels": levels}


# The report ------------------------------------------------------------------------------


def _figures(
    args: argparse.Namespace, catalogue: Catalogue, core: str, whole: dict[str, Any],
    per_track: dict[str, Any], http: dict[str, Any],
) -> dict[str, Any]:
    return {
        "configuration": asdict(catalogue) | {
            "co_owned_share": catalogue.co_owned_share,
            "python": platform.python_version(), "cpu_count": os.cpu_count(),
            "platform": platform.platform(), "sqlite": sqlite3.sqlite_version,
            "numpy": np.__version__, "pyarrow": pa.__version__, "pinned_to": core,
            "seed": args.seed,
        },
        "whole_catalogue": whole,
        "per_track_loop": per_track | {
            "speedup": per_track["full_catalogue_s"] / whole["total_median_s"]},
        "http_single_decision": http,
        "targets": {
            f"build under {BUILD_TARGET_S:g} s": catalogue.build_s < BUILD_TARGET_S,
            f"whole catalogue under {DECIDE_TARGET_S:g} s":
                whole["total_median_s"] < DECIDE_TARGET_S,
            "per-track and vectorized paths agree": per_track["agree"],
            **{f"HTTP p99 under {HTTP_P99_TARGET_MS:g} ms at concurrency {h['concurrency']}":
               h["p99_ms"] < HTTP_P99_TARGET_MS for h in http["levels"]},
            "HTTP all answered 200": all(h["non_200"] == 0 and h["not_sent"] == 0
                                         for h in http["levels"]),
        },
    }


def _report(figures: dict[str, Any]) -> str:
    c, w = figures["configuration"], figures["whole_catalogue"]
    p, http = figures["per_track_loop"], figures["http_single_decision"]
    rules = ", ".join(f"{rule} {count:,}" for rule, count in w["by_rule"].items())
    lines = [
        "consentry decision benchmark",
        f"  catalogue  {c['tracks']:,} tracks, {c['artists']:,} artists, "
        f"{c['rights_holders']} rights holders ({c['agreements']} agreements), "
        f"{c['co_owned_share']:.1%} co-owned ({c['share_rows']:,} share rows), "
        f"{c['events']:,} consent events ({c['artist_wide_events']:,} artist-wide)",
        f"  machine    Python {c['python']}, {c['cpu_count']} CPUs, SQLite {c['sqlite']}, "
        f"numpy {c['numpy']}, pyarrow {c['pyarrow']}; decisions timed on {c['pinned_to']}",
        "",
        f"build                  {c['build_s']:.1f} s",
        f"whole catalogue        decide_all('{w['purpose']}') median {w['total_median_s']:.3f} s, "
        f"min {w['total_min_s']:.3f} s over {w['runs']} runs",
        f"  after a new track    median {w['after_new_track_median_s']:.3f} s (the owners' and "
        "labels' columns read again; other runs keep them)",
        f"  read columns         median {w['read_columns_median_s']:.3f} s, "
        f"min {w['read_columns_min_s']:.3f} s ({w['events_read']:,} events, "
        f"{w['co_owner_rows_read']:,} co-owner rows)",
        f"  rule arithmetic      median {w['rules_median_s']:.3f} s, "
        f"min {w['rules_min_s']:.3f} s",
        f"  outcome              {w['allowed']:,} allowed, {w['denied']:,} denied: {rules}",
        f"per-track loop         {p['sample']:,} random tracks in batches of {p['batch']:,}: "
        f"{p['seconds']:.2f} s, {p['tracks_per_s']:,.0f} tracks/s",
        f"  full catalogue       {p['full_catalogue_s']:,.1f} s extrapolated; the vectorized "
        f"path is {p['speedup']:,.0f}x faster",
        f"  agree: {'yes' if p['agree'] else 'NO'} ({p['sample']:,} tracks, allowed and rule)",
        *(line for h in http["levels"] for line in _http_lines(h)),
        "",
        "targets",
        *(f"  {'met   ' if met else 'MISSED'} {name}" for name, met in figures["targets"].items()),
    ]
    return "\n".join(lines)


def _http_lines(h: dict[str, Any]) -> list[str]:
    return [
        f"HTTP single decision   concurrency {h['concurrency']:>2}, {h['workers']} worker(s): "
        f"{h['completed']:,} of {h['requests']:,} requests (after {h['warmup']:,} warm-up): "
        f"p50 {h['p50_ms']:.1f} ms, p90 {h['p90_ms']:.1f} ms, p99 {h['p99_ms']:.1f} ms, "
        f"max {h['max_ms']:.1f} ms",
        f"  throughput           {h['throughput_rps']:,.0f} req/s; non-200: {h['non_200']}"
        + (f" {h['outcomes']}" if h["non_200"] else "")
        + (f"; {h['not_sent']:,} not sent before the deadline" if h["not_sent"] else ""),
    ]


if __name__ == "__main__":
    sys.exit(main())
