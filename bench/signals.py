"""What the AI-use signals cost: a track page and an audio range request, served with the
signals (decisions per request, headers, crawler checks, throttling, the rights-embedded copy)
and without them, measured in alternating rounds in one run two ways:

- throughput of two servers on loopback (what a client sees, but on a shared 2-core machine
  the load generator competes with the server, so rounds are noisy);
- CPU time per request of the two apps in this process, called through ASGI (what the signals
  add to the server's own work, which noise on the machine barely moves).

Then robots.txt at catalogue scale (bench/open_paths.py: 1M tracks, 10% opted in).

    .venv/bin/python bench/signals.py [--requests 1000] [--rounds 9] [--concurrency 4]

Target (issues 5 and 16): under 10% overhead for both kinds of request.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import soundfile

from loopback import Load, load, serve  # type: ignore[import-not-found]
from open_paths import main as robots_at_scale  # type: ignore[import-not-found]

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


@contextlib.contextmanager
def _app_env(env: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


async def _cpu_per_request(modes: dict[str, dict[str, str]], requests: dict[str, list[
        tuple[str, str, dict[str, str]]]], rounds: int) -> dict[str, dict[str, list[float]]]:
    """CPU milliseconds per request of each mode's app in this process, alternating rounds."""
    from consentry.web.app import create_app  # settings are read from the env at creation

    clients, exits = {}, contextlib.AsyncExitStack()
    async with exits:
        for mode, env in modes.items():
            with _app_env(env):
                app = create_app()
            await exits.enter_async_context(app.router.lifespan_context(app))
            clients[mode] = await exits.enter_async_context(httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1"))
        cpu: dict[str, dict[str, list[float]]] = {m: {k: [] for k in requests} for m in modes}
        for round_ in range(rounds + 1):  # the first round warms up and is not counted
            order = list(modes) if round_ % 2 == 0 else list(reversed(modes))
            for kind, batch in requests.items():
                for mode in order:
                    start = time.process_time()
                    for method, path, headers in batch:
                        (await clients[mode].request(method, path, headers=headers)
                         ).raise_for_status()
                    if round_:
                        cpu[mode][kind].append((time.process_time() - start) * 1000 / len(batch))
    return cpu


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
    parser.add_argument("--cpu-requests", type=int, default=300,
                        help="per round and kind, in process")
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
        cpu = asyncio.run(_cpu_per_request(
            modes, {kind: _requests(kind, track, size, args.cpu_requests)
                    for kind in ("page", "audio")}, args.rounds))

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
        cpu_on, cpu_off = cpu["on"][kind], cpu["off"][kind]
        cpu_overhead = statistics.median(a / b - 1 for a, b in zip(cpu_on, cpu_off, strict=True))
        figures[kind] = {"signals_on": on, "signals_off": off, "overhead": overhead,
                         "cpu_ms_on": cpu_on, "cpu_ms_off": cpu_off, "cpu_overhead": cpu_overhead}
        met = met and cpu_overhead < TARGET_OVERHEAD and on["non_2xx"] == off["non_2xx"] == 0
        print(f"{label:22} on  {on['throughput_median_rps']:7.0f} req/s  p50 "
              f"{on['p50_ms']:5.1f} ms  p99 {on['p99_ms']:5.1f} ms\n"
              f"{'':22} off {off['throughput_median_rps']:7.0f} req/s  p50 "
              f"{off['p50_ms']:5.1f} ms  p99 {off['p99_ms']:5.1f} ms\n"
              f"{'':22} throughput overhead {overhead:+.1%} (median of per-round ratios); "
              f"non-2xx on/off: {on['non_2xx']}/{off['non_2xx']}\n"
              f"{'':22} CPU per request on {statistics.median(cpu_on):.2f} ms, off "
              f"{statistics.median(cpu_off):.2f} ms: overhead {cpu_overhead:+.1%} (median of "
              f"per-round ratios; target under {TARGET_OVERHEAD:.0%})")
    print(f"target {'met' if met else 'MISSED'}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    print()
    return robots_at_scale([])


if __name__ == "__main__":
    sys.exit(main())
