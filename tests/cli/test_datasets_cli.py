"""``consentry datasets``: a snapshot from the command line, then checked by the log audit."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from consentry.cli import app
from tests.cli.conftest import runner


@pytest.mark.slow
def test_create_then_list_then_verify(cli_env: dict[str, str]) -> None:
    for args in (["init"], ["demo"]):
        assert runner.invoke(app, args).exit_code == 0
    made = runner.invoke(app, ["datasets", "create", "train-generative", "--consumer", "2"])
    assert made.exit_code == 0, made.output
    said = " ".join(made.output.split())
    # both of Kofi's tracks (Harmattan, Red Earth) allow it, but the demo's claim on Red Earth
    # (content identification) takes it out
    assert "dataset snapshot 1: 1 track eligible for 'train-generative'" in said
    manifest = Path(cli_env["CONSENTRY_DATA_DIR"]) / "datasets" / "1" / "manifest.parquet"
    assert hashlib.sha256(manifest.read_bytes()).hexdigest() in said
    assert "train-generati" in runner.invoke(app, ["datasets", "list"]).output
    verified = runner.invoke(app, ["log", "verify"])
    assert verified.exit_code == 0, verified.output
    bad = runner.invoke(app, ["datasets", "create", "cloning"])
    assert bad.exit_code == 1


@pytest.mark.slow
def test_materialise_writes_shards_and_resumes(cli_env: dict[str, str], tmp_path: Path) -> None:
    for args in (["init"], ["demo"], ["datasets", "create", "train-generative", "--consumer",
                                      "2"]):
        assert runner.invoke(app, args).exit_code == 0
    out = tmp_path / "shards"
    args = ["datasets", "materialise", "1", str(out), "--layout", "webdataset"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    said = " ".join(first.output.split())
    assert "1 sample in" in said and "(webdataset, 1 shard," in said
    assert "left out" not in said  # the demo's one eligible track has its recording
    assert (out / "shard-000000.tar").exists() and (out / "SNAPSHOT.json").exists()
    again = " ".join(runner.invoke(app, args).output.split())
    assert "0 bytes written, 1 shard kept from an earlier run" in again
    for bad, message in ((["99", str(tmp_path / "x")], "dataset snapshot 99 does not exist"),
                         (["1", str(tmp_path / "y"), "--shard-size", "lots"], "not a size"),
                         (["1", str(out)], "no run of 'snapshot 1 directory' began there")):
        refused = runner.invoke(app, ["datasets", "materialise", *bad])
        said = " ".join(str(refused.exception).split())  # main() prints it; app() raises it
        assert refused.exit_code == 1 and message in said, said
