"""Track pages and audio carry the AI-use signals of the track, as its consent stands now."""

from __future__ import annotations

import http_sfv
import pytest
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


@pytest.mark.slow
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
    assert usage(page.headers["content-usage"]) == {"train-ai": "y", "ai-use": "y", "search": "y"}
    assert "x-robots-tag" not in page.headers
    assert page.headers["tdm-reservation"] == "0"


GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def test_a_web_search_denial_is_heard_by_search_engines(
    client: TestClient, engine: Engine
) -> None:
    """Issue 16, scenario 2: public web search is a purpose of its own. Denying it says
    search=n and noindex on the page and keeps Googlebot out; the platform's internal
    organisation (content-organisation) is another choice and says nothing to the web."""
    with engine.begin() as conn:
        artist = parties.create_artist(conn, "Ada")
        hidden = catalogue.create_track(conn, "Hidden", artist.id)
        internal = catalogue.create_track(conn, "Untagged", artist.id)
        consent_choices.record_choice(conn, ConsentChoice(
            artist.id, "web-search", Choice.DENY, track_id=hidden.id))
        consent_choices.record_choice(conn, ConsentChoice(
            artist.id, "content-organisation", Choice.DENY, track_id=internal.id))
    page = client.get(f"/tracks/{hidden.id}")
    assert usage(page.headers["content-usage"])["search"] == "n"
    assert "search=no" in page.headers["content-signal"]
    assert page.headers["x-robots-tag"] == "noai, noimageai, noindex"
    assert '<meta name="robots" content="noai, noimageai, noindex">' in page.text
    refused = client.get(f"/tracks/{hidden.id}", headers={"User-Agent": GOOGLEBOT})
    assert refused.status_code == 403
    assert (refused.json()["crawler"], refused.json()["purpose"]) == ("Googlebot", "web-search")

    other = client.get(f"/tracks/{internal.id}")
    assert usage(other.headers["content-usage"])["search"] == "y"
    assert "noindex" not in other.headers["x-robots-tag"]
    assert client.get(f"/tracks/{internal.id}",
                      headers={"User-Agent": GOOGLEBOT}).status_code == 200
