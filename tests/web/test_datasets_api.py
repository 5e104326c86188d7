"""Dataset snapshots over HTTP: taken by a consumer for its own scope, signed, logged, and
downloadable only by whom they belong to."""

from __future__ import annotations

import csv
import hashlib
import io

import pyarrow.parquet as pq
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from consentry.ledger.note import open_note, parse_vkey
from consentry.store.tokens import Role, create_token
from consentry.timestamps import utcnow
from tests.conftest import TEST_SECRET
from tests.web.conftest import World


def test_a_consumer_takes_and_downloads_its_snapshot(client: TestClient, world: World) -> None:
    for artist in ("artist_a", "artist_b"):
        for purpose in ("train-generative", "third-party-training:acme"):
            assert client.post("/v1/consent", headers=world.headers(artist),
                               json={"purpose": purpose, "choice": "allow"}).status_code == 201
    taken = client.post("/v1/datasets", headers=world.headers("third_party"),
                        json={"purpose": "train-generative"})
    assert taken.status_code == 201, taken.text
    snapshot = taken.json()
    # Label One's agreement forbids generative training; Label Two's only voice cloning
    assert snapshot["tracks"] == 4 and snapshot["consumer_id"] == world.third_party

    manifest = client.get(f"/v1/datasets/{snapshot['id']}/manifest",
                          headers=world.headers("third_party"))
    assert hashlib.sha256(manifest.content).hexdigest() == snapshot["manifest_sha256"]
    rows = pq.read_table(io.BytesIO(manifest.content)).to_pylist()
    assert sorted(r["track_id"] for r in rows) == sorted(
        [world.track_a, world.track_b, world.track_ab, world.track_l2])
    name, key = parse_vkey(client.get("/v1/log").json()["public_key"])
    assert snapshot["manifest_sha256"] in open_note(snapshot["statement"], name, key)
    entry = client.get(f"/v1/log/entries/{snapshot['log_index']}",
                       headers=world.headers("admin")).json()
    assert entry["record"]["manifest_sha256"] == snapshot["manifest_sha256"]

    assert [s["id"] for s in client.get("/v1/datasets",
                                        headers=world.headers("third_party")).json()] == [
        snapshot["id"]]
    assert client.get("/v1/datasets", headers=world.headers("internal")).json() == []
    for role in ("internal", "artist_a"):
        assert client.get(f"/v1/datasets/{snapshot['id']}/manifest",
                          headers=world.headers(role)).status_code == 403


def test_bad_snapshot_requests_are_refused(client: TestClient, world: World) -> None:
    headers = world.headers("third_party")
    unknown = client.post("/v1/datasets", headers=headers, json={"purpose": "cloning"})
    assert unknown.status_code == 422 and unknown.json()["error"] == "unknown_purpose"
    out_of_scope = client.post("/v1/datasets", headers=headers, json={"purpose": "train-ai"})
    assert out_of_scope.status_code == 403
    for_another = client.post("/v1/datasets", headers=headers,
                              json={"purpose": "train-generative", "consumer_id": world.internal})
    assert for_another.status_code == 403
    naive = client.post("/v1/datasets", headers=headers,
                        json={"purpose": "train-generative", "at": "2026-01-01T00:00:00"})
    assert naive.status_code == 422


def test_a_datasets_only_consumer_uses_only_what_its_snapshots_hold(
        client: TestClient, world: World, engine: Engine) -> None:
    made = client.post("/v1/consumers", headers=world.headers("admin"), json={
        "name": "Acme Datasets", "kind": "third-party", "organisation": "acme",
        "purposes": ["train-generative"], "datasets_only": True})
    assert made.status_code == 201 and made.json()["datasets_only"] is True
    with engine.begin() as conn:
        token = create_token(conn, TEST_SECRET, "acme datasets", Role.CONSUMER, made.json()["id"])
    bound = {"Authorization": f"Bearer {token.secret}"}
    for purpose in ("train-generative", "third-party-training:acme"):
        assert client.post("/v1/consent", headers=world.headers("artist_a"),
                           json={"purpose": purpose, "choice": "allow"}).status_code == 201

    def verdict(track: int) -> tuple[bool, str]:
        got = client.get(f"/v1/tracks/{track}/decision", headers=bound,
                         params={"purpose": "train-generative"}).json()
        return got["decision"] == "allow", got["rule"]

    assert verdict(world.track_a) == (False, "outside-snapshots")
    before_snapshot = utcnow().isoformat()
    taken = client.post("/v1/datasets", headers=bound, json={"purpose": "train-generative"})
    assert taken.status_code == 201 and taken.json()["tracks"] == 1  # Only A: A and B needs B
    assert verdict(world.track_a) == (True, "artist-default")
    # Artist B allows afterwards: consent now allows the co-owned track, but no snapshot holds it
    for purpose in ("train-generative", "third-party-training:acme"):
        client.post("/v1/consent", headers=world.headers("artist_b"),
                    json={"purpose": purpose, "choice": "allow"})
    assert verdict(world.track_ab) == (False, "outside-snapshots")
    batch = client.post("/v1/decisions", headers=bound, json={
        "purpose": "train-generative", "track_ids": [world.track_a, world.track_ab]}).json()
    assert [(d["track_id"], d["rule"]) for d in batch["decisions"]] == [
        (world.track_a, "artist-default"), (world.track_ab, "outside-snapshots")]
    export = client.get("/v1/eligibility", headers=bound,
                        params={"purpose": "train-generative", "format": "csv"})
    rows = {int(r["track_id"]): r for r in csv.DictReader(io.StringIO(export.text))}
    assert rows[world.track_a]["rule"] == "artist-default"
    assert rows[world.track_ab]["rule"] == "outside-snapshots"
    assert rows[world.track_b]["rule"] == "outside-snapshots"
    # A second snapshot takes in what B's consent opened up: the co-owned track, B's own, and
    # Label Two's (whose agreement forbids only voice cloning); Label One's stays out
    assert client.post("/v1/datasets", headers=bound,
                       json={"purpose": "train-generative"}).json()["tracks"] == 4
    assert verdict(world.track_ab) == (True, "artist-default")
    # Asked about an instant after the consent and before the first snapshot: nothing was held
    before = client.get(f"/v1/tracks/{world.track_a}/decision", headers=bound, params={
        "purpose": "train-generative", "at": before_snapshot}).json()
    assert (before["decision"], before["rule"]) == ("deny", "outside-snapshots")
    assert "none of its snapshots for 'train-generative' holds track" in (
        before["reasons"][0]["summary"])
    # A withdrawal reaches a datasets-only consumer's snapshot like any other
    assert client.post("/v1/consent", headers=world.headers("artist_a"), json={
        "purpose": "train-generative", "choice": "deny", "track_id": world.track_a},
    ).status_code == 201
    withdrawals = client.get("/v1/withdrawals", headers=bound).json()
    assert [(w["snapshot_id"], w["track_ids"]) for w in withdrawals] == [
        (taken.json()["id"], [world.track_a]), (taken.json()["id"] + 1, [world.track_a])]
    assert verdict(world.track_a) == (False, "artist-track-choice")
