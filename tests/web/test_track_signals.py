"""Track pages and audio carry the AI-use signals of the track, as its consent stands now."""

from __future__ import annotations

import http_sfv
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from consentry.consent import Choice, ConsentChoice
from consentry.services import consent_choices
from consentry.settings import Settings
from consentry.store import catalogue, media, parties
from consentry.store.catalogue import attach_audio
from tests.audio.synth import write_audio


def usage(value: str) -> dict[str, str]:
    parsed = http_sfv.Dictionary()
    parsed.parse(value.encode())
    return {key: str(item.value) for key, item in parsed.items()}


def test_signals_follow_a_consent_change_on_the_next_request(
    client: TestClient, engine: Engine, settings: Settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as conn:
        artist = parties.create_artist(conn, "Ada")
        track = catalogue.create_track(conn, "Song", artist.id)
    recording = tmp_path / "song.wav"
    write_audio(recording, "wav", seconds=1.0)
    with recording.open("rb") as source:
        stored = media.store_upload(source, settings.data_dir, settings.max_upload_bytes,
                                    max_seconds=60, declared_name="song.wav",
                                    declared_type="audio/wav")
    with engine.begin() as conn:
        attach_audio(conn, track.id, stored)

    page = client.get(f"/tracks/{track.id}")
    audio = client.get(f"/v1/tracks/{track.id}/audio", headers={"Range": "bytes=0-99"})
    for response in (page, audio):
        assert usage(response.headers["content-usage"])["train-ai"] == "n"
        assert response.headers["x-robots-tag"] == "noai, noimageai"
        assert response.headers["tdm-reservation"] == "1"
    assert '<meta name="robots" content="noai, noimageai">' in page.text

    with engine.begin() as conn:
        consent_choices.record_choice(conn, ConsentChoice(artist.id, "ai-use", Choice.ALLOW))
        for purpose in ("voice-likeness", "third-party-training"):
            consent_choices.record_choice(conn, ConsentChoice(artist.id, purpose, Choice.ALLOW))
    page = client.get(f"/tracks/{track.id}")
    assert usage(page.headers["content-usage"]) == {"train-ai": "y", "search": "y"}
    assert "x-robots-tag" not in page.headers
    assert page.headers["tdm-reservation"] == "0"
