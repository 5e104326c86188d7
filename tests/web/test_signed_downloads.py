"""Downloads carry the track's rights in a signed C2PA manifest, re-signed after a consent
change; formats C2PA cannot carry still get the tags. Read back with c2pa-python."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from consentry.consent import Choice, ConsentChoice
from consentry.errors import UnsafeSettings
from consentry.services import consent_choices
from consentry.settings import Settings
from consentry.signals.c2pa_manifest import read_manifest
from consentry.signals.file_tags import read_file_rights
from consentry.signals.signing_keys import ensure_development_chain
from consentry.store import catalogue, media, parties
from consentry.web.app import create_app
from tests.audio.synth import audio_bytes

MIME = {"wav": "audio/wav", "mp3": "audio/mpeg", "flac": "audio/flac", "ogg": "audio/ogg"}


@pytest.fixture
def signing_client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    ensure_development_chain(settings.development_signing_dir)
    with TestClient(create_app(settings, engine)) as test_client:
        yield test_client


def _track_with(engine: Engine, settings: Settings, fmt: str) -> tuple[int, int]:
    stored = media.store_upload(io.BytesIO(audio_bytes(fmt, 1.0)), settings.data_dir, 10**7,
                                max_seconds=60)
    with engine.begin() as conn:
        artist = parties.create_artist(conn, "Mara Quell")
        track = catalogue.create_track(conn, "Night Drive", artist.id)
        catalogue.attach_audio(conn, track.id, stored)
    return artist.id, track.id


def _download(client: TestClient, track: int, fmt: str, folder: Path) -> tuple[Path, str]:
    response = client.get(f"/v1/tracks/{track}/audio")
    assert response.status_code == 200, response.text
    path = folder / f"{track}-{response.headers['etag'].strip(chr(34))[:8]}.{fmt}"
    path.write_bytes(response.content)
    return path, response.headers["etag"]


@pytest.mark.parametrize("fmt", ["wav", "mp3", "flac"])
def test_downloads_are_signed_and_resigned_when_consent_changes(
    signing_client: TestClient, engine: Engine, settings: Settings, tmp_path: Path, fmt: str
) -> None:
    artist, track = _track_with(engine, settings, fmt)
    first, etag = _download(signing_client, track, fmt, tmp_path)
    manifest = read_manifest(first, MIME[fmt])
    assert manifest is not None and manifest.intact, manifest
    assert manifest.training_mining["cawg.ai_generative_training"] == "notAllowed"
    assert manifest.legacy_training_mining["c2pa.ai_generative_training"] == "notAllowed"
    assert read_file_rights(first).copyright is not None

    with engine.begin() as conn:
        for purpose in ("ai-use", "train-ai", "train-generative", "third-party-training",
                        "voice-likeness", "ai-input"):
            consent_choices.record_choice(conn, ConsentChoice(artist, purpose, Choice.ALLOW))
    second, new_etag = _download(signing_client, track, fmt, tmp_path)
    assert new_etag != etag
    manifest = read_manifest(second, MIME[fmt])
    assert manifest is not None and manifest.intact
    assert manifest.training_mining["cawg.ai_generative_training"] == "allowed"
    assert read_file_rights(second).usage == "train-ai=y, ai-use=y, search=y"


def test_ogg_downloads_are_tagged_though_c2pa_cannot_carry_them(
    signing_client: TestClient, engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    _artist, track = _track_with(engine, settings, "ogg")
    path, _etag = _download(signing_client, track, "ogg", tmp_path)
    assert read_file_rights(path).usage == "train-ai=n, ai-use=n, search=y"


def test_production_needs_its_own_signing_chain(tmp_path: Path) -> None:
    secret = "x" * 40
    with pytest.raises(UnsafeSettings, match="CONSENTRY_SIGNING_CHAIN"):
        Settings(environment="production", data_dir=tmp_path, secret_key=secret).check_safe()
    with pytest.raises(UnsafeSettings, match="or neither"):
        Settings(data_dir=tmp_path, signing_chain=tmp_path / "chain.pem").check_safe()


def test_a_label_track_s_download_names_the_agreement_not_the_artist(
    signing_client: TestClient, engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    """Issue 16, scenario 4: the denial comes from the label's agreement, and the file says so."""
    stored = media.store_upload(io.BytesIO(audio_bytes("mp3", 1.0)), settings.data_dir, 10**7,
                                max_seconds=60)
    with engine.begin() as conn:
        artist = parties.create_artist(conn, "Mara Quell")
        label = parties.create_rights_holder(conn, "Northwind")
        catalogue.create_agreement(conn, label.id, "No training", frozenset({"train-ai"}))
        track = catalogue.create_track(conn, "Signed", artist.id, rights_holder_id=label.id)
        catalogue.attach_audio(conn, track.id, stored)
        consent_choices.record_choice(conn, ConsentChoice(artist.id, "train-ai", Choice.ALLOW))
    path, _etag = _download(signing_client, track.id, "mp3", tmp_path)
    sentence = read_file_rights(path).usage_sentence or ""
    assert sentence.startswith("AI use of this recording (set by the rights holder's agreement")
    assert "the artist" not in sentence


def test_a_downloaded_flac_saved_under_its_given_name_opens_in_mutagen(
    signing_client: TestClient, engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    """Issue 16, scenario 5: the C2PA SDK puts an ID3 tag (its manifest store) in front of a
    FLAC, which makes mutagen's guess from the bytes take it for an MP3; saved under the name
    the response gives, mutagen.File opens it as FLAC and finds the rights."""
    import mutagen

    _artist, track = _track_with(engine, settings, "flac")
    response = signing_client.get(f"/v1/tracks/{track}/audio")
    disposition = response.headers["content-disposition"]
    assert disposition == f'inline; filename="track-{track}.flac"'
    saved = tmp_path / disposition.split('filename="')[1].rstrip('"')
    saved.write_bytes(response.content)
    assert response.content[:3] == b"ID3"  # where c2pa-rs keeps the manifest in a FLAC
    opened = mutagen.File(saved)
    assert opened is not None and type(opened).__name__ == "FLAC"
    assert opened.tags["AI_USAGE"][0].startswith("train-ai=")
    assert read_manifest(saved, "audio/flac") is not None
