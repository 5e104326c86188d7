"""The real server, as the README starts it: init, demo, serve on a free loopback port."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import TEST_SECRET, free_port

BIN = Path(sys.executable).parent


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([BIN / "consentry", *args], env=os.environ | env, text=True,
                          capture_output=True, timeout=120)


@contextlib.contextmanager
def demo_server(data: Path, **settings: str) -> Iterator[tuple[str, dict[str, str]]]:
    """init, demo and serve in ``data`` with extra CONSENTRY_* settings; yields URL, tokens."""
    port = free_port()
    env = {"CONSENTRY_DATA_DIR": str(data), "CONSENTRY_SECRET_KEY": TEST_SECRET,
           "CONSENTRY_PORT": str(port)} | {f"CONSENTRY_{k.upper()}": v for k, v in settings.items()}
    assert run(env, "init").returncode == 0
    assert run(env, "demo").returncode == 0
    tokens = json.loads((data / "demo-tokens.json").read_text())
    log = (data / "server.log").open("w")  # a pipe nobody reads would block a chatty server
    process = subprocess.Popen([BIN / "consentry", "serve"], env=os.environ | env,
                               stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError("server did not start")
        yield base, tokens
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def server_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The data directory the module's server runs on (its database, its outbox)."""
    return tmp_path_factory.mktemp("server")


@pytest.fixture(scope="module")
def server(server_dir: Path) -> Iterator[tuple[str, dict[str, str]]]:
    with demo_server(server_dir) as running:
        yield running
