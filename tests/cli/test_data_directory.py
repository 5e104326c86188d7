"""A command on a data directory that is not there says so and creates nothing: only
``consentry init`` makes one (issue 23: a read-only command used to leave an empty database)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.slow
def test_commands_refuse_a_missing_data_directory_and_create_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "nothing-here"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSENTRY_")} | {
        "CONSENTRY_DATA_DIR": str(missing)}
    for args in (["consent", "show", "1"], ["log", "status"], ["decide", "train-ai", "1"]):
        result = subprocess.run([Path(sys.executable).parent / "consentry", *args], env=env,
                                text=True, capture_output=True, timeout=60, cwd=tmp_path)
        assert result.returncode == 1, args
        assert result.stderr.startswith(f"error: no data directory at {missing}; run "
                                        "'consentry init'"), result.stderr
        assert not missing.exists(), args
    (missing / "signing").mkdir(parents=True)  # a directory, but no database in it
    result = subprocess.run([Path(sys.executable).parent / "consentry", "tokens", "list"],
                            env=env, text=True, capture_output=True, timeout=60, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: no database at {missing / 'consentry.db'}")
    assert not (missing / "consentry.db").exists()
