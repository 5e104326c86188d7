"""Concurrent consent writers against the real server: throughput, latency, and proof that
every acknowledged write is in the ledger exactly once (issue 22).

    .venv/bin/python bench/load.py [--seconds 60] [--clients 8] [--workers 1 2]
                                   [--database-url postgresql+psycopg://...] [--json out.json]

Each run: a fresh data directory, ``consentry init`` and ``demo``, ``consentry serve`` with
N workers on loopback, then ``--clients`` threads posting consent as the demo artist on
keep-alive connections for ``--seconds``. Every request carries its own ``source`` tag; after
the server stops, the ledger is read and each acknowledged (201) tag must be there exactly
once and each refused one not at all. ``consentry log verify`` must pass. A transport error
(no answer at all) is counted apart: the write may or may not have landed, and says so.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select

from consentry.store.database import make_engine
from consentry.store.schema import consent_events
from loopback import REQUEST_TIMEOUT_S, serve  # type: ignore[import-not-found]

PURPOSES = ("train-ai", "train-generative", "recommendations", "voice-likeness")
BIN = Path(sys.executable).parent


def _consentry(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "consentry"), *args], env=os.environ | env, text=True,
                          capture_output=True, timeout=300)


def write_load(port: int, token: str, tracks: Sequence[int], clients: int,
               seconds: float) -> dict[str, object]:
    """``clients`` threads posting consent until ``seconds`` pass; every request tagged."""
    lock = threading.Lock()
    latencies: list[float] = []
    outcomes: Counter[str] = Counter()
    acknowledged: set[str] = set()
    refused: set[str] = set()
    unanswered: set[str] = set()
    deadline = time.perf_counter() + seconds

    def writer(number: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
        choose = random.Random(number)
        sent = 0
        while time.perf_counter() < deadline:
            tag = f"load-{number}-{sent}"
            sent += 1
            body = json.dumps({"purpose": choose.choice(PURPOSES),
                               "choice": choose.choice(("allow", "deny")),
                               "track_id": choose.choice([None, *tracks]), "source": tag})
            start = time.perf_counter()
            try:
                conn.request("POST", "/v1/consent", body=body, headers={
                    "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
                response = conn.getresponse()
                response.read()
                outcome = str(response.status)
            except (OSError, http.client.HTTPException) as error:
                conn.close()
                outcome = type(error).__name__
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                outcomes[outcome] += 1
                (acknowledged if outcome == "201" else
                 unanswered if not outcome.isdigit() else refused).add(tag)
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=writer, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {"seconds": elapsed, "requests": len(latencies),
            "writes_per_s": len(acknowledged) / elapsed,
            "p50_ms": 1000 * statistics.median(ordered) if ordered else None,
            "p99_ms": 1000 * ordered[int(0.99 * (len(ordered) - 1))] if ordered else None,
            "outcomes": dict(outcomes), "acknowledged": acknowledged, "refused": refused,
            "unanswered": unanswered}


def ledger_tags(database_url: str) -> Counter[str]:
    engine = make_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(select(consent_events.c.source)
                            .where(consent_events.c.source.like("load-%"))).scalars()
        tags = Counter(rows)
    engine.dispose()
    return tags


def run(workers: int, clients: int, seconds: float, database_url: str | None) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="consentry-bench-load-") as tmp:
        directory = Path(tmp)
        env = {"CONSENTRY_DATA_DIR": str(directory / "data"),
               "CONSENTRY_SECRET_KEY": "bench-secret-" + "x" * 40,
               "CONSENTRY_ENVIRONMENT": "development"}
        if database_url:
            env["CONSENTRY_DATABASE_URL"] = database_url
        url = database_url or f"sqlite:///{directory / 'data' / 'consentry.db'}"
        for step in (("init",), ("demo",)):
            done = _consentry(env, *step)
            if done.returncode != 0:
                raise SystemExit(f"consentry {step[0]} failed:\n{done.stderr}")
        token = json.loads((directory / "data" / "demo-tokens.json").read_text())["artist"]
        with serve(env, directory, workers) as port:
            tracks = _own_tracks(port, token)
            figures = write_load(port, token, tracks, clients, seconds)
        tags = ledger_tags(url)
        verified = _consentry(env, "log", "verify", "--json")
    acknowledged, refused = figures.pop("acknowledged"), figures.pop("refused")
    unanswered = figures.pop("unanswered")
    assert isinstance(acknowledged, set) and isinstance(refused, set)
    assert isinstance(unanswered, set)
    figures |= {
        "workers": workers, "clients": clients,
        "database": "postgresql" if database_url else "sqlite",
        "acknowledged_missing": sorted(t for t in acknowledged if tags[t] == 0),
        "acknowledged_twice": sorted(t for t in acknowledged if tags[t] > 1),
        "refused_but_stored": sorted(t for t in refused if tags[t] > 0),
        "unanswered": len(unanswered),
        "unanswered_stored": sum(1 for t in unanswered if tags[t] > 0),
        "stored_unknown": sorted(set(tags) - acknowledged - refused - unanswered),
        "server_errors": sum(n for s, n in figures["outcomes"].items()  # type: ignore[attr-defined]
                             if s.startswith("5")),
        "log_verified": verified.returncode == 0,
        "log_verify_output": (verified.stdout + verified.stderr).strip()[-500:],
    }
    return figures


def _own_tracks(port: int, token: str) -> list[int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/v1/me", headers={"Authorization": f"Bearer {token}"})
    me = json.loads(conn.getresponse().read())
    conn.request("GET", f"/v1/artists/{me['subject_id']}/tracks",
                 headers={"Authorization": f"Bearer {token}"})
    tracks = [t["id"] for t in json.loads(conn.getresponse().read())]
    conn.close()
    return tracks


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--database-url", help="PostgreSQL (an empty database); default SQLite")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    runs = []
    for workers in args.workers:
        print(f"{args.clients} writers for {args.seconds:.0f} s, {workers} worker(s) ...",
              flush=True)
        runs.append(run(workers, args.clients, args.seconds, args.database_url))
    print("\nconsentry write load (consent events, real server on loopback)")
    ok = True
    for r in runs:
        held = not (r["acknowledged_missing"] or r["acknowledged_twice"]
                    or r["refused_but_stored"] or r["stored_unknown"] or r["server_errors"]
                    or not r["log_verified"])
        ok = ok and held
        print(f"{r['database']:10} workers {r['workers']}: {r['writes_per_s']:7.1f} writes/s, "
              f"p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, outcomes {r['outcomes']}; "
              f"every acknowledged write stored once, nothing refused stored, log verified: "
              f"{'yes' if held else 'NO'}")
    if args.json:
        args.json.write_text(json.dumps(runs, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
