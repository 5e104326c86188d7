"""Concurrent writers on the real server: every acknowledged consent write is in the ledger
exactly once, nothing refused is stored, no 5xx ("database is locked" never reaches a client),
and the log verifies afterwards (issue 22). The same driver is bench/load.py, run briefly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from consentry.store.database import make_engine
from tests.conftest import PostgresCluster

LOAD = Path(__file__).parents[2] / "bench" / "load.py"


def _load(tmp_path: Path, *args: str) -> list[dict]:
    out = tmp_path / "load.json"
    done = subprocess.run([sys.executable, str(LOAD), "--seconds", "4", "--clients", "8",
                           "--json", str(out), *args], cwd=LOAD.parent, capture_output=True,
                          text=True, timeout=600, env=os.environ)
    assert out.exists(), done.stdout + done.stderr
    return list(json.loads(out.read_text()))


def _held(run: dict) -> None:
    assert run["outcomes"].get("201", 0) > 0, run
    assert run["server_errors"] == 0, run["outcomes"]
    assert run["acknowledged_missing"] == [] and run["acknowledged_twice"] == [], run
    assert run["refused_but_stored"] == [] and run["stored_unknown"] == [], run
    assert run["log_verified"], run["log_verify_output"]


@pytest.mark.slow
def test_eight_writers_on_sqlite_with_one_and_two_workers(tmp_path: Path) -> None:
    runs = _load(tmp_path, "--workers", "1", "2")
    assert [r["workers"] for r in runs] == [1, 2]
    for run in runs:
        _held(run)


@pytest.mark.slow
@pytest.mark.postgres
def test_eight_writers_on_postgresql(tmp_path: Path, pg_cluster: PostgresCluster) -> None:
    name = f"load_{os.getpid()}"
    admin = make_engine(pg_cluster.url("postgres"))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    [run] = _load(tmp_path, "--workers", "2", "--database-url", pg_cluster.url(name))
    assert run["database"] == "postgresql"
    _held(run)
