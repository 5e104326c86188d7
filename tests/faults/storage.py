"""Real storage faults for the fault suite: a small tmpfs that fills up, a read-only bind mount,
and the real server started on them with its log kept elsewhere (a full disk must not also
swallow the server's own log)."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.conftest import TEST_SECRET, free_port
from tests.e2e.conftest import BIN, run


def mount(*args: str) -> bool:
    """Run mount(8); False when this user may not mount (the fault tests then fall back)."""
    done = subprocess.run(["mount", *args], capture_output=True, text=True, check=False)
    return done.returncode == 0


@contextlib.contextmanager
def small_disk(path: Path, megabytes: int) -> Iterator[bool]:
    """A tmpfs of ``megabytes`` at ``path`` (True), or a plain directory if mounting is not
    permitted (False)."""
    path.mkdir(parents=True, exist_ok=True)
    mounted = mount("-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(path))
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(path)], check=False)


@contextlib.contextmanager
def read_only_view(source: Path, path: Path) -> Iterator[bool]:
    """``source`` seen read-only at ``path`` through a bind mount (True); False, and nothing
    mounted, if this user may not mount."""
    path.mkdir(parents=True, exist_ok=True)
    mounted = mount("--bind", "-o", "ro", str(source), str(path))
    if mounted and os.access(path, os.W_OK) and _writable(path):
        mount("-o", "remount,bind,ro", str(path))  # older mount(8) ignores ro on --bind
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(path)], check=False)


def _writable(path: Path) -> bool:
    try:
        (path / ".probe").touch()
    except OSError:
        return False
    (path / ".probe").unlink()
    return True


def fill(disk: Path) -> Path:
    """Write zeros into ``disk`` until it is full; returns the file to delete to free it."""
    filler = disk / "filler"
    with contextlib.suppress(OSError), filler.open("wb") as out:
        while True:
            out.write(bytes(1 << 16))
            out.flush()
    return filler


def seed(data: Path) -> dict[str, str]:
    """init and demo in ``data``; the demo's tokens."""
    env = environment(data, 0)
    assert run(env, "init").returncode == 0
    assert run(env, "demo").returncode == 0
    return dict(json.loads((data / "demo-tokens.json").read_text()))


def without_wal(database: Path) -> None:
    """A rollback-journal database, as a read-only copy must be (WAL needs a writable -shm)."""
    with contextlib.closing(sqlite3.connect(database)) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")


def environment(data: Path, port: int, **settings: str) -> dict[str, str]:
    return {
        "CONSENTRY_DATA_DIR": str(data),
        "CONSENTRY_SECRET_KEY": TEST_SECRET,
        "CONSENTRY_PORT": str(port),
    } | {f"CONSENTRY_{k.upper()}": v for k, v in settings.items()}


@dataclass(frozen=True)
class RunningServer:
    base: str
    log: Path
    process: subprocess.Popen[bytes]


@contextlib.contextmanager
def server(data: Path, log: Path, **settings: str) -> Iterator[RunningServer]:
    """``consentry serve`` on ``data``, its output in ``log``, until /healthz answers."""
    port = free_port()
    env = os.environ | environment(data, port, **settings)
    with log.open("w") as out:
        process = subprocess.Popen(
            [BIN / "consentry", "serve"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_ready(base, process, log)
            yield RunningServer(base, log, process)
        finally:
            process.terminate()
            process.wait(timeout=20)


def wait_until_ready(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    for _ in range(600):
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped:\n{log.read_text()}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"the server did not start:\n{log.read_text()}")


def connection_of(response: httpx.Response) -> object:
    """The client's end of the TCP connection a response came on: the same value for two
    responses means the connection was kept alive between them."""
    return response.extensions["network_stream"].get_extra_info("client_addr")
