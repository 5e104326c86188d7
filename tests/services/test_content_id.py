"""Fingerprints kept in the database, the in-memory index that follows them, and claims."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.engine import Engine

from consentry.audio.fingerprint import fingerprint_samples
from consentry.consent import Choice, ClaimAction, ClaimStatus, ConsentChoice, Rule
from consentry.errors import InvalidInput
from consentry.services import consent_choices
from consentry.services.decisions import decide_all, decide_tracks
from consentry.services.log_audit import audit_log
from consentry.services.upload_claims import claim_fingerprint
from consentry.store import catalogue, parties
from consentry.store.catalogue_index import CatalogueIndex
from consentry.store.claims import change_claim, claim_records
from consentry.store.fingerprints import (
    decode_fingerprint,
    delete_fingerprint,
    encode_fingerprint,
    save_fingerprint,
    track_key,
)
from consentry.store.reference_recordings import add_reference, known_hashes
from consentry.store.transparency_log import entries, log_size
from consentry.timestamps import utcnow
from tests.audio.music import piece, with_noise

SONG = piece(61, 40.0)


def test_a_fingerprint_survives_its_blob() -> None:
    fingerprint = fingerprint_samples(piece(3, 10.0))
    back = decode_fingerprint(encode_fingerprint(fingerprint))
    assert back.peaks.frame_count == fingerprint.peaks.frame_count
    assert np.array_equal(back.peaks.frames, fingerprint.peaks.frames)
    assert np.allclose(back.peaks.hz, fingerprint.peaks.hz, atol=0.125)
    assert np.array_equal(back.landmarks.hashes, fingerprint.landmarks.hashes)
    assert np.array_equal(back.landmarks.frames, fingerprint.landmarks.frames)
    with pytest.raises(InvalidInput, match="format"):
        decode_fingerprint(encode_fingerprint(fingerprint)[:-1])


def test_the_index_follows_rows_written_by_another_process(engine: Engine) -> None:
    with engine.begin() as conn:
        artist = parties.create_artist(conn, "Ada")
        one = catalogue.create_track(conn, "One", artist.id)
        two = catalogue.create_track(conn, "Two", artist.id)
        save_fingerprint(conn, track_key(one.id), fingerprint_samples(piece(1, 20.0)), "a" * 64,
                         track_id=one.id)
    mine, theirs = CatalogueIndex(), CatalogueIndex()
    query = fingerprint_samples(piece(2, 20.0)[40_000:120_000]).peaks
    with engine.connect() as conn:
        assert mine.refresh(conn).added == 1
        assert mine.match(conn, query) == []
        assert mine.refresh(conn).added == 0  # nothing changed: one small query, no reload
    with engine.begin() as conn:  # "another process" stores a second track
        save_fingerprint(conn, track_key(two.id), fingerprint_samples(piece(2, 20.0)), "b" * 64,
                         track_id=two.id)
    with engine.connect() as conn:
        assert [m.track_id for m in mine.match(conn, query)] == [track_key(two.id)]
        assert [m.track_id for m in theirs.match(conn, query)] == [track_key(two.id)]
    with engine.begin() as conn:  # replaced by other audio, then removed
        save_fingerprint(conn, track_key(two.id), fingerprint_samples(piece(5, 20.0)), "c" * 64,
                         track_id=two.id)
    with engine.connect() as conn:
        assert mine.match(conn, query) == []
        assert mine.recordings == 2
    with engine.begin() as conn:
        assert delete_fingerprint(conn, track_key(two.id))
    with engine.connect() as conn:
        load = mine.refresh(conn)
    assert (load.added, load.removed, mine.recordings) == (0, 1, 1)


def test_the_index_starts_from_its_snapshot(engine: Engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as conn:
        artist = parties.create_artist(conn, "Ada")
        tracks = [catalogue.create_track(conn, f"T{n}", artist.id) for n in range(3)]
        for n, track in enumerate(tracks[:2]):
            save_fingerprint(conn, track_key(track.id), fingerprint_samples(piece(10 + n, 20.0)),
                             f"{n}" * 64, track_id=track.id)
    snapshot = tmp_path / "index.npz"
    with engine.connect() as conn:
        first = CatalogueIndex(snapshot).refresh(conn)
    assert (first.added, first.from_snapshot, snapshot.is_file()) == (2, False, True)
    with engine.begin() as conn:  # while the server was down: one replaced, one added
        save_fingerprint(conn, track_key(tracks[0].id), fingerprint_samples(piece(20, 20.0)),
                         "a" * 64, track_id=tracks[0].id)
        save_fingerprint(conn, track_key(tracks[2].id), fingerprint_samples(piece(12, 20.0)),
                         "b" * 64, track_id=tracks[2].id)
    index = CatalogueIndex(snapshot)
    with engine.connect() as conn:
        load = index.refresh(conn)
        assert (load.from_snapshot, load.added, load.removed, index.recordings) == (
            True, 2, 1, 3)
        for seed, track in ((20, tracks[0]), (11, tracks[1]), (12, tracks[2])):
            query = fingerprint_samples(piece(seed, 20.0)[40_000:120_000]).peaks
            assert [m.track_id for m in index.match(conn, query)] == [track_key(track.id)]
        assert index.match(conn, fingerprint_samples(piece(10, 20.0)[40_000:120_000]).peaks) == []
    snapshot.write_bytes(b"not an index")
    with engine.connect() as conn:
        rebuilt = CatalogueIndex(snapshot).refresh(conn)
    assert (rebuilt.from_snapshot, rebuilt.added) == (False, 3)


def test_a_copy_of_a_labels_recording_is_claimed_and_loses_its_training(engine: Engine) -> None:
    index = CatalogueIndex()
    with engine.begin() as conn:
        label = parties.create_rights_holder(conn, "Label")
        catalogue.create_agreement(conn, label.id, "no voices", frozenset({"voice-likeness"}))
        reference = add_reference(conn, label.id, "Hit", "d" * 64, fingerprint_samples(SONG),
                                  isrc="GBAYE2400001")
        assert known_hashes(conn, label.id) == {"d" * 64}
        artist = parties.create_artist(conn, "Uploader")
        consent_choices.record_choice(conn, ConsentChoice(artist.id, "train-ai", Choice.ALLOW))
        upload = catalogue.create_track(conn, "My song", artist.id)
        own = catalogue.create_track(conn, "Really mine", artist.id)
    copy = fingerprint_samples(with_noise(SONG[8_000 * 5:8_000 * 35], 10.0))
    claims = claim_fingerprint(engine, index, upload.id, copy, "e" * 64, "artist:1")
    assert [(c.recording_key, c.status, c.claim.rights_holder_id) for c in claims] == [
        (f"reference:{reference.id}", ClaimStatus.OPEN, label.id)]
    claim = claims[0]
    assert claim.matched_seconds > 20
    assert abs(claim.recording_start - claim.query_start - 5.0) < 0.1
    assert claim.confidence >= 0.45
    # the same file again opens nothing; the artist's own other track is not claimed
    assert claim_fingerprint(engine, index, upload.id, copy, "e" * 64, "artist:1") == []
    assert claim_fingerprint(engine, index, own.id, copy, "f" * 64, "artist:1") != []

    now = utcnow()
    with engine.connect() as conn:
        training = decide_tracks(conn, [upload], "train-ai", now)[0]
        voices = decide_tracks(conn, [upload], "voice-likeness", now)[0]
    assert (training.allowed, training.rule, training.reasons[0].claim_id) == (
        False, Rule.CONTENT_CLAIM, claim.id)
    assert voices.reasons[0].agreement_id is not None
    batch = decide_all(engine, "train-ai", now)
    row = list(batch.track_id).index(upload.id)
    assert (bool(batch.allowed[row]), batch.rules()[row]) == (False, Rule.CONTENT_CLAIM)

    with engine.begin() as conn:
        with pytest.raises(InvalidInput, match="why"):
            change_claim(conn, claim.id, ClaimAction.DISPUTE, "artist:1")
        disputed = change_claim(conn, claim.id, ClaimAction.DISPUTE, "artist:1", "I wrote it",
                                timedelta(days=14))
    assert [c.status for c in disputed.claim.changes] == [ClaimStatus.OPEN, ClaimStatus.DISPUTED]
    assert disputed.claim.changes[-1].reason == "I wrote it"
    with engine.connect() as conn:  # a dispute does not lift the claim
        assert decide_tracks(conn, [upload], "train-ai", utcnow())[0].rule is Rule.CONTENT_CLAIM
        assert decide_tracks(conn, [upload], "train-ai", now)[0].rule is Rule.CONTENT_CLAIM
        listed = claim_records(conn, rights_holder_id=label.id)
        assert {c.id for c in listed} == {c.id for c in claim_records(conn, artist_id=artist.id)}
    with engine.begin() as conn:
        change_claim(conn, claim.id, ClaimAction.CONFIRM, "rights_holder:1")
    with engine.connect() as conn:
        assert not decide_tracks(conn, [upload], "train-ai", utcnow())[0].allowed
        # every claim and change is in the transparency log, and the audit recomputes them
        kinds = [e.kind for e in entries(conn, 0, log_size(conn))]
        assert (kinds.count("content-claim"), kinds.count("claim-change")) == (2, 4)
        assert audit_log(conn, "test", Ed25519PrivateKey.generate().public_key()).entries
