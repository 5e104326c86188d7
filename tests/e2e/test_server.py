"""The README's path through the real server: init, demo, serve, then the tour over HTTP."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import TEST_SECRET, free_port
from tests.e2e.conftest import run

pytestmark = pytest.mark.slow
def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_tour_over_http(server: tuple[str, dict[str, str]]) -> None:
    base, tokens = server
    with httpx.Client(base_url=base, timeout=10) as http:
        assert http.get("/docs").status_code == 200
        assert "train-generative" in [p["id"] for p in http.get("/v1/purposes").json()]

        artist = auth(tokens["artist"])
        decision = http.get("/v1/tracks/2/decision", params={"purpose": "train-generative"},
                            headers=artist).json()
        assert (decision["decision"], decision["rule"]) == ("deny", "artist-default")

        event = http.post("/v1/consent", headers=artist, json={
            "purpose": "train-generative", "choice": "allow", "track_id": 2}).json()
        decision = http.get("/v1/tracks/2/decision", params={"purpose": "train-generative"},
                            headers=artist).json()
        assert (decision["decision"], decision["rule"]) == ("allow", "artist-track-choice")
        assert decision["reasons"][0]["event_id"] == event["id"]

        before = http.get("/v1/tracks/2/decision", headers=artist, params={
            "purpose": "train-generative", "at": "2021-01-01T00:00:00Z"}).json()
        assert (before["decision"], before["rule"]) == ("deny", "co-owner-consent")

        soundlab = auth(tokens["consumer_third_party"])
        batch = http.post("/v1/decisions", headers=soundlab, json={
            "purpose": "train-generative", "track_ids": [1, 2, 3, 5, 404]}).json()
        assert batch["unknown_track_ids"] == [404]
        assert {d["track_id"]: d["decision"] for d in batch["decisions"]} == {
            1: "deny", 2: "deny", 3: "deny", 5: "allow"}

        export = http.get("/v1/eligibility", headers=soundlab, params={
            "purpose": "train-generative", "format": "csv", "eligible_only": "true"})
        assert export.headers["content-type"].startswith("text/csv")
        # Red Earth (6) is allowed by its artist too, but the demo's content claim takes it out
        assert list(csv.DictReader(io.StringIO(export.text))) == [
            {"track_id": "5", "eligible": "true", "rule": "artist-default"}]

        refused = http.get("/v1/eligibility", headers=soundlab, params={"purpose": "ai-input"})
        assert refused.status_code == 403 and refused.json()["error"] == "forbidden"


def test_a_write_is_committed_before_its_response(server: tuple[str, dict[str, str]]) -> None:
    """A client told "201" finds its event on its very next request, every time."""
    base, tokens = server
    artist = auth(tokens["artist"])
    with httpx.Client(base_url=base, timeout=10) as http:
        for choice in ["allow", "deny"] * 15:
            recorded = http.post("/v1/consent", headers=artist, json={
                "purpose": "train-generative", "choice": choice, "track_id": 1}).json()
            decision = http.get("/v1/tracks/1/decision", headers=artist,
                                params={"purpose": "train-generative"}).json()
            assert (decision["decision"], decision["reasons"][0]["event_id"]) == (
                choice, recorded["id"])


def test_server_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    env = {"CONSENTRY_DATA_DIR": str(tmp_path), "CONSENTRY_SECRET_KEY": TEST_SECRET}
    result = run(env, "serve", "--port", str(free_port()))
    assert result.returncode == 1
    assert "run 'consentry init'" in result.stderr


def test_a_cli_message_is_not_wrapped_when_the_output_is_no_terminal(tmp_path: Path) -> None:
    """A script or a log reads each message on one line, whatever the path's length."""
    data_dir = tmp_path / ("a-data-dir-with-a-long-name-" * 3)
    env = {"CONSENTRY_DATA_DIR": str(data_dir), "CONSENTRY_SECRET_KEY": TEST_SECRET}
    result = run(env, "serve", "--port", str(free_port()))
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and str(data_dir) in lines[0] and lines[0].endswith(
        "run 'consentry init'")


def test_production_refuses_the_default_secret(tmp_path: Path) -> None:
    env = {"CONSENTRY_DATA_DIR": str(tmp_path), "CONSENTRY_ENVIRONMENT": "production",
           "CONSENTRY_SECRET_KEY": ""}
    assert run(env, "init").returncode == 0
    result = subprocess.run(
        [sys.executable, "-c", "from consentry.web.app import create_app; create_app()"],
        env=os.environ | env | {"CONSENTRY_SECRET_KEY": "development-only-secret-change-me"},
        text=True, capture_output=True, timeout=60)
    assert result.returncode != 0 and "CONSENTRY_SECRET_KEY must be set" in result.stderr
