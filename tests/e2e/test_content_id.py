"""Content identification end to end: a label's recording is ingested from the command line;
an artist who allowed training uploads a noisy MP3 re-encoding of it through the API; the
upload is claimed and its training is denied, with the claim as the reason."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import soundfile
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from consentry.access import Role
from consentry.consent import Choice, ConsentChoice
from consentry.services import consent_choices
from consentry.store import catalogue, parties, tokens
from tests.audio.music import RATE, piece, with_noise
from tests.cli.conftest import cli_env  # noqa: F401 (the fixture)
from tests.cli.test_catalog_cli import run
from tests.conftest import TEST_SECRET

SONG = piece(91, 45.0)


def mp3_of(samples, path: Path) -> bytes:  # type: ignore[no-untyped-def]
    source = path.with_suffix(".wav")
    soundfile.write(source, samples, RATE)
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", str(source),
                    "-ar", "44100", "-codec:a", "libmp3lame", "-b:a", "64k", str(path)],
                   check=True, timeout=60)
    return path.read_bytes()


@pytest.mark.slow
@pytest.mark.usefixtures("cli_env")  # the commands' settings name the test's database
def test_a_reencoded_noisy_copy_is_claimed_and_loses_training(
        client: TestClient, engine: Engine, tmp_path: Path) -> None:
    with engine.begin() as conn:
        label = parties.create_rights_holder(conn, "Northwind Records")
        deal = catalogue.create_agreement(conn, label.id, "No generative training",
                                          frozenset({"train-generative"}))
        artist = parties.create_artist(conn, "Uploader")
        track = catalogue.create_track(conn, "Totally original", artist.id)
        consent_choices.record_choice(conn, ConsentChoice(artist.id, "train-ai", Choice.ALLOW))
        secret = tokens.create_token(conn, TEST_SECRET, "uploader", Role.ARTIST,
                                     artist.id).secret
    auth = {"Authorization": f"Bearer {secret}"}

    def decision(purpose: str) -> dict:
        response = client.get(f"/v1/tracks/{track.id}/decision", params={"purpose": purpose},
                              headers=auth)
        assert response.status_code == 200, response.text
        return response.json()

    assert decision("train-generative")["decision"] == "allow"

    folder = tmp_path / "northwind"
    folder.mkdir()
    soundfile.write(folder / "Harbour Lights.flac", SONG, RATE)
    ingested = run("catalog", "ingest", str(folder), "--rights-holder", str(label.id),
                   "--workers", "1")
    assert ingested.exit_code == 0 and "1 recordings added" in ingested.stdout, ingested.output

    copy = mp3_of(with_noise(SONG[RATE * 7:RATE * 40], 10.0), tmp_path / "upload.mp3")
    uploaded = client.post(f"/v1/tracks/{track.id}/audio", headers=auth,
                           files={"file": ("upload.mp3", copy, "audio/mpeg")})
    assert uploaded.status_code == 201, uploaded.text
    [claim] = uploaded.json()["claims"]
    assert (claim["rights_holder_id"], claim["status"]) == (label.id, "open")
    assert claim["recording"].startswith("reference:")
    assert claim["matched_seconds"] > 20 and claim["confidence"] >= 0.45
    assert abs(claim["recording_start"] - claim["query_start"] - 7.0) < 0.15

    generative = decision("train-generative")
    assert (generative["decision"], generative["rule"]) == ("deny", "content-claim")
    assert generative["reasons"][0]["claim_id"] == claim["id"]
    assert generative["reasons"][0]["agreement_id"] == deal.id
    training = decision("train-ai")
    assert (training["decision"], training["rule"]) == ("deny", "content-claim")
    assert "Content claim" in training["reasons"][0]["summary"]

    found = client.post("/v1/identify", headers=auth,
                        files={"file": ("again.mp3", copy, "audio/mpeg")}).json()["matches"]
    assert {m["recording"] for m in found} == {claim["recording"], f"track:{track.id}"}
