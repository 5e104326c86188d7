"""``consentry datasets``: a snapshot from the command line, then checked by the log audit."""

from __future__ import annotations

import hashlib
from pathlib import Path

from consentry.cli import app
from tests.cli.conftest import runner


def test_create_then_list_then_verify(cli_env: dict[str, str]) -> None:
    for args in (["init"], ["demo"]):
        assert runner.invoke(app, args).exit_code == 0
    made = runner.invoke(app, ["datasets", "create", "train-generative", "--consumer", "2"])
    assert made.exit_code == 0, made.output
    said = " ".join(made.output.split())
    # both of Kofi's tracks (Harmattan, Red Earth) allow it, but the demo's claim on Red Earth
    # (content identification) takes it out
    assert "dataset snapshot 1: 1 tracks eligible for 'train-generative'" in said
    manifest = Path(cli_env["CONSENTRY_DATA_DIR"]) / "datasets" / "1" / "manifest.parquet"
    assert hashlib.sha256(manifest.read_bytes()).hexdigest() in said
    assert "train-generati" in runner.invoke(app, ["datasets", "list"]).output
    verified = runner.invoke(app, ["log", "verify"])
    assert verified.exit_code == 0, verified.output
    bad = runner.invoke(app, ["datasets", "create", "cloning"])
    assert bad.exit_code == 1
