"""The demo shows a content claim: Kofi Mensah's "Red Earth" contains Northwind's recording."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from consentry.audio.fingerprint import fingerprint_file
from consentry.consent import Rule
from consentry.services.decisions import decide_tracks
from consentry.services.identification import identify
from consentry.store import catalogue
from consentry.store.catalogue_index import CatalogueIndex
from consentry.store.claims import claim_records
from consentry.store.fingerprints import track_key
from consentry.store.media import audio_path
from consentry.timestamps import utcnow
from tests.cli.test_cli import invoke


@pytest.mark.slow
def test_the_demo_seeds_a_claim_that_governs_the_track(cli_env: dict, engine: Engine) -> None:
    invoke("demo", "--json")
    with engine.connect() as conn:
        [claim] = claim_records(conn)
        track = catalogue.get_track(conn, claim.claim.track_id)
        decision = decide_tracks(conn, [track], "train-generative", utcnow())[0]
    assert (track.title, claim.status.value, claim.recording_key) == (
        "Red Earth", "open", "reference:1")
    assert claim.matched_seconds > 10
    assert (decision.allowed, decision.rule) == (False, Rule.CONTENT_CLAIM)


@pytest.mark.slow
def test_every_demo_recording_is_found_as_itself_and_claims_nothing_else(
        cli_env: dict, engine: Engine, tmp_path: Path) -> None:
    """Each demo track with a recording is in the index, and a re-upload of it (as its artist
    would download it) finds that track, never the label's reference recording."""
    invoke("demo", "--json")
    index = CatalogueIndex()
    with engine.connect() as conn:
        tracks = [t for t in catalogue.list_tracks(conn)
                  if catalogue.get_track_audio(conn, t.id) is not None]
        assert len(tracks) == 4
        for track in tracks:
            audio = catalogue.get_track_audio(conn, track.id)
            assert audio is not None
            path = audio_path(tmp_path, audio.sha256)
            found = identify(conn, index, fingerprint_file(path).peaks)
            assert track_key(track.id) in {f.recording_key for f in found}, track.title
            if track.title != "Red Earth":  # the demo's one copy of the reference
                assert not [f for f in found if f.kind == "reference"], track.title
