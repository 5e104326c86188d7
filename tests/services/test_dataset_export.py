"""Materialising a snapshot: the recordings it names, each carrying its rights, as a directory
or as tar shards; withdrawn tracks left out; interrupted runs resumed; tampering refused."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.engine import Engine

from consentry.consent import Choice, ConsentChoice, ConsumerKind, Share
from consentry.datasets.manifest import sha256_hex
from consentry.datasets.shards import parse_size, plan_shards, sample_key
from consentry.errors import InvalidInput, LogVerificationError
from consentry.services import consent_choices
from consentry.services.dataset_export import Layout, materialise
from consentry.services.dataset_snapshots import create_snapshot
from consentry.signals.file_tags import read_file_rights
from consentry.store import catalogue, media, parties
from consentry.store.datasets import Snapshot, manifest_path
from consentry.timestamps import utcnow
from tests.audio.synth import audio_bytes

KEY = Ed25519PrivateKey.generate()
SITE = "https://music.example"


@pytest.fixture
def snapshot(engine: Engine, tmp_path: Path) -> Snapshot:
    """Ada allows Acme's generative training; her two solo tracks have recordings (15 s of
    WAV and of FLAC), her duet with Bo (who allows too) has none; Cy's track is denied."""
    data = tmp_path / "data"
    with engine.begin() as conn:
        ada, bo, cy = (parties.create_artist(conn, n).id for n in ("Ada", "Bo", "Cy"))
        first = catalogue.create_track(conn, "First", ada).id
        second = catalogue.create_track(conn, "Second", ada).id
        catalogue.create_track(conn, "Duet", ada, [Share(ada, 7000), Share(bo, 3000)],
                               accepted=(ada, bo))
        catalogue.create_track(conn, "Other", cy)
        for artist in (ada, bo):
            for purpose in ("train-generative", "third-party-training:acme"):
                consent_choices.record_choice(conn, ConsentChoice(artist, purpose, Choice.ALLOW))
        consent_choices.record_choice(conn, ConsentChoice(cy, "train-generative", Choice.DENY))
        acme = parties.create_consumer(conn, "Acme", frozenset({"train-generative"}),
                                       ConsumerKind.THIRD_PARTY, "acme")
    for track_id, fmt, seed in ((first, "wav", 1), (second, "flac", 2)):
        stored = media.store_upload(io.BytesIO(audio_bytes(fmt, 15, seed=seed)), data, 10**7,
                                    max_seconds=60)
        with engine.begin() as conn:
            catalogue.attach_audio(conn, track_id, stored)
    return create_snapshot(engine, data, "train-generative", utcnow(), acme, "music.example/log",
                           KEY, "test")


def _materialise(engine: Engine, tmp_path: Path, snapshot: Snapshot, out: Path,
                 layout: Layout = Layout.DIRECTORY, shard_bytes: int = 10**9):  # type: ignore[no-untyped-def]
    return materialise(engine, tmp_path / "data", snapshot.id, out, layout, SITE, None,
                       shard_bytes)


def test_a_directory_holds_each_recording_with_its_rights_and_the_manifest_facts(
        engine: Engine, tmp_path: Path, snapshot: Snapshot) -> None:
    out = tmp_path / "out"
    done = _materialise(engine, tmp_path, snapshot, out)

    manifest = pq.read_table(manifest_path(tmp_path / "data", snapshot.id)).to_pylist()
    with_audio = [r for r in manifest if r["content_sha256"] is not None]
    assert done.samples == 2 and len(manifest) == 3
    assert list(done.unavailable.values()) == ["the track has no recording"]
    for row in with_audio:
        key = sample_key(row["track_id"])
        metadata = json.loads((out / "samples" / f"{key}.json").read_text())
        recording = next((out / "samples").glob(f"{key}.[!j]*"))
        assert metadata["content_sha256"] == row["content_sha256"]
        assert metadata["consent_event_ids"] == row["consent_event_ids"]
        assert metadata["owners"] == row["owners"] and metadata["snapshot_id"] == snapshot.id
        assert metadata["file_sha256"] == sha256_hex(recording.read_bytes())
        assert metadata["file_sha256"] != row["content_sha256"]  # the copy carries the rights
        tags = read_file_rights(recording)
        page = f"{SITE}/tracks/{row['track_id']}"  # RIFF INFO has no URL field: the sentence
        assert page in (tags.url or tags.usage_sentence or "") and tags.artists == ("Ada",)
    assert sha256_hex((out / "manifest.parquet").read_bytes()) == snapshot.manifest_sha256
    description = json.loads((out / "SNAPSHOT.json").read_text())
    assert description["statement"] == snapshot.statement
    assert description["left_out"]["unavailable"] == {
        str(k): v for k, v in done.unavailable.items()}


def test_shards_group_samples_and_a_second_run_keeps_finished_ones(
        engine: Engine, tmp_path: Path, snapshot: Snapshot) -> None:
    out = tmp_path / "shards"
    first = _materialise(engine, tmp_path, snapshot, out, Layout.WEBDATASET, 10**6)
    assert [p.name for p in first.files] == ["shard-000000.tar", "shard-000001.tar"]
    members = []
    for shard in first.files:
        with tarfile.open(shard) as tar:
            names = tar.getnames()
            assert len(names) == 2 and len({n.rsplit(".", 1)[0] for n in names}) == 1
            members += names
    keys = [name.rsplit(".", 1)[0] for name in members]
    assert keys == sorted(keys)  # a sample's files together, samples in track order

    again = _materialise(engine, tmp_path, snapshot, out, Layout.WEBDATASET, 10**6)
    assert (again.kept_from_before, again.bytes_written) == (2, 0)


def test_a_withdrawal_since_the_snapshot_leaves_the_track_out_even_on_resume(
        engine: Engine, tmp_path: Path, snapshot: Snapshot) -> None:
    directory, shards = tmp_path / "dir", tmp_path / "shards"
    _materialise(engine, tmp_path, snapshot, directory)
    _materialise(engine, tmp_path, snapshot, shards, Layout.WEBDATASET)
    with engine.begin() as conn:
        ada = parties.list_artists(conn)[0].id
        first = catalogue.list_tracks(conn)[0].id
        consent_choices.record_choice(conn, ConsentChoice(
            ada, "train-generative", Choice.DENY, first))

    after = _materialise(engine, tmp_path, snapshot, directory)
    assert after.withdrawn == [first] and after.samples == 1
    assert not list((directory / "samples").glob(f"{sample_key(first)}.*"))
    resharded = _materialise(engine, tmp_path, snapshot, shards, Layout.WEBDATASET)
    with tarfile.open(resharded.files[0]) as tar:
        assert not any(n.startswith(sample_key(first)) for n in tar.getnames())
    assert json.loads((directory / "SNAPSHOT.json").read_text())["left_out"][
        "withdrawn_since_snapshot"] == [first]


def test_an_altered_manifest_or_a_foreign_directory_is_refused(
        engine: Engine, tmp_path: Path, snapshot: Snapshot) -> None:
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    with pytest.raises(InvalidInput, match="not empty"):
        _materialise(engine, tmp_path, snapshot, foreign)
    assert [p.name for p in foreign.iterdir()] == ["notes.txt"]
    begun = tmp_path / "begun"
    _materialise(engine, tmp_path, snapshot, begun)
    with pytest.raises(InvalidInput, match="same options"):
        _materialise(engine, tmp_path, snapshot, begun, Layout.WEBDATASET)

    path = manifest_path(tmp_path / "data", snapshot.id)
    path.write_bytes(path.read_bytes() + b"\0")
    with pytest.raises(LogVerificationError, match="altered"):
        _materialise(engine, tmp_path, snapshot, tmp_path / "after")
    assert not (tmp_path / "after").exists()


def test_shard_plans_and_sizes() -> None:
    plan = plan_shards([(1, 400_000), (2, 400_000), (3, 3_000_000), (4, 10)], 1_000_000)
    assert [s.track_ids for s in plan] == [(1, 2), (3,), (4,)]
    assert plan_shards([], 10**6) == []
    with pytest.raises(InvalidInput):
        plan_shards([(1, 1)], 1000)
    assert parse_size("500MB") == 500 * 10**6 and parse_size("1GiB") == 1 << 30
    assert parse_size("2000000") == 2_000_000 and parse_size("1.5 kb") == 1500
    for bad in ("", "MB", "-1MB", "12zz", "1e3XB"):
        with pytest.raises(InvalidInput):
            parse_size(bad)
