"""Dataset snapshots: exactly the eligible tracks, a manifest that says why, signed, logged,
and the same manifest for the same instant."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from consentry.consent import Choice, ConsentChoice, ConsumerKind, Share
from consentry.datasets.manifest import sha256_hex
from consentry.ledger.note import open_note
from consentry.services import consent_choices
from consentry.services.dataset_snapshots import create_snapshot
from consentry.store import catalogue, ledger, media, parties
from consentry.store import transparency_log as log
from consentry.store.datasets import manifest_path, snapshots_containing
from consentry.timestamps import utcnow
from tests.audio.synth import audio_bytes

ORIGIN = "music.example/log"
KEY = Ed25519PrivateKey.generate()


@pytest.fixture
def world(engine: Engine, tmp_path: Path) -> dict[str, int]:
    """Ada allows generative training for all tracks and names Acme; Bo co-owns one track and
    allows; Cy denies; a label forbids training on its catalogue."""
    with engine.begin() as conn:
        ada, bo, cy = (parties.create_artist(conn, n).id for n in ("Ada", "Bo", "Cy"))
        label = parties.create_rights_holder(conn, "Label").id
        catalogue.create_agreement(conn, label, "No training", frozenset({"train-ai"}))
        solo = catalogue.create_track(conn, "Solo", ada).id
        duet = catalogue.create_track(conn, "Duet", ada, [Share(ada, 7000), Share(bo, 3000)],
                                      accepted=(ada, bo)).id
        signed = catalogue.create_track(conn, "Signed", ada, rights_holder_id=label).id
        other = catalogue.create_track(conn, "Other", cy).id
        for artist in (ada, bo):
            for purpose in ("train-generative", "third-party-training:acme"):
                consent_choices.record_choice(conn, ConsentChoice(artist, purpose, Choice.ALLOW))
        consent_choices.record_choice(conn, ConsentChoice(cy, "train-generative", Choice.DENY))
        consumer = parties.create_consumer(conn, "Acme", frozenset({"train-generative"}),
                                           ConsumerKind.THIRD_PARTY, "acme").id
    stored = media.store_upload(io.BytesIO(audio_bytes("wav", 0.2)), tmp_path, 10**7,
                                max_seconds=60)
    with engine.begin() as conn:
        catalogue.attach_audio(conn, solo, stored)
    return {"solo": solo, "duet": duet, "signed": signed, "other": other, "consumer": consumer,
            "ada": ada, "bo": bo, "sha": stored.sha256}  # type: ignore[dict-item]


def _consumer(engine: Engine, consumer_id: int):  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return parties.get_consumer(conn, consumer_id)


def test_a_snapshot_holds_exactly_the_eligible_tracks_and_says_why(
        engine: Engine, tmp_path: Path, world: dict[str, int]) -> None:
    at = utcnow()
    snapshot = create_snapshot(engine, tmp_path, "train-generative", at,
                               _consumer(engine, world["consumer"]), ORIGIN, KEY, "test")
    manifest = pq.read_table(manifest_path(tmp_path, snapshot.id)).to_pylist()
    assert [row["track_id"] for row in manifest] == [world["solo"], world["duet"]]
    assert snapshot.tracks == 2
    solo, duet = manifest
    assert solo["content_sha256"] == world["sha"] and duet["content_sha256"] is None
    assert solo["owners"] == [{"artist_id": world["ada"], "basis_points": 10_000}]
    assert sorted(o["artist_id"] for o in duet["owners"]) == [world["ada"], world["bo"]]
    with engine.connect() as conn:
        events = {e.id: e for e in ledger.events_of(conn, [world["ada"], world["bo"]])}
    # Ada's generative and Acme consents; for the duet, Bo's too
    assert {events[i].purpose for i in solo["consent_event_ids"]} == {
        "train-generative", "third-party-training:acme"}
    assert {events[i].artist_id for i in duet["consent_event_ids"]} == {world["ada"],
                                                                        world["bo"]}
    assert solo["terms_version"] == "1"

    # signed and logged, by the manifest's hash
    data = manifest_path(tmp_path, snapshot.id).read_bytes()
    body = open_note(snapshot.statement, ORIGIN, KEY.public_key())
    assert f"manifest sha256 {sha256_hex(data)}" in body and "tracks 2" in body
    with engine.connect() as conn:
        entry = log.entry_of(conn, "dataset-snapshot", snapshot.id)
        assert entry is not None and sha256_hex(data).encode() in entry.data
        assert [s.id for s in snapshots_containing(conn, world["duet"])] == [snapshot.id]
        assert snapshots_containing(conn, world["other"]) == []

    # the same instant gives the same manifest, whatever else was recorded since ...
    with engine.begin() as conn:
        consent_choices.record_choice(conn, ConsentChoice(world["bo"], "recommendations",
                                                          Choice.DENY))
    again = create_snapshot(engine, tmp_path, "train-generative", at,
                            _consumer(engine, world["consumer"]), ORIGIN, KEY, "test")
    assert again.manifest_sha256 == snapshot.manifest_sha256
    # ... but never takes back a track withdrawn since: Bo's "no" to training takes the duet
    # out of a snapshot of that instant taken now, as of any later one
    with engine.begin() as conn:
        consent_choices.record_choice(conn, ConsentChoice(world["bo"], "train-ai", Choice.DENY))
    for instant in (at, utcnow() + timedelta(seconds=1)):
        later = create_snapshot(engine, tmp_path, "train-generative", instant,
                                _consumer(engine, world["consumer"]), ORIGIN, KEY, "test")
        assert later.tracks == 1


def test_snapshots_cannot_be_rewritten(engine: Engine, tmp_path: Path,
                                       world: dict[str, int]) -> None:
    create_snapshot(engine, tmp_path, "train-generative", utcnow(), None, ORIGIN, KEY, "test")
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text("DELETE FROM dataset_tracks"))
