"""``kill -9`` of ``consentry catalog ingest`` must take its fingerprinting workers with it:
each holds a decoder's worth of memory (~200 MB) and nobody else would ever stop them."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.audio.synth import write_audio
from tests.e2e.conftest import BIN
from tests.faults.storage import environment, seed

pytestmark = pytest.mark.slow


def descendants(pid: int) -> set[int]:
    """Every living process below ``pid``, read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rpartition(")")[2].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    """Running, not merely a zombie waiting for a parent (or a container's init) to reap it."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def test_killing_ingest_kills_its_workers(tmp_path: Path) -> None:
    data, folder = tmp_path / "data", tmp_path / "references"
    seed(data)
    folder.mkdir()
    for number in range(40):
        write_audio(folder / f"take {number:02}.wav", seconds=30.0, seed=number)
    ingest = subprocess.Popen(
        [
            BIN / "consentry",
            "catalog",
            "ingest",
            str(folder),
            "--rights-holder",
            "1",
            "--workers",
            "2",
            "--batch",
            "1",
        ],
        env=os.environ | environment(data, 0),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        workers: set[int] = set()
        while len(workers) < 2 and time.monotonic() < deadline:
            assert ingest.poll() is None, "ingest ended before its workers could be seen"
            workers = descendants(ingest.pid)
            time.sleep(0.2)
        assert len(workers) >= 2, "the workers never started"
        time.sleep(2)  # working, not starting
        workers = descendants(ingest.pid)
        ingest.send_signal(signal.SIGKILL)
        ingest.wait()
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [pid for pid in workers if alive(pid)], "workers outlived their parent"
    finally:
        for pid in descendants(ingest.pid) | workers:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
