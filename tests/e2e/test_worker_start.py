"""Server workers that start slowly on a busy host are waited for, not replaced in a loop.

Issue 22: after a kill -9 under load, each worker re-imported the whole CLI (7-9 s on a busy
host), missed uvicorn's 5 s health check, and was replaced by one just as slow."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import TEST_SECRET, free_port
from tests.e2e.conftest import BIN, run

# Loaded by every interpreter on PYTHONPATH; only the server's spawned workers pause, as
# workers on a host busy with other work start late.
SLOW_WORKERS = """
import os, sys, time
if "--multiprocessing-fork" in sys.argv:
    time.sleep(float(os.environ["CONSENTRY_TEST_WORKER_DELAY"]))
"""

HEAVY = ("sqlalchemy", "numpy", "scipy", "pyarrow", "alembic", "consentry.store",
         "consentry.web", "consentry.settings", "consentry.audio")


def test_the_entry_point_imports_no_command_modules() -> None:
    """A worker re-imports the entry point: it must cost the CLI's frame, not every command."""
    probe = ("import sys, consentry.cli; "
             f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True).stdout.split()
    assert loaded == []


@pytest.mark.slow
def test_workers_slower_than_five_seconds_still_serve(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SLOW_WORKERS)
    port = free_port()
    data = tmp_path / "data"
    env = {"CONSENTRY_DATA_DIR": str(data), "CONSENTRY_SECRET_KEY": TEST_SECRET,
           "CONSENTRY_PORT": str(port)}
    assert run(env, "init").returncode == 0
    slow = env | {"PYTHONPATH": os.pathsep.join(filter(None, [str(site),
                                                             os.environ.get("PYTHONPATH")])),
                  "CONSENTRY_TEST_WORKER_DELAY": "7"}
    log_path = tmp_path / "server.log"
    with log_path.open("w") as log:
        server = subprocess.Popen([BIN / "consentry", "serve", "--workers", "2"],
                                  env=os.environ | slow, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 45
            status = None
            while time.monotonic() < deadline and status != 200:
                try:
                    status = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code
                except httpx.TransportError:
                    time.sleep(0.5)
        finally:
            server.terminate()
            server.wait(timeout=30)
    output = log_path.read_text()
    assert status == 200, output
    assert "died" not in output, output
