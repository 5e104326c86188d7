"""Content identification for everyone (issue 15, scenario 3): an independent artist's track
found in another artist's upload opens a claim for the artist whose track it is; the copy is
denied every use that needs consent while the claim stands, kept out of datasets, and both
artists are told. The claimant, not the uploader, confirms or releases it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.engine import Engine

from consentry.access import Role
from consentry.audio.fingerprint import fingerprint_samples
from consentry.consent import Choice, ClaimAction, ConsentChoice, Rule
from consentry.services import claim_disputes, consent_choices
from consentry.services.dataset_snapshots import create_snapshot
from consentry.services.decisions import decide_track
from consentry.services.log_audit import audit_log
from consentry.services.upload_claims import claim_fingerprint
from consentry.store import accounts, catalogue, parties
from consentry.store import transparency_log as log
from consentry.store.catalogue_index import CatalogueIndex
from consentry.store.claims import claim_records
from consentry.store.datasets import snapshots_containing
from consentry.store.schema import outbox
from consentry.timestamps import utcnow
from tests.audio.music import piece

GEN = "train-generative"
ORIGIN = "music.example/log"
KEY = Ed25519PrivateKey.generate()


@pytest.fixture
def copied(engine: Engine) -> dict[str, int]:
    """Ada's own recording is on the platform; Bo uploads the same audio to a track of his and
    opts everything into generative training."""
    song = piece(71, 30.0)
    with engine.begin() as conn:
        ada = parties.create_artist(conn, "Ada").id
        bo = parties.create_artist(conn, "Bo").id
        original = catalogue.create_track(conn, "Original", ada).id
        copy = catalogue.create_track(conn, "Copy", bo).id
        for artist, email in ((ada, "ada@example.org"), (bo, "bo@example.org")):
            accounts.create_user(conn, email, "correct horse battery", email, Role.ARTIST,
                                 artist_id=artist)
        consent_choices.record_choice(conn, ConsentChoice(bo, GEN, Choice.ALLOW))
    index = CatalogueIndex()
    assert claim_fingerprint(engine, index, original, fingerprint_samples(song), "a" * 64,
                             "ada") == []
    [claim] = claim_fingerprint(engine, index, copy, fingerprint_samples(song), "b" * 64, "bo",
                                "https://music.example")
    return {"ada": ada, "bo": bo, "original": original, "copy": copy, "claim": claim.id}


def test_the_copy_is_claimed_for_the_artist_whose_track_it_is(
        engine: Engine, copied: dict[str, int]) -> None:
    with engine.connect() as conn:
        [record] = claim_records(conn, artist_id=copied["ada"])  # the claimant sees it
        assert [r.id for r in claim_records(conn, artist_id=copied["bo"])] == [record.id]
        decision = decide_track(conn, copied["copy"], GEN, utcnow())
        entry = next(e for e in log.entries(conn, 0, log.log_size(conn))
                     if e.kind == "content-claim")
    assert (record.claim.claimant_artist_id, record.claim.rights_holder_id) == (
        copied["ada"], None)
    assert record.claim.track_id == copied["copy"]
    assert (decision.allowed, decision.rule) == (False, Rule.CONTENT_CLAIM)
    assert decision.reasons[0].artist_id == copied["ada"]
    assert json.loads(entry.data)["claimant_artist_id"] == copied["ada"]
    with engine.begin() as conn:
        log.sign_current(conn, ORIGIN, KEY)
    with engine.connect() as conn:
        audit_log(conn, ORIGIN, KEY.public_key())


def test_a_snapshot_leaves_the_copy_out(engine: Engine, tmp_path: Path,
                                        copied: dict[str, int]) -> None:
    snapshot = create_snapshot(engine, tmp_path, GEN, utcnow(), None, ORIGIN, KEY, "test")
    with engine.connect() as conn:
        assert snapshots_containing(conn, copied["copy"]) == []
        assert [s.id for s in snapshots_containing(conn, copied["original"])] == []
    assert snapshot.tracks == 0  # Ada never allowed it; Bo's allow cannot cover her music


def test_both_artists_are_told(engine: Engine, copied: dict[str, int]) -> None:
    with engine.connect() as conn:
        told = {r.recipient: r.subject for r in conn.execute(select(outbox))}
    assert set(told) == {"ada@example.org", "bo@example.org"}
    assert all("'Original' was found in 'Copy'" in s for s in told.values())


def test_only_the_claimant_answers_and_a_release_frees_the_copy(
        engine: Engine, copied: dict[str, int]) -> None:
    with engine.begin() as conn:
        released = claim_disputes.answer(conn, copied["claim"], ClaimAction.RELEASE, "ada", "",
                                         "https://music.example")
    assert not released.status.active
    with engine.connect() as conn:
        decision = decide_track(conn, copied["copy"], GEN, utcnow())
    assert (decision.allowed, decision.rule) == (True, Rule.ARTIST_DEFAULT)
