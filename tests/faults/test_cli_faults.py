"""The CLI on a full disk: one ``error:`` line naming the fault, exit code 1, no traceback and
no half-written ``.part`` file left behind; the next run after space returns succeeds."""

from __future__ import annotations

from pathlib import Path

import pytest

from consentry.errors import StoreFull
from consentry.store.datasets import manifest_path, write_manifest
from consentry.store.faults import store_fault
from tests.e2e.conftest import run
from tests.faults.storage import environment, fill, seed, small_disk

pytestmark = pytest.mark.slow


def test_datasets_create_on_a_full_disk(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with small_disk(data, 16) as mounted:
        assert mounted, "the fault suite mounts a tmpfs (it runs as root in CI)"
        seed(data)
        env = environment(data, 0)
        filler = fill(data)
        failed = run(env, "datasets", "create", "train-generative")
        assert failed.returncode == 1, failed.stdout + failed.stderr
        said = " ".join(failed.stderr.split())
        assert said.startswith("error:") and "is full" in said, said
        assert "Traceback" not in failed.stderr
        assert list(data.rglob("*.part")) == [], "no partial file is left"

        filler.unlink()
        created = run(env, "datasets", "create", "train-generative")
        assert created.returncode == 0, created.stderr
        verified = run(env, "log", "verify")
        assert verified.returncode == 0, verified.stdout + verified.stderr


def test_a_manifest_that_does_not_fit_leaves_no_part_file(tmp_path: Path) -> None:
    """Once a full disk left ``.manifest.parquet.*.part`` behind: the write is all or nothing."""
    disk = tmp_path / "disk"
    with small_disk(disk, 1) as mounted:
        assert mounted, "the fault suite mounts a tmpfs (it runs as root in CI)"
        path = manifest_path(disk, 1)
        with pytest.raises(OSError) as raised:
            write_manifest(path, bytes(2 << 20))
        assert isinstance(store_fault(raised.value), StoreFull)
        assert not path.exists()
        assert list(disk.rglob("*.part")) == []
