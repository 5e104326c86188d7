"""A track's recording: attached, replaced, shared between tracks, read one or many at a time."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from consentry.errors import NotFound
from consentry.store import catalogue, parties
from consentry.store.media import store_upload
from tests.audio.synth import audio_bytes


def test_attach_replace_and_share(engine: Engine, tmp_path: Path) -> None:
    wav = store_upload(io.BytesIO(audio_bytes("wav", 2.5)), tmp_path, 10**7, max_seconds=60)
    mp3 = store_upload(io.BytesIO(audio_bytes("mp3")), tmp_path, 10**7, max_seconds=60)
    with engine.begin() as conn:
        artist = parties.create_artist(conn, "Ada").id
        first, second, silent = (catalogue.create_track(conn, title, artist).id
                                 for title in ("One", "Two", "Three"))
        attached = catalogue.attach_audio(conn, first, wav)
        catalogue.attach_audio(conn, second, wav)
    assert (attached.sha256, attached.format, attached.mime, attached.size,
            attached.duration_ms) == (wav.sha256, "wav", "audio/wav", wav.size, 2500)
    with engine.begin() as conn:
        assert catalogue.get_track_audio(conn, first) == attached
        assert catalogue.get_track_audio(conn, silent) is None
        replaced = catalogue.attach_audio(conn, first, mp3)
    with engine.begin() as conn:
        found = catalogue.tracks_audio(conn, [first, second, silent, 999_999])
    assert set(found) == {first, second}
    assert found[first] == replaced and found[first].format == "mp3"
    assert found[second].sha256 == wav.sha256
    assert wav.path.is_file()  # a replaced file stays: track two still plays it


def test_attaching_to_a_missing_track_is_not_found(engine: Engine, tmp_path: Path) -> None:
    stored = store_upload(io.BytesIO(audio_bytes("wav")), tmp_path, 10**7, max_seconds=60)
    with engine.begin() as conn, pytest.raises(NotFound):
        catalogue.attach_audio(conn, 999_999, stored)
