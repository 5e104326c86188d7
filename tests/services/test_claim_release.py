"""Claims whose ground is gone are released: a removed reference recording, replaced audio.

Releases go through the one claim-change path, so they are in the transparency log and the
audit recomputes them; the indexes of every process let a removed recording go.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from consentry.audio.fingerprint import fingerprint_samples
from consentry.consent import Choice, ClaimAction, ClaimStatus, ConsentChoice, Rule
from consentry.errors import NotFound
from consentry.services import consent_choices
from consentry.services.decisions import decide_tracks
from consentry.services.log_audit import audit_log
from consentry.services.upload_claims import claim_fingerprint, release_replaced
from consentry.store import catalogue, parties
from consentry.store.catalogue_index import CatalogueIndex
from consentry.store.claims import change_claim, get_claim
from consentry.store.reference_recordings import (
    add_reference,
    known_hashes,
    list_references,
    remove_reference,
)
from consentry.store.schema import fingerprints
from consentry.store.transparency_log import entries, log_size
from consentry.timestamps import utcnow
from tests.audio.music import piece, with_noise

SONG = piece(71, 40.0)
COPY = fingerprint_samples(with_noise(SONG[8_000 * 5:8_000 * 35], 10.0))


def _world(engine: Engine):  # type: ignore[no-untyped-def]
    with engine.begin() as conn:
        label = parties.create_rights_holder(conn, "Label")
        other = parties.create_rights_holder(conn, "Other Label")
        reference = add_reference(conn, label.id, "Hit", "d" * 64, fingerprint_samples(SONG))
        artist = parties.create_artist(conn, "Uploader")
        consent_choices.record_choice(conn, ConsentChoice(artist.id, "train-ai", Choice.ALLOW))
        one = catalogue.create_track(conn, "Upload one", artist.id)
        two = catalogue.create_track(conn, "Upload two", artist.id)
    return label, other, reference, one, two


def _training(engine: Engine, track) -> tuple[bool, Rule]:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        decision = decide_tracks(conn, [track], "train-ai", utcnow())[0]
    return decision.allowed, decision.rule


def test_removing_a_reference_releases_its_claims_and_every_index_forgets_it(
        engine: Engine, tmp_path: Path) -> None:
    label, other, reference, one, two = _world(engine)
    snapshot = tmp_path / "index.npz"
    server = CatalogueIndex(snapshot)  # a server process that has the reference in memory
    [first] = claim_fingerprint(engine, server, one.id, COPY, "e" * 64, "artist:1")
    [second] = claim_fingerprint(engine, server, two.id, COPY, "f" * 64, "artist:1")
    with engine.begin() as conn:
        change_claim(conn, second.id, ClaimAction.CONFIRM, "rights_holder:1")
    assert _training(engine, one)[1] is Rule.CONTENT_CLAIM
    stale = tmp_path / "stale.npz"  # as it was written, with the reference in it
    stale.write_bytes(snapshot.read_bytes())

    with engine.begin() as conn:
        with pytest.raises(NotFound, match=f"reference recording {reference.id} does not"):
            remove_reference(conn, reference.id, "rights_holder:2", rights_holder_id=other.id)
        with pytest.raises(NotFound):
            remove_reference(conn, 999_999, "rights_holder:1")
    with engine.begin() as conn:  # "another process" (the CLI) removes it
        removed = remove_reference(conn, reference.id, "cli:ops", rights_holder_id=label.id)
    assert removed.reference.title == "Hit"
    assert sorted(c.id for c in removed.released) == sorted([first.id, second.id])
    with engine.connect() as conn:
        for claim_id, before in ((first.id, ClaimStatus.OPEN), (second.id, ClaimStatus.CONFIRMED)):
            changes = get_claim(conn, claim_id).claim.changes
            assert [c.status for c in changes][-2:] == [before, ClaimStatus.RELEASED]
            assert (changes[-1].reason, changes[-1].by) == ("reference removed", "cli:ops")
        assert list_references(conn, label.id) == [] and known_hashes(conn, label.id) == set()
        assert conn.execute(select(func.count()).select_from(fingerprints)).scalar_one() == 2
    assert _training(engine, one) == (True, Rule.ARTIST_DEFAULT)
    assert _training(engine, two)[0]

    query = fingerprint_samples(with_noise(SONG[8_000 * 10:8_000 * 25], 10.0)).peaks
    with engine.connect() as conn:
        load = server.refresh(conn)  # the version check sees the row count drop
        assert load.removed == 1  # (and adds track two, saved after its own match)
        found = server.match(conn, query)
        assert f"reference:{reference.id}" not in {m.track_id for m in found}
        # and a process starting from a snapshot taken before drops it as well
        restarted = CatalogueIndex(stale)
        load = restarted.refresh(conn)
        assert load.from_snapshot and load.removed == 1
        assert f"reference:{reference.id}" not in {m.track_id for m in restarted.match(conn, query)}
        # claims stay; removing again is a clear 404
        assert len(entries(conn, 0, log_size(conn))) == log_size(conn)
        kinds = [e.kind for e in entries(conn, 0, log_size(conn))]
        assert (kinds.count("content-claim"), kinds.count("claim-change")) == (2, 5)
        assert audit_log(conn, "test", Ed25519PrivateKey.generate().public_key()).entries
    with engine.begin() as conn, pytest.raises(NotFound):
        remove_reference(conn, reference.id, "cli:ops")


def test_the_index_removes_the_track_itself(engine: Engine) -> None:
    """Not only the search results: the landmarks leave the index's arrays."""
    label, _other, reference, _one, _two = _world(engine)
    index = CatalogueIndex()
    with engine.connect() as conn:
        index.refresh(conn)
    held = index.recordings
    with engine.begin() as conn:
        remove_reference(conn, reference.id, "test", rights_holder_id=label.id)
    with engine.connect() as conn:
        index.refresh(conn)
    assert index.recordings == held - 1
    assert index.hours == 0


def test_new_audio_releases_the_claims_on_the_old_and_may_be_claimed_again(
        engine: Engine) -> None:
    _label, _other, reference, one, _two = _world(engine)
    index = CatalogueIndex()
    [claim] = claim_fingerprint(engine, index, one.id, COPY, "e" * 64, "artist:1")
    assert _training(engine, one)[1] is Rule.CONTENT_CLAIM

    unrelated = fingerprint_samples(piece(5, 30.0))
    assert claim_fingerprint(engine, index, one.id, unrelated, "a" * 64, "artist:1") == []
    with engine.connect() as conn:
        released = get_claim(conn, claim.id).claim.changes[-1]
    assert (released.status, released.reason, released.by) == (
        ClaimStatus.RELEASED, "audio replaced", "artist:1")
    assert _training(engine, one) == (True, Rule.ARTIST_DEFAULT)

    [again] = claim_fingerprint(engine, index, one.id, COPY, "e" * 64, "artist:1")
    assert again.id != claim.id and again.recording_key == f"reference:{reference.id}"
    assert _training(engine, one)[1] is Rule.CONTENT_CLAIM
    # the same audio once more changes nothing; a claim the label released stays released
    assert claim_fingerprint(engine, index, one.id, COPY, "e" * 64, "artist:1") == []
    with engine.begin() as conn:
        change_claim(conn, again.id, ClaimAction.RELEASE, "rights_holder:1")
        assert release_replaced(conn, one.id, "b" * 64, "artist:1") == []
    assert claim_fingerprint(engine, index, one.id, COPY, "e" * 64, "artist:1") == []
    with engine.connect() as conn:
        assert audit_log(conn, "test", Ed25519PrivateKey.generate().public_key()).entries
