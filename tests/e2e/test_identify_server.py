"""``consentry identify --server``: a running server answers what the data directory would,
without the client opening it (issue 21: the command's time was nearly all start-up)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import TEST_SECRET, free_port
from tests.e2e.conftest import demo_server, run


def _matches(stdout: str) -> list[dict]:
    return [{k: v for k, v in m.items() if k != "artist_id"}
            for m in json.loads(stdout)["matches"]]


@pytest.mark.slow
def test_a_running_server_identifies_as_the_data_directory_does(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with demo_server(data) as (base, tokens):
        recording = next(p for p in sorted((data / "audio").rglob("*")) if p.is_file())
        here = {"CONSENTRY_DATA_DIR": str(data), "CONSENTRY_SECRET_KEY": TEST_SECRET}
        local = run(here, "identify", str(recording), "--json")
        assert local.returncode == 0, local.stderr
        # A client elsewhere: no data directory at all, only the server and a token.
        elsewhere = {"CONSENTRY_DATA_DIR": str(tmp_path / "nowhere"),
                     "CONSENTRY_TOKEN": tokens["admin"]}
        remote = run(elsewhere, "identify", str(recording), "--server", base, "--json")
        assert remote.returncode == 0, remote.stderr
        assert _matches(remote.stdout) == _matches(local.stdout) != []
        table = run(elsewhere, "identify", str(recording), "--server", base + "/")
        assert table.returncode == 0 and "track:" in table.stdout, table.stderr

        forged = run(elsewhere | {"CONSENTRY_TOKEN": "cst_" + "A" * 43}, "identify",
                     str(recording), "--server", base)
        assert forged.returncode == 1
        assert forged.stderr.startswith("error: ") and "answered 401" in forged.stderr
        assert "Traceback" not in forged.stderr

        tokenless = run({"CONSENTRY_DATA_DIR": str(tmp_path / "nowhere")}, "identify",
                        str(recording), "--server", base)
        assert tokenless.returncode == 1 and "needs an API token" in tokenless.stderr

        closed = f"http://127.0.0.1:{free_port()}"
        unreachable = run(elsewhere, "identify", str(recording), "--server", closed)
        assert unreachable.returncode == 1 and "cannot reach" in unreachable.stderr
    assert not (tmp_path / "nowhere").exists()
