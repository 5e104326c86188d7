"""What the AI-use signals cost: a track page and an audio range request, served with the
signals (decisions per request, headers, crawler checks, throttling, the rights-embedded copy)
and without them, by two servers on loopback measured in alternating rounds in one run.

    .venv/bin/python bench/signals.py [--requests 1000] [--rounds 9] [--concurrency 4]

Target (issue 5): under 10% overhead in throughput for both kinds of request.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import soundfile

from loopback import Load, load, serve  # type: ignore[import-not-found]

TARGET_OVERHEAD = 0.10
SECRET = "benchmark-secret-" + "x" * 32
RANGE_BYTES = 64 * 1024


def _consentry(env: dict[str, str], *args: str) -> None:
    command = Path(sys.executable).parent / "consentry"
    subprocess.run([command, *args], env=os.environ | env, check=True, capture_output=True)


def _recording(seconds: float = 30.0, rate: int = 44_100) -> bytes:
    """A stereo WAV of the length of a short song's excerpt; its content does not matter here."""
    rng = np.random.default_rng(7)
    t = np.arange(int(seconds * rate)) / rate
    tone = 0.2 * np.sin(2 * np.pi * 220 * t)[:, None] + 0.01 * rng.standard_normal((t.size, 2))
    buffer = io.BytesIO()
    soundfile.write(buffer, tone.astype(np.float32), rate, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def _prepare(directory: Path) -> tuple[dict[str, str], int, int]:
    """The demo catalogue with a recording on the demo artist's first track."""
    env = {"CONSENTRY_DATA_DIR": str(directory), "CONSENTRY_SECRET_KEY": SECRET}
    _consentry(env, "init")
    _consentry(env, "demo")
    tokens = json.loads((directory / "demo-tokens.json").read_text())
    track = 1
    with serve(env, directory, 1) as port:
        response = httpx.post(
            f"http://127.0.0.1:{port}/v1/tracks/{track}/audio",
            headers={"Authorization": f"Bearer {tokens['artist']}"},
            files={"file": ("take.wav", _recording(), "audio/wav")}, timeout=60)
        response.raise_for_status()
        size = len(httpx.get(f"http://127.0.0.1:{port}/v1/tracks/{track}/audio").content)
    return env, track, size


def _requests(kind: str, track: int, size: int, n: int) -> list[tuple[str, str, dict[str, str]]]:
    agent = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"}
    if kind == "page":
        return [("GET", f"/tracks/{track}", agent)] * n
    starts = np.random.default_rng(3).integers(0, max(1, size - RANGE_BYTES), n)
    return [("GET", f"/v1/tracks/{track}/audio",
             agent | {"Range": f"bytes={s}-{s + RANGE_BYTES - 1}"}) for s in starts]


def _figures(runs: list[Load]) -> dict[str, Any]:
    rates = [len(r.latencies) / r.seconds for r in runs]
    latencies = [v for r in runs for v in r.latencies]
    return {
        "throughput_median_rps": statistics.median(rates), "throughput_runs": rates,
        "p50_ms": float(np.percentile(latencies, 50)) * 1000,
        "p99_ms": float(np.percentile(latencies, 99)) * 1000,
        "non_2xx": sum(n for r in runs for status, n in r.outcomes.items()
                       if not status.startswith("2"))}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000, help="per round and kind")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="consentry-bench-signals-") as tmp:
        directory = Path(tmp)
        env, track, size = _prepare(directory)
        modes = {
            "on": env | {"CONSENTRY_SIGNALS_ENABLED": "true",
                         "CONSENTRY_SCRAPE_REQUESTS_PER_MINUTE": str(10**9),
                         "CONSENTRY_SCRAPE_BURST": str(10**9)},
            "off": env | {"CONSENTRY_SIGNALS_ENABLED": "false",
                          "CONSENTRY_SCRAPE_REQUESTS_PER_MINUTE": "0"},
        }
        runs: dict[tuple[str, str], list[Load]] = {
            (mode, kind): [] for mode in modes for kind in ("page", "audio")}
        with contextlib.ExitStack() as stack:
            ports = {mode: stack.enter_context(serve(e, directory, 1))
                     for mode, e in modes.items()}
            for port in ports.values():  # warm-up, and the first rights-embedded copy
                for kind in ("page", "audio"):
                    load(port, _requests(kind, track, size, 200), args.concurrency, 60)
            for round_ in range(args.rounds):
                order = list(ports) if round_ % 2 == 0 else list(reversed(ports))
                for kind in ("page", "audio"):
                    for mode in order:
                        runs[(mode, kind)].append(load(
                            ports[mode], _requests(kind, track, size, args.requests),
                            args.concurrency, 120))
                print(f"round {round_ + 1}/{args.rounds} done", flush=True)

    figures: dict[str, Any] = {
        "configuration": {"requests_per_round": args.requests, "rounds": args.rounds,
                          "concurrency": args.concurrency, "workers_per_server": 1,
                          "range_bytes": RANGE_BYTES, "recording_bytes": size,
                          "python": platform.python_version(), "cpu_count": os.cpu_count()},
    }
    print(f"\nconsentry signals benchmark: {args.rounds} alternating rounds of "
          f"{args.requests} requests per kind, concurrency {args.concurrency}, one worker "
          f"per server, Python {platform.python_version()}, {os.cpu_count()} CPUs")
    met = True
    kinds = (("page", "track page"), ("audio", f"audio range {RANGE_BYTES // 1024} KiB"))
    for kind, label in kinds:
        on, off = _figures(runs[("on", kind)]), _figures(runs[("off", kind)])
        # Each round measures both modes back to back, so a round's ratio is paired against
        # the same background load; the median over rounds resists a noisy machine.
        overhead = statistics.median(
            1 - a / b for a, b in zip(on["throughput_runs"], off["throughput_runs"], strict=True))
        figures[kind] = {"signals_on": on, "signals_off": off, "overhead": overhead}
        met = met and overhead < TARGET_OVERHEAD and on["non_2xx"] == off["non_2xx"] == 0
        print(f"{label:22} on  {on['throughput_median_rps']:7.0f} req/s  p50 "
              f"{on['p50_ms']:5.1f} ms  p99 {on['p99_ms']:5.1f} ms\n"
              f"{'':22} off {off['throughput_median_rps']:7.0f} req/s  p50 "
              f"{off['p50_ms']:5.1f} ms  p99 {off['p99_ms']:5.1f} ms\n"
              f"{'':22} overhead {overhead:+.1%}, median of per-round ratios (target under "
              f"{TARGET_OVERHEAD:.0%}); "
              f"non-2xx on/off: {on['non_2xx']}/{off['non_2xx']}")
    print(f"target {'met' if met else 'MISSED'}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
