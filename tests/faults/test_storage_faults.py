"""A full disk and a read-only data directory, on the real server over loopback: writes answer
507 or 503 with a message and store nothing, reads go on, the keep-alive connection survives
every error (500 included), and once space returns the service continues without repair."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import run
from tests.faults.storage import (
    connection_of,
    environment,
    fill,
    read_only_view,
    seed,
    server,
    small_disk,
    without_wal,
)

pytestmark = pytest.mark.slow
CONSENT = {"purpose": "train-generative", "choice": "allow", "track_id": 2}
DECISION = ("/v1/tracks/2/decision", {"purpose": "train-generative"})


def _decision(http: httpx.Client) -> str:
    path, params = DECISION
    response = http.get(path, params=params)
    assert response.status_code == 200, response.text
    return str(response.json()["decision"])


def test_a_full_disk_answers_507_and_recovers(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with small_disk(data, 16) as mounted:
        assert mounted, "the fault suite mounts a tmpfs (it runs as root in CI)"
        tokens = seed(data)
        with (
            server(data, tmp_path / "server.log") as running,
            httpx.Client(
                base_url=running.base,
                timeout=30,
                headers={"Authorization": f"Bearer {tokens['artist']}"},
            ) as http,
        ):
            assert _decision(http) == "deny"
            filler = fill(data)
            refused = http.post("/v1/consent", json=CONSENT)
            assert refused.status_code == 507, refused.text
            assert refused.json()["error"] == "storage_full"
            assert "full" in refused.json()["detail"]
            assert _decision(http) == "deny", "a refused write must not be stored"
            assert connection_of(http.post("/v1/consent", json=CONSENT)) == connection_of(
                refused
            ), "a 507 must keep the connection alive"

            filler.unlink()
            stored = http.post("/v1/consent", json=CONSENT)
            assert stored.status_code == 201, stored.text
            assert _decision(http) == "allow"
            assert connection_of(stored) == connection_of(refused)
        assert "database or disk is full" in (tmp_path / "server.log").read_text()
        verified = run(environment(data, 0), "log", "verify")
        assert verified.returncode == 0, verified.stdout + verified.stderr


def test_a_read_only_data_dir_answers_503_and_still_reads(tmp_path: Path) -> None:
    data, view = tmp_path / "data", tmp_path / "read-only"
    tokens = seed(data)
    without_wal(data / "consentry.db")
    with read_only_view(data, view) as mounted:
        # without mount rights, SQLite itself opens the database read-only
        settings = (
            {}
            if mounted
            else {"database_url": f"sqlite:///file:{data / 'consentry.db'}?mode=ro&uri=true"}
        )
        with (
            server(view if mounted else data, tmp_path / "server.log", **settings) as running,
            httpx.Client(
                base_url=running.base,
                timeout=30,
                headers={"Authorization": f"Bearer {tokens['artist']}"},
            ) as http,
        ):
            assert _decision(http) == "deny"
            refused = http.post("/v1/consent", json=CONSENT)
            assert refused.status_code == 503, refused.text
            assert refused.json()["error"] == "storage_read_only"
            assert "read-only" in refused.json()["detail"]
            assert _decision(http) == "deny"
            assert connection_of(http.get("/readyz")) == connection_of(refused)


def test_an_unexpected_error_keeps_the_connection(tmp_path: Path) -> None:
    """A 500 is an ordinary response: uvicorn must not close the connection after it."""
    data = tmp_path / "data"
    tokens = seed(data)
    with (
        server(data, tmp_path / "server.log") as running,
        httpx.Client(
            base_url=running.base,
            timeout=30,
            headers={"Authorization": f"Bearer {tokens['artist']}"},
        ) as http,
    ):
        before = http.get("/readyz")
        with sqlite3.connect(data / "consentry.db") as conn:  # a bug: a table gone missing
            conn.execute("DROP TRIGGER IF EXISTS consent_events_append_only_delete")
            conn.execute("ALTER TABLE consent_events RENAME TO consent_events_away")
        broken = http.post("/v1/consent", json=CONSENT)
        assert broken.status_code == 500, broken.text
        assert broken.json()["error"] == "internal_error"
        assert connection_of(broken) == connection_of(before)
        assert connection_of(http.get("/healthz")) == connection_of(before)
    assert "Exception in ASGI application" not in (tmp_path / "server.log").read_text()
