"""POST /v1/identify: what an audio contains, where, how much, how sure; bad input refused."""

from __future__ import annotations

import io

import numpy as np
import pytest
import soundfile
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from consentry.audio.fingerprint import fingerprint_samples
from consentry.settings import Settings
from consentry.store.media import audio_root
from consentry.store.reference_recordings import add_reference
from tests.audio.music import RATE, piece, with_noise
from tests.web.conftest import World

SONG = piece(71, 40.0)


def wav(samples: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    soundfile.write(buffer, samples, RATE, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def post(client: TestClient, world: World, data: bytes, who: str = "third_party"):  # type: ignore[no-untyped-def]
    return client.post("/v1/identify", headers=world.headers(who),
                       files={"file": ("query.wav", data, "audio/wav")})


def test_a_reference_recording_is_found_with_offsets(client: TestClient, world: World,
                                                      engine: Engine,
                                                      settings: Settings) -> None:
    with engine.begin() as conn:
        reference = add_reference(conn, world.holder_1, "Label hit", "a" * 64,
                                  fingerprint_samples(SONG))
    query = np.concatenate([piece(72, 6.0), with_noise(SONG[RATE * 10:RATE * 22], 10.0)])
    response = post(client, world, wav(query))
    assert response.status_code == 200, response.text
    body = response.json()
    assert abs(body["seconds"] - 18.0) < 0.1
    [found] = body["matches"]
    assert (found["recording"], found["kind"], found["id"], found["title"]) == (
        f"reference:{reference.id}", "reference", reference.id, "Label hit")
    assert found["rights_holder_id"] == world.holder_1
    assert abs(found["recording_start"] - found["query_start"] - 4.0) < 0.1
    assert 5.5 <= found["query_start"] <= 8.0 and found["matched_seconds"] > 8
    assert found["confidence"] >= 0.45
    assert [p.name for p in audio_root(settings.data_dir).iterdir()] == []  # nothing kept


def test_unknown_audio_is_an_empty_list(client: TestClient, world: World) -> None:
    response = post(client, world, wav(piece(73, 12.0)), who="artist_a")
    assert response.status_code == 200, response.text
    assert response.json()["matches"] == []


def test_corrupt_or_empty_audio_is_422(client: TestClient, world: World) -> None:
    for data in (b"", b"RIFF\x00\x00\x00\x00WAVEnot really", wav(SONG)[:60]):
        response = post(client, world, data)
        assert response.status_code == 422, (data[:20], response.text)
        assert response.json()["error"] == "invalid_audio"


def test_too_large_is_413(client: TestClient, world: World, settings: Settings) -> None:
    settings.max_upload_bytes = 1000
    response = post(client, world, wav(piece(74, 2.0)))
    assert response.status_code == 413, response.text
    assert response.json()["error"] == "payload_too_large"


@pytest.mark.slow
def test_a_consumer_that_neither_trains_nor_identifies_may_not(
        client: TestClient, world: World, engine: Engine) -> None:
    from consentry.store import parties, tokens
    from tests.conftest import TEST_SECRET

    with engine.begin() as conn:
        recs = parties.create_consumer(conn, "Recs", frozenset({"recommendations"}))
        token = tokens.create_token(conn, TEST_SECRET, "recs", tokens.Role.CONSUMER, recs.id)
    response = client.post("/v1/identify", headers={"Authorization": f"Bearer {token.secret}"},
                           files={"file": ("q.wav", wav(piece(75, 3.0)), "audio/wav")})
    assert response.status_code == 403, response.text


def test_not_audio_is_422_naming_what_identify_decodes_and_uploads_accept(
        client: TestClient, world: World) -> None:
    """Identify decodes more than uploads accept (AAC, M4A, Opus through ffmpeg); each says
    its own list."""
    lyrics = b"these are my lyrics, not a recording\n" * 20
    identified = post(client, world, lyrics)
    assert identified.status_code == 422 and identified.json()["error"] == "invalid_audio"
    assert ("not in an audio format this server decodes (WAV, FLAC, Ogg Vorbis, MP3, "
            "MP4/M4A (AAC, ALAC), AAC (ADTS), Ogg Opus)") in identified.json()["detail"]
    assert identified.json()["accepted"] == ["wav", "flac", "ogg", "mp3", "m4a", "aac", "opus"]
    uploaded = client.post(f"/v1/tracks/{world.track_a}/audio", headers=world.headers("artist_a"),
                           files={"file": ("take.wav", lyrics, "audio/wav")})
    assert uploaded.status_code == 422
    assert "not in an accepted audio format (WAV, FLAC, Ogg Vorbis, MP3):" in uploaded.json()[
        "detail"]
    assert uploaded.json()["accepted"] == ["wav", "flac", "ogg", "mp3"]
