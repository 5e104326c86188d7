"""A witness run as the operator runs one: 'consentry witness init' then 'witness serve' as a
second process on a free loopback port, from its own state directory."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

import consentry
from tests.conftest import free_port

# The consentry under test (a worktree's src/ as well as the installed one).
SOURCE = Path(consentry.__file__).resolve().parents[1]


def consentry_command(
    *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "consentry.cli", *args],
        text=True,
        capture_output=True,
        timeout=120,
        env=_environment(env or {}),
    )


def _environment(extra: dict[str, str]) -> dict[str, str]:
    path = os.pathsep.join(filter(None, [str(SOURCE), os.environ.get("PYTHONPATH")]))
    return os.environ | {"PYTHONPATH": path} | extra


@dataclass(frozen=True)
class RunningWitness:
    url: str
    key: str  # its verifier key string
    state: Path

    def endpoint(self) -> dict[str, str]:
        return {"url": self.url, "key": self.key}


@contextlib.contextmanager
def running_witness(
    state: Path, *log_keys: str, name: str = "witness.test/w1"
) -> Iterator[RunningWitness]:
    """Init (once per directory) and serve a witness trusting ``log_keys``, until the block
    ends; the state directory outlives it, so a second block is a restart."""
    made = consentry_command(
        "witness",
        "init",
        "--state",
        str(state),
        "--name",
        name,
        *[arg for key in log_keys for arg in ("--log", key)],
        "--json",
    )
    assert made.returncode == 0, made.stderr
    key = json.loads(made.stdout)["public_key"]
    port = free_port()
    output = (state / "server.log").open("a")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "consentry.cli",
            "witness",
            "serve",
            "--state",
            str(state),
            "--port",
            str(port),
        ],
        env=_environment({}),
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(url, timeout=1).text.strip() == key:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"the witness did not start: {(state / 'server.log').read_text()}")
        yield RunningWitness(url, key, state)
    finally:
        process.terminate()
        process.wait(timeout=20)
        output.close()
