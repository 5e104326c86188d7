"""A worker whose parent is already gone ends at once (kill -9 of the parent while its workers
start); tests/faults/test_orphans.py kills a real ingest."""

from __future__ import annotations

import subprocess
import sys


def test_a_worker_started_after_its_parent_died_ends() -> None:
    script = (
        "from consentry.services.worker_lifetime import die_with_parent\n"
        "die_with_parent(-1)\n"  # no process has this pid: the parent is gone
        "print('still running')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1 and "still running" not in done.stdout


def test_a_worker_whose_parent_lives_goes_on() -> None:
    script = (
        "import os\n"
        "from consentry.services.worker_lifetime import die_with_parent\n"
        "die_with_parent(os.getppid())\n"
        "print('still running')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and "still running" in done.stdout
