"""Shared by the HTTP benchmarks: ``consentry serve`` on a free loopback port, and a load
generator of plain keep-alive connections (no network target other than 127.0.0.1)."""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

REQUEST_TIMEOUT_S = 45  # longer than the server's 30 s wait for a pooled connection
# One request: method, path and headers.
Request = tuple[str, str, dict[str, str]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def healthy(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


@contextlib.contextmanager
def serve(env: dict[str, str], directory: Path, workers: int) -> Iterator[int]:
    """``consentry serve`` with ``env`` (CONSENTRY_* settings) on a free loopback port; yields
    the port once /healthz answers."""
    command = shutil.which("consentry", path=str(Path(sys.executable).parent)) or shutil.which(
        "consentry")
    if command is None:
        raise SystemExit("the consentry command is not installed next to this Python")
    port = free_port()
    log_path = directory / f"server-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [command, "serve", "--host", "127.0.0.1", "--port", str(port),
             "--workers", str(workers)],
            env=os.environ | env, cwd=directory, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not healthy(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server did not start:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Load:
    seconds: float
    latencies: list[float]
    outcomes: Counter[str]  # HTTP status, or the name of the transport error
    body_bytes: int = 0


def load(port: int, requests: Iterator[Request] | list[Request], concurrency: int,
         max_seconds: float, on_response: Callable[[http.client.HTTPResponse], None] | None
         = None) -> Load:
    """Each of ``concurrency`` threads sends its next request as soon as the last answers.

    Plain http.client on keep-alive connections: httpx's async client costs several
    milliseconds of CPU per request here, which the figures would charge to the server.
    Nothing new is sent after ``max_seconds``, so a stalled server cannot hang the run.
    """
    pending = iter(requests)
    lock = threading.Lock()
    result = Load(0.0, [], Counter())
    deadline = time.perf_counter() + max_seconds

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
        try:
            while time.perf_counter() < deadline:
                with lock:
                    request = next(pending, None)
                if request is None:
                    return
                method, path, headers = request
                start = time.perf_counter()
                size = 0
                try:
                    conn.request(method, path, headers=headers)
                    response = conn.getresponse()
                    size = len(response.read())
                    outcome = str(response.status)
                    if on_response:
                        on_response(response)
                except (OSError, http.client.HTTPException) as error:
                    conn.close()
                    outcome = type(error).__name__
                with lock:
                    result.latencies.append(time.perf_counter() - start)
                    result.outcomes[outcome] += 1
                    result.body_bytes += size
        finally:
            conn.close()

    start = time.perf_counter()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - start
    return result
